"""Knowing when not to answer: how well does the retrieved evidence cover the question?

The confidence combines four signals, calibrated on the evaluation set (see docs/evaluation.md):
- ``similarity``: e5 similarity of the best sentence to the question;
- ``coverage``: share (idf-weighted) of the question's terms present in the best passages;
- ``unknown``: share (idf-weighted) of the question's own words the corpus never uses
  (``paracétamol``, ``ratatouille``…), typos excepted; ``rare_words``, the acronyms it names that the corpus
  mentions in a few passages only (« SISA »): spoken of in passing, not covered; and ``unknown_names``, the proper
  names it writes that no passage writes (« Santé Info Droits »); ``outside``, the settings outside primary care it is
  about (« conseil de surveillance », « CRSA »: ``outside`` in ``scope.toml``);
- ``fact``: the question asks for a kind of fact (a sum, a duration, a contact, a tax rule, a count)
  and no retrieved sentence holds one (the kinds of fact are data: ``assistant/data/facts.toml``).

The weights and windows are settings (``guard_*``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from assistant.compose import refers_back
from assistant.directory import Entry
from assistant.query import Query, words_of
from assistant.retrieval import Candidate, Evidence, TermStats
from assistant.rules import CorpusNames, FactRules, Lexicon, QueryRules, default_settings
from assistant.scope import outside_settings
from ingest.index import IndexReader
from ingest.lexical import fold_accents
from ingest.settings import Settings


def asked_fact(question: str) -> str | None:
    """The kind of fact ``question`` asks for (montant, durée, contact, fiscalité, nombre), if any."""
    kind = FactRules.load().asked(question)
    return kind.name if kind else None


@dataclass
class Assessment:
    confidence: float
    similarity: float
    coverage: float
    unknown: float
    fact_asked: str | None
    fact_missing: bool
    unknown_words: list[str]
    topic_confidence: float = 0.0  # the confidence without the asked-fact penalty: is the topic covered?
    fact_strict: bool = False
    fact_term: str = ""  # what the asked fact is about ("la médiation en santé" for a definition)
    rare_words: list[str] = field(default_factory=list)  # acronyms asked about that few passages mention
    unknown_names: list[str] = field(default_factory=list)  # proper names asked about that no passage writes
    outside: list[str] = field(default_factory=list)  # settings outside primary care the question is about
    unknown_nouns: list[str] = field(default_factory=list)  # nouns ending as verbs do that no passage writes


def _scrap(word: str, text: str) -> bool:
    """A two-letter piece the question writes in lower case (« nt » of « souhaite(nt) »): it says nothing of the
    topic, unlike an acronym (« l'IA »)."""
    return len(word) <= 2 and _as_written(word, text).islower()


def _as_written(word: str, text: str) -> str:
    """``word`` (lower-cased by the analysis) as ``text`` writes it: « RAP », not « rap »."""
    found = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE)
    return found.group() if found else word


def assess(
    reader: IndexReader,
    stats: TermStats,
    query: Query,
    leading: list[Candidate],
    evidence: list[Evidence],
    weights: dict[str, float],
    *,
    settings: Settings | None = None,
    names: CorpusNames | None = None,
    described: Sequence[Entry] = (),
    spelled: Collection[str] = (),
) -> Assessment:
    """How well the evidence covers the question: confidence = similarity + coverage weight × coverage
    − unknown weight × unknown (an acronym spelled out aside: ``Query.spelled_out``) − penalty when the asked fact
    is missing. ``leading``: the best passages as ranked, before the contexts were spread over sections
    (:attr:`Ranking.leading`): how well they hold the
    question's words must not grow because the contexts show more sections. ``names``: the corpus's sentences
    and aliases (:meth:`FactRules.names_in`), for a fact about a named thing (a definition). ``described``: the
    entries of a directory the question is about (:class:`~assistant.directory.Directory`): what they name is
    neither mentioned in passing nor left undefined, its entry says what it is; so are the acronyms of ``spelled``,
    whose meaning the question asks and the corpus spells out (« les Équipes de Soins Primaires (ESP) »). The
    evidence is scored with the question embedded as asked (:func:`~assistant.retrieval.rescored`): the weights
    were calibrated so."""
    s = settings or default_settings()
    facts = FactRules.load()
    if not evidence:
        return Assessment(
            confidence=0.0,
            similarity=0.0,
            coverage=0.0,
            unknown=1.0,
            fact_asked=None,
            fact_missing=False,
            unknown_words=[],
        )
    similarity = max(e.similarity for e in evidence[: s.guard_similarity_window])
    top = leading[: s.guard_top_passages]
    top_terms: frozenset[str] = frozenset().union(*(stats.chunk_terms[c.index] for c in top))
    french = query.language == "fr"
    coverage = stats.coverage(weights, top_terms) if french else s.guard_foreign_coverage
    explained = {*query.corrections, *query.lexicon_words}
    own: dict[str, float] = {}
    unknown_terms: list[str] = []
    nouns: list[str] = []  # « restaurant » in « des notes de restaurant »: a verb's ending, a noun's determiner
    for word in stats.analyzer.words(query.text) if french else []:
        term = stats.analyzer.terms(word)
        if not term:
            continue
        weight = stats.idf.get(term[0], stats.unknown_idf)
        own[word] = weight
        folded = fold_accents(word)
        if term[0] in stats.idf or folded in explained or word.isdigit() or _scrap(word, query.text):
            continue
        if not facts.generic_form.search(folded):
            unknown_terms.append(word)
        elif facts.shown_noun(word, query.text):  # named in a partial answer, not weighed against the topic: it may
            nouns.append(word)  # be a word of a topic the corpus covers (« l'épuisement des représentants »)
    total = sum(own.values())
    unknown = sum(own[w] for w in unknown_terms) / total if total else 0.0
    # an acronym the corpus spells out is said unwritten (``unknown``) but does not lower the confidence: its phrase
    # was searched (« EPCI »: « établissements publics de coopération intercommunale »), and the notice says the rest
    spelled_out = {acronym.lower() for acronym in query.spelled_out}
    against = sum(own[w] for w in unknown_terms if w not in spelled_out) / total if total else 0.0
    unknown_terms = [_as_written(word, query.text) for word in unknown_terms]  # named so in a partial answer
    rare = _rare_acronyms(reader, stats, query, explained, s.partial_rare_sections) if french else []
    rare = [word for word in rare if word not in spelled and not any(word in entry.names for entry in described)]
    unknown_names = _unknown_names(query.text, names) if french and names is not None else []
    outside = outside_settings(query.text) if french else []
    fact, term = query.asked()
    if fact is not None and term:  # a fact about a named thing: given anywhere in the corpus, or not
        given = (
            names is None
            or names.gives(fact, term)
            or any(entry.called_in(term) for entry in described)
            or any(re.search(rf"(?<!\w){re.escape(acronym)}(?!\w)", term) for acronym in spelled)
        )  # « Que veut dire le sigle ESP ? » asks a definition of « sigle ESP »: ESP spelled out gives it
        fact_missing = not given
    else:
        holds = fact.holds_for("") if fact is not None else None
        share = s.guard_worded_fact_topic_share if fact is not None and fact.worded else s.guard_fact_topic_share
        marks = tuple(p for p in (holds, fact.asks if fact is not None else None, facts.measures) if p is not None)
        topical = (
            _topic_weights(stats, marks, query.text, weights) if fact is not None and holds is not None else weights
        )
        thing = _thing_terms(stats, fact.thing(query.text)) if fact is not None else ()

        def about(terms: frozenset[str]) -> bool:  # about what is asked: the thing named, else the topic's words
            if thing:
                return any(alternative <= terms for alternative in thing)
            return stats.coverage(topical, terms) >= share

        fact_missing = (
            holds is not None
            and not any(  # a number (a condition, a tax rule…) about something else does not count
                holds.search(reader.sentences[e.sentence].text) and about(_read_with(reader, stats, e.sentence))
                for e in evidence[: s.guard_fact_window]
            )
        )
    penalty = 0.0
    if fact is not None and fact_missing:
        penalty = s.guard_fact_penalty if fact.strict else s.guard_loose_fact_penalty
    topic = similarity + s.guard_coverage_weight * coverage - s.guard_unknown_weight * against
    name = fact.name if fact else None
    strict = bool(fact and fact.strict)
    confidence = round(topic - penalty, 4)
    return Assessment(
        confidence=confidence,
        similarity=similarity,
        coverage=coverage,
        unknown=unknown,
        fact_asked=name,
        fact_missing=fact_missing,
        unknown_words=unknown_terms,
        unknown_nouns=[_as_written(word, query.text) for word in nouns],
        topic_confidence=round(topic, 4),
        fact_strict=strict,
        fact_term=term,
        rare_words=rare,
        unknown_names=unknown_names,
        outside=outside,
    )


def _topic_weights(
    stats: TermStats, marks_of: Sequence[re.Pattern[str]], question: str, weights: dict[str, float]
) -> dict[str, float]:
    """The question's words without those that are marks of the fact or of asking for it (``marks_of``: « impôts »
    in « le RU doit-il déclarer ses défraiements aux impôts ? », « Gouvernement entend » in « Quand le Gouvernement
    entend-il généraliser… ? »): a sentence gives the fact about the question's topic when it holds some of the
    others, not only the mark (« Ces dons ouvrent droit à une réduction d'impôt » is about patronage). What the lexicon
    adds to a mark is a mark too: « paye » is searched with « rémunération indemnités », which say nothing of who pays
    whom (« Qui paye le coordinateur ? » is not answered by users' indemnities). So are the words saying what is
    measured (``measure_words``: « mois », « personnes »): « Cette expérimentation va durer 27 mois. » shares « mois »
    with any « ça dure combien de mois ? », whatever it asks about."""
    found = [m.group() for pattern in marks_of for m in pattern.finditer(question)]
    lexicon = Lexicon.load()
    meant = [lexicon.synonym(w, unwritten=True) or "" for mark in found for w in words_of(mark)]
    marks = set(stats.analyzer.terms(" ".join([*found, *meant])))
    return {t: w for t, w in weights.items() if t not in marks} or weights


def _thing_terms(stats: TermStats, thing: str) -> tuple[frozenset[str], ...]:
    """The ways a sentence names ``thing`` (what a question asks a fact about, as ``paid_for`` reads it:
    « coordinateur », « patients enseignants »): all its words; for an acronym the lexicon spells out, also the first
    two words of its full name (« maisons de santé » for « MSP »: the documents seldom write the third)."""
    if not thing:
        return ()
    ways = [frozenset(stats.analyzer.terms(thing))]
    meaning = Lexicon.load().abbreviations.get(fold_accents(thing.lower()), "")
    named = [t for word in meaning.split()[:-1] for t in stats.analyzer.terms(word)]
    if len(named) >= 2:
        ways.append(frozenset(named[:2]))
    return tuple(way for way in ways if way)


def _unknown_names(text: str, names: CorpusNames) -> list[str]:
    """The proper names ``text`` writes (``names.proper`` and ``names.addressed`` of ``query.toml``) that no sentence
    of the corpus writes, whole, as the names it joins (« Nouvelle-Aquitaine de France Assos Santé »: both are
    written; a joined word alone, « Maison » in « Maison des Usagers », is no name) or, for a person, by the first
    name's initial (« C. Compagnon » for « Claire Compagnon »), and the names of bodies written with one capital
    (``names.institution``: « Maison des usagers ») that it never writes whole, unless a proper name covers them."""
    rules = QueryRules.load()
    unknown: list[str] = []
    spans: list[tuple[int, int]] = []  # where the proper names stand: a body's name within one is not said again
    for match in [*rules.addressed_name.finditer(text), *rules.proper_name.finditer(text)]:
        name, parts = match.group(), [p.strip() for p in _JOINED.split(match.group()) if p.strip()]
        spans.append(match.span())
        joined = len(parts) > 1 and all(" " in part or "-" in part for part in parts)
        written = names.writes(name) or names.writes_by_initial(name)
        if not written and not (joined and all(names.writes(part) for part in parts)):
            unknown.append(name)
    for match in rules.institution_name.finditer(text):
        start, end = match.span()
        if not any(start < e and s < end for s, e in spans) and not names.writes(match.group()):
            unknown.append(match.group())
    return list(dict.fromkeys(unknown))


_JOINED = re.compile(r"\s+(?:de|du|des|la|le|et|en|à)\s+|\s+[dl]['’]")  # the small words a proper name may hold


def _read_with(reader: IndexReader, stats: TermStats, sid: int) -> frozenset[str]:
    """The words of a sentence, with those of the sentence before it in its passage when it points back at it
    (« Ce type de mécénat consiste pour les entreprises à réaliser des dons… », then « Ces dons ouvrent droit à une
    réduction d'impôt… »)."""
    terms = stats.sentence_terms[sid]
    siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
    pos = siblings.index(sid)
    if pos and refers_back().match(reader.sentences[sid].text):
        terms = terms | stats.sentence_terms[siblings[pos - 1]]
    return terms


def _rare_acronyms(reader: IndexReader, stats: TermStats, query: Query, explained: set[str], most: int) -> list[str]:
    """The acronyms ``query`` names (« SISA ») that at least one and at most ``most`` sections mention, by the
    acronym or by what the lexicon says it means (« société interprofessionnelle de soins ambulatoires »): the
    documents speak of them in passing. Sections, not passages: two overlapping passages of a section say the
    same thing once. One the documents never mention is an unknown word."""
    rare = []
    meanings = Lexicon.load().abbreviations
    for acronym in dict.fromkeys(QueryRules.load().named_acronym.findall(query.text)):
        terms = stats.analyzer.terms(acronym)
        if not terms or _sections(reader, found := stats.holding(terms[0])) > most:
            continue  # found: the passages that write the acronym, then those that write all the words it stands for
        word = fold_accents(acronym.lower())
        meaning = [t for t in stats.analyzer.terms(meanings[word]) if t != terms[0]] if word in meanings else []
        if word in explained and not meaning:
            continue
        if meaning:
            found |= frozenset.intersection(*(stats.holding(t) for t in meaning))
        if 1 <= _sections(reader, found) <= most:
            rare.append(acronym)
    return rare


def _sections(reader: IndexReader, passages: frozenset[int]) -> int:
    """How many sections ``passages`` belong to, told apart by their path: the advice sheet's and the fiche mission's
    sections have no number."""
    return len({(reader.chunks[i].doc_id, reader.chunks[i].section_path) for i in passages})
