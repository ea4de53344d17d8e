"""What a passage is for and where it starts: roles of back matter, whole sentences, the corpus's own
question table. Small synthetic documents, no index."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunking import chunk_document
from ingest.cleaning import join_broken_lines
from ingest.models import DocumentInfo, LoadedDocument, Page
from ingest.question_table import find_question_tables, join_passages, parse_rows
from ingest.roles import PassageRole, RoleRules, classify
from ingest.rules import RulesError
from ingest.structure import structure_document

pytestmark = pytest.mark.fast

INFO = DocumentInfo("doc", "doc.txt", "Document")


def passages(text: str, size: int = 1000, overlap: int = 150):
    doc = structure_document(LoadedDocument(INFO, [Page(None, text)], "sha", None))
    return chunk_document(INFO, doc, size, overlap)


def test_back_matter_sections_get_their_role() -> None:
    text = """1. Introduction

Le guide présente la démarche.

1.1. Pourquoi impliquer les usagers

Les usagers apportent leur expérience du parcours de soins.

2. Pour aller plus loin

2.1. Bibliographie

1. Haute Autorité de Santé. Soutenir l'engagement des usagers. Saint-Denis: HAS; 2020.
2. Baron JB, Martin P. Évaluation de l'engagement des usagers. Paris: Presses; 2019.

2.2. Participants

Le groupe de travail réunissait des professionnels et des usagers.
"""
    roles = {c.section_title: c.role for c in passages(text)[0]}
    assert roles == {
        "Introduction": PassageRole.BODY,
        "Pourquoi impliquer les usagers": PassageRole.BODY,
        "Bibliographie": PassageRole.REFERENCES,
        "Participants": PassageRole.PARTICIPANTS,
    }


def test_an_annex_heading_closes_the_part_and_its_passages_are_annex() -> None:
    text = """Partie 2 - Mémoire

1. Conclusion

Les usagers doivent trouver leur place dans les CPTS.

Annexe 2 - Guide d'entretien semi-directif

Ce guide a servi aux entretiens avec les professionnels engagés dans les CPTS du territoire.
"""
    chunks = passages(text)[0]
    annex = [c for c in chunks if c.role is PassageRole.ANNEX]
    assert [c.section_number for c in annex] == [""], "an annex is outside Partie 2"
    assert annex[0].section_path == "Annexe 2 - Guide d'entretien semi-directif"
    assert next(c for c in chunks if "trouver leur place" in c.text).role is PassageRole.BODY


def test_a_study_s_summary_after_its_last_annex_is_not_that_annex() -> None:
    text = """Annexe 5 - Grille d'analyse des associations de patients experts

Thème, sous-thème et code des entretiens menés avec les associations.

Résumé

La notion de démocratie participative est présente dans les politiques publiques de santé.

Abstract

The notion of participatory democracy is currently present in all public policies.
"""
    chunks = passages(text)[0]
    where = {c.text.split()[0]: (c.section_path, c.role) for c in chunks}
    assert where["La"] == ("Résumé", PassageRole.ANNEX), "not cited under the grid's title"
    assert where["The"] == ("Abstract", PassageRole.ANNEX)
    assert where["Thème,"][0].startswith("Annexe 5")
    report = passages("Résumé\n\nLe rapport présente les conditions de la participation des usagers.\n")[0]
    assert [c.role for c in report] == [PassageRole.BODY], "a report's opening summary is its body"


def test_a_block_of_links_and_a_list_of_people_are_recognised_by_their_lines() -> None:
    links = "Pour en savoir plus :\nhttps://www.has-sante.fr/jcms/p_3201812/fr/engagement\nhttps://www.france-assos-sante.org/publication"
    people = "- M. Dupont Jean, médecin généraliste\n- Mme Martin Claire, usagère\n- Dr Leroy Paul, pharmacien"
    prose = "Les usagers participent au diagnostic du territoire, voir https://example.org pour un exemple de démarche."
    assert classify(["Ressources et suite"], links) is PassageRole.LINKS
    assert classify(["Composition"], people) is PassageRole.PARTICIPANTS
    assert classify(["Le diagnostic"], prose) is PassageRole.BODY
    assert classify(["6.10. Fiche ressource n° 10", "6.10.2. Ressources publiques"], prose) is PassageRole.BODY


def test_a_roles_file_with_an_unknown_role_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "roles.toml"
    bad.write_text(
        "[thresholds]\nlink_share = 0.2\nline_share = 0.5\n[titles]\nglossaire = ['^glossaire']\n"
        "[text]\nreference_line = ['x']\nparticipant_line = ['x']\ntoc_line = ['x']\nannex_heading = ['x']\n",
        encoding="utf-8",
    )
    with pytest.raises(RulesError, match="glossaire"):
        RoleRules.load(bad)


def test_no_passage_starts_or_ends_in_the_middle_of_a_sentence() -> None:
    sentence = "Les représentants des usagers participent aux réunions du bureau de la communauté {n}. "
    text = "1. Gouvernance\n\nLe bureau.\n\n1.1. Le bureau\n\n" + "".join(sentence.format(n=n) for n in range(40))
    chunks, _ = passages(text, size=400, overlap=120)
    chunks = [c for c in chunks if c.section_path.endswith("Le bureau")]
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.text.startswith("Les représentants"), chunk.text[:40]
        assert chunk.text.rstrip().endswith("."), chunk.text[-40:]


def test_a_line_ending_with_an_elided_word_carries_on() -> None:
    lines = ["indique que les professionnels d'une", "MSP se sont associés à une association d'usagers."]
    assert join_broken_lines(lines) == [" ".join(lines)]
    assert join_broken_lines(["Les usagers.", "MSP et CPTS."]) == ["Les usagers.", "MSP et CPTS."]


TABLE = "\n".join(
    [
        "Questions à se poser — Fiches ressources de ce guide — Autres ressources",
        "Comment présenter à l'équipe l'intérêt de faire participer les usagers ? — "
        "Fiche ressource n° 12 « Principaux avantages » — Guide pratique, 2015 : https://example.org/guide",
        "Comment recruter des usagers ? Qui recruter ? — Fiche ressource n° 5 « Représentativité » "
        "Fiche ressource n° 13 « Éléments pour une affiche » — Fiche pratique : La représentation des usagers "
        "en ville ? C'est possible ! France Assos Santé, 2022 : https://example.org/ville",
        "Formations nécessaires ? des usagers ? — Fiche ressource n° 7 « Indications pour la formation »",
        "Quelle échéance se donne l'équipe ? — Dossier méthodologique, 2017",
    ]
)


def test_the_question_table_pairs_each_row_of_questions_with_its_fiches() -> None:
    """Questions from a row's first cell only (not a resource's title « … en ville ? »); a row that names no
    fiche is kept with none, so that its question is not sent to the fiches of another row."""
    assert parse_rows(TABLE) == [
        ("Comment présenter à l'équipe l'intérêt de faire participer les usagers ?", (12,)),
        ("Comment recruter des usagers ? Qui recruter ?", (5, 13)),
        ("Formations nécessaires ? des usagers ?", (7,)),
        ("Quelle échéance se donne l'équipe ?", ()),
    ]


def test_a_question_table_is_read_by_its_cells() -> None:
    """The questions of a row are those of its first cell, a list after a colon included (« Dans quel(s)
    domaine(s) : gouvernance ? … »); a resource's title in another cell (« … en ville ? C'est possible ! ») is not
    one; a row that names no fiche is kept with none."""
    rows = "\n".join(
        [
            "Quels niveaux de participation voulons-nous ? Dans quel(s) domaine(s) : gouvernance ? diagnostics ? — "
            "Fiche ressource n° 1 « L'approche multidimensionnelle » Fiche ressource n° 2 « Processus » — "
            "Fiche pratique : La représentation des usagers en ville ? C'est possible ! https://example.org/ville",
            "Comment évaluer l'action ? Quels critères ? — Guide pratique, 2015, p. 77 https://example.org/guide",
        ]
    )
    assert parse_rows(rows) == [
        ("Quels niveaux de participation voulons-nous ? gouvernance ? diagnostics ?", (1, 2)),
        ("Comment évaluer l'action ? Quels critères ?", ()),
    ]


def test_a_question_table_cut_into_overlapping_passages_keeps_each_row_with_its_own_fiches() -> None:
    # as the index holds §7.1: rows flattened, a question right after a link, and the next passage
    # repeating the end of the previous one (more than 400 characters here) from a fiche name on
    resources = " ".join(f"Ressource {i}, 2022 : https://example.org/{i}" for i in range(12))
    first = (
        f"Comment recruter des usagers ? Qui recruter ? Fiche ressource n° 5 « Représentativité » {resources} "
        "Formations nécessaires ? des usagers ? Fiche ressource n° 7 « Indications pour la formation » "
        f"{resources} Faisons-nous une charte ? Que mettre dedans ?"
    )
    repeated = first[first.index("Fiche ressource n° 7") :]
    second = f"{repeated} Fiche ressource n° 14 « Éléments pour une charte de l'engagement » Guide, 2015."
    start = len(first) - len(repeated)
    text = join_passages([(0, len(first), first), (start, start + len(second), second)])
    assert parse_rows(text) == [
        ("Comment recruter des usagers ? Qui recruter ?", (5,)),
        ("Formations nécessaires ? des usagers ?", (7,)),
        ("Faisons-nous une charte ? Que mettre dedans ?", (14,)),
    ]


def test_a_section_with_one_question_near_a_fiche_is_not_a_question_table() -> None:
    body = "Qui peut aider ? La fiche ressource n° 8 « Facilitateurs » décrit les facilitateurs."
    assert find_question_tables([("has", "6.8.1", body), ("has", "7.1", TABLE)]) == [
        link for link in find_question_tables([("has", "7.1", TABLE)])
    ]
    assert {link.section_number for link in find_question_tables([("has", "7.1", TABLE)])} == {"7.1"}


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        pytest.param(
            "Les acteurs sont définis, respectivement, aux articles L. 1411-11 et L. 1411-12 du code de la santé. "
            "Comme le souligne M. E dans son entretien, la participation demande du temps.",
            [
                "Les acteurs sont définis, respectivement, aux articles L. 1411-11 et L. 1411-12 du code de la santé.",
                "Comme le souligne M. E dans son entretien, la participation demande du temps.",
            ],
            id="an initial or a legal abbreviation does not end a sentence",
        ),
        pytest.param(
            "La santé communautaire, c'est quoi docteur ? [vidéo] (dernière visite, juin 2023). "
            "Les explications du Dr B.",
            [
                "La santé communautaire, c'est quoi docteur ? [vidéo] (dernière visite, juin 2023).",
                "Les explications du Dr B.",
            ],
            id="a bracketed note stays with the title it follows",
        ),
        pytest.param(
            "Rémunérerons-nous les participants ? Comment ? — Fiche ressource n° 10 « Mobilisation des ressources »",
            ["Rémunérerons-nous les participants ? Comment ?", "Fiche ressource n° 10 « Mobilisation des ressources »"],
            id="the end of a table cell too short for a sentence stays with it",
        ),
        pytest.param(
            "Quelle échéance se donne l'équipe ? Définir les étapes avec un rétroplanning. — Dossier méthodologique",
            [
                "Quelle échéance se donne l'équipe ?",
                "Définir les étapes avec un rétroplanning.",
                "Dossier méthodologique",
            ],
            id="a short cell is not glued to a cell that ends a sentence",
        ),
        pytest.param(
            "Informer : « Nous vous informons. » — Consulter : Obtenir les avis sur un projet. — "
            "4- Les gouvernances — Partenariat : Intégrer des usagers.",
            [
                "Informer : « Nous vous informons. »",
                "Consulter : Obtenir les avis sur un projet.",
                "4- Les gouvernances — Partenariat : Intégrer des usagers.",
            ],
            id="a cell that ends a sentence is not glued to the next one, a row's name stays with its cell",
        ),
        pytest.param(
            "Les entretiens ont suivi une grille (cf. Annexe 2 - Guide d'entretien). Voir le guide de la fédération,"
            " 2015, p. 29-37 et p. 62. Cf. Figure 1 pour la répartition des personnes rencontrées.",
            [
                "Les entretiens ont suivi une grille (cf. Annexe 2 - Guide d'entretien).",
                "Voir le guide de la fédération, 2015, p. 29-37 et p. 62.",
                "Cf. Figure 1 pour la répartition des personnes rencontrées.",
            ],
            id="an abbreviation's period ends no sentence",
        ),
        pytest.param(
            "Source : Pomey M-P, Flora L, Dumez V, Lebel P, et al. Le « Montreal model » : enjeux du partenariat. "
            "Inspiré de Carman et al.. Il distingue trois niveaux.",
            [
                "Source : Pomey M-P, Flora L, Dumez V, Lebel P, et al. Le « Montreal model » : enjeux du partenariat.",
                "Inspiré de Carman et al..",
                "Il distingue trois niveaux.",
            ],
            id="a reference's « et al. » ends no sentence",
        ),
        pytest.param(
            "Le schéma pourrait être celui-ci : 1. Constat : voici le problème ; 2. Analyse : voici la cause ; "
            "3. Voici la solution. Ensuite on écrit aux responsables de la structure.",
            [
                "Le schéma pourrait être celui-ci : 1. Constat : voici le problème ; 2. Analyse : voici la cause ; "
                "3. Voici la solution.",
                "Ensuite on écrit aux responsables de la structure.",
            ],
            id="the numbers of items enumerated inside a sentence end no sentence",
        ),
        pytest.param(
            "Une méthode en quatre temps : 1. Constat partagé, 2. Détermination des objectifs communs, 3. Réalisation "
            "des objectifs, 4. Évaluation des effets. Elle se discute avec les usagers.",
            [
                "Une méthode en quatre temps : 1. Constat partagé, 2. Détermination des objectifs communs, "
                "3. Réalisation des objectifs, 4. Évaluation des effets.",
                "Elle se discute avec les usagers.",
            ],
            id="nor do the numbers of items enumerated between commas",
        ),
        pytest.param(
            "Selon l'État : « Ces centres vont vers les usagers. Ils les rendent acteurs de leur santé. » Le comité "
            "interministériel des villes a relevé que ces centres sont en quartier prioritaire.",
            [
                "Selon l'État : « Ces centres vont vers les usagers.",
                "Ils les rendent acteurs de leur santé. »",
                "Le comité interministériel des villes a relevé que ces centres sont en quartier prioritaire.",
            ],
            id="a quotation closed after a space ends its sentence there",
        ),
        pytest.param(
            "Le kit se décline en « dix fiches opérationnelles illustrées par des exemples pratiques. » (Source : site "
            "internet du ministère des Solidarités et de la Santé).",
            [
                "Le kit se décline en « dix fiches opérationnelles illustrées par des exemples pratiques. » (Source : "
                "site internet du ministère des Solidarités et de la Santé).",
            ],
            id="but not before the note that gives its source",
        ),
        pytest.param(
            "Une question se pose : l'usager doit-il être un·e élu·e ? Une personne non politisée? Un·e "
            "représentant·e mandaté·e ? Au cours de la discussion, M.E souligne la crainte.",
            [
                "Une question se pose : l'usager doit-il être un·e élu·e ? Une personne non politisée? Un·e "
                "représentant·e mandaté·e ?",
                "Au cours de la discussion, M.E souligne la crainte.",
            ],
            id="a question that only names another answer stays with the question it goes on",
        ),
        pytest.param(
            "Faut-il indemniser les usagers ? Les usagers sont-ils tenus au secret ? La charte en parle-t-elle ?",
            [
                "Faut-il indemniser les usagers ?",
                "Les usagers sont-ils tenus au secret ?",
                "La charte en parle-t-elle ?",
            ],
            id="but a question that asks by itself is a sentence",
        ),
        pytest.param(
            "Comment recruter des usagers ? Qui recruter ? — Fiche pratique : la représentation des usagers en ville ? "
            "C'est possible !",
            [
                "Comment recruter des usagers ? Qui recruter ?",
                "Fiche pratique : la représentation des usagers en ville ? C'est possible !",
            ],
            id="nor one in the next cell of a table's row",
        ),
        pytest.param(
            "Le modèle doit dépendre du territoire concerné. représentants des usagers, focus groupes et réunions de "
            "quartier sont autant de méthodes citées. Il faut compter env. trois mois pour 45 000 hab. répartis sur "
            "douze communes, ou le 12 sept. dernier (agendas, lieux, etc. et publics variés selon les territoires). Le "
            "site de la fédération. https://www.femasco.fr donne les dates.",
            [
                "Le modèle doit dépendre du territoire concerné.",
                "représentants des usagers, focus groupes et réunions de quartier sont autant de méthodes citées.",
                "Il faut compter env. trois mois pour 45 000 hab. répartis sur douze communes, ou le 12 sept. dernier "
                "(agendas, lieux, etc. et publics variés selon les territoires).",
                "Le site de la fédération. https://www.femasco.fr donne les dates.",
            ],
            id="a sentence whose start the PDF lost is one of its own, not glued to the one before; after an "
            "abbreviation or before an address the sentence goes on",
        ),
    ],
)
def test_sentences_end_where_they_end(text: str, sentences: list[str]) -> None:
    from ingest.chunking import split_sentences

    assert [text[a:b] for a, b in split_sentences(text)] == sentences


def test_a_passage_of_titles_alone_states_nothing() -> None:
    """A title slide (« REPRÉSENTANT / ASSOCIATIF EN CPTS » under « FICHE MISSION ») or a cover holds no sentence to
    quote: it is told apart from body text, which a list of words in lower case still is."""
    assert classify(["FICHE MISSION"], "REPRÉSENTANT\nASSOCIATIF EN CPTS") is PassageRole.TITLES
    assert classify([""], "HAUTE AUTORITÉ DE SANTÉ\n\nGUIDE") is PassageRole.TITLES
    assert classify(["Qu'est-ce qu'un usager ?"], "Patient\nMalade\nRésident\nFamille") is PassageRole.BODY
    assert classify(["LA CPTS"], "LA CPTS\nElle réunit les professionnels du territoire.") is PassageRole.BODY
    assert classify(["À RETENIR"], "LE RU SIÈGE AU CONSEIL ET VOTE LE BUDGET.") is PassageRole.BODY  # a statement
    assert classify(["Chiffres"], "2019 : 12 %\n2020 : 15 %") is PassageRole.BODY  # figures, no title


def test_a_masthead_under_the_document_s_own_title_states_nothing() -> None:
    """The URPS sheet's masthead (« Les préconisations de vos URPS… » / « N°9 - Octobre 2022 » under « Infos
    conseils ») was quoted as a list item: under the document's own title, lines that end no sentence are a cover.
    Under that title a passage that states something is body text; so is a list of words under another title."""
    title = "Infos conseils N°9 – Impliquer les usagers dans la construction d'une CPTS"
    masthead = "Les préconisations de vos URPS pour les professionnels\n\nN°9 - Octobre 2022"
    assert classify(["Infos conseils"], masthead, document_title=title) is PassageRole.TITLES
    assert classify(["Infos conseils"], masthead) is PassageRole.BODY  # no document title given
    stated = "Le projet de santé d'une CPTS doit répondre aux besoins de la population."
    assert classify(["Infos conseils"], stated, document_title=title) is PassageRole.BODY
    assert classify(["Qu'est-ce qu'un usager ?"], "Patient\nMalade", document_title=title) is PassageRole.BODY
    # a title's first word alone is no title of the document (a second reader's « La » of « La participation… »)
    assert classify(["La"], "Patient\nMalade", document_title="La participation des usagers") is PassageRole.BODY
