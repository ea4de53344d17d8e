"""The documents a question names (« Que dit le mémoire sur… ? », « d'après la présentation »): the manifest's
``aliases`` (corpus/manifest.toml), each written with its article and matched with it or its contraction (« du
mémoire », « aux diapositives »), not when a complement makes it another thing (« le guide pratique de l'ETP », « la
présentation du projet »). The answer then comes from those documents only, as when a fiche is named.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from ingest.lexical import fold_accents
from ingest.models import DocumentInfo

# what turns an alias into another thing's name: a complement or a qualifier after it (« le guide pratique… »,
# « la présentation du projet », « le mémoire de fin d'études »)
_COMPLEMENT = r"(?!\s*(?:de|d'|du|des|pratique|methodologique)\b)"
# the article of an alias and the contractions that write it in a question (« du mémoire », « au guide »)
_ARTICLES = {"le": "(?:le|du|au)", "les": "(?:les|des|aux)"}


def _folded(text: str) -> str:
    return fold_accents(text.replace("’", "'")).lower()


def _alias_pattern(alias: str) -> str:
    """The pattern of one alias, its article open to contraction, its words separated by any spaces."""
    article, _, rest = _folded(alias).partition(" ")
    head = _ARTICLES.get(article, re.escape(article))
    words = r"\s+".join(re.escape(word) for word in rest.split())
    return rf"{head}\s+{words}" if rest else head


@dataclass(frozen=True)
class DocumentNames:
    """Each document's aliases as one pattern, longest alias first (« le guide de la HAS » before « le guide »)."""

    patterns: tuple[tuple[str, re.Pattern[str]], ...] = ()

    @classmethod
    def build(cls, documents: Iterable[DocumentInfo], indexed: Collection[str]) -> DocumentNames:
        """The aliases of the ``documents`` the index holds (``indexed``: their ids)."""
        patterns = []
        for info in documents:
            if info.doc_id not in indexed or not info.aliases:
                continue
            aliases = sorted(info.aliases, key=len, reverse=True)
            either = "|".join(_alias_pattern(alias) for alias in aliases)
            patterns.append((info.doc_id, re.compile(rf"(?<![\w'])(?:{either})(?!\w){_COMPLEMENT}")))
        return cls(tuple(sorted(patterns)))

    def named_in(self, text: str) -> list[str]:
        """The ids of the documents ``text`` names, in the manifest's order of ids."""
        folded = _folded(text)
        return [doc_id for doc_id, pattern in self.patterns if pattern.search(folded)]
