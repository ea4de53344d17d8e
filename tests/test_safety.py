"""Personal medical questions and questions about one person's own care relationship are recognised (and declined
elsewhere); engagement questions that use medical words, or name a doctor within a collective setting, are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.safety import is_individual_care, is_personal_medical

pytestmark = pytest.mark.fast


@pytest.mark.parametrize(
    "question",
    [
        "Quel est le meilleur traitement contre le diabète ?",
        "J'ai mal au ventre depuis trois jours, que faire ?",
        "Combien de Doliprane puis-je prendre par jour ?",
        "Mon fils a de la fièvre, dois-je consulter ?",
        "Quels sont les symptômes du covid ?",
        "quelle dose de paracetamol pour un enfant de 15 kg ?",
        # a symptom named with nothing of user engagement around it
        "Que faire en cas de fièvre ?",
        "Douleur aiguë ou douleur chronique ?",
        "Toux sèche la nuit : à partir de quand s'inquiéter ?",
        # a bite, a sting, what to watch for, when to see a doctor
        "Mon enfant s'est fait piquer par une abeille, que faire ?",
        "Une morsure de chien au mollet, c'est grave ?",
        "Que faut-il surveiller après une chute dans l'escalier ?",
        "Quand doit-on vraiment consulter pour une conjonctivite ?",
    ],
)
def test_a_personal_medical_question_is_recognised(question: str) -> None:
    assert is_personal_medical(question)


@pytest.mark.parametrize(
    "question",
    [
        "Comment monter un programme d'éducation thérapeutique du patient diabétique dans notre MSP ?",
        "Comment protéger le traitement des données personnelles des usagers ?",
        "Combien de représentants d'usagers faut-il dans une CPTS ?",
        "Certains pros ont peur que les usagers viennent leur dire comment soigner. Que répond le guide ?",
        "Le diagnostic territorial doit-il associer les usagers ?",
        "Peut-on prendre la parole en réunion quand on est représentant ?",
        "Comment une association de patients atteints de cancer peut-elle entrer dans une CPTS ?",
        "Un atelier sur la douleur chronique peut-il être animé avec des usagers ?",
        "Comment organiser une campagne de vaccination avec les usagers, piqûre de rappel comprise ?",
        "Un malaise en salle d'attente : que prévoit le règlement intérieur de la MSP ?",
        "Quand faut-il consulter les usagers sur le projet de santé ?",
        "Quand faut-il consulter pour le projet de santé de la CPTS ?",
        "Que faut-il surveiller dans le budget de la CPTS ?",
    ],
)
def test_an_engagement_question_with_medical_words_is_not(question: str) -> None:
    assert not is_personal_medical(question)


def test_a_broken_rules_file_is_reported_in_french(tmp_path: Path) -> None:
    bad = tmp_path / "medical.toml"
    bad.write_text("patterns = ['(']\nsymptoms = []\nengagement = []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="règles médicales illisibles"):
        is_personal_medical("une question", bad)


@pytest.mark.parametrize(
    "question",
    [
        "Suis-je libre de choisir mon médecin ?",
        "Comment changer de médecin traitant ?",
        "Je ne trouve plus de généraliste depuis le départ du mien, que faire ?",
        "Un médecin a-t-il le droit de refuser un nouveau patient ?",
        "Que faire face à un refus de soins ?",
        "Où déposer une plainte contre un dentiste ?",
        "Comment obtenir mon dossier médical ?",
    ],
)
def test_a_question_on_ones_own_care_relationship_is_recognised(question: str) -> None:
    """The documents treat the collective dimension of user engagement, not one person's care."""
    assert is_individual_care(question)


@pytest.mark.parametrize(
    "question",
    [
        "Comment la CPTS aide-t-elle les habitants à trouver un médecin traitant ?",
        "Le représentant des usagers peut-il recueillir les plaintes des patients de la MSP ?",
        "Une commission des usagers peut-elle examiner une réclamation dans un centre de santé ?",
        "Les usagers peuvent-ils participer au choix du médecin coordonnateur ?",
        "Comment recruter des représentants des usagers dans notre MSP ?",
        "Mon association peut-elle adhérer à la CPTS ?",
    ],
)
def test_a_care_question_in_a_collective_setting_is_not(question: str) -> None:
    assert not is_individual_care(question)
