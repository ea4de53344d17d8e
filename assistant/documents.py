"""The documents a question names (« Que dit le mémoire sur… ? », « d'après la présentation »): the manifest's
``aliases`` (corpus/manifest.toml), each written with its article and matched with it or its contraction (« du
mémoire », « aux diapositives »), not when a complement makes it another thing (« le guide pratique de l'ETP », « la
présentation du projet »). The question is then searched without their names, and their passages are preferred
(``weight_named_document``) when they speak of its topic (``Assistant._treating``); a named document that does not
and that the answer does not cite gets a note.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from ingest.lexical import fold_text
from ingest.models import DocumentInfo

# what turns an alias into another thing's name: a complement or a qualifier after it (« le guide pratique… »,
# « la présentation du projet », « le mémoire de fin d'études »)
_COMPLEMENT = r"(?!\s*(?:de|d'|du|des|pratique|methodologique)\b)"
# the article of an alias and the contractions that write it in a question (« du mémoire », « au guide »)
_ARTICLES = {"le": "(?:le|du|au)", "les": "(?:les|des|aux)"}
# the word that says whose words they are (« selon le mémoire », « d'après la présentation »), cut with the name, and
# the comma after it (« Selon le mémoire, qu'est-ce qu'une CPTS ? » asks « qu'est-ce qu'une CPTS ? »)
_SOURCE = r"(?:(?:selon|d'apres|dans|pour|chez)\s+)?"
_AFTER = r"(?:\s*,)?"


def _made(before: str) -> bool:
    """Whether the words ``before`` a document's name end on an infinitive (« préparer », « faire »): the name is
    then the thing the question makes, not a document it cites."""
    last = re.search(r"([a-z]+)\s*$", before)
    return bool(last) and last.group(1).endswith(("er", "ir", "re")) and last.group(1) not in _NOT_INFINITIVES


# words ending as an infinitive does, that may stand before a document's name (« entre le guide et… »)
_NOT_INFINITIVES = frozenset({"entre", "contre", "outre", "notre", "votre", "autre", "premier", "dernier", "hier"})


def _folded_with_places(text: str) -> tuple[str, list[int]]:
    """``text`` folded as :func:`~ingest.lexical.fold_text` does, and for each folded character the place of the one it
    comes from (« œ » may fold to two)."""
    folded, places = [], []
    for place, char in enumerate(text):
        for piece in fold_text(char):
            folded.append(piece)
            places.append(place)
    return "".join(folded), places


def _alias_pattern(alias: str) -> str:
    """The pattern of one alias, its article open to contraction, its words separated by any spaces."""
    article, _, rest = fold_text(alias).partition(" ")
    head = _ARTICLES.get(article, re.escape(article))
    words = r"\s+".join(re.escape(word) for word in rest.split())
    return rf"{head}\s+{words}" if rest else head


@dataclass(frozen=True)
class DocumentNames:
    """Each document's aliases as one pattern, longest alias first (« le guide de la HAS » before « le guide »)."""

    patterns: tuple[tuple[str, re.Pattern[str]], ...] = ()
    cuts: tuple[re.Pattern[str], ...] = ()  # the same, with the word before that names a source and a comma after

    @classmethod
    def build(cls, documents: Iterable[DocumentInfo], indexed: Collection[str]) -> DocumentNames:
        """The aliases of the ``documents`` the index holds (``indexed``: their ids)."""
        patterns, cuts = [], []
        for info in documents:
            if info.doc_id not in indexed or not info.aliases:
                continue
            either = "|".join(_alias_pattern(alias) for alias in sorted(info.aliases, key=len, reverse=True))
            patterns.append((info.doc_id, re.compile(rf"(?<![\w'])(?:{either})(?!\w){_COMPLEMENT}")))
            cuts.append(re.compile(rf"(?<![\w']){_SOURCE}(?:{either})(?!\w){_COMPLEMENT}{_AFTER}"))
        return cls(tuple(sorted(patterns)), tuple(cuts))

    def named_in(self, text: str) -> list[str]:
        """The ids of the documents ``text`` names, in the order of their ids; not a thing the question's verb makes
        (« Comment préparer la présentation aux usagers ? »: an infinitive right before it)."""
        folded = fold_text(text)
        return [
            doc_id
            for doc_id, pattern in self.patterns
            if any(not _made(folded[: m.start()]) for m in pattern.finditer(folded))
        ]

    def without(self, text: str) -> str:
        """``text`` without the names of documents it writes (« Que dit le mémoire sur le patient traceur ? » → « Que
        dit sur le patient traceur ? »): searched for, « mémoire » would bring the passages where the study speaks of
        itself, whatever the question asks."""
        folded, places = _folded_with_places(text)
        cuts = sorted(
            m.span() for pattern in self.cuts for m in pattern.finditer(folded) if not _made(folded[: m.start()])
        )
        kept, start = [], 0
        for begin, end in cuts:
            if begin < start:
                continue
            kept.append(text[start : places[begin]])
            start = places[end - 1] + 1
        kept.append(text[start:])
        left = re.sub(r",\s*(?=[?!.]|$)", " ", "".join(kept))  # « …usagers, d'après la présentation ? »: no comma left
        return re.sub(r"\s+,", ",", re.sub(r"\s{2,}", " ", left)).strip(" ,")
