"""Feedback on answers (like/dislike, comment, "wrong source"), kept in a local SQLite file.

One row per rated answer: the question, the answer text, its citations (JSON), the previous questions
of the conversation, the role, the backend and a summary of the settings without secrets. No user
name, no IP address. A disliked answer can be exported as a row of a QA test set (``evals`` format).

:func:`record_exchange` keeps, after each answer, the questions the documents did not (fully) answer
(declined, or answered as only partly covered): the question, the answer given, its sources and the
closest fiches, never a personal medical question; every other question only adds one to the day's
count. :func:`user_gaps` gathers them with the disliked answers for the evaluation tab.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.answer import Answer, Coverage, Route
from assistant.web.render import plain_text
from ingest.settings import Settings

log = logging.getLogger(__name__)

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
                    json.dumps(list(history or []), ensure_ascii=False),  # rated: its context is kept
                    role or "",
                    answer.backend,
                    json.dumps(settings.without_secrets(), ensure_ascii=False),
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


def expected_sources(citations: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The expected sources of a QA row (``evals`` columns: doc, fiche, section) from cited passages."""
    expected: list[dict[str, Any]] = []
    for citation in citations:
        source: dict[str, Any] = {"doc": citation.get("doc_id", "")}
        if citation.get("fiche"):
            source["fiche"] = citation["fiche"]
        if citation.get("section_number"):
            source["section"] = citation["section_number"]
        if source not in expected:
            expected.append(source)
    return expected


def _test_row(
    ref: str, question: str, expected: list[dict[str, Any]], tags: list[str], role: str, history: list[str],
    answer: str, citations: list[dict[str, Any]], comment: str, coverage: str = "full",
) -> dict[str, Any]:  # fmt: skip
    """A QA test-set row (``evals`` columns) filled from what the user asked and was given; the reference
    answer and key facts are left to write."""
    return {
        "id": ref,
        "question": question,
        "reference_answer": "",
        "expected_sources": expected,
        "key_facts": [],
        "answerable": coverage != "none",
        "coverage": coverage,
        "persona": role,
        "tags": tags,
        "split": "test",
        "history": history,
        "false_premise": False,
        "answer_given": answer,
        "sources_given": [c.get("label", "") for c in citations],
        "comment": comment,
    }


def qa_row(row: FeedbackRow) -> dict[str, Any]:
    """The QA row of a rated answer: the cited sources become the expected ones, unless the user said the
    source was wrong."""
    expected = [] if row.wrong_source else expected_sources(row.citations)
    tags = [
        "retour-utilisateur",
        *(["mauvaise-source"] if row.wrong_source else []),
        *(["refus"] if row.refused else []),
    ]
    given = (row.role, row.history, row.answer, row.citations, row.comment)
    return _test_row(f"retour-{row.id}", row.question, expected, tags, *given)


def qa_jsonl(row: FeedbackRow) -> str:
    """:func:`qa_row` as one JSONL line."""
    return json.dumps(qa_row(row), ensure_ascii=False)


# --- what users asked: declined and partly covered questions --------------------------------------------

_EXCHANGES = (
    """
CREATE TABLE IF NOT EXISTS exchanges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    searched TEXT NOT NULL DEFAULT '',
    route TEXT NOT NULL,
    coverage TEXT NOT NULL,
    refused INTEGER NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    fiches TEXT NOT NULL,
    history TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT '',
    backend TEXT NOT NULL DEFAULT ''
)
""",
    "CREATE TABLE IF NOT EXISTS exchange_days (day TEXT PRIMARY KEY, questions INTEGER NOT NULL)",
)
# personal medical questions are never written down; a question declined only for the documents a user chose as a
# filter is no gap of the corpus (the others treat it)
_NOT_KEPT = frozenset({Route.MEDICAL, Route.EMPTY, Route.FILTERED_OUT})


def _open(db_path: Path) -> sqlite3.Connection:
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(db_path, timeout=30)
    db.row_factory = sqlite3.Row
    for statement in _EXCHANGES:
        db.execute(statement)
    return db


def _fiches(answer: Answer) -> list[dict[str, Any]]:
    """The fiches an answer points to: those it cites, else those it suggests, else those of its first
    passages, else the document it drew on (as fiche number 0)."""
    found: dict[int, str] = {}
    for citation in answer.citations:
        if citation.fiche:
            found.setdefault(int(citation.fiche), citation.fiche_title)
    if not found:
        for suggestion in answer.suggestions:
            found.setdefault(int(suggestion.number), suggestion.title)
    if not found:
        for context in answer.contexts[:3]:
            if context.fiche:
                found.setdefault(int(context.fiche), context.fiche_title)
    if not found:  # no fiche near: the document of the first source or passage ("number" 0)
        first = answer.citations[0].doc_title if answer.citations else ""
        first = first or (answer.contexts[0].doc_title if answer.contexts else "")
        return [{"number": 0, "title": first}] if first else []
    return [{"number": n, "title": t} for n, t in found.items()]


def record_exchange(db_path: Path, answer: Answer, role: str | None = None) -> int | None:
    """Count one answered question; keep it when it was declined or only partly covered.

    Returns the kept row's id, or ``None`` when only the day's count changed (or the database could not
    be written: logged, the answer is not held up)."""
    try:
        return _record(Path(db_path), answer, role)
    except Exception:  # a full disk or a locked database never holds up nor fails the answer
        log.exception("question non enregistrée dans %s", db_path)
        return None


def _record(db_path: Path, answer: Answer, role: str | None) -> int | None:
    """Only what the privacy notice names: the question, the answer given, its sources and closest fiches,
    the profile, the date (not the conversation's earlier questions, which the user did not rate)."""
    day = _now()[:10]
    keep = (answer.refused or answer.coverage != Coverage.FULL) and answer.route not in _NOT_KEPT
    db = _open(db_path)
    try:
        with db:
            db.execute(
                "INSERT INTO exchange_days (day, questions) VALUES (?, 1)"
                " ON CONFLICT(day) DO UPDATE SET questions = questions + 1",
                (day,),
            )
            if not keep:
                return None
            cursor = db.execute(
                "INSERT INTO exchanges (created_at, question, searched, route, coverage, refused, answer, citations,"
                " fiches, history, role, backend) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _now(),
                    answer.question,
                    "",  # the rewritten follow-up would carry an earlier question
                    answer.route.value,
                    answer.coverage.value,
                    int(answer.refused),
                    plain_text(answer),
                    json.dumps(answer.to_dict()["citations"], ensure_ascii=False),
                    json.dumps(_fiches(answer), ensure_ascii=False),
                    "[]",
                    role or "",
                    answer.backend,
                ),
            )
            return int(cursor.lastrowid or 0)
    finally:
        db.close()


@dataclass
class UserGap:
    """A question the documents did not answer well: declined, partly covered, or disliked."""

    kind: str  # "refus" | "partielle" | "pas-utile"
    ref: str  # "echange-12" or "retour-4"
    created_at: str
    question: str
    answer: str
    citations: list[dict[str, Any]]
    fiche: dict[str, Any] | None  # the closest fiche {number, title} (number 0: a document), if any
    history: list[str]
    role: str
    comment: str = ""
    wrong_source: bool = False


def _closest(citations: list[dict[str, Any]], fiches: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    if fiches:
        return fiches[0]
    for citation in citations:
        if citation.get("fiche"):
            return {"number": int(citation["fiche"]), "title": citation.get("fiche_title", "")}
    if citations and citations[0].get("doc_title"):
        return {"number": 0, "title": citations[0]["doc_title"]}
    return None


def user_gaps(db_path: Path) -> list[UserGap]:
    """Declined and partly covered questions, and disliked answers with their comments, newest first."""
    gaps: list[UserGap] = []
    db = _open(db_path)
    try:
        for r in db.execute("SELECT * FROM exchanges").fetchall():
            citations = json.loads(r["citations"])
            gaps.append(
                UserGap(
                    kind="refus" if r["refused"] else "partielle",
                    ref=f"echange-{r['id']}",
                    created_at=r["created_at"],
                    question=r["question"],
                    answer=r["answer"],
                    citations=citations,
                    fiche=_closest(citations, json.loads(r["fiches"])),
                    history=json.loads(r["history"]),
                    role=r["role"],
                )
            )
    finally:
        db.close()
    for row in FeedbackStore(db_path).all():
        if row.rating != "dislike":
            continue
        gaps.append(
            UserGap(
                kind="pas-utile",
                ref=f"retour-{row.id}",
                created_at=row.created_at,
                question=row.question,
                answer=row.answer,
                citations=row.citations,
                fiche=_closest(row.citations),
                history=row.history,
                role=row.role,
                comment=row.comment,
                wrong_source=row.wrong_source,
            )
        )
    gaps.sort(key=lambda g: (g.created_at, g.ref), reverse=True)
    return gaps


def questions_per_day(db_path: Path) -> dict[str, int]:
    """How many questions were answered each day (``YYYY-MM-DD`` → count)."""
    db = _open(db_path)
    try:
        return {r["day"]: int(r["questions"]) for r in db.execute("SELECT * FROM exchange_days ORDER BY day")}
    finally:
        db.close()


def gap_qa_row(gap: UserGap) -> dict[str, Any]:
    """The QA row of a user gap: a declined question is expected to be declined, a partly covered one to be
    flagged partial, a disliked one to cite the sources given (unless said wrong)."""
    expected = [] if gap.kind == "refus" or gap.wrong_source else expected_sources(gap.citations)
    tags = ["retour-utilisateur", gap.kind, *(["mauvaise-source"] if gap.wrong_source else [])]
    coverage = {"refus": "none", "partielle": "partial"}.get(gap.kind, "full")
    given = (gap.role, gap.history, gap.answer, gap.citations, gap.comment)
    return _test_row(gap.ref, gap.question, expected, tags, *given, coverage=coverage)
