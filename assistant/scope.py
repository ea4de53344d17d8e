"""The documents' scope. What they say they do not treat (« Ce guide ne traite pas des … (conseils territoriaux de
santé, contrats locaux de santé…) »): the things such a sentence names, found once per index, and those a question
names; and the settings outside primary care a question is about (« conseil de surveillance », « CRSA »). Rules in
``assistant/data/scope.toml``."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.lexical import fold_accents
from ingest.rules import count, pattern, read_rules

DATA = Path(__file__).parent / "data" / "scope.toml"


@dataclass(frozen=True)
class ScopeRules:
    """How a sentence says what its document leaves out, and how the things it names are read (``scope.toml``)."""

    statements: re.Pattern[str]
    bracketed: re.Pattern[str]
    separators: re.Pattern[str]
    leading: re.Pattern[str]
    min_words: int
    acronym_letters: int
    outside: re.Pattern[str]  # a setting outside primary care (« hôpital », « EHPAD », « CRSA »), folded
    primary_care: re.Pattern[str]  # a primary-care setting (« CPTS », « maison de santé »), folded

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path = DATA) -> ScopeRules:
        data = read_rules(path)
        return cls(
            pattern(data, "statements", path, flags=0),
            pattern(data, "bracketed", path, flags=0),
            pattern(data, "separators", path, flags=0),
            pattern(data, "leading", path),
            count(data, "min_words", path),
            count(data, "acronym_letters", path),
            pattern(data, "outside", path),
            pattern(data, "primary_care", path),
        )


@dataclass(frozen=True)
class ScopeLimit:
    """One thing a document says it does not treat, as it writes it, and the sentence that says so."""

    name: str
    words: tuple[str, ...]  # its words the search keeps, in the singular
    sentence: int


@dataclass(frozen=True)
class ScopeLimits:
    """The things the documents leave out of their scope, by their searched words."""

    limits: tuple[ScopeLimit, ...]

    @classmethod
    def build(
        cls, sentences: Iterable[str], words_of: Callable[[str], list[str]], rules: ScopeRules | None = None
    ) -> ScopeLimits:
        """The bracketed items of every sentence that states what its document does not treat (``words_of``: the
        analyzer's words, lower case, without elisions or stop words)."""
        rules = rules or ScopeRules.load()
        limits: list[ScopeLimit] = []
        for sid, text in enumerate(sentences):
            if not rules.statements.search(fold_accents(text).lower()):
                continue
            for group in rules.bracketed.findall(text):
                for item in rules.separators.split(group):
                    name = rules.leading.sub("", item).strip(" .")
                    kept = singular(words_of(name))
                    acronym = len(kept) == 1 and name.isupper() and len(name) >= rules.acronym_letters
                    if len(kept) >= rules.min_words or acronym:
                        limits.append(ScopeLimit(name, kept, sid))
        return cls(tuple(limits))

    def named_in(self, question_words: Sequence[str]) -> list[ScopeLimit]:
        """The limits whose words the question writes in a row, in the singular or the plural (« le Conseil de
        la vie sociale en EHPAD » names « conseils de la vie sociale »)."""
        said = singular(question_words)
        found = []
        for limit in self.limits:
            size = len(limit.words)
            if any(said[i : i + size] == limit.words for i in range(len(said) - size + 1)):
                found.append(limit)
        return found


def singular(words_of_text: Sequence[str]) -> tuple[str, ...]:
    """French words in the singular, roughly and alike for a name and a question: « territoriaux » →
    « territorial », « conseils » → « conseil »."""
    return tuple(singular_word(w) for w in words_of_text)


def singular_word(word: str) -> str:
    """One folded word in the singular, roughly (see :func:`singular`)."""
    return _PLURAL.sub(_singular, word) if len(word) > 3 else word


def _singular(ending: re.Match[str]) -> str:
    return "al" if ending.group(0) == "aux" else ""


_PLURAL = re.compile(r"aux$|[sx]$")


def outside_settings(question: str) -> list[str]:
    """The settings outside primary care that ``question`` names, as it writes them (« l'hôpital » → « hôpital »),
    when it names no primary-care setting: « C'est quoi être représentant des usagers en conseil de surveillance ? »
    → ["conseil de surveillance"]; « Les CPTS travaillent-elles avec l'hôpital ? » → []."""
    rules = ScopeRules.load()
    text = unicodedata.normalize("NFC", question)
    # folded one character for one (« … » and « œ » as they are): the matches are read back from the question
    folded = "".join(f if len(f := fold_accents(c.lower())) == 1 else c for c in text)
    if rules.primary_care.search(folded):
        return []
    return list(dict.fromkeys(text[m.start() : m.end()] for m in rules.outside.finditer(folded)))
