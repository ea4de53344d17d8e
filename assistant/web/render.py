"""The typed :class:`~assistant.answer.Answer` as HTML, chosen by block kind; never by reading its text.

Every string that comes from a question, a document or a model is escaped here (``html.escape``) before
it meets any markup; the only tags in the output are the ones written in this module, and no markup
language (Markdown…) is interpreted: ``[lien](javascript:…)`` is shown as those characters. Gradio's own
sanitizer is a second line of defence, not the first. Documents, the library and the status line are
rendered in :mod:`assistant.web.documents`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby, pairwise
from typing import Any

from assistant.answer import Answer, Block, BlockKind, Citation, Route, Span, SpanSource
from assistant.render import render_text
from assistant.web.wording import Wording, wording


def esc(text: object) -> str:
    """HTML-escape any value (quotes included), so it can only ever be displayed as text."""
    return html.escape(str(text), quote=True)


def safe_url(url: str) -> str:
    """The URL if it is an http(s) address, else "" (no ``javascript:`` or ``data:`` links)."""
    url = (url or "").strip()
    return url if re.match(r"^https?://[^\s\"'<>]+$", url, re.IGNORECASE) else ""


@dataclass
class Turn:
    """One question of the conversation, its answer (None while it is being written) and its rating."""

    question: str
    role: str | None = None
    answer: Answer | None = None
    rating: str | None = None  # "like" | "dislike"
    feedback_id: int | None = None
    history: list[str] = field(default_factory=list)
    followups: list[str] = field(default_factory=list)  # next questions offered under the answer

    def to_dict(self) -> dict[str, Any]:
        """What the browser keeps of this turn (the answer as :meth:`Answer.to_dict`)."""
        return {
            "question": self.question,
            "role": self.role,
            "answer": self.answer.to_dict() if self.answer is not None else None,
            "rating": self.rating,
            "feedback_id": self.feedback_id,
            "history": list(self.history),
            "followups": list(self.followups),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Turn:
        """A turn read back from :meth:`to_dict` (raises on a malformed one)."""
        answer, question = data.get("answer"), data["question"]
        if not isinstance(question, str):
            raise TypeError("question absente")
        rating = data.get("rating")
        feedback_id = data.get("feedback_id")
        return cls(
            question=question,
            role=str(data["role"]) if data.get("role") else None,
            answer=Answer.from_dict(answer) if isinstance(answer, dict) else None,
            rating=rating if rating in ("like", "dislike") else None,
            feedback_id=int(feedback_id) if isinstance(feedback_id, int) else None,
            history=[str(q) for q in data.get("history", ())],
            followups=[str(q) for q in data.get("followups", ())][:3],
        )


# --- the follow-up rewrite ------------------------------------------------------------------------------
def reads_as_question(text: str, words: Wording | None = None) -> bool:
    """One question, not a garbled rewrite: a single "?" at the end, no word doubled, no two determiners in
    a row ("dans notre une CPTS ? et dans une CPTS ?" is refused)."""
    words = words or wording()
    clean = " ".join((text or "").split())
    if not 8 <= len(clean) <= 400 or clean.count("?") != 1 or not clean.endswith("?"):
        return False
    tokens = re.findall(r"\w+", clean.lower())
    pairs = list(pairwise(tokens))
    return len(tokens) >= 3 and not any(a == b or (a in words.determiners and b in words.determiners) for a, b in pairs)


def followup_shown(answer: Answer, words: Wording | None = None) -> str | None:
    """The rewritten question to show under an answer: only a real condensation of a follow-up (as
    ``answer.details["condensed_question"]`` records it) that reads as a question and differs from what
    was typed."""
    condensed = answer.details.get("condensed_question")
    if not isinstance(condensed, str) or not reads_as_question(condensed, words):
        return None
    if " ".join(condensed.split()).lower() == " ".join(answer.question.split()).lower():
        return None
    return condensed.strip()


# --- blocks ---------------------------------------------------------------------------------------------
def marker_html(n: int, turn: int) -> str:
    """A citation marker: a button that opens the cited passage."""
    return (
        f'<button type="button" class="cite" data-action="cite" data-turn="{turn}" data-n="{n}" '
        f'title="Voir le passage cité [{n}]" aria-label="Voir la source {n}">[{n}]</button>'
    )


def span_html(span: Span, turn: int, numbers: set[int], words: Wording) -> str:
    """A span's words, escaped, then its markers (a marker without a citation stays as text)."""
    text = esc(span.text)
    if span.source is SpanSource.MODEL and span.supported is False:
        text = (
            f'<span class="unsupported">{text}</span> <span class="flag" role="note">'
            f'<span aria-hidden="true">⚠ </span>{esc(words.unsupported)}</span>'
        )
    markers = "".join(marker_html(n, turn) if n in numbers else esc(f"[{n}]") for n in span.markers)
    return f"{text} {markers}" if markers else text


def _spans_html(block: Block, turn: int, numbers: set[int], words: Wording) -> str:
    return " ".join(span_html(span, turn, numbers, words) for span in block.spans)


def blocks_html(blocks: Sequence[Block], turn: int, numbers: Iterable[int], words: Wording | None = None) -> str:
    """The blocks in order: lead, paragraph, part heading, notice, the heading of the passages that may not answer;
    consecutive list items in one list."""
    words = words or wording()
    numbers = set(numbers)
    out: list[str] = []
    for kind, group in groupby(blocks, key=lambda block: block.kind):
        items = [_spans_html(block, turn, numbers, words) for block in group]
        if kind is BlockKind.LIST_ITEM:
            out.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
            continue
        for item in items:
            if kind is BlockKind.LEAD:
                out.append(f'<p class="lead">{item}</p>')
            elif kind is BlockKind.PART_HEADING:
                out.append(f'<p class="part-heading"><strong>{item}</strong></p>')
            elif kind is BlockKind.FURTHER:
                out.append(f'<p class="further"><strong>{item}</strong></p>')
            elif kind is BlockKind.NOTICE:
                out.append(f'<p class="notice" role="note"><span aria-hidden="true">⚠ </span>{item}</p>')
            else:
                out.append(f"<p>{item}</p>")
    return "\n".join(out)


def notes_html(notes: Sequence[str]) -> str:
    """Remarks about the question (truncated, markup removed…), before the answer."""
    return "".join(
        f'<p class="note"><span class="note-icon" aria-hidden="true">ℹ</span> {esc(note)}</p>' for note in notes
    )


def suggestions_html(answer: Answer, turn: int, words: Wording | None = None) -> str:
    """The suggested fiches as buttons that ask about them (a list of all fiches is already a list)."""
    words = words or wording()
    if not answer.suggestions or answer.route is Route.LIST_FICHES:
        return ""
    title = words.suggestions_heading if answer.refused else words.suggestions_other
    items = "".join(
        f'<li><button type="button" class="suggestion" data-action="suggest" data-turn="{turn}" '
        f'data-number="{int(s.number)}" title="Poser une question sur cette fiche">'
        f"{esc(words.suggestion.format(number=int(s.number), title=s.title))}</button></li>"
        for s in answer.suggestions
    )
    return f'<div class="suggestions"><p class="suggestions-title">{esc(title)}</p><ul>{items}</ul></div>'


def sources_html(citations: Sequence[Citation], turn: int, words: Wording | None = None) -> str:
    """The list of sources under an answer, each one opening its passage."""
    if not citations:
        return ""
    words = words or wording()
    items = "".join(f"<li>{marker_html(c.n, turn)} {esc(c.label)}</li>" for c in citations)
    return f'<div class="sources"><p class="sources-title">{esc(words.sources_heading)}</p><ul>{items}</ul></div>'


def plain_text(answer: Answer) -> str:
    """The answer as the text renderer writes it (what "Copier" puts on the clipboard, what the API and
    the feedback store keep as text)."""
    return render_text(answer)


def answer_html(answer: Answer, turn: int, words: Wording | None = None) -> str:
    """A finished answer: notes, blocks with clickable markers, suggestions, sources, the rewritten
    follow-up when there is a sound one, and the plain text for copying."""
    words = words or wording()
    numbers = {c.n for c in answer.citations}
    followup = followup_shown(answer, words)
    meta = f'<p class="meta">{esc(words.followup.format(question=followup))}</p>' if followup else ""
    kind = "refused" if answer.refused else "answered"
    return (
        f'<div class="answer {kind}" data-turn="{turn}">{notes_html(answer.notes)}'
        f"{blocks_html(answer.blocks, turn, numbers, words)}{suggestions_html(answer, turn, words)}"
        f"{sources_html(answer.citations, turn, words)}{meta}"
        f'<pre class="plain-text" data-turn="{turn}" hidden>{esc(plain_text(answer))}</pre></div>'
    )


WELCOME = (
    '<div class="welcome"><p><strong>Bonjour !</strong> Posez une question sur l\'engagement des '
    "usagers en soins primaires (maisons de santé, centres de santé, CPTS).</p>"
    "<p>Chaque réponse cite les documents de référence : cliquez sur un renvoi comme "
    '<span class="cite-example">[1]</span> pour lire le passage cité. Si les documents ne traitent '
    "pas de la question, l'assistant le dit et propose les fiches les plus proches.</p></div>"
)


_ICON = (
    '<svg viewBox="0 0 24 24" width="15" height="15" fill="none" stroke="currentColor" stroke-width="2" '
    'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">{}</svg>'
)
ICON_COPY = _ICON.format(
    '<rect x="9" y="9" width="13" height="13" rx="2"></rect>'
    '<path d="M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1"></path>'
)
ICON_LIKE = _ICON.format(
    '<path d="M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3z'
    'M7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3"></path>'
)
ICON_DISLIKE = _ICON.format(
    '<path d="M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3z'
    'm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17"></path>'
)


def actions_html(turn: int, item: Turn) -> str:
    """The bar under a finished answer: copy, useful, not useful (and the opinion already given)."""
    liked, disliked = item.rating == "like", item.rating == "dislike"
    state = ""
    if item.rating:
        state = f'<span class="fb-state">Avis enregistré : {"utile" if liked else "pas utile"}</span>'
    return (
        f'<div class="actions">'
        f'<button type="button" class="act" data-action="copy" data-turn="{turn}" title="Copier la réponse">'
        f'{ICON_COPY}<span class="label">Copier</span></button>'
        f'<button type="button" class="act{" on" if liked else ""}" data-action="like" data-turn="{turn}" '
        f'aria-pressed="{str(liked).lower()}" title="Réponse utile">{ICON_LIKE}<span class="label">Utile</span>'
        "</button>"
        f'<button type="button" class="act{" on" if disliked else ""}" data-action="dislike" '
        f'data-turn="{turn}" aria-pressed="{str(disliked).lower()}" title="Réponse pas utile">{ICON_DISLIKE}'
        '<span class="label">Pas utile</span></button>'
        f"{state}</div>"
    )


def conversation_html(turns: Sequence[Turn], status: str = "") -> str:
    """The whole conversation; the last turn may still be in progress (its ``status`` shown instead of
    the answer)."""
    if not turns:
        return WELCOME
    out = []
    for i, item in enumerate(turns):
        out.append(f'<div class="turn" data-turn="{i}"><div class="question">{esc(item.question)}</div>')
        if item.answer is not None:
            out.append(answer_html(item.answer, i) + followups_html(i, item.followups) + actions_html(i, item))
        else:
            out.append(f'<div class="answer pending"><p class="status">{esc(status or "…")}</p></div>')
        out.append("</div>")
    return '<div class="conversation">' + "\n".join(out) + "</div>"


# --- next questions -------------------------------------------------------------------------------------
def followups_html(turn: int, followups: Sequence[str], words: Wording | None = None) -> str:
    """The next questions offered under an answer, as buttons that ask them."""
    if not followups:
        return ""
    words = words or wording()
    items = "".join(
        f'<li><button type="button" class="followup" data-action="followup" data-turn="{turn}" data-k="{k}">'
        f"{esc(text)}</button></li>"
        for k, text in enumerate(followups)
    )
    return (
        f'<div class="followups" role="group" aria-label="{esc(words.ui("followups_heading"))}">'
        f'<p class="followups-title">{esc(words.ui("followups_heading"))}</p><ul>{items}</ul></div>'
    )


# --- export ---------------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: object) -> str:
    """Text with Markdown's special characters escaped, so that it reads as written."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _block_words(block: Block) -> str:
    return " ".join(span.text + "".join(f" [{n}]" for n in span.markers) for span in block.spans)


def source_rows(citation: Citation, words: Wording) -> list[tuple[str, str]]:
    """(label, value) of where a cited passage comes from: document, fiche, section, page."""
    c = citation
    rows = [(words.ui("export_document"), c.doc_title + (f" ({c.publisher})" if c.publisher else ""))]
    if c.fiche:
        rows.append((words.ui("export_fiche"), f"n° {c.fiche} « {c.fiche_title} »"))
    if c.section:
        rows.append((words.ui("export_section"), c.section.replace(" > ", " › ")))
    rows.append((words.ui("export_page"), str(c.page) if c.page else words.ui("export_no_page")))
    return rows


def _quoted(citation: Citation) -> str:
    return citation.quote or citation.passage


def conversation_markdown(
    items: Sequence[tuple[str, Answer]], when: datetime | None = None, words: Wording | None = None
) -> str:
    """The conversation as Markdown: each question, its answer with its markers, and every source (document,
    fiche, section, page, quoted passage)."""
    words = words or wording()
    when = when or datetime.now()
    out = [f"# {md_escape(words.ui('export_title'))}", "", md_escape(words.ui("export_date").format(date=_date(when)))]
    for k, (question, answer) in enumerate(items, 1):
        out += ["", f"## {md_escape(words.ui('export_question').format(n=k))} {md_escape(question)}", ""]
        for note in answer.notes:
            out.append(f"*{md_escape(note)}*")
            out.append("")
        for block in answer.blocks:
            text = md_escape(_block_words(block))
            if block.kind is BlockKind.LIST_ITEM:
                out.append(f"- {text}")
            elif block.kind is BlockKind.PART_HEADING:
                out += ["", f"### {text}", ""]
            elif block.kind is BlockKind.FURTHER:
                out += ["", f"**{text}**", ""]
            elif block.kind is BlockKind.NOTICE:
                out += [f"> ⚠ {text}", ""]
            else:
                out += [text, ""]
        if answer.citations:
            out += ["", f"### {md_escape(words.sources_heading)}", ""]
            for c in answer.citations:
                details = " — ".join(f"{label} : {md_escape(value)}" for label, value in source_rows(c, words))
                out.append(f"{c.n}. {details}")
                url = safe_url(c.url)
                if url:
                    out.append(f"   {md_escape(words.ui('export_online'))} : <{url}>")
                if _quoted(c):
                    out.append(f"   > {md_escape(_quoted(c))}")
    return "\n".join(out).replace("\n\n\n", "\n\n").strip() + "\n"


MONTHS = (  # of a French date
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def _date(when: datetime) -> str:
    return f"{when.day} {MONTHS[when.month - 1]} {when.year} à {when:%H:%M}"


PRINT_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #111827;
  max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-top: 1px solid #9ca3af;
  padding-top: 1rem; } h3 { font-size: 1rem; }
.notice { border-left: 3px solid #92400e; padding-left: 8px; }
.sources dl { display: grid; grid-template-columns: max-content 1fr; gap: 0 10px; margin: 0; }
.sources dt { font-weight: 600; } .sources dd { margin: 0; }
.sources li { margin-bottom: 0.8rem; }
blockquote { border-left: 4px solid #0f766e; margin: 4px 0; padding: 2px 10px; background: #f3f4f6; }
.hint { color: #374151; font-size: 0.9rem; }
@media print { .hint { display: none; } h2 { break-after: avoid; } li { break-inside: avoid; } }
"""


def conversation_print_html(
    items: Sequence[tuple[str, Answer]], when: datetime | None = None, words: Wording | None = None
) -> str:
    """The conversation as a standalone, printable HTML page (save it as PDF from the browser's print
    dialogue): each question, its answer, and every source with its quoted passage. No script, no link
    but http(s) ones."""
    words = words or wording()
    when = when or datetime.now()
    title = esc(words.ui("export_title"))
    body = [
        f"<h1>{title}</h1>",
        f"<p>{esc(words.ui('export_date').format(date=_date(when)))}</p>",
        f'<p class="hint">{esc(words.ui("export_print_hint"))}</p>',
    ]
    for k, (question, answer) in enumerate(items, 1):
        body.append(f"<section><h2>{esc(words.ui('export_question').format(n=k))} {esc(question)}</h2>")
        body.append(notes_html(answer.notes))
        body.append(blocks_html(answer.blocks, k - 1, (), words))
        if answer.citations:
            body.append(f'<div class="sources"><h3>{esc(words.sources_heading)}</h3><ol>')
            for c in answer.citations:
                rows = "".join(f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>" for label, value in source_rows(c, words))
                url = safe_url(c.url)
                link = f'<p><a href="{esc(url)}">{esc(url)}</a></p>' if url else ""
                quote = f"<blockquote>{esc(_quoted(c))}</blockquote>" if _quoted(c) else ""
                body.append(f'<li value="{c.n}"><dl>{rows}</dl>{quote}{link}</li>')
            body.append("</ol></div>")
        body.append("</section>")
    return (
        f'<!doctype html>\n<html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{PRINT_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )
