"""Follow-ups rewritten by the model as standalone questions, kept only when they read as one French question.

"et dans une CPTS ?" after a question about an MSP should become the previous question about a CPTS. A
rewrite that does not read as a single French question (two questions glued together, a word written
twice, two determiners in a row: "dans notre une CPTS") is dropped: the question is then understood as
asked, with the conversation's context. The rules are data: ``prompts/llm_question.toml``.
"""

from __future__ import annotations

import itertools
import logging
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from langchain_core.messages import HumanMessage

from assistant.llm.clients import StreamFn
from assistant.query import detect_language

log = logging.getLogger(__name__)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*['’]?")  # "l'une", "est-ce", "qu'est-ce" are one word


@dataclass(frozen=True)
class QuestionRules:
    """What a rewritten question must not do (see ``prompts/llm_question.toml``)."""

    labels: tuple[str, ...]
    determiners_first: frozenset[str]
    determiners_second: frozenset[str]
    may_repeat: frozenset[str]
    glued_run: int

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, prompts_dir: Path) -> QuestionRules:
        data = tomllib.loads((prompts_dir / "llm_question.toml").read_text(encoding="utf-8"))
        return cls(
            labels=tuple(sorted(data["labels"], key=len, reverse=True)),
            determiners_first=frozenset(data["determiners_first"]),
            determiners_second=frozenset(data["determiners_second"]),
            may_repeat=frozenset(data["may_repeat"]),
            glued_run=int(data["glued_run"]),
        )

    def strip_label(self, line: str) -> str:
        """The line without a "Question réécrite :" label, quotes or emphasis around it."""
        line = line.strip().strip("«»\"'*“” ")
        lowered = line.lower()
        for label in self.labels:
            if lowered.startswith(label) and line[len(label) :].lstrip().startswith(":"):
                line = line[len(label) :].lstrip()[1:]
                break
        return line.strip().strip("«»\"'*“” ")

    def words(self, text: str) -> list[str]:
        return [w.lower() for w in _WORD.findall(text)]

    def reads_as_question(self, text: str, asked: str = "") -> bool:
        """One French question (or several distinct ones) without a stutter, and not the follow-up
        ``asked`` glued after a rewrite (see the module docstring)."""
        if detect_language(text) != "fr":
            return False
        words = self.words(text)
        for first, second in itertools.pairwise(words):
            if first == second and first not in self.may_repeat:
                return False
            if first in self.determiners_first and second in self.determiners_second:
                return False
        n = self.glued_run
        seen: set[tuple[str, ...]] = set()
        for segment in (self.words(s) for s in text.split("?")):
            if segment and segment == self.words(asked) and seen:
                return False  # the follow-up, as asked, after a question
            runs = {tuple(segment[i : i + n]) for i in range(len(segment) - n + 1)}
            if runs & seen:
                return False
            seen |= runs
        return True


def condense(
    stream: StreamFn,
    model: object,
    template: str,
    rules: QuestionRules,
    question: str,
    history: list[str],
    max_chars: int,
    declined_token: str,
) -> str | None:
    """The follow-up ``question`` rewritten by ``model`` as a standalone question, or None (no model,
    an incomplete reply, or a rewrite that does not read as one French question)."""
    prompt = template.format(history="\n".join(f"- {q}" for q in history[-3:]), question=question)
    try:
        reply = stream(model, [HumanMessage(prompt)])
    except Exception as exc:  # down, timed out, dropped: the question is understood as asked
        log.warning("LLM sans réponse pour la reformulation (%s)", type(exc).__name__)
        return None
    line = rules.strip_label(next((ln for ln in reply.text.splitlines() if ln.strip()), ""))
    if not 3 <= len(line) <= max_chars or declined_token in line:
        return None
    if not rules.reads_as_question(line, question):
        log.info("reformulation écartée : ne se lit pas comme une question en français")
        return None
    return line
