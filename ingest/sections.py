"""Section codes: one typed value for the stable id of a section, written once and parsed once.

The code stored on a passage (``Chunk.section_number``) is a short string; this module is the only place
that builds it or reads it back:

- ``6.6.2``: a numbered section (HAS guide); ``6.K`` in chapter 6 is fiche ressource n° K;
- ``P2-3.3.4`` / ``P2``: a numbered section inside a part, or the part itself (the mémoire);
- ``R2``: recommendation n° 2 (URPS sheet);
- ``II``: a part numbered in Roman numerals (fiche mission).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class SectionKind(StrEnum):
    NONE = "none"
    NUMBERED = "numbered"
    PART = "part"
    RECOMMENDATION = "recommendation"
    ROMAN = "roman"


_PART = re.compile(r"P(\d+)(?:-(.+))?")
_RECOMMENDATION = re.compile(r"R(\d+)")
_ROMAN = re.compile(r"[IVXLC]+")


@dataclass(frozen=True)
class SectionCode:
    """A parsed section code (see the module docstring)."""

    kind: SectionKind
    number: str = ""  # "6.6.2", "3.3.4" inside a part, "II", "2" for R2/P2
    part: int | None = None

    @classmethod
    def parse(cls, code: str) -> SectionCode:
        code = (code or "").strip()
        if not code:
            return cls(SectionKind.NONE)
        if match := _RECOMMENDATION.fullmatch(code):
            return cls(SectionKind.RECOMMENDATION, match.group(1))
        if match := _PART.fullmatch(code):
            part = int(match.group(1))
            inner = match.group(2)
            return cls(SectionKind.NUMBERED, inner, part) if inner else cls(SectionKind.PART, str(part), part)
        if _ROMAN.fullmatch(code):
            return cls(SectionKind.ROMAN, code)
        return cls(SectionKind.NUMBERED, code)

    @classmethod
    def recommendation(cls, n: int) -> SectionCode:
        return cls(SectionKind.RECOMMENDATION, str(n))

    @classmethod
    def of_part(cls, part: int, number: str = "") -> SectionCode:
        return cls(SectionKind.NUMBERED, number, part) if number else cls(SectionKind.PART, str(part), part)

    def __str__(self) -> str:
        if self.kind is SectionKind.NONE:
            return ""
        if self.kind is SectionKind.RECOMMENDATION:
            return f"R{self.number}"
        if self.kind is SectionKind.PART:
            return f"P{self.part}"
        if self.part is not None:
            return f"P{self.part}-{self.number}"
        return self.number

    @property
    def depth(self) -> int:
        """1 for ``6``, ``II``, ``R2``, ``P2``; 3 for ``6.6.2`` (and for ``P2-3.3.4``: 1 + 3 inside the part)."""
        if self.kind is SectionKind.NONE:
            return 0
        if self.kind is SectionKind.NUMBERED:
            return self.number.count(".") + 1 + (1 if self.part is not None else 0)
        return 1

    @property
    def chapter(self) -> str:
        """The top-level reference a reader may name: ``6`` for ``6.6.2``, ``2`` for ``P2-3.1``, ``II``."""
        if self.kind is SectionKind.NUMBERED:
            return str(self.part) if self.part is not None else self.number.split(".")[0]
        return self.number

    def fiche(self) -> int | None:
        """K when the code is ``6.K`` exactly (the section that is fiche ressource n° K)."""
        if self.kind is SectionKind.NUMBERED and self.part is None and (m := re.fullmatch(r"6\.(\d+)", self.number)):
            return int(m.group(1))
        return None

    def within(self, other: SectionCode) -> bool:
        """Is this section ``other`` or inside it (``6.6.2`` within ``6.6``)?"""
        mine, theirs = str(self), str(other)
        return bool(theirs) and (mine == theirs or mine.startswith(theirs + ".") or mine.startswith(theirs + "-"))


# a title's numbering as the documents write it: « 2.1.3. », « 6.8.2 », « III. », « 1) », « Partie 1 - »,
# « Recommandation n° 4 : »; a numeral is one only before a mark or a space (« Idées », « Vision » keep their I, V)
_NUMBERING = re.compile(
    r"^\s*(?:(?:(?:\d+(?:\.\d+)*|[IVX]+)(?:[.)]\s*|\s+))+|Partie\s+\d+\s*|Recommandation\s+n°\s*\d+\s*)(?:[-–—:]\s*)?",
    re.IGNORECASE,
)


def without_numbering(title: str) -> str:
    """A section's title without its numbering (:data:`_NUMBERING`), to compare it or show it alone."""
    return _NUMBERING.sub("", title)
