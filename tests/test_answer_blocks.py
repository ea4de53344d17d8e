"""The readers' labels of quoted sources (evals/grids/answer-blocks-*.jsonl) and where a run shows them."""

from __future__ import annotations

import json

import pytest

from ingest.settings import PROJECT_ROOT
from scripts.answer_blocks import ABOVE, BELOW, GONE, VERDICTS, placements

pytestmark = pytest.mark.fast

GRIDS = PROJECT_ROOT / "evals" / "grids"
SPLITS = {"answer-blocks-dev.jsonl": "realworld-dev", "answer-blocks-heldout.jsonl": "realworld"}


@pytest.mark.parametrize("name", sorted(SPLITS))
def test_every_label_names_a_question_of_its_split_and_a_verdict(name: str) -> None:
    """A label on a question of another split would tune on held-out answers, or check on tuned ones."""
    rows = (PROJECT_ROOT / "evals" / "sets" / "realworld.jsonl").read_text(encoding="utf-8").splitlines()
    questions = {row["id"]: row["split"] for row in map(json.loads, rows)}
    labels = [json.loads(line) for line in (GRIDS / name).read_text(encoding="utf-8").splitlines()]
    assert len({(label["id"], label["block"]) for label in labels}) == len(labels)
    for label in labels:
        assert questions[label["id"]] == SPLITS[name] and label["verdict"] in VERDICTS, label
        assert label["lead"].strip(), label


def test_a_source_is_counted_where_the_answer_shows_it() -> None:
    """Above the heading of the passages that may not answer, under it, or no longer quoted; the first source of an
    answer is the answer's opening, not counted."""

    def quoted(text: str) -> dict:
        return {"kind": "paragraph", "spans": [{"text": text}]}

    def lead(text: str) -> dict:
        return {"kind": "lead", "spans": [{"text": text}]}

    answer = {
        "blocks": [
            lead("D'après HAS 2023, § 4.1.1 :"),
            quoted("Les indemnités favorisent l'engagement."),
            lead("§ 6.10 :"),
            quoted("Des financements privés peuvent être mobilisés."),
            {"kind": "further", "spans": [{"text": "Autres passages proches, qui peuvent ne pas répondre :"}]},
            lead("D'après la fiche ressource n° 8 :"),
            quoted("Une position de tiers facilite la conduite de projet."),
        ]
    }
    labels = [
        {"id": "q", "block": 1, "lead": "D'après HAS 2023 :", "opening": "Les indemnités", "verdict": "answers"},
        {"id": "q", "block": 2, "lead": "§ 6.10 :", "opening": "Des financements privés", "verdict": "related"},
        {"id": "q", "block": 3, "lead": "x", "opening": "Une position de tiers", "verdict": "off-topic"},
        {"id": "q", "block": 4, "lead": "y", "opening": "Le secret professionnel", "verdict": "answers"},
    ]
    counts = placements(labels, {"q": answer})
    assert counts == {("related", ABOVE): 1, ("off-topic", BELOW): 1, ("answers", GONE): 1}
