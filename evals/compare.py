"""What got better or worse between two evaluation runs, metric by metric and item by item."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ITEM_KEYS = ("hit@5", "key_facts", "citation_precision", "refusal_correct")


def _load(run: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    rows = {}
    with open(run / "results.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            rows[row["id"]] = row
    return metrics, rows


def compare_runs(run_a: Path, run_b: Path) -> dict[str, Any]:
    """Compare two run folders (``metrics.json`` and ``results.jsonl`` each)."""
    metrics_a, rows_a = _load(run_a)
    metrics_b, rows_b = _load(run_b)
    return compare_results(metrics_a, rows_a, metrics_b, rows_b, str(run_a), str(run_b))


def compare_results(
    metrics_a: dict[str, Any],
    rows_a: dict[str, dict[str, Any]],
    metrics_b: dict[str, Any],
    rows_b: dict[str, dict[str, Any]],
    label_a: str,
    label_b: str,
) -> dict[str, Any]:
    """Metric deltas (B − A) and the items whose scores went up or down; rows are keyed by item id."""
    deltas = {}
    for key, value_a in metrics_a["overall"].items():
        value_b = metrics_b["overall"].get(key)
        if isinstance(value_a, int | float) and isinstance(value_b, int | float):
            deltas[key] = {"a": value_a, "b": value_b, "delta": round(float(value_b) - float(value_a), 4)}
    better, worse = [], []
    for item_id in sorted(set(rows_a) & set(rows_b)):
        sa, sb = rows_a[item_id]["scores"], rows_b[item_id]["scores"]
        changes = {}
        for key in ITEM_KEYS:
            if key in sa and key in sb and float(sa[key]) != float(sb[key]):
                changes[key] = round(float(sb[key]) - float(sa[key]), 4)
        if not changes:
            continue
        entry = {"id": item_id, "question": rows_b[item_id]["question"], "changes": changes}
        (better if sum(changes.values()) > 0 else worse).append(entry)
    return {
        "a": label_a,
        "b": label_b,
        "metrics": deltas,
        "better": better,
        "worse": worse,
        "only_in_a": sorted(set(rows_a) - set(rows_b)),
        "only_in_b": sorted(set(rows_b) - set(rows_a)),
    }


def format_comparison(comparison: dict[str, Any]) -> str:
    lines = [
        f"A = {comparison['a']}",
        f"B = {comparison['b']}",
        "",
        f"{'métrique':24} {'A':>9} {'B':>9} {'Δ':>9}",
    ]
    for key, d in comparison["metrics"].items():
        lines.append(f"{key:24} {d['a']:>9} {d['b']:>9} {d['delta']:>+9}")
    for title, entries in (
        ("Mieux dans B", comparison["better"]),
        ("Moins bien dans B", comparison["worse"]),
    ):
        lines += ["", f"{title} ({len(entries)}) :"]
        for e in entries:
            changes = ", ".join(f"{k} {v:+}" for k, v in e["changes"].items())
            lines.append(f"  {e['id']}: {changes} — {e['question'][:80]}")
    return "\n".join(lines)
