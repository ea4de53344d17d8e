"""The ``Answer`` type: what the CLI prints, the UI renders and the evaluation scores.

``--json`` is exactly :meth:`Answer.to_dict` serialised.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Citation:
    """A numbered source of the answer: one passage of the corpus and the sentences quoted from it."""

    n: int
    chunk_id: str
    doc_id: str
    file: str
    doc_title: str
    publisher: str
    fiche: int  # 0 when the passage is not in a fiche ressource
    fiche_title: str
    section: str  # full section path
    section_number: str
    page: int  # 0 when unknown
    page_source: str  # "pdf" | "toc" | ""
    quote: str  # the sentences of the answer taken from this passage
    label: str  # the formatted "Sources" line, without the "[n]"
    url: str = ""
    passage: str = ""  # the whole passage
    highlights: list[tuple[int, int]] = field(default_factory=list)  # quoted spans inside ``passage``
    char_start: int = 0  # place of the passage in the document's cleaned text
    char_end: int = 0


@dataclass
class Context:
    """A ranked passage the answer was drawn from (or could have been)."""

    rank: int
    chunk_id: str
    doc_id: str
    file: str
    doc_title: str
    fiche: int
    fiche_title: str
    section: str
    section_number: str
    page: int
    text: str
    score: float
    scores: dict[str, float] = field(default_factory=dict)


@dataclass
class Answer:
    """A grounded answer, or a refusal, with its sources and what it was drawn from."""

    question: str
    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    contexts: list[Context] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds per stage
    route: str = "search"  # search | fiche | list_fiches | nonexistent | out_of_scope | empty
    notes: list[str] = field(default_factory=list)
    confidence: float = 0.0
    backend: str = "extractif"
    standalone_question: str = ""  # the question actually searched (follow-ups, cleaned input)
    suggestions: list[dict[str, Any]] = field(default_factory=list)  # closest fiches on a refusal
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        data = dict(data)
        data["citations"] = [
            Citation(**{**c, "highlights": [tuple(h) for h in c.get("highlights", [])]})
            for c in data.get("citations", [])
        ]
        data["contexts"] = [Context(**c) for c in data.get("contexts", [])]
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
