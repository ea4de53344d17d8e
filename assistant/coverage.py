"""How far the documents cover what was asked: "full", "partial" when only the neighbourhood is covered
(the asked fact — a sum, a date, a legal reference… — or the question's own salient words are absent from
the evidence, the acronym it asks about is only mentioned in passing, a proper name it writes never is, or it is
about a setting outside primary care),
or "none" (declined). A partial answer says first, plainly, what the documents do not give.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answer import Coverage
from assistant.guard import Assessment
from assistant.rules import FactRules
from ingest.lexical import everyday_words
from ingest.settings import Settings


def decide(assessment: Assessment, settings: Settings) -> Coverage:
    """Answer fully, partly (the topic is covered, not the thing asked), or decline. Below
    ``guard_min_similarity`` no sentence is about the question, whatever words it shares with it."""
    if assessment.similarity < settings.guard_min_similarity:
        return Coverage.NONE
    if assessment.confidence >= settings.refusal_threshold:
        return Coverage.PARTIAL if _missing(assessment, settings) else Coverage.FULL
    if assessment.fact_missing and assessment.fact_strict:
        return Coverage.PARTIAL if assessment.topic_confidence >= settings.partial_min_confidence else Coverage.NONE
    if assessment.fact_missing and assessment.topic_confidence >= settings.refusal_threshold:
        return Coverage.PARTIAL  # a loose fact (a count, a payer) the patterns may not see: the topic is covered
    return Coverage.NONE


def _missing(assessment: Assessment, settings: Settings) -> bool:
    unsaid = assessment.rare_words or assessment.unknown_names or assessment.outside or assessment.unknown_nouns
    return assessment.fact_missing or _unknown(assessment, settings) or bool(unsaid)


def _unknown(assessment: Assessment, settings: Settings) -> bool:
    return assessment.unknown >= settings.partial_unknown_share


def partial_notice(
    assessment: Assessment, phrases: dict[str, str], settings: Settings, elsewhere: bool = False, question: str = ""
) -> str:
    """The notice that opens a partly covered answer: what the documents do not give. A loose fact no sentence holds
    (a count, a payer: it may be written in words the patterns miss) is said to seem missing, when nothing else is.
    An acronym the documents never write is said so, not that they do not speak of what it stands for: « EPCI » is
    unwritten, « établissements publics de coopération intercommunale » is (and may be quoted below); the rest that is
    missing follows, if anything. ``elsewhere``: the answer quotes figures of the kind asked all the same, about
    something else: the notice says so. Everyday words of ``question`` the corpus never writes (« dois », « bientôt »)
    are not named; when nothing else is missing, the notice says the documents do not answer directly."""
    acronyms = [w for w in assessment.unknown_words if _ACRONYM.fullmatch(w)]
    if acronyms:
        named = join_named([f"« {a} »" for a in acronyms[: settings.partial_words_named]], phrases["partial_rare_and"])
        others = [w for w in assessment.unknown_words if w not in acronyms]
        # without them, no unknown share is left unless other unknown words are: a rare acronym is then said as such
        left = replace(assessment, unknown_words=others, unknown=assessment.unknown if others else 0.0)
        more = left.fact_missing or left.outside or left.rare_words or _unsaid(left)
        rest = partial_notice(left, phrases, settings, question=question) if more else phrases["partial_closest"]
        said = phrases["partial_acronym" if len(acronyms) == 1 else "partial_acronyms"].format(acronyms=named)
        return f"{said} {rest}"
    unsaid = [w for w in _unsaid(assessment) if not _everyday(w, question, settings)][: settings.partial_words_named]
    if assessment.fact_missing and assessment.fact_asked and assessment.fact_strict:
        phrase = phrases["partial_fact_elsewhere" if elsewhere else "partial_fact"]
        notice = _fact_notice(assessment.fact_asked, assessment.fact_term, phrase)
    elif assessment.outside:  # a hospital's body, an EHPAD…: the documents treat primary care
        named = [f"« {w} »" for w in assessment.outside[: settings.partial_words_named]]
        notice = phrases["partial_outside"].format(words=join_named(named, phrases["partial_rare_and"]))
    elif assessment.rare_words and not assessment.unknown_names and not _unknown(assessment, settings):
        named = [f"« {w} »" for w in assessment.rare_words[: settings.partial_words_named]]
        notice = phrases["partial_rare"].format(words=join_named(named, phrases["partial_rare_and"]))
    elif not unsaid and assessment.fact_missing and assessment.fact_asked:  # « Quel âge faut-il avoir… ? »
        notice = _fact_notice(assessment.fact_asked, assessment.fact_term, phrases["partial_fact_loose"])
    elif unsaid:  # the proper names no passage writes first, then the words the corpus never uses
        notice = phrases["partial_words"].format(words=", ".join(f"« {w} »" for w in unsaid))
    else:  # only everyday words the corpus never writes (« Est-ce que je dois… ? »): none is named
        notice = phrases["partial_general"]
    return _ELIDED.sub("d'« ", notice)


def _everyday(word: str, question: str, settings: Settings) -> bool:
    """Whether ``word`` is one of the most frequent words of French (``partial_everyday_words``) and no determiner
    precedes it in ``question``: « dois », « bientôt », words of any question, not what it asks (« le numéro »)."""
    return word.lower() in everyday_words(settings.partial_everyday_words) and not FactRules.load().determined(
        word, question
    )


def _unsaid(assessment: Assessment) -> list[str]:
    """The proper names no passage writes, then the words the corpus never uses, then nouns no passage writes; a word
    of a name already named is not named again (« Françoise Sellin », not « Françoise Sellin », « Sellin »)."""
    names = assessment.unknown_names

    def in_a_name(word: str) -> bool:
        return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", name, re.IGNORECASE) for name in names)

    return [*names, *(w for w in [*assessment.unknown_words, *assessment.unknown_nouns] if not in_a_name(w))]


def _fact_notice(fact: str, term: str, phrase: str) -> str:
    """``phrase`` with what the documents do not give of the kind of fact ``fact`` (about ``term`` if it names one)."""
    return phrase.format(missing=FactRules.load().kind(fact).missing.format(term=term))


def join_named(names: list[str], last: str) -> str:
    """« A », « B » and « C » (``last`` before the last name: « et », « et des »), each named once."""
    unique = list(dict.fromkeys(names))
    return last.join(filter(None, [", ".join(unique[:-1]), unique[-1]])) if unique else ""


_ACRONYM = re.compile(r"[A-ZÀ-Ý][A-ZÀ-Ý0-9]{1,7}s?")  # « EPCI », « PDSA »: a word in capitals, maybe a plural « s »

# « de » before a quoted word that opens on a vowel or an h is elided: « de définition d'« activité d'un patient » »
_ELIDED = re.compile(r"\bde « (?=[aeiouyéèêëàâîïôûhAEIOUYÉÈÊËÀÂÎÏÔÛH])")
