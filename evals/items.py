"""What went wrong with one evaluated item: failure reasons, missed key facts and missed sources.

Rows are those of ``results.jsonl`` (the item's columns, ``answer``, ``text`` and ``scores``). Reasons are
codes; the web app words them (``assistant/web/evaluation.toml``).
"""

from __future__ import annotations

from typing import Any

from evals.metrics import key_fact_coverage, source_matches

FAILURE_REASONS = ("decision", "gap", "retrieval", "citation", "facts")
KEY_FACTS_FLOOR = 0.5  # fewer key facts than this share in the answer: failed


def failure_reasons(row: dict[str, Any]) -> list[str]:
    """Why an item counts as failed (empty: it passed): wrong answer/decline decision, a gap neither
    declined nor flagged, expected source not in the 5 passages, not cited, or under half the key facts."""
    s = row["scores"]
    reasons = []
    if not s.get("refusal_correct", True):
        reasons.append("decision")
    if s.get("gap_handled") == 0.0:
        reasons.append("gap")
    if s.get("hit@5") == 0.0:
        reasons.append("retrieval")
    if s.get("cited_expected") == 0.0:
        reasons.append("citation")
    if "key_facts" in s and not s["refused"] and float(s["key_facts"]) < KEY_FACTS_FLOOR:
        reasons.append("facts")
    return reasons


def missed_facts(row: dict[str, Any]) -> list[str]:
    """The expected key facts that the answer's text does not contain."""
    text = "" if row["scores"].get("refused") else row.get("text", "")
    return [fact for fact in row.get("key_facts", []) if key_fact_coverage([fact], text) < 1.0]


def _found(source: dict[str, Any], refs: list[dict[str, Any]]) -> bool:
    return any(source_matches(source, ref) for ref in refs)


def missed_sources(row: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Expected sources not among the retrieved passages (``retrieved``) and not cited (``cited``)."""
    answer = row.get("answer", {})
    expected = row.get("expected_sources", [])
    return {
        "retrieved": [s for s in expected if not _found(s, answer.get("contexts", []))],
        "cited": [s for s in expected if not _found(s, answer.get("citations", []))],
    }


def expected_source_text(source: dict[str, Any]) -> str:
    """``has-2023 fiche 6 § 6.2`` for an expected source."""
    parts = [str(source.get("doc") or source.get("chunk", ""))]
    if source.get("fiche"):
        parts.append(f"fiche {source['fiche']}")
    if source.get("section"):
        parts.append(f"§ {source['section']}")
    return " ".join(parts)


def matches_expected(ref: dict[str, Any], row: dict[str, Any]) -> bool:
    """Is a retrieved or cited passage one of the row's expected sources?"""
    return any(source_matches(s, ref) for s in row.get("expected_sources", []))
