"""Cut a structured document into passages that never cross a section, and passages into sentences."""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.cleaning import ARROWS, BULLET, CELL_SEPARATOR, alternative_question, footnote_label
from ingest.models import Block, Chunk, DocumentInfo, SectionRef, Sentence
from ingest.roles import classify
from ingest.rules import CleaningRules, StructureRules
from ingest.sections import SectionCode, SectionKind
from ingest.structure import StructuredDocument, Tables, fiche_of

# a sentence ends at ".", "!", "?" or "…" before a capital, a digit or a bullet; not after an initial or a
# legal abbreviation ("M. E", "aux articles L. 1411-11 et L. 1411-12"), nor before a bracketed note that
# belongs to it ("… c'est quoi docteur ? [vidéo] (dernière visite, juin 2023).")
_TINY = 25  # characters: a shorter piece is merged back into the sentence before it
_LOST_WORD = r"[a-zà-ÿ]{5}"  # the end of a word whose period may end a sentence before one that lost its start
_LOST_OPENING = r"[a-zà-ÿ](?!ttps?:|ww\.)"  # how a sentence that lost its start opens: in lower case, no web address
_CELL_END = re.compile(rf"(?<=[.!?…])(?:\s?[\"»”)])?{re.escape(CELL_SEPARATOR)}")


@lru_cache(maxsize=1)
def _sentence_end() -> re.Pattern[str]:
    """Where a sentence ends: after . ! ? … (and a closing mark), before what may open one; not after an initial
    ("E. Allory"), an abbreviation of ``cleaning.toml`` ("cf. Annexe 2", "p. 29") nor the number of an item
    enumerated inside a sentence ("celui-ci : 1. Constat … ; 2. Analyse …", "1. Constat, 2. Détermination …")."""
    forms = sorted({f for a in CleaningRules.load().abbreviations for f in (a, a.capitalize())})
    not_after = "".join(rf"(?<!\b{re.escape(f)}\.)" for f in forms)  # one fixed-width look-behind each
    not_after += r"(?<![:;,]\s\d\.)(?<![:;,]\s\d\d\.)"
    # a closing mark right after the end mark or after a space (« … acteurs de leur santé. » Le comité… »), not
    # before the note that gives the quotation's source (« … pratiques. » (Source : site internet du ministère…) »)
    closing = r"(?:[\"»)]|\s[»”](?=\s+[^\s(]))?"
    # a sentence whose start the document lost (« … du territoire concerné. représentant·e·s des usager·ère·s,
    # focus groupes… sont autant de méthodes… »: a PDF dropped a line) is one of its own, read as cut at its start
    # (:func:`lost_start`), not glued to the sentence before: after the period of a word of five letters or more (an
    # abbreviation is shorter: « env. », « hab. », « sept. », « etc. »), before a word in lower case that is no web
    # address
    lost = rf"(?<={_LOST_WORD}\.\s)(?={_LOST_OPENING})"
    return re.compile(rf"(?<=[.!?…])(?<!\b[A-ZÀ-Ý]\.){not_after}{closing}\s+(?:(?=[«\"(A-ZÀ-ÖØ-Ý0-9•\-–])|{lost})")


@dataclass
class _Unit:
    """The body of one section: consecutive paragraphs under the same heading path."""

    path: list[SectionRef]
    blocks: list[Block]


def _units(doc: StructuredDocument) -> list[_Unit]:
    units: list[_Unit] = []
    path: list[SectionRef] = []
    current: _Unit | None = None
    for block in doc.blocks:
        if block.kind == "heading":
            path = [ref for ref in path if ref.level < block.level and _may_contain(ref.number, block.number)]
            path.append(SectionRef(block.number, block.title, block.level))
            current = None
            continue
        if current is None:
            current = _Unit(list(path), [])
            units.append(current)
        current.blocks.append(block)
    return units


_NUMERIC = (SectionKind.NUMBERED, SectionKind.PART)


def _may_contain(parent: str, child: str) -> bool:
    """Can section ``parent`` hold ``child``? ``6`` holds ``6.2``, ``P2`` holds ``P2-1``; ``2`` does not
    hold ``6.2`` (a numbering jump). Sections without a number, recommendations and Roman parts may
    hold anything."""
    outer, inner = SectionCode.parse(parent), SectionCode.parse(child)
    if outer.kind not in _NUMERIC or inner.kind not in _NUMERIC:
        return True
    return inner != outer and inner.within(outer)


def section_label(ref: SectionRef) -> str:
    """How a section is named in a path: ``6.8.2. Facilitateurs``, ``3.1. Titre`` inside a part,
    ``Partie 2 - Titre``, ``Recommandation n°2 : Titre`` (formats of ``ingest/data/structure.toml``)."""
    code = SectionCode.parse(ref.number)
    rules = StructureRules.load()
    if code.kind is SectionKind.NONE:
        return ref.title
    if code.kind is SectionKind.RECOMMENDATION:
        return rules.recommendation_label.format(number=code.number, title=ref.title)
    if code.kind is SectionKind.PART:
        return rules.part_label.format(number=code.part, title=ref.title)
    return rules.numbered_label.format(number=code.number, title=ref.title)


def _section_number(path: list[SectionRef]) -> str:
    """The stable id of the deepest numbered section (``6.6.2``, ``P2-3.3.4``, ``R2``, ``II``)."""
    return next((ref.number for ref in reversed(path) if ref.number), "")


SENTENCE_REACH = 300  # characters a passage may grow past the splitter's cut to end its sentence


_LOST_START = re.compile(_LOST_OPENING)
_LOST_AFTER = re.compile(rf"{_LOST_WORD}\.\s*$")


def lost_start(before: str, text: str) -> bool:
    """Whether a sentence opens in lower case (a web address aside) right after a sentence that ends on its line with
    a word's period (``before``: the text before it on its line): its first words were lost, as no sentence opens so;
    quoted, it is marked as cut at its start. A line that opens in lower case (an item without bullet, « cf. … ») lost
    nothing."""
    return bool(_LOST_AFTER.search(before)) and bool(_LOST_START.match(text.strip()))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``: split on end punctuation and line breaks, tiny pieces merged back."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        row = line.group()
        # in a table row, the end of a cell too short to be a sentence stays with it ("Rémunérerons-nous les
        # participants ? Comment ? — Fiche ressource n° 10…", not "Comment ? — Fiche…")
        ends = _sentence_end().finditer(row)
        pieces = [m.end() for m in ends if not 0 <= row.find(CELL_SEPARATOR, m.end()) - m.end() < _TINY]
        # a cell that ends a sentence ends it there: the next cell is not glued to it ("… pour mieux décider." /
        # "Obtenir les avis…"); a cell without an end mark (a row's label) stays with the cell after it
        cell_ends = {m.end() - len(CELL_SEPARATOR) for m in _CELL_END.finditer(row)}
        bounds = [0, *sorted({*pieces, *cell_ends}), len(row)]
        for a, b in itertools.pairwise(bounds):
            seg = row[a:b]
            if seg.startswith(CELL_SEPARATOR):
                seg = " " * len(CELL_SEPARATOR) + seg[len(CELL_SEPARATOR) :]
            lead = len(seg) - len(seg.lstrip())
            seg_stripped = seg.strip()
            if not seg_stripped:
                continue
            s, e = start + a + lead, start + a + lead + len(seg_stripped)
            # a tiny piece is merged back, and so is one more alternative of the question before it on its line
            # (« … un·e élu·e ? Une personne non politisée? »), but never across the end of a cell that ends a
            # sentence
            tiny = e - s < _TINY or len(text[spans[-1][0] : spans[-1][1]]) < _TINY if spans else False
            alternative = bool(spans) and alternative_question(text[spans[-1][0] : spans[-1][1]], seg_stripped)
            if (tiny or alternative) and a > 0 and a not in cell_ends:
                spans[-1] = (spans[-1][0], e)
            else:
                spans.append((s, e))
    return spans


def whole_sentence_pieces(text: str, splitter: RecursiveCharacterTextSplitter) -> list[tuple[int, int]]:
    """The splitter's pieces of ``text`` widened to whole sentences: a piece starts where a sentence starts
    and ends where one ends (within ``SENTENCE_REACH`` characters), so no passage opens or closes mid-sentence;
    then a table's caption moves to the piece of its table (:func:`_captions_forward`). A piece equal to, or part
    of, another one is dropped."""
    bounds = split_sentences(text)
    starts = [a for a, _ in bounds]
    pieces: list[tuple[int, int]] = []
    for piece in splitter.create_documents([text]):
        a = int(piece.metadata["start_index"])
        b = a + len(piece.page_content)
        if a not in starts:
            a = max((s for s in starts if s <= a), default=a)
        end = next((e for s, e in bounds if s < b <= e), b)
        if end - b <= SENTENCE_REACH:
            b = end
        pieces.append((a, b))
    # a piece cut before its caption, or after a title, may now lie inside another one
    moved = _titles_forward(text, _captions_forward(text, pieces))
    kept: list[tuple[int, int]] = []
    for i, (a, b) in enumerate(moved):
        inside = any(x <= a and b <= y and ((x, y) != (a, b) or j < i) for j, (x, y) in enumerate(moved) if j != i)
        if not inside:
            kept.append((a, b))
    return kept


TITLE_LENGTH = 150  # characters: a longer line standing alone is prose, not a title or a caption
_TITLE_END = re.compile(r"[.!?…;:,]\W*$|https?://|\d\s*$")  # a sentence's end, an address, a page number


def _stray_title(paragraph: str) -> bool:
    """A title or caption standing alone: one short line that is not a sentence, an item, a table row or a
    note (« Exemples de modalités d'engagement selon leur niveau d'intensité (partie 1/2) »)."""
    line = paragraph.strip()
    return (
        0 < len(line) <= TITLE_LENGTH
        and "\n" not in line
        and CELL_SEPARATOR not in line
        and not BULLET.match(line)
        and not footnote_label().match(line)
        and not _TITLE_END.search(line)
    )


def _captions_forward(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A piece does not end on the caption of the table that follows it, in a paragraph of its own: the caption
    goes with the table (« Exemples de modalités d'engagement selon leur niveau d'intensité (partie 1/2) », not
    under the notes before it); a piece that is only that caption is dropped."""
    moved = list(pieces)
    for i in range(len(moved) - 1):
        a, b = moved[i]
        cut = max(text.rfind("\n\n", a, b), a)
        after = text[b:].lstrip("\n")
        if not _stray_title(text[cut:b]) or CELL_SEPARATOR not in after.split("\n", 1)[0]:
            continue
        caption = cut + len(text[cut:b]) - len(text[cut:b].lstrip())
        moved[i] = (a, len(text[:cut].rstrip()))
        moved[i + 1] = (min(moved[i + 1][0], caption), moved[i + 1][1])
    return [(a, b) for a, b in moved if b > a]


def _titles_forward(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A piece that is only titles (paragraphs that are each a title standing alone, :func:`_stray_title`, maybe
    marked with an arrow: « → Une expérimentation est en cours sur le financement de structures d'exercice coordonné
    participatives ») goes with the piece after it, whose text it heads: alone, it would be quoted as a sentence.
    Read from the last piece back, so that titles stacked in two pieces go together with the text."""
    moved = list(pieces)
    for i in reversed(range(len(moved) - 1)):
        a, b = moved[i]
        paragraphs = [p.strip().lstrip(ARROWS) for p in text[a:b].split("\n\n") if p.strip()]
        if paragraphs and all(_stray_title(p) for p in paragraphs):
            moved[i + 1] = (min(moved[i + 1][0], a), moved[i + 1][1])
    return moved


def _sentence(chunk_id: str, text: str, start: int, end: int, tables: Tables) -> Sentence:
    """A sentence of a passage; in a table row, with the name of its cell's column (:class:`Tables`)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    label = tables.label(line, start - line_start, end - line_start, line_start == 0, line_end < 0)
    return Sentence(chunk_id, start, end, text[start:end], label, line in tables.headers)


def chunk_document(
    info: DocumentInfo, doc: StructuredDocument, chunk_size: int, chunk_overlap: int
) -> tuple[list[Chunk], list[Sentence]]:
    """Passages of ``doc`` (each inside one section) and the sentences of every passage."""
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
        keep_separator="end",
        add_start_index=True,
        strip_whitespace=True,
    )
    chunks: list[Chunk] = []
    sentences: list[Sentence] = []
    header_doc = info.short_title or info.title
    for unit in _units(doc):
        unit_start, unit_end = unit.blocks[0].start, unit.blocks[-1].end
        unit_text = doc.text[unit_start:unit_end]
        if len(unit_text.strip()) < 3:
            continue
        fiche, fiche_title = 0, ""
        for ref in unit.path:
            if found := fiche_of(ref.title):
                fiche, fiche_title = found
        labels = [section_label(r) for r in unit.path]
        section_number = _section_number(unit.path)
        page, page_end, page_source = _unit_page(doc, unit)
        titles = [ref.title for ref in unit.path]
        for piece_start, piece_end in whole_sentence_pieces(unit_text, splitter):
            text = unit_text[piece_start:piece_end]
            start = unit_start + piece_start
            end = start + len(text)
            block_pages = [b.page for b in unit.blocks if b.start < end and b.end > start and b.page]
            first_page = block_pages[0] if block_pages else page
            last_page = block_pages[-1] if block_pages else page_end
            digest = hashlib.sha256(f"{info.doc_id}|{section_number}|{start}|{text}".encode()).hexdigest()
            chunk = Chunk(
                chunk_id=f"{info.doc_id}-{digest[:12]}",
                doc_id=info.doc_id,
                file=info.file,
                doc_title=info.title,
                publisher=info.publisher,
                kind=info.kind,
                authority=info.authority,
                section_path=" > ".join(labels),
                section_number=section_number,
                section_title=unit.path[-1].title if unit.path else "",
                fiche=fiche,
                fiche_title=fiche_title,
                page=first_page or 0,
                page_end=last_page or 0,
                page_source="pdf" if block_pages else page_source,
                char_start=start,
                char_end=end,
                text=text,
                embed_text=f"{header_doc} — {' > '.join(labels)}\n\n{text}" if labels else f"{header_doc}\n\n{text}",
                position=len(chunks),
                role=classify(titles, text, document_title=info.title),
            )
            chunks.append(chunk)
            sentences.extend(_sentence(chunk.chunk_id, text, s, e, doc.tables) for s, e in split_sentences(text))
    return chunks, sentences


def _unit_page(doc: StructuredDocument, unit: _Unit) -> tuple[int, int, str]:
    """The pages of a section from the table of contents: those it runs over when it is listed there (§ 1.3 from its
    page to the next entry's: a quote of its second page was cited « p. 9 », where it starts); else those its
    deepest listed ancestor runs over (:meth:`StructuredDocument.toc_pages`: § 6.1.5, not listed, somewhere in fiche
    1's pages 25 to 30, not on « p. 25 », where the fiche starts)."""
    for depth, ref in enumerate(reversed(unit.path)):
        pages = doc.toc_pages(ref.number, ref.title, whole=depth > 0)  # its own text ends where the next entry starts
        if pages and pages[0]:
            return pages[0], pages[1], "toc"
    return 0, 0, ""
