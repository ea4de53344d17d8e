"""French rules of the assistant, read from ``assistant/data/*.toml``: typed values, compiled once, cached.

- :class:`Lexicon` (``lexicon.toml``): abbreviations and synonyms of the domain;
- :class:`QueryRules` (``query.toml``): injections, references to fiches/recommendations/chapters,
  list intents, premises, multi-part splitting, follow-ups, structures, language words;
- :class:`FactRules` (``facts.toml``): the kinds of fact a question asks for and what a sentence must
  hold to give one.

Each ``load()`` raises :class:`ingest.rules.RulesError` (a ``ValueError``) naming the file and the key
when a file is malformed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ingest.rules import RulesError, alternatives, compile_pattern, pattern, read_rules, text, value, words
from ingest.settings import Settings

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Lexicon:
    """Abbreviations and synonyms of the domain (folded lower-case word → what it means)."""

    abbreviations: MappingProxyType[str, str]
    synonyms: MappingProxyType[str, str]

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path = DATA_DIR / "lexicon.toml") -> Lexicon:
        data = read_rules(path)
        tables = []
        for key in ("abbreviations", "synonyms"):
            table = data.get(key, {})
            if not isinstance(table, dict) or not all(isinstance(v, str) and v for v in table.values()):
                raise RulesError(f"{path.name} : « {key} » doit associer des mots à des textes non vides")
            tables.append(MappingProxyType(dict(table)))
        return cls(*tables)


@dataclass(frozen=True)
class QueryRules:
    """The compiled patterns and word sets of ``query.toml`` (see the comments of that file)."""

    injection: re.Pattern[str]
    injection_flag: re.Pattern[str]
    fiche_ref: re.Pattern[str]
    recommendation_ref: re.Pattern[str]
    section_ref: re.Pattern[str]
    next_fiche: re.Pattern[str]
    previous_fiche: re.Pattern[str]
    list_fiches: re.Pattern[str]
    list_recommendations: re.Pattern[str]
    whole_fiche_words: frozenset[str]
    premise: re.Pattern[str]  # groups premise, rest
    part_split: re.Pattern[str]
    followup_start: re.Pattern[str]
    anaphora: re.Pattern[str]
    structure: re.Pattern[str]
    whole_fiche_other_words: int
    french_words: frozenset[str]
    english_words: frozenset[str]
    other_words: frozenset[str]
    language_min_words: int  # shorter texts are taken as French
    french_enough: int  # this many French words make a text French

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path = DATA_DIR / "query.toml") -> QueryRules:
        data = read_rules(path)

        def literal(key: str) -> str:
            return alternatives(words(data, key, path), escape=True)

        def patterns(key: str) -> str:
            return alternatives(words(data, key, path))

        premise = (
            rf"^(?:(?:{literal('premise.lead_words')})\s+)?(?:{literal('premise.connectors')})"
            r"\s*(?P<premise>[^,?]{8,}?)\s*,\s*(?P<rest>.+)$"
        )
        part_split = (
            rf"\s*(?:\?\s+|;\s+|,?\s+(?:{literal('parts.conjunctions')})\s+"
            rf"(?=(?:{patterns('parts.question_words')})\b))"
        )
        structure = (
            rf"\b(?:(?P<article>{literal('structures.articles')})\s*)?(?P<name>{patterns('structures.names')})\b"
        )
        return cls(
            injection=pattern(data, "injection.remove", path),
            injection_flag=pattern(data, "injection.flag", path),
            fiche_ref=_numbered(pattern(data, "references.fiche", path), "references.fiche", path),
            recommendation_ref=_numbered(
                pattern(data, "references.recommendation", path), "references.recommendation", path
            ),
            section_ref=_numbered(pattern(data, "references.section", path), "references.section", path),
            next_fiche=pattern(data, "references.next_fiche", path),
            previous_fiche=pattern(data, "references.previous_fiche", path),
            list_fiches=pattern(data, "intents.list_fiches", path),
            list_recommendations=pattern(data, "intents.list_recommendations", path),
            whole_fiche_words=frozenset(words(data, "intents.whole_fiche_words", path)),
            premise=compile_pattern(premise, "premise", path, re.IGNORECASE | re.DOTALL),
            part_split=compile_pattern(part_split, "parts", path),
            followup_start=compile_pattern(rf"^(?:{literal('followup.starts')})\b", "followup.starts", path),
            anaphora=compile_pattern(rf"\b(?:{literal('followup.anaphora')})\b", "followup.anaphora", path),
            structure=compile_pattern(structure, "structures", path),
            whole_fiche_other_words=_count(data, "intents.whole_fiche_other_words", path),
            french_words=frozenset(words(data, "language.french", path)),
            english_words=frozenset(words(data, "language.english", path)),
            other_words=frozenset(words(data, "language.other", path)),
            language_min_words=_count(data, "language.min_words", path),
            french_enough=_count(data, "language.french_enough", path),
        )


def _count(data: dict[str, Any], key: str, path: Path) -> int:
    """A whole number ≥ 0."""
    item = value(data, key, path)
    if not isinstance(item, int) or isinstance(item, bool) or item < 0:
        raise RulesError(f"{path.name} : « {key} » doit être un entier positif ou nul")
    return item


def _numbered(compiled: re.Pattern[str], key: str, path: Path) -> re.Pattern[str]:
    """A reference pattern must capture the number it refers to (group 1)."""
    if compiled.groups < 1:
        raise RulesError(f"{path.name} : « {key} » doit capturer le numéro (groupe 1)")
    return compiled


@dataclass(frozen=True)
class FactKind:
    """A kind of fact: what a question asking for it says, what a sentence giving it holds."""

    name: str  # "montant", "durée", "contact", "fiscalité", "nombre"
    asks: re.Pattern[str]
    holds: re.Pattern[str]
    strict: bool  # never written without its marks: missing, the answer is at most partial
    missing: str  # how a partial answer names what the documents do not give ("de montant")


@dataclass(frozen=True)
class FactRules:
    """The kinds of fact of ``facts.toml``, in the order they are tried, and the generic verb endings."""

    kinds: tuple[FactKind, ...]
    generic_form: re.Pattern[str]  # a folded word that is a verb form or participle

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path = DATA_DIR / "facts.toml") -> FactRules:
        data = read_rules(path)
        numbers = alternatives(words(data, "number_words", path))
        table: Any = value(data, "kinds", path)
        if not isinstance(table, dict) or not table:
            raise RulesError(f"{path.name} : « kinds » doit être une table de sortes de faits")
        kinds = []
        for name in table:
            compiled = []
            for side in ("asks", "holds"):
                key = f"kinds.{name}.{side}"
                source = alternatives(words(data, key, path)).replace("{number_words}", numbers)
                compiled.append(compile_pattern(source, key, path))
            strict = value(data, f"kinds.{name}.strict", path)
            if not isinstance(strict, bool):
                raise RulesError(f"{path.name} : « kinds.{name}.strict » doit valoir true ou false")
            kinds.append(FactKind(name, *compiled, strict, text(data, f"kinds.{name}.missing", path)))
        endings = alternatives(words(data, "generic_endings", path), escape=True)
        return cls(tuple(kinds), compile_pattern(rf"(?:{endings})$", "generic_endings", path, flags=0))

    def asked(self, question: str) -> FactKind | None:
        """The first kind whose ``asks`` pattern matches the question."""
        return next((kind for kind in self.kinds if kind.asks.search(question)), None)

    def kind(self, name: str) -> FactKind:
        return next(kind for kind in self.kinds if kind.name == name)


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    """The settings at their default values (the environment is not read): for a caller that passes
    none, such as a unit test; the assistant passes its own."""
    return Settings.model_construct()
