"""Reading the model's raw draft (model output, never our answer): its sentences, markers and list items.

The draft is what the model wrote: prose and ``- item`` lines with ``[n]`` markers after its claims,
sometimes "[1, 2]" for "[1][2]" and a "Sources" block of its own. It is read once, here, into
:class:`DraftBlock` values; the answer's blocks are built from those, never from text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer import BlockKind
from assistant.query import detect_language

MARKER = re.compile(r"\[(\d{1,3})\]")
_MARKER_LIST = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})+)\]")  # "[1, 2]" → "[1][2]"
# A "Sources" heading line and all after it (no overlapping quantifiers: linear on runs of newlines).
_SOURCES_BLOCK = re.compile(r"^[ \t]*(?:\*\*|#+)?[ \t]*sources?[ \t:*]*$.*\Z", re.IGNORECASE | re.MULTILINE | re.DOTALL)
_SPECIAL_TOKEN = re.compile(r"<\|[^|>]*\|>|</?s>|\[/?INST\]|\\u[0-9a-f]{4}|\ufffd", re.IGNORECASE)
_ITEM = re.compile(r"^\s*(?:[-*•➔]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_MARKER_RUN = r"(?:\s*\[\d{1,3}\])+"
_SENTENCE_END = re.compile(rf"(?<=[.!?;]){_MARKER_RUN}|(?<=[.!?;])(?=\s)|\n+")


@dataclass
class Claim:
    """A sentence of the draft (without its markers) and the markers it carries, as the model wrote them."""

    text: str
    markers: list[int] = field(default_factory=list)


@dataclass
class DraftBlock:
    """A paragraph or a list item of the draft, as sentences."""

    kind: BlockKind
    claims: list[Claim]


def tidy_draft(draft: str) -> str:
    """The draft with "[1, 2]" split into "[1][2]" and the model's own "Sources" block removed
    (the checked sources are the answer's citations)."""
    return _SOURCES_BLOCK.sub("", _MARKER_LIST.sub(_split_marker_list, draft)).strip()


def split_partial(text: str, token: str) -> tuple[str, str | None]:
    """A draft opening with the line ``PARTIEL : <what the passages do not give>``: the draft without
    that line, and what it says is missing (markers and emphasis dropped; ``None`` when the draft does not
    open so, or says nothing after the token)."""
    first, _, rest = text.lstrip().partition("\n")
    head = re.match(rf"^[\s*_#>]*{re.escape(token)}\b[\s*_]*[:–—-]?\s*", first, re.IGNORECASE)
    if head is None:
        return text, None
    missing = re.sub(r"\s*\[\d{1,3}\]", "", first[head.end() :]).strip(" *_")
    missing = re.sub(r"\s+", " ", missing)
    return rest.strip(), missing or None


def _split_marker_list(match: re.Match[str]) -> str:
    return "".join(f"[{n}]" for n in re.split(r"\s*[,;]\s*", match.group(1)))


def draft_markers(text: str) -> list[int]:
    """Every ``[n]`` of the draft, in order."""
    return [int(m) for m in MARKER.findall(text)]


def looks_like_garbage(text: str) -> bool:
    """Empty, mostly symbols, special tokens, a handful of words, or not French."""
    body = MARKER.sub(" ", text).strip()
    letters = sum(ch.isalpha() for ch in body)
    if letters < 20 or letters / len(body) < 0.6 or _SPECIAL_TOKEN.search(body):
        return True
    return len(re.findall(r"[^\W\d_]{2,}", body)) < 4 or detect_language(body) != "fr"


def split_claims(text: str) -> list[Claim]:
    """The sentences of ``text`` (lines are sentences), each with its markers.

    Markers written after the full stop ("… secret. [2]") belong to the sentence before them."""
    claims: list[Claim] = []
    pos = 0
    pieces: list[str] = []
    for match in _SENTENCE_END.finditer(text):
        pieces.append(text[pos : match.end()])
        pos = match.end()
    pieces.append(text[pos:])
    for piece in pieces:
        markers = [int(m) for m in MARKER.findall(piece)]
        plain = re.sub(r"\s+", " ", MARKER.sub(" ", piece)).strip()
        plain = re.sub(r"\s+([.,])(?=\s|$)", r"\1", plain).lstrip("-•*➔ ").strip()
        if not plain and markers and claims:  # a line holding only markers
            claims[-1].markers.extend(markers)
        elif plain:
            claims.append(Claim(plain, markers))
    return claims


def parse_draft(text: str) -> list[DraftBlock]:
    """The draft's paragraphs (lines separated by a blank line) and list items (``-``, ``•``, ``1.``
    lines), in order; a Markdown heading line is a paragraph of its own."""
    blocks: list[DraftBlock] = []
    prose: list[str] = []

    def flush() -> None:
        if prose and (claims := split_claims("\n".join(prose))):
            blocks.append(DraftBlock(BlockKind.PARAGRAPH, claims))
        prose.clear()

    for line in text.splitlines():
        if not line.strip():
            flush()
        elif not MARKER.sub("", line).strip(" ,;."):  # markers alone: they belong to the sentence before
            if prose:
                prose.append(line.strip())
            elif blocks:
                blocks[-1].claims[-1].markers.extend(draft_markers(line))
        elif _ITEM.match(line):
            flush()
            if claims := split_claims(_ITEM.sub("", line, count=1)):
                blocks.append(DraftBlock(BlockKind.LIST_ITEM, claims))
        elif _HEADING.match(line):
            flush()
            prose.append(_HEADING.sub("", line).strip(" *"))
            flush()
        else:
            prose.append(line.strip())
    flush()
    return blocks
