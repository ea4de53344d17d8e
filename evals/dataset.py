"""QA test sets: JSONL or CSV, our columns or RAGAS-style ones; bad rows are reported, not fatal.

Our columns: ``id, question, reference_answer, expected_sources, key_facts, answerable, persona, tags,
split, history, false_premise`` (``expected_sources``: list of ``{doc, fiche?, section?, chunk?}``).
RAGAS columns accepted too: ``user_input`` → question, ``reference`` (or the older ``ground_truth``) →
reference answer, ``reference_contexts`` (texts), ``reference_context_ids`` (chunk ids of this index).
A CSV saved by a spreadsheet in Windows-1252 is read too.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

COVERAGES = ("full", "partial", "none")
SETS_DIR = Path(__file__).parent / "sets"  # the shipped QA sets


@dataclass
class QAItem:
    id: str
    question: str
    reference_answer: str = ""
    expected_sources: list[dict[str, Any]] = field(default_factory=list)
    key_facts: list[str] = field(default_factory=list)
    answerable: bool = True
    persona: str = ""
    tags: list[str] = field(default_factory=list)
    split: str = "test"
    history: list[str] = field(default_factory=list)
    false_premise: bool = False
    reference_contexts: list[str] = field(default_factory=list)
    coverage: str = ""  # "full" | "partial" | "none": how far the documents answer it ("" = from answerable)
    source_url: str = ""  # where a real-world question was found

    def __post_init__(self) -> None:
        self.coverage = self.coverage or ("full" if self.answerable else "none")
        if self.coverage not in COVERAGES:
            raise ValueError(f"« coverage » doit valoir {', '.join(COVERAGES)} (reçu {self.coverage!r})")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class LoadedSet:
    items: list[QAItem]
    errors: list[RowError]


def _as_list(value: Any) -> list[Any]:
    """Lists may come as JSON arrays, JSON strings ("[...]") or "a|b" strings (CSV)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            parsed = json.loads(text)
            if not isinstance(parsed, list):
                raise ValueError("liste attendue")
            return parsed
        return [part.strip() for part in text.split("|") if part.strip()]
    raise ValueError(f"liste attendue, reçu {type(value).__name__}")


def _as_bool(value: Any, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "vrai", "oui", "yes"):
        return True
    if text in ("0", "false", "faux", "non", "no"):
        return False
    raise ValueError(f"booléen attendu, reçu {value!r}")


def item_from_row(row: dict[str, Any], line: int) -> QAItem:
    """One QA item from a row of our format or of RAGAS's. Raises ValueError with the reason."""
    question = row.get("question") or row.get("user_input")
    if not isinstance(question, str) or not question.strip():
        raise ValueError("champ « question » (ou « user_input ») manquant ou vide")
    sources = [s if isinstance(s, dict) else {"doc": str(s)} for s in _as_list(row.get("expected_sources"))]
    sources += [{"chunk": str(cid)} for cid in _as_list(row.get("reference_context_ids"))]
    for source in sources:
        if not (source.get("doc") or source.get("chunk")):
            raise ValueError("chaque source attendue doit avoir « doc » ou « chunk »")
    answerable = _as_bool(row.get("answerable"), default=True)
    return QAItem(
        id=str(row.get("id") or f"ligne-{line}"),
        question=question.strip(),
        reference_answer=str(row.get("reference_answer") or row.get("reference") or row.get("ground_truth") or ""),
        expected_sources=sources,
        key_facts=[str(k) for k in _as_list(row.get("key_facts"))],
        answerable=answerable,
        persona=str(row.get("persona") or ""),
        tags=[str(t) for t in _as_list(row.get("tags"))],
        split=str(row.get("split") or "test"),
        history=[str(h) for h in _as_list(row.get("history"))],
        false_premise=_as_bool(row.get("false_premise"), default=False),
        reference_contexts=[str(c) for c in _as_list(row.get("reference_contexts"))],
        coverage=str(row.get("coverage") or ""),
        source_url=str(row.get("source_url") or ""),
    )


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def select_split(loaded: LoadedSet, split: str | None) -> LoadedSet:
    """The items of one split (all of them when ``split`` is empty); the row errors are kept."""
    if not split:
        return loaded
    return LoadedSet([i for i in loaded.items if i.split == split], loaded.errors)


def load_set(path: Path | str) -> LoadedSet:
    """Read a QA set; each malformed row becomes a :class:`RowError` with its line number."""
    path = Path(path)
    text = _read_text(path)
    items: list[QAItem] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    rows: list[tuple[int, Any]] = []
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        rows = [(reader.line_num, row) for row in reader]
    else:
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                rows.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                errors.append(RowError(number, f"JSON invalide : {exc.msg} (colonne {exc.colno})"))
    for number, row in rows:
        if not isinstance(row, dict):
            errors.append(RowError(number, "objet JSON attendu"))
            continue
        try:
            item = item_from_row(row, number)
        except (ValueError, json.JSONDecodeError) as exc:
            errors.append(RowError(number, str(exc)))
            continue
        if item.id in seen:
            errors.append(RowError(number, f"identifiant en double : {item.id}"))
            continue
        seen.add(item.id)
        items.append(item)
    return LoadedSet(items, errors)
