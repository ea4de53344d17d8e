"""The kinds of fact a question asks for, when they name a thing: "qu'est-ce que X ?" asks for a
definition of X, which only a sentence defining X (or a name the corpus gives as its equivalent) gives."""

from __future__ import annotations

import pytest

from assistant.rules import FactRules

pytestmark = pytest.mark.fast


def _kind_asked(question: str) -> str | None:
    """The name of the kind of fact ``question`` asks for, if any."""
    kind = FactRules.load().asked(question)
    return kind.name if kind is not None else None


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("Qu'est-ce que la médiation en santé ?", "médiation en santé"),
        ("qu'est ce qu'un conseil des usagers", "conseil des usagers"),
        ("L'ACI : qu'est-ce que c'est ?", "ACI"),
        ("Le « patient expert » : de qui et de quoi parle-t-on ?", "patient expert"),
        ("Comment définiriez-vous l'éducation thérapeutique ?", "éducation thérapeutique"),
        ("C'est quoi la démocratie en santé ?", "démocratie en santé"),
        ("definition democratie sanitaire ?", "democratie sanitaire"),
        ("Qu'est-ce-que la littératie en santé ?", "littératie en santé"),  # hyphens as people type them
        ("Qu'entend-on quand on parle de droits des usagers ?", "droits des usagers"),
        ("Qu'entend-on quand on parle d'empowerment ?", "empowerment"),
        ("Le PTSM ? Qu'est-ce que c'est ?", "PTSM"),
        ("En quoi consiste la médiation en santé ?", "médiation en santé"),
        ("En quoi consiste le métier de coordinateur de CPTS ?", "métier de coordinateur de CPTS"),  # 5 words
        ("Qui est le représentant associatif en CPTS ?", "représentant associatif en CPTS"),
        ("Représentant des usagers: qui est-il?", "Représentant des usagers"),
        ("Les CPTS KESAKO ?", "CPTS"),  # familiar writing of « qu'est-ce que c'est ? »
        ("La santé communautaire, quésaco ?", "santé communautaire"),
        ("La Santé Communautaire, quèsaco ?", "Santé Communautaire"),
        ("Les CPTS, kézako ?", "CPTS"),
        ("C'est quoi exactement la démocratie sanitaire ?", "démocratie sanitaire"),
        ("ça veut dire quoi CPTS ?", "CPTS"),
        ("CPTS : définition ?", "CPTS"),
        ("Un représentant d'usager ?", "représentant d'usager"),  # a thing named alone, asked
        ("Une CPTS ?", "CPTS"),
        ("CPTS ?", "CPTS"),
        ("sais-tu ce qu'est un patient partenaire ?", "patient partenaire"),
        ("Savez-vous ce qu'est une CPTS ?", "CPTS"),
        ("Un programme ETP, ça consiste en quoi ?", "programme ETP"),
        ("Mais que recouvre précisément la notion de centre de santé ?", "notion de centre de santé"),
        ("C'est quoi, le décloisonnement du système de santé ?", "décloisonnement du système de santé"),  # a comma
        ("Qu'est-ce que c'est, la démocratie sanitaire ?", "démocratie sanitaire"),
    ],
)
def test_a_definition_question_names_what_it_asks_about(question: str, term: str) -> None:
    kind, named = FactRules.load().asked_with_term(question)
    assert kind is not None and kind.name == "définition"
    assert named == term


@pytest.mark.parametrize(
    "question",
    [
        "qu'est-ce qu'on y gagne à associer les usagers ?",
        "Qu'est-ce que la structure doit faire pour respecter le secret ?",
        "Qu'est-ce que le guide répond à ça ?",
        "C'est quoi l'appel à candidatures pour les centres et maisons de santé participatifs lancé fin 2021 ?",
        "Comment recruter des représentants des usagers ?",
        "Qui est le plus à même de parler pour les usagers ?",
        "À quoi sert une charte de l'engagement ?",  # what it is for, not what it is
        "Qui sont les financeurs des CPTS ?",  # who belongs to a group
        "A quoi sert de signer une charte ?",
        "Pourquoi participer à une CPTS ?",  # a question in few words, not a name alone
        "Participer oui mais comment ?",
        "Quel niveau d'implication ?",
        "Les freins à la participation ?",  # a topic, asked about: not what it is
        "Des exemples ?",
        "Le rôle du RU ?",
        "Le financement ?",
        "La suite ?",
        "Une idée ?",
        "Vraiment ?",
        "Patient expert ?",  # a name without its article may be a topic searched by keywords
        "Ça veut dire quoi, concrètement ?",  # an adverb after the comma, no thing named
    ],
)
def test_a_clause_or_a_long_phrase_is_not_taken_for_a_name(question: str) -> None:
    assert _kind_asked(question) != "définition"


def test_only_a_defining_sentence_gives_a_definition_whatever_its_inflection() -> None:
    rules = FactRules.load()
    kind = rules.kind("définition")
    names = rules.names_in(
        [
            "Les centres et maisons de santé participatifs sont des structures implantées dans les quartiers.",
            "La médiation en santé a été citée lors de la réunion.",  # mentioned, not defined
            "La CPTS est financée selon sa taille.",  # a passive, not a definition
        ]
    )
    assert names.gives(kind, "maison de santé participative")
    assert not names.gives(kind, "médiation en santé")
    assert not names.gives(kind, "CPTS")
    assert rules.names_in(["Les CPTS regroupent les professionnels d'un territoire."]).gives(kind, "CPTS")
    assert rules.names_in(["On entend par pair-aidance l'entraide entre personnes."]).gives(kind, "pair-aidance")


def test_a_name_is_defined_whatever_small_words_link_its_words() -> None:
    """« représentant d'usager » is the thing « Le représentant des usagers est le porteur de la parole… » defines:
    asking it « d'usager » is no reason to say the documents give no definition."""
    rules = FactRules.load()
    kind = rules.kind("définition")
    names = rules.names_in(["Le représentant des usagers est le porteur de la parole des usagers du système de santé."])
    assert names.gives(kind, "représentant d'usager")
    assert names.gives(kind, "représentants des usagers")
    assert not names.gives(kind, "parole d'usager")  # its words, but not as the subject defined


def test_a_definition_to_open_an_answer_has_the_thing_for_subject() -> None:
    rules = FactRules.load()
    kind = rules.kind("définition")
    names = rules.names_in(
        [
            "Les CPTS constituent un espace d'organisation et de coordination des professionnels.",
            "La place des institutions au sein des projets de CPTS est un thème abordé par tous.",  # CPTS in passing
            "- Améliorer l'accès aux soins : les CPTS ont pour mission de permettre un rendez-vous.",
        ]
    )
    assert names.giving(kind, "CPTS") == frozenset({0, 1, 2})  # never « no definition » wrongly
    assert names.opening(kind, "CPTS") == frozenset({0})  # one to open an answer with


def test_the_public_a_name_holds_is_called_by_any_of_the_documents_names_for_it() -> None:
    """The guide quotes the HAS: « l'engagement des personnes concernées désigne toute forme d'action… ». « Qu'est-ce
    que l'engagement des usagers ? » was answered « pas de définition », and this sentence, opening on its setting, did
    not open the answer: it now defines the thing whichever name of the public the question uses, and opens it."""
    rules = FactRules.load()
    kind = rules.kind("définition")
    quoted = (
        "« Dans les secteurs social, médico-social et sanitaire, l'engagement des personnes concernées désigne toute "
        "forme d'action, individuelle ou collective, au bénéfice de leur santé."
    )
    aside = "Dans ce guide, la place de l'engagement des personnes concernées désigne un thème."  # not its subject
    names = rules.names_in([quoted, aside])
    for term in ("engagement des usagers", "engagement des patients"):
        assert names.gives(kind, term)
        assert names.opening(kind, term) == frozenset({0})
    assert not names.gives(kind, "engagement des professionnels")
    # with the public called otherwise, only a sentence that opens on the thing defines it: not a charter's item
    item = rules.names_in(["- l'expertise des pros et les savoirs expérientiels des usagers sont des savoirs utiles ;"])
    assert item.gives(kind, "savoirs expérientiels des usagers")
    assert not item.gives(kind, "savoirs expérientiels des patients")
    # a « représentant des habitants » is no representative of users: the RU's definition does not define him
    mandate = rules.names_in(["Le représentant des usagers est le porteur de la parole des usagers."])
    assert mandate.gives(kind, "représentant des patients") and not mandate.gives(kind, "représentant des habitants")


def test_after_a_setting_only_a_defining_verb_makes_the_thing_its_subject_defined() -> None:
    """« Dans le domaine de la santé communautaire, les facilitateurs sont issus des populations » restricts, and
    « Principe incontournable…, la participation des usagers-patients est une opportunité » judges: neither opens the
    answer as the definition (the first hid fiche 8's own « Il s'agit ici de personnes qui assument un rôle… »)."""
    rules = FactRules.load()
    kind = rules.kind("définition")
    names = rules.names_in(
        [
            "Dans le domaine de la santé communautaire, les facilitateurs sont des personnes issues des populations.",
            "Principe incontournable de la démocratie sanitaire, la participation des usagers est une opportunité.",
            "Dans ce texte, la participation des usagers désigne l'engagement.",
        ]
    )
    assert names.gives(kind, "facilitateurs")  # a definition, restricted to a domain: not one to open an answer with
    assert names.opening(kind, "facilitateurs") == frozenset()
    assert names.opening(kind, "participation des usagers") == frozenset({2})


def test_a_note_that_only_points_elsewhere_is_no_statement() -> None:
    """« Note 25 : Voir l'avis du conseil pour l'engagement des usagers relatif à… » was taken for the documents'
    definition of « engagement des usagers », and quoted in answers: it says nothing of its own."""
    rules = FactRules.load()
    pointing = "Note 25 : Voir l'avis du conseil pour l'engagement des usagers relatif à la reconnaissance sociale."
    assert rules.reference_alone(pointing)
    assert rules.reference_alone("Note 1 : Composition nominative, cf. rubrique « Participants ».")
    assert rules.reference_alone("Note 26 : https://www.service-public.fr/particuliers/vosdroits/F551")
    assert not rules.reference_alone("Note 15 : Si les maisons de santé sont concernées, ce n'est pas le cas des CPTS.")
    assert not rules.names_in([pointing]).gives(rules.kind("définition"), "engagement des usagers")


def test_a_section_titled_with_the_question_of_a_thing_describes_it() -> None:
    """« Qui est le représentant associatif en CPTS ? » titles the section that describes him, in whatever words:
    the documents are not said to give no definition of him."""
    rules = FactRules.load()
    kind = rules.kind("définition")
    sentence = ["Il habite idéalement sur le territoire couvert par la CPTS."]
    assert rules.names_in(sentence, ["Qui est le représentant associatif en CPTS ?"]).gives(
        kind, "représentant associatif en CPTS"
    )
    assert rules.names_in(sentence, ["Une CPTS, c'est quoi ?"]).gives(kind, "CPTS")
    assert not rules.names_in(sentence, ["Quelle est la place de la CPTS ?"]).gives(kind, "CPTS")
    fragment = ["Initie un ensemble de dispositions pour instaurer la participation"]  # a slide's line, no statement
    assert not rules.names_in(fragment, ["Qu'est-ce que la démocratie sanitaire ?"]).gives(kind, "démocratie sanitaire")


def test_the_statement_under_a_title_standing_alone_describes_what_the_title_names() -> None:
    """« → Le mécénat d'entreprise », then « Ce type de mécénat consiste pour les entreprises à réaliser des dons… »:
    the documents define it, though the sentence does not write its name."""
    rules = FactRules.load()
    kind = rules.kind("définition")
    sentence = ["Ce type de mécénat consiste pour les entreprises à réaliser des dons auprès d'organismes."]
    titled = rules.names_in(sentence, ["Les ressources privées"], ["Le mécénat d'entreprise"])
    assert titled.gives(kind, "mécénat d'entreprise")
    assert not rules.names_in(sentence, ["Les ressources privées"], [""]).gives(kind, "mécénat d'entreprise")


def test_a_section_titled_with_a_name_and_its_acronym_opens_on_the_thing() -> None:
    """« Les maisons de santé pluriprofessionnelles (MSP), monosites ou multisites » titles the section on MSP, which
    calls them « Ces maisons de santé »: its first statement opens an answer on MSP, when no sentence opens on the
    name itself; one that does (« Les centres de santé constituent… ») is preferred."""
    rules = FactRules.load()
    kind = rules.kind("définition")
    title = "Les maisons de santé pluriprofessionnelles (MSP), monosites ou multisites"
    sentences = ["Depuis deux décennies", "Ces maisons de santé ont été reconnues par la loi.", "Elles sont libérales."]
    names = rules.names_in(sentences, ["Introduction", title, title])
    assert names.opening(kind, "MSP") == frozenset({1})
    assert names.opening(kind, "maisons de santé pluriprofessionnelles") == frozenset({1})
    assert names.gives(kind, "MSP")
    assert not rules.names_in(sentences, ["Introduction", "Les MSP en chiffres", "Autre"]).opening(kind, "MSP")
    named = rules.names_in([*sentences, "Une MSP est une structure."], ["Introduction", title, title, "Autre"])
    assert named.opening(kind, "MSP") == frozenset({3})
    noted = rules.names_in(["Article L. 6323-3 du Code de la santé publique.", sentences[1]], [title, title])
    assert noted.opening(kind, "MSP") == frozenset({1})  # a legal reference opening the section is no statement


def test_a_thing_asked_with_a_word_for_its_kind_is_defined_under_its_own_name() -> None:
    """« la méthode du patient traceur » is defined by « Le patient traceur est une démarche… »; a word that is
    part of the name (« le modèle de Montréal ») is not dropped."""
    rules = FactRules.load()
    kind = rules.kind("définition")
    names = rules.names_in(["Le patient traceur est une démarche d'analyse collective du parcours d'un patient."])
    assert names.gives(kind, "méthode du patient traceur")
    assert names.gives(kind, "la démarche patient traceur")
    assert not rules.names_in(["Montréal est une ville du Québec."]).gives(kind, "modèle de Montréal")


def test_a_name_the_corpus_gives_as_equivalent_is_defined_by_the_other_names_definition() -> None:
    rules = FactRules.load()
    names = rules.names_in(
        [
            "La démocratie en santé, plus communément appelée démocratie sanitaire, voit le jour en 2002.",
            "La démocratie sanitaire est une démarche associant les acteurs du système de santé.",
        ]
    )
    assert names.aliases["democratie en sante"] == frozenset({"democratie sanitaire"})
    assert names.gives(rules.kind("définition"), "démocratie en santé")


def test_a_definition_by_purpose_by_object_or_in_a_plural_still_counts() -> None:
    """« Les CLS (Contrats Locaux de Santé), qui …, visent … », « la loi n° 2002-303, dite « loi
    Kouchner », du 4 mars 2002, relative aux droits des malades »: what a thing is for, or is about, defines it;
    « locaux » is the plural of « local »."""
    rules = FactRules.load()
    kind = rules.kind("définition")
    clause = (
        "Cette loi instaure les CLS (Contrats Locaux de Santé), qui « à partir d'une démarche collective et "
        "participative, visent conjointement la réduction des inégalités »."
    )
    assert rules.names_in([clause]).gives(kind, "contrat local de santé")
    law = "Par la suite, la loi nº 2002-303, dite « loi Kouchner », du 4 mars 2002, relative aux droits des malades."
    assert rules.names_in([law]).gives(kind, "loi Kouchner")
    assert not rules.names_in(["Le contrat local de santé a été signé en 2019."]).gives(kind, "contrat local de santé")


def test_a_notion_named_is_not_defined_but_one_spoken_of_when_or_quoted_after_est_is() -> None:
    """« la notion de démocratie sanitaire s'est progressivement faite une place » names the notion, it does not say
    what it is; « On parle de santé communautaire quand… » and « La santé communautaire est « le processus… » » do."""
    rules = FactRules.load()
    kind = rules.kind("définition")
    named = "Ainsi, la notion de démocratie sanitaire s'est progressivement faite une place dans les politiques."
    assert not rules.names_in([named]).gives(kind, "démocratie sanitaire")
    when = "On parle de santé communautaire quand les membres d'une collectivité agissent en commun."
    assert rules.names_in([when]).gives(kind, "santé communautaire")
    quoted = "La santé communautaire est « le processus par lequel les membres d'une collectivité réfléchissent »."
    assert rules.names_in([quoted]).gives(kind, "santé communautaire")
    purpose = "La démocratie sanitaire a pour objectif de faire participer les patients."
    assert rules.names_in([purpose]).gives(kind, "démocratie sanitaire")
    named_so = "Il peut s'agir de « ce qui leur a été confié ». C'est ce que l'on nomme le secret professionnel."
    assert rules.names_in([named_so]).gives(kind, "secret professionnel")


def test_a_section_titled_with_the_thing_asked_describes_it() -> None:
    """« 6.9.4. Les conventions CIFRE » describes the convention in its own words (« La convention met en
    présence un doctorant… »): "the documents give no definition of « convention CIFRE »" would be wrong."""
    rules = FactRules.load()
    kind = rules.kind("définition")
    said = "La convention met en présence un doctorant et le laboratoire de recherches."
    assert rules.names_in([said], ["Les conventions CIFRE"]).gives(kind, "Convention CIFRE")
    assert not rules.names_in([said]).gives(kind, "Convention CIFRE")  # the same sentence, no such section
    assert not rules.names_in([said], ["Les mises à disposition"]).gives(kind, "Convention CIFRE")


def test_an_acronym_is_spelled_out_by_the_corpus_s_own_phrase() -> None:
    """EPCI: the words' initials, short joiners between them; a joiner never counts as an initial (« manières
    pour des usagers » does not spell MDU), and the phrase the corpus uses most wins."""
    from assistant.rules import QueryRules

    rules = QueryRules.load()
    names = FactRules.load().names_in(
        [
            "Ces centres sont gérés par des établissements publics de coopération intercommunale.",
            "Les établissements publics de coopération intercommunale financent.",
            "Des exemples publics de cas interessants.",
            "Il y a de nombreuses manières pour des usagers de participer.",
        ]
    )
    joiners = rules.acronym_joiners
    assert names.spelled_out("EPCI", joiners) == "etablissements publics de cooperation intercommunale"
    assert names.spelled_out("MDU", joiners) == ""
    assert rules.acronym.findall("Un EPCI ou des SCICs, la CPTS et le RU ?") == ["EPCI", "SCIC", "CPTS"]


def test_an_acronym_is_spelled_out_beside_it_in_brackets() -> None:
    """« les Équipes de Soins Primaires (ESP) », « une CPTS (Communauté Professionnelle Territoriale de Santé) » and
    « l'URPS ML (Union Régionale des Professionnels de Santé…) » say what the letters stand for; words whose initials
    spell it by chance, away from it, do not."""
    from assistant.rules import QueryRules

    joiners = QueryRules.load().acronym_joiners
    names = FactRules.load().names_in(
        [
            "La coopération passe par les Équipes de Soins Primaires (ESP) et les maisons de santé.",
            "Une CPTS (Communauté Professionnelle Territoriale de Santé), c'est un réseau.",
            "Les ESP, ou équipes sans projet, existent aussi.",  # initials spelled, but not beside it
            "Les maisons de santé (MSP) et les équipes (ESP) coopèrent.",  # beside it, but other initials
            "Les échanges avec l'URPS ML (Union Régionale des Professionnels de Santé Libéraux) ont abouti.",
            "La CPAM de la région (caisse primaire) finance.",  # a qualifier of words, initials of others
        ]
    )
    assert names.spelling_out("ESP", joiners) == frozenset({0})
    assert names.spelling_out("CPTS", joiners) == frozenset({1})
    assert names.spelling_out("MSP", joiners) == frozenset()
    assert names.spelling_out("URPS", joiners) == frozenset({4})  # the acronym with a short qualifier
    assert names.spelling_out("CPAM", joiners) == frozenset()


@pytest.mark.parametrize(
    ("question", "acronyms"),
    [
        ("Que signifie « CPTS » ?", ["CPTS"]),
        ("Que veut dire le sigle ESP ?", ["ESP"]),
        ("ETP, ça veut dire quoi ?", ["ETP"]),
        ("Signification de MSP ?", ["MSP"]),
        ("CPTS, ESP, MSP : que veulent dire ces sigles ?", ["CPTS", "ESP", "MSP"]),
        ("La CPTS et la CPTS voisine : que veut dire ce sigle ?", ["CPTS"]),  # named once
        ("Que veut dire l'acronyme ESP ?", ["ESP"]),
        ("Que signifie l'ETP ?", ["ETP"]),
        ("Que veulent dire MSP, ESP et CPTS ?", ["MSP", "ESP", "CPTS"]),
        # the meaning of something else, in a question that names an acronym
        ("Que signifie démocratie sanitaire pour les CPTS ?", []),
        ("Les CPTS, que veut dire participation ?", []),
        ("Qu'est-ce qu'une CPTS ?", []),
        ("Que veulent dire les CPTS pour les usagers ?", []),
    ],
)
def test_a_question_asks_the_meaning_of_the_acronyms_it_puts_next_to_the_verb(
    question: str, acronyms: list[str]
) -> None:
    from assistant.rules import QueryRules

    assert QueryRules.load().meant_acronyms(question) == acronyms


@pytest.mark.parametrize(
    ("question", "interview"),
    [
        ("Allez-vous participer à une CPTS ?", True),
        ("Pourquoi avez-vous décidé d'intégrer une CPTS", True),  # without its question mark, the same question
        ("Quel a été le déclic qui vous a conduits à devenir représentant des usagers ?", True),
        ("Comment s'est mis en place votre engagement dans la MSP ? Quelle est l'origine ?", True),
        ("Vous venez d'être élu président. Quelles sont les missions de l'organisation ?", False),  # asks the missions
        ("Comment recruter vos usagers dans votre MSP ?", False),  # a « vous » of advice
        ("Pouvez-vous me dire ce qu'est une CPTS ?", False),
        ("Comment définissez-vous la santé communautaire ?", False),  # a definition the documents give
        ("Quel regard portez-vous sur la première journée des porteurs de projets ?", True),  # an opinion
        ("Comment entendez-vous inscrire cette coordination dans la durée ?", True),
        ("Selon vous, quels sont les freins à la participation des usagers ?", False),  # asked of the assistant
        ("Connaissez-vous les structures d'exercice coordonné participatives ?", False),  # what they are
    ],
)
def test_a_question_to_the_person_it_addresses_asks_for_an_account_no_document_gives(
    question: str, interview: bool
) -> None:
    """An interview's question about what the person addressed did, will do or thinks: the answer says first that
    the documents give no such account (``témoignage`` in facts.toml, which no sentence holds)."""
    kind = FactRules.load().asked(question)
    assert (kind is not None and kind.name == "témoignage") is interview
    if interview:
        assert kind.strict and not kind.holds.search("J'ai décidé d'intégrer la CPTS en 2019.")


def test_the_sentences_that_open_on_meanings_spell_most_then_are_body_text_then_closest() -> None:
    """« Que veulent dire MSP et ESP ? »: the sentence spelling out both opens the answer alone; among sentences that
    spell out as many, one of body text before a reference's title (which spells an acronym out too), then the one
    closest to the question."""
    from types import SimpleNamespace

    import numpy as np

    from assistant.agent import Assistant
    from ingest.roles import PassageRole

    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8], [0.9, 0.1]])
    roles = {0: PassageRole.BODY, 1: PassageRole.BODY, 2: PassageRole.BODY, 3: PassageRole.REFERENCES}
    stand_in = SimpleNamespace(
        reader=SimpleNamespace(sentence_vectors=vectors), _passage=lambda sid: SimpleNamespace(role=roles[sid])
    )
    choose = Assistant._spellings_to_open
    question = np.array([1.0, 0.0])
    both = {"MSP": frozenset({0, 2}), "ESP": frozenset({1, 2})}
    assert choose(stand_in, both, question) == frozenset({2})  # type: ignore[arg-type]
    one = {"ESP": frozenset({0, 1, 3})}
    assert choose(stand_in, one, question) == frozenset({0})  # type: ignore[arg-type]
    assert choose(stand_in, one, np.array([0.0, 1.0])) == frozenset({1})  # type: ignore[arg-type]
    reference_closest = {"ESP": frozenset({1, 3})}
    assert choose(stand_in, reference_closest, question) == frozenset({1})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "payer"),
    [
        ("Qui paye le coordinateur ?", True),
        ("Qui finance la formation des représentants des usagers ?", True),
        ("Si notre centre de santé accueille un agent mis à disposition, qui le paie ?", True),
        ("et l'agent, c'est qui qui le paie pendant ce temps ?", True),
        ("Par qui est financée l'expérimentation des centres de santé participatifs ?", True),
        ("Les frais de déplacement sont remboursés par qui ?", True),
        ("Qui prend en charge les frais de déplacement des usagers ?", True),
        ("Quels sont les financeurs des CPTS ?", True),
        ("Qui prend en charge les patients précaires dans une MSP ?", False),  # care, not a payment
        ("Qui peut bénéficier de l'ACI ?", False),  # who is eligible
        ("combien gagne un coordinateur ?", False),  # a sum
        ("Comment financer la participation des usagers ?", False),  # how, not who
        ("Les patients qui paient des dépassements peuvent-ils participer au comité ?", False),  # a relative « qui »
        ("Une association qui finance la CPTS peut-elle siéger ?", False),
        ("Par qui les usagers sont-ils représentés dans les autres pays ?", False),  # « pays » is no « payer »
        ("Qui prend en charge la formation des patients à l'ETP ?", False),  # who teaches them
        ("Les usagers, qui paient leurs consultations, peuvent-ils siéger au conseil de la CPTS ?", False),
        ("Qui est le financeur des CPTS ?", True),
        ("Qui doit payer les frais de déplacement du RU ?", True),
        ("Quel organisme finance les CPTS ?", True),
    ],
)
def test_a_question_asking_who_pays_asks_for_a_payer(question: str, payer: bool) -> None:
    """« Qui paye le coordinateur ? » asks who pays: a sentence about financing in general, or about what others are
    paid, does not give it; caring for patients (« prend en charge les patients ») is no payment."""
    assert (_kind_asked(question) == "financeur") is payer


@pytest.mark.parametrize(
    ("question", "practical"),
    [
        ("Quels sont les horaires d'ouverture de la MSP ?", True),
        ("La maison de santé est-elle ouverte le samedi ?", True),
        ("À quelle heure ouvre la maison de santé ?", True),
        ("Le centre de santé ouvre-t-il le samedi ?", True),
        ("Quels sont les horaires de la CPTS ?", True),
        ("Où se garer près du centre de santé ?", True),
        ("Quels horaires choisir pour réunir les usagers ?", False),  # when to meet: advice the documents give
        ("Comment ouvrir la gouvernance de la MSP aux usagers ?", False),
        # users, engagement or a mission named: not a place's practical information
        ("Comment les usagers peuvent-ils influer sur les horaires d'ouverture de la maison de santé ?", False),
        ("Le médecin traitant est-il ouvert le samedi matin d'après le plan Ma santé 2022 ?", False),  # a policy
        ("A quelle heure ouvre la maison de santé ?", True),
        ("Une MSP doit-elle être ouverte le samedi pour toucher l'ACI ?", False),  # a rule, not a place's hours
        ("Les CPTS doivent-elles permettre de prendre rendez-vous dans les 24 heures ?", False),
    ],
)
def test_a_question_on_a_place_s_opening_hours_or_access_asks_for_practical_information(
    question: str, practical: bool
) -> None:
    """The documents advise on engaging the public; they give no place's opening hours or access."""
    assert (_kind_asked(question) == "informations pratiques") is practical


@pytest.mark.parametrize(
    ("question", "judged"),
    [
        ("Les maisons de santé : une solution contre la désertification ?", True),
        ("Le comité d'usagers est-il efficace pour améliorer l'accueil ?", True),
        ("La charte d'engagement est-elle éthique ?", True),
        ("Une CPTS, un cadre idéal pour la prévention ?", True),
        ("Le comité d'usagers répond-il aux attentes des habitants ?", True),
        ("Les réunions publiques influencent-elles positivement les projets de santé ?", True),
        ("La MSP est-elle le meilleur modèle pour associer les usagers ?", True),
        ("A-t-on des preuves de ce qu'apporte un comité d'usagers ?", True),
        # how, which, what for: open questions the documents answer; a clause after a comma is part of one
        ("Comment rendre le comité d'usagers efficace ?", False),
        ("Quelle est la meilleure façon de recruter des usagers ?", False),
        ("Comment associer les usagers, tout en respectant les règles éthiques ?", False),
        # a way, a solution or a value asked for; a doubt on a fact; advice asked for
        ("La meilleure façon de recruter des usagers ?", False),
        ("Pas assez de candidats : une solution pour recruter des représentants d'usagers ?", False),
        ("Les médecins n'ont pas le temps, une solution ?", False),
        ("La taille idéale du périmètre d'une CPTS ?", False),
        ("Les représentants des usagers doivent être agréés, vraiment ?", False),
        ("La participation des usagers conditionne-t-elle le financement de la CPTS ?", False),
        ("Faut-il fournir des preuves de dépenses pour être remboursé ?", False),
        ("Est-il pertinent d'associer les usagers au diagnostic ?", False),
        ("Faire un questionnaire, c'est pertinent ?", False),
    ],
)
def test_a_closed_question_asking_the_documents_to_judge_a_thing_asks_for_an_evaluation(
    question: str, judged: bool
) -> None:
    """« Les centres de santé communautaire : une solution pour lutter contre les déserts médicaux ? » was answered
    with quotes about such centres as if they judged them: the documents describe and advise, and judge only where they
    speak of benefits, effects or results."""
    assert (_kind_asked(question) == "évaluation") is judged


@pytest.mark.parametrize(
    ("sentence", "count"),
    [
        ("Sur les 4 CPTS des professionnels interrogés, 3 souhaitaient des représentants.", True),
        ("Le nombre de 2 représentants associatifs minimum est estimé comme essentiel.", True),
        ("Il faut au moins deux usagers.", True),
        ("Décret n°2017-09 du 26 janvier 2017 et arrêté du 24 avril 2017.", False),  # a text's number, dates
        ("Article L. 1114-1 du code de la santé publique.", False),
        ("Note 11 : La représentativité de l'échantillon a été assurée par quotas (sexe, âge).", False),
        ("L'enquête a été menée en 2019.", False),  # a year
    ],
)
def test_a_count_is_a_number_that_counts_not_a_date_a_text_s_or_a_note_s_number(sentence: str, count: bool) -> None:
    """« Quel âge faut-il avoir pour être représentant ? » was answered as if covered: « Note 11 : … âge… » held a
    number, the note's."""
    holds = FactRules.load().kind("nombre").holds_for("")
    assert bool(holds.search(sentence)) is count


@pytest.mark.parametrize(
    ("question", "thing"),
    [
        ("Qui paye le coordinateur de la CPTS ?", "coordinateur"),
        ("Qui finance cette expérimentation ?", "expérimentation"),  # not « tte expérimentation »
        ("Qui paie leurs frais de déplacement ?", "frais"),  # not « urs frais »
        ("Qui paye le doctorant CIFRE ?", "doctorant"),  # « La rémunération du doctorant est prise en charge… »
        ("Qui rémunère les patients enseignants à l'université ?", "patients enseignants"),  # « patients »: everywhere
        ("Quels sont les financeurs des CPTS ?", "CPTS"),
        ("Le coordinateur de la CPTS est payé par qui ?", "coordinateur"),
        ("Si notre centre de santé accueille un agent mis à disposition, qui le paie ?", ""),  # a pronoun
        ("Qui finance la mise en place du comité ?", ""),  # a word for the payment: the topic stands for it
    ],
)
def test_a_who_pays_question_names_what_it_asks_about(question: str, thing: str) -> None:
    """What is paid for must be in the sentence that names the payer: read after the verb and its determiner
    (« leur », « cette » whole; a public with the word after it), after « financeurs de », or as the subject of « … est
    payé par qui ? »."""
    assert FactRules.load().kind("financeur").thing(question) == thing


@pytest.mark.parametrize(
    ("word", "question", "noun"),
    [
        ("restaurant", "Est-il possible à un bénévole de se faire rembourser des notes de restaurant ?", True),
        ("consentement", "Faut-il le consentement préalable des usagers pour solliciter leur avis ?", True),
        ("déménagement", "Comment associer les usagers au déménagement ?", True),
        ("commerçant", "Un commerçant peut-il être représentant des usagers ?", False),  # people, after « un »
        ("frère", "Mon frère peut-il devenir patient partenaire ?", False),
        ("rembourser", "Est-il possible à un bénévole de se faire rembourser des notes de restaurant ?", False),
        ("transgresser", "Peut-on transgresser le secret ?", False),
        ("recruter", "Comment les recruter ?", False),
        ("recrutions", "Et si nous les recrutions ?", False),  # « -ions » after « les »: a verb as often as a noun
        ("misère", "Peut-on promouvoir la santé sans agir sur les causes de misère ?", False),  # « de » + « -re »
        ("suffisant", "Est-ce suffisant d'avoir un seul représentant ?", False),  # « ce » of « est-ce »
        ("remerciant", "Peut-on motiver les usagers en les remerciant ?", False),  # a gerund's object pronoun
    ],
)
def test_a_noun_with_a_verb_s_ending_is_told_by_its_determiner(word: str, question: str, noun: bool) -> None:
    """A word the corpus never writes is taken for everyday French when it ends as verb forms do (``generic_endings``).
    « restaurant » and « consentement » end so, yet « de » or « le » before them and their ending make them nouns:
    topics the documents lack, said so in a partial answer (the question was answered as covered)."""
    assert FactRules.load().shown_noun(word, question) is noun
