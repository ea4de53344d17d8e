"""Measure settings on chosen splits, in one process: ``python scripts/sweep.py dev+realworld-dev
'weight_structure=0' 'weight_structure=0.15,weight_back_matter=0.3'``. Prints one line of figures per
setting; used to choose every weight on the tuning splits (dev, realworld-dev), never on test or realworld."""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.agent import Assistant
from evals.dataset import load_set
from evals.metrics import aggregate
from evals.runner import run_items
from ingest.settings import Settings

SETS = sorted((Path(__file__).resolve().parent.parent / "evals" / "sets").glob("*.jsonl"))
KEYS = (
    "hit@1", "hit@5", "mrr", "cited_expected", "key_facts", "gap_handled", "wrong_refusal_rate", "refusal_recall",
    "flagged_partial", "other_structure_first",
)  # fmt: skip


def main(argv: list[str]) -> int:
    splits = set(argv[0].split("+"))
    items = [item for path in SETS for item in load_set(path).items if item.split in splits]
    print(f"{len(items)} questions ({', '.join(sorted(splits))})")
    for conf in argv[1:] or [""]:
        overrides = dict(pair.split("=", 1) for pair in conf.split(",") if pair)
        assistant = Assistant.from_settings(Settings(**overrides), build_if_missing=False)
        metrics = aggregate(run_items(assistant, items))
        figures = " ".join(f"{k}={metrics[k]:.3f}" if metrics.get(k) is not None else f"{k}=–" for k in KEYS)
        print(f"{conf or '(défauts)':60} {figures}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
