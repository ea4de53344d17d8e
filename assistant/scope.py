"""What the documents say they do not treat (« Ce guide ne traite pas des … (conseils territoriaux de santé,
contrats locaux de santé…) »): the things such a sentence names, found once per index, and those a question
names. Rules in ``assistant/data/scope.toml``."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.lexical import fold_accents

DATA = Path(__file__).parent / "data" / "scope.toml"


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
    def build(cls, sentences: Iterable[str], words: Callable[[str], list[str]], path: Path = DATA) -> ScopeLimits:
        """The bracketed items of every sentence that states what its document does not treat (``words``: the
        analyzer's words, lower case, without elisions or stop words)."""
        rules = tomllib.loads(path.read_text(encoding="utf-8"))
        statements = [re.compile(p) for p in rules["statements"]]
        bracketed, separators = re.compile(rules["bracketed"]), re.compile(rules["separators"])
        leading, min_terms = re.compile(rules["leading"], re.IGNORECASE), int(rules["min_terms"])
        limits: list[ScopeLimit] = []
        for sid, text in enumerate(sentences):
            if not any(p.search(fold_accents(text).lower()) for p in statements):
                continue
            for group in bracketed.findall(text):
                for item in separators.split(group):
                    name = leading.sub("", item).strip(" .")
                    kept = singular(words(name))
                    if len(kept) >= min_terms or (kept and name.isupper() and len(name) > 2):
                        limits.append(ScopeLimit(name, kept, sid))
        return cls(tuple(limits))

    def named_in(self, words: Sequence[str]) -> list[ScopeLimit]:
        """The limits whose words the question writes in a row, in the singular or the plural (« le Conseil de
        la vie sociale en EHPAD » names « conseils de la vie sociale »)."""
        said = singular(words)
        found = []
        for limit in self.limits:
            size = len(limit.words)
            if any(said[i : i + size] == limit.words for i in range(len(said) - size + 1)):
                found.append(limit)
        return found


def singular(words: Sequence[str]) -> tuple[str, ...]:
    """French words in the singular, roughly and alike for a name and a question: « territoriaux » →
    « territorial », « conseils » → « conseil »."""
    return tuple(_PLURAL.sub(lambda m: "al" if m.group(0) == "aux" else "", w) if len(w) > 3 else w for w in words)


_PLURAL = re.compile(r"aux$|[sx]$")
