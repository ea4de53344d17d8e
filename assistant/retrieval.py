"""Hybrid retrieval: French BM25 and e5 vectors fused by reciprocal rank, then sentence-level evidence."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from ingest.index import IndexReader
from ingest.lexical import FrenchAnalyzer
from ingest.settings import Settings

# Small preference for the documents a role reads first; authority ranks matter more.
ROLE_BOOST: dict[str, dict[str, float]] = {
    "representant": {"fiche mission": 0.10, "advice sheet": 0.05},
    "professionnel": {"guide": 0.05, "advice sheet": 0.05},
}


@dataclass
class Candidate:
    """A passage found by the hybrid search."""

    index: int
    score: float
    scores: dict[str, float] = field(default_factory=dict)


@dataclass
class Evidence:
    """A sentence that may answer the question, with the reasons of its score."""

    sentence: int  # index in reader.sentences
    chunk: int  # index in reader.chunks
    score: float
    similarity: float
    coverage: float
    chunk_rank: int


class TermStats:
    """Which analysed terms each passage and sentence holds, and how rare each term is."""

    def __init__(self, reader: IndexReader, analyzer: FrenchAnalyzer) -> None:
        self.analyzer = analyzer
        self.chunk_terms = [frozenset(analyzer.terms(c.embed_text)) for c in reader.chunks]
        self.sentence_terms = [frozenset(analyzer.terms(s.text)) for s in reader.sentences]
        self.title_terms = [
            frozenset(analyzer.terms(f"{c.section_path} {c.fiche_title} {c.doc_title}")) for c in reader.chunks
        ]
        df: Counter[str] = Counter()
        for terms in self.chunk_terms:
            df.update(terms)
        n = max(len(self.chunk_terms), 1)
        self.idf = {t: math.log(1 + n / d) for t, d in df.items()}
        self.unknown_idf = math.log(1 + n)  # a term the corpus never uses is as rare as can be

    def weights(self, text: str) -> dict[str, float]:
        return {t: self.idf.get(t, self.unknown_idf) for t in self.analyzer.terms(text)}

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

    def search(
        self,
        search_text: str,
        query_vector: np.ndarray,
        where: dict[str, Any] | None = None,
        role: str | None = None,
        k: int | None = None,
        lexical: bool = True,
    ) -> list[Candidate]:
        """Best passages for a question; ``lexical=False`` for questions not in French (vectors only)."""
        s = self.settings
        n = s.retrieval_candidates
        vector_hits = self.reader.vector_search(query_vector, n, where)
        lexical_hits = self.reader.lexical_search(search_text, n, where) if lexical else []
        fused: dict[int, Candidate] = {}
        for rank, hit in enumerate(vector_hits):
            c = fused.setdefault(hit.index, Candidate(hit.index, 0.0))
            c.score += s.weight_vector / (s.rrf_k + rank + 1)
            c.scores["vector"] = hit.score
        for rank, hit in enumerate(lexical_hits):
            c = fused.setdefault(hit.index, Candidate(hit.index, 0.0))
            c.score += s.weight_bm25 / (s.rrf_k + rank + 1)
            c.scores["bm25"] = hit.score
        if s.weight_sentence > 0:
            for rank, (index, score) in enumerate(self.sentence_ranking(query_vector, n, where)):
                c = fused.setdefault(index, Candidate(index, 0.0))
                c.score += s.weight_sentence / (s.rrf_k + rank + 1)
                c.scores["sentence"] = score
        boosts = ROLE_BOOST.get(role or "", {})
        weights = self.stats.weights(search_text) if s.weight_title > 0 else {}
        for c in fused.values():
            chunk = self.reader.chunks[c.index]
            c.scores["rrf"] = c.score
            if weights:  # the question's words in the section/fiche title: the guide's own signposts
                c.scores["title"] = self.stats.coverage(weights, self.stats.title_terms[c.index])
                c.score += s.weight_title * c.scores["title"]
            c.score *= 1.0 + 0.04 * (3 - min(chunk.authority, 3)) + boosts.get(chunk.kind, 0.0)
        ranked = sorted(fused.values(), key=lambda c: (-c.score, c.index))
        return self._diversify(ranked, k or s.top_k)

    def sentence_ranking(
        self, query_vector: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[int, float]]:
        """Passages ranked by their best sentence's similarity to the question (precomputed vectors)."""
        sims = self.reader.sentence_vectors @ query_vector
        best: dict[int, float] = {}
        for sid in np.argsort(-sims, kind="stable")[: k * 8]:
            index = self.reader.position[self.reader.sentences[int(sid)].chunk_id]
            if where and not _matches_where(self.reader.chunks[index], where):
                continue
            if index not in best:
                best[index] = float(sims[sid])
            if len(best) >= k:
                break
        return sorted(best.items(), key=lambda item: (-item[1], item[0]))

    def _diversify(self, ranked: list[Candidate], k: int) -> list[Candidate]:
        """Keep one of near-identical passages (the fiche mission exists in two versions, the URPS
        sheet repeats it): the most authoritative one takes the best rank of the group."""
        kept: list[Candidate] = []
        for cand in ranked:
            if len(kept) >= k:
                break
            text = self.reader.chunks[cand.index].text
            twin = next((k for k in kept if _near_duplicate(self.reader.chunks[k.index].text, text)), None)
            if twin is None:
                kept.append(cand)
                continue
            twin_chunk, chunk = self.reader.chunks[twin.index], self.reader.chunks[cand.index]
            if chunk.authority < twin_chunk.authority:
                kept[kept.index(twin)] = Candidate(cand.index, twin.score, {**cand.scores, "duplicate_of": twin.index})
        return kept

    def evidence(
        self,
        candidates: list[Candidate],
        query_vector: np.ndarray,
        weights: dict[str, float],
    ) -> list[Evidence]:
        """Score every sentence of the candidate passages: e5 similarity, key-term coverage, passage rank."""
        reader = self.reader
        out: list[Evidence] = []
        best_passage = candidates[0].score if candidates else 1.0
        for rank, cand in enumerate(candidates):
            chunk_id = reader.chunks[cand.index].chunk_id
            ids = reader.sentences_of.get(chunk_id, [])
            if not ids:
                continue
            sims = reader.sentence_vectors[ids] @ query_vector
            prior = cand.score / best_passage
            for sid, sim in zip(ids, sims, strict=True):
                coverage = self.stats.coverage(weights, self.stats.sentence_terms[sid])
                authority = 3 - min(reader.chunks[cand.index].authority, 3)
                score = (
                    float(sim)
                    + self.settings.evidence_coverage_weight * coverage
                    + self.settings.evidence_rank_weight * prior
                    + 0.015 * authority
                )
                out.append(Evidence(sid, cand.index, score, float(sim), coverage, rank))
        out.sort(key=lambda e: (-e.score, e.sentence))
        return out


def _matches_where(chunk: Any, where: dict[str, Any]) -> bool:
    return all(getattr(chunk, key) == value for key, value in where.items() if value not in (None, ""))


def _near_duplicate(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 0.5 * max(len(a), len(b)):
        return False
    return fuzz.token_set_ratio(a[:600], b[:600]) >= 88
