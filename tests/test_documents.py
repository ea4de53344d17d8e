"""The documents a question names (corpus/manifest.toml ``aliases``): « Que dit le mémoire sur… ? » prefers the
mémoire when it speaks of the topic."""

from __future__ import annotations

import pytest

from assistant.documents import DocumentNames
from ingest.manifest import load_manifest
from ingest.models import DocumentInfo
from ingest.settings import PROJECT_ROOT

pytestmark = pytest.mark.fast

DOCUMENTS = [
    DocumentInfo("guide", "guide.txt", "Guide", aliases=("le guide HAS", "le guide de la HAS", "le guide", "la HAS")),
    DocumentInfo("memoire", "memoire.txt", "Mémoire", aliases=("le mémoire",)),
    DocumentInfo("slides", "slides.txt", "Présentation", aliases=("la présentation", "les diapositives", "l'URPS")),
]
NAMES = DocumentNames.build(DOCUMENTS, {"guide", "memoire", "slides"})


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Que dit le mémoire sur la formation des usagers ?", ["memoire"]),
        ("dans l'enquête du memoire, combien de CPTS ?", ["memoire"]),  # contracted, typed without accent
        ("LE MÉMOIRE en dit quoi ?", ["memoire"]),
        ("selon le guide de la HAS et le mémoire", ["guide", "memoire"]),
        ("c'est quoi l'association où a eu lieu le stage du mémoire ?", ["memoire"]),
        ("d'après la présentation ?", ["slides"]),
        ("qu'ajoutent les diapositives ?", ["slides"]),
        ("l’URPS a un tableau", ["slides"]),  # a typographic apostrophe
        ("Guide d'utilisation de la Matrice de maturité : quel est son objet ?", []),  # another guide, no article
        ("le guide pratique de l'ETP : quel rôle pour les associations ?", []),  # a qualifier: another guide
        ("la présentation du projet de santé aux usagers", []),  # a complement: another thing presented
        ("Comment préparer la présentation aux usagers lors de l'AG ?", []),  # what the question's verb makes
        ("Comment lire le mémoire, puis que dit la présentation ?", ["slides"]),
        ("entre le guide et le mémoire, lequel parle des CPTS ?", ["guide", "memoire"]),
        ("Le mémoire de fin d'études", []),
        ("Comment recruter des représentants des usagers ?", []),
    ],
)
def test_a_question_names_a_document_by_what_people_call_it(question: str, named: list[str]) -> None:
    assert NAMES.named_in(question) == named


def test_only_documents_the_index_holds_are_named() -> None:
    """A manifest entry whose file failed to be indexed names nothing: its filter would leave no passage."""
    assert DocumentNames.build(DOCUMENTS, {"guide"}).named_in("Que dit le mémoire ?") == []


def test_the_shipped_manifest_names_each_document() -> None:
    """Each document of the reference corpus has what a question calls it, and no alias names two documents."""
    manifest = load_manifest(PROJECT_ROOT / "corpus")
    infos = list(manifest.by_file.values())
    names = DocumentNames.build(infos, {info.doc_id for info in infos})
    for info in infos:
        assert info.aliases, info.doc_id
        for alias in info.aliases:
            assert names.named_in(f"Que dit {alias} ?") == [info.doc_id], alias


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Que dit le mémoire sur le patient traceur ?", "Que dit sur le patient traceur ?"),
        ("Qu’est-ce que la médiation en santé selon le mémoire ?", "Qu’est-ce que la médiation en santé ?"),
        ("Selon le mémoire, qu'est-ce qu'une CPTS ?", "qu'est-ce qu'une CPTS ?"),  # with its comma
        ("d'après le guide de la HAS, qui recruter ?", "qui recruter ?"),
        ("Le cœur du mémoire : la gouvernance ?", "Le cœur : la gouvernance ?"),  # « œ » folds to two letters
        ("comment lancer des actions, d'après la présentation ?", "comment lancer des actions ?"),
        ("comment lancer des actions, d'après la présentation", "comment lancer des actions"),  # typed without « ? »
        ("Comment recruter des usagers ?", "Comment recruter des usagers ?"),
        ("Comment préparer la présentation, selon le guide ?", "Comment préparer la présentation ?"),  # made, not named
    ],
)
def test_the_topic_of_a_question_is_read_without_the_names_of_documents(question: str, topic: str) -> None:
    """Searched, « mémoire » brings the passages where the study speaks of itself, and « la médiation en santé selon
    le mémoire » is no name to define: the question's topic is what is left, without the word that says whose words
    they are (« selon », « d'après »)."""
    assert NAMES.without(question) == topic
