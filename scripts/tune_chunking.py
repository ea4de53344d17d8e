"""Measure chunk size and overlap on the evaluation set (re-ingests the corpus for each pair).

    .venv/bin/python scripts/tune_chunking.py 600:100 1000:150 1400:200

Prints hit@5, MRR, key facts and citation precision on the dev and test splits for each pair.
The embedding cache of .index/ is copied in, so only new passages are embedded.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from assistant.agent import Assistant
from evals.dataset import load_set
from evals.runner import grouped_metrics, run_items
from ingest.pipeline import ingest
from ingest.settings import PROJECT_ROOT, Settings

SET = PROJECT_ROOT / "evals" / "sets" / "engagement-qa.jsonl"
KEYS = ("hit@5", "mrr", "key_facts", "citation_precision", "refusal_correct")


def main(pairs: list[str]) -> None:
    items = load_set(SET).items
    for pair in pairs:
        size, overlap = (int(x) for x in pair.split(":"))
        with tempfile.TemporaryDirectory() as tmp:
            index = Path(tmp) / "index"
            if (PROJECT_ROOT / ".index" / "cache").exists():
                shutil.copytree(PROJECT_ROOT / ".index" / "cache", index / "cache")
            settings = Settings(index_dir=index, chunk_size=size, chunk_overlap=overlap)
            report = ingest(settings)
            assistant = Assistant.from_settings(settings, build_if_missing=False)
            metrics = grouped_metrics(run_items(assistant, items))["by_split"]
            for split in ("dev", "test"):
                values = " ".join(f"{k}={metrics[split][k]:.3f}" for k in KEYS)
                print(f"chunk {size}/{overlap} ({report.chunks} passages) {split}: {values}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ["600:100", "1000:150", "1400:200"])
