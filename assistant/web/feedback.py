"""Feedback on answers (like/dislike, comment, "wrong source"), kept in a local SQLite file.

One row per rated answer: the question, the answer text, its citations (JSON), the previous questions
of the conversation, the role, the backend and a summary of the settings without secrets. No user
name, no IP address. A disliked answer can be exported as a row of a QA test set (``evals`` format).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.answer import Answer
from assistant.web.render import plain_text
from ingest.settings import Settings

# Settings that must never be written anywhere (passwords, keys, account files).
SECRET_FIELDS = frozenset({"auth", "auth_file", "llm_api_key"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('like', 'dislike')),
    wrong_source INTEGER NOT NULL DEFAULT 0,
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    citations TEXT NOT NULL,
    history TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT '',
    backend TEXT NOT NULL DEFAULT '',
    settings TEXT NOT NULL
)
"""


def settings_summary(settings: Settings) -> dict[str, Any]:
    """The settings as JSON-ready values, without any secret (accounts, API key)."""
    return settings.model_dump(mode="json", exclude=set(SECRET_FIELDS))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class FeedbackRow:
    """One stored opinion on one answer."""

    id: int
    created_at: str
    updated_at: str
    rating: str
    wrong_source: bool
    comment: str
    question: str
    answer: str
    refused: bool
    citations: list[dict[str, Any]]
    history: list[str]
    role: str
    backend: str
    settings: dict[str, Any]


class FeedbackStore:
    """The SQLite feedback table; safe to use from several threads (one connection per call)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            with db:  # commit on success, roll back on error
                yield db
        finally:
            db.close()

    def add(
        self,
        rating: str,
        answer: Answer,
        settings: Settings,
        history: list[str] | None = None,
        role: str | None = None,
        comment: str = "",
        wrong_source: bool = False,
    ) -> int:
        """Store an opinion on ``answer``; returns the row id."""
        if rating not in ("like", "dislike"):
            raise ValueError(f"avis inconnu : {rating!r}")
        citations = answer.to_dict()["citations"]
        now = _now()
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (created_at, updated_at, rating, wrong_source, comment, question, answer,"
                " refused, citations, history, role, backend, settings)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    now,
                    rating,
                    int(wrong_source),
                    comment.strip(),
                    answer.question,
                    plain_text(answer),
                    int(answer.refused),
                    json.dumps(citations, ensure_ascii=False),
                    json.dumps(list(history or []), ensure_ascii=False),
                    role or "",
                    answer.backend,
                    json.dumps(settings_summary(settings), ensure_ascii=False),
                ),
            )
            return int(cursor.lastrowid or 0)

    def update(
        self,
        row_id: int,
        rating: str | None = None,
        comment: str | None = None,
        wrong_source: bool | None = None,
    ) -> None:
        """Change the rating, the comment or the "wrong source" flag of a stored opinion."""
        fields: dict[str, Any] = {}
        if rating is not None:
            if rating not in ("like", "dislike"):
                raise ValueError(f"avis inconnu : {rating!r}")
            fields["rating"] = rating
        if comment is not None:
            fields["comment"] = comment.strip()
        if wrong_source is not None:
            fields["wrong_source"] = int(wrong_source)
        if not fields:
            return
        fields["updated_at"] = _now()
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self._lock, self._connect() as db:
            db.execute(f"UPDATE feedback SET {assignments} WHERE id = ?", (*fields.values(), row_id))

    def get(self, row_id: int) -> FeedbackRow | None:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM feedback WHERE id = ?", (row_id,)).fetchone()
        return _row(row) if row else None

    def all(self) -> list[FeedbackRow]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        return [_row(r) for r in rows]


def _row(row: sqlite3.Row) -> FeedbackRow:
    data = dict(row)
    for key in ("citations", "history", "settings"):
        data[key] = json.loads(data[key])
    data["wrong_source"] = bool(data["wrong_source"])
    data["refused"] = bool(data["refused"])
    return FeedbackRow(**data)


def qa_row(row: FeedbackRow) -> dict[str, Any]:
    """A QA test-set row (``evals`` columns) to complete by hand: reference answer and key facts empty.

    The cited sources become the expected ones, unless the user said the source was wrong."""
    expected: list[dict[str, Any]] = []
    if not row.wrong_source:
        for citation in row.citations:
            source: dict[str, Any] = {"doc": citation.get("doc_id", "")}
            if citation.get("fiche"):
                source["fiche"] = citation["fiche"]
            if citation.get("section_number"):
                source["section"] = citation["section_number"]
            if source not in expected:
                expected.append(source)
    tags = ["retour-utilisateur"]
    if row.wrong_source:
        tags.append("mauvaise-source")
    if row.refused:
        tags.append("refus")
    return {
        "id": f"retour-{row.id}",
        "question": row.question,
        "reference_answer": "",
        "expected_sources": expected,
        "key_facts": [],
        "answerable": True,
        "persona": row.role,
        "tags": tags,
        "split": "test",
        "history": row.history,
        "false_premise": False,
    }


def qa_jsonl(row: FeedbackRow) -> str:
    """:func:`qa_row` as one JSONL line."""
    return json.dumps(qa_row(row), ensure_ascii=False)
