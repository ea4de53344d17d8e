"""An LLM as judge (``python -m evals run --llm-judge``): faithfulness and correctness of each answer.

Scores are labelled ``llm_faithfulness`` (are the answer's claims established by the passages it cites?)
and ``llm_correctness`` (does it agree with the reference answer?), between 0 and 1. They come from a
model: indicative, not deterministic, and never mixed with the measured scores. Refusals and questions
without a reference answer are not judged. The prompt is ``prompts/llm_judge.md``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from langchain_core.messages import HumanMessage

from assistant.llm.clients import make_chat_model
from assistant.prompts import load_prompt
from evals.dataset import QAItem
from ingest.settings import Settings

log = logging.getLogger(__name__)
Scorer = Callable[[QAItem, dict[str, Any]], dict[str, Any]]
_JSON = re.compile(r"\{[^{}]*\}")


def parse_verdict(text: str) -> dict[str, float] | None:
    """``{"fidelite": 0.8, "exactitude": 0.6}`` somewhere in the judge's reply → the two labelled scores."""
    for match in _JSON.finditer(text):
        try:
            data = json.loads(match.group(0))
        except json.JSONDecodeError:
            continue
        keys = {"fidelite": "llm_faithfulness", "fidélité": "llm_faithfulness", "exactitude": "llm_correctness"}
        out = {}
        for key, label in keys.items():
            value = data.get(key)
            if isinstance(value, str):  # "0,8" from a French-speaking model
                with contextlib.suppress(ValueError):
                    value = float(value.replace(",", "."))
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[label] = min(1.0, max(0.0, float(value)))
        if len(out) == 2:
            return out
    return None


def make_judge(settings: Settings) -> Scorer:
    """A scorer for :func:`evals.runner.run_items` that asks the configured LLM to grade each answer."""
    if settings.llm_backend == "none":
        raise SystemExit("--llm-judge demande un LLM : ENGAGEMENT_LLM_BACKEND, ENGAGEMENT_LLM_MODEL…")
    model = make_chat_model(settings)
    template = load_prompt(settings.prompts_dir, "llm_judge")

    def judge(item: QAItem, answer: dict[str, Any], body: str) -> dict[str, Any]:
        if answer.get("refused") or not item.answerable or not item.reference_answer:
            return {}
        contexts = "\n\n".join(f"[{c['n']}] {c.get('passage') or c.get('quote', '')}" for c in answer["citations"])
        prompt = template.format(
            question=item.question,
            reference=item.reference_answer,
            contexts=contexts or "(aucun)",
            answer=body,
        )
        try:
            reply = model.invoke([HumanMessage(prompt)])
        except Exception as exc:  # the run goes on without this item's judgement
            log.warning("juge LLM sans réponse (%s)", type(exc).__name__)
            return {}
        verdict = parse_verdict(reply.text)
        if verdict is None:
            log.warning("verdict du juge LLM illisible pour %s", item.id)
        return verdict or {}

    return judge
