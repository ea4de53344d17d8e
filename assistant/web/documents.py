"""Cited passages, whole documents, the library, the status line and the corpus report, as HTML.

As in :mod:`assistant.web.render`, every string from a document or a file is escaped before it meets
markup; links are kept only when they are http(s) addresses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from assistant.answer import Citation
from assistant.web.render import MONTHS, esc, safe_url
from assistant.web.wording import Wording, wording
from ingest.index import DocumentStats
from ingest.structure import fiche_of


def new_window() -> str:
    """What a screen reader says after a link that opens a new window (RGAA 13.2)."""
    return f'<span class="sr-only">{esc(wording().ui("new_window"))}</span>'


_BULLET = re.compile(r"^\s*(?:-|•)\s")
_STATUS = {"new": "ajouté", "changed": "modifié", "unchanged": "inchangé", "failed": "échec"}


def french_date(value: str) -> str:
    """ "2023-06-22" → "22 juin 2023", "2022-10" → "octobre 2022"; anything else unchanged."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", (value or "").strip())
    if not match:
        return value or ""
    year, month, day = match.groups()
    if not month or not 1 <= int(month) <= 12:
        return year
    text = f"{MONTHS[int(month) - 1]} {year}"
    return f"{int(day)} {text}" if day else text


# --- the cited passage ----------------------------------------------------------------------------------
def highlighted(text: str, spans: Iterable[tuple[int, int]], first_id: str = "") -> str:
    """``text`` escaped, with the ``spans`` (start, end) wrapped in <mark> (the first one given ``first_id``)."""
    clean: list[tuple[int, int]] = []
    for start, end in sorted((max(0, int(s)), min(len(text), int(e))) for s, e in spans):
        if end <= start:
            continue
        if clean and start <= clean[-1][1]:
            clean[-1] = (clean[-1][0], max(end, clean[-1][1]))
        else:
            clean.append((start, end))
    out, last = [], 0
    for k, (start, end) in enumerate(clean):
        ident = f' id="{esc(first_id)}"' if first_id and k == 0 else ""
        out.append(esc(text[last:start]))
        out.append(f"<mark{ident}>{esc(text[start:end])}</mark>")
        last = end
    out.append(esc(text[last:]))
    return "".join(out)


def citation_html(citation: Citation, doc: DocumentStats | None) -> str:
    """The panel of a cited passage: where it comes from, the passage with the quoted sentences marked."""
    c = citation
    publisher = c.publisher or (doc.publisher if doc else "")
    date = french_date(doc.date) if doc else ""
    rows = []
    if c.fiche:
        rows.append(("Fiche ressource", f"n° {c.fiche} – {c.fiche_title}"))
    if c.section:
        rows.append(("Section", c.section.replace(" > ", " › ")))
    rows.append(("Page", str(c.page) if c.page else "non indiquée"))
    details = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    origin = " · ".join(esc(x) for x in (publisher, date) if x)
    url = safe_url(c.url)
    link = (
        f'<p class="source-link"><a href="{esc(url)}" target="_blank" rel="noopener noreferrer">'
        f"Voir la source en ligne ↗{new_window()}</a></p>"
        if url
        else ""
    )
    return (
        f'<article class="passage-card" data-n="{c.n}">'
        f'<p class="kicker">Source [{c.n}]</p>'
        f'<h2 class="doc-title">{esc(c.doc_title)}</h2>'
        + (f'<p class="origin">{origin}</p>' if origin else "")
        + f"<dl>{details}</dl>"
        f'<p class="passage-label">Passage cité (les phrases reprises dans la réponse sont surlignées) :</p>'
        f'<blockquote class="passage">{highlighted(c.passage or c.quote, c.highlights)}</blockquote>'
        f"{link}</article>"
    )


PASSAGE_PLACEHOLDER = (
    '<div class="passage-empty"><p>Cliquez sur un renvoi <span class="cite-example">[1]</span> dans une '
    "réponse pour lire ici le passage cité : document, fiche, section, page et phrases reprises.</p></div>"
)


# --- documents ------------------------------------------------------------------------------------------
def _heading_tag(level: int) -> str:
    return f"h{min(max(level, 1) + 2, 6)}"


def fiche_heading_start(doc: DocumentStats, number: int) -> int | None:
    """Where the heading of fiche ressource ``number`` starts in the document's text."""
    for heading in doc.headings:
        found = fiche_of(str(heading.get("title", "")))
        if found and found[0] == number:
            return int(heading["start"])
    return None


def _paragraph_html(text: str, offset: int, target: tuple[int, int] | None, state: dict[str, bool]) -> str:
    """One paragraph (lines of text or "- " items) with the part inside ``target`` marked."""
    rendered: list[tuple[bool, str]] = []
    position = offset
    for line in text.split("\n"):
        spans = []
        if target and target[0] < position + len(line) and target[1] > position:
            spans.append((target[0] - position, target[1] - position))
        first = "cible" if spans and not state.get("marked") else ""
        if first:
            state["marked"] = True
        stripped = line.lstrip()
        is_item = stripped.startswith(("- ", "• ", "➔"))
        rendered.append((is_item, highlighted(line, spans, first)))
        position += len(line) + 1
    if rendered and all(is_item for is_item, _ in rendered):
        items = "".join("<li>" + _BULLET.sub("", line) + "</li>" for _, line in rendered)
        return f"<ul>{items}</ul>"
    return "<p>" + "<br>".join(line for _, line in rendered) + "</p>"


def document_html(
    doc: DocumentStats,
    target: tuple[int, int] | None = None,
    anchor: int | None = None,
    words: Wording | None = None,
) -> str:
    """The whole document, with its headings and a table of contents.

    ``target`` (start, end) in ``doc.text`` is marked and scrolled to; ``anchor`` is the start of a heading
    to scroll to (a fiche)."""
    words = words or wording()
    text = doc.text
    headings = sorted((h for h in doc.headings if 0 <= int(h["start"]) < len(text)), key=lambda h: h["start"])
    out: list[str] = []
    state: dict[str, bool] = {}
    toc: list[str] = []

    def body(start: int, end: int) -> None:
        pos = start
        for chunk in re.split(r"(\n\s*\n)", text[start:end]):
            if chunk.strip() and not re.fullmatch(r"\n\s*\n", chunk):
                lead = len(chunk) - len(chunk.lstrip("\n"))
                out.append(_paragraph_html(chunk.strip("\n"), pos + lead, target, state))
            pos += len(chunk)

    body(0, int(headings[0]["start"]) if headings else len(text))
    for k, heading in enumerate(headings):
        start = int(heading["start"])
        next_start = int(headings[k + 1]["start"]) if k + 1 < len(headings) else len(text)
        line_end = text.find("\n", start)
        line_end = min(next_start, line_end if line_end != -1 else len(text))
        title = text[start:line_end].strip() or str(heading.get("title", ""))
        tag = _heading_tag(int(heading.get("level", 1)))
        ident = f"h-{k}"
        attrs = f' id="{ident}"'
        if anchor is not None and start == anchor and not state.get("marked"):
            attrs += ' data-cible="1"'
            state["marked"] = True
        page = f' <span class="page">p. {int(heading["page"])}</span>' if heading.get("page") else ""
        out.append(f'<{tag} class="doc-heading"{attrs}>{esc(title)}{page}</{tag}>')
        if int(heading.get("level", 1)) <= 2:
            level = int(heading.get("level", 1))
            toc.append(
                f'<li class="toc-{level}"><button type="button" class="toc-link" data-goto="{ident}">'
                f"{esc(title)}</button></li>"
            )
        body(line_end, next_start)
    meta = " · ".join(esc(x) for x in (doc.publisher, french_date(doc.date), words.kind(doc.kind)) if x)
    url = safe_url(doc.url)
    link = (
        f' · <a href="{esc(url)}" target="_blank" rel="noopener noreferrer">source en ligne ↗{new_window()}</a>'
        if url
        else ""
    )
    contents = (
        f'<details class="toc"><summary>{esc(words.contents(len(toc)))}</summary><ul>{"".join(toc)}</ul></details>'
        if toc
        else ""
    )
    return (
        f'<article class="document" data-doc="{esc(doc.doc_id)}">'
        f'<h2 class="doc-title">{esc(doc.title)}</h2>'
        f'<p class="origin">{meta}{link}</p>'
        f'<p class="file">Fichier : {esc(doc.file)}</p>{contents}'
        f'<div class="doc-body">{"".join(out)}</div></article>'
    )


READER_PLACEHOLDER = (
    '<div class="passage-empty"><p>Choisissez une fiche ressource ou un document dans la liste pour le lire '
    "en entier. Depuis une réponse, le bouton « Lire dans le document » ouvre le document à l'endroit du "
    "passage cité.</p></div>"
)


def library_html(
    documents: Sequence[DocumentStats], fiches: Sequence[dict[str, Any]], words: Wording | None = None
) -> str:
    """The fiches ressources and the documents of the corpus, each one a button that opens it."""
    words = words or wording()
    fiche_items = "".join(
        f'<li><button type="button" class="open-doc" data-action="open" data-doc="{esc(f.get("doc_id", ""))}" '
        f'data-number="{int(f["number"])}"><span class="num">n° {int(f["number"])}</span> {esc(f["title"])}'
        f"</button></li>"
        for f in fiches
    )
    doc_items = []
    for d in sorted(documents, key=lambda d: (not d.in_manifest, d.title.lower())):
        details = " · ".join(
            esc(x)
            for x in (
                d.publisher,
                french_date(d.date),
                words.kind(d.kind),
                f"{d.pages} pages" if d.pages else "",
                "" if d.in_manifest else "ajouté (hors manifeste)",
            )
            if x
        )
        doc_items.append(
            f'<li><button type="button" class="open-doc" data-action="open" data-doc="{esc(d.doc_id)}" '
            f'data-number=""><span class="title">{esc(d.title)}</span>'
            f'<span class="details">{details}</span></button></li>'
        )
    return (
        f'<div class="library"><h2>Les {len(fiches)} fiches ressources</h2><ol class="fiches">{fiche_items}</ol>'
        f'<h2>Les {len(documents)} documents</h2><ul class="documents">{"".join(doc_items)}</ul></div>'
    )


# --- status and corpus management -----------------------------------------------------------------------
def status_html(backend: str, offline: bool, documents: int, chunks: int, fiches: int, health: str, ok: bool) -> str:
    """The status line: active backend and the health of the index."""
    engine = (
        f"{esc(backend)} (hors ligne, sans LLM)"
        if offline
        else f"{esc(backend)} (modèle de langue, citations vérifiées)"
    )
    icon = '<span class="ok">✓</span>' if ok else '<span class="warn">⚠</span>'
    return (
        f'<div class="status-line" role="status"><span class="backend">Moteur de réponse : '
        f'<strong>{engine}</strong></span> <span class="sep">·</span> '
        f'<span class="index">Index : {documents} documents, {chunks} passages, {fiches} fiches ressources '
        f"{icon} {esc(health)}</span></div>"
    )


def ingest_report_html(rows: Sequence[dict[str, Any]], summary: str, ok: bool) -> str:
    """The result of an upload or a removal: a summary and one line per file (with the reason of failures).
    Each cell carries its column's name (``data-label``): on a phone each line is shown as a card."""
    columns = ("Fichier", "État", "Titre", "Passages", "Motif ou remarque")

    def cells(r: dict[str, Any]) -> str:
        values = (
            r.get("file", ""),
            _STATUS.get(str(r.get("status", "")), r.get("status", "")),
            r.get("title", ""),
            r.get("chunks", ""),
            r.get("reason", ""),
        )
        return "".join(f'<td data-label="{esc(c)}">{esc(v)}</td>' for c, v in zip(columns, values, strict=True))

    lines = "".join(f'<tr class="{esc(r.get("status", ""))}">{cells(r)}</tr>' for r in rows)
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in columns)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table>" if rows else ""
    role = "status" if ok else "alert"
    return f'<div class="ingest-report {"ok" if ok else "ko"}" role="{role}"><p>{esc(summary)}</p>{table}</div>'
