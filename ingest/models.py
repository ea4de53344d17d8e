"""Plain data types that travel from the corpus files to the index."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ingest.roles import PassageRole


@dataclass(frozen=True)
class DocumentInfo:
    """What the manifest (or the file itself) says about a document."""

    doc_id: str
    file: str
    title: str
    publisher: str = ""
    date: str = ""
    kind: str = "document"
    authority: int = 5
    url: str = ""
    short_title: str = ""
    citation_label: str = ""
    in_manifest: bool = True
    anchors: tuple[tuple[str, str, int], ...] = ()  # (line prefix, heading, lines replaced)
    glued_words: bool = False  # its PDF dropped the spaces between some words: they are cut apart
    aliases: tuple[str, ...] = ()  # what a question calls it (« le mémoire », « la fiche mission »)

    @property
    def label(self) -> str:
        """The short name used in citations."""
        return self.citation_label or self.short_title or self.title


@dataclass(frozen=True)
class Page:
    """The text of one page (``number`` is None for formats without pages)."""

    number: int | None
    text: str


@dataclass
class LoadedDocument:
    """A file read from disk: its pages and its identity."""

    info: DocumentInfo
    pages: list[Page]
    sha256: str
    page_count: int | None  # None for plain text / Markdown
    warnings: list[str] = field(default_factory=list)
    pdf_title: str = ""


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph of the cleaned document, with its place in it."""

    kind: str  # "heading" | "paragraph"
    text: str
    page: int | None
    start: int = 0  # offsets in the cleaned document text
    end: int = 0
    level: int = 0
    number: str = ""
    title: str = ""


@dataclass(frozen=True)
class SectionRef:
    """One level of a section path."""

    number: str
    title: str
    level: int

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}".strip() if self.number else self.title


@dataclass
class Chunk:
    """A passage of the index: what is shown, what is embedded, and where it comes from."""

    chunk_id: str
    doc_id: str
    file: str
    doc_title: str
    publisher: str
    kind: str
    authority: int
    section_path: str
    section_number: str
    section_title: str
    fiche: int
    fiche_title: str
    page: int
    page_end: int
    page_source: str  # "pdf" | "toc" | ""
    char_start: int
    char_end: int
    text: str
    embed_text: str
    position: int = 0  # order of the chunk in its document
    role: PassageRole = PassageRole.BODY  # body text or back matter (ingest/roles.py)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        values = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        values["role"] = PassageRole(values.get("role", PassageRole.BODY))
        return cls(**values)


@dataclass(frozen=True)
class Sentence:
    """A sentence of a chunk, the unit the extractive answer quotes."""

    chunk_id: str
    start: int  # offsets inside the chunk's text
    end: int
    text: str
    label: str = ""  # a table cell's column (and row): « Consulter », « 4- Les gouvernances — Collaboration »
    header: bool = False  # a table's header row: names columns, says nothing
