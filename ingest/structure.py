"""Find a document's structure: table of contents, headings, paragraphs, fiches ressources.

The result is a list of :class:`Block` over the cleaned text of the document, in reading order,
each with its page and offsets. Headings carry a level and a number (``6.8.2``, ``P2-3.1``, ``R3``,
``II``, built with :class:`ingest.sections.SectionCode`) so the chunker can build section paths. The
French heading words (sommaire, Partie, Recommandation n°, Fiche ressource n°) and how a heading is shown
are in ``ingest/data/structure.toml`` (:class:`ingest.rules.StructureRules`).

Longer than 350 lines on purpose: one pass over a document (table of contents, anchors, paragraph
groups, the stateful heading detector) whose steps share the same line list and offsets; split, each
step would need the others' private state.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ingest.cleaning import (
    BULLET,
    CELL_SEPARATOR,
    carries_name,
    continues,
    dehyphenate,
    join_broken_lines,
    normalize_chars,
    one_line,
    strip_markup,
    strip_running_lines,
    unglue,
    vocabulary,
    wrap_width,
)
from ingest.models import Block, LoadedDocument
from ingest.rules import StructureRules
from ingest.sections import SectionCode, SectionKind

_TOC_LINE = re.compile(r"^(?P<title>\S.*?\S)(?:[ \t]*[.…·_]{3,}[ \t]*|\t+|[ \t]{2,})(?P<page>\d{1,3})[ \t]*$")
_NUMBERED = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,4})(?:\.\s*|\s+)(?P<title>\S.*)$")
_ROMAN = re.compile(r"^(?P<num>I{1,3}|IV|VI{0,3}|IX|X)\s*[.)]\s*(?P<title>\S.*)$")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>\S.*?)\s*#*$")


@dataclass(frozen=True)
class TocEntry:
    number: str
    title: str
    page: int


_PART = 25  # characters at least of a row's part that a passage cut in it holds, to be found in the row


@dataclass(frozen=True)
class Tables:
    """The rows of a document's tables, as the text writes them (cells separated by CELL_SEPARATOR): the name of
    the column of each of a row's cells, aligned with them ("" for a row's own name, under an empty corner), and
    the header rows, which name columns and say nothing."""

    columns: dict[str, tuple[str, ...]]
    headers: frozenset[str]

    def label(self, line: str, start: int, end: int, opens: bool = False, closes: bool = False) -> str:
        """What the cells of ``line[start:end]`` are, when it lies in one cell of a row under a header: its
        column (« Consulter »), after the row's own name when the row has one and the span does not start with
        it (« 4- Les gouvernances — Collaboration »); "" otherwise. A passage that ``opens`` (its first line) or
        ``closes`` (its last) inside a long row holds the end or the start of one row only."""
        names = self.columns.get(line)
        if names is None and len(line) >= _PART:
            rows = [r for r in self.columns if (opens and r.endswith(line)) or (closes and r.startswith(line))]
            if len(rows) != 1:
                return ""
            shift = len(rows[0]) - len(line) if opens and rows[0].endswith(line) else 0
            line, start, end, names = rows[0], start + shift, end + shift, self.columns[rows[0]]
        if not names:
            return ""
        first = line[:start].count(CELL_SEPARATOR)
        last = first + line[start:end].count(CELL_SEPARATOR)
        named_row = not names[0]
        if named_row and first == 0:  # the row's name and its first cell, read as one sentence
            first = 1
        if first != last or first >= len(names) or not names[first]:
            return ""
        if named_row and start > 0:
            return f"{line.split(CELL_SEPARATOR, 1)[0]}{CELL_SEPARATOR}{names[first]}"
        return names[first]


@dataclass
class StructuredDocument:
    """The cleaned text, its blocks, and the table of contents when one was found."""

    text: str
    blocks: list[Block]
    toc: list[TocEntry] = field(default_factory=list)
    tables: Tables = field(default_factory=lambda: Tables({}, frozenset()))

    def toc_pages(self, number: str, title: str, whole: bool = True) -> tuple[int, int] | None:
        """The pages a section listed in the table of contents may run over: from its page to that of the next entry
        that is not one of its subsections (« 6.1. Fiche ressource n° 1 … 25 », then « 6.2. … 30 »: 25 to 30, the
        next one starting somewhere on its first page), or, for the text it holds before its subsections (not
        ``whole``), to that of the next entry (« 1. … 8 », then « 1.1. … 8 »: page 8); its own page only when it is
        the last entry."""
        entry = self._toc_entry(number, title)
        if entry is None:
            return None
        page, own = self.toc[entry].page, self.toc[entry].number
        within = whole and own  # its subsections are read over
        after = (e.page for e in self.toc[entry + 1 :] if not (within and e.number.startswith(f"{own}.")))
        return page, max(page, next(after, page))

    def _toc_entry(self, number: str, title: str) -> int | None:
        for i, entry in enumerate(self.toc):
            if number and entry.number == number:
                return i
            if not number and _fold(entry.title) == _fold(title):
                return i
        return None


def fiche_of(title: str) -> tuple[int, str] | None:
    """``(n, title)`` when a heading title names a fiche ressource."""
    match = StructureRules.load().fiche.search(title)
    if not match:
        return None
    return int(match.group("num")), match.group("title").strip()


def heading_text(code: SectionCode, title: str) -> str:
    """How a heading line reads in the cleaned text: ``6.8.2. Facilitateurs``, ``Partie 2 - Titre``,
    ``Recommandation n°2 : Titre``; a section inside a part, or without a number, shows its title only."""
    rules = StructureRules.load()
    if code.kind is SectionKind.PART:
        return rules.part_label.format(number=code.part, title=title)
    if code.kind is SectionKind.RECOMMENDATION:
        return rules.recommendation_label.format(number=code.number, title=title)
    if code.kind is SectionKind.NONE or code.part is not None:
        return title
    return rules.numbered_label.format(number=code.number, title=title)


# A recognised heading: level (-1: a repeated part title to drop), section code, title.
_Heading = tuple[int, SectionCode, str]
_NO_CODE = SectionCode(SectionKind.NONE)


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


@dataclass
class _Line:
    page: int | None
    text: str


def _split_lines(doc: LoadedDocument) -> list[_Line | None]:
    """All lines of the document, cleaned of characters and running lines; None marks a break."""
    pages = [type(p)(p.number, strip_markup(normalize_chars(p.text))) for p in doc.pages]
    if doc.page_count:
        pages = strip_running_lines(pages)
    vocab = vocabulary("\n".join(p.text for p in pages))
    lines: list[_Line | None] = []
    for page in pages:
        joined = dehyphenate(page.text, vocab)
        for raw in (unglue(joined) if doc.info.glued_words else joined).split("\n"):
            stripped = raw.strip()
            lines.append(_Line(page.number, raw.rstrip()) if stripped else None)
        lines.append(None)
    return lines


def _extract_toc(lines: list[_Line | None]) -> tuple[list[TocEntry], set[int]]:
    """Find runs of "title …… page" lines; return their entries and the indexes of the lines to drop."""
    entries: list[TocEntry] = []
    drop: set[int] = set()
    run: list[int] = []

    def close_run() -> None:
        if len(run) >= 4:
            for i in run:
                line = lines[i]
                assert line is not None
                match = _TOC_LINE.match(line.text.strip())
                assert match is not None
                head = re.sub(r"\s+", " ", match.group("title"))
                numbered = _NUMBERED.match(head)
                number, title = (numbered.group("num"), numbered.group("title")) if numbered else ("", head)
                entries.append(TocEntry(number, title.strip(), int(match.group("page"))))
                drop.add(i)
            # the "Sommaire" line just above the run
            for j in range(run[0] - 1, max(run[0] - 4, -1), -1):
                candidate = lines[j]
                if candidate is not None and StructureRules.load().toc_header.match(candidate.text):
                    drop.add(j)
                    break
        run.clear()

    gap = 0
    for i, line in enumerate(lines):
        if line is None:
            gap += 1
            if gap > 2:
                close_run()
            continue
        gap = 0
        if _TOC_LINE.match(line.text.strip()) and not _URL.search(line.text):
            run.append(i)
        else:
            close_run()
    close_run()
    return entries, drop


def _paragraph_blocks(lines: list[_Line | None], drop: set[int]) -> list[list[_Line]]:
    """Group lines into blank-line separated groups, skipping dropped lines."""
    groups: list[list[_Line]] = []
    current: list[_Line] = []
    for i, line in enumerate(lines):
        if line is None or i in drop:
            if line is None and current:
                groups.append(current)
                current = []
            continue
        current.append(line)
    if current:
        groups.append(current)
    merged: list[list[_Line]] = []
    glued = False  # the last group was glued to the one before it: a sentence runs over blank lines
    after = _words_before(lines)
    for group in groups:
        # A lone "?" left by a slide layout belongs to the title above it.
        if merged and len(group) == 1 and group[0].text.strip() in {"?", "!"}:
            last = merged[-1][-1]
            merged[-1][-1] = _Line(last.page, last.text.rstrip() + " " + group[0].text.strip())
            continue
        # Slide layouts put blank lines inside sentences: glue a group that visibly continues the last, that goes on
        # with a name cut in two in a sentence already glued (« … mandats - France » / « Assos Santé… »), or whose
        # first word the document only ever writes after the last line's (« … de France » / « Assos Santé sont… »).
        last = merged[-1][-1].text.strip() if merged else ""
        first = group[0].text.strip()
        if merged and merged[-1][-1].page == group[0].page:
            if continues(last, first) or (glued and carries_name(last)):
                merged[-1].extend(group)
                glued = True
                continue
            if carries_name(last) and _one_name(last, first, after):  # the name is one line again
                merged[-1][-1] = _Line(group[0].page, f"{last} {first}")
                merged[-1].extend(group[1:])
                glued = False  # the sentence began on the line: no further name is glued on the strength of it
                continue
        merged.append(group)
        glued = False
    return merged


_WORD = re.compile(r"[\w'’-]+")
_FIRST_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’-]*")


@dataclass
class _Neighbours:
    """For each word of a document, how often it follows each word (over line breaks), and the pairs it writes at
    least once without a blank line between them."""

    before: dict[str, Counter[str]] = field(default_factory=dict)
    unbroken: set[tuple[str, str]] = field(default_factory=set)


def _words_before(lines: Iterable[_Line | None]) -> _Neighbours:
    """The words each word of a document follows (:class:`_Neighbours`)."""
    found = _Neighbours()
    previous, blank = "", False
    for line in lines:
        if line is None:
            blank = True
            continue
        for word in _WORD.findall(line.text):
            found.before.setdefault(word, Counter())[previous] += 1
            if not blank:
                found.unbroken.add((previous, word))
            previous, blank = word, False
    return found


def _one_name(last: str, first: str, words: _Neighbours) -> bool:
    """Whether a line ending on a capitalised word and the next group's first word are one name a blank line cut
    (« Les délégations régionales de France » / « Assos Santé sont disponibles… »): the document writes that word
    twice or more, always after this one, and once at least without a blank line between them (« … entre France » /
    « Assos Santé, … »; a slide repeated twice does not make its title a name). Not after a list item's line (« ●
    Profession » / « Date : ») nor a numbered heading (« 2.1 Les délégations… »)."""
    opening = _FIRST_NAME_WORD.match(first)
    end = _WORD.findall(last)
    if opening is None or not end or BULLET.match(last) or _NUMBERED.match(last) or _ROMAN.match(last):
        return False
    word = opening.group()
    follows = words.before.get(word, Counter())
    return set(follows) == {end[-1]} and follows.total() >= 2 and (end[-1], word) in words.unbroken


class _HeadingDetector:
    """Stateful recogniser of headings: numbered sections follow each other in sequence."""

    def __init__(self, toc: list[TocEntry], standalone_titles: bool, numbered_sections: bool) -> None:
        self.numbered_sections = numbered_sections
        self.toc_numbers = {e.number: e for e in toc if e.number}
        self.toc_titles = {_fold(e.title) for e in toc if not e.number}
        self.standalone_titles = standalone_titles
        self.numbers: tuple[int, ...] = ()
        self.part: int | None = None  # inside "Partie N": sections are coded P{N}-…
        self.in_roman = False
        self.in_back_matter = False  # after "Annexe N", "Bibliographie": title-like lines nest below it
        self.seen_roman: set[str] = set()

    def _is_successor(self, candidate: tuple[int, ...]) -> bool:
        current = self.numbers
        if not current:
            return all(n == 1 for n in candidate[1:]) and candidate[0] <= 2
        for depth in range(len(current)):
            if candidate[:depth] != current[:depth] or len(candidate) <= depth:
                continue
            step = candidate[depth] - current[depth]
            if 1 <= step <= 3 and all(n == 1 for n in candidate[depth + 1 :]):
                return True
        return (
            candidate[: len(current)] == current
            and all(n == 1 for n in candidate[len(current) :])
            and (len(candidate) > len(current))
        )

    def numbered(self, text: str) -> _Heading | None:
        match = _NUMBERED.match(text)
        if not match:
            return None
        title = match.group("title").strip()
        if not _title_like(title, max_len=220):
            return None
        number = match.group("num")
        candidate = tuple(int(n) for n in number.split("."))
        if len(candidate) == 1 and not re.match(r"^\d{1,2}\.", text):
            return None
        toc_entry = self.toc_numbers.get(number) if self.part is None else None
        if toc_entry is not None and _fold(toc_entry.title)[:25] != _fold(title)[:25]:
            toc_entry = None
        # a fiche ressource title is a heading whatever the numbering before it (excerpts skip sections)
        if toc_entry is None and not self._is_successor(candidate) and not StructureRules.load().fiche.search(title):
            return None
        self.numbers = candidate
        level = len(candidate) + (1 if self.part is not None else 0)
        return level, SectionCode(SectionKind.NUMBERED, number, self.part), title

    def classify(self, text: str) -> _Heading | None:
        """(level, code, title) when ``text`` is a heading line, else None."""
        rules = StructureRules.load()
        text = re.sub(r"\s+", " ", text).strip()
        if match := _MD_HEADING.match(text):
            title = match.group("title").strip()
            inner = self.classify(title)  # "# 6.1. Fiche ressource n° 1 – …" keeps its number
            return inner if inner and inner[0] > 0 else (len(match.group("hashes")), _NO_CODE, title)
        if match := rules.part.match(text):
            self.part = int(match.group("num"))
            self.numbers = ()
            return 1, SectionCode.of_part(self.part), match.group("title").strip()
        if (match := rules.back_matter.match(text)) or (self.in_back_matter and rules.closing_summary.match(text)):
            self.part, self.numbers, self.in_roman, self.in_back_matter = None, (), False, True
            return 1, _NO_CODE, text
        if match := rules.recommendation.match(text):
            return 1, SectionCode.recommendation(int(match.group("num"))), match.group("title").strip() or text
        if match := _ROMAN.match(text):
            number = match.group("num")
            if _title_like(match.group("title"), max_len=120, allow_colon=True):
                self.in_roman = True
                code = SectionCode(SectionKind.ROMAN, number)
                if number in self.seen_roman:
                    return -1, code, ""  # a part title repeated on a later slide: not a new section
                self.seen_roman.add(number)
                return 1, code, match.group("title").strip()
        if self.numbered_sections and (result := self.numbered(text)):
            return result
        if self.toc_titles and _fold(text) in self.toc_titles:
            return 1, _NO_CODE, text
        return None

    def standalone(self, text: str, in_numbered_list: bool = False) -> _Heading | None:
        """A short title-like paragraph of its own (slides, advice sheets), not an item of a numbered list (a line
        that opens on a list number, beside another such line: ``in_numbered_list``)."""
        if not self.standalone_titles or not _title_like(text, max_len=110, min_len=6):
            return None
        if in_numbered_list and StructureRules.load().list_number.match(text):
            return None
        if len(re.findall(r"[^\W\d_]{2,}", text)) < 2:
            return None
        return (2 if self.in_roman or self.in_back_matter else 1), _NO_CODE, text


def _title_like(title: str, max_len: int, min_len: int = 2, allow_colon: bool = False) -> bool:
    title = title.strip()
    if not (min_len <= len(title) <= max_len) or _URL.search(title):
        return False
    first = title[0]
    if not (first.isupper() or title.startswith(("...", "…")) or first.isdigit() or first in "«\"'"):
        return False
    ends = (".", ",", ";") if allow_colon else (".", ",", ";", ":")
    return not title.endswith(ends) or title.endswith("...")


TABLE_HEADER_CELL = 80  # characters at most of a cell of a table's header row


def _header(cells: list[str]) -> bool:
    """A table's first row names its columns (short cells, none ending a sentence) when the table is wide enough
    for a cell's column not to go without saying: three columns or more (« Frein — Levier » reads as it is)."""
    named = [c for c in cells if c]
    short = all(len(c) <= TABLE_HEADER_CELL and not c.endswith((".", ";", ":", "?")) for c in named)
    return len(cells) >= 3 and len(named) >= 2 and short


def _read_tables(lines: list[_Line | None], drop: set[int]) -> Tables:
    """Table rows (tab-separated cells): one line each, cells separated by CELL_SEPARATOR, as written. Under a
    header row, the name of each cell's column is kept aside (:class:`Tables`): a quoted cell can say what it is
    (« Consulter : Obtenir les avis… ») without the passage, searched as written, changing."""

    def cells_at(i: int) -> list[str] | None:
        line = lines[i] if 0 <= i < len(lines) else None
        if line is None or i in drop or "\t" not in line.text.strip():
            return None
        return [c.strip() for c in line.text.split("\t")]

    columns: dict[str, tuple[str, ...]] = {}
    headers: set[str] = set()
    header: list[str] = []
    for i, line in enumerate(lines):
        cells = cells_at(i)
        if line is None or cells is None:
            header = []
            continue
        kept = [j for j, cell in enumerate(cells) if cell]
        text = CELL_SEPARATOR.join(cells[j] for j in kept)
        lines[i] = _Line(line.page, text)
        written = one_line(text)  # as the passage will hold it (join_broken_lines)
        if not header and _header(cells) and cells_at(i + 1) is not None:
            header = cells
            headers.add(written)
        elif header:  # a header one cell short of its rows leaves their first cell, the row's name, unnamed
            named = [""] * (len(cells) - len(header)) + header if len(cells) == len(header) + 1 else header
            if len(cells) <= len(named):
                columns[written] = tuple(named[j] for j in kept)
    return Tables(columns, frozenset(headers))


def structure_document(doc: LoadedDocument) -> StructuredDocument:
    """Clean the document and split it into heading and paragraph blocks with offsets and pages."""
    lines = _split_lines(doc)
    toc, drop = _extract_toc(lines)
    tables = _read_tables(lines, drop)
    _apply_anchors(lines, doc, drop)
    groups = _paragraph_blocks(lines, drop)
    width = wrap_width([ln.text for ln in lines if ln is not None])
    # Documents without multi-level numbering (slides, sheets) number lists, not sections.
    multilevel = sum(1 for g in groups for ln in g if re.match(r"^\s*\d{1,2}\.\d{1,2}\.?\s+\S", ln.text))
    numbered = multilevel >= 2
    detector = _HeadingDetector(
        toc, standalone_titles=not numbered or _has_recommendations(groups), numbered_sections=numbered
    )
    if detector.standalone_titles:
        groups = [part for group in groups for part in _question_title_apart(group)]
    blocks: list[Block] = []
    parts: list[str] = []
    offset = 0

    def emit(
        kind: str, text: str, page: int | None, level: int = 0, code: SectionCode = _NO_CODE, title: str = ""
    ) -> None:
        nonlocal offset
        if parts:
            offset += 2
        blocks.append(Block(kind, text, page, offset, offset + len(text), level, str(code), title))
        parts.append(text)
        offset += len(text)

    rules = StructureRules.load()
    numbered_lines = [bool(group) and bool(rules.list_number.match(group[0].text)) for group in groups]
    listing = False  # after a list's introduction (« Ils peuvent : »), short lines of their own are its items
    for g, group in enumerate(groups):
        body: list[_Line] = []

        def flush(body: list[_Line] = body) -> None:
            if body:
                text = "\n".join(join_broken_lines([ln.text for ln in body], width))
                if text:
                    emit("paragraph", text, body[0].page)
                body.clear()

        i = 0
        while i < len(group):
            line = group[i]
            anchored = getattr(line, "anchor", None)
            if anchored and anchored[1].kind is not SectionKind.NONE:
                detector.seen_roman.add(anchored[1].number)
                detector.in_roman = True
            heading = anchored or detector.classify(line.text)
            if heading is None:
                body.append(line)
                i += 1
                continue
            flush()
            level, code, title = heading
            i += 1
            if level < 0:
                continue
            # a heading wrapped on the next line(s): lowercase continuation
            while i < len(group) and _continues_title(title, group[i].text):
                title = f"{title} {group[i].text.strip()}"
                i += 1
            emit("heading", heading_text(code, title), line.page, level, code, title)
        joined = join_broken_lines([ln.text for ln in body], width) if len(body) == len(group) else []
        beside = (g > 0 and numbered_lines[g - 1]) or (g + 1 < len(groups) and numbered_lines[g + 1])
        heading = detector.standalone(joined[0], beside) if len(joined) == 1 else None
        if heading is not None and not listing:
            body.clear()
            level, code, title = heading
            emit("heading", title, group[0].page, level, code, title)
        listing = bool(body) and (heading is not None or bool(rules.list_introduction.search(body[-1].text)))
        flush()
    return StructuredDocument("\n\n".join(parts), _with_bodies(blocks), toc, tables)


def _question_title_apart(group: list[_Line]) -> list[list[_Line]]:
    """A slide's title that asks a question, the last line of a paragraph whose line before it ends on a web address
    (« …/associations-agreees/ » then « Une CPTS, c'est quoi ? »: the slide before's footer, a link, and the next
    slide's title, with no blank line between them), stands apart: the title of what follows, not the end of that
    paragraph. After a sentence, a question ends its paragraph (« … en 2022. Mais qu'en est-il des autres ? », the last
    of a list of questions)."""
    if len(group) < 2:
        return [group]
    last, before = group[-1].text.strip(), group[-2].text.strip()
    linked = bool(before.split()) and bool(_URL.search(before.split()[-1]))
    if linked and last.endswith("?") and _title_like(last, max_len=110, min_len=6):
        return [group[:-1], group[-1:]]
    return [group]


def _with_bodies(blocks: list[Block]) -> list[Block]:
    """No title without a section: a title of its own (no section number) that another such title follows at once, at
    its level, is one heading with it, title then subtitle (the advice sheet's « Typologie d'implication des usagers —
    Objectif de la participation des usagers » over its table), unless the second asks a question (a slide's title after
    an empty slide's: « Quelle est la place des usagers… ? » then « Qu'est-ce que la santé communautaire ? »). A title
    that a question, a numbered heading, a heading above it or the end follows at once is a line of the text before
    it. No line of the document is left out of its passages."""
    pending, kept = list(blocks), []
    for i, block in enumerate(pending):
        nxt = pending[i + 1] if i + 1 < len(pending) else None
        empty = nxt is None or (nxt.kind == "heading" and nxt.level <= block.level)
        if block.kind == "heading" and not block.number and empty:
            if nxt is not None and not nxt.number and nxt.level == block.level and not nxt.text.rstrip().endswith("?"):
                title, text = f"{block.title} — {nxt.title}", f"{block.text} — {nxt.text}"
                pending[i + 1] = replace(nxt, text=text, start=block.start, title=title)  # title, then subtitle
                continue
            block = replace(block, kind="paragraph", level=0, title="")
        kept.append(block)
    return kept


def _continues_title(title: str, nxt: str) -> bool:
    nxt = nxt.strip()
    if not nxt or len(nxt) > 100 or title.endswith(("?", "!", ".")):
        return False
    return nxt[0].islower()


def _has_recommendations(groups: list[list[_Line]]) -> bool:
    recommendation = StructureRules.load().recommendation
    return any(recommendation.match(ln.text.strip()) for g in groups for ln in g)


def _apply_anchors(lines: list[_Line | None], doc: LoadedDocument, drop: set[int]) -> None:
    """Turn the manifest's anchors into headings (for layouts that misplace their titles), each on the first line
    it names that is not already left out of the text (``drop``: the lines an anchor before it replaced, so that a
    title a document repeats takes one anchor each time, and those of the table of contents)."""
    for prefix, heading, replaced in doc.info.anchors:
        norm_prefix = re.sub(r"\s+", " ", strip_markup(normalize_chars(prefix))).strip()  # as the lines are cleaned
        for i, line in enumerate(lines):
            if line is None or i in drop or not re.sub(r"\s+", " ", line.text).strip().startswith(norm_prefix):
                continue
            match = _ROMAN.match(heading)
            code = SectionCode(SectionKind.ROMAN, match.group("num")) if match else _NO_CODE
            anchor_line = _AnchorLine(line.page, heading)
            anchor_line.anchor = (1, code, match.group("title") if match else heading)
            j, removed = i, 0
            while removed < replaced and j < len(lines):
                if lines[j] is not None:
                    drop.add(j)
                    removed += 1
                j += 1
            # insert the heading as its own line just before the anchored text
            lines.insert(i, anchor_line)
            shifted = {k + 1 if k >= i else k for k in drop}
            drop.clear()
            drop.update(shifted)
            break


class _AnchorLine(_Line):
    anchor: _Heading | None = None
