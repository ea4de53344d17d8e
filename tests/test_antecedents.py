"""A follow-up's pronoun replaced by what the previous question named, so that it is asked as a whole question."""

from __future__ import annotations

import pytest

from assistant.antecedents import phrases_of, resolve

pytestmark = pytest.mark.fast

RECRUIT = "Comment recruter des représentants des usagers dans notre MSP ?"
FACILITATOR = "c quoi un facilitateur dans une démarche d'engagement des usagers ?"
ROLE = "Quel est le rôle du patient partenaire dans une CPTS ?"


@pytest.mark.parametrize(
    ("previous", "followup", "whole"),
    [
        (RECRUIT, "ils sont payés ?", "Les représentants des usagers sont payés ?"),
        (RECRUIT, "et ils sont payés comment ?", "Les représentants des usagers sont payés comment ?"),
        (
            RECRUIT,
            "est-ce qu'ils doivent être formés ?",
            "Est-ce que les représentants des usagers doivent être formés ?",
        ),
        (RECRUIT, "comment sont-ils choisis ?", "Comment les représentants des usagers sont-ils choisis ?"),
        (RECRUIT, "que font-ils ?", "Que font les représentants des usagers ?"),
        (RECRUIT, "combien faut-il en recruter ?", "Combien faut-il recruter de représentants des usagers ?"),
        (RECRUIT, "comment les trouver ?", "Comment trouver les représentants des usagers ?"),
        (
            RECRUIT,
            "est-il possible de les indemniser ?",
            "Est-il possible d'indemniser les représentants des usagers ?",
        ),
        (RECRUIT, "on peut leur demander de venir ?", "On peut demander aux représentants des usagers de venir ?"),
        (RECRUIT, "et s'ils refusent ?", "Si les représentants des usagers refusent ?"),
        # a question naming one person: « ils » are people of that kind
        (FACILITATOR, "et ils sont payés comment ?", "Les facilitateurs sont payés comment ?"),
        (FACILITATOR, "il est payé ?", "Le facilitateur est payé ?"),
        # the person in a complement, not the abstract noun it completes
        (ROLE, "il est payé ?", "Le patient partenaire est payé ?"),
        (ROLE, "comment les former ?", "Comment former les patients partenaires ?"),
        # a reflexive verb inverted
        (
            "Qu'est-ce qu'une Commission des Usagers ?",
            "se réunit-elle souvent ?",
            "La Commission des Usagers se réunit-elle souvent ?",
        ),
        # « elle »: the feminine phrase
        (ROLE, "elle sert à quoi ?", "La CPTS sert à quoi ?"),
        (
            "quel est le salaire d'un coordinateur de CPTS ?",
            "sont-ils rémunérés ?",
            "Les coordinateurs de CPTS sont-ils rémunérés ?",
        ),
    ],
)
def test_a_pronoun_is_replaced_by_what_the_previous_question_named(previous: str, followup: str, whole: str) -> None:
    assert resolve(previous, followup) == whole


@pytest.mark.parametrize(
    "followup",
    [
        "il faut combien de personnes ?",  # impersonal: « il » points at nothing
        "qu'est-ce qu'il faut faire ?",
        "y a-t-il une charte ?",
        "les patients, comment les recruter ?",  # the follow-up names its own subject
        "les usagers sont-ils tenus au secret ?",
        "et qui anime ces réunions ?",  # no pronoun
        "et dans un centre de santé ?",
    ],
)
def test_a_follow_up_without_a_pronoun_pointing_back_is_left_as_it_is(followup: str) -> None:
    assert resolve(RECRUIT, followup) is None


def test_a_pronoun_of_another_gender_than_every_phrase_is_left_as_it_is() -> None:
    # « elles » after a question naming only masculine things: nothing to stand for
    assert resolve("le RU en CPTS il fait quoi pour le diagnostic ?", "elles servent à quoi ?") is None


def test_phrases_are_read_whole_and_end_before_a_verb_or_a_preposition() -> None:
    found = [(p.known(p.plural), p.plural, p.complement) for p in phrases_of(RECRUIT)]
    assert found == [
        ("les représentants des usagers", True, False),
        ("les usagers", True, True),
        ("notre MSP", False, False),
    ]
    # « participent » is the verb of « les usagers », not an adjective; « les trouver » is no phrase
    assert [p.known(True) for p in phrases_of("Les usagers participent-ils ? comment les trouver ?")] == ["les usagers"]
