"""What the documents say they do not treat: found in their own sentences, and named by a question."""

from __future__ import annotations

import pytest

from assistant.scope import ScopeLimits
from ingest.lexical import FrenchAnalyzer

pytestmark = pytest.mark.fast

_SENTENCES = [
    "Les CPTS constituent un espace d'organisation (MSP, centres de santé, hôpitaux).",  # brackets, no statement
    "Ce guide ne traite pas des organisations liées à la démocratie en santé (comme les conseils de la vie "
    "sociale ou les commissions des usagers) ni des autres dispositifs (conseils territoriaux de santé, "
    "contrats locaux de santé, COREVIH...), qui eux aussi ont un intérêt.",
    "Cette fiche ne traite pas des autres lieux (commerces de proximité, laboratoires d'analyses).",
]


@pytest.fixture(scope="module")
def limits() -> ScopeLimits:
    return ScopeLimits.build(_SENTENCES, FrenchAnalyzer().words)


def test_the_things_a_document_says_it_leaves_out_are_the_items_of_its_brackets(limits: ScopeLimits) -> None:
    names = [limit.name for limit in limits.limits]
    assert names == [
        "conseils de la vie sociale",
        "commissions des usagers",
        "conseils territoriaux de santé",
        "contrats locaux de santé",
        "COREVIH",
        "commerces de proximité",  # « comme », « la », « l' » are left out only as words of their own
        "laboratoires d'analyses",
    ]
    assert {limit.sentence for limit in limits.limits} == {1, 2}  # the brackets of other sentences name nothing


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Qu'est-ce que le Conseil de la vie sociale en EHPAD ?", "conseils de la vie sociale"),
        ("Qu'est-ce qu'une Commission des Usagers ?", "commissions des usagers"),
        ("Quel rôle pour le conseil territorial de santé ?", "conseils territoriaux de santé"),
        ("le COREVIH peut-il aider une CPTS ?", "COREVIH"),
    ],
)
def test_a_question_names_a_limit_in_the_singular_or_the_plural(limits: ScopeLimits, question: str, named: str) -> None:
    assert [limit.name for limit in limits.named_in(FrenchAnalyzer().words(question))] == [named]


@pytest.mark.parametrize(
    "question",
    [
        "Qu'est-ce que la démocratie en santé ?",  # the statement's own subject, not an item it lists
        "Comment associer les usagers au conseil d'administration ?",  # « conseil » alone
        "Les contrats de ville parlent-ils de santé ?",  # other words between
    ],
)
def test_words_of_a_limit_apart_or_alone_name_nothing(limits: ScopeLimits, question: str) -> None:
    assert limits.named_in(FrenchAnalyzer().words(question)) == []


@pytest.mark.parametrize(
    ("question", "outside"),
    [
        ("C'est quoi être représentant des usagers en conseil de surveillance ?", ["conseil de surveillance"]),
        ("Et si la défense de l'hôpital public passait avant tout par les usagers ?", ["hôpital"]),
        ("Le modèle de démocratie sanitaire des CRSA est-il pertinent ?", ["CRSA"]),
        ("Qu'est-ce que le Conseil de la vie sociale en EHPAD ?", ["Conseil de la vie sociale", "EHPAD"]),
        ("Et le conseil de surveillance… on y siège comment ?", ["conseil de surveillance"]),
        ("Un centre hospitalier peut-il créer un comité d'usagers ?", ["centre hospitalier"]),
        ("Les facultés de médecine forment-elles aux patients partenaires ?", ["facultés de médecine"]),
        ("L'hôpital associe-t-il les usagers comme le fait l'hôpital voisin ?", ["hôpital"]),  # named once
        # a stay in hospital, clinical research: no setting
        ("Un patient sorti d'hospitalisation peut-il participer au comité d'usagers ?", []),
        ("Les usagers peuvent-ils participer à la recherche clinique ?", []),
        # a primary-care setting named beside it: the question is about primary care
        ("Les CPTS travaillent-elles avec l'hôpital ?", []),
        ("Comment organiser le lien ville-hôpital avec les usagers ?", []),
        ("Comment associer les usagers en ville et à l'hôpital ?", []),
        ("Comment un centre municipal de santé travaille-t-il avec l'hôpital ?", []),
        ("Mon médecin traitant peut-il m'orienter vers l'hôpital ?", []),
        ("Comment une maison de santé associe-t-elle les usagers après une hospitalisation ?", []),
        ("Comment recruter des représentants des usagers ?", []),
    ],
)
def test_a_question_about_a_setting_outside_primary_care_names_it(question: str, outside: list[str]) -> None:
    """The documents treat maisons de santé, centres de santé and CPTS; a hospital's body or an EHPAD is another
    setting, named as the question writes it."""
    from assistant.scope import outside_settings

    assert outside_settings(question) == outside


def test_an_answer_about_a_setting_outside_primary_care_says_so_first() -> None:
    """Covered by its words (a high confidence), the question is still about another setting: partial, named."""
    from assistant.answer import Coverage
    from assistant.coverage import decide, partial_notice
    from assistant.guard import Assessment
    from assistant.prompts import load_phrases
    from ingest.settings import Settings

    settings = Settings()
    covered = Assessment(0.97, 0.9, 0.9, 0.0, None, False, [], topic_confidence=0.97)
    assert decide(covered, settings) is Coverage.FULL
    outside = Assessment(0.97, 0.9, 0.9, 0.0, None, False, [], topic_confidence=0.97, outside=["CRSA"])
    assert decide(outside, settings) is Coverage.PARTIAL
    notice = partial_notice(outside, load_phrases(settings.prompts_dir, "extractive"), settings)
    assert notice.startswith("Les documents de référence portent sur les soins primaires")
    assert "pas sur « CRSA »" in notice
