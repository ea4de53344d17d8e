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
from dataclasses import dataclass, field, replace
from itertools import groupby, pairwise

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
    """The blocks in order: lead, paragraph, part heading, notice; consecutive list items in one list."""
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


def reveal_steps(answer: Answer, steps: int) -> list[list[Block]]:
    """Growing prefixes of the answer's blocks, cut between words, for a streamed display; the last one
    is every block. A span's markers appear once its words are all shown."""
    total = sum(len(span.text.split()) for block in answer.blocks for span in block.spans)
    if total <= 1 or steps <= 1:
        return [list(answer.blocks)]
    prefixes: list[list[Block]] = []
    for k in range(1, steps):
        budget = -(-total * k // steps)
        prefix: list[Block] = []
        for block in answer.blocks:
            spans: list[Span] = []
            for span in block.spans:
                count = len(span.text.split())
                if budget >= count:
                    spans.append(span)
                    budget -= count
                else:
                    if budget > 0:
                        spans.append(replace(span, text=" ".join(span.text.split()[:budget]), markers=()))
                    budget = 0
                    break
            if spans:
                prefix.append(Block(block.kind, tuple(spans)))
            if budget == 0:
                break
        prefixes.append(prefix)
    return [*prefixes, list(answer.blocks)]


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


def conversation_html(turns: Sequence[Turn], partial: Sequence[Block] | None = None, status: str = "") -> str:
    """The whole conversation; the last turn may still be in progress (``partial`` blocks or a
    ``status``)."""
    if not turns:
        return WELCOME
    out = []
    for i, item in enumerate(turns):
        out.append(f'<div class="turn" data-turn="{i}"><div class="question">{esc(item.question)}</div>')
        if item.answer is not None:
            out.append(answer_html(item.answer, i) + actions_html(i, item))
        elif partial is not None:
            out.append(
                f'<div class="answer streaming">{blocks_html(partial, i, ())}'
                '<span class="cursor" aria-hidden="true">▍</span></div>'
            )
        else:
            out.append(f'<div class="answer pending"><p class="status">{esc(status or "…")}</p></div>')
        out.append("</div>")
    return '<div class="conversation">' + "\n".join(out) + "</div>"
