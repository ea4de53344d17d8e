"""Does the passage a sentence cites actually say what the sentence says?

Markers alone only prove that a number points to a retrieved passage. Here each sentence of a written
(LLM) answer is scored against the passage(s) it cites:

- **similarity**: the e5 cosine between the sentence and the closest sentence of the cited passage
  (the passage sentences' vectors are stored in the index), rescaled so that unrelated French text of the
  same domain scores about 0 and a paraphrase about 1;
- **overlap**: the share of the sentence's key terms (French analyzer, weighted by rarity) found in the
  cited passage.

``support = SIMILARITY_WEIGHT * similarity + (1 - SIMILARITY_WEIGHT) * overlap``; a sentence below
:data:`SUPPORT_THRESHOLD` is *unsupported*. A sentence that makes a claim without any marker is
unsupported too (score 0). Short connective sentences ("Voici ce qu'en disent les documents :") are not
claims and are not scored, with or without a marker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from assistant.retrieval import TermStats
from ingest.index import IndexReader

if TYPE_CHECKING:
    from assistant.agent import QueryEmbedder

# Calibrated on the shipped corpus and QA set (docs/llm.md): of the reference answers' sentences (written by
# hand, paraphrasing the corpus) 2 % score below the threshold against their expected passages; of corpus
# sentences set against another passage retrieved for the same question, 5 % score above it; of corpus
# sentences set against a random passage, 1 %. A sentence quoted from its passage scores 1.
SUPPORT_THRESHOLD = 0.35
SIMILARITY_WEIGHT = 0.5
SIMILARITY_FLOOR = 0.85  # e5 cosine (query-to-passage) of unrelated sentences of this corpus: median
SIMILARITY_CEILING = 0.92  # a close paraphrase
MIN_CLAIM_TERMS = 3  # fewer key terms: a connective, not a claim

MARKER = re.compile(r"\[(\d{1,3})\]")
_MARKER_RUN = r"(?:\s*\[\d{1,3}\])+"
_SENTENCE_END = re.compile(rf"(?<=[.!?;]){_MARKER_RUN}|(?<=[.!?;])(?=\s)|\n+")


@dataclass
class Claim:
    """A sentence of the answer and the markers it carries."""

    text: str  # without its markers
    markers: list[int] = field(default_factory=list)


@dataclass
class SentenceSupport:
    """How well the cited passage(s) support one sentence."""

    sentence: str
    cited: list[int]  # the markers of the sentence, as written by the model
    score: float
    similarity: float
    overlap: float
    best_sentences: dict[int, int] = field(default_factory=dict)  # marker → closest sentence id of its passage

    @property
    def supported(self) -> bool:
        return self.score >= SUPPORT_THRESHOLD

    def to_dict(self) -> dict[str, object]:
        return {
            "sentence": self.sentence,
            "cited": self.cited,
            "score": round(self.score, 3),
            "similarity": round(self.similarity, 3),
            "overlap": round(self.overlap, 3),
        }


def split_claims(text: str) -> list[Claim]:
    """The sentences of ``text`` (list items are sentences), each with its markers.

    Markers written after the full stop ("… secret. [2]") belong to the sentence before them."""
    claims: list[Claim] = []
    pos = 0
    pieces: list[str] = []
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        pieces.append(text[pos:end])
        pos = end
    pieces.append(text[pos:])
    for piece in pieces:
        markers = [int(m) for m in MARKER.findall(piece)]
        plain = re.sub(r"\s+", " ", MARKER.sub(" ", piece)).strip()
        plain = re.sub(r"\s+([.,])(?=\s|$)", r"\1", plain).lstrip("-•*➔ ").strip()
        if plain or markers:
            if not plain and claims:  # a line holding only markers
                claims[-1].markers.extend(markers)
                continue
            claims.append(Claim(plain, markers))
    return [c for c in claims if c.text]


class SupportChecker:
    """Scores each sentence of an answer against the passages it cites."""

    def __init__(self, reader: IndexReader, embedder: QueryEmbedder, stats: TermStats) -> None:
        self.reader = reader
        self.embedder = embedder
        self.stats = stats

    def is_claim(self, sentence: str) -> bool:
        return len(set(self.stats.analyzer.terms(sentence))) >= MIN_CLAIM_TERMS and not sentence.endswith(":")

    def score(self, sentence: str, chunk_index: int) -> tuple[float, float, float, int | None]:
        """(support, rescaled similarity, overlap, closest sentence id) of ``sentence`` against one passage."""
        vector = self.embedder.query_array(sentence)
        ids = self.reader.sentences_of.get(self.reader.chunks[chunk_index].chunk_id, [])
        best_sid: int | None = None
        cosine = 0.0
        if ids:
            sims = self.reader.sentence_vectors[ids] @ vector
            best = int(np.argmax(sims))
            best_sid, cosine = ids[best], float(sims[best])
        similarity = float(np.clip((cosine - SIMILARITY_FLOOR) / (SIMILARITY_CEILING - SIMILARITY_FLOOR), 0.0, 1.0))
        weights = self.stats.weights(sentence)
        overlap = TermStats.coverage(weights, self.stats.chunk_terms[chunk_index])
        support = SIMILARITY_WEIGHT * similarity + (1 - SIMILARITY_WEIGHT) * overlap
        return support, similarity, overlap, best_sid

    def check(self, text: str, passages: dict[int, int]) -> list[SentenceSupport]:
        """Every claim of ``text`` scored against the passages its markers name (``passages``: marker →
        chunk index). A sentence citing several passages is as supported as its best-supporting one."""
        out: list[SentenceSupport] = []
        for claim in split_claims(text):
            if not self.is_claim(claim.text):
                continue
            cited = [m for m in dict.fromkeys(claim.markers) if m in passages]
            result = SentenceSupport(claim.text, list(dict.fromkeys(claim.markers)), 0.0, 0.0, 0.0)
            for marker in cited:
                support, similarity, overlap, best_sid = self.score(claim.text, passages[marker])
                if best_sid is not None:
                    result.best_sentences[marker] = best_sid
                if support >= result.score:
                    result.score, result.similarity, result.overlap = support, similarity, overlap
            out.append(result)
        return out
