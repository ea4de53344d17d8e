"""Figures asked in a conversation: run a grid of short conversations whose last turn asks for a figure (« ça dure
combien de temps ? », « il en faut combien au minimum ? ») and print how each was answered.

A grid line holds ``history``, ``question``, ``covered`` (the documents give that figure about the conversation's
topic) and ``evidence`` (the sentence that gives it). Outcomes:
- ``given``: a covered figure, answered without a notice, its sentence quoted;
- ``shown without the figure``: a covered figure, answered without a notice, its sentence not quoted;
- ``flagged though quoted``: a covered figure, declined or flagged partial while the answer quotes its sentence;
- ``missed``: a covered figure, declined or flagged, not quoted;
- ``flagged``: a figure the documents do not give, declined or flagged partial;
- ``answered as covered``: a figure the documents do not give, answered without a notice (the worst: a figure about
  something else reads as the answer).

The grids (evals/grids/) were written for this test by readers of the corpus, not taken from real people:
``figure-followups-dev.jsonl`` to work on, ``figure-followups-heldout.jsonl`` to check at the end only.

    python scripts/figure_grid.py evals/grids/figure-followups-dev.jsonl [--out answers.jsonl] [--compare before.jsonl]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

GIVEN, SHOWN, CONTRADICTED, MISSED = "given", "shown without the figure", "flagged though quoted", "missed"
FLAGGED, ANSWERED = "flagged", "answered as covered"
ORDER = (GIVEN, SHOWN, CONTRADICTED, MISSED, FLAGGED, ANSWERED)
_CALLS = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]")  # footnote calls the answer does not show
_SHARED = 30  # characters of the evidence's opening the answer must quote


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("’", "'")
    return re.sub(r"\s+", " ", _CALLS.sub("", text)).strip()


def outcome(item: dict, body: str, coverage: str) -> str:
    """How the answer (``body``: its text without the sources, ``coverage``: full, partial or none) treats the
    grid line ``item``."""
    full = coverage == "full"
    if not item["covered"]:
        return ANSWERED if full else FLAGGED
    quoted = _plain(item["evidence"])[:_SHARED] in _plain(body)
    if full:
        return GIVEN if quoted else SHOWN
    return CONTRADICTED if quoted else MISSED


def _run(grid: list[dict]) -> list[dict]:
    from assistant.agent import Assistant
    from assistant.render import render_body

    assistant = Assistant.from_settings()
    rows = []
    for number, item in enumerate(grid, 1):
        answer = assistant.ask(item["question"], history=item["history"])
        body = render_body(answer)
        rows.append(
            {
                "id": item["id"],
                "coverage": answer.coverage.value,
                "outcome": outcome(item, body, answer.coverage.value),
                "text": body,
            }
        )
        print(f"\r{number}/{len(grid)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("grid", type=Path)
    parser.add_argument("--out", type=Path, help="write each answer and its outcome (JSON lines)")
    parser.add_argument("--compare", type=Path, help="an earlier --out file: print the lines whose outcome changed")
    args = parser.parse_args(argv)
    grid = [json.loads(line) for line in args.grid.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = _run(grid)
    counts = Counter(row["outcome"] for row in rows)
    covered = sum(item["covered"] for item in grid)
    print(f"{args.grid.name}: {covered} covered, {len(grid) - covered} not covered")
    for name in ORDER:
        print(f"  {name:26} {counts.get(name, 0)}")
    if args.out:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    if args.compare:
        before = {r["id"]: r["outcome"] for r in map(json.loads, args.compare.read_text(encoding="utf-8").splitlines())}
        for item, row in zip(grid, rows, strict=True):
            if before.get(item["id"], row["outcome"]) != row["outcome"]:
                print(f"  {item['id']}: {before[item['id']]} → {row['outcome']} | {item['question']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
