"""The history of evaluation runs, kept in the web app's SQLite database (``Settings.feedback_db``).

Each run keeps its set and split, where it was started (web tab or CLI), the backend, the index's
identity (build id, corpus and settings fingerprints, embedding model), the settings without secrets,
its grouped metrics and every scored row; :func:`results_jsonl`, :func:`results_csv` and
:func:`report_html` give the downloads.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.report import html_report
from evals.runner import RunOutput

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS eval_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    set_name TEXT NOT NULL,
    split TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT '',
    backend TEXT NOT NULL DEFAULT '',
    build_id TEXT NOT NULL DEFAULT '',
    corpus_fingerprint TEXT NOT NULL DEFAULT '',
    settings_fingerprint TEXT NOT NULL DEFAULT '',
    embedding_id TEXT NOT NULL DEFAULT '',
    items INTEGER NOT NULL,
    duration_s REAL,
    settings TEXT NOT NULL,
    metrics TEXT NOT NULL
)
""",
    """
CREATE TABLE IF NOT EXISTS eval_rows (
    run_id INTEGER NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, position)
)
""",
)


@dataclass
class RunSummary:
    """One stored run, without its rows."""

    id: int
    created_at: str
    set_name: str
    split: str
    origin: str
    backend: str
    build_id: str
    corpus_fingerprint: str
    settings_fingerprint: str
    embedding_id: str
    items: int
    duration_s: float | None
    settings: dict[str, Any]
    metrics: dict[str, Any]

    @property
    def label(self) -> str:
        """``n° 3 — 2026-11-28 06:10 — engagement-qa.jsonl (test) — 114 questions — extractif``."""
        split = f" ({self.split})" if self.split else ""
        when = self.created_at.replace("T", " ")[:16]
        return f"n° {self.id} — {when} — {self.set_name}{split} — {self.items} questions — {self.backend}"


@dataclass
class StoredRun:
    summary: RunSummary
    rows: list[dict[str, Any]]

    @property
    def by_id(self) -> dict[str, dict[str, Any]]:
        return {str(r["id"]): r for r in self.rows}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def index_identity(assistant: Any) -> dict[str, str]:
    """Build id, corpus and settings fingerprints and embedding model of the assistant's index."""
    manifest = assistant.reader.manifest
    return {
        "build_id": str(manifest.build_id),
        "corpus_fingerprint": str(manifest.corpus_fingerprint),
        "settings_fingerprint": str(manifest.settings_fingerprint),
        "embedding_id": str(manifest.embedding_id),
    }


class EvalStore:
    """Evaluation runs in SQLite; safe from several threads (one connection per call)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            for statement in _SCHEMA:
                db.execute(statement)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        try:
            with db:
                yield db
        finally:
            db.close()

    def save(
        self,
        output: RunOutput,
        assistant: Any,
        set_name: str,
        split: str = "",
        origin: str = "web",
        duration_s: float | None = None,
    ) -> int:
        """Keep a finished run (``assistant`` gives the index identity and settings); returns its number."""
        identity = index_identity(assistant)
        settings = assistant.settings.without_secrets()
        settings["backend"] = assistant.generator.name
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO eval_runs (created_at, set_name, split, origin, backend, build_id, corpus_fingerprint,"
                " settings_fingerprint, embedding_id, items, duration_s, settings, metrics)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _now(),
                    set_name,
                    split,
                    origin,
                    assistant.generator.name,
                    identity["build_id"],
                    identity["corpus_fingerprint"],
                    identity["settings_fingerprint"],
                    identity["embedding_id"],
                    len(output.rows),
                    duration_s,
                    json.dumps(settings, ensure_ascii=False),
                    json.dumps(output.metrics, ensure_ascii=False),
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO eval_rows (run_id, position, item_id, data) VALUES (?, ?, ?, ?)",
                [(run_id, n, str(row["id"]), json.dumps(row, ensure_ascii=False)) for n, row in enumerate(output.rows)],
            )
        return run_id

    def list_runs(self) -> list[RunSummary]:
        """Every stored run, newest first."""
        with self._connect() as db:
            rows = db.execute("SELECT * FROM eval_runs ORDER BY id DESC").fetchall()
        return [_summary(r) for r in rows]

    def get(self, run_id: int) -> StoredRun | None:
        """A run and its rows, in the order they were asked (``None`` if there is no such run)."""
        with self._connect() as db:
            head = db.execute("SELECT * FROM eval_runs WHERE id = ?", (run_id,)).fetchone()
            if head is None:
                return None
            data = db.execute("SELECT data FROM eval_rows WHERE run_id = ? ORDER BY position", (run_id,)).fetchall()
        return StoredRun(_summary(head), [json.loads(r["data"]) for r in data])

    def delete(self, run_id: int) -> None:
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM eval_rows WHERE run_id = ?", (run_id,))
            db.execute("DELETE FROM eval_runs WHERE id = ?", (run_id,))


def _summary(row: sqlite3.Row) -> RunSummary:
    data = dict(row)
    data["settings"] = json.loads(data["settings"])
    data["metrics"] = json.loads(data["metrics"])
    return RunSummary(**data)


def results_jsonl(rows: list[dict[str, Any]]) -> str:
    """The rows as ``results.jsonl`` (the same lines as ``python -m evals run`` writes)."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


CSV_COLUMNS = ("id", "question", "persona", "tags", "split", "answerable", "coverage", "refused", "answer_coverage",
               "route", "cited", "text")  # fmt: skip


def results_csv(rows: list[dict[str, Any]]) -> str:
    """One line per item: its columns, how it was answered, its cited sources and every score."""
    score_keys = sorted({k for r in rows for k in r["scores"]})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*CSV_COLUMNS, *score_keys])
    for row in rows:
        answer = row.get("answer", {})
        cited = " | ".join(c.get("label", "") for c in answer.get("citations", []))
        writer.writerow(
            [
                row["id"],
                row["question"],
                row.get("persona", ""),
                "|".join(row.get("tags", [])),
                row.get("split", ""),
                row.get("answerable", True),
                row.get("coverage", ""),
                bool(answer.get("refused")),
                answer.get("coverage", ""),
                answer.get("route", ""),
                cited,
                row.get("text", ""),
                *(row["scores"].get(k, "") for k in score_keys),
            ]
        )
    return out.getvalue()


def report_html(run: StoredRun) -> str:
    """The run's HTML report (the same page as ``report.html`` of ``python -m evals run``)."""
    return html_report(run.rows, run.summary.metrics)
