"""Choose retrieval settings by measurement: fusion weights and the refusal threshold.

``python -m evals tune [SET]`` prints, for the dev and test splits, hit@5 and MRR of the hybrid
retrieval over a grid of fusion weights, and the refusal trade-off (wrong refusals vs wrong answers)
over a range of thresholds. Chunk sizes are compared with ``scripts/tune_chunking.py`` (it re-ingests).
"""

from __future__ import annotations

from typing import Any

from assistant.agent import Assistant
from evals.dataset import QAItem
from evals.metrics import source_matches

# (vectors of passages, BM25, best sentence)
WEIGHTS = [
    (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (1.0, 1.0, 0.0), (0.5, 1.0, 0.0), (0.0, 1.0, 1.0),
    (0.5, 1.0, 0.5), (0.5, 1.0, 1.0), (1.0, 1.0, 1.0), (0.3, 1.0, 0.3), (0.5, 1.5, 0.5), (0.0, 1.5, 1.0),
]  # fmt: skip


def _first_rank(item: QAItem, refs: list[dict[str, Any]]) -> int | None:
    for rank, ref in enumerate(refs, 1):
        if any(source_matches(s, ref) for s in item.expected_sources):
            return rank
    return None


def retrieval_grid(assistant: Assistant, items: list[QAItem]) -> list[dict[str, Any]]:
    """hit@5 and MRR of the retrieval for each pair of fusion weights."""
    prepared = []
    for item in items:
        if not item.answerable or not item.expected_sources:
            continue
        previous = None
        for past in item.history:
            previous = assistant._understand(past, previous)
        query = assistant._understand(item.question, previous)
        if query.intent != "search":
            continue
        prepared.append((item, query, assistant.embedder.query_array(query.semantic_text)))
    results = []
    base = assistant.retriever.settings
    for w_vec, w_bm25, w_sent in WEIGHTS:
        assistant.retriever.settings = replace_settings(
            base, weight_vector=w_vec, weight_bm25=w_bm25, weight_sentence=w_sent
        )
        for split in ("dev", "test"):
            hits, rr, n = 0.0, 0.0, 0
            for item, query, vector in prepared:
                if item.split != split:
                    continue
                where = {"fiche": query.fiche} if query.fiche else None
                found = assistant.retriever.search(query.search_text, vector, where)
                refs = [
                    {
                        "doc_id": c.doc_id,
                        "fiche": c.fiche,
                        "section_number": c.section_number,
                        "chunk_id": c.chunk_id,
                    }
                    for c in (assistant.reader.chunks[x.index] for x in found)
                ]
                rank = _first_rank(item, refs)
                n += 1
                hits += float(rank is not None and rank <= 5)
                rr += 1.0 / rank if rank else 0.0
            results.append(
                {
                    "weight_vector": w_vec,
                    "weight_bm25": w_bm25,
                    "weight_sentence": w_sent,
                    "split": split,
                    "hit@5": round(hits / max(n, 1), 4),
                    "mrr": round(rr / max(n, 1), 4),
                    "n": n,
                }
            )
    assistant.retriever.settings = base
    return results


def replace_settings(settings: Any, **changes: Any) -> Any:
    """A copy of the frozen settings with some fields changed."""
    return settings.model_copy(update=changes)


def refusal_curve(assistant: Assistant, items: list[QAItem]) -> list[dict[str, Any]]:
    """For each threshold: answerable questions refused, unanswerable questions answered."""
    points = []
    for item in items:
        answer = assistant.ask(item.question, history=item.history or None)
        if answer.route != "search" and "assessment" not in answer.details:
            continue  # structural routes (lists, nonexistent fiches) do not use the threshold
        confidence = answer.details.get("assessment", {}).get("confidence", answer.confidence)
        points.append((item.split, item.answerable, float(confidence)))
    curve = []
    for step in range(80, 96):
        threshold = step / 100
        for split in ("dev", "test"):
            subset = [p for p in points if p[0] == split]
            wrong_refusals = sum(1 for _, ok, c in subset if ok and c < threshold)
            wrong_answers = sum(1 for _, ok, c in subset if not ok and c >= threshold)
            curve.append(
                {
                    "threshold": threshold,
                    "split": split,
                    "wrong_refusals": wrong_refusals,
                    "wrong_answers": wrong_answers,
                    "answerable": sum(1 for p in subset if p[1]),
                    "unanswerable": sum(1 for p in subset if not p[1]),
                }
            )
    return curve
