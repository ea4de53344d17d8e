"""Passage roles: body text, or back matter (resources, references, participants, table of contents,
link blocks, annexes, titles alone), decided at ingestion and stored on every passage.

Two kinds of signal, both French rules of ``ingest/data/roles.toml``:
- the titles of the passage's section path ("Bibliographie", "Sites utiles", "Participants"…);
- the passage's own lines: references, people named with a civility, table-of-contents entries, web
  addresses (PDF headings are not always detected, so a bibliography may sit under "Conclusion").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from ingest.lexical import fold_accents
from ingest.rules import DATA_DIR, RulesError, pattern, read_rules, value
from ingest.sections import without_numbering

_URL = re.compile(r"<?(?:https?://|www\.)[^\s>]+>?")


class PassageRole(StrEnum):
    BODY = "body"
    RESOURCES = "resources"  # lists of tools, guides, support structures, useful sites
    REFERENCES = "references"  # bibliography, sources
    PARTICIPANTS = "participants"  # authors, members, acknowledgements
    TOC = "toc"
    LINKS = "links"  # a block made mostly of web addresses
    ANNEX = "annex"
    TITLES = "titles"  # a cover or a title slide: titles only, nothing stated


# The back matter a question asking for resources (tools, guides, sites, contacts, a training) may be answered from:
# not a list of participants, a table of contents, an annex (the study's interview guides and analysis grids) or a
# title page, which name no resource.
RESOURCE_ROLES = frozenset({PassageRole.RESOURCES, PassageRole.REFERENCES, PassageRole.LINKS})


@dataclass(frozen=True)
class RoleRules:
    """The compiled patterns and thresholds of ``roles.toml``."""

    titles: tuple[tuple[PassageRole, re.Pattern[str]], ...]  # on folded, unnumbered titles
    line_patterns: tuple[tuple[PassageRole, re.Pattern[str]], ...]  # references, participants, contents
    annex_heading: re.Pattern[str]
    titles_only: re.Pattern[str]
    link_share: float
    line_share: float

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path = DATA_DIR / "roles.toml") -> RoleRules:
        data = read_rules(path)
        titles = []
        for role in value(data, "titles", path):
            try:
                titles.append((PassageRole(role), pattern(data, f"titles.{role}", path)))
            except ValueError as exc:
                raise RulesError(f"{path.name} : rôle inconnu « {role} »") from exc
        lines = tuple(
            (role, pattern(data, f"text.{key}", path, flags=0))
            for role, key in (
                (PassageRole.REFERENCES, "reference_line"),
                (PassageRole.PARTICIPANTS, "participant_line"),
                (PassageRole.TOC, "toc_line"),
            )
        )
        thresholds = [value(data, f"thresholds.{k}", path) for k in ("link_share", "line_share")]
        if not all(isinstance(t, float) and 0 < t <= 1 for t in thresholds):
            raise RulesError(f"{path.name} : les seuils doivent être des nombres entre 0 et 1")
        annex, titles_only = pattern(data, "text.annex_heading", path), pattern(data, "text.titles_only", path, flags=0)
        return cls(tuple(titles), lines, annex, titles_only, *thresholds)


def link_share(text: str) -> float:
    """Share of the passage's characters that are web addresses."""
    return sum(len(m.group()) for m in _URL.finditer(text)) / max(len(text), 1)


def classify(
    section_titles: list[str], text: str, rules: RoleRules | None = None, document_title: str = ""
) -> PassageRole:
    """The role of a passage from its section titles (outermost first) and its text. Under a title that is the
    document's own (``document_title``, from the manifest) a passage that ends no sentence is its cover or masthead
    (« Les préconisations de vos URPS… » / « N°9 - Octobre 2022 » under « Infos conseils »)."""
    rules = rules or RoleRules.load()
    for title in reversed(section_titles):
        folded = fold_accents(without_numbering(title).lower()).strip()
        for role, title_pattern in rules.titles:
            if title_pattern.search(folded):
                return role
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return PassageRole.BODY
    if rules.annex_heading.search(lines[0]):
        return PassageRole.ANNEX
    if rules.titles_only.search(text) or (_own_title(section_titles, document_title) and not _states(lines)):
        return PassageRole.TITLES
    if link_share(text) >= rules.link_share:
        return PassageRole.LINKS
    if len(lines) >= 2:
        for role, line_pattern in rules.line_patterns:
            if sum(bool(line_pattern.search(line)) for line in lines) / len(lines) >= rules.line_share:
                return role
    return PassageRole.BODY


def _own_title(section_titles: list[str], document_title: str) -> bool:
    """Whether the passage's section is titled with the document's title, or its first words, two at least
    (« Infos conseils » of « Infos conseils N°9 – Impliquer les usagers… »; not « La » of « La participation… »)."""
    deepest = _title_words(section_titles[-1]) if section_titles else []
    return len(deepest) >= 2 and _title_words(document_title)[: len(deepest)] == deepest


def _title_words(title: str) -> list[str]:
    """A title's words, accents folded, lower case, its dashes and marks aside."""
    return re.findall(r"\w+", fold_accents(title).lower())


def _states(lines: list[str]) -> bool:
    """Whether some line ends as a sentence does."""
    return any(line.rstrip().rstrip("»”) ").endswith((".", "!", "?", "…", ":", ";")) for line in lines)
