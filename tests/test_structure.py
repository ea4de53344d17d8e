"""Finding the structure of a document: headings become section codes and section paths of passages."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ingest.chunking import chunk_document, section_label
from ingest.models import DocumentInfo, LoadedDocument, Page, SectionRef
from ingest.rules import DATA_DIR, RulesError, StructureRules
from ingest.sections import SectionCode, SectionKind, without_numbering
from ingest.structure import StructuredDocument, fiche_of, structure_document

pytestmark = pytest.mark.fast

INFO = DocumentInfo("doc", "doc.txt", "Document")


def structure(text: str) -> StructuredDocument:
    return structure_document(LoadedDocument(INFO, [Page(None, text)], "sha", None))


def headings(text: str) -> list[tuple[str, str]]:
    """(section code, heading text) of every heading."""
    return [(b.number, b.text) for b in structure(text).blocks if b.kind == "heading"]


def paths(text: str) -> list[tuple[str, str, int]]:
    """(section code, section path, fiche) of every passage."""
    chunks, _ = chunk_document(INFO, structure(text), 1000, 150)
    return [(c.section_number, c.section_path, c.fiche) for c in chunks]


GUIDE = """1. Introduction

Le guide présente la démarche.

1.1. Pourquoi impliquer les usagers

Les usagers apportent leur expérience.

2. Les fiches ressources

2.1. Fiche ressource n° 1 – Les dimensions de l'engagement

Les usagers peuvent s'engager dans la gouvernance.
"""


def test_numbered_sections_nest_and_a_fiche_heading_names_its_fiche() -> None:
    assert paths(GUIDE) == [
        ("1", "1. Introduction", 0),
        ("1.1", "1. Introduction > 1.1. Pourquoi impliquer les usagers", 0),
        (
            "2.1",
            "2. Les fiches ressources > 2.1. Fiche ressource n° 1 – Les dimensions de l'engagement",
            1,
        ),
    ]
    assert fiche_of("6.1. Fiche ressource n° 1 – Les dimensions") == (1, "Les dimensions")


def test_a_numbered_list_in_a_text_without_sections_gets_no_section_code() -> None:
    text = "Les étapes :\n\n1. Identifier les usagers\n\n2. Les inviter au comité\n"
    assert all(code == "" for code, _ in headings(text))
    assert {p[0] for p in paths(text)} == {""}


def test_sections_inside_a_partie_are_coded_with_the_part() -> None:
    text = """Partie 1 - Le contexte

1.1. Les soins primaires

Les MSP se développent.

1.2. Les usagers

Texte sur les usagers.

Partie 2 - Les résultats

2.1. Entretiens

Les entretiens montrent des freins.
"""
    assert headings(text)[:2] == [("P1", "Partie 1 - Le contexte"), ("P1-1.1", "Les soins primaires")]
    assert paths(text) == [
        ("P1-1.1", "Partie 1 - Le contexte > 1.1. Les soins primaires", 0),
        ("P1-1.2", "Partie 1 - Le contexte > 1.2. Les usagers", 0),
        ("P2-2.1", "Partie 2 - Les résultats > 2.1. Entretiens", 0),
    ]


def test_recommandation_headings_are_coded_r() -> None:
    text = """Recommandation n°1 : Informer les usagers

Il faut informer les usagers du projet de santé.

Recommandation n° 2 – Consulter

Les usagers sont consultés.
"""
    assert headings(text) == [
        ("R1", "Recommandation n°1 : Informer les usagers"),
        ("R2", "Recommandation n°2 : Consulter"),
    ]


def test_roman_parts_and_their_repetition_on_a_later_slide() -> None:
    text = """I. Le rôle du représentant

Le représentant porte la parole des usagers.

II. Les missions

Il participe aux réunions de la CPTS.

II. Les missions

Il rend compte à son association.
"""
    assert headings(text) == [("I", "I. Le rôle du représentant"), ("II", "II. Les missions")]
    assert [p[0] for p in paths(text)] == ["I", "II"]


def test_an_anchor_names_a_part_whose_title_a_slide_glues_and_spreads_and_each_repetition_takes_its_own() -> None:
    """« II.UNE CPTS, / POUR Y  FAIRE / QUOI? », repeated on a later slide: the manifest's anchors make each the
    heading of part II (one anchor per repetition), not a heading « II.UNE CPTS, POUR Y FAIRE QUOI? » under part I."""
    text = """I.UNE CPTS :
J'Y VAIS ?

Le représentant habite le territoire.

II.UNE CPTS,
POUR Y  FAIRE
QUOI?

Il participe au diagnostic.

II.UNE CPTS,
POUR Y  FAIRE
QUOI?

Il suit la vie de la CPTS.
"""
    anchors = (
        ("I.UNE CPTS :", "I. Une CPTS : j'y vais ?", 2),
        ("II.UNE CPTS,", "II. Une CPTS, pour y faire quoi ?", 3),
        ("II.UNE CPTS,", "II. Une CPTS, pour y faire quoi ?", 3),
    )
    info = replace(INFO, anchors=anchors)
    found = structure_document(LoadedDocument(info, [Page(None, text)], "sha", None))
    assert [(b.number, b.title) for b in found.blocks if b.kind == "heading"] == [
        ("I", "Une CPTS : j'y vais ?"),
        ("II", "Une CPTS, pour y faire quoi ?"),
        ("II", "Une CPTS, pour y faire quoi ?"),
    ]
    chunks, _ = chunk_document(info, found, 1000, 150)
    assert [c.section_number for c in chunks] == ["I", "II", "II"]
    assert "UNE CPTS" not in " ".join(c.text for c in chunks)


def _passages(text: str) -> str:
    chunks, _ = chunk_document(INFO, structure(text), 1000, 150)
    return "\n".join(c.text for c in chunks)


def test_a_numbered_line_of_a_slide_is_an_item_of_its_list_not_a_title() -> None:
    """The manifesto's 10 principles: a short numbered line of its own (« 4. Coconstruire… ») was a title whose
    section held nothing, so its text was in no passage, and so was the list's own title above « 1. … »."""
    text = """Les 10 principes pour passer de l'exercice solitaire à l'exercice solidaire

1. Orienter toutes les politiques publiques en faveur de l'exercice en équipe

2. Reconnaitre que la maison de santé est l'endroit où l'usager rentre dans une structure collective, et non plus
dans un cabinet individuel

4. Coconstruire des actions de santé publiques avec les habitants / citoyens

5. Reconnaitre les maisons de santé comme lieux d'exercice favorisant la qualité

6. Adapter le mode de rémunération à ces nouvelles modalités de travail
"""
    assert [title for _, title in headings(text)] == [
        "Les 10 principes pour passer de l'exercice solitaire à l'exercice solidaire"
    ]
    passages = _passages(text)
    for item in ("1. Orienter", "4. Coconstruire", "5. Reconnaitre", "6. Adapter"):
        assert item in passages


def test_short_lines_after_a_lists_introduction_are_its_items_not_titles() -> None:
    """« Ils peuvent : » then three short lines of their own: the first two were titles of empty sections (their text
    lost), the third the title of the text after them."""
    text = """Le représentant associatif siège dans les groupes de travail de la CPTS.

Ils peuvent :

Prendre connaissance des données étudiées par les acteurs

Proposer ses propres données pour alimenter le diagnostic

Alimenter le diagnostic par son propre vécu du territoire

Idéalement, il peut s'appuyer sur des outils pour connaître les besoins de santé des habitants.
"""
    assert headings(text) == []
    passages = _passages(text)
    assert "Ils peuvent :\n\nPrendre connaissance" in passages and "Alimenter le diagnostic par son" in passages


def test_a_title_another_title_follows_at_once_stays_in_the_text() -> None:
    """Two titles in a row are a title and its subtitle (« Typologie d'implication des usagers » over « Objectif de la
    participation des usagers » and its table), unless the second asks a question: a slide's title after an empty
    slide's, whose words stay in the text before. A numbered section over its sub-sections stays a title."""
    table = """Les statuts prévoient un collège usagers.

Typologie d'implication des usagers

Objectif de la participation des usagers

Informer les usagers, les consulter, les impliquer ou co-construire avec eux.
"""
    assert [title for _, title in headings(table)] == [
        "Typologie d'implication des usagers — Objectif de la participation des usagers"
    ]
    slides = """Les usagers siègent dans les conseils territoriaux de santé.

Quelle est la place des usagers dans notre système de santé ?

Qu'est-ce que la santé communautaire ?

On parle de santé communautaire quand les membres d'une collectivité réfléchissent ensemble.
"""
    assert [title for _, title in headings(slides)] == ["Qu'est-ce que la santé communautaire ?"]
    assert "Quelle est la place des usagers dans notre système de santé ?" in _passages(slides)
    assert [code for code, _ in headings(GUIDE)] == ["1", "1.1", "2", "2.1"]


def test_a_title_at_the_end_is_a_line_and_numbered_sections_in_a_row_stay_titles() -> None:
    """A title of its own with nothing after it is a line of the text; numbered sections one after the other, the first
    with nothing under it, are still sections (only titles without a number become lines or subtitles)."""
    end = "Les usagers participent au comité de pilotage.\n\nPour aller plus loin avec les usagers\n"
    assert headings(end) == []
    assert "Pour aller plus loin avec les usagers" in _passages(end)
    numbered = GUIDE.replace("Le guide présente la démarche.\n\n", "")
    assert [code for code, _ in headings(numbered)] == ["1", "1.1", "2", "2.1"]
    sections = """1. Introduction

1.1. Pourquoi impliquer les usagers

Les usagers apportent leur expérience.

2. Les fiches ressources

3. Pour passer à l'action

3.1. Par où commencer

Le guide propose un tableau de questions.
"""
    assert [code for code, _ in headings(sections)] == ["1", "1.1", "2", "3", "3.1"]


def test_numbered_slide_titles_each_over_its_text_stay_titles() -> None:
    """A numbered line is a list item only beside another: « 1. Contexte du projet » over its own text is a title."""
    text = """1. Contexte du projet

La maison de santé a ouvert ses portes en 2019 avec douze professionnels.

2. Méthode retenue

Un comité d'usagers se réunit chaque trimestre avec l'équipe.
"""
    assert [title for _, title in headings(text)] == ["1. Contexte du projet", "2. Méthode retenue"]


def test_no_line_of_a_bundled_document_is_left_out_of_its_passages() -> None:
    """Every heading of the corpus names a section that holds text, or is a numbered part: no line is lost."""
    from ingest.loaders import load_document
    from ingest.manifest import load_manifest

    corpus = Path(__file__).parent.parent / "corpus"
    manifest = load_manifest(corpus)
    for path in sorted(corpus.glob("*.txt")):
        blocks = structure_document(load_document(path, manifest.info_for(path))).blocks
        for block, nxt in zip(blocks, [*blocks[1:], None], strict=True):
            if block.kind == "heading" and not block.number:
                assert nxt is not None and (nxt.kind == "paragraph" or nxt.level > block.level), (path.name, block)


def test_a_slide_title_asking_a_question_after_the_slide_before_s_link_titles_what_follows() -> None:
    """« …/associations-agreees/ » then « Une CPTS, c'est quoi ? » with no blank line between (the footer of one slide,
    the title of the next): the slide's text « Une CPTS (…), c'est un réseau… » was cited under the slide before's
    title, « Les délégations sont là ! ». After a sentence, a question ends its paragraph: the last of a list of
    questions, a question the text asks itself."""
    text = """Les délégations sont là !

Une question ? Contactez votre délégation
régionale ici : https://www.france-assos-sante.org/reseau/unions-regionales-des-associations-agreees/
Une CPTS, c'est quoi ?

Une CPTS, c'est un réseau, un espace de dialogue sur un territoire, autour d'un projet de santé.

Quelques questions à se poser avant de s'engager :
Quel temps puis-je consacrer à ce mandat ?
Qui dois-je représenter au sein du comité ?

Le comité s'est réuni quatre fois en 2022.
Mais qu'en est-il des autres structures du territoire ?

La suite du projet de santé se discute en assemblée générale.
"""
    assert [title for _, title in headings(text)] == ["Les délégations sont là !", "Une CPTS, c'est quoi ?"]


def test_a_sentence_a_slide_spreads_over_blank_lines_is_one_paragraph_not_a_title() -> None:
    """A slide puts blank lines inside its sentences: « … sous peine de ne » / « pas pourvoir … - France » / « Assos
    Santé soutient… » is one sentence (a name cut in two in a sentence already carried over a blank line), and
    « … par les URPS » / « / les fédérations intègrent… » too; none of its lines is a title."""
    text = """Sans en faire une obligation - sous peine de ne

pas pourvoir fournir tous les mandats - France

Assos Santé soutient la présence de représentants associatifs dans les CPTS.

A savoir : idéalement les statuts types proposés par les URPS

/ les fédérations intègrent la possibilité d'avoir un collège usagers.
"""
    document = structure(text)
    assert [b.kind for b in document.blocks] == ["paragraph", "paragraph"]
    assert document.blocks[0].text == (
        "Sans en faire une obligation - sous peine de ne pas pourvoir fournir tous les mandats - France Assos Santé "
        "soutient la présence de représentants associatifs dans les CPTS."
    )
    assert document.blocks[1].text.endswith(
        "par les URPS / les fédérations intègrent la possibilité d'avoir un collège usagers."
    )


def test_a_name_a_blank_line_cuts_at_the_start_of_a_sentence_is_one_line_again() -> None:
    """« Les délégations régionales de France » / « Assos Santé sont disponibles… » is one sentence, not a title and a
    sentence starting mid-name: the slide writes « Assos » twice or more, always after « France », and once without a
    blank line between them. A word the document also writes after other words (« Le ») opens a paragraph of its own;
    a slide repeated twice does not make its title a name, nor is a numbered heading glued to its text."""
    text = """Les délégations sont là !

Les délégations régionales de France

Assos Santé sont disponibles pour accompagner les mandats.

Une collaboration entre France
Assos Santé et ses associations membres.

Une démarche en France

Le représentant associatif habite le territoire. Le mandat est court.
"""
    document = structure(text)
    texts = [b.text for b in document.blocks if b.kind == "paragraph"]
    assert "Les délégations régionales de France Assos Santé sont disponibles pour accompagner les mandats." in texts
    assert not any(t.startswith("Assos") for t in texts)
    assert "Le représentant associatif habite le territoire. Le mandat est court." in texts
    repeated = "Le rôle du représentant en Occitanie\n\nTrois missions lui sont confiées.\n\n" * 2
    assert "Trois missions lui sont confiées." in [b.text for b in structure(repeated).blocks]
    numbered = "2.1 Les délégations régionales de France\n\nAssos Santé répond.\n\nAvec France\nAssos Santé.\n"
    blocks = structure(numbered).blocks
    assert (blocks[0].kind, blocks[1].text) == ("heading", "Assos Santé répond.")


def test_a_table_of_contents_is_read_and_left_out_of_the_text() -> None:
    text = """Sommaire

1. Introduction ........ 3
1.1. Le contexte ........ 4
2. Les fiches ........ 7
2.1. La première fiche ........ 8

1. Introduction

1.1. Le contexte

Les maisons de santé se développent.

1.2. Les usagers

Les usagers sont associés.
"""
    doc = structure(text)
    assert [(e.number, e.page) for e in doc.toc] == [("1", 3), ("1.1", 4), ("2", 7), ("2.1", 8)]
    assert "Sommaire" not in doc.text and "......" not in doc.text
    chunks, _ = chunk_document(INFO, doc, 1000, 150)
    assert [(c.section_number, c.page, c.page_source) for c in chunks] == [("1.1", 4, "toc"), ("1.2", 3, "toc")]
    # § 1.2, not listed, is somewhere in chapter 1's pages, from its page to where chapter 2 starts (a reader looked
    # for the guide's § 6.1.5 on « p. 25 », where its fiche starts); § 1.1, listed, from its page to the next entry's
    # (readers found quotes of a section's second page cited on its first)
    assert [(c.section_number, c.page, c.page_end) for c in chunks] == [("1.1", 4, 7), ("1.2", 3, 7)]


def test_section_labels_read_each_kind_of_code() -> None:
    assert section_label(SectionRef("6.8.2", "Facilitateurs", 3)) == "6.8.2. Facilitateurs"
    assert section_label(SectionRef("P2-3.1", "Entretiens", 3)) == "3.1. Entretiens"
    assert section_label(SectionRef("P2", "Les résultats", 1)) == "Partie 2 - Les résultats"
    assert section_label(SectionRef("R3", "Impliquer", 1)) == "Recommandation n°3 : Impliquer"
    assert section_label(SectionRef("", "UNE CPTS, C'EST QUOI ?", 1)) == "UNE CPTS, C'EST QUOI ?"


def test_section_codes_round_trip() -> None:
    for code in ("6.6.2", "P2-3.3.4", "P2", "R2", "II", ""):
        assert str(SectionCode.parse(code)) == code
    assert SectionCode.parse("P2-3.1") == SectionCode(SectionKind.NUMBERED, "3.1", 2)
    assert SectionCode.parse("6.6.2").within(SectionCode.parse("6.6"))
    assert not SectionCode.parse("6.62").within(SectionCode.parse("6.6"))


def test_a_heading_pattern_without_its_named_groups_is_rejected(tmp_path: Path) -> None:
    good = (DATA_DIR / "structure.toml").read_text(encoding="utf-8")
    bad = tmp_path / "structure.toml"
    bad.write_text(good.replace("(?P<num>\\d{1,2})", "(\\d{1,2})", 1), encoding="utf-8")
    with pytest.raises(RulesError, match=r"structure\.toml.*headings\.part.*num"):
        StructureRules.load(bad)


def test_a_label_with_an_unknown_placeholder_is_rejected(tmp_path: Path) -> None:
    good = (DATA_DIR / "structure.toml").read_text(encoding="utf-8")
    bad = tmp_path / "structure.toml"
    bad.write_text(good.replace("{number}. {title}", "{numero}. {title}"), encoding="utf-8")
    with pytest.raises(RulesError, match=r"labels\.numbered"):
        StructureRules.load(bad)


def sentences_of(text: str) -> list[tuple[str, str, bool]]:
    """(text, table label, header row) of every sentence of ``text``'s passages."""
    return [(s.text, s.label, s.header) for s in chunk_document(INFO, structure(text), 1000, 150)[1]]


MATRIX = (
    "Exemples de modalités d'engagement\n\n"
    "\tConsultation\tPartenariat\n"
    "1- Les diagnostics\t<p>Enquête menée auprès des habitants.</p>\t"
    "<p>Constitution d'une équipe projet.</p> <p>Comité de suivi du diagnostic.</p>\n"
    "2- Les gouvernances\t<p>Concertations et consultations publiques.</p>\t"
    "<p>Intégration d'usagers dans les instances.</p>\n"
)


def test_a_table_cell_knows_its_column_and_row_and_is_quoted_as_written() -> None:
    """A matrix (empty corner): each cell is a sentence of its own (two cells never make one, even when a cell
    holds two paragraphs), written as the document writes it, and named by its column and row."""
    quoted = sentences_of(MATRIX)
    assert ("Consultation — Partenariat", "", True) in quoted, "the header row names columns, it says nothing"
    assert ("1- Les diagnostics — Enquête menée auprès des habitants.", "Consultation", False) in quoted
    assert ("Constitution d'une équipe projet.", "1- Les diagnostics — Partenariat", False) in quoted
    assert ("Comité de suivi du diagnostic.", "1- Les diagnostics — Partenariat", False) in quoted
    assert ("Intégration d'usagers dans les instances.", "2- Les gouvernances — Partenariat", False) in quoted


def test_a_row_whose_cells_run_on_stays_one_sentence_without_a_name() -> None:
    text = (
        "Question\tFiche\tAutres ressources\n"
        "Qui recruter\tFiche ressource n° 5 « Représentativité »\tGuide pratique, 2015.\n"
    )
    assert sentences_of(text)[1] == (
        "Qui recruter — Fiche ressource n° 5 « Représentativité » — Guide pratique, 2015.",
        "",
        False,
    )


def test_a_two_column_table_reads_as_it_is_written() -> None:
    """« Frein — Levier » rows read without names: a two-column table's header is not taken for one."""
    text = "Freins\tLeviers\nTemps disponible insuffisant\tMobiliser les personnels non soignants.\n"
    assert sentences_of(text) == [
        ("Freins — Leviers", "", False),
        ("Temps disponible insuffisant — Mobiliser les personnels non soignants.", "", False),
    ]


def test_a_header_one_cell_short_of_its_rows_leaves_the_rows_name_unnamed() -> None:
    text = (
        "Informer\tConsulter\tCo-décider\n"
        "Gouvernance\tInformer les usagers.\tOrganiser une enquête.\tVoter au conseil.\n"
        "Diagnostic\tAfficher le projet.\tOuvrir un forum.\tPiloter ensemble.\n"
    )
    labels = {text: label for text, label, _ in sentences_of(text)}
    assert labels["Gouvernance — Informer les usagers."] == "Informer"
    assert labels["Organiser une enquête."] == "Gouvernance — Consulter"
    assert labels["Piloter ensemble."] == "Diagnostic — Co-décider"


def test_only_a_passage_cut_inside_a_row_takes_its_names_from_it() -> None:
    """The start or the end of one row, at the edge of a passage; not a line of prose that happens to be
    written like the start of a row."""
    from ingest.structure import Tables

    row = "1- Les diagnostics — Enquête menée auprès des habitants. — Constitution d'une équipe projet."
    tables = Tables({row: ("", "Consultation", "Partenariat")}, frozenset())
    end = "Constitution d'une équipe projet."
    assert tables.label(end, 0, len(end), opens=True) == "1- Les diagnostics — Partenariat"
    assert tables.label(end, 0, len(end)) == "", "a line inside a passage is a row whole, or prose"
    start = "1- Les diagnostics — Enquête menée auprès des habitants."
    assert tables.label(start, 0, len(start), closes=True) == "Consultation"
    assert tables.label(start, 0, len(start), opens=True) == ""


def test_a_tables_caption_goes_with_the_table_not_with_the_prose_before_it() -> None:
    """Where a passage ends just before a table, the table's caption starts the table's passage: read under
    the notes before it, « Exemples de modalités d'engagement » would name nothing."""
    prose = " ".join(f"La phrase {n} décrit une étape de la démarche d'engagement." for n in range(12))
    guide = f"1. Processus\n\n1.1. Une matrice\n\n{prose}\n\n{MATRIX}\n1.2. La suite\n\nLa démarche continue."
    chunks, _ = chunk_document(INFO, structure(guide), 800, 0)
    captioned = [c.text for c in chunks if "Exemples de modalités" in c.text]
    assert len(chunks) >= 2 and captioned, "the prose and the table are two passages"
    assert all(text.startswith("Exemples de modalités d'engagement\n\nConsultation") for text in captioned)
    assert not any(c.text.rstrip().endswith("Exemples de modalités d'engagement") for c in chunks)


def test_a_title_alone_in_its_passage_goes_with_the_text_it_heads() -> None:
    """The guide's « → Une expérimentation est en cours… » stood alone in a passage (its paragraph too long to share
    one) and was quoted as a sentence, with no end mark, in answers about anything: it now opens the passage of the
    text it heads, and no passage is a title alone."""
    title = "→ Une expérimentation est en cours sur le financement de structures d'exercice coordonné participatives"
    prose = " ".join(f"La phrase {n} décrit une étape de l'expérimentation des centres." for n in range(14))
    guide = f"1. Ressources\n\n1.1. Publiques\n\n{title}\n\n{prose}\n\n1.2. La suite\n\nLa démarche continue."
    chunks, _ = chunk_document(INFO, structure(guide), 800, 0)
    assert not any(c.text.strip() == title for c in chunks)
    assert chunks[0].text.startswith(f"{title}\n\nLa phrase 0")
    stacked = f"1. Ressources\n\n1.1. Publiques\n\n→ Le financement\n\n{title}\n\n{prose}\n\n1.2. La suite\n\nFin."
    chunks, _ = chunk_document(INFO, structure(stacked), 800, 0)
    assert chunks[0].text.startswith(f"→ Le financement\n\n{title}\n\nLa phrase 0"), "two titles stacked, then the text"


@pytest.mark.parametrize(
    ("title", "bare"),
    [
        ("6.8.2. Facilitateurs", "Facilitateurs"),
        ("II. Des représentants en CPTS, pour y faire quoi ?", "Des représentants en CPTS, pour y faire quoi ?"),
        ("Partie 2 - Mémoire", "Mémoire"),
        ("Recommandation n°2 : Associer les usagers", "Associer les usagers"),
        ("Idées reçues", "Idées reçues"),  # a word's first letter is no Roman numeral
        ("Vision partagée", "Vision partagée"),
    ],
)
def test_a_title_loses_its_numbering_and_nothing_else(title: str, bare: str) -> None:
    """Titles are compared and shown without their numbering, whichever way each document writes it; the I or V
    that opens a word stays (« Idées » was read as « dées »)."""
    assert without_numbering(title) == bare


def test_a_footnote_a_page_break_left_under_the_next_title_is_cited_under_the_section_that_calls_it() -> None:
    """« Note 14 » (called in § 4.2.4's subtitle) was quoted under « 4.3. Les freins », where a page break left it:
    it now ends the section that calls it. A note under its own section stays where it is, and so does one whose
    call is not found."""
    text = (
        "1. Les leviers et les freins\n\nLes démarches engagées montrent des leviers et des freins.\n\n"
        "1.1. La formation conjointe\n\n"
        "« Pas seulement du café et des gâteaux »¹⁴\n\n"
        "En Australie, le bilan publié en 2017 fait apparaître les clés du succès des démarches engagées.\n\n"
        "1.2. Les freins\n\n"
        "Ils sont bien identifiés par les équipes engagées dans ces démarches depuis longtemps.\n\n"
        "¹⁴ Cette formule est une adaptation du titre de l'article cité : « Not just tea and biscuits ».\n\n"
        "Le temps manque aux équipes, qui le disent dans toutes les enquêtes menées⁹.\n\n"
        "⁹ Enquête de 2021 auprès des équipes, menée dans toute la région concernée.\n\n"
        "¹¹ Une note dont l'appel n'est écrit nulle part dans le texte de ce document."
    )
    chunks, _ = chunk_document(INFO, structure(text), 1000, 150)
    where = {note: c.section_number for c in chunks for note in ("Note 14", "Note 9", "Note 11") if note in c.text}
    assert where == {"Note 14": "1.1", "Note 9": "1.2", "Note 11": "1.2"}
    freins = next(c.text for c in chunks if c.section_number == "1.2")
    assert freins.startswith("Ils sont bien identifiés")
