"""Scores that need no LLM: retrieval, citations, key facts, refusals, answer similarity, latency, and the
sentences of an LLM answer that their cited passage does not support."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from evals.dataset import QAItem
from ingest.lexical import fold_accents

_MARKER = re.compile(r"\[\d+\]")
_ENDS = re.compile(r"[.!?:;…»”\"')]\s*$")  # how a whole sentence (or a list's introduction) ends


def fragment_share(blocks: list[dict[str, Any]]) -> float | None:
    """Share of the corpus sentences quoted as prose that are not whole: no end mark, or a lower-case start
    (list items are left out: a bullet need not be a sentence). None when nothing is quoted as prose."""
    spans = [
        span["text"].strip()
        for block in blocks
        if block.get("kind") == "paragraph"
        for span in block.get("spans", ())
        if span.get("source") == "corpus" and span.get("text", "").strip()
    ]
    if not spans:
        return None
    cut = [t for t in spans if not _ENDS.search(t) or (t[0].isalpha() and t[0].islower())]
    return len(cut) / len(spans)


def normalise(text: str) -> str:
    """Lower case, accents folded, apostrophes unified, punctuation and spaces collapsed."""
    text = fold_accents(text.lower()).replace("’", "'")
    return re.sub(r"\s+", " ", re.sub(r"[^\w'%]+", " ", text)).strip()


def source_matches(source: dict[str, Any], ref: dict[str, Any]) -> bool:
    """Does a retrieved/cited passage (``ref``: doc_id, fiche, section_number, chunk_id) match an
    expected source (``doc``, optional ``fiche``, optional ``section`` prefix, or ``chunk``)?"""
    if source.get("chunk"):
        return ref.get("chunk_id") == source["chunk"]
    if ref.get("doc_id") != source.get("doc"):
        return False
    if source.get("fiche") and int(ref.get("fiche") or 0) != int(source["fiche"]):
        return False
    section = str(source.get("section") or "")
    number = str(ref.get("section_number") or "")
    return not section or number == section or number.startswith(section + ".")


def _first_hit(item: QAItem, refs: list[dict[str, Any]]) -> int | None:
    for rank, ref in enumerate(refs, 1):
        if any(source_matches(s, ref) for s in item.expected_sources):
            return rank
    return None


def ndcg(item: QAItem, refs: list[dict[str, Any]], k: int) -> float:
    """nDCG@k with binary relevance; the ideal puts every relevant retrieved passage first."""
    gains = [1.0 if any(source_matches(s, r) for s in item.expected_sources) else 0.0 for r in refs]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains[:k]))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(int(sum(gains)), k)))
    return dcg / ideal if ideal else 0.0


def key_fact_coverage(facts: list[str], answer_text: str) -> float:
    if not facts:
        return 1.0
    text = normalise(_MARKER.sub(" ", answer_text))
    return sum(normalise(f) in text for f in facts) / len(facts)


def _answered(answer: dict[str, Any]) -> str:
    """The words of the answer's blocks above the heading of the passages that may not answer it (all of them
    without such a heading)."""
    words: list[str] = []
    for block in answer.get("blocks", []):
        if block.get("kind") == "further":
            break
        words += [span.get("text", "") for span in block.get("spans", [])]
    return " ".join(words)


def rouge_l(reference: str, candidate: str) -> float:
    """ROUGE-L F1 on normalised words (longest common subsequence)."""
    ref, cand = normalise(reference).split(), normalise(_MARKER.sub(" ", candidate)).split()
    if not ref or not cand:
        return 0.0
    lcs = LCSseq.similarity(ref, cand)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(cand), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


def context_recall(reference_contexts: list[str], retrieved: list[str]) -> float | None:
    """Share of reference contexts found (fuzzy) among the retrieved passages (RAGAS non-LLM recall)."""
    if not reference_contexts:
        return None
    found = sum(any(fuzz.partial_ratio(ref, text) >= 80 for text in retrieved) for ref in reference_contexts)
    return found / len(reference_contexts)


def score_item(item: QAItem, answer: dict[str, Any], text: str, cosine: float | None = None) -> dict[str, Any]:
    """Per-item scores of one answer (the ``Answer`` as a dict, and its rendered ``text``)."""
    contexts = answer.get("contexts", [])
    citations = answer.get("citations", [])
    refused = bool(answer.get("refused"))
    partial = answer.get("coverage") == "partial"
    scores: dict[str, Any] = {"refused": refused, "refusal_correct": refused != item.answerable}
    if item.coverage == "full":
        scores["flagged_partial"] = float(partial)  # a full answer wrongly said to be partial
    else:  # the documents do not (fully) answer it: declined, or answered and said to be partial
        scores["gap_handled"] = float(refused or partial)
        if item.coverage == "partial":
            scores["refusal_correct"] = True
    scores["latency_ms"] = float(answer.get("timings", {}).get("total", 0.0))
    if item.answerable and item.expected_sources:
        rank = _first_hit(item, contexts)
        for k in (1, 3, 5):
            scores[f"hit@{k}"] = float(rank is not None and rank <= k)
        scores["mrr"] = 1.0 / rank if rank else 0.0
        scores["ndcg@5"] = ndcg(item, contexts, 5)
        if citations:
            good = [any(source_matches(s, c) for s in item.expected_sources) for c in citations]
            scores["citation_precision"] = sum(good) / len(good)
        scores["source_recall"] = sum(
            any(source_matches(s, c) for c in citations) for s in item.expected_sources
        ) / len(item.expected_sources)
        scores["cited_expected"] = float(_first_hit(item, citations) is not None)
    if item.answerable:
        scores["key_facts"] = key_fact_coverage(item.key_facts, text if not refused else "")
        # the same, read in the answer proper: above the passages said to be close but perhaps not answering
        scores["key_facts_answered"] = key_fact_coverage(item.key_facts, _answered(answer) if not refused else "")
        if item.reference_answer:
            scores["rouge_l"] = rouge_l(item.reference_answer, text if not refused else "")
        if cosine is not None:
            scores["cosine"] = cosine if not refused else 0.0
    details = answer.get("details") or {}
    if citations and not refused:  # back matter quoted first, the question asking neither resources nor a definition
        first_role = citations[0].get("role", "body")
        # a guide's description defines; a question about a support structure asks for its directory entry
        answers_so = details.get("asks_resources") or details.get("definition_first") or details.get("directory_entry")
        scores["back_matter_first"] = float(first_role != "body" and not answers_so)
        if "other_structure_first" in details:  # the question names a structure (MSP, centre de santé, CPTS)
            scores["other_structure_first"] = float(bool(details["other_structure_first"]))
    if not refused and (share := fragment_share(answer.get("blocks", []))) is not None:
        scores["fragments"] = share
    if "support" in details:  # an LLM-written answer, its sentences checked against their passages
        scores["unsupported_sentences"] = float(len(details.get("unsupported") or []))
    recall = context_recall(item.reference_contexts, [c.get("text", "") for c in contexts])
    if recall is not None:
        scores["context_recall"] = recall
    if not refused and details.get("asks_list"):  # failure kind 7: an enumeration answered without its list
        scores["list_given"] = float(any(block.get("kind") == "list_item" for block in answer.get("blocks", [])))
    if not refused and not item.false_premise:  # failure kind 5: a warning on a question that assumes nothing
        scores["premise_unfounded"] = float(bool(details.get("false_premise") and details.get("premise_explicit")))
    if item.history:  # failure kind 8: the follow-up's rewrite shown glued to the question before it
        scores["followup_glued"] = float(str(answer.get("standalone_question", "")).count("?") > 1)
    if item.false_premise:
        scores["premise_flagged"] = float(bool(details.get("false_premise")))
        scores["premise_handled"] = float(
            not refused and (bool(details.get("false_premise")) or scores.get("key_facts", 0.0) >= 0.5)
        )
    return scores


def aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Means of the per-item scores, refusal precision/recall and latency percentiles."""
    out: dict[str, Any] = {"items": len(rows)}
    keys = sorted({k for r in rows for k, v in r["scores"].items() if isinstance(v, int | float) and k != "refused"})
    for key in keys:
        values = [float(r["scores"][key]) for r in rows if key in r["scores"]]
        if key == "latency_ms":
            continue
        out[key] = round(float(np.mean(values)), 4) if values else None
    refused = [r for r in rows if r["scores"]["refused"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    true_refusals = [r for r in refused if not r["answerable"]]
    out["refusal_precision"] = round(len(true_refusals) / len(refused), 4) if refused else None
    out["refusal_recall"] = round(len(true_refusals) / len(unanswerable), 4) if unanswerable else None
    out["wrong_refusals"] = len([r for r in refused if r["answerable"]])
    out["wrong_answers_to_unanswerable"] = len([r for r in unanswerable if not r["scores"]["refused"]])
    full = [r for r in rows if r.get("coverage", "full" if r["answerable"] else "none") == "full"]
    out["wrong_refusal_rate"] = round(sum(r["scores"]["refused"] for r in full) / len(full), 4) if full else None
    latencies = [float(r["scores"]["latency_ms"]) for r in rows]
    if latencies:
        out["latency_p50_ms"] = round(float(np.percentile(latencies, 50)), 2)
        out["latency_p95_ms"] = round(float(np.percentile(latencies, 95)), 2)
    return out
