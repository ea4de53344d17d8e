"""The ``Answer`` type: a typed document that the CLI, the web app, the API and the evaluation consume.

An answer is never text that another component parses back. It is made of:

- ``blocks``: what is said, in order: fixed phrasings (``LEAD``, ``PART_HEADING``, ``NOTICE``), and
  paragraphs or list items made of :class:`Span` runs, each with the citation markers it carries and
  where its words come from (a phrase file, the corpus verbatim, or a model);
- ``notes``: remarks about the question itself (truncated, markup removed, instructions ignored, …);
- ``suggestions``: the closest fiches ressources when the question is declined;
- ``citations``: the numbered sources the markers point to; ``contexts``: the ranked passages;
- ``route`` and ``coverage``: enums that say how the answer was made and how far the documents cover
  the question.

Text and HTML are produced only at the edges (:mod:`assistant.render`, :mod:`assistant.web.render`).
``--json``, the API and ``results.jsonl`` are :meth:`Answer.to_dict`; :meth:`Answer.from_dict` reads it
back (``SCHEMA_VERSION`` says which form).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any, TypeVar

_D = TypeVar("_D")

SCHEMA_VERSION = 3


class Route(StrEnum):
    """How the answer was made."""

    SEARCH = "search"  # retrieval + evidence (the usual case)
    FICHE = "fiche"  # a fiche ressource named without a precise question
    LIST_FICHES = "list_fiches"
    LIST_RECOMMENDATIONS = "list_recommendations"
    NONEXISTENT = "nonexistent"  # a fiche, recommendation or chapter that does not exist
    OUT_OF_SCOPE = "out_of_scope"  # declined: the documents do not cover the question
    FILTERED_OUT = "filtered_out"  # declined: the documents the user chose do not treat it, others do
    MEDICAL = "medical"  # declined: a personal medical question (safety message)
    EMPTY = "empty"  # nothing to search for


class Coverage(StrEnum):
    """How far the documents cover what was asked."""

    FULL = "full"
    PARTIAL = "partial"  # the neighbourhood is covered, not the thing asked: said first in the answer
    NONE = "none"  # declined


class Role(StrEnum):
    """Who asks: the answer may prefer passages written for that audience."""

    PROFESSIONNEL = "professionnel"
    REPRESENTANT = "representant"

    @classmethod
    def parse(cls, value: str | Role | None) -> Role | None:
        """A role from its value ("representant", "représentant", "" → None); unknown values → None."""
        if isinstance(value, Role) or value is None:
            return value
        text = value.strip().lower().replace("é", "e")
        return next((role for role in cls if role.value == text), None)


class SpanSource(StrEnum):
    """Where the words of a span come from."""

    PHRASE = "phrase"  # a fixed phrasing of prompts/ (or a title taken from the corpus's structure)
    CORPUS = "corpus"  # a sentence quoted verbatim from the corpus
    MODEL = "model"  # written by an LLM (checked against the passages it cites)


class BlockKind(StrEnum):
    LEAD = "lead"  # names where the answer comes from, or introduces a list
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    PART_HEADING = "part_heading"  # one part of a multi-part question
    NOTICE = "notice"  # a warning inside the answer (false premise, partial coverage, fallback)
    FURTHER = "further"  # introduces passages close to the question that may not answer it (after the answer's own)


@dataclass(frozen=True)
class Span:
    """A run of words with the citation markers that follow it."""

    text: str
    markers: tuple[int, ...] = ()
    source: SpanSource = SpanSource.PHRASE
    supported: bool | None = None  # model sentences: False when the cited passage does not support it

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "markers": list(self.markers),
            "source": self.source.value,
            "supported": self.supported,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(
            text=data["text"],
            markers=tuple(int(m) for m in data.get("markers", ())),
            source=SpanSource(data.get("source", SpanSource.PHRASE)),
            supported=data.get("supported"),
        )


@dataclass(frozen=True)
class Block:
    """One paragraph, list item, heading or notice of the answer."""

    kind: BlockKind
    spans: tuple[Span, ...]

    @classmethod
    def phrase(cls, kind: BlockKind, text: str) -> Block:
        """A block made of one fixed phrasing."""
        return cls(kind, (Span(text),))

    @property
    def text(self) -> str:
        """The words without markers."""
        return " ".join(span.text for span in self.spans)

    @property
    def markers(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(m for span in self.spans for m in span.markers))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "spans": [span.to_dict() for span in self.spans]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        return cls(BlockKind(data["kind"]), tuple(Span.from_dict(s) for s in data.get("spans", ())))


@dataclass(frozen=True)
class Suggestion:
    """A fiche ressource offered when the question is declined (or as a next step)."""

    number: int
    title: str
    chunk_id: str = ""


@dataclass
class Citation:
    """A numbered source of the answer: one place of the corpus (a passage, or the passages of one section and page
    the answer quotes, joined) and the sentences quoted from it."""

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
    label: str  # the formatted source line, without the "[n]"
    url: str = ""
    passage: str = ""  # the whole passage (passages: joined, "[…]" where the document has words between them)
    highlights: list[tuple[int, int]] = field(default_factory=list)  # quoted spans inside ``passage``
    char_start: int = 0  # place of the passage(s) in the document's cleaned text
    char_end: int = 0
    role: str = "body"  # the passage's role: body text or back matter (ingest.roles.PassageRole)


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
    role: str = "body"  # the passage's role: body text or back matter (ingest.roles.PassageRole)


@dataclass
class Answer:
    """A grounded answer, or a refusal, with its sources and what it was drawn from."""

    question: str
    blocks: list[Block] = field(default_factory=list)
    refused: bool = False
    route: Route = Route.SEARCH
    coverage: Coverage = Coverage.FULL
    notes: list[str] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    contexts: list[Context] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # milliseconds per stage
    confidence: float = 0.0
    backend: str = "extractif"
    standalone_question: str = ""  # the question as it stands alone: a follow-up rewritten, or the cleaned input
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def cited(self) -> list[int]:
        """The markers used in the blocks, in order of first use."""
        return list(dict.fromkeys(m for block in self.blocks for m in block.markers))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "blocks":
                value = [block.to_dict() for block in value]
            elif f.name in ("citations", "contexts", "suggestions"):
                value = [asdict(item) for item in value]
            elif f.name in ("route", "coverage"):
                value = value.value
            data[f.name] = value
        return data

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["blocks"] = [Block.from_dict(b) for b in data.get("blocks", ())]
        values["citations"] = [
            _typed(Citation, {**c, "highlights": [(int(a), int(b)) for a, b in c.get("highlights", [])]})
            for c in data.get("citations", ())
        ]
        values["contexts"] = [_typed(Context, c) for c in data.get("contexts", ())]
        values["suggestions"] = [_typed(Suggestion, s) for s in data.get("suggestions", ())]
        values["route"] = Route(data.get("route", Route.SEARCH))
        values["coverage"] = Coverage(data.get("coverage", Coverage.FULL))
        return cls(**values)


_SCALARS: dict[str, type] = {"int": int, "str": str, "float": float, "bool": bool}


def _typed(kind: type[_D], data: dict[str, Any]) -> _D:
    """A dataclass from a dict read back from JSON (a browser's storage, a file): each scalar field is
    converted to its declared type, so that a number is a number wherever it is written out (raises
    ``ValueError`` or ``TypeError`` on a value that is not one); unknown keys are dropped."""
    values: dict[str, Any] = {}
    for f in fields(kind):  # type: ignore[arg-type]
        if f.name in data:
            convert = _SCALARS.get(str(f.type))
            value = data[f.name]
            if convert is not None and not isinstance(value, int | str | float):
                raise TypeError(f"{f.name} : {type(value).__name__}")
            values[f.name] = convert(value) if convert else value
    return kind(**values)
