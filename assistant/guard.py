"""Knowing when not to answer: how well does the retrieved evidence cover the question?

The confidence combines four signals, calibrated on the evaluation set (see docs/evaluation.md):
- ``similarity``: e5 similarity of the best sentence to the question;
- ``coverage``: share (idf-weighted) of the question's terms present in the best passages;
- ``unknown``: share (idf-weighted) of the question's own words the corpus never uses
  (``paracétamol``, ``ratatouille``…), typos excepted;
- ``quantity``: the question asks for a number (combien, montant, salaire…) and no retrieved
  sentence holds one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.query import Query
from assistant.retrieval import Candidate, Evidence, TermStats
from ingest.index import IndexReader
from ingest.lexical import fold_accents

_QUANTITY = re.compile(
    r"\bcombien\b|\bmontant\b|\bsalaire\b|\bprix\b|\bco[uû]t(?:e|ent)?\b|\btarif|\bpourcentage\b|"
    r"\bnombre (?:de|d')|\bdur[ée]e?\b|\bquel âge\b|\bquelle somme\b|\beuros?\b|€|\bminimum\b|\bmaximum\b|"
    r"\bt[ée]l[ée]phone\b|\bcapital\b",
    re.IGNORECASE,
)
# A number that can answer "how many / how much": digits that are not a year, or a number word.
_NUMBER = re.compile(
    r"\b(?!(?:19|20)\d\d\b)\d+(?:[.,]\d+)?\b|\b(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|"
    r"quinze|vingt|trente|quarante|cinquante|cent|mille|million|moitié|tiers|quart)\b",
    re.IGNORECASE,
)

# Verb forms and participles ("convaincre", "refusent", "soumises") are everyday French, not a topic
# the corpus lacks: only the other unknown words ("paracétamol", "ratatouille") count.
_GENERIC_FORM = re.compile(r"(?:er|ir|re|ent|ez|ons|ait|aient|ant|ee|ees|ises|zero)$")

# confidence = similarity + W_COVERAGE * coverage - W_UNKNOWN * unknown - W_QUANTITY * missing number
W_COVERAGE = 0.10
W_UNKNOWN = 0.12
W_QUANTITY = 0.04


@dataclass
class Assessment:
    confidence: float
    similarity: float
    coverage: float
    unknown: float
    quantity_missing: bool
    unknown_words: list[str]


def assess(
    reader: IndexReader,
    stats: TermStats,
    query: Query,
    candidates: list[Candidate],
    evidence: list[Evidence],
    weights: dict[str, float],
) -> Assessment:
    if not evidence:
        return Assessment(0.0, 0.0, 0.0, 1.0, False, [])
    similarity = max(e.similarity for e in evidence[:20])
    top_terms: frozenset[str] = frozenset().union(*(stats.chunk_terms[c.index] for c in candidates[:3]))
    french = query.language == "fr"
    coverage = stats.coverage(weights, top_terms) if french else 0.5
    explained = {*query.corrections, *query.lexicon_words}
    own: dict[str, float] = {}
    unknown_terms: list[str] = []
    for word in stats.analyzer.words(query.text) if french else []:
        term = stats.analyzer.terms(word)
        if not term:
            continue
        weight = stats.idf.get(term[0], stats.unknown_idf)
        own[word] = weight
        if (
            term[0] not in stats.idf
            and fold_accents(word) not in explained
            and not word.isdigit()
            and not _GENERIC_FORM.search(fold_accents(word))
        ):
            unknown_terms.append(word)
    total = sum(own.values())
    unknown = sum(own[w] for w in unknown_terms) / total if total else 0.0
    quantity_missing = bool(_QUANTITY.search(query.text)) and not any(
        _NUMBER.search(reader.sentences[e.sentence].text) for e in evidence[:15]
    )
    confidence = similarity + W_COVERAGE * coverage - W_UNKNOWN * unknown - W_QUANTITY * quantity_missing
    return Assessment(round(confidence, 4), similarity, coverage, unknown, quantity_missing, unknown_terms)
