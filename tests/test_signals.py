"""Preferences of a question beyond its words, on a tiny hand-made corpus (no index, no model)."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from assistant.answer import Role
from assistant.signals import CorpusSignals
from ingest.models import Chunk
from ingest.roles import PassageRole
from ingest.settings import Settings

pytestmark = pytest.mark.fast

SETTINGS = Settings()
TABLE = (
    "Comment recruter des usagers ? Qui recruter ? Fiche ressource n° 5 « Représentativité » "
    "Fiche ressource n° 13 « Affiche »\n"
    "Faisons-nous une charte ? Que mettre dedans ? Fiche ressource n° 14 « Charte »"
)


def chunk(
    n: int, doc: str, text: str, fiche: int = 0, section: str = "", role: PassageRole = PassageRole.BODY
) -> Chunk:
    return Chunk(
        f"{doc}-{n}",
        doc,
        f"{doc}.txt",
        doc,
        "",
        "guide",
        1,
        section,
        section,
        section,
        fiche,
        "",
        0,
        0,
        "",
        0,
        len(text),
        text,
        text,
        n,
        role,
    )


CHUNKS = [
    chunk(0, "has", "Les maisons de santé et les centres de santé associent les usagers.", 5, "6.5"),
    chunk(1, "has", TABLE, 0, "7.1", PassageRole.RESOURCES),
    chunk(2, "has", "Une charte de l'engagement précise les règles communes.", 14, "6.14"),
    chunk(3, "urps", "La CPTS identifie les associations d'usagers du territoire."),
    chunk(4, "urps", "Le bureau se réunit chaque mois."),
]


def vector(text: str) -> np.ndarray:
    """A toy embedding: recruitment, charter and other questions point three different ways."""
    folded = text.lower()
    v = np.array([("recrut" in folded) * 1.0, ("charte" in folded) * 1.0, 0.3])
    return v / np.linalg.norm(v)


def words(text: str) -> dict[str, float]:
    return {w: 1.0 for w in text.lower().replace("?", " ").split()}


@pytest.fixture(scope="module")
def signals() -> CorpusSignals:
    return CorpusSignals.build(SimpleNamespace(chunks=CHUNKS), vector, words, SETTINGS)


def test_a_document_about_one_structure_is_about_it_in_every_passage(signals: CorpusSignals) -> None:
    assert signals.structures[3] == {"cpts"}
    assert signals.structures[4] == {"cpts"}, "named by its document, not by the passage"
    assert signals.structures[0] == {"msp", "centre"}


def test_the_question_table_sends_a_question_to_its_fiches(signals: CorpusSignals) -> None:
    prefs = signals.prefer("Comment recruter des représentants ?", vector("recrut"), {"recruter"}, None, SETTINGS)
    assert prefs.table_fiches == (5, 13)
    unrelated = signals.prefer("Quel budget ?", vector("budget"), {"budget"}, None, SETTINGS)
    assert unrelated.table_fiches == ()


def test_the_answer_names_the_table_row_only_when_the_question_uses_its_words(signals: CorpusSignals) -> None:
    """Close in meaning is enough to rank a row's fiches, not to tell the asker that the guide sends their
    question there: that needs two of the row's own words."""
    row_words = {"comment", "recruter", "des", "usagers"}
    said = signals.prefer("Comment recruter des usagers ?", vector("recrut"), row_words, None, SETTINGS)
    meant = signals.prefer("Qui recruter ?", vector("recrut"), {"qui", "recruter"}, None, SETTINGS)
    assert said.table_fiches == meant.table_fiches == (5, 13)
    assert said.table_named and not meant.table_named


@pytest.mark.parametrize(
    ("question", "start"),
    [
        ("Par où commencer pour impliquer des usagers ?", True),
        ("On veut se lancer, par quoi on commence ?", True),
        ("Comment démarrer une démarche participative ?", True),
        ("Quelles sont les premières étapes ?", True),
        ("Que faut-il faire en premier pour associer les usagers ?", True),
        ("Quand commence le service sanitaire ?", False),
        ("Comment recruter des usagers ?", False),
        ("Comment commencer à évaluer notre démarche participative ?", False),  # a task of its own
        ("Par où commencer pour trouver des financements ?", False),
        ("Comment lancer une enquête de satisfaction ?", False),
        ("Les premières étapes de la loi de 2002 ?", False),  # the first steps of something
    ],
)
def test_a_question_asking_where_to_start_is_told_apart(signals: CorpusSignals, question: str, start: bool) -> None:
    """Where to start is what the guide's table « Par où commencer ? » answers as a whole: the answer ends on it."""
    assert signals.prefer(question, vector("x"), set(), None, SETTINGS).asks_start is start


def test_a_question_closest_to_a_row_without_fiche_is_sent_to_no_fiche() -> None:
    """« Évaluer la démarche : comment ? » is closest to the guide's row « Comment évaluer l'action ? », which
    names no fiche: it is not sent to the fiches of the next closest row (« Comment recruter… »)."""
    rows = (
        "Questions : Comment recruter des usagers ? — Fiches : Fiche ressource n° 5 « Représentativité »\n"
        "Questions : Faisons-nous une charte ? — Fiches : Fiche ressource n° 14 « Charte »\n"
        "Questions : Comment évaluer l'action ? — Autres ressources : Guide pratique, 2015"
    )

    def embed(text: str) -> np.ndarray:  # recruitment, evaluation, charter, and what all questions share
        folded = text.lower()
        v = np.array([("recrut" in folded) * 0.6, ("évalu" in folded) * 1.0, ("charte" in folded) * 1.0, 0.3])
        return v / np.linalg.norm(v)

    table = [chunk(0, "has", rows, 0, "7.1", PassageRole.RESOURCES)]
    settings = Settings(question_table_min=0.5)
    question = "Comment évaluer notre recrutement ?"
    with_row = CorpusSignals.build(SimpleNamespace(chunks=table), embed, words, settings)
    assert with_row.prefer(question, embed(question), set(), None, settings).table_fiches == ()
    said = with_row.prefer(question, embed(question), set(words("Comment évaluer l'action ?")), None, settings)
    assert (said.table_fiches, said.table_named, said.table_question) == ((), False, ""), "no fiche to point to"
    fewer = [chunk(0, "has", "\n".join(rows.split("\n")[:2]), 0, "7.1", PassageRole.RESOURCES)]
    without = CorpusSignals.build(SimpleNamespace(chunks=fewer), embed, words, settings)
    assert without.prefer(question, embed(question), set(), None, settings).table_fiches == (5,)


def test_the_passage_holding_a_table_row_is_found_to_cite_it(signals: CorpusSignals) -> None:
    reader = SimpleNamespace(chunks=CHUNKS, chunks_where=lambda **_: [0, 1, 2])
    question = signals.links[0].question
    assert signals.table_passage(reader, "Comment recruter des usagers ?", question) == 1
    assert signals.table_passage(reader, "Comment recruter des usagers ?", "Une question hors du tableau ?") is None


def test_passages_about_another_structure_only_are_lowered(signals: CorpusSignals) -> None:
    prefs = signals.prefer("Comment faire dans notre MSP ?", vector("msp"), set(), None, SETTINGS)
    assert prefs.structures == {"msp"}
    same, _ = signals.factor(0, 5, prefs, SETTINGS)
    other, _ = signals.factor(3, 0, prefs, SETTINGS)
    assert same == 1.0 > other
    assert signals.other_structure(3, prefs) and not signals.other_structure(0, prefs)


def test_passages_of_another_document_than_the_one_named_are_lowered(signals: CorpusSignals) -> None:
    """« Que dit l'URPS… ? » (the document it names, when it speaks of the topic: ``Preferences.documents``): the
    other documents' passages come after; a question naming none leaves every document as it is."""
    plain = signals.prefer("Comment associer les usagers ?", vector("x"), set(), None, SETTINGS)
    named = replace(plain, documents=("urps",))
    assert signals.factor(0, 5, named, SETTINGS)[0] < 1.0 == signals.factor(3, 0, named, SETTINGS)[0]
    assert signals.other_document(0, named) and not signals.other_document(3, named)
    assert not signals.other_document(0, plain) and signals.factor(0, 5, plain, SETTINGS)[0] == 1.0


def test_back_matter_is_lowered_unless_the_question_asks_for_resources(signals: CorpusSignals) -> None:
    plain = signals.prefer("Pourquoi associer les usagers ?", vector("x"), set(), None, SETTINGS)
    asks = signals.prefer("Quels outils ou guides pour associer les usagers ?", vector("x"), set(), None, SETTINGS)
    assert asks.asks_resources and not plain.asks_resources
    trainings = signals.prefer("Quelles formations pour les représentants ?", vector("x"), set(), None, SETTINGS)
    compound = signals.prefer(
        "Une co-formation apporte-t-elle des savoirs nouveaux ?", vector("x"), set(), None, SETTINGS
    )
    assert trainings.asks_resources and not compound.asks_resources  # a way of working, not a training to find
    assert signals.factor(1, 0, plain, SETTINGS)[0] < 1.0
    assert signals.factor(1, 0, asks, SETTINGS)[0] == 1.0


def test_the_asker_may_say_who_they_are(signals: CorpusSignals) -> None:
    said = signals.prefer("Je suis représentant des usagers, que puis-je faire ?", vector("x"), set(), None, SETTINGS)
    chosen = signals.prefer("Que puis-je faire ?", vector("x"), set(), Role.PROFESSIONNEL, SETTINGS)
    assert said.audience is Role.REPRESENTANT
    assert chosen.audience is Role.PROFESSIONNEL


def test_a_question_asking_for_an_enumeration_is_told_apart(signals: CorpusSignals) -> None:
    for asks in (
        "Quelles sont les missions de l'IREPS ?",
        "des exemples de thèmes d'affiche ?",
        "c koi les differents niveaux ?",
        "c'est quoi les avantages pour les usagers d'impliquer les usagers dans une MSP ?",  # things of a kind
    ):
        assert signals.prefer(asks, vector("x"), set(), None, SETTINGS).asks_list, asks
    for plain in ("Pourquoi associer les usagers ?", "Comment recruter un représentant ?", "C'est quoi les CPTS ?"):
        assert not signals.prefer(plain, vector("x"), set(), None, SETTINGS).asks_list, plain


def test_a_question_asking_how_to_reach_someone_asks_for_resources(signals: CorpusSignals) -> None:
    """The documents give an address in a line of links (« Contact : occitanie@… »): asked for a telephone number or
    an e-mail, that line is what comes closest, not a notice that no contact is given while one is."""
    asking = (
        "C'est quoi le numéro de téléphone de France Assos Santé ?",
        "Quel est le mail de la délégation ?",
        "Comment contacter France Assos Santé Occitanie ?",
        "Comment joindre la délégation régionale ?",
    )
    for question in asking:
        assert signals.prefer(question, vector("x"), set(), None, SETTINGS).asks_resources, question
    for question in (
        "La réunion peut-elle se faire par téléphone ?",
        "Les usagers peuvent-ils se joindre aux réunions ?",
    ):
        assert not signals.prefer(question, vector("x"), set(), None, SETTINGS).asks_resources, question
