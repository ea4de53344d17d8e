"""French rules of ingestion, read from ``ingest/data/*.toml``: small typed values, compiled once, cached.

- :class:`StructureRules` (``structure.toml``): the heading patterns (sommaire, Partie, Recommandation
  n°, Fiche ressource n°) and how a numbered heading is shown;
- :class:`CleaningRules` (``cleaning.toml``): words after which a line cannot end, page-number lines,
  ordinal suffixes;
- :class:`LexicalRules` (``lexical.toml``): elisions and stop words of the French analyzer.

The helpers (:func:`read_rules`, :func:`words`, :func:`pattern`) are shared with ``assistant/rules.py``.
A malformed file raises :class:`RulesError`, whose message names the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"


class RulesError(ValueError):
    """A rules file is missing, is not TOML, or lacks a key / holds a wrong value."""


def read_rules(path: Path) -> dict[str, Any]:
    """The parsed TOML file, or :class:`RulesError`."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"fichier de règles illisible ({path}) : {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"fichier de règles mal formé ({path.name}) : {exc}") from exc


def value(data: dict[str, Any], key: str, path: Path) -> Any:
    """``data[a][b]`` for ``key="a.b"``, or :class:`RulesError` naming the file and the key."""
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise RulesError(f"{path.name} : clé « {key} » manquante")
        node = node[part]
    return node


def words(data: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    """A non-empty list of non-empty strings, in file order."""
    items = value(data, key, path)
    if not isinstance(items, list) or not items or not all(isinstance(w, str) and w for w in items):
        raise RulesError(f"{path.name} : « {key} » doit être une liste non vide de chaînes")
    return tuple(items)


def text(data: dict[str, Any], key: str, path: Path) -> str:
    """A non-empty string."""
    item = value(data, key, path)
    if not isinstance(item, str) or not item:
        raise RulesError(f"{path.name} : « {key} » doit être une chaîne non vide")
    return item


def share(data: dict[str, Any], key: str, path: Path) -> float:
    """A number between 0 and 1."""
    item = value(data, key, path)
    if isinstance(item, bool) or not isinstance(item, int | float) or not 0 <= item <= 1:
        raise RulesError(f"{path.name} : « {key} » doit être un nombre entre 0 et 1")
    return float(item)


def count(data: dict[str, Any], key: str, path: Path) -> int:
    """A whole number ≥ 0."""
    item = value(data, key, path)
    if isinstance(item, bool) or not isinstance(item, int) or item < 0:
        raise RulesError(f"{path.name} : « {key} » doit être un entier positif ou nul")
    return item


def alternatives(items: tuple[str, ...], escape: bool = False) -> str:
    """``a|b|c`` from patterns (or from literal words when ``escape``), in order."""
    return "|".join(re.escape(item) if escape else item for item in items)


def compile_pattern(
    source: str, key: str, path: Path, flags: int = re.IGNORECASE, groups: tuple[str, ...] = ()
) -> re.Pattern[str]:
    """Compile ``source``; :class:`RulesError` when it is not a regex or lacks a named group."""
    try:
        compiled = re.compile(source, flags)
    except re.error as exc:
        raise RulesError(f"{path.name} : « {key} » n'est pas une expression régulière valide : {exc}") from exc
    missing = [g for g in groups if g not in compiled.groupindex]
    if missing:
        raise RulesError(f"{path.name} : « {key} » doit avoir les groupes nommés {', '.join(missing)}")
    return compiled


def pattern(
    data: dict[str, Any], key: str, path: Path, flags: int = re.IGNORECASE, groups: tuple[str, ...] = ()
) -> re.Pattern[str]:
    """The patterns listed under ``key`` (a string or a list of alternatives), compiled as one."""
    item = value(data, key, path)
    source = item if isinstance(item, str) else alternatives(words(data, key, path))
    if not isinstance(source, str) or not source:
        raise RulesError(f"{path.name} : « {key} » doit être un motif ou une liste de motifs")
    return compile_pattern(source, key, path, flags, groups)


@dataclass(frozen=True)
class StructureRules:
    """Heading patterns of the documents and how numbered headings are shown (``structure.toml``)."""

    toc_header: re.Pattern[str]
    part: re.Pattern[str]  # groups num, title
    recommendation: re.Pattern[str]  # groups num, title
    fiche: re.Pattern[str]  # groups num, title
    back_matter: re.Pattern[str]  # groups num, title (the whole heading)
    closing_summary: re.Pattern[str]  # a heading only once the back matter has begun (the whole line)
    list_number: re.Pattern[str]  # a numbered list item's opening (« 4. »): no title in a text without sections
    list_introduction: re.Pattern[str]  # a line that introduces a list (« Ils peuvent : »)
    numbered_label: str  # "{number}. {title}"
    part_label: str  # "Partie {number} - {title}"
    recommendation_label: str  # "Recommandation n°{number} : {title}"

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path = DATA_DIR / "structure.toml") -> StructureRules:
        data = read_rules(path)
        heading = ("num", "title")
        labels = [text(data, f"labels.{k}", path) for k in ("numbered", "part", "recommendation")]
        for key, label in zip(("numbered", "part", "recommendation"), labels, strict=True):
            try:
                label.format(number="1", title="t")
            except (KeyError, IndexError, ValueError) as exc:
                raise RulesError(f"{path.name} : « labels.{key} » n'accepte que {{number}} et {{title}}") from exc
        return cls(
            pattern(data, "headings.toc_header", path),
            pattern(data, "headings.part", path, groups=heading),
            pattern(data, "headings.recommendation", path, groups=heading),
            pattern(data, "headings.fiche", path, groups=heading),
            pattern(data, "headings.back_matter", path, groups=heading),
            pattern(data, "headings.closing_summary", path),
            pattern(data, "headings.list_number", path),
            pattern(data, "headings.list_introduction", path),
            *labels,
        )


@dataclass(frozen=True)
class CleaningRules:
    """French words and patterns of the text clean-up (``cleaning.toml``)."""

    continuation_words: frozenset[str]
    page_number_line: re.Pattern[str]
    ordinal: re.Pattern[str]  # "1^er" → "1er": group 1 the digit, group 2 the suffix
    wrap: WrapRules
    abbreviations: tuple[str, ...] = ()  # "cf", "p": their period ends no sentence
    footnote: str = "{number} "  # how a footnote's number is written ("Note {number} : ")
    reference_call: re.Pattern[str] | None = None  # « (6,15-18) »: a call into the list of references
    glued_small_words: frozenset[str] = frozenset()  # « de », « des »: short words a glued word may hold
    glued_min_letters: int = 4  # the other words a glued word is cut into have at least this many letters
    space_before_mark: re.Pattern[str] | None = None  # « Une CPTS , c'est »: the space a PDF put before a comma
    interrogative: re.Pattern[str] | None = None  # a question without any asks nothing by itself (« L'élu·e ? »)

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path = DATA_DIR / "cleaning.toml") -> CleaningRules:
        data = read_rules(path)
        suffixes = alternatives(words(data, "ordinal_suffixes", path), escape=True)
        return cls(
            frozenset(words(data, "continuation_words", path)),
            pattern(data, "page_number_line", path),
            compile_pattern(rf"(\d)\^({suffixes})\b", "ordinal_suffixes", path, flags=0),
            WrapRules(
                count(data, "wrap.min_lines", path),
                share(data, "wrap.top_rank", path),
                count(data, "wrap.max_width", path),
                share(data, "wrap.median_share", path),
                share(data, "wrap.full_share", path),
            ),
            words(data, "abbreviations", path),
            text(data, "footnote", path),
            pattern(data, "reference_call", path, flags=0) if "reference_call" in data else None,
            frozenset(words(data, "glued_small_words", path)),
            count(data, "glued_min_letters", path),
            pattern(data, "space_before_mark", path, flags=0) if "space_before_mark" in data else None,
            pattern(data, "interrogative", path) if "interrogative" in data else None,
        )


@dataclass(frozen=True)
class WrapRules:
    """How a document whose paragraphs wrap at one width is recognised (``[wrap]`` of ``cleaning.toml``)."""

    min_lines: int  # fewer lines: nothing to tell
    top_rank: float  # the width is this rank of the sorted line lengths (0.9: the 90th percentile)
    max_width: int  # wider lines: one paragraph per line, not a wrapped text
    median_share: float  # the median line is at least this share of the width
    full_share: float  # a line at least this share of the width fills it


@dataclass(frozen=True)
class LexicalRules:
    """Elisions and extra stop words of the French analyzer (``lexical.toml``)."""

    elision: re.Pattern[str]
    stopwords: frozenset[str]  # added to bm25s' French list; accent-folded

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path = DATA_DIR / "lexical.toml") -> LexicalRules:
        data = read_rules(path)
        elisions = alternatives(words(data, "elisions", path), escape=True)
        return cls(
            compile_pattern(rf"\b(?:{elisions})'", "elisions", path),
            frozenset(words(data, "stopwords", path)),
        )
