"""The corpus's own questions: tables that pair practical questions with the fiches that answer them.

The HAS guide's §7.1 "Par où commencer ?" is such a table ("Comment recruter des usagers ? Qui
recruter ?" → fiches n° 5 and n° 13). Read in reading order, a row is one or more questions followed by
the fiches it names; a row that names no fiche sends its questions to none. A section is a question table
when at least two rows pair questions with fiches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ingest.cleaning import CELL_SEPARATOR

_FICHE = re.compile(r"Fiches? ressources? n°\s*(\d{1,2})(?:\s*«[^»]{0,200}»)?", re.IGNORECASE)
# a question: from a boundary (start, end of sentence, cell separator, colon, closing quote) to a "?"
_QUESTION = re.compile(r"(?:^|(?<=[.!?»—)\t\n>:]))\s*([^\W\d_][^.!?»:—\t\n<]{2,200}?\s?\?)")
GAP = 60  # characters allowed between the questions of a row, and between them and its fiches (flattened text)
_URL = re.compile(r"(?:https?://|www\.)\S+")


@dataclass(frozen=True)
class QuestionLink:
    """Practical questions of the corpus and the fiches ressources it sends them to."""

    question: str
    fiches: tuple[int, ...]
    doc_id: str
    section_number: str


def parse_rows(text: str) -> list[tuple[str, tuple[int, ...]]]:
    """(questions, fiches) rows of a question table, in reading order.

    A table row whose cells are kept (one line, cells separated by CELL_SEPARATOR) asks the questions of its
    first cell and names the fiches of the others; a row that names no fiche is kept with none (a question the
    guide answers with other resources: « Comment évaluer l'action ? »), so that it is not sent to the fiches
    of another row. Flattened text (cells lost) is read by proximity: questions close to each other, then
    fiches close to them; a question far from the next fiche (a resource's title such as "… en ville ? C'est
    possible !") belongs to no row."""
    rows: list[tuple[str, tuple[int, ...]]] = []
    flat: list[str] = []
    for line in text.split("\n"):
        first, separator, rest = line.partition(CELL_SEPARATOR)
        questions = [m.group(1).strip() for m in _QUESTION.finditer(_URL.sub("\n", first))] if separator else []
        if questions:
            fiches = tuple(dict.fromkeys(int(m.group(1)) for m in _FICHE.finditer(rest)))
            rows.append((" ".join(questions), fiches))
        elif not separator:
            flat.append(line)
    return rows if any(fiches for _, fiches in rows) else _rows_by_proximity("\n".join(flat))


def _rows_by_proximity(text: str) -> list[tuple[str, tuple[int, ...]]]:
    text = _URL.sub("\n", text)  # a link ends a cell: the question after it starts on a boundary
    events = [(m.start(1), m.end(1), "q", m.group(1).strip()) for m in _QUESTION.finditer(text)]
    events += [(m.start(), m.end(), "f", m.group(1)) for m in _FICHE.finditer(text)]
    rows: list[tuple[str, tuple[int, ...]]] = []
    questions: list[str] = []
    fiches: list[int] = []
    last_end = 0
    for start, end, kind, value in sorted(events):
        near = start - last_end <= GAP
        if kind == "q":
            if fiches:
                rows.append((" ".join(questions), tuple(dict.fromkeys(fiches))))
                questions, fiches = [], []
            elif questions and not near:
                questions = []
            questions.append(value)
            last_end = end
        elif questions and (near or not fiches) and (fiches or near):
            fiches.append(int(value))
            last_end = end
    if questions and fiches:
        rows.append((" ".join(questions), tuple(dict.fromkeys(fiches))))
    return rows


def join_passages(passages: Iterable[tuple[int, int, str]]) -> str:
    """Consecutive passages of a section, as (start, end, text) with their offsets in the document, joined
    into one text without the overlap that chunking repeats at the start of a passage (a fiche named twice
    would be paired with the questions of the next row)."""
    joined, last_end = "", None
    for start, end, text in passages:
        repeated = last_end - start if last_end is not None and start < last_end else 0
        if repeated and joined.endswith(text[:repeated]):
            joined += text[repeated:]
        else:
            joined = f"{joined}\n{text}" if joined else text
        last_end = end
    return joined


def find_question_tables(sections: Iterable[tuple[str, str, str]], min_rows: int = 2) -> list[QuestionLink]:
    """Question→fiche links of every section (doc_id, section_number, text) that is a question table."""
    links: list[QuestionLink] = []
    for doc_id, number, text in sections:
        rows = parse_rows(text)
        if sum(1 for _, fiches in rows if fiches) >= min_rows:
            links += [QuestionLink(q, f, doc_id, number) for q, f in rows]
    return links
