"""How a passage of the corpus is named in an answer's "Sources" block and in its citations."""

from __future__ import annotations

from dataclasses import replace

from assistant.answer import Block, Citation, Context
from ingest.index import IndexReader
from ingest.models import Chunk
from ingest.sections import SectionCode, SectionKind


def section_display(chunk: Chunk) -> str:
    """``§ 6.6.2``, ``Partie 2, § 3.3.4``, ``Recommandation n°2``, ``II. …`` or the section title."""
    code = SectionCode.parse(chunk.section_number)
    title = chunk.section_title.rstrip(" :")  # a slide's « UNE CPTS : » names the section, the lead adds its colon
    if code.kind is SectionKind.NONE:
        return f"« {title} »" if title else ""
    if code.kind is SectionKind.RECOMMENDATION:
        return f"Recommandation n°{code.number} « {title} »"
    if code.kind is SectionKind.PART:
        return f"Partie {code.part} « {title} »"
    if code.kind is SectionKind.ROMAN:
        return f"{code.number}. « {title} »"  # « I. « Qui est … ? » : », not « I. Qui est … ? : »
    if code.part is not None:
        return f"Partie {code.part}, § {code.number} « {title} »"
    if chunk.fiche and code.fiche() is not None:
        return ""  # the fiche itself: already named
    return f"§ {code.number}" + ("" if chunk.fiche else f" « {title} »")


def source_label(chunk: Chunk, doc_label: str) -> str:
    """``HAS 2023 — Fiche ressource n° 6 « … », § 6.6.2, p. 41``."""
    parts = []
    if chunk.fiche:
        parts.append(f"Fiche ressource n° {chunk.fiche} « {chunk.fiche_title} »")
    if section := section_display(chunk):
        parts.append(section)
    if chunk.page:
        parts.append(f"p. {chunk.page}" if chunk.page_end in (0, chunk.page) else f"p. {chunk.page}-{chunk.page_end}")
    return f"{doc_label} — {', '.join(parts)}" if parts else doc_label


def _located(chunk: Chunk) -> dict[str, object]:
    """Where a passage comes from: the fields a citation and a context share."""
    return {
        "chunk_id": chunk.chunk_id,
        "doc_id": chunk.doc_id,
        "file": chunk.file,
        "doc_title": chunk.doc_title,
        "fiche": chunk.fiche,
        "fiche_title": chunk.fiche_title,
        "section": chunk.section_path,
        "section_number": chunk.section_number,
        "page": chunk.page,
        "role": chunk.role.value,
    }


PASSAGE_GAP = "\n\n[…]\n\n"  # between two passages of one source that the document does not write one after the other
_BLANK_GAP = 2  # at most this many characters between two passages that follow each other: blank space only


def follows(reader: IndexReader, first: int, then: int) -> bool:
    """Whether passage ``then`` follows passage ``first`` in its document (overlapping it, or after a blank)."""
    a, b = reader.chunks[first], reader.chunks[then]
    return then == first + 1 and a.doc_id == b.doc_id and b.char_start <= a.char_end + _BLANK_GAP


def make_citation(reader: IndexReader, n: int, parts: list[tuple[int, list[tuple[int, int]]]], label: str) -> Citation:
    """The citation of one source: its passages (chunk index, quoted spans in the passage; the first one cited
    first, which names the citation), joined in document order into one text (their overlap once; a paragraph
    break between two passages that follow each other; PASSAGE_GAP where other passages lie between them), the
    quoted spans placed in it."""
    first = reader.chunks[parts[0][0]]
    doc = reader.documents.get(first.doc_id)
    parts = sorted(parts, key=lambda part: (reader.chunks[part[0]].char_start, part[0]))
    start = end = reader.chunks[parts[0][0]].char_start
    text, previous = "", parts[0][0]
    highlights: list[tuple[int, int]] = []
    for index, spans in parts:
        chunk = reader.chunks[index]
        if chunk.char_start > end:  # a blank between two passages that follow each other, else words left out
            text, end = text + ("\n\n" if follows(reader, previous, index) else PASSAGE_GAP), chunk.char_start
        previous = index
        shared = end - chunk.char_start  # the passages overlap (or touch: 0)
        shift = len(text) - shared  # where the passage's offset 0 falls in the joined text
        text += chunk.text[shared:]
        end = max(end, chunk.char_end)
        for a, b in spans:
            if (a + shift, b + shift) not in highlights:
                highlights.append((a + shift, b + shift))
    highlights.sort()
    return Citation(
        n=n,
        **_located(first),  # type: ignore[arg-type]
        publisher=first.publisher,
        page_source=first.page_source,
        quote=" ".join(text[a:b] for a, b in highlights),
        label=label,
        url=doc.url if doc else "",
        passage=text,
        highlights=highlights,
        char_start=start,
        char_end=end,
    )


def make_context(reader: IndexReader, rank: int, chunk_index: int, score: float, scores: dict[str, float]) -> Context:
    chunk = reader.chunks[chunk_index]
    return Context(
        rank=rank,
        **_located(chunk),  # type: ignore[arg-type]
        text=chunk.text,
        score=round(float(score), 6),
        scores={k: round(float(v), 6) for k, v in scores.items()},
    )


def numbered_as_read(blocks: list[Block], citations: list[Citation]) -> tuple[list[Block], list[Citation]]:
    """The citations numbered in the order the blocks first cite them (a block inserted above others brings its own
    number up), the markers with them; a citation no block cites keeps its place after the others."""
    order: list[int] = []
    for block in blocks:
        for span in block.spans:
            order += [m for m in span.markers if m not in order]
    order += [c.n for c in citations if c.n not in order]
    new = {old: k for k, old in enumerate(order, 1)}
    renumbered = [
        replace(block, spans=tuple(replace(s, markers=tuple(new.get(m, m) for m in s.markers)) for s in block.spans))
        for block in blocks
    ]
    return renumbered, sorted((replace(c, n=new[c.n]) for c in citations), key=lambda c: c.n)
