"""Knowing when not to answer: how well does the retrieved evidence cover the question?

The confidence combines four signals, calibrated on the evaluation set (see docs/evaluation.md):
- ``similarity``: e5 similarity of the best sentence to the question;
- ``coverage``: share (idf-weighted) of the question's terms present in the best passages;
- ``unknown``: share (idf-weighted) of the question's own words the corpus never uses
  (``paracétamol``, ``ratatouille``…), typos excepted;
- ``fact``: the question asks for a kind of fact (a sum, a duration, a contact, a tax rule, a count)
  and no retrieved sentence holds one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.query import Query
from assistant.retrieval import Candidate, Evidence, TermStats
from ingest.index import IndexReader
from ingest.lexical import fold_accents

# What kind of fact a question asks for, and what a sentence must hold to give it. A question asking
# for a sum, a duration, a contact or a tax rule that no retrieved sentence holds is not answered
# with nearby generalities ("combien gagne un coordinateur ?" → no amount in the documents).
_NUMBER_WORDS = (
    r"deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|quarante|"
    r"cinquante|cent|mille|million|moitié|tiers|quart"
)
# A number that can answer "how many": digits that are not a year, or a number word ("un" is everywhere:
# it counts only in front of a time unit, for durations).
_NUMBER = re.compile(rf"\b(?!(?:19|20)\d\d\b)\d+(?:[.,]\d+)?\b|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)
ANSWER_TYPES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "montant": (
        re.compile(
            r"\bsalaire|\bcombien (?:\w+ )?gagne|\bmontant|\bprix\b|\bco[uû]t(?:e|ent)?\b|\btarif|"
            r"\bcapital (?:social|minimum|de départ)|\beuros?\b|€|\brémunér\w* (?:de|d'un|d'une|moyenne)|"
            r"\bcombien (?:ça |cela )?(?:co[uû]te|paye|paie)",
            re.IGNORECASE,
        ),
        re.compile(r"\d[\d\s.,]*\s?(?:€|euros?|k€|m€)|\beuros\b", re.IGNORECASE),
    ),
    "durée": (
        re.compile(
            r"\bdur(?:e|er|ent|era)\b[^?]{0,25}\bcombien|"
            r"\bcombien (?:de |d')(?:temps|mois|ans|années|jours|semaines|heures)|"
            r"\bquelle (?:est la )?durée|\bdurée (?:du|d'un|de la|maximale|minimale)",
            re.IGNORECASE,
        ),
        re.compile(
            rf"\b(?:\d+|un|une|{_NUMBER_WORDS}|plusieurs|quelques)\s+(?:ans?|années?|mois|semaines?|jours?|heures?)\b",
            re.IGNORECASE,
        ),
    ),
    "contact": (
        re.compile(
            r"\bt[ée]l[ée]phone|\bnum[ée]ro de t|\be-?mail\b|\bcourriel|\badresse (?:mail|postale)", re.IGNORECASE
        ),
        re.compile(r"\b0\d(?:[ .]?\d\d){4}\b|@\w", re.IGNORECASE),
    ),
    "fiscalité": (
        re.compile(r"\bimposab|\bimp[ôo]ts?\b|\bfiscal|\bdéfiscalis|\bTVA\b", re.IGNORECASE),
        re.compile(r"\bimposab|\bimp[ôo]ts?\b|\bfiscal|\bTVA\b", re.IGNORECASE),
    ),
    "nombre": (
        re.compile(
            r"\bcombien\b|\bnombre (?:de|d')|\bpourcentage\b|\bquel âge\b|\bminimum\b|\bmaximum\b", re.IGNORECASE
        ),
        _NUMBER,
    ),
}


def asked_fact(question: str) -> str | None:
    """The kind of fact ``question`` asks for (montant, durée, contact, fiscalité, nombre), if any."""
    for kind, (asks, _) in ANSWER_TYPES.items():
        if asks.search(question):
            return kind
    return None


# Verb forms and participles ("convaincre", "refusent", "soumises") are everyday French, not a topic
# the corpus lacks: only the other unknown words ("paracétamol", "ratatouille") count.
_GENERIC_FORM = re.compile(r"(?:er|ir|re|ent|ez|ons|ait|aient|ant|ee|ees|ises|zero)$")

# confidence = similarity + W_COVERAGE * coverage - W_UNKNOWN * unknown - W_FACT[kind] * asked fact missing
W_COVERAGE = 0.10
W_UNKNOWN = 0.12
# A count can be phrased in words the patterns miss: a light penalty. A sum, a duration, a contact or a
# tax rule is never phrased without its marks: missing, the question is declined.
W_FACT = {"nombre": 0.04, "montant": 0.5, "durée": 0.5, "contact": 0.5, "fiscalité": 0.5}
FACT_WINDOW = 15  # best evidence sentences searched for the asked fact


@dataclass
class Assessment:
    confidence: float
    similarity: float
    coverage: float
    unknown: float
    fact_asked: str | None
    fact_missing: bool
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
        return Assessment(0.0, 0.0, 0.0, 1.0, None, False, [])
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
    fact = asked_fact(query.text)
    fact_missing = fact is not None and not any(
        ANSWER_TYPES[fact][1].search(reader.sentences[e.sentence].text) for e in evidence[:FACT_WINDOW]
    )
    penalty = W_FACT[fact] if fact and fact_missing else 0.0
    confidence = similarity + W_COVERAGE * coverage - W_UNKNOWN * unknown - penalty
    return Assessment(round(confidence, 4), similarity, coverage, unknown, fact, fact_missing, unknown_terms)
