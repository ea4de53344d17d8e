"""The typed ``Answer`` as text (CLI, evaluation, LLM judge, "Copier"): the one text renderer.

Layout: the notes as "> " lines, then the blocks (a blank line before each lead, part heading, notice or the heading
of the passages that may not answer, none between a lead and the list heading under it; list items as "- " lines;
every span followed by its [n] markers), the closest fiches of a refusal, then the sources. Every fixed word comes from
``prompts/extractive.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from assistant.answer import Answer, Block, BlockKind, Span
from assistant.prompts import load_phrases
from assistant.rules import default_settings

_OPENS_SECTION = {BlockKind.LEAD, BlockKind.PART_HEADING, BlockKind.NOTICE, BlockKind.FURTHER}


@lru_cache(maxsize=1)
def default_phrases() -> MappingProxyType[str, str]:
    """The shipped fixed words, read once (a caller with other prompts passes its own phrases)."""
    return MappingProxyType(load_phrases(default_settings().prompts_dir, "extractive"))


def _span(span: Span) -> str:
    return span.text + "".join(f" [{m}]" for m in span.markers)


def _block(block: Block) -> str:
    line = " ".join(_span(span) for span in block.spans)
    return f"- {line}" if block.kind is BlockKind.LIST_ITEM else line


def render_blocks(blocks: list[Block]) -> str:
    """The blocks alone, as text."""
    lines: list[str] = []
    for before, block in zip([None, *blocks], blocks, strict=False):
        # a lead followed by a list's heading is one heading: no blank line between them
        stacked = before is not None and before.kind is block.kind is BlockKind.LEAD
        if lines and block.kind in _OPENS_SECTION and not stacked:
            lines.append("")
        lines.append(_block(block))
    return "\n".join(lines)


def render_body(answer: Answer) -> str:
    """What the answer says, without notes or sources (scored by the evaluation)."""
    return render_blocks(answer.blocks)


def render_sources(answer: Answer, phrases: Mapping[str, str] | None = None) -> str:
    """The sources block ("Sources" then one "[n] label" line per citation), or "" without citations."""
    if not answer.citations:
        return ""
    phrases = phrases or default_phrases()
    return "\n".join([phrases["sources_heading"], *(f"[{c.n}] {c.label}" for c in answer.citations)])


def render_text(answer: Answer, phrases: Mapping[str, str] | None = None, sources: bool = True) -> str:
    """The whole answer as plain text (Markdown-compatible); ``sources=False`` leaves out the sources."""
    phrases = phrases or default_phrases()
    parts: list[str] = []
    if answer.notes:
        parts.append("\n".join(f"> {note}" for note in answer.notes))
    if answer.blocks:
        parts.append(render_blocks(answer.blocks))
    if answer.suggestions:
        item = phrases["suggestion_item"]
        items = "\n".join("- " + item.format(number=s.number, title=s.title) for s in answer.suggestions)
        parts.append(f"{phrases['refusal_fiches']}\n{items}")
    if sources and (block := render_sources(answer, phrases)):
        parts.append(block)
    return "\n\n".join(parts)
