"""The offline answer on a tiny in-memory corpus: quoted sentences with their markers, a lead naming the
source, a list introduction with its items, and parts of a question that add only what the whole missed."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from assistant.answer import Block, BlockKind, Span, SpanSource
from assistant.citations import PASSAGE_GAP, make_citation, source_label
from assistant.compose import (
    ExtractiveGenerator,
    GenerationRequest,
    _elided_before,
    _list_runs,
    _may_quote,
    _names_noun,
    _quotable,
    author_speaks,
    checks_premise,
    choose_sentences,
    completed,
    expand_antecedents,
    expand_entries,
    expand_lists,
    expand_qualifications,
    expand_quotations,
    goes_on_about,
    in_reading_order,
    interviewee_speaks,
    lead_line,
    list_title,
    points_back_within,
    premise_rules,
    quotation_speaker,
    refers_back,
    render_group,
    study_apparatus,
    study_asked,
    unshared,
)
from assistant.prompts import load_phrases
from assistant.retrieval import Evidence, HybridRetriever, TermStats
from ingest.models import Chunk
from ingest.settings import Settings
from tests.test_retrieval import TinyReader, chunk

pytestmark = pytest.mark.fast

SETTINGS = Settings.model_construct(further_below=0)  # the tiny corpus's scores are not the bundled e5's
PHRASES = load_phrases(SETTINGS.prompts_dir, "extractive")
TEXTS = [
    "Le comité des usagers se réunit chaque trimestre. Il rend un avis sur le projet de santé.",
    "La formation des usagers aborde plusieurs thèmes :\n- l'échelle de la participation\n"
    "- le secret professionnel\n- la gouvernance de la structure",
    "Le financement des indemnités des usagers relève du fonds d'intervention régional.",
]
CORPUS = [  # three sections of the guide: three sources
    replace(chunk(n, text), section_number=str(n + 1), section_title=f"Partie {n + 1}") for n, text in enumerate(TEXTS)
]


class Reader(TinyReader):
    """The tiny reader, without document metadata (URLs) as citations would read it."""

    def __init__(self, chunks: list) -> None:
        super().__init__(chunks)
        self.documents: dict[str, object] = {}


def generator_for(
    reader: Reader, max_sentences: int = 2, margin: float = 0.2, truncated_min_words: int = 0, further_below: float = 0
) -> ExtractiveGenerator:
    """The offline generator over a tiny reader, with the guide's label; no source is shown as a passage that may not
    answer unless a test says under which score (``further_below``)."""
    return ExtractiveGenerator(
        reader,  # type: ignore[arg-type]
        load_phrases(SETTINGS.prompts_dir, "extractive"),
        {"has": "Guide HAS"},
        max_sentences=max_sentences,
        margin=margin,
        authority_bonus=0.015,
        part_gain=0.3,
        truncated_min_words=truncated_min_words,
        settings=SETTINGS.model_copy(update={"further_below": further_below}),
    )


def answer(
    question: str, parts: list[str] | None = None, max_sentences: int = 2, corpus: list | None = None, **options
):
    reader = Reader(corpus or CORPUS)
    stats = TermStats(reader, reader.analyzer)
    retriever = HybridRetriever(reader, SETTINGS, stats)  # type: ignore[arg-type]
    vector = reader.embed(question)
    candidates = retriever.search(question, vector, k=3)
    whole = retriever.evidence(candidates, vector, stats.weights(question))
    parts = parts or [question]
    per_part = [retriever.evidence(candidates, vector, stats.weights(p)) for p in parts]
    generator = generator_for(reader, max_sentences=max_sentences, margin=0.2, **options)
    request = GenerationRequest(question, parts, per_part, [c.index for c in candidates], whole=whole)
    return generator.generate(request)


def test_quoted_sentences_carry_the_marker_of_their_passage_after_a_lead() -> None:
    result = answer("Quand le comité des usagers se réunit-il ?")
    assert result.blocks[0].kind is BlockKind.LEAD and "Guide HAS" in result.blocks[0].text
    quoted = [s for b in result.blocks[1:] for s in b.spans]
    assert quoted[0].text == "Le comité des usagers se réunit chaque trimestre."
    assert all(s.source is SpanSource.CORPUS and s.markers == (1,) for s in quoted)
    assert result.citations[0].chunk_id == "has-0" and result.citations[0].n == 1


def test_a_list_introduction_comes_with_its_items() -> None:
    result = answer("Quels thèmes aborde la formation des usagers ?")
    items = [b.text for b in result.blocks if b.kind is BlockKind.LIST_ITEM]
    assert items == ["l'échelle de la participation", "le secret professionnel", "la gouvernance de la structure"]


def test_a_part_the_whole_question_already_answers_adds_no_section() -> None:
    question = "Quand le comité des usagers se réunit-il et quel avis rend-il ?"
    result = answer(question, ["Quand le comité des usagers se réunit-il", "quel avis rend-il"])
    assert not [b for b in result.blocks if b.kind is BlockKind.PART_HEADING]


def test_a_part_the_whole_answer_missed_gets_its_own_section() -> None:
    question = "Quand le comité des usagers se réunit-il et qui finance les indemnités ?"
    parts = ["Quand le comité des usagers se réunit-il", "qui finance les indemnités"]
    whole_only = answer(question, parts, max_sentences=2)  # room enough: the whole question quotes both
    assert not [b for b in whole_only.blocks if b.kind is BlockKind.PART_HEADING]
    result = answer(question, parts, max_sentences=1)  # the whole question quotes one sentence only
    headings = [b.text for b in result.blocks if b.kind is BlockKind.PART_HEADING]
    assert len(headings) == 1, "the other part is already answered by the whole question"
    assert {c.chunk_id for c in result.citations} == {"has-0", "has-2"}


def test_a_list_cut_by_a_passage_boundary_is_given_whole() -> None:
    reader = Reader(
        [
            chunk(
                0,
                "Les missions du représentant sont les suivantes :\n- porter la parole des usagers\n- siéger au bureau",
            ),
            chunk(1, "- siéger au bureau\n- rendre compte à son association\nLe mandat dure trois ans."),
        ]
    )
    intro = reader.sentences_of["has-0"][0]
    quoted = [reader.sentences[s].text for s in expand_lists(reader, [intro])]  # type: ignore[arg-type]
    assert quoted == [
        "Les missions du représentant sont les suivantes :",
        "- porter la parole des usagers",
        "- siéger au bureau",
        "- rendre compte à son association",
    ]


def test_a_sentence_announcing_a_list_without_a_colon_comes_with_it_and_an_item_with_it() -> None:
    """« Voici quelques éléments qui peuvent être inclus dans une charte. », alone in its passage, and the items in the
    next one: quoted alone it promised a list the reader never saw, and an item chosen alone came without it. A
    sentence announcing a figure (« ci-dessous »), with no item after it, is an ordinary sentence."""
    reader = Reader(
        [
            chunk(0, "Voici quelques éléments qui peuvent être inclus dans une charte de l'engagement."),
            chunk(1, "- Reconnaissance de principes fondamentaux.\n- Rappel du cadre des échanges."),
            chunk(2, "Le tableau ci-dessous présente les freins. Il est issu des entretiens."),
        ]
    )
    intro, item = reader.sentences_of["has-0"][0], reader.sentences_of["has-1"][1]
    announced = [
        "Voici quelques éléments qui peuvent être inclus dans une charte de l'engagement.",
        "- Reconnaissance de principes fondamentaux.",
        "- Rappel du cadre des échanges.",
    ]
    assert [reader.sentences[s].text for s in expand_lists(reader, [intro])] == announced  # type: ignore[arg-type]
    assert [reader.sentences[s].text for s in expand_lists(reader, [item])] == announced  # type: ignore[arg-type]
    figure = reader.sentences_of["has-2"]
    assert expand_lists(reader, figure) == figure  # type: ignore[arg-type]


def test_an_item_that_says_suivante_does_not_introduce_the_items_after_it() -> None:
    """« - Préparer la réunion suivante ; » announces nothing: the last item chosen alone still comes with « Les
    actions à mener sont : » and the whole list."""
    reader = Reader(
        [
            chunk(
                0,
                "Les actions à mener sont :\n- Préparer la réunion suivante ;\n- Inviter les usagers ;\n"
                "- Diffuser le compte rendu.",
            )
        ]
    )
    sids = reader.sentences_of["has-0"]
    assert expand_lists(reader, [sids[-1]]) == sids  # type: ignore[arg-type]


def test_a_list_item_chosen_alone_comes_with_its_introduction_from_the_passage_before() -> None:
    """The answer never quotes "- la clarté des objectifs ;" without the sentence that says what the list
    is, even when a nested list's introduction is itself an item and sits in the previous passage, nor without
    the rest of the list (« les facteurs … sont : » then two of three would misstate them)."""
    reader = Reader(
        [
            chunk(
                0, "Le guide en résume l'essentiel.\n- Les facteurs facilitants sont :\n- une dynamique d'implication ;"
            ),
            chunk(1, "- une dynamique d'implication ;\n- la clarté des objectifs ;\n- des facilitateurs dédiés."),
        ]
    )
    item = reader.sentences_of["has-1"][1]
    quoted = [reader.sentences[s].text for s in expand_lists(reader, [item])]  # type: ignore[arg-type]
    assert quoted == [
        "- Les facteurs facilitants sont :",
        "- une dynamique d'implication ;",
        "- la clarté des objectifs ;",
        "- des facilitateurs dédiés.",
    ]


def test_a_list_running_over_three_passages_keeps_its_introduction() -> None:
    """A long list cut into passages, one of its items going on over a second sentence (« Les acteurs
    témoignent… »): an item of the last passage still comes after the sentence that says what the list is,
    two passages back, not after a bare « […] »."""
    reader = Reader(
        [
            chunk(0, "Ils sont bien identifiés :\n- le temps disponible ;\n- la durée des projets ;"),
            chunk(1, "- les manques de financement sont patents. Les acteurs témoignent d'une recherche constante ;"),
            chunk(2, "- la crainte des professionnels ;\n- l'absence d'intérêt des médecins."),
        ]
    )
    item = reader.sentences_of["has-2"][1]
    quoted = [reader.sentences[s].text for s in expand_lists(reader, [item])]  # type: ignore[arg-type]
    assert quoted[0] == "Ils sont bien identifiés :"
    assert quoted[-1] == "- l'absence d'intérêt des médecins."


@pytest.mark.parametrize(
    ("sentence", "points_back"),
    [
        ("Le rôle de l'association a permis de lever certaines de ces peurs.", True),
        ("S'agissant du domaine concerné par ce guide, cette faculté va plutôt concerner les associations.", True),
        (
            "Les usagers peinent à trouver leur place dans les soins primaires, alors même que ces soins sont proches.",
            False,
        ),
        (
            "Les maisons de santé, les centres de santé et les CPTS sont des dispositifs ; ces structures associent.",
            False,
        ),
        ("Au terme de leur première année en commun, les usagers retiennent ces trois modalités.", False),  # counted
        (
            "Les communautés professionnelles territoriales de santé recrutent et ces CPTS forment.",
            False,
        ),  # spelled out
        ("Les usagers l'ont dit, cette fois encore, à la réunion.", False),  # time
        ("Note 14 : Cette formule est reprise de l'avis du conseil pour l'engagement des usagers.", False),  # a note
        ("Si certains militent pour une loi sur le sujet, d'autres sont plus mesurés sur la question.", True),
        ("Les usagers ont publié une note sur le sujet de la rémunération des représentants.", False),  # its object
        ("L'absence de reconnaissance d'un tel principe n'interdit pas d'associer les usagers.", True),
        ("Sans attendre de telles évolutions, les ARS pourraient modifier les cahiers des charges.", True),
        ("L'article de E.Allory fait le même constat en soulignant le rôle de l'objectif du projet.", True),
        ("Les usagers concernés par la même difficulté se mobilisent avec les professionnels.", False),  # shared
        ("Les usagers arrivent à la même conclusion que les professionnels.", False),  # compares with what follows
        ("Les usagers peuvent siéger dans les trois entités précitées.", True),
        ("Réfléchir à la façon dont leur voix peut être portée paraît essentielle.", True),  # whose voice?
        ("Les représentants des usagers défendent leur projet commun.", False),  # its owners named before it
        ("Le conseil de l'engagement des usagers a choisi de reprendre ce schéma en l'adaptant.", True),
        ("Les usagers sont invités, que ce soit en réunion ou par écrit, à donner leur avis.", False),  # a verb
        ("Les usagers se sont retirés du projet à ce stade de la réflexion.", False),  # a time
        ("Les objectifs spécifiques de ce travail sont présentés dans la deuxième partie.", False),  # the document
        # « et/ou » joins alternatives, not the items of a list « telles structures » would sum up
        ("Rien n'interdit d'associer des patients et/ou des usagers à la gouvernance de telles structures.", True),
        ("Les maisons et les centres de santé associent les usagers à la gouvernance de telles structures.", False),
    ],
)
def test_a_demonstrative_inside_a_sentence_points_back_unless_the_sentence_names_it(
    sentence: str, points_back: bool
) -> None:
    """« … certaines de ces peurs »: quoted alone, the fears are nowhere; the sentence before comes with it."""
    reader = Reader([chunk(0, f"Certains professionnels craignent de perdre leur autonomie.\n{sentence}")])
    before, sid = reader.sentences_of["has-0"]
    assert expand_antecedents(reader, [sid]) == ([before, sid] if points_back else [sid])  # type: ignore[arg-type]


def test_a_demonstrative_s_antecedent_that_needs_its_own_is_left_out_and_the_cut_said() -> None:
    """The sentence before « … ces peurs » would need its own antecedent (« … cette réforme ») or opens a quotation
    without who speaks: it is not quoted, « […] » says text is left out; read back by its first words, a sentence
    whose demonstrative points further back is read past."""
    last = "Le rôle de l'association a permis de lever certaines de ces peurs."
    for before in ("Les médecins craignent de perdre leur autonomie avec cette réforme.", "« On avait peur de tout. »"):
        reader = Reader([chunk(0, f"Certains professionnels hésitent.\n{before}\n{last}")])
        _, _, sid = reader.sentences_of["has-0"]
        assert expand_antecedents(reader, [sid]) == [sid]  # type: ignore[arg-type]
        assert _elided_before(reader, sid, set(), False, SETTINGS)  # type: ignore[arg-type]
    text = (
        "La réforme de 2019 inquiète certains professionnels.\nLes médecins craignent de perdre leur autonomie avec "
        "cette réforme. Ainsi, ils hésitent à associer les usagers."
    )
    reader = Reader([chunk(0, text)])
    first, middle, pointing = reader.sentences_of["has-0"]
    assert expand_antecedents(reader, [pointing]) == [first, middle, pointing]  # type: ignore[arg-type]


def test_a_sentence_read_back_that_names_a_demonstrative_s_noun_says_what_it_points_at() -> None:
    """« En France, cette coopération est encouragée… » came alone after « […] »: the sentence before, « Or la
    coopération entre les professionnels… », names the cooperation but opens on « Or », and the reading went on back to
    a sentence out of reach. A sentence read back that names the demonstrative's noun, past the connective it opens on,
    ends the chain. One that names no such noun is read past as before: « Par exemple, sur le diagnostic… » does not say
    what « C'est aussi le cas… » is the case of; nor does a sentence with a demonstrative of its own (« De plus, ces
    coopérations… », « Ce type d'organisation… ») or a noun written everywhere (« usagers »)."""
    text = (
        "Les soins primaires sont la porte d'entrée du système.\nS'ils sont le premier contact, ils structurent le "
        "parcours.\nOr la coopération entre les professionnels est une clé.\nEn France, cette coopération est "
        "encouragée par les maisons de santé."
    )
    reader = Reader([chunk(0, text)])
    _, _, named, sid = reader.sentences_of["has-0"]
    assert expand_antecedents(reader, [sid]) == [named, sid]  # type: ignore[arg-type]
    text = (
        "Ce qui apparaît décisif est la formation commune des professionnels et des usagers.\nPar exemple, sur le "
        "diagnostic territorial.\nC'est aussi le cas des programmes d'éducation thérapeutique."
    )
    reader = Reader([chunk(0, text)])
    whole, example, case = reader.sentences_of["has-0"]
    assert expand_antecedents(reader, [case]) == [whole, example, case]  # type: ignore[arg-type]
    assert _names_noun("Or la coopération entre les professionnels.", "cooperation")
    assert not _names_noun("De plus, ces coopérations sont rares.", "cooperation")  # points back itself
    assert not _names_noun("Ce type d'organisation reste rare.", "organisation")  # so does « ce type d' »
    # a noun written everywhere names nothing in particular: « Ainsi, … les usagers impliqués… » for « ces usagers »
    assert not _names_noun("Ainsi, selon l'article, les usagers impliqués doivent susciter le débat.", "usagers")


def test_a_plural_after_one_interviewee_s_words_does_not_read_them_back_as_what_it_points_at() -> None:
    """« Ainsi deux d'entre eux partagent l'idée… » came after « “Bon ma pratique du territoire…” (Mme A) », which was
    read back alone: one person's words, not the « eux » the study's account counted. Its account is read back when
    within reach, else « […] » says it is left out. A singular, or a quotation of several people, is read back."""
    account = "Trois professionnels décrivent une collaboration difficile avec les usagers."
    quoted = "“Ma pratique du territoire me dit que la médecine libérale n'a pas intégré les associations.” (Mme A)"
    pointing = "Ainsi deux d'entre eux lient la non-intégration des usagers à une culture médico-centrée."
    reader = Reader([chunk(0, f"{account}\n\n{quoted}\n\n{pointing}", kind="study", doc="memoire")])
    first, words, sid = reader.sentences_of["memoire-0"]
    assert expand_antecedents(reader, [sid]) == [first, words, sid]  # type: ignore[arg-type]
    far = "Deux d'entre eux le disent aussi."  # the account is itself a pointer: out of reach
    reader = Reader([chunk(0, f"{far}\n\n{quoted}\n\n{pointing}", kind="study", doc="memoire")])
    _, _, sid = reader.sentences_of["memoire-0"]
    assert expand_antecedents(reader, [sid]) == [sid]  # type: ignore[arg-type]
    assert _elided_before(reader, sid, set(), False, SETTINGS)  # type: ignore[arg-type]
    singular = "Ainsi elle lie la non-intégration des usagers à une culture médico-centrée."
    reader = Reader([chunk(0, f"{far}\n\n{quoted}\n\n{singular}", kind="study", doc="memoire")])
    _, words, sid = reader.sentences_of["memoire-0"]
    assert expand_antecedents(reader, [sid]) == [words, sid]  # type: ignore[arg-type]


def test_a_demonstrative_its_section_s_title_names_does_not_point_back() -> None:
    """Named by the title the answer's lead shows, not by a parent section's title the lead does not show (« cette
    participation » under « 1.4.2.1. Les voix des usagers… », a part of « 1.4.2. La participation… »)."""
    said = "Au terme de leur première année en commun, les médecins refusent souvent cette {}."
    parent = "1. La participation des usagers > 1.1. Les voix des usagers"
    for noun, path, title, points_back in (
        ("participation", "Les freins à la participation", "Les freins à la participation", False),
        ("démarche", "Les freins à la participation", "Les freins à la participation", True),
        ("participation", parent, "Les voix des usagers", True),
    ):
        text = f"Certains professionnels craignent de perdre leur autonomie.\n{said.format(noun)}"
        reader = Reader([replace(chunk(0, text), section_path=path, section_title=title)])
        before, sid = reader.sentences_of["has-0"]
        assert expand_antecedents(reader, [sid]) == ([before, sid] if points_back else [sid])  # type: ignore[arg-type]


def test_a_footnote_is_never_what_a_sentence_points_back_at() -> None:
    """A page break leaves « Note 6 : … » before « Ce comité… »: the note is not quoted as what the sentence
    goes on from; a note's own second sentence (« Cette vision participative… ») still comes with its first."""
    reader = Reader(
        [
            chunk(0, "Le comité des usagers se réunit chaque trimestre.\nNote 6 : La santé communautaire est le "
                     "processus par lequel les membres d'une collectivité réfléchissent en commun sur leur santé. "
                     "Cette vision participative de la santé est inscrite dans la constitution de l'OMS.\n"
                     "Ce comité rend un avis sur le projet de santé."),
        ]
    )  # fmt: skip
    _, note, note_more, pointing = reader.sentences_of["has-0"]
    said = [reader.sentences[s].text for s in expand_antecedents(reader, [pointing])]  # type: ignore[arg-type]
    assert said == [
        "Le comité des usagers se réunit chaque trimestre.",
        "Ce comité rend un avis sur le projet de santé.",
    ]
    assert expand_antecedents(reader, [note_more]) == [note, note_more]  # type: ignore[arg-type]


def test_a_list_s_title_heads_it_past_an_item_of_two_sentences_and_a_passage_boundary() -> None:
    """Fiche 13's « Objectif(s) » heads « - Exemples : … » though the item before it runs on with a second sentence;
    « Thème de l'affiche » heads its examples though the next passage opens on them."""
    objectives = (
        "Objectif(s)\n\n- Il peut y en avoir plusieurs.\n- Dans les exemples, les objectifs ont été mêlés. Mais on "
        "peut les séparer.\n- Exemples : « Évaluation des besoins des usagers »."
    )
    theme, examples = "Thème de l'affiche\n\n- Il doit être le plus clair possible.", "- Exemples : « Hypertension »."
    reader = Reader(
        [
            chunk(0, objectives),
            chunk(1, theme, doc="fiche"),
            replace(
                chunk(2, examples, doc="fiche"), char_start=len(theme) + 1, char_end=len(theme) + 1 + len(examples)
            ),
        ]
    )
    assert list_title(reader, reader.sentences_of["has-0"][-1]) == "Objectif(s)"
    assert list_title(reader, reader.sentences_of["fiche-2"][0]) == "Thème de l'affiche"


def test_a_note_s_later_sentence_comes_with_the_note_s_number() -> None:
    """« 3e colloque sur le partenariat… (https://…) » alone reads as the text's own; after « Note 10 : Rennes, … »
    it is a reference."""
    reader = Reader(
        [
            chunk(0, "Le comité des usagers se réunit chaque trimestre.\nNote 10 : Rennes, 5, 6, 7 octobre 2022. "
                     "Troisième colloque sur le partenariat de soin avec les patients (https://example.org/colloque).")
        ]
    )  # fmt: skip
    _, note, reference = reader.sentences_of["has-0"]
    assert expand_antecedents(reader, [reference]) == [note, reference]  # type: ignore[arg-type]
    assert expand_antecedents(reader, [note, reference]) == [note, reference]  # type: ignore[arg-type]


def test_an_introduction_from_another_passage_is_shown_just_before_its_items() -> None:
    from assistant.compose import order_groups
    from assistant.retrieval import Evidence

    reader = Reader(
        [
            chunk(0, "Les facteurs facilitants sont :\n- une dynamique d'implication ;"),
            chunk(1, "- la clarté des objectifs ;\n- des facilitateurs dédiés."),
            chunk(2, "Le comité des usagers se réunit chaque trimestre."),
        ]
    )
    item, other = reader.sentences_of["has-1"][0], reader.sentences_of["has-2"][0]
    chosen = [Evidence(other, 2, 1.0, 0.9, 0.5, 0), Evidence(item, 1, 0.9, 0.8, 0.5, 1)]
    expanded = expand_lists(reader, [other, item])  # type: ignore[arg-type]
    groups = order_groups(reader, chosen, expanded, 0.0)  # type: ignore[arg-type]
    assert [c for c, _ in groups] == [2, 0, 1], "the introduction's passage stands right before its items"


def test_a_list_running_on_into_the_next_passage_is_not_cut_by_another_passage() -> None:
    from assistant.compose import order_groups
    from assistant.retrieval import Evidence

    reader = Reader(
        [
            chunk(0, "L'échelle d'Arnstein distingue trois paliers :\n- la manipulation ;"),
            chunk(1, "- la coopération symbolique ;\n- le partenariat."),
            chunk(2, "Le comité des usagers se réunit chaque trimestre."),
        ]
    )
    intro, item, other = (reader.sentences_of[f"has-{n}"][0] for n in range(3))
    chosen = [Evidence(intro, 0, 1.0, 0.9, 0.5, 0), Evidence(other, 2, 0.95, 0.9, 0.5, 1)]
    chosen.append(Evidence(item, 1, 0.9, 0.8, 0.5, 2))
    expanded = expand_lists(reader, [intro, other, item])  # type: ignore[arg-type]
    groups = order_groups(reader, chosen, expanded, 0.0)  # type: ignore[arg-type]
    assert [c for c, _ in groups] == [0, 1, 2]


def test_a_list_item_of_two_sentences_does_not_end_the_list() -> None:
    reader = Reader(
        [
            chunk(
                0,
                "Les freins sont bien identifiés :\n- le temps disponible (27). Ainsi, la recherche-action aide ;\n"
                "- la durée des projets ;\n- les manques de financement.\nLa suite du texte.",
            )
        ]
    )
    intro = reader.sentences_of["has-0"][0]
    quoted = [reader.sentences[s].text for s in expand_lists(reader, [intro])]  # type: ignore[arg-type]
    assert quoted[-2:] == ["- la durée des projets ;", "- les manques de financement."]
    assert "La suite du texte." not in quoted


def test_a_title_is_not_quoted_as_if_it_answered() -> None:

    from assistant.compose import choose_sentences

    text = (
        "Les centres de santé gérés par une association\n"
        "LES ARTICLES L. 6323-1 ET SUIVANTS DU CODE DE LA SANTÉ PUBLIQUE\n"
        "Des usagers peuvent siéger dans la gouvernance des centres de santé gérés par une association."
    )
    path = "1. Les structures > 1.2. Les centres de santé gérés par une association"
    titled = replace(chunk(0, text), section_path=path)
    reader = Reader([titled])
    stats = TermStats(reader, reader.analyzer)
    retriever = HybridRetriever(reader, SETTINGS, stats)  # type: ignore[arg-type]
    question = "Des usagers peuvent-ils siéger dans la gouvernance des centres de santé gérés par une association ?"
    vector = reader.embed(question)
    evidence = retriever.evidence(retriever.search(question, vector, k=1), vector, stats.weights(question))
    assert len(evidence) == 3, "three sentences to choose from"
    picked = choose_sentences(reader, evidence, 3, 1.0, 0.0)  # type: ignore[arg-type]
    chosen = [reader.sentences[e.sentence].text for e in picked]
    assert chosen == ["Des usagers peuvent siéger dans la gouvernance des centres de santé gérés par une association."]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (  # lines the document writes without end marks are items, not prose
            "Les représentants associatifs ont plusieurs rôles.\nParticiper au diagnostic de territoire\n"
            "Alimenter le diagnostic par leurs propres expériences\nIls siègent au bureau de la CPTS.",
            [
                (BlockKind.PARAGRAPH, "Les représentants associatifs ont plusieurs rôles."),
                (BlockKind.LIST_ITEM, "Participer au diagnostic de territoire"),
                (BlockKind.LIST_ITEM, "Alimenter le diagnostic par leurs propres expériences"),
                (BlockKind.PARAGRAPH, "Ils siègent au bureau de la CPTS."),
            ],
        ),
        (  # a line ending on an aside has no end mark; a quotation followed by its speaker has one
            "Améliorer l'accès aux soins en ville\nOrganiser les parcours autour du patient (ex: personne âgée)\n"
            "« Le partenariat est nécessaire. » (Mme C)\n« Il faut un cadre d'intervention. » (M. E)",
            [
                (BlockKind.LIST_ITEM, "Améliorer l'accès aux soins en ville"),
                (BlockKind.LIST_ITEM, "Organiser les parcours autour du patient (ex: personne âgée)"),
                (
                    BlockKind.PARAGRAPH,
                    "« Le partenariat est nécessaire. » (Mme C) « Il faut un cadre d'intervention. » (M. E)",
                ),
            ],
        ),
    ],
    ids=["lines-without-marks", "aside-and-speaker"],
)
def test_lines_written_without_end_marks_are_shown_as_list_items_not_run_into_prose(
    text: str, shown: list[tuple[BlockKind, str]]
) -> None:
    from assistant.compose import render_group

    reader = Reader([chunk(0, text)])
    phrases = load_phrases(SETTINGS.prompts_dir, "extractive")
    blocks = render_group(reader, list(range(len(reader.sentences))), 1, phrases)  # type: ignore[arg-type]
    assert [(b.kind, b.text) for b in blocks] == shown


def test_a_table_row_its_document_repeats_is_a_header_never_quoted() -> None:
    """« Questions à se poser — Fiches ressources » heads the table on each page; a row said once is content."""

    from assistant.compose import choose_sentences, header_rows
    from assistant.retrieval import Evidence

    header = "Questions à se poser étape par étape — Fiches ressources de ce guide"
    said = "Le représentant participe aux actions de la CPTS — L'association d'usagers adhère à la CPTS"
    first = chunk(0, f"{header}\n{said}")
    again = replace(chunk(1, f"{header}\nComment recruter ? — Fiche ressource n° 5"), char_start=500)
    other = chunk(2, header, doc="urps")  # the same words in another document: no repetition of this one's
    reader = Reader([first, again, other])
    headers = header_rows(reader)  # type: ignore[arg-type]
    assert [reader.sentences[i].text for i in sorted(headers)] == [header, header]  # in "has", twice

    evidence = [
        Evidence(i, reader.position[s.chunk_id], 1 - i / 10, 0.9, 0.5, 0) for i, s in enumerate(reader.sentences)
    ]
    assert headers & {e.sentence for e in choose_sentences(reader, evidence, 5, 1.0, 0.0)}  # type: ignore[arg-type]
    kept = choose_sentences(reader, evidence, 5, 1.0, 0.0, headers=headers)  # type: ignore[arg-type]
    assert not headers & {e.sentence for e in kept}
    assert said in {reader.sentences[e.sentence].text for e in kept}


def test_a_sentence_that_lost_the_subject_another_document_gives_is_never_quoted() -> None:
    """The slides' « Initie un ensemble de dispositions… » lost its subject (« La loi du 4 mars 2002 »), which the
    URPS sheet writes: quoted after « La démocratie sanitaire… », it reads as said of the démocratie sanitaire. None of
    these is such a copy: a copy with words added in front (« À ce stade, … »), a sentence only its own document writes
    whole, one whose first word is another word (« Développe » beside « a renforcé »), one that goes on differently
    after the words it shares, an imperative addressed to the reader (« Favorisez… » beside « … de favoriser… »)."""

    from assistant.compose import truncated_copies

    lost = "Initie un ensemble de dispositions pour instaurer la participation collective des usagers du système."
    whole = "La loi du 4 mars 2002 a initié un ensemble de dispositions pour instaurer la participation collective "
    whole += "des usagers du système."
    added = "Le représentant associatif participe à la réflexion avec les professionnels sur le projet de santé."
    shared = "la place des usagers dans les instances de gouvernance du territoire de santé."
    corpus = [
        chunk(0, "La démocratie sanitaire fait participer les usagers aux décisions du système. " + lost, doc="slides"),
        chunk(1, "À ce stade, " + added[0].lower() + added[1:], doc="fas"),
        chunk(2, added, doc="urps"),
        chunk(3, "Les textes ont évolué depuis vingt ans, en plusieurs étapes. " + whole, doc="urps"),
        # its own document only writes it whole
        chunk(4, "Renforce " + shared, doc="slides"),
        chunk(5, "La loi a renforcé " + shared, doc="slides"),
        # another first word; a copy that goes on differently; an imperative
        chunk(6, "Développe " + shared, doc="fas"),
        chunk(7, "Améliore la qualité des soins et la pertinence des actes pour tous les patients.", doc="fas"),
        chunk(8, "Le plan a amélioré la qualité des soins et la pertinence des parcours de santé.", doc="urps"),
        chunk(9, "Favorisez la participation des usagers à toutes les étapes du projet de santé.", doc="slides"),
        chunk(10, "Il est utile de favoriser la participation des usagers à toutes les étapes du projet de santé.",
              doc="urps"),
    ]  # fmt: skip
    reader = Reader(corpus)
    assert [reader.sentences[i].text for i in truncated_copies(reader, 8)] == [lost]  # type: ignore[arg-type]

    question = "Quelles dispositions instaurent la participation collective des usagers du système ?"
    quoted = {s.text for b in answer(question, max_sentences=4, corpus=corpus).blocks for s in b.spans}
    assert lost in quoted  # without the check, the copy is quoted
    quoted = {
        s.text for b in answer(question, max_sentences=4, corpus=corpus, truncated_min_words=8).blocks for s in b.spans
    }
    assert lost not in quoted and whole in quoted


def test_a_question_comes_with_the_alternatives_of_its_enumeration() -> None:
    """« … le citoyen et si oui sous quelles conditions ? Le représentant mandaté d'une association agréée
    d'usagers ? » then, on the next line of the same item, « L'élu ? »: questions that ask nothing by themselves are
    the enumeration's other alternatives, whatever their length; without them the reader sees one of three. They stay
    in the item (on the question's line, in its sentence). A question that asks something else (« Quel statut a été
    choisi ? ») is not one, nor a question after a blank line."""
    item = (
        "- La notion de représentativité doit être réfléchie. Cela interroge sur qui est le plus à même de parler "
        "pour les usagers : le citoyen et si oui sous quelles conditions ? Le représentant mandaté d'une association "
        "agréée d'usagers ?\nL'élu ?\nQuel statut a été choisi ?\n\nEt après ?"
    )
    corpus = [chunk(0, item, doc="memoire")]
    result = answer("Qui est le plus à même de parler pour les usagers ?", max_sentences=4, corpus=corpus)
    items = [[s.text for s in b.spans] for b in result.blocks if b.kind is BlockKind.LIST_ITEM]
    assert items and items[0][-1] == "L'élu ?"
    # the alternative on the question's line is part of its sentence (ingest), the one on the next line comes with it
    assert items[0][-2].endswith("conditions ? Le représentant mandaté d'une association agréée d'usagers ?")
    quoted = [s.text for b in result.blocks for s in b.spans]
    assert quoted.count("L'élu ?") == 1 and "Quel statut a été choisi ?" not in quoted and "Et après ?" not in quoted


def test_a_quoted_table_cell_says_which_column_and_row_it_fills() -> None:
    """The cell is quoted as written, after the names its table gives it (a fixed phrasing, once for the
    sentences of one cell), each cell a paragraph of its own (cells run together read as one statement); the
    table's header row is never quoted."""

    from assistant.compose import header_rows, render_group

    text = (
        "Informer — Consulter — Habiliter Co-décider\n"
        "Fournir des informations fiables. — Obtenir les avis sur un projet. Les avis seront ou non pris en compte. "
        "— Confier par délégation la prise de décision finale au public."
    )
    reader = Reader([chunk(0, text)])
    names = ["", "Informer", "Consulter", "Consulter", "4- Les gouvernances — Habiliter Co-décider"]
    reader.sentences = [
        replace(s, label=name, header=i == 0) for i, (s, name) in enumerate(zip(reader.sentences, names, strict=True))
    ]
    assert header_rows(reader) == {0}  # type: ignore[arg-type]
    phrases = load_phrases(SETTINGS.prompts_dir, "extractive")
    blocks = render_group(reader, [2, 3, 4], 1, phrases)  # type: ignore[arg-type]
    assert [b.text for b in blocks] == [
        "Consulter : Obtenir les avis sur un projet. Les avis seront ou non pris en compte.",
        "4- Les gouvernances — Habiliter Co-décider : Confier par délégation la prise de décision finale au public.",
    ]
    labels = [s.source for b in blocks for s in b.spans if s.text.endswith(" :")]
    assert labels == [SpanSource.PHRASE] * 2, "not a quote"


def test_a_cell_that_opens_its_named_row_is_named_like_the_row_s_later_cells() -> None:
    """« 5- L'évaluation — Information sur la démarche. » holds the row's name and its first cell, labelled with the
    column only: it is named « 5- L'évaluation — Échanger : », as the row's next cells are, not quoted with the row's
    name as if it were a statement."""
    from assistant.compose import render_group

    text = (
        "Échanger — Consulter\n"
        "5- L'évaluation — Information sur la démarche. Affichage d'un appel dans la salle d'attente. — Enquête auprès "
        "des habitants."
    )
    reader = Reader([chunk(0, text)])
    names = ["", "Échanger", "5- L'évaluation — Échanger", "5- L'évaluation — Consulter"]
    reader.sentences = [
        replace(s, label=name, header=i == 0) for i, (s, name) in enumerate(zip(reader.sentences, names, strict=True))
    ]
    blocks = render_group(reader, [1, 2, 3], 1, load_phrases(SETTINGS.prompts_dir, "extractive"))  # type: ignore[arg-type]
    assert [b.text for b in blocks] == [
        "5- L'évaluation — Échanger : Information sur la démarche. Affichage d'un appel dans la salle d'attente.",
        "5- L'évaluation — Consulter : Enquête auprès des habitants.",
    ]


def _chosen(passage, question: str) -> list[str]:
    reader = Reader([passage])
    stats = TermStats(reader, reader.analyzer)
    retriever = HybridRetriever(reader, SETTINGS, stats)  # type: ignore[arg-type]
    vector = reader.embed(question)
    evidence = retriever.evidence(retriever.search(question, vector, k=1), vector, stats.weights(question))
    return [reader.sentences[e.sentence].text for e in choose_sentences(reader, evidence, 8, 1.0, 0.0)]  # type: ignore[arg-type]


FRAIS = (
    "Le présent document peut servir de base de discussion. Autre point : le règlement intérieur doit prévoir le "
    "remboursement des frais de déplacement. Même s'ils sont peu élevés, il faut y penser.\n\nDes délégations "
    "régionales accompagnent les mandats.\n==> Une question ? Contactez votre délégation régionale en cliquant ici !"
)


def test_a_sentence_sharing_no_word_of_the_question_is_quoted_only_after_one_that_does() -> None:
    chosen = _chosen(chunk(0, FRAIS), "Les frais de déplacement sont-ils remboursés ?")
    assert chosen[0].startswith("Autre point"), chosen
    assert "Même s'ils sont peu élevés, il faut y penser." in chosen, "it goes on from the sentence that answers"
    assert not any(t.startswith(("Le présent document", "Des délégations", "==>")) for t in chosen), chosen


def test_a_sentence_left_out_for_sharing_no_word_takes_its_place_the_answer_reaches_no_further() -> None:
    other = "Le remboursement des frais figure parmi les clés du succès."
    reader = Reader([chunk(0, FRAIS), chunk(1, other)])
    first, second = reader.sentences_of["has-0"], reader.sentences_of["has-1"]
    # the first passage's sentences in its order, then the other passage's: scores as the passage rank makes them
    ranked = [*first, *second]
    worded = {first[1], second[0]}
    evidence = [
        Evidence(sid, int(sid in second), 2.0 - n / 10, 0.9, 0.5 * (sid in worded), 0, worded=sid in worded)
        for n, sid in enumerate(ranked)
    ]
    quota = len(first)
    picked = [reader.sentences[e.sentence].text for e in choose_sentences(reader, evidence, quota, 1.0, 0.0)]  # type: ignore[arg-type]
    assert other not in picked, picked
    assert picked[0].startswith("Autre point"), picked


def test_the_words_of_a_section_s_title_count_for_every_sentence_under_it() -> None:
    titled = replace(chunk(0, FRAIS), section_path="Frais de déplacement", section_title="Frais de déplacement")
    chosen = _chosen(titled, "Les frais de déplacement sont-ils remboursés ?")
    assert "Le présent document peut servir de base de discussion." in chosen, chosen


def test_web_addresses_alone_are_not_quoted_as_a_sentence() -> None:
    from assistant.compose import choose_sentences

    text = (
        "Une charte du mécénat a été publiée par l'ADMICAL pour les associations.\n"
        "https://www.service-public.fr/particuliers/vosdroits/F551 https://admical.org/contenu/presentation"
    )
    reader = Reader([chunk(0, text)])
    stats = TermStats(reader, reader.analyzer)
    retriever = HybridRetriever(reader, SETTINGS, stats)  # type: ignore[arg-type]
    question = "Où trouver la charte du mécénat de l'ADMICAL ?"
    vector = reader.embed(question)
    evidence = retriever.evidence(retriever.search(question, vector, k=1), vector, stats.weights(question))
    assert len(evidence) == 2, "two sentences to choose from"
    picked = choose_sentences(reader, evidence, 2, 1.0, 0.0)  # type: ignore[arg-type]
    assert [reader.sentences[e.sentence].text for e in picked] == [
        "Une charte du mécénat a été publiée par l'ADMICAL pour les associations."
    ]


def test_a_title_standing_alone_is_not_quoted_but_a_statement_without_its_period_is() -> None:
    from assistant.compose import choose_sentences

    text = (
        "Certains projets de recherche peuvent comporter des financements au titre de la participation.\n\n"
        "→ Le financement par l'accord conventionnel interprofessionnel (ACI) du 20 avril 2017 (49)\n\n"
        "Les quatre dotations du financement par l'accord conventionnel sont destinées uniquement à financer "
        "du temps humain et non des frais de fonctionnement"
    )
    reader = Reader([chunk(0, text)])
    stats = TermStats(reader, reader.analyzer)
    retriever = HybridRetriever(reader, SETTINGS, stats)  # type: ignore[arg-type]
    question = "Comment fonctionne le financement par l'accord conventionnel interprofessionnel ?"
    vector = reader.embed(question)
    evidence = retriever.evidence(retriever.search(question, vector, k=1), vector, stats.weights(question))
    assert len(evidence) == 3, "three sentences to choose from"
    picked = choose_sentences(reader, evidence, 3, 1.0, 0.0)  # type: ignore[arg-type]
    chosen = [reader.sentences[e.sentence].text for e in picked]
    assert not any(t.startswith("→ Le financement") for t in chosen), chosen
    assert any(t.startswith("Les quatre dotations") for t in chosen), chosen


def test_a_sentence_of_a_quotation_comes_with_the_whole_quotation_across_passages() -> None:
    """« … de leur santé. » is never quoted without the words that open the quotation and say who speaks, even
    when they sit in the passage before; the passage's sentences outside the quotation are not added."""
    reader = Reader(
        [
            chunk(
                0, "Le guide rappelle le contexte. Selon les autorités : « Les centres sont adaptés aux territoires."
            ),
            chunk(1, "Ils rendent les habitants acteurs de leur santé.» Le comité a relevé ces expérimentations."),
        ]
    )
    inside = reader.sentences_of["has-1"][0]
    quoted = [reader.sentences[s].text for s in expand_quotations(reader, [inside])]  # type: ignore[arg-type]
    assert quoted == [
        "Selon les autorités : « Les centres sont adaptés aux territoires.",
        "Ils rendent les habitants acteurs de leur santé.»",
    ]


def test_an_interview_quoted_between_curly_marks_is_quoted_whole_with_its_speaker() -> None:
    """The study quotes its interviews with “ ” as often as with « »: « Des gens qui ont des idéologies… » was
    quoted alone, from the middle of M.E's words, without their opening or the name that closes them."""
    text = (
        "M.E souligne la crainte d'associations dogmatiques.\n\n“Mais enfin la peur, c'est que ce soit ces personnes "
        "là. Des gens qui ont des idéologies, qui veulent les imposer. Qui vont couper le dialogue quoi.” (M.E)\n\n"
        "Le guide conclut ainsi."
    )
    reader = Reader([chunk(0, text)])
    _, opening, middle, closing, after = reader.sentences_of["has-0"]
    assert expand_quotations(reader, [middle]) == [opening, middle, closing]  # type: ignore[arg-type]
    assert expand_quotations(reader, [after]) == [after]  # type: ignore[arg-type]


def test_a_quotation_too_long_to_quote_whole_leaves_the_sentence_alone() -> None:
    sentences = [f"Phrase numéro {n} de la longue citation." for n in range(SETTINGS.quote_quotation_sentences + 1)]
    reader = Reader([chunk(0, "« " + " ".join(sentences) + " »")])
    inside = reader.sentences_of["has-0"][1]
    assert expand_quotations(reader, [inside]) == [inside]  # type: ignore[arg-type]


def test_a_sentence_from_inside_a_quotation_too_long_to_quote_whole_says_whose_words_it_quotes() -> None:
    """« Et vous allez avoir la vision du patient… », from the middle of M. F's words, was quoted as if the study
    said it, or the speaker quoted just before. It is now said to be an extract of a longer quotation, with the
    name the document writes after it; once for sentences of one quotation; a short quotation is quoted whole. An
    extract that opens after the quotation's first sentence says « […] » after the label: the speaker said more."""
    words = [
        f"Phrase numéro {n} de ce que dit la personne interrogée."
        for n in range(SETTINGS.quote_quotation_sentences + 1)
    ]
    text = "Il prend l'exemple de la qualité d'un soin :\n« " + " ".join(words) + " » (M. F).\nLe guide conclut ainsi."
    reader = Reader([chunk(0, text)])
    ids = reader.sentences_of["has-0"]
    second, third = ids[2], ids[3]
    assert quotation_speaker(reader, second) == "M. F"  # type: ignore[arg-type]
    assert quotation_speaker(reader, ids[0]) is None and quotation_speaker(reader, ids[-1]) is None  # type: ignore[arg-type]
    blocks = render_group(reader, [second, third], 1, PHRASES)  # type: ignore[arg-type]
    said = [s.text for b in blocks for s in b.spans]
    assert said[0] == "Extrait d'une citation plus longue (M. F) :" and said.count(said[0]) == 1
    assert said[1:] == ["[…]", reader.sentences[second].text, reader.sentences[third].text]
    from_start = [s.text for b in render_group(reader, [ids[1], second], 1, PHRASES) for s in b.spans]  # type: ignore[arg-type]
    assert from_start[1:] == [reader.sentences[ids[1]].text, reader.sentences[second].text]
    short = Reader([chunk(0, "Elle a dit : « Une phrase dite. Une autre phrase dite ensuite. » (Mme C).")])
    assert quotation_speaker(short, short.sentences_of["has-0"][1]) is None  # type: ignore[arg-type]


def _overlapping() -> Reader:
    """One section written in two passages that share words, cut into sentences otherwise in each: the first
    ends on « … de leur santé. », the second reads « … de leur santé. » », then « Le comité … »."""
    text = (
        "Selon les autorités : « Les centres sont adaptés aux territoires. Ils rendent les habitants acteurs de "
        "leur santé. » Le comité a relevé ces expérimentations."
    )
    cut = text.index("Ils rendent")
    end = text.index(" »")
    first = replace(chunk(0, text[:end]), section_number="6.10.2", section_title="Ressources publiques", page=49)
    second = replace(
        chunk(1, text[cut:]), section_number="6.10.2", section_title="Ressources publiques", page=49,
        char_start=cut, char_end=len(text),
    )  # fmt: skip
    return Reader([first, second])


def test_words_two_passages_share_are_quoted_once_however_each_cuts_them() -> None:
    reader = _overlapping()
    closing = reader.sentences_of["has-1"][0]  # « Ils rendent … santé. » »
    completed = expand_quotations(reader, [closing])  # type: ignore[arg-type]
    # the quotation opens in the first passage; the copy of its second sentence that passage cuts short (« … de leur
    # santé. ») is not what comes before the longer one the second passage reads
    assert [reader.sentences[s].chunk_id for s in completed] == ["has-0", "has-1"]
    quoted = [reader.sentences[s].text for s in unshared(reader, completed)]  # type: ignore[arg-type]
    assert quoted == [
        "Selon les autorités : « Les centres sont adaptés aux territoires.",
        "Ils rendent les habitants acteurs de leur santé. »",
    ]


def test_a_paragraph_two_passages_share_reads_as_one_paragraph() -> None:
    """Fiche 10's quotation « … généralement éloignées du soin. En allant vers les usagers… » runs over two passages:
    its first sentence quoted from the first one, the next from the second, it was shown as two paragraphs, the
    quotation broken in the middle. They are now rendered together; a sentence of the next paragraph is not."""
    reader = _overlapping()
    first = reader.sentences_of["has-0"][0]  # « Selon les autorités : « Les centres sont adaptés aux territoires. »
    closing, after = reader.sentences_of["has-1"]  # « Ils rendent … santé. » », « Le comité … »
    assert len(_list_runs(reader, [(0, [first]), (1, [closing, after])], SETTINGS)) == 1  # type: ignore[arg-type]
    blocks = render_group(reader, [first, closing, after], 1, PHRASES)  # type: ignore[arg-type]
    assert [b.kind for b in blocks] == [BlockKind.PARAGRAPH]
    assert len(_list_runs(reader, [(0, [first]), (1, [after])], SETTINGS)) == 2  # type: ignore[arg-type]
    # the same sentences, a paragraph apart in the document: two paragraphs still
    text = "Selon les autorités : les centres sont adaptés.\nIls rendent les habitants acteurs de leur santé."
    cut = text.index("Ils rendent")
    apart = Reader(
        [
            replace(chunk(0, text), section_number="6.10.2", section_title="Ressources publiques"),
            replace(
                chunk(1, text[cut:]), section_number="6.10.2", section_title="Ressources publiques", char_start=cut
            ),
        ]
    )
    said, carried = apart.sentences_of["has-0"][0], apart.sentences_of["has-1"][0]
    assert len(_list_runs(apart, [(0, [said]), (1, [carried])], SETTINGS)) == 2  # type: ignore[arg-type]


def test_one_source_quoted_from_two_passages_is_one_citation_with_its_words_once() -> None:
    """Two passages of § 6.10.2, p. 49 give one source under one number, not twice the same line in "Sources";
    its text joins them without repeating the words they share, and its highlights are the quoted sentences."""
    reader = _overlapping()
    generator = generator_for(reader, max_sentences=2, margin=1.0)
    question = "Le comité a-t-il relevé ces expérimentations dans les territoires ?"
    stats = TermStats(reader, reader.analyzer)
    retriever = HybridRetriever(reader, SETTINGS, stats)  # type: ignore[arg-type]
    vector = reader.embed(question)
    candidates = retriever.search(question, vector, k=2)
    evidence = retriever.evidence(candidates, vector, stats.weights(question))
    result = generator.generate(GenerationRequest(question, [question], [evidence], [0, 1], whole=evidence))
    assert [c.n for c in result.citations] == [1]
    (citation,) = result.citations
    assert citation.passage.count("Ils rendent") == 1 and citation.passage.endswith("ces expérimentations.")
    said = " ".join(s.text for b in result.blocks for s in b.spans)
    assert said.count("Ils rendent") == 1
    quoted = [s.text for b in result.blocks for s in b.spans if s.source is SpanSource.CORPUS]
    assert sorted(citation.passage[a:b] for a, b in citation.highlights) == sorted(quoted)


def test_a_sentence_just_after_a_title_standing_alone_is_quoted_under_that_title() -> None:
    """« Il a vocation à mesurer… » says what « Le diagnostic thématique » is for; quoted without the title (never
    quoted itself) its « Il » would name nothing. An item of a list before a sentence is no title: the sentence is only
    marked as following text the answer leaves out."""
    reader = Reader(
        [
            chunk(
                0, "Le diagnostic thématique\n\nIl a vocation à mesurer les attentes d'un groupe ciblé de personnes."
            ),
            chunk(1, "Les usagers peuvent :\n- proposer leurs propres données\n\nIls alimentent ainsi le diagnostic."),
        ]
    )
    (titled,) = render_group(reader, [reader.sentences_of["has-0"][-1]], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in titled.spans] == [
        "« Le diagnostic thématique » :",
        "Il a vocation à mesurer les attentes d'un groupe ciblé de personnes.",
    ]
    (after_item,) = render_group(reader, [reader.sentences_of["has-1"][-1]], 2, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in after_item.spans] == ["[…]", "Ils alimentent ainsi le diagnostic."]


def test_a_title_standing_alone_opens_a_paragraph_of_its_own() -> None:
    """After a sentence quoted from the same passage, « « Le diagnostic thématique » : Il a vocation… » starts a new
    paragraph: the title does not run on from the sentence before it (« … (ORS). « Le diagnostic thématique » : … »)."""
    text = (
        "Il est intéressant de croiser avec les diagnostics de territoires.\n\nLe diagnostic thématique\n\n"
        "Il a vocation à mesurer les attentes d'un groupe ciblé de personnes."
    )
    reader = Reader([chunk(0, text)])
    before, _title, titled = reader.sentences_of["has-0"]
    blocks = render_group(reader, [before, titled], 1, PHRASES)  # type: ignore[arg-type]
    assert [[s.text for s in b.spans] for b in blocks] == [
        ["Il est intéressant de croiser avec les diagnostics de territoires."],
        ["« Le diagnostic thématique » :", "Il a vocation à mesurer les attentes d'un groupe ciblé de personnes."],
    ]


def test_a_sentence_says_again_what_is_quoted_above_only_when_it_says_no_more() -> None:
    """A source left out for saying again what the answer quotes above (the URPS sheet copies the fiche mission) must
    add nothing: the same sentence, or one nearly so, is said again; a longer sentence that only holds a short item
    quoted above (« Une stratégie publique… autant que la reconnaissance sociale de l'engagement des usagers… ») is
    not, and its source stays."""
    from assistant.compose import _says_again

    copy = "Le périmètre ne doit être ni trop grand, ni trop petit, sous peine de ne pas refléter les déplacements."
    said = "Le périmètre doit être ni trop grand, ni trop petit, sous peine de ne pas refléter les déplacements."
    assert _says_again(copy, said, SETTINGS)
    item = "la reconnaissance sociale de l'engagement des usagers."
    longer = (
        "Une stratégie publique pourrait consacrer la généralisation de l'engagement des usagers en santé, autant que "
        "la reconnaissance sociale de l'engagement des usagers dans les maisons de santé."
    )
    assert not _says_again(longer, item, SETTINGS)
    assert _says_again(item, longer, SETTINGS)


def test_a_resource_s_description_comes_with_its_entry() -> None:
    """« Trois publications pour passer à l'action sont disponibles… » quoted from a list of resources, alone, does
    not say which site, whose publications: the entry's line before it (its bulleted title, publisher and date) comes
    with it, in a passage of its own before it too. In body text, a paragraph after a list is no description of its
    last item."""
    from ingest.roles import PassageRole

    entry = "- Expérience patient et usager [webconférence]. Agence nationale de la performance, 2023."
    description = (
        "« Prendre en compte l'expérience patient, c'est améliorer les parcours. » Trois publications sont disponibles."
    )
    resources = Reader(
        [
            replace(
                chunk(0, f"- Le patient traceur en ville [guide]. Haute Autorité de santé, 2016.\n\n{entry}"),
                role=PassageRole.RESOURCES,
            ),
            replace(chunk(1, description), role=PassageRole.RESOURCES),
        ]
    )
    _, _, title, publisher = resources.sentences_of["has-0"]
    _, publications = resources.sentences_of["has-1"]
    assert expand_entries(resources, [publications]) == [title, publisher, publications]  # type: ignore[arg-type]
    body = Reader([chunk(0, f"{entry}\n\n{description}")])
    *_, publications = body.sentences_of["has-0"]
    assert expand_entries(body, [publications]) == [publications]  # type: ignore[arg-type]
    # a bulleted line of the description itself is no entry: the entry is read further back, over it
    charter = (
        "- Charte des sciences et recherches participatives [charte]. Ministère de l'Enseignement supérieur, 2017.\n\n"
        "Cette charte fixe un cadre commun.\n- Cette charte précise les engagements des signataires.\n"
        "Elle a été signée par l'Inserm."
    )
    listed = Reader([replace(chunk(0, charter), role=PassageRole.RESOURCES)])
    charter_title, year, _framed, _bullet, signed = listed.sentences_of["has-0"]
    assert expand_entries(listed, [signed]) == [charter_title, year, signed]  # type: ignore[arg-type]
    # nor is an entry read back past a title standing alone, nor for the entry's own later sentence
    titled = Reader(
        [replace(chunk(0, f"{entry}\n\nLes guides de l'ANAP\n\n{description}"), role=PassageRole.RESOURCES)]
    )
    *_, publications = titled.sentences_of["has-0"]
    assert expand_entries(titled, [publications]) == [publications]  # type: ignore[arg-type]
    assert expand_entries(listed, [year]) == [year]  # type: ignore[arg-type]


def test_a_sentence_pointing_at_what_comes_next_is_marked_when_that_is_left_out() -> None:
    """« … a eu des effets à quatre niveaux, décrits ci-dessous, … » quoted without the next sections read as if the
    answer had given them: « […] » after it says they are left out. Quoted with what comes next (over a title), or
    pointing back (« ci-dessus »), it needs none."""
    text = (
        "Les études montrent des effets à quatre niveaux, décrits ci-dessous.\n\n"
        "Les effets sur les usagers\n\n"
        "Les usagers gagnent en pouvoir d'agir.\n\n"
        "Ces effets sont décrits ci-dessus."
    )
    reader = Reader([chunk(0, text)])
    ahead, _title, next_one, back = reader.sentences_of["has-0"]
    (alone,) = render_group(reader, [ahead], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in alone.spans] == [reader.sentences[ahead].text, "[…]"]
    assert alone.spans[-1].source is SpanSource.PHRASE
    with_next = render_group(reader, [ahead, next_one], 1, PHRASES)  # type: ignore[arg-type]
    assert "[…]" not in [s.text for b in with_next for s in b.spans]
    (backward,) = render_group(reader, [back], 1, PHRASES)  # type: ignore[arg-type]
    assert "[…]" not in [s.text for s in backward.spans][1:]
    # at the end of its section, what comes next is the next passage (read over its title and a footnote)
    ends = Reader(
        [
            replace(chunk(0, "Les études montrent des effets, décrits ci-dessous."), section_path="3"),
            replace(chunk(1, "3.1. Les effets\n\nNote 4 : Voir la revue.\n\nLes usagers gagnent."), section_path="3.1"),
        ]
    )
    (last,) = ends.sentences_of["has-0"]
    gain = ends.sentences_of["has-1"][-1]
    assert [s.text for b in render_group(ends, [last], 1, PHRASES) for s in b.spans][-1] == "[…]"  # type: ignore[arg-type]
    assert "[…]" not in [s.text for b in render_group(ends, [last, gain], 1, PHRASES) for s in b.spans]  # type: ignore[arg-type]
    # one that names where it points, or a list it announces (its cut items are said where they are), needs none
    for text in (
        "Les formations sont décrites ci-dessous (paragraphe 7.2).\n\nLes usagers se forment.",
        "Les freins sont décrits ci-dessous.\n- le temps ;\n- l'argent.",
    ):
        named = Reader([chunk(0, text)])
        first = named.sentences_of["has-0"][0]
        assert "[…]" not in [s.text for b in render_group(named, [first], 1, PHRASES) for s in b.spans]  # type: ignore[arg-type]


NEW_MODELS = "Grâce aux mouvements associatifs et à l'émergence de ces nouveaux modèles, le patient devient un sujet."


def test_a_sentence_pointing_back_at_what_the_answer_does_not_quote_is_marked_as_following_it() -> None:
    """« Ainsi, … » opening its section, or « Ils … » whose sentence before is not quoted, follows text the answer
    leaves out: « […] » says so, as a quotation would. Quoted after what it points at (in its group or above it in
    the answer), or opening its section on what points at its title (« Ces freins… » under « Les freins », « Ces
    organisations… », « Ils … », « C'est notamment le cas… »), it needs none; « Cette première étape… » under another
    title points at the section before, and gets it."""
    opening = Reader([chunk(0, "Ainsi, la démocratie sanitaire a pris sa place.\n\nElle associe les usagers.")])
    first, second = opening.sentences_of["has-0"]
    (alone,) = render_group(opening, [first], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in alone.spans] == ["[…]", "Ainsi, la démocratie sanitaire a pris sa place."]
    assert alone.spans[0].source is SpanSource.PHRASE
    (both,) = render_group(opening, [first, second], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in both.spans][1:] == [
        "Ainsi, la démocratie sanitaire a pris sa place.",
        "Elle associe les usagers.",
    ]
    reader = Reader([chunk(0, "Les usagers participent aux réunions.\n\nIls proposent des actions.")])
    said, pointing = reader.sentences_of["has-0"]
    (cut,) = render_group(reader, [pointing], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in cut.spans] == ["[…]", "Ils proposent des actions."]
    shown = {reader.sentences[said].text}
    (above,) = render_group(reader, [pointing], 1, PHRASES, shown=shown)  # type: ignore[arg-type]
    assert [s.text for s in above.spans] == ["Ils proposent des actions."]
    # a sentence pointing further back is marked when the one before it is not quoted, and does not bring that one
    far = Reader([chunk(0, "Un article décrit un comité.\n\nIls y siègent.\n\nDans un autre article, ils évaluent.")])
    _, between, other = far.sentences_of["has-0"]
    (cut_far,) = render_group(far, [other], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in cut_far.spans] == ["[…]", "Dans un autre article, ils évaluent."]
    (after_between,) = render_group(far, [between, other], 1, PHRASES)  # type: ignore[arg-type]
    assert "[…]" not in [s.text for s in after_between.spans][1:]
    staged = Reader(
        [chunk(0, "Identifier des actions prioritaires.\n\nA ce stade, le représentant priorise les actions.")]
    )
    (stage,) = render_group(staged, staged.sentences_of["has-0"][1:], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in stage.spans] == ["[…]", "A ce stade, le représentant priorise les actions."]
    for text, title, marked in [
        ("Ces freins sont bien identifiés.", "4.3. Les freins", False),
        ("Cette première étape prépare la concertation.", "5.3.1. Première étape : associer les usagers", False),
        ("Cette première étape prépare la concertation.", "5.3.2. Agir sur les représentations", True),
        ("Ces organisations ont été permises par la loi.", "1.3. Les CPTS", False),
        ("Ils sont bien identifiés.", "4.3. Les freins", False),
        ("Ces freins sont bien identifiés.", "4.3. Les leviers", True),
        ("Cette loi a institué l'agrément.", "1.1.4. La loi de 2002", False),
        ("Cette démarche participe au projet.", "4.4. La participation", True),
        ("C'est notamment le cas dans les conseils de patients.", "4.2.1. L'objet du partenariat", False),
        # a demonstrative among its first words whose noun the titles do not write: the section before named it
        (NEW_MODELS, "1.1.3. Le patient", True),
        (NEW_MODELS, "1.1.3. Les nouveaux modèles", False),
        ("Le choix d'une méthode par entretiens dans ce type d'études est libre.", "4.1. Les limites", False),
        ("Réfléchir à la façon dont leur voix peut être portée reste ouvert.", "4.3.6. Les voix", False),
        (
            "Très vite après que les fondements de la participation ont été dégagés par les sciences sociales et que "
            "cette doctrine a été mise en œuvre sont apparues des fausses participations.",
            "6.3.1. L'idée",
            False,
        ),
        # text further back: « plus haut », « précédemment », « Dans un autre article… »
        ("Les articles identifiés précédemment décrivent des comités.", "1.4.3.3. Les comités", True),
        # « A ce stade » opening its section is the stage its title names
        ("A ce stade, le représentant priorise les actions.", "Recommandation n°2 : identifier des actions", False),
    ]:
        titled = Reader([replace(chunk(0, text), section_path=title, section_title=title.split(". ", 1)[-1])])
        (block,) = render_group(titled, titled.sentences_of["has-0"], 1, PHRASES)  # type: ignore[arg-type]
        assert [s.text for s in block.spans] == (["[…]", text] if marked else [text]), (text, title)


def test_a_sentence_opening_its_section_on_the_section_before_names_that_section() -> None:
    """« […] Cette première étape ne doit pas dispenser… » and « […] Parallèlement à la mise en place de ces lois… »
    left the reader to guess which step and which laws: the section before, which they point at, is named in the mark
    (« […] (ce qui précède : § 5.3.1 « Première étape : associer les usagers ») »). The first section of a document
    has none before it: « […] » alone."""

    def section(n: int, text: str, number: str, title: str, doc: str = "has") -> Chunk:
        path = f"{number}. {title}"
        return replace(chunk(n, text, doc=doc), section_number=number, section_path=path, section_title=title)

    reader = Reader(
        [
            section(0, "Associer les usagers à la gouvernance et aux actions.", "5.3.1", "Première étape : associer"),
            section(1, "Cette première étape prépare la concertation.", "5.3.2", "Agir sur les représentations"),
        ]
    )
    (block,) = render_group(reader, reader.sentences_of["has-1"], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in block.spans] == [
        "[…] (ce qui précède : § 5.3.1 « Première étape : associer »)",
        "Cette première étape prépare la concertation.",
    ]
    first = Reader([section(0, "Cette première étape prépare la concertation.", "5.3.2", "Agir sur les attitudes")])
    (alone,) = render_group(first, first.sentences_of["has-0"], 1, PHRASES)  # type: ignore[arg-type]
    assert alone.spans[0].text == "[…]"


def test_a_sentence_pointing_back_at_its_section_s_first_one_comes_with_it_and_the_section_before_named() -> None:
    """« Cet agrément permet… » was quoted after a bare « […] »: the sentence it points at opens its section on
    « Parallèlement à la mise en place de ces lois, un agrément est créé… », which points at the section before, so the
    chain read back was dropped. That sentence now comes with it, the section before named in the mark."""

    def section(n: int, text: str, number: str, title: str) -> Chunk:
        return replace(chunk(n, text), section_number=number, section_path=f"{number}. {title}", section_title=title)

    reader = Reader(
        [
            section(0, "Les lois de 2002 renforcent les droits des usagers.", "1.1.3", "Une législation"),
            section(
                1,
                "Parallèlement à la mise en place de ces lois, un agrément est créé. Cet agrément habilite les "
                "associations. Elles représentent les usagers.",
                "1.1.4",
                "La représentation s'organise",
            ),
        ]
    )
    created, approval, _ = reader.sentences_of["has-1"]
    assert expand_antecedents(reader, [approval]) == [created, approval]  # type: ignore[arg-type]
    (block,) = render_group(reader, [created, approval], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in block.spans][:2] == [
        "[…] (ce qui précède : § 1.1.3 « Une législation »)",
        "Parallèlement à la mise en place de ces lois, un agrément est créé.",
    ]


def test_a_sentence_opening_its_section_under_a_heading_without_text_names_that_heading() -> None:
    """« À ce titre… » opens § 4.1.1 right under the heading « 4.1. Les approches systémiques », which has no text of
    its own: the mark named § 3.4, the last section with text, which the sentence does not point at; it names the
    heading. A sentence opening a section titled by a question answers it (« Faut-il faire signer la charte ? », then
    « Si l'on envisage cette perspective… »): no mark, the answer shows that title."""

    def section(n: int, text: str, path: str, number: str) -> Chunk:
        title = path.split(" > ")[-1].split(". ", 1)[-1]
        return replace(chunk(n, text), section_number=number, section_path=path, section_title=title)

    reader = Reader(
        [
            section(0, "Le bien-être des professionnels progresse.", "3. Les effets > 3.4. Le bien-être", "3.4"),
            section(
                1,
                "À ce titre figurent d'abord les réglementations.",
                "4. Les facteurs > 4.1. Les approches systémiques > 4.1.1. Des stratégies publiques",
                "4.1.1",
            ),
            section(2, "Elle rappelle les principes.", "6.14. La charte > 6.14.2. Principaux éléments", "6.14.2"),
            section(
                3,
                "Si l'on envisage cette perspective, tous les participants signent.",
                "6.14. La charte > 6.14.3. Faut-il faire signer la charte ?",
                "6.14.3",
            ),
        ]
    )
    (block,) = render_group(reader, reader.sentences_of["has-1"], 1, PHRASES)  # type: ignore[arg-type]
    assert block.spans[0].text == "[…] (ce qui précède : § 4.1 « Les approches systémiques »)"
    (answered,) = render_group(reader, reader.sentences_of["has-3"], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in answered.spans] == ["Si l'on envisage cette perspective, tous les participants signent."]


def test_two_sentences_quoted_with_text_between_them_left_out_are_marked_as_not_following() -> None:
    """Quoted from one passage with a sentence between them left out, the second sentence is preceded by « […] »:
    read as one paragraph, « … négociation. Les parties devenant responsables… » would pass for the text as written.
    Sentences that follow each other, a footnote between them, or a first sentence from mid-passage get no mark."""
    text = (
        "Le partenariat vise une co-décision.\n\nL'échelle d'Arnstein le place en haut.\n\n"
        "Les parties devenant responsables des décisions.\n\nNote 14 : Une note de bas de page.\n\n"
        "Le projet est conduit ensemble."
    )
    reader = Reader([chunk(0, text)])
    first, skipped, third, _note, fifth = reader.sentences_of["has-0"]
    (block,) = render_group(reader, [first, third, fifth], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in block.spans] == [
        "Le partenariat vise une co-décision.",
        "[…]",
        "Les parties devenant responsables des décisions.",
        "Le projet est conduit ensemble.",
    ]
    assert block.spans[1].source is SpanSource.PHRASE
    (whole,) = render_group(reader, [skipped, third], 1, PHRASES)  # type: ignore[arg-type]
    assert "[…]" not in [s.text for s in whole.spans]
    # two notes quoted one after the other: nothing left out between them; a note after a cut: the mark before its
    # number, not inside the note
    notes = Reader(
        [
            chunk(
                0,
                "Le texte principal commence avec une idée.\n\nLa section se termine sur une autre idée.\n\n"
                "Note 17 : Voir la fiche n° 7 sur la formation.\nNote 18 : Voir la fiche n° 8 sur les facilitateurs.",
            )
        ]
    )
    body, _end, seventeen, eighteen = notes.sentences_of["has-0"]
    both = render_group(notes, [seventeen, eighteen], 1, PHRASES)  # type: ignore[arg-type]
    assert "[…]" not in [s.text for b in both for s in b.spans]
    after_cut = render_group(notes, [body, eighteen], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for b in after_cut for s in b.spans][1:3] == ["[…]", "Note 18 :"]


def test_one_cut_is_marked_once() -> None:
    """An item quoted without the rest of its line ends on « […] »; the paragraph quoted next, after the same cut,
    does not open on a second one."""
    text = (
        "Les points retenus par l'équipe sont :\n- Le premier point est important. La suite du point est laissée.\n\n"
        "Le texte reprend ensuite avec une autre idée."
    )
    reader = Reader([chunk(0, text)])
    intro, item, _rest, after = reader.sentences_of["has-0"]
    blocks = render_group(reader, [intro, item, after], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for b in blocks for s in b.spans].count("[…]") == 1


def test_the_sentences_on_an_items_line_are_part_of_that_item() -> None:
    """« - Haute Autorité de santé. Structuration d'un programme… https://… »: a reference cut after its author is one
    item, not an item « Haute Autorité de santé. » with its title as a paragraph under it; so is an item's second
    sentence (« - les manques de financement sont patents. Les acteurs témoignent… ; »), not a paragraph between
    items; quoted without the rest of its line, the item ends on « […] ». The next line is the next item."""
    listed = (
        "Des documents de référence :\n"
        "- Haute Autorité de santé. Structuration d'un programme d'éducation thérapeutique https://www.has-sante.fr/a\n"
        "- les manques de financement sont patents. Les acteurs témoignent d'un sentiment ;\n"
        "- la crainte de la perte de contrôle."
    )
    reader = Reader([chunk(0, listed)])
    intro, author, title, item, tail, last = reader.sentences_of["has-0"]
    blocks = render_group(reader, [intro, author, title, item, tail, last], 1, PHRASES)  # type: ignore[arg-type]
    assert [(b.kind, b.text) for b in blocks[1:]] == [
        (
            BlockKind.LIST_ITEM,
            "Haute Autorité de santé. Structuration d'un programme d'éducation thérapeutique https://www.has-sante.fr/a",
        ),
        (BlockKind.LIST_ITEM, "les manques de financement sont patents. Les acteurs témoignent d'un sentiment ;"),
        (BlockKind.LIST_ITEM, "la crainte de la perte de contrôle."),
    ]
    # quoted without the rest of its line, an item says it is not shown whole
    cut = render_group(reader, [intro, item, last], 1, PHRASES)  # type: ignore[arg-type]
    (cut_item,) = [b for b in cut if b.spans[0].text == "les manques de financement sont patents."]
    assert [s.text for s in cut_item.spans] == ["les manques de financement sont patents.", "[…]"]
    assert cut_item.spans[-1].source is SpanSource.PHRASE
    # a reference quoted without its title but with a later sentence of its line: one item, the cut inside it
    longer = Reader(
        [chunk(0, "- Haute Autorité de santé. Structuration d'un programme de santé. Haute Autorité de santé, 2014.")]
    )
    author, _title, year = longer.sentences_of["has-0"]
    (reference,) = render_group(longer, [author, year], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in reference.spans] == ["Haute Autorité de santé.", "[…]", "Haute Autorité de santé, 2014."]


def test_a_title_the_document_writes_between_quotation_marks_is_not_put_between_them_twice() -> None:
    text = "« Pas seulement du café et des gâteaux »\n\nEn Australie, le bilan publié en 2017 fait apparaître les clés."
    reader = Reader([chunk(0, text)])
    _title, titled = reader.sentences_of["has-0"]
    (block,) = render_group(reader, [titled], 1, PHRASES)  # type: ignore[arg-type]
    assert block.spans[0].text == "« Pas seulement du café et des gâteaux » :", [s.text for s in block.spans]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (  # a PDF keeps no blank line between a title and its paragraph
            "Le financement suit les indicateurs.\n\nSuivre la vie de la CPTS en routine /évaluer\n"
            "Les représentants peuvent préparer ces rencontres.",
            "« Suivre la vie de la CPTS en routine /évaluer » : Les représentants peuvent préparer ces rencontres.",
        ),
        (  # a title that names its subject before a colon, a noun phrase after it
            "Le projet de santé de la CPTS : un outil pour l'action\n\nLes CPTS regroupent les professionnels.",
            "« Le projet de santé de la CPTS : un outil pour l'action » : Les CPTS regroupent les professionnels.",
        ),
    ],
    ids=["title-on-its-own-line", "title-with-a-colon"],
)
def test_a_title_is_never_quoted_as_a_statement_but_names_the_sentence_after_it(text: str, shown: str) -> None:
    """A line without end mark standing before its paragraph is a title: not quotable alone (« Suivre la vie de la
    CPTS en routine /évaluer [1] » says nothing), it names what the sentence after it speaks of, in « » (without them
    it read as a sentence glued to its title)."""
    reader = Reader([chunk(0, text)])
    title, sentence = reader.sentences_of["has-0"][-2:]
    evidence = Evidence(title, 0, 1.0, 0.9, 0.5, 0)
    assert not choose_sentences(reader, [evidence], 3, 1.0, 0.0)  # type: ignore[arg-type]
    (block,) = render_group(reader, [sentence], 1, PHRASES)  # type: ignore[arg-type]
    assert block.text == shown


@pytest.mark.parametrize(
    "said",
    ["A savoir : on préférera parler de représentant associatif", "Note 24 : Formation PACTE soins primaires"],
)
def test_a_line_that_says_something_after_its_colon_is_a_statement_not_a_title(said: str) -> None:
    reader = Reader([chunk(0, f"{said}\n\nLe représentant siège dans les instances.")])
    (block,) = render_group(reader, [1], 1, PHRASES)  # type: ignore[arg-type]
    assert block.text == "Le représentant siège dans les instances."


def test_a_list_its_section_title_introduces_comes_whole_after_that_title_when_asked_for() -> None:
    """« Quels contenus ? » opens on its list, no sentence introduces it: when the question asks for that title's
    words, a chosen item comes with the other items (bounded, then « […] »), after the section's title; otherwise
    the item stays alone (one word shared with the question does not make the list the answer). A list introduced
    by a sentence is not given that title."""
    items = [f"- Thème de formation numéro {n}" for n in range(1, 21)]
    listed = replace(chunk(0, "\n".join(items)), section_number="6.7.2", section_title="Quels contenus ?")
    introduced = replace(chunk(1, TEXTS[1]), section_number="6.7.3", section_title="Autres contenus")
    reader = Reader([listed, introduced])
    second = reader.sentences_of["has-0"][1]
    assert expand_lists(reader, [second]) == [second]  # type: ignore[arg-type]
    quoted = expand_lists(reader, [second], asked=lambda title: title == "Quels contenus ?")  # type: ignore[arg-type]
    # the list is the answer: it is given to a longer bound than a list an item brings (quote_list_items)
    asked_items = SETTINGS.quote_asked_list_items
    assert [reader.sentences[s].text for s in quoted] == items[:asked_items] and asked_items > SETTINGS.quote_list_items
    blocks = render_group(reader, quoted, 1, PHRASES)  # type: ignore[arg-type]
    assert blocks[0].kind is BlockKind.LEAD and blocks[0].text == "« Quels contenus ? » :"
    assert [b.kind for b in blocks[1:]] == [BlockKind.LIST_ITEM] * (asked_items + 1)
    assert blocks[-1].text == PHRASES["list_cut"] and not blocks[-1].markers, "the list goes on in the document"
    whole = render_group(reader, reader.sentences_of["has-0"], 1, PHRASES)  # type: ignore[arg-type]
    assert PHRASES["list_cut"] not in [b.text for b in whole]
    named = render_group(reader, quoted, 1, PHRASES, lead="D'après Guide HAS, § 6.7.2 « Quels contenus ? » :")  # type: ignore[arg-type]
    assert named[0].kind is BlockKind.LIST_ITEM, "the lead already names the section"
    fiche = Reader([replace(listed, fiche=7, fiche_title="Indications pour la formation"), introduced])
    heading = render_group(fiche, quoted, 1, PHRASES)[0]  # type: ignore[arg-type]
    assert heading.text == "« Quels contenus ? » (fiche ressource n° 7 « Indications pour la formation ») :"
    lead = "D'après la fiche ressource n° 7 « Indications pour la formation » (Guide HAS) :"
    assert render_group(fiche, quoted, 1, PHRASES, lead)[0].text == "« Quels contenus ? » :"  # type: ignore[arg-type]
    item = reader.sentences_of["has-1"][2]
    blocks = render_group(reader, expand_lists(reader, [item]), 2, PHRASES)  # type: ignore[arg-type]
    assert blocks[0].text == "La formation des usagers aborde plusieurs thèmes :"


def test_lines_left_out_of_a_list_written_without_bullets_are_said_to_be() -> None:
    """The fiche mission writes the missions of a CPTS as lines without bullets: an answer that quotes the first, second
    and fourth said nothing of « Développer des actions territoriales de prévention », left out between them."""
    lines = "\n".join(
        [
            "Améliorer l'accès aux soins",
            "Organiser les parcours pluri professionnels",
            "Développer des actions territoriales de prévention",
            "Développer la qualité et la pertinence des soins",
            "Accompagner les professionnels de santé sur le territoire",
        ]
    )
    reader = Reader([chunk(0, f"{lines}\nUne CPTS, c'est un réseau de professionnels sur un territoire.")])
    first, second, third, fourth, fifth, prose = reader.sentences_of["has-0"]
    texts = [b.text for b in render_group(reader, [first, second, fourth], 1, PHRASES)]  # type: ignore[arg-type]
    cut = PHRASES["list_cut"]
    assert texts == [
        "Améliorer l'accès aux soins",
        "Organiser les parcours pluri professionnels",
        cut,
        "Développer la qualité et la pertinence des soins",
        cut,
    ]
    whole = [b.text for b in render_group(reader, [first, second, third, fourth, fifth, prose], 1, PHRASES)]  # type: ignore[arg-type]
    assert cut not in whole
    later = [b.text for b in render_group(reader, [third, fifth], 1, PHRASES)]  # type: ignore[arg-type]
    assert later == [cut, "Développer des actions territoriales de prévention", cut, lines.split("\n")[-1]]
    # two lines without end marks are a title and its subtitle, not a list: nothing is said left out
    cover = Reader([chunk(0, "Les préconisations de vos URPS\nN°9 - Octobre 2022\nLa CPTS associe les usagers.")])
    title, _, sentence = cover.sentences_of["has-0"]
    assert cut not in [b.text for b in render_group(cover, [title, sentence], 1, PHRASES)]  # type: ignore[arg-type]


def test_items_left_out_of_a_quoted_list_are_said_to_be_after_the_sentences_an_item_runs_on_with() -> None:
    """An item quoted without the next one of its list is followed by « […] », after the sentences the item runs
    on with (part of the item, on its line); items left out before the first quoted one are said to be too, once."""
    listed = "\n".join(
        [
            "- Écrire aux responsables permet de discuter. Les idées seront peut-être mieux adaptées.",
            "- Écrire oblige à identifier un émetteur.",
            "- Écrire oblige à identifier un destinataire.",
            "- Écrire engage celui qui écrit.",
        ]
    )
    reader = Reader([replace(chunk(0, listed), section_number="6.11.3", section_title="S'adresser")])
    first, runs_on, second, third, fourth = reader.sentences_of["has-0"]
    blocks = render_group(reader, [first, runs_on, third], 1, PHRASES)  # type: ignore[arg-type]
    assert [b.text for b in blocks] == [
        "« S'adresser » :",
        "Écrire aux responsables permet de discuter. Les idées seront peut-être mieux adaptées.",
        PHRASES["list_cut"],
        "Écrire oblige à identifier un destinataire.",
        PHRASES["list_cut"],
    ]
    alone = render_group(reader, [second], 1, PHRASES)  # type: ignore[arg-type]
    cut = PHRASES["list_cut"]
    assert [b.text for b in alone] == ["« S'adresser » :", cut, "Écrire oblige à identifier un émetteur.", cut]
    later = render_group(reader, [third, fourth], 1, PHRASES)  # type: ignore[arg-type]
    assert [b.text for b in later] == [
        "« S'adresser » :",
        PHRASES["list_cut"],
        "Écrire oblige à identifier un destinataire.",
        "Écrire engage celui qui écrit.",
    ]


def test_what_a_question_imposes_is_checked_but_not_a_tax_it_asks_about() -> None:
    """« la HAS impose… » takes an obligation for granted; « les indemnités sont imposables ? » asks about taxes."""
    absolute, _ = premise_rules()
    assert absolute.search("la HAS impose un conseil d'administration aux MSP")
    assert absolute.search("un règlement imposé par l'ARS")
    assert not absolute.search("les indemnités qu'on verse aux représentants, elles sont imposables")


def test_a_source_joins_its_passages_marking_only_the_words_left_out() -> None:
    """Three passages of one section, one after the other: two that follow each other read on (a paragraph
    break), two with the middle one left out are joined by « […] »; quoted sentences stay highlighted."""
    texts = ["Le comité se réunit chaque trimestre.", "Il rend un avis.", "Le bureau prépare l'ordre du jour."]
    starts = [0, len(texts[0]) + 2, len(texts[0]) + len(texts[1]) + 4]  # a blank line between two paragraphs
    reader = Reader(
        [
            replace(chunk(n, text), section_number="6.13.2", char_start=start, char_end=start + len(text))
            for n, (text, start) in enumerate(zip(texts, starts, strict=True))
        ]
    )
    whole = [(n, [(0, len(text))]) for n, text in enumerate(texts)]
    read_on = make_citation(reader, 1, whole[:2], "Guide HAS — § 6.13.2")  # type: ignore[arg-type]
    assert read_on.passage == f"{texts[0]}\n\n{texts[1]}" and PASSAGE_GAP not in read_on.passage
    left_out = make_citation(reader, 1, [whole[2], whole[0]], "Guide HAS — § 6.13.2")  # type: ignore[arg-type]
    assert left_out.passage == f"{texts[0]}{PASSAGE_GAP}{texts[2]}"
    assert [left_out.passage[a:b] for a, b in left_out.highlights] == [texts[0], texts[2]]
    assert left_out.chunk_id == "has-2"  # named by the passage cited first


def test_the_passages_of_one_source_are_read_in_the_documents_order() -> None:
    """The later passage of § 6.1.3 scored best; under its one number the answer still reads the section in
    order, so that « Il permet… » follows what it speaks of."""
    texts = ["Le diagnostic général associe la population.", "Il permet la mobilisation des habitants du territoire."]
    other = "Le financement relève du fonds d'intervention régional."
    reader = Reader(
        [
            replace(chunk(n, text), section_number=number, char_start=start, char_end=start + len(text))
            for n, (text, number, start) in enumerate(
                [(texts[0], "6.1.3", 0), (texts[1], "6.1.3", len(texts[0]) + 2), (other, "6.10.2", 500)]
            )
        ]
    )
    scored = [(1, 0.9), (2, 0.8), (0, 0.7)]  # passage 1 first, then the other source, then passage 0
    evidence = [Evidence(reader.sentences_of[f"has-{c}"][0], c, score, score, 0.5, rank) for rank, (c, score) in
                enumerate(scored)]  # fmt: skip
    generator = generator_for(reader, max_sentences=3, margin=1.0)
    result = generator.generate(GenerationRequest("?", ["?"], [evidence], [1, 2, 0], whole=evidence))
    quoted = [(s.text, s.markers) for b in result.blocks if b.kind is not BlockKind.LEAD for s in b.spans]
    assert quoted == [(texts[0], (1,)), (texts[1], (1,)), (other, (2,))]


def test_a_source_whose_best_quote_scores_low_comes_after_the_answer_as_a_passage_that_may_not_answer() -> None:
    """A source after the first whose best chosen sentence scores under ``further_below`` (most are quoted for a word
    the question uses in another sense) is quoted after the others, under a heading that says it may not answer; the
    first source never is, and nothing is left out: every source is still quoted and cited."""
    texts = ["Le diagnostic général associe la population.", "Il permet la mobilisation des habitants du territoire."]
    other = "Le financement relève du fonds d'intervention régional."
    far = "Une position de tiers facilite la conduite de projet."
    reader = Reader(
        [
            replace(chunk(n, text), section_number=number, char_start=start, char_end=start + len(text))
            for n, (text, number, start) in enumerate(
                [(texts[0], "6.1.3", 0), (far, "6.8.2", 300), (other, "6.10.2", 500), (texts[1], "6.11.1", 800)]
            )
        ]
    )
    scored = [(0, 1.2), (1, 1.1), (2, 1.18), (3, 1.0)]  # § 6.8.2 and § 6.11.1 under 1.135, § 6.11.1 first of none
    evidence = [Evidence(reader.sentences_of[f"has-{c}"][0], c, score, score, 0.5, rank) for rank, (c, score) in
                enumerate(scored)]  # fmt: skip
    request = GenerationRequest("?", ["?"], [evidence], [0, 1, 2, 3], whole=evidence)
    result = generator_for(reader, max_sentences=4, margin=1.0, further_below=1.135).generate(request)
    kinds_texts = [(b.kind, b.text) for b in result.blocks if b.kind is not BlockKind.LEAD]
    further = next(i for i, (kind, _) in enumerate(kinds_texts) if kind is BlockKind.FURTHER)
    assert [t for _, t in kinds_texts[:further]] == [texts[0], other]
    assert {t for _, t in kinds_texts[further + 1 :]} == {far, texts[1]}
    assert len(result.citations) == 4
    alone = generator_for(reader, max_sentences=4, margin=1.0, further_below=1.3).generate(
        GenerationRequest("?", ["?"], [evidence[:1]], [0], whole=evidence[:1])
    )
    assert not any(b.kind is BlockKind.FURTHER for b in alone.blocks)  # the first source answers, however low
    # a first source under the bar (it opens on a definition of what is asked): only those under it are set apart
    low = [replace(e, score=1.05, opens=True) if e.chunk == 0 else e for e in evidence]  # § 6.8.2 at 1.1 stays
    request = GenerationRequest("?", ["?"], [low], [0, 1, 2, 3], whole=low)
    result = generator_for(reader, max_sentences=4, margin=1.0, further_below=1.135).generate(request)
    kinds_texts = [(b.kind, b.text) for b in result.blocks if b.kind is not BlockKind.LEAD]
    further = next(i for i, (kind, _) in enumerate(kinds_texts) if kind is BlockKind.FURTHER)
    assert [t for _, t in kinds_texts[further + 1 :]] == [texts[1]]


def test_the_heading_of_passages_that_may_not_answer_comes_once_after_every_part_and_never_alone() -> None:
    """In a multi-part answer the sources set apart are quoted once, after the last part; a heading over sources that
    all say again what the answer quotes above (the documents copy one another) is not shown."""
    meeting = "Le comité des usagers se réunit chaque trimestre."
    far = "Une position de tiers facilite la conduite de projet."
    reader = Reader(
        [
            replace(chunk(0, meeting), section_number="6.2.1", char_start=0, char_end=len(meeting)),
            replace(chunk(1, far), section_number="6.8.2", char_start=300, char_end=300 + len(far)),
            replace(chunk(2, "Le comité rend un avis motivé."), section_number="6.2.4", char_start=600),
        ]
    )
    sid = {c: reader.sentences_of[f"has-{c}"][0] for c in range(3)}
    whole = [Evidence(sid[0], 0, 1.2, 1.2, 0.5, 0), Evidence(sid[1], 1, 1.1, 1.1, 0.5, 1)]
    part = [Evidence(sid[2], 2, 1.3, 1.3, 0.5, 0)]
    request = GenerationRequest("Quand se réunit-il et quel avis rend-il ?", ["quand", "quel avis"], [whole, part],
                                [0, 1, 2], whole=whole)  # fmt: skip
    generator = generator_for(reader, max_sentences=2, margin=1.0, further_below=1.135)
    blocks = generator.generate(request).blocks
    kinds = [b.kind for b in blocks]
    assert kinds.count(BlockKind.FURTHER) == 1 and kinds.index(BlockKind.FURTHER) > kinds.index(BlockKind.PART_HEADING)
    assert blocks[-1].text == far
    copy = Reader([*reader.chunks[:1], replace(chunk(1, meeting, doc="urps"), char_start=300)])
    twin = [Evidence(copy.sentences_of["has-0"][0], 0, 1.2, 1.2, 0.5, 0),
            Evidence(copy.sentences_of["urps-1"][0], 1, 1.1, 1.1, 0.5, 1)]  # fmt: skip
    said = generator_for(copy, max_sentences=2, margin=1.0, further_below=1.135).generate(
        GenerationRequest("?", ["?"], [twin], [0, 1], whole=twin)
    )
    assert BlockKind.FURTHER not in [b.kind for b in said.blocks]


def test_a_part_of_the_question_does_not_quote_again_what_an_earlier_section_quoted() -> None:
    """« quand on dit 'usager' on parle de qui ? juste les patients ? »: the answer to the whole question quoted M.E's
    words whole; the part « juste les patients » chose their second sentence, completed it into the same quotation
    and quoted it a second time under « Sur « juste les patients » »."""
    text = (
        "M.E souligne la crainte d'associations dogmatiques.\n\n“Mais enfin la peur, c'est que ce soit ces personnes "
        "là. Des gens qui ont des idéologies, qui veulent les imposer. Qui vont couper le dialogue quoi.” (M.E)"
    )
    other = "Les usagers sont aussi les aidants et les proches des patients."
    reader = Reader([chunk(0, text), replace(chunk(1, other), section_number="1.4")])
    _, opening, middle, _ = reader.sentences_of["has-0"]
    (aidants,) = reader.sentences_of["has-1"]
    whole = [Evidence(opening, 0, 0.9, 0.9, 0.5, 0)]
    part = [Evidence(middle, 0, 0.9, 0.9, 0.5, 0), Evidence(aidants, 1, 0.85, 0.85, 0.5, 1)]
    generator = generator_for(reader, max_sentences=3, margin=1.0)
    request = GenerationRequest("?", ["qui ?", "juste les patients ?"], [whole, part], [0, 1], whole=whole)
    quoted = [s.text for b in generator.generate(request).blocks if b.kind is not BlockKind.LEAD for s in b.spans]
    assert quoted.count(reader.sentences[middle].text) == 1, quoted
    assert reader.sentences[aidants].text in quoted  # what the part adds is still quoted


def test_a_passage_goes_on_after_the_one_it_follows_over_a_footnote_s_passage() -> None:
    """« Elles se composent… » (§ 1.3, its second passage after a footnote's) scored best, « Elles regroupent… » (its
    first passage) was quoted too: the answer read « Elles se composent… » first and what « Elles » names last. A
    passage whose first quoted sentence goes on from one quoted in another passage of its source comes after it."""
    texts = [
        "Ces organisations ont été créées par la loi de 2016. Elles regroupent les professionnels d'un territoire.",
        "Note 6 : La santé communautaire est le processus par lequel une collectivité réfléchit sur sa santé.",
        "Elles se composent de professionnels des soins du premier et du second recours.",
    ]
    starts = [0, 200, 400]  # not adjacent: the footnote's passage lies between the first and the third
    reader = Reader(
        [
            replace(chunk(n, text), section_number="1.3", char_start=start, char_end=start + len(text))
            for n, (text, start) in enumerate(zip(texts, starts, strict=True))
        ]
    )
    law, gather = reader.sentences_of["has-0"]
    compose = reader.sentences_of["has-2"][0]
    evidence = [Evidence(compose, 2, 0.9, 0.9, 0.5, 0), Evidence(gather, 0, 0.7, 0.7, 0.5, 1)]
    generator = generator_for(reader, max_sentences=3, margin=1.0)
    result = generator.generate(GenerationRequest("?", ["?"], [evidence], [2, 0], whole=evidence))
    quoted = [s.text for b in result.blocks if b.kind is not BlockKind.LEAD for s in b.spans]
    assert quoted == [reader.sentences[law].text, reader.sentences[gather].text, reader.sentences[compose].text]


def test_a_sentence_pointing_back_comes_with_the_sentences_it_points_at() -> None:
    """« Ainsi, ils sont tenus au courant… » alone answers nothing: it comes with « En revanche, ils peuvent… »,
    which points back too, and with the statement both speak of (three sentences back at most, across a passage
    boundary of the section); an item of a list is never pulled in that way, and an impersonal « Il faut… »
    points at nothing."""
    said = (
        "Les rencontres avec l'ARS ne nécessitent pas la présence des représentants associatifs.",
        "En revanche, ils peuvent participer à la préparation de ces rencontres avec les professionnels.",
        "Ainsi, ils sont tenus au courant de l'atteinte des objectifs fixés par la CPTS.",
    )
    first, second = f"{said[0]} {said[1]}", said[2]
    reader = Reader(
        [
            replace(chunk(0, first), section_number="II", char_end=len(first)),
            replace(chunk(1, second), section_number="II", char_start=len(first) + 1),
            replace(chunk(2, "Les missions sont :\n- diagnostiquer le territoire\nIls y consacrent du temps, et de la"
                         " patience. Il faut aussi un coordinateur formé à l'animation."), section_number="III",
                    char_start=500),
        ]
    )  # fmt: skip
    last = reader.sentences_of["has-1"][0]
    assert [reader.sentences[s].text for s in expand_antecedents(reader, [last])] == list(said)  # type: ignore[arg-type]
    after_item, impersonal = reader.sentences_of["has-2"][-2:]
    assert expand_antecedents(reader, [after_item]) == [after_item]  # type: ignore[arg-type]
    assert expand_antecedents(reader, [impersonal]) == [impersonal]  # type: ignore[arg-type]
    generator = generator_for(reader, max_sentences=1, margin=0.2)
    evidence = [Evidence(last, 1, 0.9, 0.9, 0.5, 0)]
    result = generator.generate(GenerationRequest("?", ["?"], [evidence], [1], whole=evidence))
    quoted = [s.text for b in result.blocks if b.kind is not BlockKind.LEAD for s in b.spans]
    assert quoted == list(said)  # the answer quotes them in reading order


def test_a_footnote_is_quoted_only_when_it_states_something() -> None:
    """The ingestion names footnotes (« Note 28 : … »): a note that names a text or gives addresses is no
    sentence to quote; a note that defines something is."""
    reader = Reader(
        [
            chunk(0, "Note 28 : Le service sanitaire des étudiants en santé (articles D. 4071-1 à D. 4071-7)"),
            chunk(1, "Note 32 : https://www.fondationdelavenir.org/appel Note 33 : https://www.fondation.fr/prix"),
            chunk(
                2, "Note 6 : La santé communautaire est le processus par lequel une collectivité réfléchit à sa santé."
            ),
        ]
    )
    firsts = [Evidence(reader.sentences_of[f"has-{n}"][0], n, 1.0, 1.0, 1.0, n) for n in range(3)]
    assert [_may_quote(reader, e, SETTINGS) for e in firsts] == [False, False, True]  # type: ignore[arg-type]


def test_the_premise_quoted_in_its_notice_is_not_quoted_again_in_the_list() -> None:
    """A question resting on a wrong premise gets the sentence that corrects it in the notice; the list that
    sentence belongs to, given whole, does not say it a second time."""
    reader = Reader(
        [
            chunk(
                0,
                "Les représentants associatifs de la CPTS peuvent :\n- préparer les réunions avec l'ARS ;\n"
                "- ne pas siéger aux rencontres avec les tutelles ;\n- suivre les indicateurs de la CPTS.",
            )
        ]
    )
    intro, first, premise, last = reader.sentences_of["has-0"]
    evidence = [Evidence(first, 0, 0.9, 0.9, 0.5, 0)]
    generator = generator_for(reader, max_sentences=1, margin=0.2)
    request = GenerationRequest("?", ["?"], [evidence], [0], whole=evidence, premise_sentence=premise)
    quoted = [s.text for b in generator.generate(request).blocks for s in b.spans if s.source is SpanSource.CORPUS]
    texts = [reader.sentences[s].text.lstrip("- ") for s in (premise, intro, first, last)]
    assert quoted == texts  # the premise once, in the notice; then the list without it


def test_the_premise_in_its_notice_is_quoted_under_its_source_with_what_it_points_back_at() -> None:
    """« À noter : … » then the sentence that nuances the premise: under the lead that names its source, and with
    the sentence it points back at (« Ces initiatives… » alone says nothing)."""
    reader = Reader(
        [
            chunk(0, "Le comité des usagers se réunit chaque trimestre."),
            chunk(
                1,
                "Le mémoire étudie les initiatives réalisées en MSP. "
                "Ces initiatives ne valent pas pour les CPTS, qui n'ont pas de structure physique.",
            ),
        ]
    )
    answer_sid = reader.sentences_of["has-0"][0]
    antecedent, premise = reader.sentences_of["has-1"]
    evidence = [Evidence(answer_sid, 0, 0.9, 0.9, 0.5, 0)]
    generator = generator_for(reader, max_sentences=1, margin=0.2)
    request = GenerationRequest("?", ["?"], [evidence], [0], whole=evidence, premise_sentence=premise)
    blocks = generator.generate(request).blocks
    assert [b.kind for b in blocks[:3]] == [BlockKind.NOTICE, BlockKind.LEAD, BlockKind.PARAGRAPH]
    assert [s.text for s in blocks[2].spans] == [reader.sentences[antecedent].text, reader.sentences[premise].text]
    # more of the premise's source, scoring low: the answer opened on that source, it is not set apart as far off
    more = "Les CPTS réunissent des professionnels de ville."
    reader = Reader(
        [
            replace(reader.chunks[0], section_number="6.2"),
            replace(reader.chunks[1], text=f"{reader.chunks[1].text} {more}", section_number="6.8"),
        ]
    )
    answer_sid = reader.sentences_of["has-0"][0]
    antecedent, premise, later = reader.sentences_of["has-1"]
    low = [Evidence(answer_sid, 0, 0.9, 0.9, 0.5, 0), Evidence(later, 1, 0.5, 0.5, 0.5, 1)]
    request = GenerationRequest("?", ["?"], [low], [0, 1], whole=low, premise_sentence=premise)
    blocks = generator_for(reader, max_sentences=2, margin=1.0, further_below=1.135).generate(request).blocks
    assert more in [s.text for b in blocks for s in b.spans] and BlockKind.FURTHER not in [b.kind for b in blocks]


@pytest.mark.parametrize(
    ("opening", "points_back"),
    [
        ("À ce titre, les professionnels", True),
        ("Dans ce cadre, la structure", True),
        ("Idéalement, ils", True),
        ("Dans une visée pratique, elles", True),  # a short phrase a preposition opens
        ("Dans une première partie, il", True),
        ("Certaines sont", True),  # some of those just named
        ("D'autres citent la structure", True),
        ("Pour d'autres encore, la structure", True),  # others than those just named, after a preposition
        ("Chez certaines, la structure", True),
        ("Selon certains auteurs, la structure", False),  # names its own
        ("Certaines structures", False),  # its own noun
        ("S'ajoute à cela la structure", True),  # « cela » after a preposition among the first words
        ("Dans la pratique, il s'agit", False),  # impersonal
        ("Dans l'évaluation, il s'agira", False),
        ("En pratique, il peut être utile", False),
        ("Enfin, la structure", True),
        ("Autrement dit, la structure", True),
        ("Quant à la structure, elle", True),
        ("Un deuxième pas", True),
        ("Et ça, la structure", True),
        ("Dans ce guide, la structure", False),  # the document itself
        ("Dans ce texte, la structure", False),
        ("Dans cet article, la structure", False),
        ("Durant ce stage, la structure", False),  # what the study reports on
        ("En ce qui concerne la structure, elle", False),  # what follows
        ("Ensuite la structure", False),
        ("Il ne faut pas que la structure", False),  # impersonal
        ("Il est observé que la structure", False),
        ("Il a été constaté qu'une structure", False),
        ("Il est composé de membres et la structure", True),  # « Il »: what was just named
        ("Concrètement, il s'agit de la structure qui", False),
        ("Car la structure", True),  # the reason of what was just said
        ("Puis, la structure", True),
        ("Qu'il s'agisse du comité ou de la gouvernance, la structure", True),  # carries on the sentence before
        ("Puis-je savoir si la structure", False),  # asks
        ("En dehors de ces cas, la structure", True),  # a demonstrative among the first words
        ("Certains de ces comités et la structure", True),
        ("Il faut retenir que cette structure", True),
        ("Mais au-delà, pour la plupart des usagers, cette structure", True),  # « Mais » opens it
        # after a comma: not the opening, but a demonstrative whose noun the sentence has not named before it
        ("Au-delà du projet, pour la plupart des usagers, cette structure", True),
        ("Au-delà de la structure, pour la plupart des usagers, cette structure", False),  # named before it
        ("Les usagers de ce guide et la structure", False),  # the document itself
        ("Deux choses doivent toutefois être vues : la structure", True),  # a contrast among the first words
        ("Il s'agit donc d'un agrément : la structure", True),  # what follows from it
        ("Les usagers et les professionnels de toute la région pourtant", False),  # too far in to open it
        ("D'ailleurs, ces centres", True),  # after a short opening phrase
        ("Dans la recherche, ce sont les modalités qui", False),  # sets off what follows
        ("Ce sont des plateformes régionales et la structure", True),  # says what was just named
        ("Par exemple, la structure", True),  # an example of what was just said
        ("Selon lui, la structure", True),
        ("Sinon, la structure", True),
        ("Comme cela est exposé dans la littérature internationale, ces structures", True),  # after where it was said
        ("Comme le souligne l'article de S.Buffet, elle", True),
        ("Comme nous l'avons relevé, la structure", False),  # points at the document, not at a sentence
        ("Si l'on prévoit des questionnaires, ils", False),  # the clause names what « ils » points at
        ("Comme les usagers sont bénévoles, ils", False),  # a cause, not where something was said
        ("Pour finir la réunion, la structure", False),  # a purpose
        ("Les sujets évoqués par la structure", True),  # a noun said to have been spoken of
        ("Les autres MSP et la structure", True),  # others than those just named
        ("Les professionnels interrogés et la structure", False),  # a study's own interviewees
        ("Les recommandations présentées dans ce guide et la structure", False),  # the document itself
        ("Créées par la loi, les CPTS sont décrites et la structure", False),  # a verb before the participle
        ("La première, c'est que la structure", True),  # the first of what was just named
        ("La première étape de la structure", False),  # names its noun
        ("Pour le reste, la structure", True),
        ("Leurs missions et la structure", True),  # whose: those just named
        ("Un certain nombre d'entre elles et la structure", True),  # some of those just named
        ("La structure a d'ailleurs", True),  # an aside on what was just said
        ("Par leur organisation souple, la structure", True),
        # the next point, a time after what was just said, an example or a consequence among the first words
        ("Autre point : la structure", True),
        ("Plus récemment encore, la structure", True),
        ("Dans un même temps, la structure", True),
        ("Par la suite, la structure", True),
        ("En parallèle, la structure", True),
        ("En sens inverse, les pratiques collectives", True),
        ("Les centres, par exemple, et la structure", True),
        ("Les centres ont ainsi la structure qui", True),
        ("Les centres ainsi que la structure", False),  # adds a noun
        ("M.F ajoute que la structure", True),  # what an interviewee adds
        ("Mme C poursuit : la structure", True),
        ("Le décret ajoute une mission à la structure", False),  # what a text adds
        ("En parallèle de la création, la structure", False),  # a complement says with what
        ("Au contraire des établissements, la structure", False),
        ("A ce stade, la structure", False),  # the stage its title names
        ("La deuxième mission de la structure", True),  # the next of a series
        ("En l'occurrence, la structure", True),
        ("Toujours au sein de la MSP, la structure", True),  # the same setting
        ("L'exemple donné par la structure", True),  # a noun said to have been given
        ("Les dernières décennies et la structure", False),  # a time
    ],
)
def test_a_sentence_opening_on_a_connective_comes_with_the_sentence_before_it(opening: str, points_back: bool) -> None:
    """« À ce titre, … », « Idéalement, ils … », « Un deuxième pas … »: read alone, each says « as said before »;
    « Dans ce guide, … », « En ce qui concerne … », « Il ne faut pas … » do not."""
    text = f"Le comité des usagers rend un avis sur le projet de santé. {opening} peut le consulter chaque trimestre."
    reader = Reader([chunk(0, text)])
    before, sid = reader.sentences_of["has-0"]
    expected = [before, sid] if points_back else [sid]
    assert expand_antecedents(reader, [sid]) == expected  # type: ignore[arg-type]


def test_ainsi_announcing_what_follows_does_not_point_back() -> None:
    """« Le comité est ainsi composé : » introduces the list after it; « Le comité est ainsi composé de six membres. »
    says it follows from what was just said."""
    assert refers_back().match("Le comité est ainsi composé :") is None
    assert refers_back().match("Le comité est ainsi composé de six membres.") is not None


def test_a_section_without_number_is_not_read_back_into_the_one_before() -> None:
    """The slides' sections have no number: « A l'heure actuelle ces structures participatives… », the first sentence
    of « Qu'est-ce qu'une MSP participative ? », was given the definition of community health that ends the section
    before as its antecedent."""
    first = replace(
        chunk(0, "On parle de santé communautaire quand les habitants agissent en commun."),
        section_path="Qu'est-ce que la santé communautaire ?", section_title="Qu'est-ce que la santé communautaire ?",
    )  # fmt: skip
    second = replace(
        chunk(1, "A l'heure actuelle ces structures participatives font l'objet d'une expérimentation."),
        section_path="Qu'est-ce qu'une MSP participative ?", section_title="Qu'est-ce qu'une MSP participative ?",
    )  # fmt: skip
    reader = Reader([first, second])
    (opening,) = reader.sentences_of["has-1"]
    assert expand_antecedents(reader, [opening]) == [opening]  # type: ignore[arg-type]
    same = Reader([first, replace(second, section_path=first.section_path, section_title=first.section_title)])
    assert expand_antecedents(same, [opening]) == [0, opening]  # type: ignore[arg-type]


def test_a_chain_of_sentences_pointing_back_that_reaches_nothing_adds_nothing() -> None:
    """Four sentences each pointing back at the one before: read three back, the last one added would point
    back still; quoting them would not say what the first speaks of, so none is added."""
    text = (
        "Elle réunit les usagers chaque trimestre. Ainsi, elle recueille leurs avis sur le projet. "
        "En effet, elle dispose d'un budget propre pour cela. Cependant, elle reste consultative dans la structure."
    )
    reader = Reader([replace(chunk(0, text), section_number="6.1", char_end=len(text))])
    last = reader.sentences_of["has-0"][-1]
    assert expand_antecedents(reader, [last]) == [last]  # type: ignore[arg-type]


def test_a_sentence_after_a_quotation_comes_with_the_quotation_whole() -> None:
    """« Cet appel à candidatures… » points back at a call the sentence before quotes over two sentences; the last
    of them closes the quotation, no antecedent alone: the whole quotation is (it was quoted without any)."""
    text = (
        "Le comité s'est réuni en mars. Les ministères ont lancé un appel à candidatures pour des structures qui « "
        "offrent un accueil adapté aux populations éloignées du soin. Ces professionnels font participer les usagers "
        "au projet de santé ». Cet appel à candidatures visait à sélectionner une vingtaine de structures."
    )
    reader = Reader([replace(chunk(0, text), section_number="1.2", char_end=len(text))])
    _, opens, closes, pointing = reader.sentences_of["has-0"]
    assert expand_antecedents(reader, [pointing]) == [opens, closes, pointing]  # type: ignore[arg-type]


def test_a_point_added_after_an_interviewee_s_words_comes_without_them() -> None:
    """« Enfin, la question de la rémunération… » adds a point to the study's account: the interviewee's words quoted
    right before it, on governance, are not what it goes on from, and a user asking about pay would read them as the
    answer's lead. « […] » then says text is left out."""
    text = (
        "Les personnes rencontrées décrivent plusieurs problèmes. "
        "“La première, c'est que les gouvernances sont prises par les professionnels. "
        "Et la plupart du temps, ils ne se posent même pas la question.” (M. F)\n"
        "Enfin, la question de la rémunération des acteurs préoccupe l'ensemble des interviewés."
    )
    reader = Reader([replace(chunk(0, text), section_number="6.1", char_end=len(text))])
    *_, last = reader.sentences_of["has-0"]
    assert expand_antecedents(reader, [last]) == [last]  # type: ignore[arg-type]
    (block,) = render_group(reader, [last], 1, PHRASES)  # type: ignore[arg-type]
    assert block.spans[0].text.startswith("[…]")


def test_a_footnote_is_quoted_after_its_number_and_a_section_s_passages_in_reading_order() -> None:
    """« Note 6 : » tells a footnote: the quote gives what it says, after its number, as a label (the source names
    its section and page, where the reader looks for a note, not for a sentence of the text). The passages of one
    section are read in the document's order, the best one among them or not: a later passage quoted above the
    section's first read as the text reversed (two readers found it). Sections of one fiche open on the best one."""
    note = "Note 6 : La santé communautaire est le processus par lequel une collectivité réfléchit à sa santé."
    (block,) = render_group(Reader([chunk(0, note)]), [0], 1, PHRASES)  # type: ignore[arg-type]
    assert [(s.text, s.source) for s in block.spans] == [
        ("Note 6 :", SpanSource.PHRASE),
        (note.removeprefix("Note 6 : "), SpanSource.CORPUS),
    ]
    texts = [
        "Le comité se réunit chaque trimestre.",
        "Il rend un avis sur le projet.",
        "Le bureau prépare les réunions du comité.",
    ]
    reader = Reader(
        [
            replace(chunk(n, text), section_number="6.13.2", char_start=start, char_end=start + len(text))
            for n, (text, start) in enumerate(zip(texts, [0, 39, 500], strict=True))  # a blank line, then far on
        ]
    )
    scored = [(2, 0.9), (1, 0.8), (0, 0.7)]  # the later passage best; the first two follow each other
    evidence = [Evidence(reader.sentences_of[f"has-{c}"][0], c, v, v, 0.5, r) for r, (c, v) in enumerate(scored)]
    result = generator_for(reader, max_sentences=3, margin=1.0).generate(
        GenerationRequest("?", ["?"], [evidence], [2, 1, 0], whole=evidence)
    )
    quoted = [s.text for b in result.blocks if b.kind is not BlockKind.LEAD for s in b.spans]
    assert [t for t in quoted if t != PHRASES["elided_before"]] == [texts[0], texts[1], texts[2]]


def test_quotes_that_move_on_to_another_section_of_a_fiche_name_it() -> None:
    """Fiche 10's « Par principe, des financements privés… » (§ 6.10.4) was shown right under the quotes of
    « Une expérimentation est en cours… » (§ 6.10.2), as if it were part of it: two readers found it. Quotes of another
    section of the fiche quoted above are labelled with its title, « […] » after it when they do not open it; not the
    fiche's opening, titled with the fiche's name the lead says already."""
    texts = [
        "Le financement de l'expérimentation est assuré par le fonds pour l'innovation.",
        "Par principe, des financements privés peuvent être mobilisés. Les industries ne peuvent pas intervenir.",
        "Cette fiche indique quelques solutions publiques et privées.",
    ]
    sections = [
        ("6.10.2", "Ressources publiques"),
        ("6.10.4", "Prohibition de certains financements privés"),
        ("6.10", "Fiche ressource n° 10 – Mobilisation"),
    ]
    reader = Reader(
        [
            replace(
                chunk(n, text),
                fiche=10,
                fiche_title="Mobilisation",
                section_number=number,
                section_title=title,
                section_path=f"6.10 > {number}",
                char_start=900 * n,
                char_end=900 * n + len(text),
            )
            for n, (text, (number, title)) in enumerate(zip(texts, sections, strict=True))
        ]
    )
    opening, later = reader.sentences_of["has-1"]

    def quoted(*sentences: int) -> list[str]:
        evidence = [
            Evidence(sid, reader.position[reader.sentences[sid].chunk_id], 0.9 - i / 10, 0.9, 0.5, i)
            for i, sid in enumerate(sentences)
        ]
        result = generator_for(reader, max_sentences=2, margin=1.0).generate(
            GenerationRequest("?", ["?"], [evidence], [0, 1, 2], whole=evidence)
        )
        return [s.text for b in result.blocks if b.kind is not BlockKind.LEAD for s in b.spans]

    first = reader.sentences_of["has-0"][0]
    assert quoted(first, opening) == [
        texts[0],
        "« Prohibition de certains financements privés » :",
        texts[1].split(" Les")[0],
    ]
    assert quoted(first, later)[1:3] == ["« Prohibition de certains financements privés » :", PHRASES["elided_before"]]
    assert quoted(opening, later)[0] == texts[1].split(" Les")[0]  # one section: no label
    assert quoted(first, reader.sentences_of["has-2"][0]) == [texts[0], texts[2]]  # the fiche's opening


def test_a_quoted_sentence_comes_with_the_contrast_that_qualifies_it() -> None:
    """« Les rencontres avec les tutelles ne nécessitent pas la présence de représentants associatifs. » was quoted
    without « En revanche, ils peuvent participer aux réunions de préparation… »: a representative read that they
    have no part in them. The contrast right after a quoted sentence is quoted with it; an interviewee's « “Mais… »
    and a list's next item are not."""
    said = "Les rencontres avec les tutelles ne nécessitent pas la présence de représentants associatifs."
    contrast = "En revanche, ils peuvent participer aux réunions de préparation de ces rencontres."
    reader = Reader([chunk(0, f"{said} {contrast} Les comptes rendus sont envoyés.")])
    first, second, third = reader.sentences_of["has-0"]
    assert completed(reader, [first], lambda title: False, ()) == [first, second]  # type: ignore[arg-type]
    assert completed(reader, [second], lambda title: False, ()) == [first, second]  # type: ignore[arg-type]
    assert completed(reader, [third], lambda title: False, ()) == [third]  # type: ignore[arg-type]
    spoken = Reader([chunk(0, f"{said} “Mais enfin la peur, c'est qu'ils ne viennent pas.” (M. E)")])
    alone = spoken.sentences_of["has-0"][0]
    assert completed(spoken, [alone], lambda title: False, ()) == [alone]  # type: ignore[arg-type]
    listed = Reader([chunk(0, "Ils peuvent :\n- venir aux réunions ;\n- Mais aussi écrire au bureau.")])
    _, item, _ = listed.sentences_of["has-0"]
    assert expand_qualifications(listed, [item]) == [item]  # type: ignore[arg-type]


def test_a_later_passage_of_a_section_quoted_after_a_gap_opens_on_the_cut() -> None:
    """« Ce diagnostic peut avoir une dimension purement statistique… », then, from the section's next passage, « On
    peut recourir à plusieurs stratégies… » on a line of its own: the sentences between them were left out unsaid (two
    readers found it). « […] » says so; a passage that goes on right after the sentence quoted above needs none."""
    first = "Le diagnostic couvre le territoire. Les données viennent de l'agence régionale."
    second = "Les témoignages complètent les chiffres. On recourt à plusieurs stratégies."
    reader = Reader([chunk(0, first), replace(chunk(1, second), char_start=len(first) + 2)])
    covers, statistical = reader.sentences_of["has-0"]
    general, strategies = reader.sentences_of["has-1"]

    def quoted(*sentences: int) -> list[str]:
        evidence = [Evidence(s, reader.position[reader.sentences[s].chunk_id], 1.0 - i / 100, 0.9, 0.5, 0)
                    for i, s in enumerate(sentences)]  # fmt: skip
        request = GenerationRequest("?", ["?"], [evidence], [0, 1], whole=evidence)
        result = generator_for(reader, max_sentences=3, margin=1.0).generate(request)
        return [s.text for b in result.blocks if b.kind is not BlockKind.LEAD for s in b.spans]

    assert quoted(covers, strategies) == [reader.sentences[covers].text, "[…]", reader.sentences[strategies].text]
    assert "[…]" not in quoted(statistical, general)


def test_the_sections_of_a_fiche_open_on_the_best_one_each_section_read_top_to_bottom() -> None:
    """Under the lead of fiche 5, § 6.5.5 quoted best comes first; § 6.5.2's two passages follow, in their order."""
    sections = [("6.5.2", "La représentation"), ("6.5.2", "La représentation"), ("6.5.5", "Conclusion")]
    reader = Reader(
        [
            replace(chunk(n, f"Phrase {n}."), fiche=5, section_number=number, section_path=f"6.5 > {number} {title}")
            for n, (number, title) in enumerate(sections)
        ]
    )
    by_score = [(2, [2]), (1, [1]), (0, [0])]  # the later passage of § 6.5.2 scored above its first
    assert in_reading_order(reader, by_score) == [(2, [2]), (0, [0]), (1, [1])]  # type: ignore[arg-type]


def test_a_section_title_ending_on_a_colon_is_named_without_it() -> None:
    """A slide's « UNE CPTS : » is the section's name; the lead and the source line put their own punctuation."""
    slide = replace(chunk(0, "Texte."), doc_id="slides", section_number="I", section_title="UNE CPTS :")
    lead = lead_line(Reader([slide]), PHRASES, 0, {"slides": "Présentation"})  # type: ignore[arg-type]
    assert lead.text == "D'après Présentation, I. « UNE CPTS » :"
    assert source_label(slide, "Présentation") == "Présentation — I. « UNE CPTS »"
    question = replace(slide, section_title="Qui est le représentant associatif en CPTS ?")
    lead = lead_line(Reader([question]), PHRASES, 0, {"slides": "Présentation"})  # type: ignore[arg-type]
    assert lead.text == "D'après Présentation, I. « Qui est le représentant associatif en CPTS ? » :"  # not « ? : »


def test_a_definition_opens_the_answer_without_pushing_the_best_sentences_out_of_it() -> None:
    """« Les CPTS, de quoi parle-t-on ? »: the defining sentence is lifted to the top, not above it; the sentences
    close to the best score are still quoted after it (before, the answer was the definition alone)."""
    from types import SimpleNamespace

    from assistant.agent import Assistant

    text = (
        "Une CPTS est un réseau de professionnels d'un territoire. Les usagers y trouvent leur place dans les "
        "groupes de travail. Les représentants associatifs participent au diagnostic du territoire."
    )
    reader = Reader([chunk(0, text)])
    defining, best, next_best = reader.sentences_of["has-0"]
    evidence = [
        Evidence(best, 0, 0.90, 0.9, 0.5, 0),
        Evidence(next_best, 0, 0.85, 0.9, 0.5, 0),
        Evidence(defining, 0, 0.80, 0.9, 0.5, 0),
    ]
    owner = SimpleNamespace(settings=SETTINGS.model_copy(update={"definition_bonus": 0.15}))
    ordered = Assistant._definitions_first(owner, evidence, frozenset({defining}))  # type: ignore[arg-type]
    chosen = choose_sentences(reader, ordered, 3, 0.06, 0.0)  # type: ignore[arg-type]
    assert [e.sentence for e in chosen] == [defining, best, next_best]


def test_a_sentence_an_item_goes_on_with_comes_with_the_item() -> None:
    """« On peut donner quelques chiffres… » goes on, on its line, with the item « - Ensuite, on doit se demander
    combien de personnes… »: quoted alone, after « […] », it read as a remark of its own; brought in as the
    antecedent of « Ces chiffres… », it comes with the item's first sentence too."""
    text = (
        "- Il faut objectiver ce que l'on veut faire valoir auprès des responsables.\n"
        "- Ensuite, on doit se demander combien de personnes sont concernées par le besoin évoqué. "
        "On peut donner quelques chiffres si on en a, et citer des témoignages d'usagers.\n\n"
        "Ces chiffres sont parfois difficiles à réunir pour une petite équipe."
    )
    reader = Reader([chunk(0, text)])
    first, head, goes_on, pointing = reader.sentences_of["has-0"]
    assert expand_lists(reader, [goes_on]) == [head, goes_on]  # type: ignore[arg-type]
    assert expand_lists(reader, [first]) == [first], "an item's first sentence needs nothing before it"
    assert expand_antecedents(reader, [pointing]) == [head, goes_on, pointing]  # type: ignore[arg-type]


def test_a_sentence_an_item_goes_on_with_comes_with_the_item_and_its_list_s_introduction() -> None:
    """« À cet égard, le recrutement… » ends the line of the guide's second orientation: it comes with that item, and
    the item with the sentence that introduces the list and the item before it, not after « […] » alone."""
    text = (
        "L'idée serait de mener en même temps les deux orientations suivantes :\n"
        "- associer les usagers aux instances de gouvernance ;\n"
        "- associer les usagers aux actions de santé publique. À cet égard, le recrutement d'un usager ne doit pas "
        "dédouaner les structures."
    )
    reader = Reader([chunk(0, text)])
    intro, governance, actions, regard = reader.sentences_of["has-0"]
    assert expand_lists(reader, [regard]) == [intro, governance, actions, regard]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("caption", "quotable"),
    [
        ("Figure 1 - Cadre théorique du continuum de l'engagement des patients inspiré de Carman et al.", False),
        ("Tableau 1 : Caractéristiques des usagers rencontrés, entre mai et juillet 2021", False),
        ("Le tableau 1 montre que les usagers rencontrés sont nombreux à vouloir participer.", True),
        ("Source : Pomey M-P, Flora L, Karazivan P, et al. Le « Montreal model ». Santé Publique. 2015", False),
        ("La source de ces chiffres est une enquête menée en Occitanie en 2021.", True),
        # a literature search's terms say nothing; a sentence that lists things with « ; » says something
        (
            "- Démocratie sanitaire; droits des patients; droits du malade; participation citoyenne; soins primaires",
            False,
        ),
        ("Ils informent ; ils consultent ; ils co-construisent ; ils évaluent ; ils décident ensemble.", True),
    ],
)
def test_a_caption_is_never_quoted_as_a_statement(caption: str, quotable: bool) -> None:
    reader = Reader([chunk(0, caption)])
    assert _may_quote(reader, Evidence(0, 0, 1.0, 0.9, 0.5, 0), SETTINGS) is quotable  # type: ignore[arg-type]


def test_search_terms_are_five_short_terms_or_more() -> None:
    """The mémoire's « Démocratie sanitaire; droits des patients; … » lists a search's terms: not quoted. Four items
    separated by « ; » may be a list a sentence gives (a row, an enumeration): still quotable."""
    five = "Démocratie sanitaire; droits des patients; droits du malade; participation citoyenne; soins primaires"
    four = "Informer les usagers; consulter les usagers; co-construire avec eux; décider ensemble"
    assert not _quotable(five, SETTINGS.quote_min_chars)
    assert _quotable(four, SETTINGS.quote_min_chars)


def test_a_table_cell_written_as_an_item_is_shown_as_one_but_never_said_cut() -> None:
    """A cell of the HAS matrix may start with a dash: shown as an item after its column's name, it is no item of a
    list the document goes on with, so no « […] » follows it."""
    reader = Reader(
        [chunk(0, "- Informer les usagers des modalités de gouvernance.\n- Constituer un comité des usagers.")]
    )
    reader.sentences = [replace(s, label="Les gouvernances") for s in reader.sentences]
    blocks = render_group(reader, [0], 1, PHRASES)  # type: ignore[arg-type]
    assert [(b.kind, b.text) for b in blocks] == [
        (BlockKind.LIST_ITEM, "Les gouvernances : Informer les usagers des modalités de gouvernance.")
    ]


def test_a_table_cell_quoted_in_part_says_what_it_leaves_out() -> None:
    """The matrix's cell « 3- Les actions d'accompagnement — Partenariat » holds four sentences; quoted from its last
    ones, « Recrutement de pairs-aidants. Médiation en santé. » read as the whole cell (a reader counted three such
    cells among the strict fragments of 50 answers). « […] » marks the cell's sentences left out, before or after the
    quoted ones; a cell quoted whole has none, nor does the next cell."""
    texts = [
        "Élaboration d'un programme commun.",
        "Intégration d'un patient ressource.",
        "Recrutement de pairs-aidants.",
    ]
    reader = Reader([chunk(0, "\n".join([*texts, "Constitution d'un groupe de travail."]))])
    cell = "3- Les actions d'accompagnement — Partenariat"
    labels = [cell, cell, cell, "3- Les actions d'accompagnement — Collaboration"]
    reader.sentences = [replace(s, label=label) for s, label in zip(reader.sentences, labels, strict=True)]
    first, second, last, other = reader.sentences_of["has-0"]

    def shown(*sentences: int) -> str:
        return " ".join(b.text for b in render_group(reader, list(sentences), 1, PHRASES))  # type: ignore[arg-type]

    assert shown(last) == f"{cell} : […] {texts[2]}"
    assert shown(first) == f"{cell} : {texts[0]} […]"
    assert shown(first, last) == f"{cell} : {texts[0]} […] {texts[2]}"
    assert shown(first, second, last) == f"{cell} : {' '.join(texts)}"
    assert "[…]" not in shown(other)


def test_a_list_title_is_asked_for_when_the_question_uses_all_its_words_two_at_least_or_asks_for_a_list() -> None:
    """« Pour les institutions publiques » answers « Quel intérêt pour les institutions publiques ? »; « Pour les
    usagers » does not answer « Le conseil pour l'engagement des usagers, il est composé comment ? » (one common
    word), but does « Quels sont les avantages pour les usagers ? », which asks for a list, and « et pour les
    usagers ? », which asks for nothing else."""
    stop = {"pour", "les", "des", "quel", "quels", "sont", "est", "il", "le", "de", "l", "et"}
    generator = ExtractiveGenerator(
        Reader(CORPUS),  # type: ignore[arg-type]
        PHRASES,
        {},
        max_sentences=2,
        margin=0.2,
        authority_bonus=0.015,
        part_gain=0.3,
        analyze=lambda text: [w for w in re.findall(r"\w+", text.lower()) if w not in stop],
    )
    assert generator._asks_about("Quel intérêt pour les institutions publiques ?", False)(
        "Pour les institutions publiques"
    )
    composed = generator._asks_about("Le conseil pour l'engagement des usagers, il est composé comment ?", False)
    assert not composed("Pour les usagers")
    assert generator._asks_about("Quels sont les avantages pour les usagers ?", True)("Pour les usagers")
    assert generator._asks_about("et pour les usagers ?", False)("Pour les usagers"), "it says nothing else"
    assert not generator_for(Reader(CORPUS))._asks_about("Quels contenus ?", True)("Quels contenus ?")


def test_items_left_out_across_two_passages_of_a_source_are_said_once() -> None:
    """The last quoted item of one passage and the first of the next, with items left out between them: one « […] »,
    not one closing the first passage and another opening the second."""
    from assistant.compose import _after

    cut = Block.phrase(BlockKind.LIST_ITEM, PHRASES["list_cut"])
    item = Block(BlockKind.LIST_ITEM, (Span("Améliorer l'adhésion aux soins ;", (1,), SpanSource.CORPUS),))
    assert _after([item, cut], [cut, item]) == [item]
    assert _after([item], [cut, item]) == [cut, item]


def test_each_quote_stands_under_the_lead_of_its_own_source() -> None:
    """Quotes of another document stand under their own « D'après … », so that they do not read as the first
    source's; quotes from another section of the document just named stand under a lead naming that section only."""
    texts = [*TEXTS[:2], "Les associations d'usagers conventionnent avec la CPTS pour une durée d'un an."]
    chunks = [replace(c, section_number=str(n + 1), section_title=f"Partie {n + 1}") for n, c in enumerate(CORPUS)]
    reader = Reader(
        [chunks[0], replace(chunks[1], char_start=300), replace(chunk(2, texts[2], doc="urps"), char_start=900)]
    )
    meeting, opinion = reader.sentences_of["has-0"]
    urps = reader.sentences_of["urps-2"][0]
    generator = ExtractiveGenerator(
        reader,  # type: ignore[arg-type]
        PHRASES,
        {"has": "Guide HAS", "urps": "URPS"},
        max_sentences=3,
        margin=0.2,
        authority_bonus=0.015,
        part_gain=0.3,
        settings=SETTINGS,
    )

    def leads(*sentences: int) -> list[str]:
        evidence = [Evidence(s, reader.position[reader.sentences[s].chunk_id], 1.0 - i / 100, 0.9, 0.5, i)
                    for i, s in enumerate(sentences)]  # fmt: skip
        request = GenerationRequest("?", ["?"], [evidence], [e.chunk for e in evidence], whole=evidence)
        return [b.text for b in generator.generate(request).blocks if b.kind is BlockKind.LEAD]

    assert leads(meeting, urps, opinion) == ["D'après Guide HAS, § 1 « Partie 1 » :", "D'après URPS :"]
    intro = reader.sentences_of["has-1"][0]
    assert leads(meeting, intro, urps) == [
        "D'après Guide HAS, § 1 « Partie 1 » :",
        "§ 2 « Partie 2 » :",
        "D'après URPS :",
    ]


def test_a_demonstrative_points_back_unless_at_the_document_and_a_title_ends_the_chain() -> None:
    """« Ces notes déplorent… » says nothing of which notes: it comes with the sentence that names them; « Ce guide
    propose… » points at the document, not at the sentence before. A chain that reaches a title standing alone stops
    there: « Le diagnostic général », then « Il a vocation… », « Ce diagnostic peut… », « Il permet… »: the title names
    the first sentence, and the three are quoted together."""
    notes = (
        "Deux délégations régionales ont publié des notes sur les CPTS. Ces notes déplorent l'absence des usagers. "
        "Ce guide propose des fiches pour agir."
    )
    diagnosis = (
        "Le diagnostic général\nIl a vocation à couvrir le territoire de la maison de santé. Ce diagnostic peut être "
        "statistique ou qualitatif. Il permet la mobilisation de la population."
    )
    quoted = "« Les libéraux ont du mal à partager. Ils ne veulent pas de contrôle. » (M.B).\nCes avis sont tempérés."
    reader = Reader(
        [chunk(0, notes), replace(chunk(1, diagnosis), char_start=500), replace(chunk(2, quoted), char_start=900)]
    )
    *said, tempered = reader.sentences_of["has-2"]
    # the end of a quotation opened before it is no antecedent alone: the quotation whole is
    assert expand_antecedents(reader, [tempered]) == [*said, tempered]  # type: ignore[arg-type]
    named, deplore, guide = reader.sentences_of["has-0"]
    assert expand_antecedents(reader, [deplore]) == [named, deplore]  # type: ignore[arg-type]
    assert expand_antecedents(reader, [guide]) == [guide]  # type: ignore[arg-type]
    _title, role, kinds, mobilise = reader.sentences_of["has-1"]
    assert expand_antecedents(reader, [mobilise]) == [role, kinds, mobilise]  # type: ignore[arg-type]


def test_a_chain_that_reaches_the_start_of_its_section_stays_unless_it_opens_on_a_pronoun() -> None:
    """« À cet égard, … » after « Cette première étape ne doit pas… », the first sentence of its section: the two are
    quoted (« […] » before them when the section's title does not name the step); a chain that starts its section on
    « Elle … », « Cela … » or « Ces derniers … » names nothing, and adds nothing."""
    text = (
        "Cette première étape ne doit pas dispenser d'agir sur les représentations. À cet égard, plusieurs vecteurs "
        "ont été identifiés par le conseil."
    )
    for title, marked in [("5.3.2. Agir sur les représentations", True), ("5.3.1. Première étape", False)]:
        titled = {"section_path": title, "section_title": title.split(". ", 1)[-1]}
        reader = Reader([replace(chunk(0, text), section_number="5.3.2", char_end=len(text), **titled)])
        step, vectors = reader.sentences_of["has-0"]
        assert expand_antecedents(reader, [vectors]) == [step, vectors]  # type: ignore[arg-type]
        (block,) = render_group(reader, [step, vectors], 1, PHRASES)  # type: ignore[arg-type]
        assert (block.spans[0].text == "[…]") is marked, title
    for opening in ("Elle ne doit pas", "Cela ne doit pas", "Ces derniers ne doivent pas"):
        alone = f"{opening} dispenser d'agir sur les représentations. À cet égard, plusieurs vecteurs existent."
        reader = Reader([replace(chunk(0, alone), section_number="5.3.2", char_end=len(alone))])
        last = reader.sentences_of["has-0"][-1]
        assert expand_antecedents(reader, [last]) == [last], opening  # type: ignore[arg-type]


def test_a_pronoun_points_past_a_sentence_whose_subject_has_another_number() -> None:
    """« Ils peuvent proposer… » was quoted after « Le périmètre doit être… » alone: the representatives it speaks of
    are named one sentence further back. A pronoun that agrees with the sentence before stops there."""
    text = (
        "Les représentants associatifs peuvent participer à la construction du périmètre. Le périmètre doit être ni "
        "trop grand, ni trop petit. Ils peuvent proposer d'ajouter des membres."
    )
    reader = Reader(
        [
            chunk(0, text),
            replace(
                chunk(1, "Les membres du comité se réunissent chaque mois. Ils siègent au bureau de la CPTS."),
                char_start=500,
            ),
        ]
    )
    named, perimeter, propose = reader.sentences_of["has-0"]
    assert expand_antecedents(reader, [propose]) == [named, perimeter, propose]  # type: ignore[arg-type]
    members, sit = reader.sentences_of["has-1"]
    assert expand_antecedents(reader, [sit]) == [members, sit]  # type: ignore[arg-type]
    # with nothing further back, the sentence before is still better than none (« ils » may be its « usagers »)
    alone = Reader(
        [chunk(0, "Le comité des usagers rend un avis sur le projet. Idéalement, ils le consultent souvent.")]
    )
    committee, ideally = alone.sentences_of["has-0"]
    assert expand_antecedents(alone, [ideally]) == [committee, ideally]  # type: ignore[arg-type]


def test_a_pronoun_points_past_a_number_and_an_opening_phrase_back_to_a_line_marked_with_an_arrow() -> None:
    """« Elle vise à valider un modèle… » followed « D'ores et déjà, 13 centres… ont été identifiés. », quoted too: it
    read as the centres' aim. What « Elle » points at is the line before, « → Une expérimentation est en cours… »,
    too long for a title: it is quoted first, without its arrow, as the label of the sentence it leads, not as a
    list's item. A sentence whose singular subject follows an opening phrase agrees with « Elle »: the reading back
    stops there."""
    line = "→ Une expérimentation est en cours sur le financement de structures d'exercice coordonné participatives"
    text = (
        f"{line}\n\nD'ores et déjà, 13 centres de santé et 13 maisons de santé participatifs ont été identifiés. "
        "Elle vise à valider un modèle de gestion équilibrée incluant la participation des usagers."
    )
    agreeing = "Les usagers siègent au comité. En 2022, la commission a été créée. Elle siège chaque mois au bureau."
    reader = Reader([chunk(0, text), replace(chunk(1, agreeing), char_start=500)])
    experiment, centres, aim = reader.sentences_of["has-0"]
    assert expand_antecedents(reader, [centres, aim]) == [centres, experiment, aim]  # type: ignore[arg-type]
    blocks = render_group(reader, [experiment, centres, aim], 1, PHRASES)  # type: ignore[arg-type]
    assert [b.kind for b in blocks] == [BlockKind.PARAGRAPH]
    assert (
        blocks[0].text.startswith(f"« {line.removeprefix('→ ')} » : D'ores et déjà") and "Elle vise" in blocks[0].text
    )
    _, created, sits = reader.sentences_of["has-1"]
    assert expand_antecedents(reader, [sits]) == [created, sits]  # type: ignore[arg-type]


def test_a_line_that_leads_its_paragraph_is_quoted_as_the_label_of_its_first_sentence() -> None:
    """« → Une expérimentation est en cours sur le financement de structures… participatives », the guide's bold lead
    line, was quoted on a line of its own without an end mark: two readers counted it as a sentence cut before its
    end (the only strict fragments of 50 answers). Chosen, it comes with its paragraph's first sentence and labels
    it; across two passages, the copy their overlap holds is the one quoted."""
    statement = (
        "Le partenariat enchaîne le plus souvent ces trois dimensions et vise en plus une co-décision dans "
        "l'initiative et la conduite d'un projet d'action en santé"
    )
    text = f"Les usagers sont informés.\n\n→ {statement}\n\nCela suppose du temps.\n\nLes usagers décident."
    reader = Reader([chunk(0, text)])
    _, lead, first, _ = reader.sentences_of["has-0"]
    assert completed(reader, [lead], lambda title: False, ()) == [lead, first]  # type: ignore[arg-type]
    (block,) = render_group(reader, [lead, first], 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in block.spans] == [f"« {statement} » :", "Cela suppose du temps."]
    start = text.index("→")  # the second passage opens on the line: the overlap of the two
    overlapping = Reader(
        [
            replace(chunk(0, text[: text.index("Cela")]), char_end=text.index("Cela")),
            replace(chunk(1, text[start:]), char_start=start, char_end=len(text)),
        ]
    )
    (_, line), (copy, following, _) = overlapping.sentences_of["has-0"], overlapping.sentences_of["has-1"]
    assert completed(overlapping, [line], lambda title: False, ()) == [copy, following]  # type: ignore[arg-type]


def test_a_line_marked_with_an_arrow_names_the_part_of_its_section_it_heads() -> None:
    """« Le financement de l'expérimentation est assuré par le FISS… » was quoted two paragraphs below « → Une
    expérimentation est en cours sur le financement de structures… participatives (30) », unquoted: which
    experimentation, the answer did not say. The line now names it, without its reference number, as a title names
    what follows it. Not a sentence that moves on (« Par ailleurs, … »), nor the text after the list a line heads
    (« → Du côté des usagers », its items, then « Il est observé… »), nor after a long statement marked so, which says
    something of its own paragraph."""
    from assistant.compose import headed_by

    named = "Une expérimentation est en cours sur le financement de structures d'exercice coordonné participatives"
    line = f"→ {named} (30)"
    text = (
        f"{line}\n\nD'ores et déjà, 13 centres de santé participatifs ont été identifiés.\n\n"
        "Le comité des villes a relevé leur place dans les quartiers.\n\n"
        "Le financement de l'expérimentation est assuré par le FISS.\n\n"
        "Par ailleurs, certains projets de recherche peuvent comporter des financements.\n\n"
        "→ Du côté des usagers\n\n- Ils peuvent revêtir de nombreuses appellations.\n\n"
        "Il est observé qu'une position de tiers facilite la conduite de projet.\n\n"
        "→ Le partenariat enchaîne le plus souvent ces trois dimensions et vise en plus une co-décision dans "
        "l'initiative et la conduite d'un projet d'action en santé\n\nCela suppose du temps.\n\nLes usagers décident."
    )
    reader = Reader([chunk(0, text)])
    _, identified, committee, funding, besides, _, _, third, _, _, decide = reader.sentences_of["has-0"]
    assert headed_by(reader, funding) == headed_by(reader, committee) == named  # type: ignore[arg-type]
    assert headed_by(reader, identified) == ""  # type: ignore[arg-type]  # the line just before: its title
    assert headed_by(reader, funding, quoted={line}) == ""  # type: ignore[arg-type]
    # another sentence under the heading quoted in the answer bears it, once
    assert headed_by(reader, funding, quoted={reader.sentences[committee].text}) == ""  # type: ignore[arg-type]
    assert headed_by(reader, besides) == ""  # type: ignore[arg-type]
    assert headed_by(reader, third) == "" and headed_by(reader, decide) == ""  # type: ignore[arg-type]
    blocks = render_group(reader, [funding], 1, PHRASES)  # type: ignore[arg-type]
    # the paragraphs between the heading and the sentence are left out: « […] » says so (a reader found 8 such skips)
    assert blocks[0].text.startswith(f"« {named} » : […] Le financement de l'expérimentation")
    # a nearer title heads the items of its list (« Mémo »): not the line above it
    memo = Reader(
        [
            chunk(
                0,
                "→ La formation\n\nDe nombreux travaux montrent l'intérêt de former ensemble.\n\nMémo\n\n"
                "- Une fois encore, c'est l'objectif qui détermine le contenu.\n"
                "- Et une fois encore, il vaut mieux former tout le monde ensemble.",
            )
        ]
    )
    *_, last_item = memo.sentences_of["has-0"]
    assert headed_by(memo, last_item) == ""  # type: ignore[arg-type]
    # the line quoted with the sentence it leads: their label, without its reference number, once; what is left out
    # before the financing is marked
    arrow = reader.sentences_of["has-0"][0]
    blocks = render_group(reader, [arrow, identified, funding], 1, PHRASES)  # type: ignore[arg-type]
    assert [b.text for b in blocks] == [
        f"« {named} » : D'ores et déjà, 13 centres de santé participatifs ont été identifiés. […] Le financement de "
        "l'expérimentation est assuré par le FISS."
    ]


def test_a_sentence_adding_to_the_text_before_a_caption_is_not_named_by_the_caption() -> None:
    """« Continuum de l'engagement selon son niveau d'intensité », the caption of a figure the extraction lost, stood
    before « Par ailleurs, la fiche 1… présente les différentes dimensions… »: the dimensions were quoted under the
    continuum's name, for a question about its levels. « Par ailleurs » adds to the text before the caption: that
    sentence is what it goes on from, and the caption names nothing."""
    from assistant.compose import titled_by

    text = (
        "La HAS promeut l'engagement comme un continuum allant de l'information au partenariat.\n\n"
        "Continuum de l'engagement selon son niveau d'intensité\n\n"
        "Par ailleurs, la fiche 1 de ce guide présente les différentes dimensions de l'engagement des usagers.\n\n"
        "Le diagnostic général\n\nIl a vocation à couvrir le ressort territorial de la maison de santé."
    )
    reader = Reader([chunk(0, text)])
    continuum, _, besides, _, vocation = reader.sentences_of["has-0"]
    assert titled_by(reader, besides) == ""  # type: ignore[arg-type]
    assert expand_antecedents(reader, [besides]) == [continuum, besides]  # type: ignore[arg-type]
    assert titled_by(reader, vocation) == "Le diagnostic général"  # type: ignore[arg-type]


def test_a_list_introduction_holding_few_of_the_question_s_words_answers_only_an_enumeration() -> None:
    """Quoted, a list's introduction brings its whole list: for a question asking for no enumeration it must hold
    enough of the question's words; for « Quels thèmes… ? » it is quoted with its items."""
    reader = Reader(CORPUS)
    intro = reader.sentences_of["has-1"][0]
    meeting = reader.sentences_of["has-0"][0]
    evidence = [Evidence(intro, 1, 1.0, 0.9, 0.1, 0), Evidence(meeting, 0, 0.95, 0.9, 0.5, 1)]
    generator = generator_for(reader, max_sentences=2)
    generator.opener_coverage = 0.35

    def quoted(enumeration: bool) -> list[str]:
        request = GenerationRequest("?", ["?"], [evidence], [1, 0], whole=evidence, enumeration=enumeration)
        return [s.text for b in generator.generate(request).blocks if b.kind is not BlockKind.LEAD for s in b.spans]

    assert reader.sentences[intro].text not in quoted(False)
    assert reader.sentences[meeting].text in quoted(False)
    assert reader.sentences[intro].text in quoted(True) and "le secret professionnel" in quoted(True)
    secret = reader.sentences_of["has-1"][2]  # an item that holds the question's words: its introduction is kept
    evidence = [*evidence, Evidence(secret, 1, 0.5, 0.8, 0.6, 0)]
    assert reader.sentences[intro].text in quoted(False)


def test_a_line_marked_with_an_arrow_titles_what_follows_unless_its_list_goes_on_with_arrows() -> None:
    """« → Du côté des professionnels », standing alone before « - Ils peuvent… » items, is the list's title: shown
    once over the quoted items, never taken for an item left out (no « […] » before the first). Lines that all bear
    the same arrow (« ➢ Repérer les ressources locales », « ➢ Partir des besoins ») are a list, not titles."""
    from assistant.compose import render_group

    titled = (
        "Ils assument un rôle dans le projet.\n\n→ Du côté des professionnels\n\n- Ils peuvent être issus de l'équipe "
        "de la maison de santé.\n- Ils peuvent être mandatés par la structure pour animer la démarche."
    )
    arrows = "Quelle méthode adopter ?\n\n➢ Repérer les ressources locales\n\n➢ Partir des besoins des habitants"
    reader = Reader([chunk(0, titled), replace(chunk(1, arrows), char_start=500)])
    first, second = reader.sentences_of["has-0"][-2:]
    blocks = render_group(reader, [first, second], 1, PHRASES)  # type: ignore[arg-type]
    assert (blocks[0].kind, blocks[0].text) == (BlockKind.LEAD, "« Du côté des professionnels » :")
    assert [b.kind for b in blocks[1:]] == [BlockKind.LIST_ITEM] * 2
    assert not any("[…]" in b.text for b in blocks)
    assert sum("Du côté des professionnels" in b.text for b in blocks) == 1
    last = reader.sentences_of["has-1"][-1]
    assert "Repérer" not in " ".join(b.text for b in render_group(reader, [last], 1, PHRASES))  # type: ignore[arg-type]


def test_two_lists_under_two_arrow_titles_are_headed_each_and_the_title_is_no_item() -> None:
    """« → Du côté des professionnels » and its items, then « → Du côté des usagers » and its items: each list under
    its own heading, no title quoted as an item, no « […] » where a list simply ends at the next title."""
    from assistant.compose import render_group

    text = (
        "Ils assument un rôle dans le projet.\n\n→ Du côté des professionnels\n\n- Ils peuvent être issus de l'équipe "
        "de la maison de santé.\n- Ils peuvent être mandatés par la structure pour animer la démarche.\n\n"
        "→ Du côté des usagers\n\n- Recrutés au sein d'un groupe, ils aident à formaliser la parole des usagers.\n"
        "- Ils peuvent revêtir de nombreuses appellations selon les lieux."
    )
    reader = Reader([chunk(0, text)])
    sids = reader.sentences_of["has-0"]
    quoted = [s for s in sids if reader.sentences[s].text.startswith("- ")]
    blocks = render_group(reader, quoted, 1, PHRASES)  # type: ignore[arg-type]
    heads = [b.text for b in blocks if b.kind is BlockKind.LEAD]
    assert heads == ["« Du côté des professionnels » :", "« Du côté des usagers » :"]
    assert [b.kind for b in blocks].count(BlockKind.LIST_ITEM) == 4
    assert not any("[…]" in b.text or "Du côté" in b.text for b in blocks if b.kind is BlockKind.LIST_ITEM)
    expanded = expand_lists(reader, [quoted[-1]], lambda title: True)  # type: ignore[arg-type]
    assert not any(reader.sentences[s].text.startswith("→") for s in expanded)  # the whole list: its items only


def test_a_tables_caption_is_a_title_not_a_line_of_a_list_with_the_header_row() -> None:
    """« Exemples de modalités d'engagement » over a header row that says nothing either: a caption, never
    quoted as if it answered (nor shown as an item of a list)."""
    text = (
        "Les modalités varient selon le niveau d'intensité de l'engagement.\n\n"
        "Exemples de modalités d'engagement\n\n"
        "Consultation — Partenariat\n"
        "1- Les diagnostics — Enquête menée auprès des habitants pour réaliser le diagnostic."
    )
    reader = Reader([chunk(0, text)])
    header = next(i for i, s in enumerate(reader.sentences) if s.text == "Consultation — Partenariat")
    reader.sentences[header] = replace(reader.sentences[header], header=True)
    stats = TermStats(reader, reader.analyzer)
    retriever = HybridRetriever(reader, SETTINGS, stats)  # type: ignore[arg-type]
    question = "Quels exemples de modalités d'engagement pour réaliser le diagnostic ?"
    vector = reader.embed(question)
    evidence = retriever.evidence(retriever.search(question, vector, k=1), vector, stats.weights(question))
    picked = choose_sentences(reader, evidence, 4, 1.0, 0.0)  # type: ignore[arg-type]
    chosen = [reader.sentences[e.sentence].text for e in picked]
    assert "Exemples de modalités d'engagement" not in chosen, chosen
    assert any(t.startswith("1- Les diagnostics") for t in chosen), chosen


def test_a_list_brought_in_for_one_of_its_items_comes_with_what_its_introduction_points_back_at() -> None:
    """An item chosen alone brings its introduction; « Et pourtant, … une opportunité pour : » then brings the
    sentence it answers, or it would read as a non-sequitur."""
    text = (
        "La participation peut inquiéter certains professionnels du projet.\n\n"
        "Et pourtant, l'implication des usagers peut être considérée comme une opportunité pour :\n"
        "- recueillir les besoins en santé du territoire ;\n- améliorer l'efficacité du système de santé."
    )
    reader = Reader([chunk(0, text)])
    item = next(i for i, s in enumerate(reader.sentences) if "recueillir" in s.text)
    generator = generator_for(reader, max_sentences=1, margin=0.2)
    evidence = [Evidence(item, 0, 0.9, 0.9, 0.5, 0)]
    result = generator.generate(GenerationRequest("?", ["?"], [evidence], [0], whole=evidence))
    quoted = [s.text for b in result.blocks if b.kind is not BlockKind.LEAD for s in b.spans]
    assert quoted[:2] == [
        "La participation peut inquiéter certains professionnels du projet.",
        "Et pourtant, l'implication des usagers peut être considérée comme une opportunité pour :",
    ], quoted
    assert "recueillir les besoins en santé du territoire ;" in quoted


def test_a_list_item_opening_on_a_connective_takes_nothing_from_outside_its_list() -> None:
    """« - Enfin, … » follows the items before it: the end of the item before (« On peut conduire… ») is not brought
    in as its antecedent."""
    text = (
        "- Ensuite, il faut choisir un thème. On peut conduire une première approche généraliste.\n"
        "- Enfin, il ne faut pas être trop bavard dans l'affiche."
    )
    reader = Reader([chunk(0, text)])
    last = reader.sentences_of["has-0"][-1]
    assert expand_antecedents(reader, [last]) == [last]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("La CPTS doit-elle forcément être un lieu physique ?", "« forcément »"),
        ("le projet de santé doit-il obligatoirement prévoir un partenariat ?", "« obligatoirement »"),
        ("l'usager est-il obligé de signer ?", "« obligé »"),
        ("une réunion interdisciplinaire, c'est interdit ?", "« interdit »"),
    ],
)
def test_the_nuance_notice_names_the_word_of_the_question_it_nuances(question: str, named: str) -> None:
    reader = Reader(CORPUS)
    premise = reader.sentences_of["has-0"][0]
    evidence = [Evidence(reader.sentences_of["has-2"][0], 2, 0.9, 0.9, 0.5, 0)]
    generator = generator_for(reader, max_sentences=1, margin=0.2)
    request = GenerationRequest(
        question, [question], [evidence], [2], whole=evidence, premise_sentence=premise, premise_explicit=False
    )
    notice = generator.generate(request).blocks[0]
    assert notice.kind is BlockKind.NOTICE
    assert notice.text == f"À noter : les documents de référence nuancent le terme {named} de la question."


@pytest.mark.parametrize(
    ("premise", "checked"),
    [
        ("les usagers sont uniquement des patients", True),
        ("associer la population, et pas uniquement celle que l'on entend le plus", False),
        ("la CPTS réunit non seulement des médecins mais des infirmiers", False),
        ("des patients, mais pas uniquement des malades chroniques", False),
        # an inverted « ne … pas » asserts it
        ("n'est-ce pas uniquement aux médecins de décider du projet de santé", True),
        ("le comité ne réunit-il pas seulement des patients", True),
        ("la CPTS doit forcément être un lieu physique", True),
    ],
)
def test_only_an_absolute_word_not_loosened_by_a_negation_makes_a_premise_to_check(premise: str, checked: bool) -> None:
    """« et pas uniquement celle que l'on entend le plus » got « les documents nuancent le terme « uniquement » de la
    question »: the question says « not only », there is nothing to nuance."""
    assert checks_premise(premise, explicit=False) is checked


def test_the_answer_under_the_notice_does_not_name_the_same_source_twice_in_a_row() -> None:
    """The sentence that nuances the premise and the answer's first quotes come from one section: one lead."""
    text = "Le comité des usagers se réunit chaque trimestre. Il ne rend pas d'avis obligatoire sur le projet."
    reader = Reader([replace(chunk(0, text), section_number="2.1", section_title="Les gouvernances")])
    first, premise = reader.sentences_of["has-0"]
    evidence = [Evidence(first, 0, 0.9, 0.9, 0.5, 0)]
    generator = generator_for(reader, max_sentences=1, margin=0.2)
    request = GenerationRequest("?", ["?"], [evidence], [0], whole=evidence, premise_sentence=premise)
    leads = [b for b in generator.generate(request).blocks if b.kind is BlockKind.LEAD]
    assert len(leads) == 1, leads


def test_an_answer_longer_than_its_bound_leaves_its_last_groups_to_the_sources() -> None:
    """Quotes from three sections, a bound that holds two of them: the third group is left out, and so is its
    source; the first group is given whatever its length."""
    texts = [
        "Le comité des usagers se réunit chaque trimestre pour rendre un avis sur le projet de santé.",
        "La formation des représentants aborde la gouvernance et le secret professionnel.",
        "Le financement des indemnités relève du fonds d'intervention régional de l'agence.",
    ]
    reader = Reader(
        [
            replace(chunk(n, text), section_number=str(n + 1), char_start=1000 * n, char_end=1000 * n + len(text))
            for n, text in enumerate(texts)
        ]
    )
    evidence = [Evidence(reader.sentences_of[f"has-{n}"][0], n, 0.9 - n / 100, 0.9, 0.5, n) for n in range(3)]
    two = sum(len(reader.sentences[e.sentence].text) for e in evidence[:2])

    def cited(max_characters: int) -> list[str]:
        generator = generator_for(reader, max_sentences=3, margin=1.0)
        generator.max_characters = max_characters
        request = GenerationRequest("?", ["?"], [evidence], [0, 1, 2], whole=evidence)
        return [c.chunk_id for c in generator.generate(request).citations]

    assert cited(0) == ["has-0", "has-1", "has-2"]
    assert cited(two) == ["has-0", "has-1"]
    assert cited(1) == ["has-0"], "the first group is always given"


def test_the_length_bound_never_leaves_a_list_s_introduction_without_its_items() -> None:
    """« … en distinguant trois paliers : » ends a passage, its items open the next one: however short the bound, the
    items come with their introduction (an introduction alone says nothing)."""
    intro = "La participation se lit sur une échelle qui distingue trois paliers :"
    items = "- la manipulation ;\n- la coopération symbolique ;\n- le pouvoir effectif des citoyens."
    quoted = _quoted_under_bound(intro, items, len(intro))
    assert quoted == [intro, "la manipulation ;", "la coopération symbolique ;", "le pouvoir effectif des citoyens."]


def _quoted_under_bound(first: str, second: str, bound: int) -> list[str]:
    """What an answer quotes from the first sentence of ``first`` on, ``second`` being the next passage of the same
    section, with at most ``bound`` characters of quoted text."""
    reader = Reader(
        [
            replace(chunk(0, first), section_number="6.3.3", char_end=len(first)),
            replace(chunk(1, second), section_number="6.3.3", char_start=len(first) + 1),
        ]
    )
    evidence = [Evidence(reader.sentences_of["has-0"][0], 0, 0.9, 0.9, 0.5, 0)]
    generator = generator_for(reader, max_sentences=1, margin=1.0)
    generator.max_characters = bound
    result = generator.generate(GenerationRequest("?", ["?"], [evidence], [0, 1], whole=evidence))
    return [s.text for b in result.blocks if b.kind is not BlockKind.LEAD for s in b.spans]


def test_the_length_bound_never_stops_a_quotation_before_its_end_in_the_next_passage() -> None:
    """The guide's « « Dans les secteurs social… / Cet engagement nécessite… » was quoted without « Cet engagement
    conjoint concourt… » », which the next passage holds: the bound dropped it, and the quotation stopped mid-way with
    no « […] ». Its end now comes with it, however short the bound; what follows the end, in that passage, does not."""
    opened = "« L'engagement désigne toute forme d'action. Cet engagement nécessite celui des professionnels."
    closing = "Cet engagement conjoint concourt à un meilleur service. »"
    after = "Dans ce texte, les termes participation et engagement sont employés l'un pour l'autre."
    quoted = _quoted_under_bound(opened, f"{closing} {after}", len(opened))
    assert closing in quoted and after not in quoted, quoted  # the end of the quotation, not what follows it


def test_the_latter_of_works_cited_by_their_numbers_is_not_quoted_when_no_sentence_names_it() -> None:
    """« Cette dernière publication relève… » follows « … de ces professionnels (12, 22). »: ingestion drops the
    reference calls, so the reader could not tell which publication; it is not quoted. Named by its noun before, it
    may be."""
    cited = (
        "De très nombreux articles et les revues de littérature offrent le constat de changements dans les pratiques. "
        "Cette dernière publication relève notamment l'acceptation par les professionnels d'une réorganisation."
    )
    named = (
        "La publication de J. Cachard décrit les changements dans les pratiques des équipes de soins primaires. "
        "Cette dernière publication relève notamment l'acceptation par les professionnels d'une réorganisation."
    )
    for text, quotable in ((cited, False), (named, True)):
        reader = Reader([chunk(0, text)])
        latter = reader.sentences_of["has-0"][1]
        assert _may_quote(reader, Evidence(latter, 0, 0.9, 0.9, 0.5, 0), SETTINGS) is quotable  # type: ignore[arg-type]


def test_a_work_spoken_of_again_by_its_kind_comes_with_the_sentence_that_names_it() -> None:
    """« Le rapport insistait notamment… » was quoted alone: which report, the reader could not tell. The sentence a
    few lines up that names it (« Pourtant le rapport de C. Compagnon… ») is quoted before it, « […] » between them.
    A work named where it is spoken of (« L'article de J. Cachard souligne… ») needs none."""
    text = (
        "Pourtant le rapport de C. Compagnon, Pour l'An II de la démocratie sanitaire, avait ouvert des pistes. "
        "En effet, la première recommandation était d'instaurer un mécanisme de concertation. "
        "La perspective de cette recommandation était d'associer les usagers. "
        "Le rapport insistait notamment sur l'intégration des usagers dans les dispositifs territoriaux. "
        "L'article de J. Cachard souligne que certains professionnels craignent la participation des usagers."
    )
    reader = Reader([chunk(0, text, kind="study", doc="memoire")])
    named, _, _, again, article = reader.sentences_of["memoire-0"]
    assert expand_antecedents(reader, [again]) == [named, again]  # type: ignore[arg-type]
    assert _elided_before(reader, again, {reader.sentences[named].text}, True, SETTINGS)  # type: ignore[arg-type]
    assert expand_antecedents(reader, [article]) == [article]  # type: ignore[arg-type]


def test_a_list_carried_over_two_passages_is_one_list_when_the_first_ends_on_an_items_second_sentence() -> None:
    """The first passage ends on the second sentence of an item's line, the next opens on the next item: one list,
    under one heading, not two."""
    from assistant.compose import _list_runs

    first = "Les éléments sont les suivants :\n- Ensuite, choisir un thème. On peut rester généraliste."
    reader = Reader(
        [
            replace(chunk(0, first), section_number="6.13", char_end=len(first)),
            replace(chunk(1, "- Enfin, rester bref dans l'affiche."), section_number="6.13", char_start=len(first) + 1),
        ]
    )
    groups = [(0, reader.sentences_of["has-0"][1:]), (1, reader.sentences_of["has-1"])]
    assert len(_list_runs(reader, groups, SETTINGS)) == 1  # type: ignore[arg-type]


def test_a_study_s_author_speaking_of_her_work_is_quoted_only_for_a_question_about_the_study() -> None:
    """« J'ai ensuite eu pour rôle d'animer des réunions. » is the internship report of the study, not what it found:
    a practical question gets the finding instead; a question about the study (« le mémoire », « le stage ») gets the
    account; the interviewees' words (« … je pense … ») are what they said, not the author's account."""
    text = (
        "J'ai ensuite eu pour rôle d'animer des réunions de présentation. "
        "Les réunions de présentation ont permis aux professionnels de rencontrer les usagers. "
        "« Je pense que les réunions sont utiles », dit un médecin."
    )
    reader = Reader([chunk(0, text, kind="study", doc="memoire")])
    author, finding, interview = reader.sentences_of["memoire-0"]
    generator = generator_for(reader, max_sentences=1, margin=1.0)

    def first(question: str) -> str:
        evidence = [Evidence(s, 0, 1.0 - i / 10, 0.9, 0.5, 0) for i, s in enumerate([author, finding, interview])]
        result = generator.generate(GenerationRequest(question, [question], [evidence], [0], whole=evidence))
        return next(s.text for b in result.blocks if b.kind is not BlockKind.LEAD for s in b.spans)

    assert first("À quoi servent les réunions de présentation ?") == reader.sentences[finding].text
    assert first("Qu'a fait l'autrice pendant son stage ?") == reader.sentences[author].text
    assert not author_speaks(reader.sentences[interview].text, "study")
    assert not author_speaks(reader.sentences[author].text, "fiche mission")  # « Je… » addresses a representative
    assert study_asked("le mémoire en dit quoi ?") and not study_asked("Comment animer une réunion ?")
    assert study_asked("Comment ont été menés les entretiens ?")
    # the asker's own study, or a kind of study one carries out: the mémoire's method (Zoom, a dictaphone) was quoted
    # as « les outils pour réaliser votre étude d'opportunité »
    assert not study_asked("Quels outils pour réaliser votre étude d'opportunité ?")
    assert not study_asked("Comment mener notre enquête auprès des habitants ?")
    assert not study_asked("À quoi sert une étude de faisabilité ?")


def test_what_a_study_concludes_is_quoted_before_what_one_interviewee_told_it() -> None:
    """« La place du patient, elle est moindre… » (M. E) is one person's words, the study's data: a sentence where
    the study says what it found comes first though it scores a little lower; the interviewee is quoted when nothing
    else is left, or for a question about the study's interviews. A guide quoting someone is not a study, nor is the
    study's own sentence that borrows a few words of an interviewee."""
    verbatim = "« La place du patient, elle est moindre, c'est culturel dans le corps médical. » (M. E)"
    finding = "Les professionnels interrogés estiment que la place du patient reste faible dans les projets."
    slogan = "« Rien sur nous sans nous » (Mme A)"  # the tag, in a guide
    borrowed = "D'autres voient les élus comme des « défenseurs des usagers » (M. E)."
    reader = Reader(
        [
            chunk(0, f"{finding} {borrowed} {verbatim}", kind="study", doc="memoire"),
            chunk(1, slogan, kind="guide", doc="has"),
        ]
    )
    found, synthesis, spoken = reader.sentences_of["memoire-0"]
    quoted_by_guide = reader.sentences_of["has-1"][0]
    generator = generator_for(reader, max_sentences=1, margin=1.0)
    generator.spoken_penalty = SETTINGS.evidence_spoken_penalty

    def first(question: str, ranked: list[int]) -> str:
        evidence = [Evidence(s, 0, 0.95 - i / 100, 0.9, 0.5, 0) for i, s in enumerate(ranked)]
        result = generator.generate(GenerationRequest(question, [question], [evidence], [0], whole=evidence))
        return next(s.text for b in result.blocks if b.kind is not BlockKind.LEAD for s in b.spans)

    assert interviewee_speaks(reader, spoken) and not interviewee_speaks(reader, found)
    assert not interviewee_speaks(reader, quoted_by_guide) and not interviewee_speaks(reader, synthesis)
    assert first("Quelle est la place du patient ?", [spoken, found]) == finding
    assert first("Quelle est la place du patient ?", [spoken]).startswith("« La place du patient")
    assert first("Qu'ont dit les personnes interrogées en entretien ?", [spoken, found]).startswith("« La")


def test_the_sections_where_a_study_describes_itself_answer_only_questions_about_the_study() -> None:
    """The thesis's internship report (« Partie 1 - Présentation du stage ») and its method (« 2. Méthode ») tell how
    the study was made: « Quelles sont les missions d'une CPTS ? » gets what the study found, not « Ma mission
    principale durant ce stage… » nor how the interviews went; a question about the study still gets them."""
    internship, method = "Présentation du stage > 2. Présentation des missions de stage", "Mémoire > 2. Méthode"
    texts = [
        (internship, "Les missions du stage ont été de soutenir la rédaction du projet de santé de la CPTS."),
        (method, "Les missions des CPTS ont été abordées dans sept entretiens menés par visioconférence."),
        ("Mémoire > 1.2. Les CPTS", "Les missions des CPTS sont l'accès aux soins et les parcours."),
    ]
    reader = Reader(
        [
            replace(chunk(i, text, kind="study", doc="memoire"), section_path=path)
            for i, (path, text) in enumerate(texts)
        ]
    )
    sids = [reader.sentences_of[f"memoire-{i}"][0] for i in range(3)]
    generator = generator_for(reader, max_sentences=1, margin=1.0)

    def first(question: str) -> str:
        evidence = [Evidence(s, i, 1.0 - i / 10, 0.9, 0.5, i) for i, s in enumerate(sids)]
        result = generator.generate(GenerationRequest(question, [question], [evidence], [0, 1, 2], whole=evidence))
        return next(s.text for b in result.blocks if b.kind is not BlockKind.LEAD for s in b.spans)

    assert first("Quelles sont les missions d'une CPTS ?") == texts[2][1]
    assert first("Quelles étaient les missions du stage du mémoire ?") == texts[0][1]
    assert study_apparatus("Partie 2 - Mémoire > 4. Discussion > 4.1. De la méthode > 4.1.3. Le nombre", "study")
    assert not study_apparatus("Partie 2 - Mémoire > 3. Résultats > 3.2. Perception des usagers", "study")
    assert not study_apparatus("7. Pour passer à l'action > 7.3. Méthodes et outils", "guide")  # a guide's methods


def test_a_demonstrative_in_the_subject_s_complement_points_back() -> None:
    """« Le but de cette réunion était… » says which meeting no more than « Cette réunion… »: it comes with the sentence
    that names it; « Le rôle de ce guide… » points at the document."""
    text = (
        "La première réunion était la réunion de présentation de la CPTS. Le but de cette réunion était de recenser "
        "les besoins. Le rôle de ce guide est de proposer des pistes."
    )
    reader = Reader([chunk(0, text)])
    named, aim, guide = reader.sentences_of["has-0"]
    assert expand_antecedents(reader, [aim]) == [named, aim]  # type: ignore[arg-type]
    assert expand_antecedents(reader, [guide]) == [guide]  # type: ignore[arg-type]


def test_a_possessive_in_an_item_or_a_line_without_end_mark_does_not_point_back() -> None:
    """« - Proposer leurs propres données… » is an item whose list's introduction names its owners; a line without an
    end mark is a title or an item too; « Réfléchir à la façon dont leur voix… » names them nowhere."""
    text = (
        "Les usagers sont invités au diagnostic.\n- Proposer leurs propres données aux professionnels.\n"
        "Défendre leur projet commun\nRéfléchir à la façon dont leur voix peut être portée paraît essentiel."
    )
    reader = Reader([chunk(0, text)])
    _, item, line, sentence = reader.sentences_of["has-0"]
    assert not points_back_within(reader, item)  # type: ignore[arg-type]
    assert not points_back_within(reader, line)  # type: ignore[arg-type]
    assert points_back_within(reader, sentence)  # type: ignore[arg-type]


def test_the_pronoun_y_points_back_unless_the_sentence_names_what_it_stands_for() -> None:
    """« Trois engagements y sont soulignés : » was quoted after « […] », « y » standing for the plan named in the
    sentence left out: it comes with the sentence before. « … contraint à la signature, soit personne n'y est
    contraint », « il y a » and « il peut y en avoir » point at nothing before them."""
    text = (
        "Cette politique a été reprise dans le plan national. Trois engagements y sont soulignés. "
        "Soit tout le monde est contraint à la signature, soit personne n'y est contraint. "
        "Il y a trois collèges dans le conseil d'administration de la structure. Il peut y en avoir plusieurs."
    )
    reader = Reader([chunk(0, text)])
    plan, there, signature, colleges, several = reader.sentences_of["has-0"]
    assert points_back_within(reader, there)  # type: ignore[arg-type]
    assert expand_antecedents(reader, [there]) == [plan, there]  # type: ignore[arg-type]
    assert not any(points_back_within(reader, s) for s in (signature, colleges, several))  # type: ignore[arg-type]


def test_what_goes_on_about_a_definition_is_read_on_with_it() -> None:
    """« Qu'est-ce que la méthode du patient traceur ? » quoted « Le patient traceur est une démarche d'analyse… » and
    not « La démarche s'adresse aux professionnels… » nor « L'objectif de cette démarche… », which say whom it is for
    and what it aims at: a sentence whose subject is a noun the sentence before named goes on about it."""
    text = (
        "Le patient traceur est une démarche d'analyse collective du parcours d'un patient. La démarche s'adresse aux "
        "professionnels de santé. L'objectif de cette démarche est d'améliorer la qualité des soins. La santé publique "
        "progresse."
    )
    reader = Reader([chunk(0, text)])
    first, audience, aim, other = reader.sentences_of["has-0"]
    assert goes_on_about(reader, first, audience)  # type: ignore[arg-type]
    assert goes_on_about(reader, audience, aim)  # type: ignore[arg-type]
    assert not goes_on_about(reader, aim, other)  # type: ignore[arg-type]
    # the subject must be a noun the definition names, not one a sentence after it names; no title, no « Le » of
    # « Lecture »
    said = (
        "Le patient traceur est une démarche. Elle réunit des professionnels. Les professionnels sont volontaires.\n"
        "→ La démarche qualité\nLecture de la démarche : une fois par an."
    )
    more = Reader([chunk(0, said)])
    defined, gathers, volunteers, title, reading = more.sentences_of["has-0"]
    assert goes_on_about(more, defined, gathers)  # type: ignore[arg-type]
    assert not goes_on_about(more, defined, volunteers)  # type: ignore[arg-type]
    assert not goes_on_about(more, defined, title)  # type: ignore[arg-type]
    assert not goes_on_about(more, defined, reading)  # type: ignore[arg-type]


def test_a_sentence_whose_start_the_document_lost_is_marked_cut_even_after_the_sentence_before() -> None:
    """« … du territoire concerné. représentant·e·s des usager·ère·s, focus groupes… sont autant de méthodes » was
    quoted as one sentence, the second reading on mid-way (a PDF dropped a line): it is a sentence of its own, and
    « […] » says its first words are missing, even right after the sentence before it."""
    reader = Reader(
        [
            chunk(
                0,
                "La participation doit dépendre du territoire concerné. représentants des usagers, focus groupes et "
                "réunions de quartier sont autant de méthodes citées.",
            )
        ]
    )
    sentences = reader.sentences_of["has-0"]
    (block,) = render_group(reader, sentences, 1, PHRASES)  # type: ignore[arg-type]
    assert [s.text for s in block.spans] == [
        "La participation doit dépendre du territoire concerné.",
        "[…]",
        "représentants des usagers, focus groupes et réunions de quartier sont autant de méthodes citées.",
    ]
    # a line that opens in lower case lost nothing: an item without bullet after its introduction, « cf. … »
    listed = Reader([chunk(0, "Le représentant peut notamment :\nparticiper au diagnostic du territoire de la CPTS.")])
    (items,) = render_group(listed, listed.sentences_of["has-0"], 1, PHRASES)  # type: ignore[arg-type]
    assert "[…]" not in [s.text for s in items.spans]


def test_a_link_s_line_stands_on_its_own_not_run_into_the_sentence_before() -> None:
    """« … 1 axe portant sur l'implication des patients. Haute Autorité de Santé - Matrice de maturité… (https://…) »
    read a link's text as the next sentence of the prose (a reader's fragment): the link's line is a paragraph of its
    own. A sentence that ends with an address and a period is prose."""
    link = (
        "Haute Autorité de Santé - Matrice de maturité en soins primaires : présentation du référentiel "
        "(has-sante.fr) (https://www.has-sante.fr/jcms/c_1)"
    )
    text = f"Le référentiel est structuré autour de quatre axes dont un sur l'implication des patients.\n{link}"
    reader = Reader([chunk(0, text)])
    blocks = render_group(reader, reader.sentences_of["has-0"], 1, PHRASES)  # type: ignore[arg-type]
    assert [[s.text for s in b.spans] for b in blocks][-1] == [link]
    prose = f"{text[: text.index(chr(10))]}\nLe guide se trouve sur https://www.has-sante.fr/jcms/c_1."
    ran = Reader([chunk(0, prose)])
    (block,) = render_group(ran, ran.sentences_of["has-0"], 1, PHRASES)  # type: ignore[arg-type]
    assert len(block.spans) == 2


def test_the_line_under_a_resource_s_entry_goes_on_in_its_item() -> None:
    """« - Rien que pour nous, sans nous : 40 ans de mobilisation communautaire contre le sida [ouvrage] » was quoted as
    an item and « Hélène Rossert, Coalition PLUS, 2022. » as a paragraph of its own after it (a reader's fragment): in a
    list of resources, the line right under an entry's line is the entry's credit or description, part of the item.
    Prose under a list, or after a blank line, is not."""
    from ingest.roles import PassageRole

    entry = "- Rien que pour nous, sans nous : 40 ans de mobilisation communautaire contre le sida [ouvrage]"
    credit = "Hélène Rossert, Coalition PLUS, 2022."
    listed = Reader([replace(chunk(0, f"{entry}\n{credit}"), role=PassageRole.RESOURCES)])
    blocks = render_group(listed, listed.sentences_of["has-0"], 1, PHRASES)  # type: ignore[arg-type]
    assert [b.kind for b in blocks] == [BlockKind.LIST_ITEM]
    assert [s.text for s in blocks[0].spans] == [entry.removeprefix("- "), credit]
    for text, role in ((f"{entry}\n{credit}", PassageRole.BODY), (f"{entry}\n\n{credit}", PassageRole.RESOURCES)):
        apart = Reader([replace(chunk(0, text), role=role)])
        blocks = render_group(apart, apart.sentences_of["has-0"], 1, PHRASES)  # type: ignore[arg-type]
        assert [b.kind for b in blocks] == [BlockKind.LIST_ITEM, BlockKind.PARAGRAPH], role
