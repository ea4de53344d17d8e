"""Where the quoted sources of labelled answers stand: above the heading « Autres passages proches, qui peuvent ne pas
répondre à la question : » (the answer proper) or under it, by the readers' verdict on each source.

A label line (evals/grids/answer-blocks-*.jsonl) names a question (``id``), one source quoted in its answer (``lead``,
the line « D'après … » or « § … » over it, and ``opening``, the first words quoted under it) and a reader's
``verdict``: ``answers`` (it answers the question, or a part of it), ``related`` (on the topic, answering nothing
asked) or ``off-topic`` (brought in by a word in another sense or by general words). ``-dev`` (207 sources of 60
``realworld-dev`` answers) is to choose ``further_below`` on; ``-heldout`` (169 sources of 50 ``realworld`` answers,
labelled blind to where they stood) to check. A run's answers change as the code does: a source no longer quoted is
counted apart. The first source of each answer is never set apart.

    python scripts/answer_blocks.py eval-runs/latest evals/grids/answer-blocks-dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

VERDICTS = ("answers", "related", "off-topic")
ABOVE, BELOW, GONE = "above", "below", "not quoted"


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text).replace("’", "'")).strip()


def sources(answer: dict) -> list[tuple[str, str, bool]]:
    """The answer's quoted sources in order: each lead, the words quoted under it, and whether it stands under the
    heading of the passages that may not answer."""
    found: list[list] = []
    below = False
    for block in answer.get("blocks", []):
        text = " ".join(span.get("text", "") for span in block.get("spans", []))
        kind = block.get("kind")
        if kind == "further":
            below = True
        elif kind == "lead":
            found.append([text, "", below])
        elif kind != "notice" and found:
            found[-1][1] += f" {text}"
    return [(lead, _plain(quoted), under) for lead, quoted, under in found]


def placement(label: dict, answer: dict) -> str:
    """Where the labelled source stands in ``answer``: above the heading, below it, or no longer quoted."""
    opening = _plain(label["opening"])
    for lead, quoted, under in sources(answer):
        if (opening and opening in quoted) or (not opening and lead == label["lead"]):
            return BELOW if under else ABOVE
    return GONE


def placements(labels: list[dict], answers: dict[str, dict]) -> Counter[tuple[str, str]]:
    """(verdict, placement) counts of the labelled sources after the first of their answer, in a run's ``answers``
    (by question id)."""
    counts: Counter[tuple[str, str]] = Counter()
    for label in labels:
        if label["block"] > 1 and label["id"] in answers:
            counts[(label["verdict"], placement(label, answers[label["id"]]))] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="an evaluation run's directory (results.jsonl)")
    parser.add_argument("labels", type=Path)
    args = parser.parse_args(argv)
    labels = [json.loads(line) for line in args.labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = (json.loads(line) for line in (args.run / "results.jsonl").read_text(encoding="utf-8").splitlines())
    answers = {row["id"]: row["answer"] for row in rows}
    counts = placements(labels, answers)
    print(f"{args.labels.name}: sources after the first of their answer, by verdict")
    for verdict in VERDICTS:
        total = sum(n for (v, _), n in counts.items() if v == verdict)
        cells = ", ".join(f"{where} {counts[(verdict, where)]}" for where in (ABOVE, BELOW, GONE))
        print(f"  {verdict:<10} {total:>4}: {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
