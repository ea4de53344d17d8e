"""The command lines of the three commands (``python -m ingest``, ``assistant``, ``evals``) in French.

argparse writes its usage line, its help titles and its error messages through gettext; while a command line is
built and read (:func:`french_argparse`), they are looked up in ``ingest/data/cli/argparse.toml`` (not among the
rules that decide the index), so a mistyped option gets « erreur : argument(s) inconnu(s) : --bogus » rather than
English. Outside that block argparse is left as it was."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from ingest.rules import DATA_DIR, RulesError, read_rules, value


@dataclass(frozen=True)
class ArgparseFrench:
    """argparse's messages (``messages``) and those with a plural form (``plurals``: singular → both French
    forms), from ``argparse.toml``."""

    messages: MappingProxyType[str, str]
    plurals: MappingProxyType[str, tuple[str, str]]

    @classmethod
    @lru_cache(maxsize=2)
    def load(cls, path: Path = DATA_DIR / "cli" / "argparse.toml") -> ArgparseFrench:
        data = read_rules(path)
        messages, plurals = value(data, "messages", path), value(data, "plurals", path)
        if not isinstance(messages, dict) or not all(isinstance(v, str) and v for v in messages.values()):
            raise RulesError(f"{path.name} : « messages » doit associer des messages à des textes non vides")
        if not isinstance(plurals, dict) or not all(
            isinstance(v, list) and len(v) == 2 and all(isinstance(f, str) and f for f in v) for v in plurals.values()
        ):
            raise RulesError(f"{path.name} : « plurals » doit associer des messages à deux formes (singulier, pluriel)")
        return cls(MappingProxyType(dict(messages)), MappingProxyType({k: (v[0], v[1]) for k, v in plurals.items()}))

    def gettext(self, message: str) -> str:
        return self.messages.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self.plurals.get(singular)
        if forms is None:
            return singular if n == 1 else plural
        return forms[0] if n == 1 else forms[1]  # argparse counts « nargs »: n ≥ 2 for a plural


@contextmanager
def french_argparse() -> Iterator[None]:
    """argparse speaks French inside the block (parsers built, arguments read, help or errors printed). The swap is
    argparse's, for the whole process: meant for a command's ``main``, before any thread starts."""
    french = ArgparseFrench.load()
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = french.gettext, french.ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
