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
