"""French lexical search: an analyzer (elision, stop words, Snowball stemming, accent folding) and BM25.

The elisions and the stop words added to bm25s' French list are in ``ingest/data/lexical.toml``
(:class:`ingest.rules.LexicalRules`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_FRENCH
from spellchecker import SpellChecker

from ingest.rules import LexicalRules

_TOKEN = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def _french_counts() -> dict[str, int]:
    """pyspellchecker's French words with their frequencies, loaded once."""
    return SpellChecker(language="fr", distance=1).word_frequency.dictionary


@lru_cache(maxsize=1)
def french_words() -> frozenset[str]:
    """The words of general French, as written (pyspellchecker's French list)."""
    return frozenset(_french_counts())


@lru_cache(maxsize=1)
def french_folded() -> frozenset[str]:
    """The words of general French, accent-folded (« difference »)."""
    return frozenset(fold_accents(word) for word in french_words())


@lru_cache(maxsize=1)
def french_accented() -> dict[str, str]:
    """The words general French writes with accents, by their folded form, when it writes that form in one way only
    and never without its accents (« benevole » → « bénévole »; « cote » may be « côte », « coté » or « côté »)."""
    words = french_words()
    forms: dict[str, set[str]] = {}
    for word in words:
        folded = fold_accents(word)
        if folded != word:
            forms.setdefault(folded, set()).add(word)
    return {folded: next(iter(ws)) for folded, ws in forms.items() if len(ws) == 1 and folded not in words}


@lru_cache(maxsize=4)
def everyday_words(most: int) -> frozenset[str]:
    """The ``most`` most frequent words of general French (pyspellchecker's French frequencies: « dois », « peux »,
    « bientôt », « vraiment »), words of any question rather than of its topic."""
    counts = _french_counts()
    return frozenset(sorted(counts, key=lambda word: (-counts[word], word))[:most])


def french_word(word: str) -> bool:
    """Is ``word`` (lower case) a word of general French, as written (pyspellchecker's French word list)?"""
    return word in french_words()


def fold_accents(text: str) -> str:
    """``représentativité`` → ``representativite``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_text(text: str) -> str:
    """``text`` as rules match it: lower case, accents folded, the typographic apostrophe as « ' » (« L’Été » →
    « l'ete »)."""
    return fold_accents(text.lower()).replace("’", "'")


class FrenchAnalyzer:
    """Turns French text into BM25 terms; the same analysis for passages and questions."""

    def __init__(self, rules: LexicalRules | None = None) -> None:
        self._stemmer = Stemmer.Stemmer("french")
        self._rules = rules or LexicalRules.load()
        self.stopwords = frozenset(fold_accents(w) for w in STOPWORDS_FRENCH) | self._rules.stopwords
        # words repeat a lot; the cache is the analyzer's own, so it goes with it (a cache on the method
        # would be shared by every analyzer and keep each one, and its words, alive after an index reload)
        self._stem = lru_cache(maxsize=65536)(self._stem_word)
        self._kept = lru_cache(maxsize=65536)(self._keeps)

    def _stem_word(self, word: str) -> str:
        return fold_accents(self._stemmer.stemWord(word))

    def _keeps(self, token: str) -> bool:
        folded = fold_accents(token)
        return not (folded in self.stopwords or (len(folded) < 2 and not folded.isdigit()))

    def words(self, text: str) -> list[str]:
        """Lower-cased, accent-folded words without elisions or stop words (not stemmed)."""
        text = self._rules.elision.sub(" ", unicodedata.normalize("NFC", text.lower()).replace("’", "'"))
        return [token for token in _TOKEN.findall(text) if self._kept(token)]

    def terms(self, text: str) -> list[str]:
        return [self._stem(w) for w in self.words(text)]


class LexicalIndex:
    """BM25 over the passages of the index, persisted with ``bm25s``."""

    def __init__(self, retriever: bm25s.BM25, analyzer: FrenchAnalyzer) -> None:
        self._retriever = retriever
        self.analyzer = analyzer

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        analyzer = FrenchAnalyzer()
        retriever = bm25s.BM25()
        retriever.index([analyzer.terms(t) or ["_vide_"] for t in texts], show_progress=False)
        return cls(retriever, analyzer)

    def save(self, directory: Path) -> None:
        self._retriever.save(str(directory))

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        return cls(bm25s.BM25.load(str(directory)), FrenchAnalyzer())

    def scores(self, text: str) -> np.ndarray:
        """BM25 score of every passage for ``text`` (zeros when no term is known)."""
        terms = self.analyzer.terms(text)
        vocab = self._retriever.vocab_dict
        known = [t for t in terms if t in vocab]
        if not known:
            return np.zeros(self._retriever.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)
