"""Run a QA set against the assistant and write results.jsonl, metrics.json, report.md and report.html.

One runner for the CLI (``python -m evals run``) and the web app's evaluation tab: :func:`evaluate` asks
and scores every item, reporting progress (:class:`RunProgress`: done, total, time left) and stopping
between two items when its ``cancel`` event is set; :func:`write_run` writes the run's files.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.agent import Assistant
from assistant.answer import Role
from assistant.render import render_text
from evals.dataset import LoadedSet, QAItem
from evals.metrics import aggregate, score_item
from evals.report import write_reports
from ingest.embeddings import CachedEmbeddings, make_cached_embeddings

GROUPS = ("split", "persona")
COSINE_CHARS = 1500  # the answer's first characters compared with the reference answer
Scorer = Callable[[QAItem, dict[str, Any], str], dict[str, Any]]  # (item, answer, its body as text)


@dataclass(frozen=True)
class RunProgress:
    """How far a run got: items done out of ``total``, seconds spent, and an estimate of the time left."""

    done: int
    total: int
    elapsed_s: float

    @property
    def remaining_s(self) -> float | None:
        """Seconds left at the mean pace so far (``None`` before the first item is done)."""
        if self.done <= 0:
            return None
        return self.elapsed_s / self.done * max(self.total - self.done, 0)

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


ProgressFn = Callable[[RunProgress], None]


class RunCancelled(Exception):
    """The run was cancelled between two items; ``done`` items had been scored."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"évaluation annulée après {done} question(s) sur {total}")
        self.done = done
        self.total = total


@dataclass
class RunOutput:
    rows: list[dict[str, Any]]
    metrics: dict[str, Any]


def run_items(
    assistant: Assistant,
    items: list[QAItem],
    progress: ProgressFn | None = None,
    embeddings: CachedEmbeddings | None = None,
    extra_scorers: list[Scorer] | None = None,
    cancel: threading.Event | None = None,
) -> list[dict[str, Any]]:
    """Ask every question (with its conversation history) and score the answer.

    ``cancel`` is checked before each item: once set, :class:`RunCancelled` is raised."""
    rows = []
    start = time.monotonic()
    if progress:
        progress(RunProgress(0, len(items), 0.0))
    for n, item in enumerate(items, 1):
        if cancel is not None and cancel.is_set():
            raise RunCancelled(n - 1, len(items))
        typed = assistant.ask(item.question, history=item.history or None, role=Role.parse(item.persona))
        answer = typed.to_dict()
        text = render_text(typed, assistant.phrases)
        cosine = None
        if embeddings is not None and item.reference_answer and typed.blocks:
            body = render_text(typed, assistant.phrases, sources=False)[:COSINE_CHARS]
            vectors = embeddings.embed_array([f"{item.reference_answer}", body])
            cosine = float(np.dot(vectors[0], vectors[1]))
        scores = score_item(item, answer, text, cosine)
        for scorer in extra_scorers or []:
            scores.update(scorer(item, answer, render_text(typed, assistant.phrases, sources=False)))
        rows.append({**item.to_dict(), "answer": answer, "text": text, "scores": scores})
        if progress:
            progress(RunProgress(n, len(items), time.monotonic() - start))
    return rows


def grouped_metrics(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Overall metrics, and the same by split, persona and tag."""
    metrics: dict[str, Any] = {"overall": aggregate(rows)}
    for group in GROUPS:
        values = sorted({str(r[group]) for r in rows})
        metrics[f"by_{group}"] = {v: aggregate([r for r in rows if str(r[group]) == v]) for v in values}
    tags = sorted({t for r in rows for t in r["tags"]})
    metrics["by_tag"] = {t: aggregate([r for r in rows if t in r["tags"]]) for t in tags}
    return metrics


def evaluate(
    assistant: Assistant,
    loaded: LoadedSet,
    set_name: str,
    progress: ProgressFn | None = None,
    with_cosine: bool = True,
    extra_scorers: list[Scorer] | None = None,
    cancel: threading.Event | None = None,
) -> RunOutput:
    """Ask and score every item of ``loaded``; the rows and the grouped metrics (nothing written).

    Raises :class:`RunCancelled` when ``cancel`` is set during the run."""
    embeddings = make_cached_embeddings(assistant.settings) if with_cosine else None
    try:
        rows = run_items(assistant, loaded.items, progress, embeddings, extra_scorers, cancel)
    finally:  # its SQLite cache is closed, whether the run ends, fails or is cancelled
        if embeddings is not None:
            embeddings.close()
    metrics = grouped_metrics(rows)
    metrics["set"] = set_name
    metrics["malformed_rows"] = [{"line": e.line, "error": e.message} for e in loaded.errors]
    metrics["settings"] = settings_summary(assistant)
    return RunOutput(rows, metrics)


def write_run(out_dir: Path, output: RunOutput) -> None:
    """``results.jsonl``, ``metrics.json``, ``report.md`` and ``report.html`` of a run in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "results.jsonl", "w", encoding="utf-8") as fh:
        for row in output.rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (out_dir / "metrics.json").write_text(json.dumps(output.metrics, ensure_ascii=False, indent=1), encoding="utf-8")
    write_reports(out_dir, output.rows, output.metrics)


def settings_summary(assistant: Assistant) -> dict[str, Any]:
    """The settings that shape answers (never secrets)."""
    s = assistant.settings
    keys = (
        "embedding_backend", "embedding_model", "chunk_size", "chunk_overlap", "retrieval_candidates", "rrf_k",
        "weight_vector", "weight_bm25", "top_k", "max_answer_sentences", "refusal_threshold", "llm_backend",
        "llm_model",
    )  # fmt: skip
    return {k: getattr(s, k) for k in keys} | {"backend": assistant.generator.name}
