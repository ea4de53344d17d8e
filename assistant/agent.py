"""The assistant: understand → route → retrieve → select evidence → answer with citations (or decline).

One readable loop in :meth:`Assistant.ask`; each step lives in its own module. The answer is the typed
:class:`~assistant.answer.Answer`; its words are the corpus's sentences and the fixed phrasings of
``prompts/extractive.toml`` (or an LLM's checked sentences), never text written here.

Over 350 lines: the loop and its routes (search, decline, the structural listings) are read together;
every step they call lives in its own module.
"""

from __future__ import annotations

import functools
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from assistant.answer import Answer, Block, BlockKind, Citation, Coverage, Role, Route, Span, SpanSource, Suggestion
from assistant.antecedents import CorpusGrammar
from assistant.citations import make_citation, make_context, numbered_as_read, source_label
from assistant.compose import (
    CitationBook,
    ExtractiveGenerator,
    GenerationRequest,
    checks_premise,
    document_label,
    goes_on_about,
    premise_conflict,
    render_group,
    titled_by,
)
from assistant.corpus import CorpusView, QueryEmbedder
from assistant.coverage import decide, join_named, partial_notice
from assistant.directory import Directory, Entry
from assistant.documents import DocumentNames
from assistant.generators import Generator, make_generator
from assistant.guard import Assessment, assess
from assistant.prompts import load_phrases
from assistant.query import (
    ADDRESS,
    Intent,
    Lexicon,
    Query,
    SpellFixer,
    as_question,
    as_statement,
    understand,
    words_of,
    written_words,
)
from assistant.retrieval import (
    Candidate,
    Evidence,
    HybridRetriever,
    Probe,
    Ranking,
    TermStats,
    opens_list,
    rescored,
)
from assistant.rules import FactKind, FactRules, QueryRules
from assistant.safety import in_distress, is_individual_care, is_personal_medical, speaks_of_distress
from assistant.scope import ScopeLimit, ScopeLimits
from assistant.signals import CorpusSignals, Preferences
from ingest.cleaning import CELL_SEPARATOR
from ingest.embeddings import make_embeddings
from ingest.index import IndexMismatch, IndexReader, IndexUnavailable, VectorStoreUnavailable, matches_where
from ingest.lexical import FrenchAnalyzer
from ingest.manifest import manifest_or_empty
from ingest.models import Chunk
from ingest.pipeline import ProgressFn, ingest
from ingest.roles import PassageRole
from ingest.sections import SectionCode, SectionKind
from ingest.settings import Settings

History = Sequence[str | dict[str, Any] | Answer]
Lap = Callable[[str], None]


def _history_questions(history: History | None) -> list[str]:
    out: list[str] = []
    for turn in history or []:
        if isinstance(turn, Answer):
            out.append(turn.question)
        elif isinstance(turn, dict):
            if turn.get("role") in (None, "user") and (q := turn.get("question") or turn.get("content")):
                out.append(str(q))
        elif isinstance(turn, str):
            out.append(turn)
    return out


def _asked(part: str, text: str) -> bool:
    """Whether ``text`` asks ``part`` (the asker ended it with "?"), rather than saying it ("… tenus au secret ?
    on a peur des fuites": context, not a question)."""
    at = text.find(part)
    return at >= 0 and text[at + len(part) :].lstrip().startswith("?")


def _question_of(part: str) -> str:
    """The sentence of ``part`` that asks, its last: « L'ARS est naturellement partenaire, mais … blocage. Comment
    assurer la lisibilité … ? » names only « Comment assurer la lisibilité … » as what the documents do not answer."""
    return _SENTENCE_END.split(part.strip())[-1]


_SENTENCE_END = re.compile(r"(?<=[.!…])\s+(?=[A-ZÀ-Ý«\"])")


@dataclass
class PartSearch:
    """One part of a multi-part question and what its own search found."""

    query: Query
    vector: np.ndarray
    found: Ranking
    weights: dict[str, float]


class Assistant:
    """Answers questions from the live index. Safe for concurrent ``ask`` calls (no shared mutable state)."""

    def __init__(
        self,
        settings: Settings,
        reader: IndexReader,
        embedder: QueryEmbedder,
        generator: Generator | None = None,
    ) -> None:
        self.settings = settings
        self.reader = reader
        self.embedder = embedder
        self.phrases = load_phrases(settings.prompts_dir, "extractive")
        self.lexicon = Lexicon.load()
        self.analyzer = FrenchAnalyzer()
        self.stats = TermStats(reader, self.analyzer)
        self.retriever = HybridRetriever(reader, settings, self.stats)
        self.signals = CorpusSignals.build(reader, embedder.query_array, self.stats.weights, settings)
        self.retriever.signals = self.signals
        self.speller = SpellFixer(self._vocabulary(), settings, self._written_words(), self.analyzer.stopwords)
        self.grammar = CorpusGrammar.of(chunk.text for chunk in reader.chunks)  # what a follow-up's pronoun means
        self.labels = self._labels()
        indexed = {doc.doc_id for doc in reader.manifest.documents}
        self.documents = DocumentNames.build(manifest_or_empty(settings.corpus_dir).by_file.values(), indexed)
        self.fiche_list = reader.fiches()
        self.recommendations = self._recommendations()
        titles = (reader.chunks[reader.position[s.chunk_id]].section_title for s in reader.sentences)
        headings = (titled_by(reader, sid, settings) for sid in range(len(reader.sentences)))
        self.names = FactRules.load().names_in((s.text for s in reader.sentences), titles, headings)  # definitions…
        self.scope = ScopeLimits.build((s.text for s in reader.sentences), self.analyzer.words)  # what they leave out
        self.directory = Directory.build(
            reader, self.analyzer.terms, settings.directory_topic_words, settings.quote_title_max
        )
        self.extractive = ExtractiveGenerator(
            reader,
            self.phrases,
            self.labels,
            settings.max_answer_sentences,
            settings.answer_margin,
            settings.evidence_authority_bonus,
            settings.part_gain,
            analyze=self.stats.analyzer.terms,
            opener_coverage=settings.list_opener_min_coverage,
            max_characters=settings.max_answer_characters,
            truncated_min_words=settings.truncated_copy_min_words,
            spoken_penalty=settings.evidence_spoken_penalty,
            settings=settings,
        )
        self.corpus = CorpusView(
            reader, self.labels, self.fiche_list, self.phrases, embedder, self.stats, self.search_passages
        )
        self.generator: Generator = generator or self.extractive

    # --- construction ---------------------------------------------------------------------------------
    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        build_if_missing: bool = True,
        progress: ProgressFn | None = None,
        embedder: QueryEmbedder | None = None,
    ) -> Assistant:
        """Open the live index (building it first when it is missing or was built with other settings).

        ``embedder``: the query model of an earlier assistant, reused on a reload instead of loaded again.
        """
        settings = settings or Settings()
        try:
            reader = IndexReader(settings)
        except IndexUnavailable as exc:
            if not build_if_missing:
                raise
            ingest(settings, rebuild=isinstance(exc, IndexMismatch), progress=progress)
            reader = IndexReader(settings)
        assistant = cls(settings, reader, embedder or make_embeddings(settings))
        assistant.generator = make_generator(settings, assistant.corpus, assistant.extractive)
        return assistant

    def _vocabulary(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for chunk in self.reader.chunks:
            counts.update(words_of(chunk.embed_text))
        return counts

    def _written_words(self) -> Counter[str]:
        """The corpus's words as written (accents and case kept), outside web addresses (« france-assos-sante.org »
        is no way of writing « France » or « santé »)."""
        counts: Counter[str] = Counter()
        for chunk in self.reader.chunks:
            counts.update(written_words(ADDRESS.sub(" ", chunk.embed_text)))
        return counts

    def _labels(self) -> dict[str, str]:
        """Each document's short name in citations: the manifest's, else the title the index holds (a manifest
        broken since the last ingestion does not stop the assistant)."""
        manifest = manifest_or_empty(self.settings.corpus_dir)
        labels = {info.doc_id: info.label for info in manifest.by_file.values()}
        for doc in self.reader.manifest.documents:
            labels.setdefault(doc.doc_id, doc.title)
        return labels

    def _defining(self, kind: FactKind | None, term: str) -> frozenset[int]:
        """For "qu'est-ce que X ?" (``kind`` asked about ``term``), the corpus's sentences that define X (none for
        another question)."""
        return self.names.giving(kind, term) if kind is not None and term else frozenset()

    def _without_notes(self, evidence: list[Evidence], asked: FactKind | None, question: str) -> list[Evidence]:
        """Without the sentences that are a legal reference alone or a note pointing elsewhere (« Note 4 : Article
        L. 6323-3 du Code de la santé publique. », « Note 25 : Voir l'avis du conseil… »), unless they hold the kind of
        fact the question asks for (``asked``: a reference, a date) or the acronym it names (« … règlement (UE)
        n° 2016/679 … (RGPD) » for a question on the RGPD)."""
        rules = FactRules.load()
        # a kind written with its marks (a reference, a date); not a named thing's template (a definition), which read
        # with no name would keep any note « relatif à… »
        holds = asked.marked if asked is not None else None
        shared = QueryRules.load().shared_acronym
        acronyms = set(shared.findall(question))
        sentences = self.reader.sentences

        def note(e: Evidence) -> bool:
            text = sentences[e.sentence].text
            wanted = (holds is not None and holds.search(text)) or bool(acronyms & set(shared.findall(text)))
            return rules.reference_alone(text) and not wanted

        return [e for e in evidence if not note(e)] or evidence

    def _definitions_first(
        self, evidence: list[Evidence], defining: frozenset[int], opening: frozenset[int] = frozenset()
    ) -> list[Evidence]:
        """The retrieved sentences that define what the question names come first (setting
        ``definition_bonus``): a definition, not a sentence about X's neighbourhood, opens the answer. Lifted up to
        the best score, not above it: the sentences quoted after it are still those close to the best one. A sentence
        of ``opening`` is lifted to it: one that opens on X's definition (« Une CPTS, c'est un réseau… »), or one that
        says a document leaves out what the question names (« Ce guide ne traite pas des … »)."""
        if not (defining or opening) or not evidence:
            return evidence
        bonus, top = self.settings.definition_bonus, max(e.score for e in evidence)

        def lift(e: Evidence) -> Evidence:
            score = top if e.sentence in opening else min(e.score + bonus, top)
            return replace(e, score=score, opens=e.sentence in opening or e.score + bonus >= top)

        raised = defining | opening  # an opening's followers that point back at it may define nothing themselves
        pairs = [(lift(e) if e.sentence in raised else e, e) for e in evidence]  # (lifted, as found)
        pairs.sort(key=lambda pair: (-pair[0].score, not pair[0].opens, -pair[1].score, pair[1].sentence))
        return [lifted for lifted, _ in pairs]

    def _recommendations(self) -> dict[int, int]:
        """Recommendation number → first chunk (the URPS sheet's ``Recommandation n°N``)."""
        found: dict[int, int] = {}
        for i, chunk in enumerate(self.reader.chunks):
            code = SectionCode.parse(chunk.section_number)
            if code.kind is SectionKind.RECOMMENDATION:
                found.setdefault(int(code.number), i)
        return found

    # --- the loop -------------------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: History | None = None,
        role: Role | str | None = None,
        filters: dict[str, Any] | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer ``question`` (with the previous questions of the conversation, and an optional role)."""
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[stage] = round((now - clock) * 1000, 3)
            clock = now

        role = Role.parse(role)
        past_questions = _history_questions(history)
        previous: Query | None = None
        for past in past_questions[-3:]:
            previous = self._understand(past, previous)
        query = self._understand(question, previous)
        if query.intent is Intent.SEARCH and not self.analyzer.terms(query.semantic_text):
            query.intent = Intent.EMPTY  # nothing to search for: "quoi ?", "???"
        condensed = None
        if past_questions and query.followup:
            condensed = self.generator.condense(query.text, past_questions)
            if condensed:
                query = self._understand(condensed, None)
            elif query.rewritten:  # « et une MSP ? » after « C'est quoi une CPTS ? »: read as the question it stands
                # for (a definition), searched as the follow-up was, its own words weighing in
                said = {f: getattr(query, f) for f in _SAID_OF_THE_TYPED}  # what the notes say of what was typed
                searched = {"search_text": query.search_text, "semantic_text": query.semantic_text}
                standing = self._understand(query.rewritten, None)
                corrections = {**standing.corrections, **query.corrections}
                query = replace(standing, rewritten=query.rewritten, corrections=corrections, **searched, **said)
        lap("understand")
        answer = Answer(question=question, backend=self.generator.name)
        # a question that stands alone: a follow-up's rewrite when there is one, never the text searched
        # ("… dans notre CPTS ? et dans une CPTS ?": the previous question and the follow-up, glued)
        answer.standalone_question = condensed or query.rewritten or query.text
        answer.details["searched_text"] = query.semantic_text or query.text
        if condensed or query.rewritten:
            answer.details["condensed_question"] = condensed or query.rewritten
        answer.notes = self._notes(query)
        distress = in_distress(query.raw)
        if speaks_of_distress(query.raw) and not distress:  # suicide prevention as a topic: the crisis line first
            answer.notes.insert(0, self.phrases["note_crisis"])
        if query.intent is Intent.EMPTY:
            self._refuse(answer, Route.EMPTY, self.phrases["empty_question"])
        elif distress:
            self._refuse(answer, Route.MEDICAL, self.phrases["crisis"])
        elif is_personal_medical(query.text, query.leaning_on if query.followup else ""):
            self._refuse(answer, Route.MEDICAL, self.phrases["medical"])
        elif query.intent is Intent.LIST_FICHES:
            self._list_fiches(answer)
        elif query.intent is Intent.MISSING_FICHE:
            self._missing_fiche(answer, query)
        elif query.intent in (Intent.MISSING_RECOMMENDATION, Intent.LIST_RECOMMENDATIONS):
            self._recommendation_answer(answer, query)
        elif query.intent is Intent.MISSING_SECTION:
            self._refuse(answer, Route.NONEXISTENT, self.phrases["section_missing"].format(ref=query.section_ref))
        elif query.intent is Intent.FICHE:
            self._fiche_answer(answer, query)
        else:
            self._search_chosen(answer, query, role, filters, lap, past_questions, on_token)
        lap("compose")
        answer.timings = {**timings, "total": round(sum(timings.values()), 3)}
        return answer

    def _understand(self, text: str, previous: Query | None) -> Query:
        query = understand(
            text,
            self.settings.max_question_chars,
            len(self.fiche_list),
            len(self.recommendations),
            self.lexicon,
            self.speller,
            previous,
            self._section_exists,
            self.settings,
            self.grammar,
        )
        self._spell_out(query)
        return query

    def _spell_out(self, query: Query) -> None:
        """An acronym the question writes (« Un EPCI peut-il gérer un centre de santé ? ») that neither the lexicon
        nor the corpus knows is also searched with the corpus's phrase whose initials spell it (« établissements
        publics de coopération intercommunale »). It stays a word the documents never use: a run of words can spell
        an acronym by chance (ROSP: « raréfaction de l'offre de soins primaires »), so the answer still says the
        documents do not write it (:func:`~assistant.coverage.partial_notice`); it does not lower the confidence
        (:func:`~assistant.guard.assess`): what it stands for was searched. So is an acronym the question spells out
        itself, in brackets after its words (« … une société coopérative d'intérêt collectif (Scic) ? ») or before them
        (« une Scic (société coopérative d'intérêt collectif) »)."""
        rules = QueryRules.load()
        for acronym in dict.fromkeys(rules.acronym.findall(query.text)):
            word = acronym.lower()
            if word in self.lexicon.abbreviations or self.speller.counts.get(word):
                continue
            phrase = self.names.spelled_out(acronym, rules.acronym_joiners, rules.acronym_min_uses)
            if phrase:
                query.search_text = f"{query.search_text} {phrase}"
                query.spelled_out[acronym] = phrase
        # spelled out by the question itself: its words before it, or after it in brackets
        before = ((m.group("acronym"), query.text[: m.start()]) for m in rules.bracketed_acronym.finditer(query.text))
        after = ((m.group("acronym"), m.group("words")) for m in rules.bracketing_acronym.finditer(query.text))
        for acronym, words in (*before, *after):
            if self.names.spells(acronym, rules.acronym_joiners, words):
                query.spelled_out.setdefault(acronym, "")

    def _section_exists(self, ref: str) -> bool:
        """Does any document have a chapter/part numbered ``ref`` ("12", "IV")?"""
        codes = (SectionCode.parse(c.section_number) for c in self.reader.chunks)
        return any(code.kind is not SectionKind.RECOMMENDATION and code.chapter == ref for code in codes)

    def _notes(self, query: Query) -> list[str]:
        notes = []
        if query.truncated:
            notes.append(self.phrases["note_truncated"].format(n=self.settings.max_question_chars))
        if query.had_markup:
            notes.append(self.phrases["note_markup"])
        if query.injection:
            notes.append(self.phrases["note_injection"])
        if query.language != "fr":
            notes.append(self.phrases["note_language"])
        if query.respelled:  # a correction is a guess: the user sees it, and how to keep a word as typed
            said = (self.phrases["note_respelled_word"].format(typed=t, read=r) for t, r in query.respelled.items())
            notes.append(self.phrases["note_respelled"].format(words=", ".join(said)))
        return notes

    @staticmethod
    def _refuse(answer: Answer, route: Route, text: str) -> None:
        answer.route, answer.refused, answer.coverage = route, True, Coverage.NONE
        answer.blocks = [Block.phrase(BlockKind.LEAD, text)]

    # --- search route ---------------------------------------------------------------------------------
    def search_passages(
        self, text: str, filters: dict[str, Any] | None = None, role: Role | None = None
    ) -> list[Candidate]:
        """The best passages for a free-text query, understood like a question (the LLM agent's search tool)."""
        return self._retrieve(self._understand(text, None), filters, role)[1]

    def _retrieve(
        self,
        query: Query,
        where: dict[str, Any] | None,
        role: Role | None,
        lap: Lap | None = None,
        preferred: Sequence[str] = (),
    ) -> tuple[np.ndarray, Ranking, Preferences, bool]:
        """Embed the query and fuse BM25 and vector results: (vector, ranked passages, preferences, whether
        the vector store answered — without it the search is by keywords only). ``preferred``: the documents the
        question names that speak of its topic (:meth:`_treating`)."""
        search = query.search_text or query.text
        vector = self.embedder.query_array(as_statement(query.semantic_text or query.text))
        if lap is not None:
            lap("embed")
        terms = set(self.analyzer.terms(search))
        prefs = self.signals.prefer(query.text, vector, terms, role, self.settings, asked=query.raw)
        if preferred:
            prefs = replace(prefs, documents=tuple(preferred))
        french = query.language == "fr"
        also = None  # a follow-up searched beside the question it leans on is searched alone too
        if self.settings.weight_followup_own > 0 and self.analyzer.terms(query.own_search_text):
            own_vector = self.embedder.query_array(as_statement(query.own_semantic_text or query.text))
            also = Probe(query.own_search_text, own_vector, self.settings.weight_followup_own)
        try:
            candidates = self.retriever.search(
                search, vector, where or None, role, lexical=french, prefs=prefs, also=also
            )
            vectors_ok = True
        except VectorStoreUnavailable:
            candidates = self.retriever.search(
                search, vector, where or None, role, lexical=True, prefs=prefs, use_vectors=False, also=also
            )
            vectors_ok = False
        if lap is not None:
            lap("retrieve")
        return vector, candidates, prefs, vectors_ok

    def _treating(self, named: tuple[str, ...], topic: Query, *, clearly: bool = True) -> tuple[str, ...]:
        """The documents of ``named`` that speak of the ``topic`` (the question without their names): they write at
        least ``named_document_min_share`` of its words the corpus knows (weighted by rarity), and their sentence
        closest to it (e5) comes within ``named_document_gap`` of the corpus's closest. « le patient traceur » is not
        in the mémoire: preferred, its passages would answer beside the point; the guide's definition is the answer.
        With ``clearly=False``, one of the two tests is enough: the documents a user chose as a filter are left only
        when they clearly do not speak of the topic (on `dev` + `realworld-dev`, 3 of 230 filters on an expected
        document fail both tests, against 18 that fail one)."""
        reader = self.reader
        weights = {t: w for t, w in self.stats.weights(topic.search_text or topic.text).items() if t in self.stats.idf}
        sims = reader.sentence_vectors @ self.embedder.query_array(as_statement(topic.semantic_text or topic.text))
        best = float(sims.max(initial=0.0))
        kept = []
        for doc in named:
            passages = frozenset(reader.chunks_where(doc_id=doc))
            held = frozenset(t for t in weights if passages & self.stats.holding(t))
            sentences = [s for i in passages for s in reader.sentences_of.get(reader.chunks[i].chunk_id, [])]
            closest = float(sims[sentences].max()) if sentences else -1.0
            written = not weights or TermStats.coverage(weights, held) >= self.settings.named_document_min_share
            close = best - closest <= self.settings.named_document_gap
            if (written and close) if clearly else (written or close):
                kept.append(doc)
        return tuple(kept)

    def _named_aside(self, answer: Answer, aside: Sequence[str]) -> None:
        """A note on the documents the question names (« d'après la présentation ») that do not speak of its topic
        (:meth:`_treating`), when the answer cites none of them: « X, nommé dans la question, ne traite pas de ce
        point »."""
        if aside and not {c.doc_id for c in answer.citations} & set(aside):
            labels = join_named([f"« {self.labels.get(doc, doc)} »" for doc in aside], " et ")
            phrase = "note_named_aside" if len(aside) == 1 else "note_named_aside_plural"
            answer.notes.append(self.phrases[phrase].format(documents=labels))

    def _asked_vector(self, query: Query) -> np.ndarray:
        """The question embedded as a question, ending on its question mark, typed or not: the confidence was
        calibrated so (the search embeds it as a statement, :func:`as_statement`)."""
        return self.embedder.query_array(as_question(query.semantic_text or query.text))

    def _read_on(self, opening: frozenset[int]) -> frozenset[int]:
        """The sentences that open on a definition, with those right after them in their passage that go on about
        it (:func:`~assistant.compose.goes_on_about`: « Ces maisons de santé ont été reconnues… », then « Ces maisons
        de santé sont des structures pluriprofessionnelles. », « Elles sont constituées… »; « Le patient traceur est une
        démarche… », then « La démarche s'adresse aux professionnels… », « L'objectif de cette démarche… »): a
        definition is quoted whole."""
        found, sentences = set(opening), self.reader.sentences
        for sid in opening:
            siblings = self.reader.sentences_of[sentences[sid].chunk_id]
            for follower in siblings[siblings.index(sid) + 1 :]:
                if not goes_on_about(self.reader, sid, follower, self.settings):
                    break
                found.add(follower)
        return frozenset(found)

    def _search_chosen(
        self,
        answer: Answer,
        query: Query,
        role: Role | None,
        filters: dict[str, Any] | None,
        lap: Lap,
        history: list[str],
        on_token: Callable[[str], None] | None,
    ) -> None:
        """The search route within the documents the user chose (``filters["doc_id"]``, the web app's filter). Declined
        there — they do not speak of the topic, or say nothing close enough —, the question is asked of all the
        documents: when those answer it, the refusal says so and where, instead of « the documents do not treat it »."""
        aside = self._search_answer(answer, query, role, filters, lap, history, on_token)
        chosen = _chosen_documents(filters)
        declined = answer.route is Route.OUT_OF_SCOPE and not answer.details.get("individual_care")
        if not chosen or not (aside or declined):
            return
        elsewhere = Answer(question=answer.question, backend=answer.backend)
        unfiltered = {key: value for key, value in (filters or {}).items() if key != "doc_id"}
        # only its sources are shown: the extractive answer gives them, an LLM's would cost a second draft
        self._search_answer(elsewhere, query, role, unfiltered, _untimed, history, None, generator=self.extractive)
        if not elsewhere.refused and not elsewhere.details.get("scope_limit"):  # not « ce guide ne traite pas de… »
            self._decline_filtered(answer, chosen, elsewhere)
        elif aside:  # the others do not answer either: searched in the chosen documents after all
            self._search_answer(answer, query, role, filters, lap, history, on_token, check_chosen=False)

    def _search_answer(
        self,
        answer: Answer,
        query: Query,
        role: Role | None,
        filters: dict[str, Any] | None,
        lap: Lap,
        history: list[str],
        on_token: Callable[[str], None] | None,
        check_chosen: bool = True,
        generator: Generator | None = None,
    ) -> bool:
        """Answer from the passages the search finds. True, with ``answer`` left as it was, when the documents the user
        chose (``check_chosen``) do not speak of the topic: their closest passages would be quoted as if they did
        (:meth:`_search_chosen` says where the others treat it)."""
        where = dict(filters or {})
        if query.fiche:
            where.setdefault("fiche", query.fiche)
        allowed = _chosen_documents(where)  # a user's own filter: what it leaves out is no document's silence
        # the documents the question names, or those of the question a follow-up leans on (« Que dit le mémoire sur la
        # formation des usagers ? », then « et sur leur recrutement ? »)
        named = self.documents.named_in(query.text) or self.documents.named_in(query.leaning_on)
        named = [doc for doc in named if not allowed or doc in allowed]
        asked_as, treating = query.text, ()
        if named and self.analyzer.terms(topic_text := self.documents.without(query.text)):
            # what is asked about, not the document's name: searched, « mémoire » would bring the passages where the
            # study speaks of itself, and a definition asked « selon le mémoire » is a definition of its topic
            topic = replace(
                query,
                text=topic_text,
                search_text=self.documents.without(query.search_text or query.text),
                semantic_text=self.documents.without(query.semantic_text or query.text),
                parts=[self.documents.without(part) for part in query.parts],
            )
            treating, query = self._treating(tuple(named), topic), topic
        if check_chosen and allowed and not self._treating(tuple(allowed), query, clearly=False):
            return True
        if query.recommendation:
            where.setdefault("section_number", str(SectionCode.recommendation(query.recommendation)))
        query_vector, candidates, prefs, vectors_ok = self._retrieve(query, where, role, lap, treating)
        if not vectors_ok:
            answer.notes.append(self.phrases["note_keywords_only"])
        answer.details["asks_resources"] = prefs.asks_resources  # back matter may then be the answer
        answer.details["asks_list"] = prefs.asks_list  # an enumeration: its answer should give the list
        if prefs.table_question:
            answer.details["question_table"] = {"question": prefs.table_question, "fiches": list(prefs.table_fiches)}
        weights = self.stats.weights(query.search_text)
        asked, term = query.asked()
        defining = self._defining(asked, term)  # a definition is quoted even from back matter (a list of guides)
        lists = self._deeper_lists(prefs, candidates, weights)
        opening = self.names.opening(asked, term) if asked is not None and term else frozenset()
        # an acronym whose meaning is asked (« Que signifie ESP ? »): the sentences that spell it out open the answer
        asked_meanings = QueryRules.load().meant_acronyms(query.text)
        spelling = self._spelling(asked_meanings)
        meant, spellings = frozenset(spelling), self._spellings_to_open(spelling, query_vector)
        opening |= spellings
        # the passages that open on X's definition, when the search missed them: the answer may open on it
        defined = self._passages_of(opening, [*candidates, *lists], where, self.settings.definition_passages)
        # a thing a document says it leaves out (« Ce guide ne traite pas des … contrats locaux de santé »): the
        # sentence that says so opens the answer, unless the documents define what is asked
        limits = [] if defining else self._limits(query, where)
        stated = frozenset(limit.sentence for limit in limits)
        # a support structure the guide's directory describes (« Quelles sont les missions de l'IREPS ? »): its
        # entry opens the answer, whole, though it is back matter; not when the question's filters leave it out
        entries = self._entries([query.text, *query.parts], where)
        listed = frozenset(sid for entry in entries for sid in entry.sentences)
        listed |= self._credits(prefs, where, named)  # « Qui a rédigé le guide ? »: its list of participants
        if entries:  # back matter may then open the answer: the question asks for that support structure
            answer.details["directory_entry"] = [entry.title for entry in entries]
        defined += self._passages_of(stated | listed, [*candidates, *lists, *defined], where)
        read_on = self._read_on(opening)  # the definition's sentences and those that go on about it
        evidence = self.retriever.evidence(
            [*candidates, *lists, *defined],
            query_vector,
            weights,
            prefs,
            keep=defining | read_on | stated | listed | spellings,  # a definition, whole
        )
        evidence = self._without_notes(evidence, asked, query.text)
        leading = candidates.leading
        as_asked = rescored(self.reader, evidence, self._asked_vector(query))  # as the confidence was calibrated
        # judged with the acronyms given as spelled out: those asked, then (below) those the answer shows
        judge = functools.partial(
            assess,
            self.reader,
            self.stats,
            query,
            leading,
            as_asked,
            weights,
            settings=self.settings,
            names=self.names,
            described=entries,
        )
        assessment = judge(spelled=meant)
        answer.confidence = assessment.confidence
        answer.details["assessment"] = asdict(assessment)
        evidence = self._definitions_first(evidence, defining, read_on | stated | listed)
        if defining:  # the answer opens on a definition of what is asked, wherever the documents give it
            answer.details["definition_first"] = bool(evidence) and evidence[0].sentence in defining
        answer.contexts = [
            make_context(self.reader, rank + 1, c.index, c.score, c.scores) for rank, c in enumerate(candidates)
        ]
        lap("evidence")
        coverage = decide(assessment, self.settings) if evidence else Coverage.NONE
        if coverage is Coverage.NONE and meant and len(query.parts) == 1 and len(meant) == len(asked_meanings):
            coverage = Coverage.FULL  # it asks only what acronyms stand for, and the documents spell them all out
        # one person's care relationship, in a conversation about no collective setting: outside the documents' scope,
        # declined before any part of the question is searched
        if is_individual_care(query.text, query.semantic_text):
            answer.details["individual_care"] = True
            self._decline(answer, candidates, limits, self.phrases["refusal_individual"])
            return False
        parts_evidence, pool = [evidence], [*candidates, *lists]
        uncovered: list[str] = []  # parts of the question the documents do not cover at all
        if len(query.parts) > 1:  # each part searched too: it may find what the whole question missed
            searched: list[PartSearch] = []
            for part in query.parts:  # a part may lean on the one before (« … ? Avec quelles conséquences ? »)
                searched.append(self._search_part(part, where, role, searched[-1].query if searched else None))
            known = {c.index for c in pool}
            for part in searched:  # the best passages each part finds on its own join the whole question's
                fresh = [c for c in part.found[: self.settings.part_passages] if c.index not in known]
                pool += fresh
                known.update(c.index for c in fresh)
            judged = [self._part_evidence(part, pool, prefs, where) for part in searched]
            # a part the documents do not cover at all, that the asker asked ("il va faire beau samedi ?" beside
            # a covered one): when the whole question is answered, it is said first in its own words, and none
            # of its quotes is shown
            foreign = [
                cover is Coverage.NONE and self._foreign(judgement) and _asked(part, query.text)
                for part, (_, cover, judgement) in zip(query.parts, judged, strict=True)
            ]
            uncovered = [part for part, out in zip(query.parts, foreign, strict=True) if out]
            # a part that leans on the one before is judged with it, but the whole question holds its words: it
            # brings no section of its own (« Sur « Est-il à proscrire » » filled with passages on sharing power)
            parts_evidence = [
                [] if out or part.query.followup else found
                for (found, _, _), out, part in zip(judged, foreign, searched, strict=True)
            ]
            if coverage is Coverage.NONE and all(
                cover is not Coverage.NONE and not judgement.unknown_words for _, cover, judgement in judged
            ):
                # two covered questions in one ("… tenus au secret ? Comment faire une affiche ?") dilute
                # the whole question's words and vector: each part answers, the first opens the answer; with a
                # part the documents do not cover, the whole question's refusal stands
                partial = next((judgement for _, cover, judgement in judged if cover is Coverage.PARTIAL), None)
                coverage = Coverage.PARTIAL if partial else Coverage.FULL
                assessment = partial or assessment
                evidence = parts_evidence[0]
                answer.details["answered_by_parts"] = True
            elif coverage is Coverage.FULL:
                # a part asking for what the documents do not give (a definition, a figure…) makes the whole
                # answer partial: the notice names what that part misses
                short = next((j for _, cover, j in judged if cover is Coverage.PARTIAL and j.fact_missing), None)
                if short is not None:
                    coverage, assessment = Coverage.PARTIAL, short
                elif uncovered:
                    coverage = Coverage.PARTIAL
        if coverage is Coverage.NONE:
            self._decline(answer, candidates, limits)
            return False
        premise = None
        if checks_premise(query.premise, query.premise_explicit):
            terms = set(self.analyzer.terms(query.premise))

            def contradiction(found: list[Evidence]) -> int | None:
                said, explicit, sentence_terms = query.premise, query.premise_explicit, self.stats.sentence_terms
                return premise_conflict(self.reader, said, found, terms, sentence_terms, self.settings, explicit)

            premise = contradiction(as_asked)  # the question's own evidence, then the premise searched on its own
            if premise is None:
                premise = contradiction(self._premise_evidence(query.premise, where, role))
        request = GenerationRequest(
            question=asked_as,
            parts=query.parts,
            evidence=parts_evidence,
            candidates=[c.index for c in pool],
            whole=evidence,
            premise_sentence=premise,
            premise_explicit=query.premise_explicit,
            role=role,
            history=history,
            enumeration=prefs.asks_list,
            on_token=on_token,
            pointed=frozenset(prefs.table_fiches) if prefs.table_named else frozenset(),
        )
        result = (generator or self.generator).generate(request)
        answer.blocks, answer.citations = result.blocks, result.citations
        if meant and (shown := self._spelled_in(answer, meant)) != meant:
            # an acronym is « spelled out » only if the answer shows its long form: else it is said undefined again
            assessment = judge(spelled=shown)
            answer.confidence, coverage = assessment.confidence, decide(assessment, self.settings)
            answer.details["assessment"] = asdict(assessment)
            if coverage is Coverage.NONE:
                self._decline(answer, candidates, limits)
                return False
        answer.notes.extend(result.notes)
        answer.details.update(result.details)
        if result.details.get("llm", {}).get("status") == "fallback":  # the model's draft was not shown
            answer.backend = f"{self.extractive.name} (repli)"
        answer.details["false_premise"] = premise is not None
        answer.details["premise_explicit"] = premise is not None and query.premise_explicit  # else a nuance
        if not answer.citations:
            self._decline(answer, candidates, limits)
            return False
        self._named_aside(answer, [doc for doc in named if doc not in treating])
        if prefs.structures:  # failure kind 3 measured: the answer opens on a passage about another structure
            first = self.reader.position[answer.citations[0].chunk_id]
            answer.details["structures_asked"] = sorted(prefs.structures)
            answer.details["other_structure_first"] = self.signals.other_structure(first, prefs)
        cited = {c.chunk_id for c in answer.citations}
        for cand in pool[len(candidates) :]:  # a passage only a part found, when the answer cites it
            if self.reader.chunks[cand.index].chunk_id in cited:
                rank = len(answer.contexts) + 1
                answer.contexts.append(make_context(self.reader, rank, cand.index, cand.score, cand.scores))
        notices: list[str] = []
        if limits and answer.citations[0].chunk_id == self._chunk_of(limits[0].sentence):  # it opens the answer
            coverage = Coverage.PARTIAL
            answer.details["scope_limit"] = True
            chunk, names = self._left_out(limits)
            notices.append(self.phrases["partial_scope"].format(doc=document_label(self.labels, chunk), names=names))
        if coverage is Coverage.PARTIAL and uncovered and not assessment.fact_missing:
            parts = self.phrases["partial_parts_and"].join(f"« {_question_of(part)} »" for part in uncovered)
            notices.append(self.phrases["partial_parts"].format(parts=parts))
        elif coverage is Coverage.PARTIAL and not notices:
            elsewhere = self._quotes_other_figures(answer, assessment)
            notices.append(
                partial_notice(assessment, self.phrases, self.settings, elsewhere=elsewhere, question=query.text)
            )
        elif coverage is not Coverage.PARTIAL and result.missing:  # the model read the passages: only part answered
            missing = result.missing if result.missing.endswith((".", "!", "?")) else f"{result.missing}."
            coverage = Coverage.PARTIAL
            notices.append(self.phrases["partial_model"].format(missing=missing))
        if coverage is Coverage.PARTIAL:
            answer.coverage = Coverage.PARTIAL
            # the notice says what follows is the closest the documents come to the question: the passages set apart
            # are further from it
            further = Block.phrase(BlockKind.FURTHER, self.phrases["further_heading_partial"])
            answer.blocks = [further if b.kind is BlockKind.FURTHER else b for b in answer.blocks]
            answer.blocks[:0] = [Block.phrase(BlockKind.NOTICE, notice) for notice in notices]
        if prefs.table_named:
            self._point_to_table(answer, prefs, where)
        elif prefs.asks_start and prefs.audience is not Role.REPRESENTANT:  # the table is the care team's
            self._point_to_whole_table(answer, where, named)
        return False

    def _deeper_lists(self, prefs: Preferences, candidates: Ranking, weights: dict[str, float]) -> list[Candidate]:
        """For a question asking for an enumeration, the passages ranked below the contexts (down to
        ``list_search_depth``, in the same search) where a sentence opens a list with the question's words (« Les
        CPTS peuvent être appelées à assurer … des missions de service public suivantes : » for « Quelles sont les
        missions d'une CPTS ? »): the list may answer it better than the passages around it."""
        depth = self.settings.list_search_depth
        if not prefs.asks_list or depth <= len(candidates):
            return []
        deeper = self.retriever.deeper(candidates, depth)
        known = {c.index for c in candidates}
        found = []
        for cand in deeper:
            if cand.index in known:
                continue
            sentences = self.reader.sentences_of.get(self.reader.chunks[cand.index].chunk_id, [])
            if any(
                opens_list(self.reader, sid)
                and self.stats.coverage(weights, self.stats.sentence_terms[sid]) >= self.settings.list_search_coverage
                for sid in sentences
            ):
                found.append(cand)
        return found

    @staticmethod
    def _quotes_other_figures(answer: Answer, assessment: Assessment) -> bool:
        """Whether a partly covered answer, which says the documents do not give the figure asked (a duration, a sum, a
        date: a strict kind, written with its marks), quotes a sentence holding such a figure all the same: one about
        something else (« Cette expérimentation va durer 27 mois. » after « Qu'est-ce qu'un patient partenaire ? »
        and « ça dure combien de mois ? »), which the reader should not take for the answer: the notice says they may
        be about something else (the guard's topic test reads words: it may miss that a figure is about the topic)."""
        if not (assessment.fact_missing and assessment.fact_strict and assessment.fact_asked) or assessment.fact_term:
            return False
        kind = FactRules.load().kind(assessment.fact_asked)
        holds = kind.marked
        if kind.worded or holds is None:  # « conditions », « envisagé »: words, not figures
            return False
        quoted = (span.text for block in answer.blocks for span in block.spans if span.source is SpanSource.CORPUS)
        return any(holds.search(text) for text in quoted)

    def _point_to_table(self, answer: Answer, prefs: Preferences, where: dict[str, Any]) -> None:
        """After the quotes, the fiches the guide's own question table (« Par où commencer ? ») sends the
        question to, citing the table (when the search may read it: not outside the documents the asker chose):
        what a coordinator reads next. The row is named by its first question, verbatim (a row's later
        questions may sit in other cells)."""
        row = prefs.table_question.split("?")[0].strip() + " ?"
        found = self.signals.table_passage(self.reader, row, prefs.table_question)
        if found is None or not matches_where(self.reader.chunks[found], where):
            return
        titles = {int(f["number"]): f["title"] for f in self.fiche_list}
        if any(n not in titles for n in prefs.table_fiches):
            return
        named = [self.phrases["guide_table_fiche"].format(number=n, title=titles[n]) for n in prefs.table_fiches]
        if len(named) == 1:
            fiches = self.phrases["guide_table_one"].format(fiche=named[0])
        else:
            joined = ", ".join(named[:-1]) + self.phrases["guide_table_and"] + named[-1]
            fiches = self.phrases["guide_table_many"].format(fiches=joined)
        self._pointer(answer, found, "guide_table", row, fiches=fiches, question=row)

    def _point_to_whole_table(self, answer: Answer, where: dict[str, Any], named: Sequence[str]) -> None:
        """After the quotes of a question asking where to start, the guide's question table (« Par où commencer ? »)
        as a whole, cited at its head: the questions to ask step by step and the fiches that answer them. Not when
        the question names another document, or the search may not read the table."""
        found = self.signals.table_start(self.reader)
        if found is None or not matches_where(self.reader.chunks[found], where):
            return
        if named and self.reader.chunks[found].doc_id not in named:
            return
        head = self.reader.chunks[found].text.split("\n", 1)[0].split(CELL_SEPARATOR, 1)[0].strip()  # its first cell
        self._pointer(answer, found, "guide_table_whole", head)

    def _pointer(self, answer: Answer, found: int, phrase: str, marked: str, **fields: str) -> None:
        """A closing lead that points at passage ``found`` (phrase ``phrase``, with its document, section and title),
        citing it with ``marked`` highlighted, or the citation of its source the answer already holds."""
        chunk = self.reader.chunks[found]
        doc = document_label(self.labels, chunk)
        text = self.phrases[phrase].format(doc=doc, section=chunk.section_number, title=chunk.section_title, **fields)
        label = source_label(chunk, doc)
        cited = next((c for c in answer.citations if c.label == label), None)  # its source, already cited
        if cited is None:
            start = chunk.text.find(marked)
            spans = [(start, start + len(marked))] if start >= 0 else []
            cited = make_citation(self.reader, len(answer.citations) + 1, [(found, spans)], label)
            answer.citations.append(cited)
        # before the passages that may not answer, if the answer ends on them: the guide's own pointer answers
        at = next((k for k, b in enumerate(answer.blocks) if b.kind is BlockKind.FURTHER), len(answer.blocks))
        answer.blocks.insert(at, Block(BlockKind.LEAD, (Span(text, (cited.n,)),)))
        if at < len(answer.blocks) - 1:
            answer.blocks, answer.citations = numbered_as_read(answer.blocks, answer.citations)

    def _foreign(self, judgement: Assessment) -> bool:
        """Whether a part declined on its own is foreign to the documents (no sentence close enough, or words
        the corpus never uses), not merely too short to be understood alone ("qui finance ?")."""
        return judgement.similarity < self.settings.guard_min_similarity or bool(judgement.unknown_words)

    def _search_part(
        self, part: str, where: dict[str, Any], role: Role | None, before: Query | None = None
    ) -> PartSearch:
        """One part of a multi-part question, searched on its own, or, when it leans on the part ``before`` as a
        follow-up leans on the question before it (« L'ACI : pourquoi signer cette convention ? Avec quelles
        conséquences ? »), with it."""
        part_query = self._understand(part, before)
        vector, found, _, _ = self._retrieve(part_query, where, role)
        return PartSearch(part_query, vector, found, self.stats.weights(part_query.search_text))

    def _part_evidence(
        self, part: PartSearch, pool: list[Candidate], prefs: Preferences, where: dict[str, Any]
    ) -> tuple[list[Evidence], Coverage, Assessment]:
        """A part's evidence over the final pool (the whole question's passages, then those every part
        found), and how far the documents cover the part alone (judged on its own passages, and on the directory
        entry it asks about, within the question's filters). The generator gives a part its own section only when it
        adds what the whole missed (``part_gain``)."""
        own = self.retriever.evidence(part.found, part.vector, part.weights, prefs)
        as_asked = rescored(self.reader, own, self._asked_vector(part.query))
        judgement = assess(
            self.reader,
            self.stats,
            part.query,
            part.found.leading,
            as_asked,
            part.weights,
            settings=self.settings,
            names=self.names,
            described=self._entries([part.query.text], where),
            spelled=frozenset(self._spelling(QueryRules.load().meant_acronyms(part.query.text))),
        )
        cover = decide(judgement, self.settings) if own else Coverage.NONE
        return self.retriever.evidence(pool, part.vector, part.weights, prefs), cover, judgement

    def _premise_evidence(self, premise: str, where: dict[str, Any], role: Role | None) -> list[Evidence]:
        """The sentences of the passages found for what the question takes for granted, searched on its own (« les
        CPTS touchent aussi l'ACI participation des usagers »), its best passages as ranked: what contradicts it may lie
        outside the passages that answer the question."""
        part = self._search_part(premise, where, role)
        best = part.found.ranked[: self.settings.top_k]  # as ranked: two passages of one section may both speak of it
        return self.retriever.evidence(best, part.vector, part.weights)

    def _decline(
        self, answer: Answer, candidates: list[Candidate], limits: Sequence[ScopeLimit] = (), why: str = ""
    ) -> None:
        """ "The documents do not cover this", ``why`` when it is known, where a document says it leaves out what the
        question names, and the closest fiches."""
        self._refuse(answer, Route.OUT_OF_SCOPE, self.phrases["refusal"])
        if why:
            answer.blocks.append(Block.phrase(BlockKind.LEAD, why))
        if limits:
            chunk, names = self._left_out(limits)
            source = source_label(chunk, document_label(self.labels, chunk))
            answer.blocks.append(
                Block.phrase(BlockKind.LEAD, self.phrases["refusal_limits"].format(source=source, names=names))
            )
        answer.blocks.append(Block.phrase(BlockKind.LEAD, self.phrases["refusal_scope"]))
        answer.suggestions = self._fiches_of(self.reader.chunks[cand.index] for cand in candidates)
        answer.citations = []

    def _fiches_of(self, places: Iterable[Chunk | Citation]) -> list[Suggestion]:
        """The fiches ``places`` (passages, citations) belong to, each once, in their order: at most
        ``declined_places``."""
        fiches: dict[int, Suggestion] = {}
        for place in places:
            if place.fiche:
                fiches.setdefault(place.fiche, Suggestion(place.fiche, place.fiche_title, place.chunk_id))
        return list(fiches.values())[: self.settings.declined_places]

    def _decline_filtered(self, answer: Answer, chosen: Sequence[str], elsewhere: Answer) -> None:
        """Declined for the documents the user chose (``chosen``), with the places where the others treat the
        question (the sources of ``elsewhere``, its answer from all the documents)."""
        labels = join_named([f"« {self.labels.get(doc, doc)} »" for doc in chosen], " et ")
        phrase = "refusal_filtered" if len(chosen) == 1 else "refusal_filtered_plural"
        self._refuse(answer, Route.FILTERED_OUT, self.phrases[phrase].format(documents=labels))
        places = list(dict.fromkeys(citation.label for citation in elsewhere.citations))
        answer.blocks += [Block.phrase(BlockKind.LIST_ITEM, place) for place in places[: self.settings.declined_places]]
        cited = self._fiches_of(elsewhere.citations)
        answer.suggestions = (elsewhere.suggestions or cited)[: self.settings.declined_places]
        answer.citations = []

    def _spelling(self, acronyms: Sequence[str]) -> dict[str, frozenset[int]]:
        """Those of ``acronyms`` (whose meaning the question asks: « Que signifie ESP ? ») that the corpus spells out,
        each with the sentences that do so."""
        joiners = QueryRules.load().acronym_joiners
        spelling = {acronym: self.names.spelling_out(acronym, joiners) for acronym in acronyms}
        return {acronym: ids for acronym, ids in spelling.items() if ids}

    def _spellings_to_open(self, spelling: dict[str, frozenset[int]], vector: np.ndarray) -> frozenset[int]:
        """A few sentences of ``spelling`` that spell every acronym out, chosen one by one: the one spelling out most
        of those left first (« … les Équipes de Soins Primaires (ESP) et les Communautés Professionnelles
        Territoriales de santé (CPTS) »), then, among equals, one of body text (a reference's title spells an acronym
        out too), the closest to the question (``vector``)."""
        chosen: set[int] = set()
        left = set(spelling)
        while left:
            ids = sorted(frozenset().union(*(spelling[a] for a in left)))
            near = self.reader.sentence_vectors[ids] @ vector
            best = max(
                zip(ids, near, strict=True),
                key=lambda item: (
                    sum(item[0] in spelling[a] for a in left),
                    self._passage(item[0]).role is PassageRole.BODY,
                    float(item[1]),
                    -item[0],
                ),
            )[0]
            chosen.add(best)
            left = {a for a in left if best not in spelling[a]}
        return frozenset(chosen)

    def _spelled_in(self, answer: Answer, acronyms: frozenset[str]) -> frozenset[str]:
        """Those of ``acronyms`` whose long form the answer's quotes show (« Équipes de Soins Primaires » for ESP)."""
        quoted = " ".join(block.text for block in answer.blocks)
        joiners = QueryRules.load().acronym_joiners
        return frozenset(a for a in acronyms if self.names.spells(a, joiners, quoted))

    def _chunk_of(self, sentence: int) -> str:
        return self.reader.sentences[sentence].chunk_id

    def _entries(self, questions: list[str], where: dict[str, Any]) -> list[Entry]:
        """The directory entries the question (or one of its parts) is about, within its filters."""
        return [
            entry
            for entry in self.directory.asked(questions)
            if all(matches_where(self._passage(sid), where) for sid in entry.sentences)
        ]

    def _credits(self, prefs: Preferences, where: dict[str, Any], named: Sequence[str]) -> frozenset[int]:
        """For a question asking who wrote a document (``Preferences.asks_participants``), the sentences of the lists
        of participants of the documents it names (of any, when it names none), within its filters: they open the
        answer. Searched, « Qui a participé à l'élaboration du guide ? » found the fiches on participation."""
        if not prefs.asks_participants:
            return frozenset()
        return frozenset(
            sid
            for chunk in self.reader.chunks
            if chunk.role is PassageRole.PARTICIPANTS
            and matches_where(chunk, where)
            and (not named or chunk.doc_id in named)
            for sid in self.reader.sentences_of.get(chunk.chunk_id, [])
        )

    def _passage(self, sentence: int) -> Chunk:
        return self.reader.chunks[self.reader.position[self._chunk_of(sentence)]]

    def _limits(self, query: Query, where: dict[str, Any]) -> list[ScopeLimit]:
        """The things the question names that one sentence of the documents (within the question's filters) says
        its document does not treat."""
        named = self.scope.named_in(self.analyzer.words(query.search_text or query.text))
        allowed = [limit for limit in named if matches_where(self._passage(limit.sentence), where)]
        return [limit for limit in allowed if limit.sentence == allowed[0].sentence]

    def _left_out(self, limits: Sequence[ScopeLimit]) -> tuple[Chunk, str]:
        """The passage whose sentence says what its document leaves out, and the things the question names, each
        once (« « conseils de la vie sociale » et des « commissions des usagers » »)."""
        names = join_named([f"« {limit.name} »" for limit in limits], self.phrases["partial_scope_and"])
        return self._passage(limits[0].sentence), names

    def _passages_of(
        self, sentences: frozenset[int], found: list[Candidate], where: dict[str, Any], most: int | None = None
    ) -> list[Candidate]:
        """The passages holding ``sentences`` (within the question's filters), of the most authoritative documents
        first, ``most`` at most, but those ``found`` holds already."""
        chunks = {self.reader.position[self._chunk_of(sid)] for sid in sentences}
        allowed = sorted(
            (self.reader.chunks[i].authority, i) for i in chunks if matches_where(self.reader.chunks[i], where)
        )
        known = {c.index for c in found}
        return [Candidate(i, 0.0) for _, i in allowed[:most] if i not in known]

    # --- structure routes -----------------------------------------------------------------------------
    def _fiche_chunks(self, number: int) -> list[int]:
        return self.reader.chunks_where(fiche=number)

    def _structural(self, answer: Answer, route: Route, book: CitationBook) -> None:
        """A listing answer: its citations, the cited passages as contexts."""
        answer.route, answer.confidence = route, 1.0
        answer.citations = book.citations()
        position = self.reader.position
        answer.contexts = [make_context(self.reader, c.n, position[c.chunk_id], 1.0, {}) for c in answer.citations]

    def _list_fiches(self, answer: Answer) -> None:
        book = CitationBook(self.reader, self.labels)
        blocks = [Block.phrase(BlockKind.LEAD, self.phrases["fiches_intro"].format(count=len(self.fiche_list)))]
        for fiche in self.fiche_list:
            chunks = self._fiche_chunks(int(fiche["number"]))
            if not chunks:
                continue
            n = book.cite(chunks[0], [])
            page = self.reader.chunks[chunks[0]].page
            item = self.phrases["fiche_item_page" if page else "fiche_item"].format(
                number=fiche["number"], title=fiche["title"], page=page
            )
            blocks.append(Block(BlockKind.LIST_ITEM, (Span(item, (n,)),)))
        answer.blocks = blocks
        self._structural(answer, Route.LIST_FICHES, book)

    def _missing_fiche(self, answer: Answer, query: Query) -> None:
        count = len(self.fiche_list)
        self._refuse(answer, Route.NONEXISTENT, self.phrases["fiche_missing"].format(count=count, fiche=query.fiche))
        answer.blocks += [
            Block.phrase(BlockKind.LIST_ITEM, self.phrases["fiche_item"].format(number=f["number"], title=f["title"]))
            for f in self.fiche_list
        ]

    def _recommendation_answer(self, answer: Answer, query: Query) -> None:
        book = CitationBook(self.reader, self.labels)
        count = len(self.recommendations)
        if query.intent is Intent.MISSING_RECOMMENDATION:
            head = self.phrases["recommendation_missing"].format(count=count, number=query.recommendation)
        else:
            head = self.phrases["recommendation_list"].format(count=count)
        blocks = [Block.phrase(BlockKind.LEAD, head)]
        for number, chunk_index in sorted(self.recommendations.items()):
            chunk = self.reader.chunks[chunk_index]
            item = self.phrases["recommendation_item"].format(number=number, title=chunk.section_title)
            blocks.append(Block(BlockKind.LIST_ITEM, (Span(item, (book.cite(chunk_index, []),)),)))
        answer.blocks = blocks
        self._structural(answer, Route.LIST_RECOMMENDATIONS, book)
        if query.intent is Intent.MISSING_RECOMMENDATION:
            answer.route, answer.refused, answer.coverage = Route.NONEXISTENT, True, Coverage.NONE

    def _fiche_answer(self, answer: Answer, query: Query) -> None:
        """A fiche named without a precise question: its title, its parts and its opening sentences."""
        assert query.fiche is not None
        chunks = self._fiche_chunks(query.fiche)
        book = CitationBook(self.reader, self.labels)
        first = self.reader.chunks[chunks[0]]
        doc = self.labels.get(first.doc_id, first.doc_title)
        intro = self.phrases["fiche_intro"].format(fiche=query.fiche, fiche_title=first.fiche_title, doc=doc)
        blocks = [Block.phrase(BlockKind.LEAD, intro)]
        parts = list(
            dict.fromkeys(
                self.reader.chunks[i].section_title
                for i in chunks
                if SectionCode.parse(self.reader.chunks[i].section_number).depth >= 3
            )
        )
        if parts:
            blocks.append(Block.phrase(BlockKind.LEAD, self.phrases["fiche_parts"].format(parts=" ; ".join(parts))))
        sentences = self.reader.sentences_of.get(first.chunk_id, [])[:4]
        if sentences:
            blocks += render_group(
                self.reader, sentences, book.cite(chunks[0], sentences), self.phrases, settings=self.settings
            )
        answer.blocks = blocks
        self._structural(answer, Route.FICHE, book)
        answer.contexts = [make_context(self.reader, r + 1, i, 1.0, {}) for r, i in enumerate(chunks[:10])]


# what a question's notes say of the text as typed (cut, markup or instructions removed, typos corrected, language):
# a rewritten follow-up keeps them
_SAID_OF_THE_TYPED = ("truncated", "had_markup", "injection", "respelled", "language")


def _untimed(stage: str) -> None:
    """A search's stages not timed apart (the second search under a filter): its time counts in the next stage."""


def _chosen_documents(filters: dict[str, Any] | None) -> list[str]:
    """The documents a user's filter keeps (``doc_id``: one id or a list), sorted, once each; none: all."""
    chosen = (filters or {}).get("doc_id") or []
    return sorted({chosen} if isinstance(chosen, str) else set(chosen))
