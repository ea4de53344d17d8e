"""Hybrid retrieval: French BM25 and e5 vectors fused by reciprocal rank, then sentence-level evidence.

Every weight and cut-off is a setting (fusion, title, role and authority bonuses, near-duplicates).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from assistant.answer import Role
from assistant.lazy import LazySets
from assistant.signals import CorpusSignals, Preferences
from ingest.cleaning import BULLET
from ingest.index import IndexReader, matches_where
from ingest.lexical import FrenchAnalyzer
from ingest.roles import PassageRole, RoleRules, link_share
from ingest.settings import Settings

EMPTY_PASSAGE_TERM = "_vide_"  # what LexicalIndex.build indexes for a passage without terms
AUTHORITY_LEVELS = 3  # authority 1 (the HAS guide) … 3 and more: the bonus counts the ranks above 3


def authority_bonus(authority: int, per_rank: float) -> float:
    """The bonus of a passage whose document has ``authority`` (1 = most authoritative): ``per_rank``
    for each rank above the lowest (settings ``authority_bonus``, ``evidence_authority_bonus``)."""
    return per_rank * (AUTHORITY_LEVELS - min(authority, AUTHORITY_LEVELS))


def role_boosts(settings: Settings) -> dict[Role, dict[str, float]]:
    """Setting ``role_boosts`` as a table: role → document kind → bonus (an unknown role is an error)."""
    table: dict[Role, dict[str, float]] = {}
    for role, kind, bonus in settings.role_boosts:
        parsed = Role.parse(role)
        if parsed is None:
            raise ValueError(f"role_boosts : rôle inconnu « {role} » (attendu : {', '.join(Role)})")
        table.setdefault(parsed, {})[kind] = bonus
    return table


def opens_list(reader: IndexReader, sid: int) -> bool:
    """Whether a sentence introduces a list: it ends with ":" and the next sentence of its passage is an item (the
    answer also reads a list announced without a colon: :func:`assistant.compose.introduces`)."""
    sentences = reader.sentences
    text = sentences[sid].text.rstrip()
    if not text.endswith(":") or sid + 1 >= len(sentences):
        return False
    after = sentences[sid + 1]
    return after.chunk_id == sentences[sid].chunk_id and bool(BULLET.match(after.text))


@dataclass(frozen=True)
class Probe:
    """A second search fused with a question's own (a follow-up's words alone, beside the question it leans on):
    each engine's ranks count ``weight`` times theirs."""

    search_text: str
    vector: np.ndarray
    weight: float


@dataclass
class Candidate:
    """A passage found by the hybrid search."""

    index: int
    score: float
    scores: dict[str, float] = field(default_factory=dict)


class Ranking(list[Candidate]):
    """The passages a search keeps (the contexts: spread over sections, then a displaced one, see
    :meth:`HybridRetriever._diversify`), ``leading``: the best passages as ranked, before any spreading, which
    the confidence reads (how well the best passages hold the question's words must not depend on how many
    sections the contexts show), and ``ranked``: every candidate the search scored, best first (the passages below
    the contexts, :meth:`HybridRetriever.deeper`)."""

    def __init__(self, kept: list[Candidate], leading: list[Candidate], ranked: list[Candidate] | None = None) -> None:
        super().__init__(kept)
        self.leading = leading
        self.ranked = ranked if ranked is not None else list(kept)


@dataclass
class Evidence:
    """A sentence that may answer the question, with the reasons of its score."""

    sentence: int  # index in reader.sentences
    chunk: int  # index in reader.chunks
    score: float
    similarity: float
    coverage: float
    chunk_rank: int
    opens: bool = False  # a definition of what the question asks about: its passage opens the answer
    worded: bool = True  # it holds one of the question's words, itself, in its section's title or its table row


def rescored(reader: IndexReader, evidence: list[Evidence], vector: np.ndarray) -> list[Evidence]:
    """The same evidence scored and ordered with another vector of the question: the question as asked, with its
    question mark, for the confidence and the premise check, calibrated on it (the search embeds it as a statement)."""
    if not evidence:
        return evidence
    sims = reader.sentence_vectors[[e.sentence for e in evidence]] @ vector
    pairs = zip(evidence, sims, strict=True)
    scored = [replace(e, score=e.score - e.similarity + float(s), similarity=float(s)) for e, s in pairs]
    return sorted(scored, key=lambda e: (-e.score, e.sentence))


class LazyTerms(LazySets):
    """The analysed terms of each of ``texts``, computed when first read and then kept: opening an index
    analyses nothing; a question reads the terms of the few passages and sentences it retrieves."""

    def __init__(self, texts: Sequence[str], analyze: Callable[[str], list[str]]) -> None:
        super().__init__(len(texts))
        self._texts = texts
        self._analyze = analyze

    def compute(self, index: int) -> frozenset[str]:
        return frozenset(self._analyze(self._texts[index]))


class JoinedTerms(LazySets):
    """Item by item, the union of the term sets of ``parts`` (each computed once, by its own sequence)."""

    def __init__(self, *parts: Sequence[frozenset[str]]) -> None:
        super().__init__(len(parts[0]))
        self._parts = parts

    def compute(self, index: int) -> frozenset[str]:
        return frozenset().union(*(part[index] for part in self._parts))


def _postings(reader: IndexReader, analyzer: FrenchAnalyzer) -> dict[str, np.ndarray] | None:
    """The passages holding each term, read from the BM25 index (one column per term, one row per passage
    holding it) when it was built by the same analysis of the passages, as :class:`~ingest.index.IndexWriter`
    builds it; else None."""
    lexical = getattr(reader, "lexical", None)
    bm25 = getattr(lexical, "_retriever", None)
    scores = getattr(bm25, "scores", None)
    same_analysis = getattr(getattr(lexical, "analyzer", None), "_rules", None) == getattr(analyzer, "_rules", 0)
    if not (isinstance(scores, dict) and same_analysis and scores.get("num_docs") == len(reader.chunks)):
        return None
    indptr, indices = np.asarray(scores["indptr"]), np.asarray(scores["indices"])
    # bm25s adds "" after the last column; an empty passage is indexed as one placeholder word
    return {
        term: indices[indptr[i] : indptr[i + 1]]
        for term, i in bm25.vocab_dict.items()  # type: ignore[union-attr]
        if i + 1 < len(indptr) and indptr[i + 1] > indptr[i] and term != EMPTY_PASSAGE_TERM
    }


class TermStats:
    """Which analysed terms each passage and sentence holds (:class:`LazyTerms`), and how rare each term is."""

    def __init__(self, reader: IndexReader, analyzer: FrenchAnalyzer) -> None:
        self.analyzer = analyzer
        self.chunk_terms = LazyTerms([c.embed_text for c in reader.chunks], analyzer.terms)
        self.sentence_terms = LazyTerms([s.text for s in reader.sentences], analyzer.terms)
        self.heading_terms = LazyTerms([f"{c.section_path} {c.fiche_title}" for c in reader.chunks], analyzer.terms)
        # with the document's title: its section's words analysed once, shared with heading_terms
        self.title_terms = JoinedTerms(
            self.heading_terms, LazyTerms([c.doc_title for c in reader.chunks], analyzer.terms)
        )
        self.label_terms = LazyTerms([s.label for s in reader.sentences], analyzer.terms)
        # a passage's own titles (its section's, its fiche's), not those of the parts and document it belongs to
        self.own_title_terms = LazyTerms([f"{c.section_title} {c.fiche_title}" for c in reader.chunks], analyzer.terms)
        # which passages hold each term: from the BM25 index, no passage analysed again; else counted here
        self._rows = _postings(reader, analyzer)
        df: Counter[str] = Counter()
        if self._rows is None:
            for terms in self.chunk_terms:
                df.update(terms)
        else:
            df.update({term: len(rows) for term, rows in self._rows.items()})
        n = max(len(self.chunk_terms), 1)
        self.idf = {t: math.log(1 + n / d) for t, d in df.items()}
        self.unknown_idf = math.log(1 + n)  # a term the corpus never uses is as rare as can be

    def weights(self, text: str) -> dict[str, float]:
        return {t: self.idf.get(t, self.unknown_idf) for t in self.analyzer.terms(text)}

    def title_share(self, index: int, weights: dict[str, float]) -> float:
        """The share (idf-weighted) of passage ``index``'s own title words (its section's, its fiche's) that the
        question (its ``weights``) writes: « Mobilisation des ressources financières » shares a third of its words
        with « Comment mobiliser les habitants ? », all of them with « Comment mobiliser des ressources financières
        ? ». A passage of the study whose own title shares no word with « Comment recruter des usagers dans une CPTS
        ? » gets 0, though the study's title, on all its passages (« La place des usagers dans les CPTS »), writes
        them. 1 for a passage without a title of its own."""
        own = {t: self.idf.get(t, self.unknown_idf) for t in self.own_title_terms[index]}
        total = sum(own.values())
        return sum(w for t, w in own.items() if t in weights) / total if total else 1.0

    def holding(self, term: str) -> frozenset[int]:
        """The passages that hold ``term``."""
        if self._rows is not None:
            return frozenset(int(i) for i in self._rows.get(term, ()))
        return frozenset(i for i, terms in enumerate(self.chunk_terms) if term in terms)

    @staticmethod
    def coverage(weights: dict[str, float], terms: frozenset[str]) -> float:
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in terms) / total if total else 0.0


class HybridRetriever:
    """Fuses BM25 and vector rankings (RRF), prefers authoritative documents, removes duplicates."""

    def __init__(self, reader: IndexReader, settings: Settings, stats: TermStats) -> None:
        self.reader = reader
        self.settings = settings
        self.stats = stats
        self.role_boosts = role_boosts(settings)
        self.signals: CorpusSignals | None = None  # set by the assistant once the question table is embedded
        # whether two passages are near-duplicates depends on them only: kept per pair, by this retriever
        # (so it goes with the index it reads), for the questions that meet the same passages again
        self._twins = lru_cache(maxsize=settings.duplicate_cache_size)(self._twin_pair)

    def search(
        self,
        search_text: str,
        query_vector: np.ndarray,
        where: dict[str, Any] | None = None,
        role: Role | str | None = None,
        k: int | None = None,
        lexical: bool = True,
        prefs: Preferences | None = None,
        use_vectors: bool = True,
        also: Probe | None = None,
    ) -> Ranking:
        """Best passages for a question; ``lexical=False`` for questions not in French (vectors only); ``also``: a
        second search whose ranks add to the fusion.

        With ``prefs`` (and :attr:`signals` set), the fused scores follow the question's preferences: body
        text over back matter, the structure it names, the fiches of the corpus's question table.
        ``use_vectors=False`` when the vector store is down: keywords (and the local sentence vectors) only."""
        s = self.settings
        n = s.retrieval_candidates
        fused: dict[int, Candidate] = {}
        probes = [Probe(search_text, query_vector, 1.0), *([also] if also is not None else [])]
        for probe in probes:
            vector_hits = self.reader.vector_search(probe.vector, n, where) if use_vectors else []
            lexical_hits = self.reader.lexical_search(probe.search_text, n, where) if lexical else []
            sentence_hits = self.sentence_ranking(probe.vector, n, where) if s.weight_sentence > 0 else []
            for hits, weight, engine in (
                ([(h.index, h.score) for h in vector_hits], s.weight_vector, "vector"),
                ([(h.index, h.score) for h in lexical_hits], s.weight_bm25, "bm25"),
                (sentence_hits, s.weight_sentence, "sentence"),
            ):
                for rank, (index, score) in enumerate(hits):
                    c = fused.setdefault(index, Candidate(index, 0.0))
                    c.score += probe.weight * weight / (s.rrf_k + rank + 1)
                    # the question's own search's score; the second's for a passage only that one found
                    c.scores.setdefault(engine, score)
        if prefs is not None and self.signals is not None and not where:
            for fiche in prefs.table_fiches:  # the fiche the guide itself points to is always a candidate
                best = self._closest_passage(query_vector, fiche=fiche)
                if best is not None:
                    fused.setdefault(best, Candidate(best, 0.0))
            for doc in prefs.documents:  # so is the document the question names (« d'après la présentation »)
                best = self._closest_passage(query_vector, doc_id=doc)
                if best is not None:
                    fused.setdefault(best, Candidate(best, 0.0))
        parsed_role = Role.parse(role) or (prefs.audience if prefs else None)
        boosts = self.role_boosts.get(parsed_role, {}) if parsed_role else {}
        weights = self.stats.weights(search_text) if s.weight_title > 0 else {}
        for c in fused.values():
            chunk = self.reader.chunks[c.index]
            c.scores["rrf"] = c.score
            if weights and chunk.role is not PassageRole.ANNEX:
                # the question's words in the section/fiche title: the guide's own signposts; an annex's title
                # names what a study worked with (« Guide d'entretien … à destination des patients experts »)
                c.scores["title"] = self.stats.coverage(weights, self.stats.title_terms[c.index]) * (
                    self.stats.title_share(c.index, weights) ** s.title_share_power
                )
                c.score += s.weight_title * c.scores["title"]
            c.score *= 1.0 + authority_bonus(chunk.authority, s.authority_bonus) + boosts.get(chunk.kind, 0.0)
            if prefs is not None and self.signals is not None:
                multiplier, addition = self.signals.factor(c.index, chunk.fiche, prefs, s)
                c.score = c.score * multiplier + addition
                if multiplier != 1.0 or addition:
                    c.scores["signals"] = round(multiplier, 4) + addition
        ranked = sorted(fused.values(), key=lambda c: (-c.score, c.index))
        kept = self._by_lead_sentence(
            self._diversify(ranked, k or s.top_k), min(k or s.top_k, s.lead_passages), query_vector
        )
        return Ranking(kept, self._diversify(ranked, s.guard_top_passages, False), ranked)

    def _by_lead_sentence(self, kept: list[Candidate], n: int, query_vector: np.ndarray) -> list[Candidate]:
        """The first ``n`` contexts ordered by their fused score (relative to the best) and how close their best
        sentence comes to the question: the passage with a sentence that answers leads, the same passages stay among
        the first, and a passage kept after the contexts stays there (choice and figures: docs/evaluation.md)."""
        s = self.settings
        head = kept[:n]
        lead = max((c.score for c in head), default=0.0)
        if s.lead_sentence_weight <= 0 or len(head) < 2 or lead <= 0:
            return kept
        best: dict[int, float] = {}
        for c in head:
            if ids := self.reader.sentences_of.get(self.reader.chunks[c.index].chunk_id, []):
                best[c.index] = c.scores["lead_sentence"] = float(
                    (self.reader.sentence_vectors[ids] @ query_vector).max()
                )
        top = max(best.values(), default=0.0)  # a passage without sentences is ordered by its fused score alone
        order = {c.index: c.score / lead + s.lead_sentence_weight * (best.get(c.index, top) - top) for c in head}
        return [*sorted(head, key=lambda c: -order[c.index]), *kept[n:]]  # ties keep the fusion's order

    def deeper(self, ranking: Ranking, k: int) -> list[Candidate]:
        """The ``k`` best passages of a search, spread over sections as its contexts are: the same passages as the
        search asked for ``k``, without searching again."""
        return self._diversify(ranking.ranked, k)

    def _closest_passage(self, query_vector: np.ndarray, **where: Any) -> int | None:
        """The passage closest to the question among those of ``where`` (a fiche, a document)."""
        indexes = self.reader.chunks_where(**where)
        if not indexes:
            return None
        sims = self.reader.chunk_vectors[indexes] @ query_vector
        return indexes[int(np.argmax(sims))]

    def sentence_ranking(
        self, query_vector: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[int, float]]:
        """Passages ranked by their best sentence's similarity to the question (precomputed vectors)."""
        sims = self.reader.sentence_vectors @ query_vector
        best: dict[int, float] = {}
        for sid in np.argsort(-sims, kind="stable")[: k * self.settings.sentence_pool_factor]:
            index = self.reader.position[self.reader.sentences[int(sid)].chunk_id]
            if where and not matches_where(self.reader.chunks[index], where):
                continue
            if index not in best:
                best[index] = float(sims[sid])
            if len(best) >= k:
                break
        return sorted(best.items(), key=lambda item: (-item[1], item[0]))

    def _diversify(self, ranked: list[Candidate], k: int, by_section: bool = True) -> list[Candidate]:
        """Keep one of near-identical passages (the fiche mission exists in two versions, the URPS
        sheet repeats it): the most authoritative one takes the best rank of the group. A section gives at most
        ``context_per_section`` of the ``k`` passages, so that six passages are not one section read on: the next
        ones of a section already there give way to other sections, and the best of them (``section_overflow``)
        is kept after the ``k``, for a sentence that carries on into it; with fewer sections than ``k`` (a search
        inside one fiche), their next passages fill in (``by_section=False``: no such limit)."""
        cap = self.settings.context_per_section if by_section else 0
        seen: list[Candidate] = []  # in rank order, one of each group of near-duplicates
        for cand in ranked:
            if len(self._by_section(seen, k, cap)[0]) >= k:
                break
            twin = next((other for other in seen if self._twins(*sorted((other.index, cand.index)))), None)
            if twin is None:
                seen.append(cand)
            elif self.reader.chunks[cand.index].authority < self.reader.chunks[twin.index].authority:
                seen[seen.index(twin)] = Candidate(cand.index, twin.score, {**cand.scores, "duplicate_of": twin.index})
        kept, overflow = self._by_section(seen, k, cap)
        if len(kept) < k:
            kept, overflow = kept + overflow[: k - len(kept)], overflow[k - len(kept) :]
        return kept + overflow[: self.settings.section_overflow if cap else 0]

    def _by_section(self, seen: list[Candidate], k: int, cap: int) -> tuple[list[Candidate], list[Candidate]]:
        """The first ``k`` of ``seen`` with at most ``cap`` per section (0: no limit), and those they displaced."""
        kept: list[Candidate] = []
        displaced: list[Candidate] = []
        for cand in seen:
            if len(kept) >= k:
                break
            here = self._section(cand)
            if cap and sum(self._section(c) == here for c in kept) >= cap:
                displaced.append(cand)
            else:
                kept.append(cand)
        return kept, displaced

    def _section(self, cand: Candidate) -> tuple[str, str]:
        chunk = self.reader.chunks[cand.index]
        return chunk.doc_id, chunk.section_number  # a document's unnumbered parts count as one

    def _twin_pair(self, first: int, second: int) -> bool:
        return self._near_duplicate(self.reader.chunks[first].text, self.reader.chunks[second].text)

    def _near_duplicate(self, a: str, b: str) -> bool:
        """Two passages of about the same length whose beginnings share nearly all their words."""
        s = self.settings
        if abs(len(a) - len(b)) > s.duplicate_length_gap * max(len(a), len(b)):
            return False
        n = s.duplicate_prefix_chars
        return fuzz.token_set_ratio(a[:n], b[:n]) >= s.duplicate_similarity

    def evidence(
        self,
        candidates: list[Candidate],
        query_vector: np.ndarray,
        weights: dict[str, float],
        prefs: Preferences | None = None,
        keep: Collection[int] = (),
    ) -> list[Evidence]:
        """Score every sentence of the candidate passages: e5 similarity, key-term coverage, passage rank, less
        ``evidence_structure_penalty`` for a passage about another structure than the one the question names,
        ``evidence_named_document_penalty`` for one of another document than the one it names, and
        for a question asking for an enumeration (``prefs.asks_list``) a bonus to a sentence opening a list.

        Back matter (lists of resources, references, participants) is quoted only when the question asks for
        resources (``prefs``), when it is all the candidates hold, or for the sentences of ``keep`` (those that
        define what the question names); so is a body sentence made of web addresses, as a block of links is (« En
        savoir + : https://… Contact : … », a footnote that gives an address)."""
        reader = self.reader
        out: list[Evidence] = []
        best_passage = max((c.score for c in candidates), default=1.0)  # the contexts may lead with another
        s = self.settings
        list_bonus = s.evidence_list_bonus if prefs is not None and prefs.asks_list else 0.0
        for rank, cand in enumerate(candidates):
            chunk = reader.chunks[cand.index]
            ids = reader.sentences_of.get(chunk.chunk_id, [])
            if not ids:
                continue
            sims = reader.sentence_vectors[ids] @ query_vector
            prior = cand.score / best_passage
            # what the question prefers beyond its words follows the passage into its sentences
            passage_bonus = authority_bonus(chunk.authority, s.evidence_authority_bonus)
            if prefs is not None and self.signals is not None and self.signals.other_structure(cand.index, prefs):
                passage_bonus -= s.evidence_structure_penalty
            if prefs is not None and self.signals is not None and self.signals.other_document(cand.index, prefs):
                passage_bonus -= s.evidence_named_document_penalty
            titled = not weights.keys().isdisjoint(self.stats.heading_terms[cand.index])
            for sid, sim in zip(ids, sims, strict=True):
                coverage = self.stats.coverage(weights, self.stats.sentence_terms[sid])
                worded = coverage > 0 or titled or not weights.keys().isdisjoint(self.stats.label_terms[sid])
                score = (
                    float(sim) + s.evidence_coverage_weight * coverage + s.evidence_rank_weight * prior + passage_bonus
                )
                if list_bonus and opens_list(reader, sid):
                    score += list_bonus
                out.append(Evidence(sid, cand.index, score, float(sim), coverage, rank, worded=worded))
        out.sort(key=lambda e: (-e.score, e.sentence))
        if prefs is not None and s.weight_back_matter > 0:
            links = RoleRules.load().link_share

            def quotable(e: Evidence) -> bool:  # body text; back matter when the question asks for what it holds
                role = reader.chunks[e.chunk].role
                if not prefs.opens(role):
                    return False
                return (  # a body sentence made of web addresses answers only a question asking for resources
                    prefs.asks_resources
                    or role is not PassageRole.BODY
                    or link_share(reader.sentences[e.sentence].text) < links
                )

            body = [e for e in out if e.sentence in keep or quotable(e)]
            out = body or out
        return out
