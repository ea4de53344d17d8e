"""The support check: does the passage a sentence cites actually say what the sentence says?

Markers alone only prove that a number points to a retrieved passage. Here each sentence of a written
(LLM) answer is scored against the passage(s) it cites:

- **similarity**: the e5 cosine between the sentence and the closest sentence of the cited passage
  (the passage sentences' vectors are stored in the index), rescaled so that unrelated French text of the
  same domain scores about 0 and a paraphrase about 1;
- **overlap**: the share of the sentence's key terms (French analyzer, weighted by rarity) found in the
  cited passage.

``support = w * similarity + (1 - w) * overlap``; a sentence below ``Settings.support_threshold`` is
*unsupported*. A sentence that makes a claim without any marker is unsupported too (score 0). Short
connective sentences ("Voici ce qu'en disent les documents :") are not claims and are not scored, with or
without a marker. Every number (weight, threshold, cosine floor and ceiling) is a ``support_*`` setting,
calibrated on the shipped corpus and QA set (docs/llm.md): of the reference answers' sentences (written by
hand, paraphrasing the corpus) 2 % score below the threshold against their expected passages; of corpus
sentences set against another passage retrieved for the same question, 5 % score above it; against a
random passage, 1 %. A sentence quoted from its passage scores 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.corpus import QueryEmbedder
from assistant.llm.draft import Claim
from assistant.retrieval import TermStats
from ingest.index import IndexReader
from ingest.settings import Settings


@dataclass
class SentenceSupport:
    """How well the cited passage(s) support one sentence."""

    sentence: str
    cited: list[int]  # the markers of the sentence, as written by the model
    score: float
    similarity: float
    overlap: float
    supported: bool = False
    best_sentences: dict[int, int] = field(default_factory=dict)  # marker → closest sentence id of its passage

    def to_dict(self) -> dict[str, object]:
        return {
            "sentence": self.sentence,
            "cited": self.cited,
            "score": round(self.score, 3),
            "similarity": round(self.similarity, 3),
            "overlap": round(self.overlap, 3),
        }


class SupportChecker:
    """Scores each sentence of an answer against the passages it cites."""

    def __init__(self, reader: IndexReader, embedder: QueryEmbedder, stats: TermStats, settings: Settings) -> None:
        self.reader = reader
        self.embedder = embedder
        self.stats = stats
        self.settings = settings
        self._alone: dict[int, np.ndarray] = {}  # sentence id → its vector embedded alone (late chunking)

    def _sentence_vectors(self, ids: list[int]) -> np.ndarray:
        """The vectors of the sentences ``ids`` as the cosine floor and ceiling were calibrated: each
        sentence embedded alone. The index's own, unless they are late-chunked (pooled in their passage,
        a quoted sentence's cosine is then ~0.87 instead of ~0.96): then computed once per sentence."""
        embed = getattr(self.embedder, "embed_array", None)
        if not self.settings.late_sentence_vectors() or embed is None:
            return self.reader.sentence_vectors[ids]
        missing = [i for i in ids if i not in self._alone]
        if missing:
            vectors = embed([self.reader.sentences[i].text for i in missing])
            self._alone.update(zip(missing, np.asarray(vectors, dtype=np.float32), strict=True))
        return np.stack([self._alone[i] for i in ids])

    def is_claim(self, sentence: str) -> bool:
        terms = set(self.stats.analyzer.terms(sentence))
        return len(terms) >= self.settings.support_min_terms and not sentence.endswith(":")

    def score(self, sentence: str, chunk_index: int) -> tuple[float, float, float, int | None]:
        """(support, rescaled similarity, overlap, closest sentence id) of ``sentence`` against one passage."""
        vector = self.embedder.query_array(sentence)
        ids = self.reader.sentences_of.get(self.reader.chunks[chunk_index].chunk_id, [])
        best_sid: int | None = None
        cosine = 0.0
        if ids:
            sims = self._sentence_vectors(ids) @ vector
            best = int(np.argmax(sims))
            best_sid, cosine = ids[best], float(sims[best])
        floor, ceiling = self.settings.support_cosine_floor, self.settings.support_cosine_ceiling
        similarity = float(np.clip((cosine - floor) / (ceiling - floor), 0.0, 1.0))
        weights = self.stats.weights(sentence)
        overlap = TermStats.coverage(weights, self.stats.chunk_terms[chunk_index])
        w = self.settings.support_similarity_weight
        support = w * similarity + (1 - w) * overlap
        return support, similarity, overlap, best_sid

    def check(self, claim: Claim, passages: dict[int, int]) -> SentenceSupport | None:
        """One sentence scored against the passages its markers name (``passages``: marker → chunk
        index); None when it is not a claim. A sentence citing several passages is as supported as its
        best-supporting one; a claim citing none is unsupported (score 0)."""
        if not self.is_claim(claim.text):
            return None
        result = SentenceSupport(claim.text, list(dict.fromkeys(claim.markers)), 0.0, 0.0, 0.0)
        for marker in result.cited:
            if marker not in passages:
                continue
            support, similarity, overlap, best_sid = self.score(claim.text, passages[marker])
            if best_sid is not None:
                result.best_sentences[marker] = best_sid
            if support >= result.score:
                result.score, result.similarity, result.overlap = support, similarity, overlap
        result.supported = result.score >= self.settings.support_threshold
        return result
