"""The grids of figures asked in a conversation (evals/grids/): lines an evaluator can trust, outcomes read right."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from ingest.settings import PROJECT_ROOT
from scripts.figure_grid import ANSWERED, CONTRADICTED, FLAGGED, GIVEN, MISSED, SHOWN, outcome

pytestmark = pytest.mark.fast

GRIDS = sorted((PROJECT_ROOT / "evals" / "grids").glob("figure-followups-*.jsonl"))


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@pytest.mark.parametrize("grid", GRIDS, ids=lambda path: path.stem)
def test_every_covered_figure_is_a_sentence_of_its_document(grid) -> None:
    """A line labelled covered quotes the corpus sentence that gives the figure, in the document it names: a line whose
    evidence the corpus does not hold would count a right answer as a miss."""
    lines = [json.loads(line) for line in grid.read_text(encoding="utf-8").splitlines()]
    assert len({line["id"] for line in lines}) == len(lines)
    for line in lines:
        assert line["history"] and line["question"].strip(), line["id"]
        if line["covered"]:
            document = _plain((PROJECT_ROOT / "corpus" / line["doc"]).read_text(encoding="utf-8"))
            assert _plain(line["evidence"]) in document, line["id"]
        else:
            assert not line["evidence"], line["id"]


def test_outcomes_say_whether_the_figure_was_given_or_its_absence_told() -> None:
    covered = {
        "covered": True,
        "evidence": "En principe, la mise à disposition est effectuée pour trois ans renouvelables.",
    }
    quoted = "D'après la fiche ressource n° 9 : En principe, la mise à disposition est effectuée pour trois ans [1]"
    assert outcome(covered, quoted, "full") == GIVEN
    assert outcome(covered, "D'après la fiche 9 : Une convention est signée. [1]", "full") == SHOWN
    assert outcome(covered, "Les documents ne donnent pas de durée chiffrée. " + quoted, "partial") == CONTRADICTED
    assert outcome(covered, "Les documents de référence ne traitent pas de cette question.", "none") == MISSED
    absent = {"covered": False, "evidence": ""}
    assert outcome(absent, "Cette expérimentation va durer 27 mois. [1]", "full") == ANSWERED
    assert outcome(absent, "Les documents ne donnent pas de durée chiffrée.", "partial") == FLAGGED
