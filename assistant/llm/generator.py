"""The LLM generator: the model writes from numbered passages, the draft is checked, then made into blocks.

The model writes from numbered passages (the retrieved ones, or those its tools showed it) and streams
its draft. Before anything is shown:

1. the stream must have ended properly (:mod:`assistant.llm.clients`): a dropped connection or a
   length cut gives the extractive answer with a notice naming what happened;
2. the draft must be real French text, carry at least one ``[n]`` marker, and every marker must name a
   passage the model was given — otherwise the extractive answer is shown, with a notice;
3. each sentence is scored against the passage it cites (:mod:`assistant.llm.verify`): the sentences
   become :class:`~assistant.answer.Span` values (source ``MODEL``) whose ``supported`` is False when
   their passage does not support them; they are also listed in ``details["unsupported"]``;
4. markers are renumbered in the order the answer cites them, and the citations are the same
   :class:`~assistant.answer.Citation` objects as the extractive answer's.

A server that is down, slow or failing gives the extractive answer plus a notice (a ``NOTICE`` block
first, phrasings from ``prompts/llm.toml``). ``llm_timeout`` bounds each model turn. The model answering
``HORS_CORPUS`` gives a result without citations: the assistant declines. A draft opening with
``PARTIEL : …`` (the passages answer part of the question) gives the rest as the answer and what is
missing in :attr:`GenerationResult.missing`: the assistant then says the answer is partial.
The API key comes from ``ENGAGEMENT_LLM_API_KEY`` only and is never logged or put in an answer.
"""

from __future__ import annotations

import logging
import time
from enum import StrEnum
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.answer import Block, BlockKind, Role, Span, SpanSource
from assistant.compose import CitationBook, GenerationRequest, GenerationResult
from assistant.corpus import CorpusView
from assistant.generators import Generator
from assistant.llm.clients import IncompleteStream, StreamEnd, streamer
from assistant.llm.condense import QuestionRules, condense
from assistant.llm.draft import (
    DraftBlock,
    draft_markers,
    looks_like_garbage,
    parse_draft,
    split_partial,
    tidy_draft,
)
from assistant.llm.tools import CorpusTools, Passages, describe_calls, run_tool_agent
from assistant.llm.verify import SentenceSupport, SupportChecker
from assistant.prompts import load_phrases, load_prompt
from ingest.settings import Settings

log = logging.getLogger(__name__)


class Fallback(StrEnum):
    """Why the model's answer is not shown (each has its notice ``fallback_<value>`` in prompts/llm.toml)."""

    UNAVAILABLE = "unavailable"  # down, refused, error, timed out
    DROPPED = "dropped"  # the stream stopped before its end (connection lost)
    TRUNCATED = "truncated"  # the stream was cut at the length limit
    GARBAGE = "garbage"
    NO_CITATION = "no_citation"
    BAD_MARKER = "bad_marker"


_FROM_STREAM = {StreamEnd.DROPPED: Fallback.DROPPED, StreamEnd.TRUNCATED: Fallback.TRUNCATED}


class LLMGenerator:
    """Writes answers with a chat model, then verifies them (see the module docstring)."""

    def __init__(
        self, settings: Settings, corpus: CorpusView, fallback: Generator, model: BaseChatModel, use_tools: bool
    ) -> None:
        self.settings = settings
        self.corpus = corpus
        self.fallback = fallback
        self.model = model
        self.use_tools = use_tools
        self.name = f"llm:{settings.llm_backend}:{settings.llm_model}" + (":outils" if use_tools else "")
        self.phrases = load_phrases(settings.prompts_dir, "llm")
        self.rules = QuestionRules.load(settings.prompts_dir)
        self.checker = SupportChecker(corpus.reader, corpus.embedder, corpus.stats, settings)

    def _prompt(self, name: str) -> str:
        return load_prompt(self.settings.prompts_dir, name)

    def condense(self, question: str, history: list[str]) -> str | None:
        """A follow-up rewritten as a standalone question (None: no usable rewrite)."""
        return condense(
            streamer(self.settings.llm_timeout),
            self.model,
            self._prompt("llm_condense"),
            self.rules,
            question,
            history,
            self.settings.max_question_chars,
            self.phrases["declined_token"],
        )

    # --- answering ------------------------------------------------------------------------------------
    def generate(self, request: GenerationRequest) -> GenerationResult:
        started = time.monotonic()
        passages = Passages(self.corpus, self.phrases["context_heading"])
        stream = streamer(self.settings.llm_timeout, request.on_token)
        info: dict[str, Any] = {"model": self.settings.llm_model, "mode": "outils" if self.use_tools else "contexte"}
        tools: CorpusTools | None = None
        draft: str | None = None
        failure = Fallback.UNAVAILABLE
        try:
            if self.use_tools:
                role = Role.parse(request.role)
                tools = CorpusTools(self.corpus, passages, self.phrases, role, self.settings.llm_tool_passages)
                steps, prompt = self.settings.llm_agent_steps, self._prompt("llm_agent")
                draft = run_tool_agent(self.model, tools, prompt, request.question, stream, steps)
            else:
                user = self._prompt("llm_user").format(
                    context=passages.context(self._context_chunks(request)), question=request.question
                )
                draft = stream(self.model, [SystemMessage(self._prompt("llm_system")), HumanMessage(user)]).text
        except IncompleteStream as exc:  # what arrived is not the whole answer: never shown as one
            log.warning("flux LLM incomplet (%s) : réponse extractive", exc.end.value)
            failure = _FROM_STREAM[exc.end]
            info["error"] = f"IncompleteStream:{exc.end.value}"
            info["partial_draft"] = exc.text
        except Exception as exc:  # down, timed out, refused the request: never a crash
            log.warning("LLM sans réponse (%s) : réponse extractive", type(exc).__name__)
            info["error"] = type(exc).__name__
        info["seconds"] = round(time.monotonic() - started, 3)
        if tools is not None:
            info["tool_calls"] = describe_calls(tools.calls)
        if draft is None:
            return self._fallback(request, failure, info)
        info["draft"] = draft
        return self.verify(request, draft, passages.by_number, info)

    def _context_chunks(self, request: GenerationRequest) -> list[int]:
        """The retrieved passages, best first, plus the one contradicting the question's premise if any."""
        chunks = list(request.candidates)
        if request.premise_sentence is not None:
            reader = self.corpus.reader
            premise_chunk = reader.position[reader.sentences[request.premise_sentence].chunk_id]
            if premise_chunk not in chunks:
                chunks.append(premise_chunk)
        return chunks

    def verify(
        self, request: GenerationRequest, draft: str, passages: dict[int, int], info: dict[str, Any]
    ) -> GenerationResult:
        """Check the draft's markers and support; the checked answer as blocks, or the extractive one."""
        text = tidy_draft(draft)
        if self.phrases["declined_token"] in text:
            info["status"] = "declined"
            return GenerationResult([], [], [], {"llm": info})
        text, missing = split_partial(text, self.phrases["partial_token"])
        if missing is not None:
            info["missing"] = missing
        if looks_like_garbage(text):
            return self._fallback(request, Fallback.GARBAGE, info)
        markers = draft_markers(text)
        if not markers:
            return self._fallback(request, Fallback.NO_CITATION, info)
        unknown = sorted({m for m in markers if m not in passages})
        if unknown:
            info["unknown_markers"] = unknown
            return self._fallback(request, Fallback.BAD_MARKER, info)

        book = CitationBook(self.corpus.reader, self.corpus.labels)
        renumber = {m: book.cite(passages[m], []) for m in markers}  # order of first citation
        draft_blocks = parse_draft(text)
        supports = [[self.checker.check(claim, passages) for claim in block.claims] for block in draft_blocks]
        for support in (s for row in supports for s in row if s is not None and s.supported):
            for marker, sid in support.best_sentences.items():  # the closest passage sentence is the quote
                book.cite(passages[marker], [sid])
        blocks = [self._block(block, row, renumber) for block, row in zip(draft_blocks, supports, strict=True)]
        rows = []
        for support in (s for row in supports for s in row if s is not None):
            row = support.to_dict()
            row["cited"] = [renumber.get(m, m) for m in support.cited]
            row["supported"] = support.supported
            rows.append(row)
        unsupported = [{k: r[k] for k in ("sentence", "cited", "score")} for r in rows if not r["supported"]]
        if unsupported:
            key = "note_unsupported_one" if len(unsupported) == 1 else "note_unsupported_many"
            blocks.append(Block.phrase(BlockKind.NOTICE, self.phrases[key].format(count=len(unsupported))))
        info["status"] = "ok"
        details: dict[str, Any] = {
            "llm": info,
            "support": rows,
            "unsupported": unsupported,
            "lead_chunk": passages[markers[0]],
        }
        return GenerationResult(blocks, book.citations(), [], details, missing)

    @staticmethod
    def _block(block: DraftBlock, supports: list[SentenceSupport | None], renumber: dict[int, int]) -> Block:
        """A paragraph or list item of the model's sentences, markers renumbered, support flagged."""
        spans = tuple(
            Span(
                claim.text,
                tuple(dict.fromkeys(renumber[m] for m in claim.markers if m in renumber)),
                SpanSource.MODEL,
                None if support is None else support.supported,
            )
            for claim, support in zip(block.claims, supports, strict=True)
        )
        return Block(block.kind, spans)

    def _fallback(self, request: GenerationRequest, reason: Fallback, info: dict[str, Any]) -> GenerationResult:
        """The extractive answer, after a notice saying why the model's answer is not shown."""
        result = self.fallback.generate(request)
        notice = Block.phrase(BlockKind.NOTICE, self.phrases[f"fallback_{reason.value}"])
        details = {**result.details, "llm": {**info, "status": "fallback", "reason": reason.value}}
        return GenerationResult([notice, *result.blocks], result.citations, list(result.notes), details)
