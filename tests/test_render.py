"""The typed answer and its text form: what the CLI prints and the evaluation reads (hand-built answers)."""

from __future__ import annotations

import json

import pytest

from assistant.answer import (
    SCHEMA_VERSION,
    Answer,
    Block,
    BlockKind,
    Citation,
    Coverage,
    Route,
    Span,
    SpanSource,
    Suggestion,
)
from assistant.render import render_blocks, render_body, render_text

pytestmark = pytest.mark.fast


def citation(n: int, label: str) -> Citation:
    return Citation(
        n, f"c{n}", "has-2023", "has.txt", "Guide", "HAS", 6, "Secret", "6.6.2", "6.6.2", 41, "toc", "q", label
    )


ANSWER = Answer(
    question="les usagers sont-ils tenus au secret ?",
    blocks=[
        Block.phrase(BlockKind.LEAD, "D'après la fiche ressource n° 6 « Respect de la vie privée » (HAS 2023) :"),
        Block(
            BlockKind.PARAGRAPH,
            (
                Span("Les usagers sont tenus au secret.", (1,), SpanSource.CORPUS),
                Span("Une charte le rappelle.", (1, 2), SpanSource.CORPUS),
            ),
        ),
        Block(BlockKind.LIST_ITEM, (Span("ne rien divulguer", (2,), SpanSource.CORPUS),)),
    ],
    notes=["Le balisage (HTML, script) de la question a été retiré."],
    citations=[citation(1, "HAS 2023 — Fiche ressource n° 6, § 6.6.2, p. 41"), citation(2, "HAS 2023 — § 6.14")],
)


def test_the_text_form_has_notes_quotes_with_markers_list_items_and_sources() -> None:
    assert render_text(ANSWER) == (
        "> Le balisage (HTML, script) de la question a été retiré.\n\n"
        "D'après la fiche ressource n° 6 « Respect de la vie privée » (HAS 2023) :\n"
        "Les usagers sont tenus au secret. [1] Une charte le rappelle. [1] [2]\n"
        "- ne rien divulguer [2]\n\n"
        "Sources\n[1] HAS 2023 — Fiche ressource n° 6, § 6.6.2, p. 41\n[2] HAS 2023 — § 6.14"
    )


def test_a_list_heading_right_under_a_lead_is_not_set_apart() -> None:
    """« D'après la fiche… : » then « « Quels contenus ? » : »: one heading, no blank line between them; a later lead
    opens its own paragraph."""
    blocks = [
        Block.phrase(BlockKind.LEAD, "D'après la fiche ressource n° 7 « Indications pour la formation » (HAS 2023) :"),
        Block.phrase(BlockKind.LEAD, "« Quels contenus ? » :"),
        Block(BlockKind.LIST_ITEM, (Span("La démocratie en santé.", (1,), SpanSource.CORPUS),)),
        Block.phrase(BlockKind.LEAD, "D'après URPS Occitanie 2022 :"),
    ]
    assert render_blocks(blocks) == (
        "D'après la fiche ressource n° 7 « Indications pour la formation » (HAS 2023) :\n"
        "« Quels contenus ? » :\n- La démocratie en santé. [1]\n\nD'après URPS Occitanie 2022 :"
    )


def test_the_passages_that_may_not_answer_stand_apart_under_their_heading() -> None:
    """The heading of the passages close to the question that may not answer it opens its own paragraph, as a lead
    does, so that a reader sees where the answer ends."""
    blocks = [
        Block.phrase(BlockKind.LEAD, "D'après la fiche ressource n° 5 « Représentativité » (HAS 2023) :"),
        Block(BlockKind.PARAGRAPH, (Span("Il faut chercher à faire au mieux.", (1,), SpanSource.CORPUS),)),
        Block.phrase(BlockKind.FURTHER, "Autres passages proches, qui peuvent ne pas répondre à la question :"),
        Block.phrase(BlockKind.LEAD, "D'après URPS Occitanie 2022 :"),
        Block(BlockKind.PARAGRAPH, (Span("Une CPTS est un réseau.", (2,), SpanSource.CORPUS),)),
    ]
    assert render_blocks(blocks) == (
        "D'après la fiche ressource n° 5 « Représentativité » (HAS 2023) :\n"
        "Il faut chercher à faire au mieux. [1]\n\n"
        "Autres passages proches, qui peuvent ne pas répondre à la question :\n\n"
        "D'après URPS Occitanie 2022 :\nUne CPTS est un réseau. [2]"
    )


def test_the_body_leaves_out_notes_and_sources() -> None:
    body = render_body(ANSWER)
    assert body.startswith("D'après") and "Sources" not in body and "balisage" not in body


def test_a_refusal_offers_the_closest_fiches_and_cites_nothing() -> None:
    refusal = Answer(
        question="recette de ratatouille ?",
        blocks=[Block.phrase(BlockKind.LEAD, "Les documents de référence ne traitent pas de cette question.")],
        refused=True,
        route=Route.OUT_OF_SCOPE,
        coverage=Coverage.NONE,
        suggestions=[Suggestion(13, "Éléments pour une affiche")],
    )
    text = render_text(refusal)
    assert text.endswith("Fiches ressources les plus proches :\n- Fiche ressource n° 13 « Éléments pour une affiche »")
    assert "Sources" not in text


def test_a_partial_answer_says_first_what_is_missing() -> None:
    partial = Answer(
        question="combien gagne un coordinateur ?",
        blocks=[
            Block.phrase(BlockKind.NOTICE, "Les documents de référence ne donnent pas de montant."),
            *ANSWER.blocks,
        ],
        coverage=Coverage.PARTIAL,
    )
    assert render_body(partial).startswith("Les documents de référence ne donnent pas de montant.\n\nD'après")


def test_the_json_form_round_trips_with_enums_as_strings() -> None:
    data = json.loads(ANSWER.to_json())
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["route"] == "search" and data["coverage"] == "full"
    assert data["blocks"][1]["spans"][1] == {
        "text": "Une charte le rappelle.",
        "markers": [1, 2],
        "source": "corpus",
        "supported": None,
    }
    again = Answer.from_dict(data)
    assert again.blocks == ANSWER.blocks and again.route is Route.SEARCH and again.citations == ANSWER.citations
    assert again.cited == [1, 2]
