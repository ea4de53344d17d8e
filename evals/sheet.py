"""A reading sheet: answers of a run drawn at random (same run and seed, same answers), for a person to read."""

from __future__ import annotations

import json
import random
import tomllib
from pathlib import Path
from typing import Any

SHEET_PHRASES = Path(__file__).parent / "data" / "reading_sheet.toml"


class SheetError(ValueError):
    """A run folder that cannot give a sheet (missing, unreadable, too few answers): a message in French."""


def answered_rows(run: Path) -> list[dict[str, Any]]:
    """The rows of ``run/results.jsonl`` whose question was answered: a declined one has no quotation to read."""
    results = run / "results.jsonl"
    if not results.is_file():
        raise SheetError(f"pas de résultats dans {run} : lancez d'abord « python -m evals run … --out {run} »")
    rows = []
    with open(results, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SheetError(f"{results}, ligne {number} illisible : {exc.msg}") from exc
            if not row.get("answer", {}).get("refused"):
                rows.append(row)
    return rows


def draw(rows: list[dict[str, Any]], n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` rows drawn at random with ``seed``, in the order drawn; the same rows and seed give the same draw."""
    if n < 1:
        raise SheetError("le nombre de réponses à tirer doit être d'au moins 1")
    if len(rows) < n:
        raise SheetError(f"{answers(len(rows))} seulement dans ce résultat, moins que les {n} demandées")
    ordered = sorted(rows, key=lambda row: str(row["id"]))  # the file's order does not change the draw
    return random.Random(seed).sample(ordered, n)


def reading_sheet(run: Path, n: int, seed: int, phrases_path: Path = SHEET_PHRASES) -> str:
    """The Markdown sheet: what to look for, then each drawn answer as the user read it, with a box to tick."""
    phrases = tomllib.loads(phrases_path.read_text(encoding="utf-8"))
    drawn = draw(answered_rows(run), n, seed)
    parts = [f"# {phrases['title'].format(n=n, run=run.name, seed=seed)}", phrases["instructions"]]
    for k, row in enumerate(drawn, 1):
        parts.append(phrases["item"].format(k=k, id=row["id"], question=row["question"]))
        if row.get("history"):  # a follow-up: the questions it follows, as the user asked them
            before = " ; ".join(f"« {question} »" for question in row["history"])
            parts.append(phrases["history"].format(questions=before))
        parts += [row["text"].strip(), phrases["verdict"]]
    parts.append(phrases["tally"].format(n=n))
    return "\n\n".join(parts) + "\n"


def answers(count: int) -> str:
    """« 1 réponse », « 3 réponses » (« 0 réponse »)."""
    return f"{count} réponse{'s' if count > 1 else ''}"
