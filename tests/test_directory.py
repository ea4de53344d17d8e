"""The guide's directory of support structures read as entries, and the questions about one of them."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from assistant.directory import Directory, entry_names
from ingest.chunking import split_sentences
from ingest.lexical import FrenchAnalyzer
from ingest.models import Chunk, Sentence
from ingest.roles import PassageRole
from ingest.settings import Settings

pytestmark = pytest.mark.fast

DIRECTORY = (
    "AVECsanté\n\n"
    "Association 1901, le mouvement AVECsanté fédère les équipes de soins primaires.\n\n"
    "Les structures régionales d'appui (SRA)\n\n"
    "Chaque SRA est fédérée au sein de la FORAP. Elle accompagne les professionnels dans leur démarche qualité.\n\n"
    "Pour trouver la SRA de votre région, aller sur : FORAP\n\n"
    "Les IREPS\n\n"
    "Les IREPS sont des associations. Elles exercent plusieurs missions : le conseil méthodologique, l'évaluation.\n\n"
    "Les pôles régionaux de référence en éducation thérapeutique du patient (ETP)\n\n"
    "Ce sont des plateformes régionales d'appui à l'éducation thérapeutique."
)
BODY = "Les IREPS\n\nLes IREPS peuvent animer des formations à la carte dans votre structure."


def chunk(n: int, text: str, role: PassageRole, section: str) -> Chunk:
    return Chunk(
        chunk_id=f"has-{n}", doc_id="has", file="has.txt", doc_title="HAS", publisher="", kind="guide", authority=1,
        section_path=section, section_number=section, section_title=section, fiche=0, fiche_title="", page=0,
        page_end=0, page_source="", char_start=0, char_end=len(text), text=text, embed_text=text, role=role,
    )  # fmt: skip


def _directory(chunks: list[Chunk]) -> Directory:
    sentences = [Sentence(c.chunk_id, s, e, c.text[s:e]) for c in chunks for s, e in split_sentences(c.text)]
    sentences_of: dict[str, list[int]] = {}
    for i, sentence in enumerate(sentences):
        sentences_of.setdefault(sentence.chunk_id, []).append(i)
    reader = SimpleNamespace(chunks=chunks, sentences=sentences, sentences_of=sentences_of)
    return Directory.build(reader, FrenchAnalyzer().terms, 2, Settings().quote_title_max)


@pytest.fixture(scope="module")
def directory() -> Directory:
    return _directory([chunk(0, BODY, PassageRole.BODY, "6.7"), chunk(1, DIRECTORY, PassageRole.RESOURCES, "7.2")])


def test_each_title_alone_in_the_back_matter_opens_an_entry_that_runs_to_the_next(directory: Directory) -> None:
    """Four entries, each with the sentences under its title; a line without end mark before the next title (« Pour
    trouver… : FORAP ») belongs to the entry above it; the body's « Les IREPS » (fiche 7) is no directory."""
    assert [e.title for e in directory.entries] == [
        "AVECsanté",
        "Les structures régionales d'appui (SRA)",
        "Les IREPS",
        "Les pôles régionaux de référence en éducation thérapeutique du patient (ETP)",
    ]
    sra = directory.entries[1]
    assert len(sra.sentences) == 3 and all(s >= 2 for s in sra.sentences)  # none of the body passage's


def test_a_sentence_two_overlapping_passages_share_is_read_once() -> None:
    """The index cuts a section into passages that overlap: the second one opens again on the lines that end the
    first (« Pour trouver la SRA… », « Les IREPS »). Read twice, « Pour trouver la SRA… » would be given to the
    IREPS, whose title the first passage ends on."""
    end, again = DIRECTORY.index("Les pôles"), DIRECTORY.index("Pour trouver")
    first = chunk(1, DIRECTORY[:end], PassageRole.RESOURCES, "7.2")
    second = replace(chunk(2, DIRECTORY[again:], PassageRole.RESOURCES, "7.2"), char_start=again)
    directory = _directory([first, second])
    assert [e.title for e in directory.entries] == [
        "AVECsanté",
        "Les structures régionales d'appui (SRA)",
        "Les IREPS",
        "Les pôles régionaux de référence en éducation thérapeutique du patient (ETP)",
    ]
    texts = {e.title: [directory_text(first, second, s) for s in e.sentences] for e in directory.entries}
    assert texts["Les IREPS"] == [
        "Les IREPS sont des associations.",
        "Elles exercent plusieurs missions : le conseil méthodologique, l'évaluation.",
    ]
    assert len(texts["Les structures régionales d'appui (SRA)"]) == 3


def directory_text(first: Chunk, second: Chunk, sid: int) -> str:
    sentences = [Sentence(c.chunk_id, s, e, c.text[s:e]) for c in (first, second) for s, e in split_sentences(c.text)]
    return sentences[sid].text.strip()


def test_an_entry_is_called_by_its_name_and_by_the_acronym_that_spells_it() -> None:
    assert entry_names("Les structures régionales d'appui (SRA)") == ("structures régionales d'appui", "SRA")
    # its « délégations régionales » are not the only ones: « … des délégations régionales de l'ARS ? »
    assert entry_names("France Assos Santé et ses délégations régionales") == (
        "France Assos Santé et ses délégations régionales",
        "France Assos Santé",
    )
    assert entry_names("Leviers pour agir") == ("Leviers pour agir",)  # an article only as a word of its own
    assert entry_names("L'Union régionale (URAASS)") == ("Union régionale",)  # « URAASS » spells no « ur »
    # « ETP » spells the education, not the pôles: « Qu'est-ce que l'ETP ? » is not about them
    assert entry_names("Les pôles régionaux de référence en éducation thérapeutique du patient (ETP)") == (
        "pôles régionaux de référence en éducation thérapeutique du patient",
    )


SRA = "Les structures régionales d'appui (SRA)"


@pytest.mark.parametrize(
    ("questions", "titles"),
    [
        (["Quelles sont les missions de l'IREPS ?"], ["Les IREPS"]),
        (["Qu'est-ce qu'une Structure Régionale d'Appui ?"], [SRA]),
        (["c'est quoi une SRA"], [SRA]),
        (["Qu'est-ce que l'IREPS et la SRA ?"], [SRA, "Les IREPS"]),
        (["Qu'est-ce que l'ETP ?"], []),
        (["Qui sra là ?"], []),  # not the acronym: lower case
        # about something else, the IREPS named on the way
        (["Comment les IREPS aident-elles une maison de santé à construire un diagnostic avec les usagers ?"], []),
        # a question in parts: one of them is about the SRA
        (["Qu'est-ce que la SRA ? Comment recruter des patients partenaires ?", "Qu'est-ce que la SRA ?"], [SRA]),
    ],
)
def test_a_question_about_a_structure_the_directory_describes_finds_its_entry(
    directory: Directory, questions: list[str], titles: list[str]
) -> None:
    assert [entry.title for entry in directory.asked(questions)] == titles
