"""A follow-up's pronoun replaced by what the previous question named, so that it is asked as a whole question; and
no rewrite when the referent is not certain, since the rewrite is shown to the user."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.antecedents import CorpusGrammar, phrases_of, resolve

pytestmark = pytest.mark.fast

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
RECRUIT = "Comment recruter des représentants des usagers dans notre MSP ?"
FACILITATOR = "c quoi un facilitateur dans une démarche d'engagement des usagers ?"
ROLE = "Quel est le rôle du patient partenaire dans une CPTS ?"


@pytest.fixture(scope="module")
def grammar() -> CorpusGrammar:
    return CorpusGrammar.of(path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.txt")))


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
        (RECRUIT, "on peut leur demander de venir ?", "On peut demander aux représentants des usagers de venir ?"),
        (RECRUIT, "et s'ils refusent ?", "Si les représentants des usagers refusent ?"),
        (RECRUIT, "que doivent-ils faire ?", "Que doivent faire les représentants des usagers ?"),
        # a question word, « quelles données », « combien de fiches » before the pronoun
        ("C'est quoi une CPTS ?", "Comment elle est financée ?", "Comment la CPTS est financée ?"),
        (
            "Comment associer les usagers au diagnostic territorial ?",
            "Quelles données peuvent-ils apporter ?",
            "Quelles données les usagers peuvent-ils apporter ?",
        ),
        (
            "Comment rédiger une charte de l'engagement des usagers ?",
            "Que doit-elle contenir ?",
            "Que doit contenir la charte de l'engagement des usagers ?",
        ),
        # « le », « la » before an infinitive; an object before a conjugated verb after « qui », « on »
        ("Qu'est-ce qu'une CPTS ?", "comment la créer ?", "Comment créer la CPTS ?"),
        ("Comment rédiger une charte d'engagement ?", "Qui la signe ?", "Qui signe la charte d'engagement ?"),
        (RECRUIT, "on les paie ?", "On paie les représentants des usagers ?"),
        # an impersonal « il » stays; the object after it is replaced
        (RECRUIT, "il est difficile de les recruter ?", "Il est difficile de recruter les représentants des usagers ?"),
        (RECRUIT, "il faudrait les payer ?", "Il faudrait payer les représentants des usagers ?"),
        # a question naming one person: « ils » are people of that kind
        (FACILITATOR, "et ils sont payés comment ?", "Les facilitateurs sont payés comment ?"),
        (FACILITATOR, "il est payé ?", "Le facilitateur est payé ?"),
        # a noun that says something of its complement: the pronoun is the complement
        (ROLE, "comment les former ?", "Comment former les patients partenaires ?"),
        (
            "quel est le salaire d'un coordinateur de CPTS ?",
            "sont-ils rémunérés ?",
            "Les coordinateurs de CPTS sont-ils rémunérés ?",
        ),
        # « elle », « elles »: a feminine phrase, as the article or the documents' own « la/une X » say
        (ROLE, "elle sert à quoi ?", "La CPTS sert à quoi ?"),
        ("Les MSP doivent-elles consulter les usagers ?", "elles sont contrôlées ?", "Les MSP sont contrôlées ?"),
        ("Que recommande la HAS ?", "elle recommande quoi d'autre ?", "La HAS recommande quoi d'autre ?"),
        # a name, a place « en » adds that the documents write, « d' » before a mute « h »
        (
            "Comment associer les Petits Frères des Pauvres à la CPTS ?",
            "ils interviennent en MSP ?",
            "Les Petits Frères des Pauvres interviennent en MSP ?",
        ),
        (
            "Qu'est-ce que la démocratie en santé ?",
            "elle existe depuis quand ?",
            "La démocratie en santé existe depuis quand ?",
        ),
        (
            "Comment recruter des habitants pour le comité ?",
            "combien faut-il en recruter ?",
            "Combien faut-il recruter d'habitants ?",
        ),
        # « y »: a place or a thing, never a person
        (
            "Qu’est-ce que les Conseils Territoriaux de Santé (CTS) ?",
            "comment on fait pour y siéger ?",
            "Comment on fait pour siéger aux Conseils Territoriaux de Santé ?",
        ),
        # a reflexive verb inverted; a place named by a preposition is no subject of the follow-up's own
        (
            "Qu'est-ce qu'une Commission des Usagers ?",
            "se réunit-elle souvent ?",
            "La Commission des Usagers se réunit-elle souvent ?",
        ),
        (
            "Qui est le représentant associatif en CPTS ?",
            "il doit habiter sur le territoire ?",
            "Le représentant associatif en CPTS doit habiter sur le territoire ?",
        ),
        # the verb keeps its small letter after the phrase
        (
            "Qui est le représentant associatif en CPTS ?",
            "Peut-il voter ?",
            "Le représentant associatif en CPTS peut-il voter ?",
        ),
        # two phrases fit, and what is said of the pronoun only a person is: the person
        (ROLE, "il est payé ?", "Le patient partenaire est payé ?"),
        (
            "Quelle est la mission du médiateur en santé ?",
            "il touche combien ?",
            "Le médiateur en santé touche combien ?",
        ),
        # « ça » after a question asking what one thing is: that thing
        (
            "Qu'est-ce que le secret professionnel ?",
            "ça concerne aussi la secrétaire d'accueil de la MSP ?",
            "Le secret professionnel concerne aussi la secrétaire d'accueil de la MSP ?",
        ),
        (
            "Qu'est-ce que le mécénat de compétences ?",
            "ça coûte combien ?",
            "Le mécénat de compétences coûte combien ?",
        ),
        (
            "Qu'est-ce que la participation des usagers ?",
            "ça concerne aussi les CPTS ?",
            "La participation des usagers concerne aussi les CPTS ?",
        ),
        # « en » before a verb that takes « de »: « de » and the thing
        (
            "Qu'est-ce que le mécénat de compétences ?",
            "une MSP en SISA peut-elle en bénéficier ?",
            "Une MSP en SISA peut-elle bénéficier du mécénat de compétences ?",
        ),
        (
            "Qu'est-ce que le mécénat de compétences ?",
            "on peut en bénéficier pour un projet d'usagers ?",
            "On peut bénéficier du mécénat de compétences pour un projet d'usagers ?",
        ),
        # « le faire »: the action the previous question asks about
        (
            "Comment établir le diagnostic du territoire ?",
            "on peut le faire avec un questionnaire en ligne ?",
            "On peut établir le diagnostic du territoire avec un questionnaire en ligne ?",
        ),
        (RECRUIT, "qui peut le faire ?", "Qui peut recruter des représentants des usagers dans notre MSP ?"),
        ("Faut-il rémunérer les usagers ?", "et comment le faire ?", "Comment rémunérer les usagers ?"),
        (
            "Recruter des usagers : comment faire ?",
            "on peut le faire par affiche ?",
            "On peut recruter des usagers par affiche ?",
        ),
        # « de » elided before the action's vowel; the action ends at the first mark
        (
            "Comment évaluer le comité d'usagers ?",
            "on est obligé de le faire ?",
            "On est obligé d'évaluer le comité d'usagers ?",
        ),
        (
            "Comment établir le diagnostic du territoire, svp ?",
            "on peut le faire seul ?",
            "On peut établir le diagnostic du territoire seul ?",
        ),
        # a topic set before the question that the pronoun cannot stand for (its number)
        (
            RECRUIT,
            "pour le comité, on les choisit comment ?",
            "Pour le comité, on choisit les représentants des usagers comment ?",
        ),
        (
            RECRUIT,
            "et concernant la charte, est-ce qu'ils doivent la signer ?",
            "Concernant la charte, est-ce que les représentants des usagers doivent la signer ?",
        ),
        # the person rule without accents, after an inverted pronoun
        (ROLE, "est-il paye ?", "Le patient partenaire est-il paye ?"),
    ],
)
def test_a_pronoun_is_replaced_by_what_the_previous_question_named(
    previous: str, followup: str, whole: str, grammar: CorpusGrammar
) -> None:
    assert resolve(previous, followup, grammar) == whole


@pytest.mark.parametrize(
    ("previous", "followup"),
    [
        # « il » impersonal: it points at nothing
        (RECRUIT, "il faut combien de personnes ?"),
        (RECRUIT, "qu'est-ce qu'il se passe s'ils démissionnent ?"),
        (RECRUIT, "Peut-il y avoir un usager président ?"),
        (RECRUIT, "Pourquoi est-il difficile de recruter des usagers ?"),
        (RECRUIT, "y a-t-il une charte ?"),
        (
            "Comment fonctionne le comité des usagers de la MSP ?",
            "Il s'est passé quoi en 2002 pour les droits des malades ?",
        ),
        ("Comment fonctionne le comité des usagers de la MSP ?", "il le faut vraiment ?"),
        (
            "Comment fonctionne le comité des usagers de la MSP ?",
            "Il est recommandé par la HAS d'associer les usagers ?",
        ),
        # a noun that speaks of what it does not read (« le role dun… »); « Qui la signe ? »: « la » is a pronoun
        ("c koi le role dun patient partenaire", "il est payé ?"),
        ("Qui la signe ?", "elle doit parler du secret professionnel ?"),
        # people in general; two phrases joined by « et »; a name without an article
        ("Comment recruter des bénévoles ?", "ils disent que c'est obligatoire, c'est vrai ?"),
        ("Comment faire participer les jeunes et les personnes âgées ?", "ils sont intéressés ?"),
        ("Est-ce que France Assos Santé peut aider une CPTS à recruter ?", "elle forme les représentants ?"),
        # the follow-up names its own subject, before or after its pronoun
        (RECRUIT, "les patients, comment les recruter ?"),
        (RECRUIT, "et pour les patients, comment les recruter ?"),  # a topic of the pronoun's number names it
        (RECRUIT, "ils servent à quoi les comités d'usagers ?"),
        (RECRUIT, "Comment les trouver, ces représentants ?"),
        (RECRUIT, "ils sont payés les RU ?"),
        ("Qu'est-ce qu'un patient partenaire ?", "Il gagne combien un patient partenaire ?"),
        ("Pourquoi une implication des usagers ?", "et côté pros, est-ce qu'ils ont des craintes ?"),
        # no phrase of the pronoun's gender (« notre MSP »: the documents' « la MSP » says feminine)
        (RECRUIT, "il est payé ?"),
        (RECRUIT, "elles sont payées ?"),
        # two phrases fit: no certain referent (the role or the patient; the professionals or the users)
        (ROLE, "il est important ?"),
        (
            "Comment des professionnels peuvent-ils faire participer les usagers à leur projet ?",
            "comment les impliquer ?",
        ),
        ("Peut-on indemniser les bénévoles pour leurs frais de transport ?", "ils sont plafonnés ?"),
        ("Que pensent les médecins des comités d'usagers ?", "ils marchent bien ?"),
        ("Quels sont les avantages pour les usagers ?", "ils sont prouvés ?"),
        ("Quels sont les freins des professionnels de santé à impliquer les usagers ?", "ils sont fréquents ?"),
        # a complement of a noun without its article is no phrase of its own
        ("Qui peut devenir représentant des usagers ?", "ils sont élus ?"),
        # the thing comes after a second verb, an amount or an idiom: the word order would be wrong
        (RECRUIT, "comment les faire participer ?"),
        (RECRUIT, "comment leur faire confiance ?"),
        (RECRUIT, "on peut en recruter combien ?"),
        (RECRUIT, "comment y arriver ?"),
        # « leur » after a preposition is a possessive; an ending is no infinitive the documents write
        (RECRUIT, "quelle formation pour leur premier mandat ?"),
        # a subject pronoun left after the object is replaced: no whole question
        ("Comment rédiger la fiche mission du représentant ?", "il doit la signer ?"),
        # an auxiliary, an idiom, an article and its noun after « qui »
        (RECRUIT, "on les a recrutés comment ?"),
        (RECRUIT, "on le sait ?"),
        ("Qu'est-ce qu'une CPTS ?", "Qui la HAS recommande-t-elle ?"),
        # « le faire » after a question that asks no action, or whose action is « faire »; « le faire participer »
        # makes a person take part
        ("Qu'est-ce qu'un diagnostic partagé ?", "comment le faire ?"),
        ("Comment faire participer les usagers ?", "on peut le faire par internet ?"),
        ("Comment mobiliser les habitants ?", "comment le faire participer ?"),
        # « ça » after another question stands for what was said; an idiom (« ça fait combien »); a plural thing
        ("La CPTS est financée comment ?", "ça fait combien en euros pour une CPTS de 30 000 habitants ?"),
        (RECRUIT, "ça prend combien de temps ?"),
        ("C'est quoi une CPTS ?", "ça fait combien de professionnels ?"),
        ("Qu'est-ce que les Conseils Territoriaux de Santé (CTS) ?", "ça sert à quoi ?"),
        # « ça » agrees in the masculine (« La CPTS a été créé ») and is no person; « ça marche », « ça vient d'où »
        # say something of what was answered
        ("C'est quoi une CPTS ?", "ça a été créé quand ?"),
        ("Qui est le représentant des usagers ?", "ça concerne toutes les CPTS ?"),
        ("Qu'est-ce que le secret professionnel ?", "ça marche, et pour les stagiaires ?"),
        ("Qu'est-ce que le secret professionnel ?", "ça vient de quel document ?"),
        # « en » after « discuter »: what was asked, not a thing named; « en bénéficier de combien »
        ("Comment recruter des usagers ?", "on peut en discuter ?"),
        ("Qu'est-ce que le mécénat de compétences ?", "on peut en bénéficier de combien ?"),
        # « le faire » before a hyphen or another infinitive; an action that holds another question; « Qui contacter ? »
        ("Comment évaluer le comité d'usagers ?", "et pour le faire-part ?"),
        ("Comment diffuser l'information sur le comité ?", "comment le faire savoir aux patients ?"),
        ("Il faut recruter combien d'usagers ?", "on peut le faire progressivement ?"),
        ("Qui contacter pour créer une CPTS ?", "on peut le faire par mail ?"),
        ("Faut-il recruter, puis former les usagers ?", "comment le faire ?"),  # two actions
        # « ça » standing for what was said; « en » after a noun that speaks of its complement
        ("Qu'est-ce que le secret professionnel ?", "ça a été écrit par qui ?"),
        ("Quel est le montant de l'ACI ?", "qui peut en bénéficier ?"),
        # what only a person does, said of a phrase that names no person: the referent is someone no question named
        (
            "Quels sont les objectifs du service sanitaire ?",
            "est-ce qu'ils peuvent rester toute l'année dans notre MSP ?",
        ),
        # what only a person is, said elsewhere than of the pronoun; « formé de » is made of
        (ROLE, "il change si le patient devient salarié ?"),
        ("Quelle est la mission de la coordinatrice ?", "elle est formée de quoi ?"),
        # no pronoun
        (RECRUIT, "et qui anime ces réunions ?"),
        (RECRUIT, "et dans un centre de santé ?"),
    ],
)
def test_no_rewrite_when_the_referent_is_not_certain(previous: str, followup: str, grammar: CorpusGrammar) -> None:
    assert resolve(previous, followup, grammar) is None


def test_phrases_are_read_whole_with_the_adjectives_the_documents_write(grammar: CorpusGrammar) -> None:
    found = [(p.known(p.plural), p.plural, p.gender) for p in phrases_of(RECRUIT, grammar)]
    assert found == [("les représentants des usagers", True, "m"), ("notre MSP", False, "f")]
    # « patient partenaire »: the documents write the two together; « anime » is the verb of « le coordinateur »
    assert phrases_of(ROLE, grammar)[0].known(False) == "le rôle du patient partenaire"
    assert [p.known(False) for p in phrases_of("Comment le coordinateur anime les réunions ?", grammar)] == [
        "le coordinateur",
        "les réunions",
    ]
    # « les trouver » is an object pronoun and its verb, not a phrase
    assert [p.known(True) for p in phrases_of("comment les trouver ?", grammar)] == []
