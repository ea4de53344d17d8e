"""Personal medical questions and questions about one person's own care relationship are recognised (and declined
elsewhere); engagement questions that use medical words, or name a doctor within a collective setting, are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.safety import in_distress, is_individual_care, is_personal_medical, speaks_of_distress

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
        "Dois-je prendre mon traitement le matin ou le soir ?",
        # a drug asked about beside engagement words
        "Je suis représentant des usagers, puis-je prendre un anti-inflammatoire avant la réunion ?",
        "Dois-je prendre mon traitement avant la réunion du comité d'usagers ?",
        # people and a drug or a dose in one question: the dose counts
        "Nombre de patients diabétiques : quelle dose d'insuline dois-je prendre ?",
        "Combien de patients ont des effets secondaires avec le Doliprane, faut-il arrêter d'en prendre ?",
        "Combien de patients diabétiques, dois-je prendre mon traitement ?",
        # a symptom named with nothing of user engagement around it
        "Que faire en cas de fièvre ?",
        "Douleur aiguë ou douleur chronique ?",
        "Toux sèche la nuit : à partir de quand s'inquiéter ?",
        # a bite, a sting, what to watch for, when to see a doctor
        "Mon enfant s'est fait piquer par une abeille, que faire ?",
        "Une morsure de chien au mollet, c'est grave ?",
        "Que faut-il surveiller après une chute dans l'escalier ?",
        "Quand doit-on vraiment consulter pour une conjonctivite ?",
        # one's own examination; « je dois » as « dois-je »
        "À quel âge faut-il faire une mammographie ?",
        "J'ai de la fièvre depuis hier, je dois consulter ?",
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
        # what is taken is people (a follow-up « combien faut-il en prendre ? » so rewritten was declined as a dose)
        "Combien faut-il prendre de représentants des usagers au minimum ?",
        "Combien de représentants faut-il prendre au minimum ?",
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


def test_an_illness_named_in_a_follow_up_reads_with_the_question_it_leans_on() -> None:
    """« et pour un diagnostic juste sur le diabète ? » after a question on the shared diagnosis of needs was declined
    with the medical safety message; a drug, a dose or one's own symptom is still declined whatever came before."""
    before = "Diagnostic partagé ou participation au diagnostic ?"
    assert not is_personal_medical("et pour un diagnostic juste sur le diabète ?", before)
    assert is_personal_medical("et pour un diagnostic juste sur le diabète ?")
    assert is_personal_medical("et quelle dose d'insuline ?", before)
    # a follow-up on another topic than the question before, or on one's own health, is read alone
    for engaged in ("Comment recruter des représentants des usagers ?", "Qu'est-ce qu'une CPTS ?", before):
        for health in (
            "et pour la fièvre de mon fils ?",
            "du coup pour mon diabète je fais comment ?",
            "et pour une piqûre de tique ?",
            "et pour ma dépression, qui voir ?",
            "et pour la varicelle, il faut l'isoler combien de jours ?",
            "et si mon bébé vomit ?",
            "j'ai du diabète, que faire ?",
        ):
            assert is_personal_medical(health, engaged), (engaged, health)


def test_a_broken_rules_file_is_reported_in_french(tmp_path: Path) -> None:
    bad = tmp_path / "medical.toml"
    bad.write_text("patterns = ['(']\nsymptoms = []\nengagement = []\npeople_taken = []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="règles médicales illisibles"):
        is_personal_medical("une question", path=bad)


@pytest.mark.parametrize(
    "question",
    [
        "Suis-je libre de choisir mon médecin ?",
        "Comment changer de médecin traitant ?",
        "Je n'ai plus de médecin traitant, que faire ?",
        "Un médecin a-t-il le droit de refuser un nouveau patient ?",
        "Mon médecin traitant ne veut plus me suivre, c'est légal ?",
        "Que faire face à un refus de soins ?",
        "Comment me plaindre d'un médecin ?",
        "Comment obtenir une copie de mon dossier médical ?",
        "Un médecin peut-il me radier de sa patientèle ?",
        "Mon médecin m'a radié, que faire ?",
        "J'ai été radié par mon médecin traitant",
        "Le cabinet refuse de me communiquer mon dossier",
        "Comment améliorer ma relation avec mon médecin ?",
        "Comment mieux communiquer avec mon médecin traitant ?",
        "Comment améliorer la relation avec mon médecin ?",
        "Comment mieux échanger avec mon généraliste ?",
        # a setting named as one's own is where one is cared for
        "Comment changer de médecin dans ma MSP ?",
        "Comment faire une réclamation auprès de mon centre de santé ?",
        "Mon centre de santé refuse de me donner mon dossier médical",
    ],
)
def test_a_question_on_ones_own_care_relationship_is_recognised(question: str) -> None:
    """The documents treat the collective dimension of user engagement, not one person's care."""
    assert is_individual_care(question)


@pytest.mark.parametrize(
    "question",
    [
        # each of these names a care relationship (« trouver un médecin », « refus de soins », « déposer une
        # réclamation »…) in a collective setting: a question about what a team or its users do
        "Comment aider les patients à trouver un médecin traitant ?",
        "Comment la CPTS aide-t-elle les habitants à trouver un médecin traitant ?",
        "Comment lutter contre les refus de soins sur le territoire ?",
        "Comment les usagers peuvent-ils déposer une réclamation auprès de l'équipe de soins primaires ?",
        "Où adresser une plainte sur le manque d'implication des usagers ?",
        "Comment chercher un médecin pour rejoindre l'équipe ?",
        "Peut-on refuser un patient dans un groupe de parole ?",
        "Comment trouver un généraliste volontaire pour lancer la démarche ?",
        "Comment radier un membre du conseil d'administration de l'association ?",
        "Un adhérent radié de la liste peut-il revenir ?",
        "Comment communiquer le dossier de santé numérique aux patients ?",
        # a doctor named without a care relationship
        "Mon médecin m'a proposé de devenir patient partenaire, qu'est-ce que c'est ?",
        "Quels arguments pour convaincre mon médecin d'associer les usagers ?",
        "Comment parler à mon médecin du comité d'usagers de la MSP ?",
        "Comment améliorer la relation entre les usagers et les professionnels de la MSP ?",
        # a coordinator's team (« mes médecins »), or an engagement topic to talk of with one's doctor
        "Je suis coordinatrice, comment communiquer avec mes médecins sur la charte ?",
        "Comment parler à mes médecins de la démocratie sanitaire ?",
        "Comment parler à mon médecin de la santé communautaire ?",
    ],
)
def test_a_care_question_in_a_collective_setting_is_not(question: str) -> None:
    assert not is_individual_care(question)


def test_a_follow_up_reads_the_setting_of_the_question_it_follows() -> None:
    """« Et comment aide-t-elle à trouver un médecin traitant ? » after a question on the CPTS's missions."""
    follow_up = "Et comment aide-t-elle à trouver un médecin traitant ?"
    assert is_individual_care(follow_up)
    assert not is_individual_care(follow_up, "Quelles sont les missions d'une CPTS ? " + follow_up)


@pytest.mark.parametrize(
    ("question", "declined"),
    [
        ("j'ai des idées noires, que faire ?", True),
        ("je pense au suicide", True),
        ("idées suicidaires", True),
        ("Mon fils parle de se tuer, à qui m'adresser ?", True),
        ("je n'ai plus envie de vivre", True),
        # suicide prevention as a topic of engagement: answered, the crisis line given as a note
        ("Comment une CPTS peut-elle mener une action de prévention du suicide avec les usagers ?", False),
    ],
)
def test_a_question_speaking_of_suicide_gets_the_crisis_line(question: str, declined: bool) -> None:
    """« idées noires », « je pense au suicide » got the out-of-scope message, no number to call (a second reader
    found it). Spoken of about oneself or someone close, or with nothing of user engagement around it, such a
    question is declined with the crisis message (3114, 15, 112); about prevention as a topic, it is answered."""
    assert speaks_of_distress(question)
    assert in_distress(question) is declined


def test_words_close_to_distress_are_not_distress() -> None:
    for question in ("Comment mettre fin au mandat d'un représentant ?", "Les usagers ont-ils envie de participer ?"):
        assert not speaks_of_distress(question)
