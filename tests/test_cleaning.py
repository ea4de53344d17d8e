"""Cleaning the text of extracted documents: what a PDF breaks is put back before anything is indexed."""

from __future__ import annotations

import pytest

from ingest.cleaning import (
    continues,
    dehyphenate,
    join_broken_lines,
    normalize_chars,
    strip_markup,
    strip_running_lines,
    unglue,
    vocabulary,
)
from ingest.models import DocumentInfo, LoadedDocument, Page
from ingest.structure import structure_document

pytestmark = pytest.mark.fast


def test_a_word_cut_by_a_hyphen_at_a_line_end_is_glued_back() -> None:
    text = "les représen-\ntants des usagers"
    assert dehyphenate(text, vocabulary(text)) == "les représentants des usagers"


def test_a_real_hyphenated_word_of_the_document_keeps_its_hyphen() -> None:
    text = "une équipe pluri-\nprofessionnelle ; une maison pluri-professionnelle"
    assert dehyphenate(text, vocabulary(text)).startswith("une équipe pluri-professionnelle")


def test_a_word_cut_at_a_slide_s_line_end_before_a_blank_line_is_one_word() -> None:
    """The slides leave a blank line between their lines: « celle-\\n\\nci » is « celle-ci » (read « celle- ci »
    before); an address cut so keeps its hyphens, though the slides never write it whole; a new paragraph after a dash
    set off by spaces is not joined."""
    text = (
        "au titre de celle-\n\nci qu'il intègre la CPTS. Si celle-ci n'est pas agréée. Contactez votre délégation "
        "régionale ici :https://www.france-assos-\n\nsante.org/reseau/unions-regionales-des-\n\nassociations-agreees/\n\n"
        "Les centres -\n\nles maisons"
    )
    cleaned = dehyphenate(text, vocabulary(text))
    assert cleaned.startswith("au titre de celle-ci qu'il intègre")
    assert "ici :https://www.france-assos-sante.org/reseau/unions-regionales-des-associations-agreees/" in cleaned
    assert cleaned.endswith("Les centres -\n\nles maisons")


def test_footnote_marks_and_markup_are_removed() -> None:
    assert strip_markup("la participation des usagers¹² est **essentielle**") == (
        "la participation des usagers est essentielle"
    )
    assert strip_markup("dans sa recommandation⁽¹⁾ de septembre 2020") == "dans sa recommandation de septembre 2020"
    # a footnote keeps its number, so that it reads as a note and not as a title of the text around it
    note = r"²⁸ [Le service sanitaire des étudiants en santé \(articles D. 4071-1 à D. 4071-7\)](#)"
    assert strip_markup(f"fin du paragraphe.\n\n{note}") == (
        "fin du paragraphe.\n\nNote 28 : Le service sanitaire des étudiants en santé (articles D. 4071-1 à D. 4071-7)"
    )
    assert strip_markup("le 1^er comité") == "le 1er comité"
    assert strip_markup("voir [le guide](https://has-sante.fr)") == "voir le guide (https://has-sante.fr)"
    # Markdown escapes its parentheses: a quote must read "(RGPD)", not "\\(RGPD\\)"
    assert strip_markup(r"règlement \(UE\) n° 2016/679 \(RGPD\)") == "règlement (UE) n° 2016/679 (RGPD)"
    assert strip_markup(r"[Soins primaires \(AVECsanté\)](#)") == "Soins primaires (AVECsanté)"
    # a footnote whose number a PDF glued to its first word; a numbered item or a figure stays
    assert strip_markup("1Usager·ère·s : on parle d'usagers.") == "Usager·ère·s : on parle d'usagers."
    assert strip_markup("2. Les diagnostics\n10 Maisons de santé") == "2. Les diagnostics\n10 Maisons de santé"
    # its call, glued to the end of the word it explains, goes too (a quote read « des usager·ère·s1 et… »), and the
    # note is numbered as the others are (it was quoted as the study's prose); a number glued to a word goes only
    # when the page holds a note of that number
    page = "les droits des usager·ère·s1 et invite.\n\n1Usager·ère·s : on parle d'usagers."
    assert strip_markup(page) == "les droits des usager·ère·s et invite.\n\nNote 1 : Usager·ère·s : on parle d'usagers."
    assert strip_markup("les droits des usager·ère·s2 et invite.\n\n1Usager·ère·s : note.").startswith(
        "les droits des usager·ère·s2 et"
    )
    # nor in an address, after a unit, or after the note (a call comes before its note)
    kept = "voir https://www.site.fr/fiche1.pdf, à 50 km1, puis\n\n1Détail : une note.\n\nles usager·ère·s1 et."
    assert strip_markup(kept).startswith("voir https://www.site.fr/fiche1.pdf, à 50 km1, puis")
    assert strip_markup(kept).endswith("les usager·ère·s1 et.")


def test_calls_into_the_list_of_references_are_removed_but_not_an_enumeration() -> None:
    """« (6,15-18) » left in a quote read as noise (half of 50 answers read held one): the list it points to is
    never quoted."""
    assert strip_markup("les droits sont renforcés (6,15-18). En outre") == "les droits sont renforcés. En outre"
    assert strip_markup("en France (12, 13), comme à Grand Galet (8), articula") == (
        "en France, comme à Grand Galet, articula"
    )
    assert strip_markup("du bilan de santé\n(31).\nSuite") == "du bilan de santé.\nSuite"  # wrapped to its own line
    between_commas = "Pour l'An II de la démocratie sanitaire, (6), la première étape"  # one comma is left
    assert strip_markup(between_commas) == "Pour l'An II de la démocratie sanitaire, la première étape"
    after_a_year = "en janvier 2020 et octobre 2020 (39,40)."
    assert strip_markup(after_a_year) == "en janvier 2020 et octobre 2020."
    # the sentence had ended before its call: « réclamations…. » and « terrain. ». » were quoted
    assert strip_markup("examiner les réclamations…(6,19). La CDU") == "examiner les réclamations… La CDU"
    assert strip_markup("aux professionnels de terrain. » (35). Les") == "aux professionnels de terrain. » Les"
    kept_as_written = ("intro :\n(1) Le premier point", "Tableau 2 (partie 1/2)", "en 2019 (2019)", "(n = 12)")
    for kept in (*kept_as_written, "J Am Plann Assoc 1969;35(4):216-24"):  # a journal's issue is no call
        assert strip_markup(kept) == kept


def test_a_space_a_pdf_put_before_a_comma_or_a_period_is_removed_not_the_french_ones() -> None:
    """« Une CPTS , c'est un réseau » and « aux concernés . » were quoted as the PDF wrote them; French writes a space
    before « : », « ; », « ? », « ! », which stay, and an ellipsis keeps its own."""
    assert strip_markup("Une CPTS , c'est un réseau, un espace de dialogue") == (
        "Une CPTS, c'est un réseau, un espace de dialogue"
    )
    assert strip_markup("aux concernés .\nLes représentants") == "aux concernés.\nLes représentants"
    for kept in ("A savoir : on préférera", "Pourquoi pas ?", "etc ... la suite", "la version 2.0 du guide"):
        assert strip_markup(kept) == kept


def test_ligatures_exotic_spaces_and_curly_apostrophes_are_normalised() -> None:
    assert normalize_chars("l\u2019e\ufb00et\u00a0de la con\ufb01ance") == "l'effet de la confiance"


def test_a_sentence_broken_across_lines_is_joined() -> None:
    lines = ["Les usagers participent à la", "gouvernance de la maison de santé.", "Ils sont formés."]
    assert join_broken_lines(lines) == [
        "Les usagers participent à la gouvernance de la maison de santé.",
        "Ils sont formés.",
    ]


def test_bullets_and_sentence_ends_keep_their_line() -> None:
    assert not continues("Les missions du représentant :", "- porter la parole des usagers")
    assert not continues("Le comité se réunit.", "Les usagers y participent.")
    # a footnote's address moved after its paragraph is not the end of the paragraph's last sentence
    assert not continues("Une charte a été publiée par l'ADMICAL.", "https://admical.org/contenu/presentation")
    assert continues("voir le site", "https://admical.org/contenu/presentation")
    assert continues("Les usagers participent à la", "Gouvernance")  # "la" cannot end a sentence
    assert continues("Les usagers participent", "à la gouvernance")  # lower-case start


def test_running_headers_and_page_numbers_are_removed() -> None:
    header = "Guide HAS – Engagement des usagers"
    bodies = ["Les usagers participent.", "Le comité se réunit.", "La charte est signée.", "Le bilan est publié."]
    pages = [Page(n, f"{header}\n{body}\nPage {n} sur 4") for n, body in enumerate(bodies, 1)]
    assert [p.text.strip() for p in strip_running_lines(pages)] == bodies


def test_a_name_cut_across_the_lines_of_a_sentence_already_carried_over_is_joined() -> None:
    """« … tels que les Maisons de Santé » / « Pluriprofessionnelles, … et les Communautés » / « Professionnelles
    Territoriales de santé (CPTS). »: one sentence, not three; a run of lines the document writes as items
    (no sentence carried over, or a line ending in lower case) stays apart."""
    lines = [
        "En France, cette coopération est encouragée entre",
        "professionnels de ville par des dispositifs tels que les Maisons de Santé",
        "Pluriprofessionnelles, les Équipes de Soins Primaires (ESP) et les Communautés",
        "Professionnelles Territoriales de santé (CPTS).",
        "Titre suivant",
    ]
    assert join_broken_lines(lines) == [" ".join(lines[:4]), "Titre suivant"]
    items = ["Participer au diagnostic de territoire", "Alimenter le diagnostic par les besoins des usagers"]
    assert join_broken_lines(items) == items
    said = ["Les attentes des professionnels vis-à-vis des", "usagers quant à leur place dans les CPTS", "Texte"]
    assert join_broken_lines(said) == [" ".join(said[:2]), "Texte"]


def test_a_sentence_broken_before_a_parenthesis_a_number_or_its_last_word_is_joined() -> None:
    """Lines a PDF broke inside one sentence: the answer quotes the whole sentence, not its first half."""
    assert join_broken_lines(
        [
            "On parle de santé communautaire quand les membres d'une collectivité géographique ou sociale",
            "(professionnels, politiques, habitants) agissent en commun.",
            "Les places sont prévues par l'Arrêté du 21 août",
            "2019 portant approbation de l'ACI.",
            "L'association porte un projet de CPTS (Communauté Professionnelle",
            "Territoriale de Santé) depuis 2020.",
            "Elle accède au catalogue de formation de France Assos",
            "Santé.",
        ]
    ) == [
        "On parle de santé communautaire quand les membres d'une collectivité géographique ou sociale "
        "(professionnels, politiques, habitants) agissent en commun.",
        "Les places sont prévues par l'Arrêté du 21 août 2019 portant approbation de l'ACI.",
        "L'association porte un projet de CPTS (Communauté Professionnelle Territoriale de Santé) depuis 2020.",
        "Elle accède au catalogue de formation de France Assos Santé.",
    ]


def test_a_heading_or_a_numbered_item_after_a_line_keeps_its_line() -> None:
    assert not continues("Les gouvernances", "2 Les diagnostics")
    assert not continues("Le comité se réunit.", "(voir la fiche 5)")
    assert not continues("Les étapes", "1. Recenser les besoins")


def test_a_footnote_left_inside_a_sentence_by_a_page_break_goes_after_it() -> None:
    """The sentence is quoted whole, and the footnote is not glued to its second half."""
    from ingest.cleaning import move_footnotes

    text = (
        "Elles regroupent les professionnels qui souhaitent travailler ensemble pour une\n\n"
        "⁶ La santé communautaire est un processus (4).\n\n"
        "meilleure coordination de leur activité.\n\nElles se composent de professionnels."
    )
    assert move_footnotes(text) == (
        "Elles regroupent les professionnels qui souhaitent travailler ensemble pour une\n\n"
        "meilleure coordination de leur activité.\n\n"
        "⁶ La santé communautaire est un processus (4).\n\nElles se composent de professionnels."
    )
    whole = "La phrase est finie.\n\n⁶ Une note.\n\nune ligne qui commence en minuscule."
    assert move_footnotes(whole) == whole


def test_a_footnote_left_inside_a_list_goes_after_the_list() -> None:
    """A page break inside a list leaves its footnote between two items: the list is read whole from its
    introduction (its last items are not cut from it), and the note comes after it."""
    from ingest.cleaning import move_footnotes

    text = (
        "Ils sont bien identifiés :\n\n- le temps disponible ;\n\n"
        "- les manques de financement imposent d'accéder aux crédits utiles à\n\n"
        "¹⁴ Cette formule est une adaptation.\n\nla conduite des actions ;\n\n"
        "- la crainte des professionnels ;\n\n- l'absence d'intérêt.\n\nPar ailleurs, une attention."
    )
    assert move_footnotes(text) == (
        "Ils sont bien identifiés :\n\n- le temps disponible ;\n\n"
        "- les manques de financement imposent d'accéder aux crédits utiles à\n\nla conduite des actions ;\n\n"
        "- la crainte des professionnels ;\n\n- l'absence d'intérêt.\n\n"
        "¹⁴ Cette formule est une adaptation.\n\nPar ailleurs, une attention."
    )
    between = "Deux règles :\n\n- se taire ;\n\n²¹ Article L. 1110-4.\n\n- respecter l'anonymat.\n\nEnsuite."
    assert move_footnotes(between) == (
        "Deux règles :\n\n- se taire ;\n\n- respecter l'anonymat.\n\n²¹ Article L. 1110-4.\n\nEnsuite."
    )
    # two page breaks in one list; a numbered heading after the list is no item of it
    two = "Trois règles :\n\n- se taire ;\n\n¹ Une note.\n\n- écouter ;\n\n² Une autre.\n\n- signer.\n\nEnsuite."
    assert move_footnotes(two) == (
        "Trois règles :\n\n- se taire ;\n\n- écouter ;\n\n- signer.\n\n¹ Une note.\n\n² Une autre.\n\nEnsuite."
    )
    heading = "- se taire ;\n\n¹ Une note.\n\n- signer.\n\n2. Deuxième partie\n\nTexte."
    assert move_footnotes(heading) == "- se taire ;\n\n- signer.\n\n¹ Une note.\n\n2. Deuxième partie\n\nTexte."


def test_in_a_wrapped_text_a_full_line_goes_on_even_before_a_capital() -> None:
    """A PDF text wraps its paragraphs at one width: a full line that ends no sentence breaks a name
    ("la Commission" / "Nationale de l'Agrément"); a short line before a capital is a real break."""
    from ingest.cleaning import wrap_width

    filler = "les usagers participent à la vie de la structure et aux actions de santé du territoire de la"
    document = [filler] * 30 + ["Titre court"]
    width = wrap_width(document)
    assert width is not None and width <= len(filler)
    full = "L'agrément est donné pour cinq ans, par une commission spécifique et indépendante, la Commission"
    assert join_broken_lines([full, "Nationale de l'Agrément (CNA)."], width) == [
        f"{full} Nationale de l'Agrément (CNA)."
    ]
    assert join_broken_lines(["Les gouvernances", "Dans ce document, le mot gouvernance."], width) == [
        "Les gouvernances",
        "Dans ce document, le mot gouvernance.",
    ]
    one_paragraph_per_line = [f"Paragraphe {n} : " + "un texte long " * (n % 9 + 1) for n in range(40)]
    assert wrap_width(one_paragraph_per_line) is None


def test_a_wrap_share_out_of_range_is_rejected_with_its_key(tmp_path) -> None:
    from ingest.rules import DATA_DIR, CleaningRules, RulesError

    path = tmp_path / "cleaning.toml"
    path.write_text((DATA_DIR / "cleaning.toml").read_text("utf-8").replace("full_share = 0.85", "full_share = 85"))
    with pytest.raises(RulesError, match=r"cleaning\.toml.*wrap\.full_share.*entre 0 et 1"):
        CleaningRules.load(path)


def test_words_a_pdf_glued_together_are_cut_apart_and_real_words_are_not() -> None:
    """The slides' PDF dropped spaces (« Sioui, il y a desconditions! » titled a section, and no search found it);
    French words, names, brands, inclusive forms and web addresses stay as written."""
    assert unglue("Sioui, il y a desconditions!") == "Si oui, il y a des conditions!"
    assert unglue("Identifierdesactionsprioritaires du projetdesanté") == (
        "Identifier des actions prioritaires du projet de santé"
    )
    assert unglue("FICHEMISSION") == "FICHE MISSION"
    # a capitalised small word glued to an acronym, then to the next word (the slide's title « UneCPTS , c'estquoi ? »)
    assert unglue("UneCPTS , c'estquoi ?") == "Une CPTS , c'est quoi ?"
    assert unglue("Identifierdesactions\nUneMSP participative") == "Identifier des actions\nUne MSP participative"
    assert unglue("Le parti LaREM et #LaCPTS") == "Le parti LaREM et #LaCPTS"  # in a sentence: names
    kept = "Les représentants associatifs, AVECsanté, Lesquel·le·s, www.franceassossante.org, Doctolib."
    assert unglue(kept) == kept
    names = "M. Dupont et Mme Delaporte, Lemaire ; la téléconsultation extrahospitalière."  # no small word, or a name
    assert unglue(names) == names


def test_only_a_document_said_to_have_glued_words_is_cut_apart() -> None:
    text = "Sioui, il y a desconditions!\n\nLes représentants participent au diagnosticdeterritoire."
    glued = DocumentInfo("slides", "slides.txt", "Slides", glued_words=True)
    plain = DocumentInfo("doc", "doc.txt", "Document")

    def said(info: DocumentInfo) -> str:
        doc = structure_document(LoadedDocument(info, [Page(None, text)], "sha", None))
        return " ".join(block.text for block in doc.blocks)

    assert "des conditions" in said(glued) and "diagnostic de territoire" in said(glued)
    assert "desconditions" in said(plain)


def test_a_footnote_is_not_moved_into_a_numbered_list_nor_to_a_unit_s_power() -> None:
    """A second reader's inputs: a numbered list's items (« 1. La formation commune » after « … : », « 2. … » after
    « 1. … ») are no section titles a note must end before; « 300 m² » is no call of note ².  A note whose call a
    numbered title separates from it still moves before that title."""
    from ingest.cleaning import notes_by_calls

    listed = "Les leviers des équipes¹⁴ :\n\n1. La formation commune\n\n2. Le temps partagé\n\n¹⁴ Une note."
    assert notes_by_calls(listed) == listed
    unit = "2.1. Les locaux\n\nLa salle fait 300 m².\n\n2.2. Les usagers\n\nIls participent².\n\n² Une note."
    assert notes_by_calls(unit) == unit
    moved = "2.1. Les locaux\n\nLa salle accueille².\n\n2.2. Les usagers\n\nIls participent.\n\n² Une note."
    assert notes_by_calls(moved) == (
        "2.1. Les locaux\n\nLa salle accueille².\n\n² Une note.\n\n2.2. Les usagers\n\nIls participent."
    )
