"""Personal medical questions are declined with a safety message, and questions about one person's own care with the
documents' scope, whatever the retrieval finds.

The patterns are data (``assistant/data/medical.toml``); this module only compiles and applies them.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from ingest.lexical import fold_text

RULES_FILE = Path(__file__).parent / "data" / "medical.toml"


@lru_cache(maxsize=8)
def _patterns(keys: tuple[str, ...], path: Path = RULES_FILE) -> tuple[re.Pattern[str], ...]:
    """The patterns of ``keys`` in the rules file, each list as one pattern."""
    try:
        rules = tomllib.loads(path.read_text(encoding="utf-8"))
        return tuple(re.compile("|".join(f"(?:{p})" for p in rules[key])) for key in keys)
    except (OSError, KeyError, ValueError, re.error) as exc:
        raise ValueError(f"règles médicales illisibles ({path.name}) : {exc}") from exc


def is_personal_medical(question: str, context: str = "", path: Path = RULES_FILE) -> bool:
    """Does the question ask for medical advice (a treatment, a drug, a dose, what a symptom means), or
    name a symptom or an illness with no word of user engagement around it, in it or in ``context``, the question a
    follow-up leans on, when the follow-up speaks of its topic and of nobody's own health (:func:`_on_topic`: « et
    pour un diagnostic juste sur le diabète ? » after « Diagnostic partagé ou participation au diagnostic ? » asks
    about a diagnosis of needs)?"""
    text = fold_text(question)
    asks, symptoms, engagement, people = _patterns(("patterns", "symptoms", "engagement", "people_taken"), path)
    taken = people.sub(_without_taking, text)  # « combien de représentants faut-il prendre ? »: people, no dose
    if asks.search(taken) is not None:
        return True
    around = f"{text} {fold_text(context)}" if _on_topic(text, fold_text(context), path) else text
    return symptoms.search(text) is not None and engagement.search(around) is None


def speaks_of_distress(question: str, path: Path = RULES_FILE) -> bool:
    """Does the question speak of suicide, of wanting to die or of harming oneself (``crisis``)?"""
    (crisis,) = _patterns(("crisis",), path)
    return crisis.search(fold_text(question)) is not None


def in_distress(question: str, path: Path = RULES_FILE) -> bool:
    """Does the question speak of distress (:func:`speaks_of_distress`) about oneself or someone close (« je », « mon
    fils »: ``personal``), or with no word of user engagement around it? Then it is declined with the crisis message;
    otherwise it asks about suicide prevention as a topic, answered with the crisis line as a note."""
    personal, engagement = _patterns(("personal", "engagement"), path)
    text = fold_text(question)
    return speaks_of_distress(question, path) and (personal.search(text) is not None or engagement.search(text) is None)


def _on_topic(followup: str, context: str, path: Path = RULES_FILE) -> bool:
    """Does a follow-up (folded) speak of the topic of the question it leans on, and of nobody's own health: it shares a
    word of five letters or more with it, not one of ``not_topics``, and says no « mon », « je »… (``personal``)?"""
    personal, skipped = _patterns(("personal", "not_topics"), path)
    if not context or personal.search(followup):
        return False
    stems = {w[:5] for w in re.findall(r"[\w'-]{5,}", context) if not skipped.fullmatch(w)}
    return any(w[:5] in stems for w in re.findall(r"[\w'-]{5,}", followup) if not skipped.fullmatch(w))


def _without_taking(match: re.Match[str]) -> str:
    """The matched words with their « prendre » set aside, the others kept for the drug and dose patterns."""
    return re.sub(r"\bprendre\b", "_", match.group(0), count=1)


def is_individual_care(question: str, context: str = "", path: Path = RULES_FILE) -> bool:
    """Does the question ask about one person's own care relationship (choosing or changing one's doctor, a doctor
    who refuses or stops following a patient, a complaint about one's care, one's medical record) while neither it nor
    ``context`` (the conversation it follows) names a collective setting or an engagement word (a CPTS, a team,
    users, participation…)? « Ma MSP » is where one is cared for: no collective setting. The documents treat the
    collective dimension of user engagement, not a patient's own relation to their care."""
    care, collective, own = _patterns(("individual_care", "collective", "own_setting"), path)
    text = fold_text(question)
    setting = own.sub(" ", f"{text} {fold_text(context)}")
    return care.search(text) is not None and collective.search(setting) is None
