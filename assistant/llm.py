"""Optional LLM generation (Ollama or any OpenAI-compatible server), with its answers checked.

The model writes from numbered passages (the retrieved ones, or those its tools showed it) and streams
its draft. Before anything is shown:

1. the draft must be real French text, carry at least one ``[n]`` marker, and every marker must name a
   passage the model was given — otherwise the extractive answer is shown, with a short notice;
2. each sentence is scored against the passage it cites (:mod:`assistant.support`); sentences their
   passage does not support are listed in ``details["unsupported"]`` and announced in a note;
3. markers are renumbered in the order the answer cites them, and the citations are the same
   :class:`~assistant.answer.Citation` objects as the extractive answer's.

A server that is down, slow or failing gives the extractive answer plus a notice. ``llm_timeout``
bounds each model turn: a follow-up costs two turns at most (rewriting, answering), the tool agent up to
``MAX_STEPS + 2``.
The model answering ``HORS_CORPUS`` gives a result without citations: the assistant declines.
The API key comes from ``ENGAGEMENT_LLM_API_KEY`` only and is never logged or put in an answer.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from pydantic import SecretStr

from assistant.compose import CitationBook, GenerationRequest, GenerationResult
from assistant.prompts import load_phrases, load_prompt
from assistant.query import detect_language
from assistant.support import MARKER, SupportChecker
from assistant.tools import CorpusTools, Passages, StreamFn, describe_calls, run_tool_agent
from ingest.settings import Settings

if TYPE_CHECKING:
    from assistant.agent import Assistant

log = logging.getLogger(__name__)

_MARKER_LIST = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})+)\]")  # "[1, 2]" → "[1][2]"
# A "Sources" heading line and all after it (no overlapping quantifiers: linear on runs of newlines).
_SOURCES_BLOCK = re.compile(r"^[ \t]*(?:\*\*|#+)?[ \t]*sources?[ \t:*]*$.*\Z", re.IGNORECASE | re.MULTILINE | re.DOTALL)
_SPECIAL_TOKEN = re.compile(r"<\|[^|>]*\|>|</?s>|\[/?INST\]|\\u[0-9a-f]{4}|\ufffd", re.IGNORECASE)
NO_KEY = "sans-cle"  # local servers (Ollama, vLLM, llama.cpp) want no key, but the OpenAI client wants one


def make_chat_model(settings: Settings) -> BaseChatModel:
    """The LangChain chat model of the settings: ``ChatOllama`` or ``ChatOpenAI`` (any compatible server)."""
    if not settings.llm_model:
        raise ValueError("ENGAGEMENT_LLM_MODEL doit nommer le modèle du serveur LLM")
    key = settings.llm_api_key.get_secret_value()
    try:
        if settings.llm_backend == "ollama":
            from langchain_ollama import ChatOllama

            client: dict[str, Any] = {"timeout": settings.llm_timeout}
            if key:  # an Ollama behind an authenticating proxy
                client["headers"] = {"Authorization": f"Bearer {key}"}
            return ChatOllama(
                model=settings.llm_model,
                base_url=settings.llm_base_url or None,
                temperature=settings.llm_temperature,
                client_kwargs=client,
            )
        if settings.llm_backend == "openai":
            from langchain_openai import ChatOpenAI

            return ChatOpenAI(
                model=settings.llm_model,
                base_url=settings.llm_base_url or None,
                api_key=settings.llm_api_key if key else SecretStr(NO_KEY),
                timeout=settings.llm_timeout,
                max_retries=0,
                temperature=settings.llm_temperature,
            )
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError("client LLM absent : pip install -e '.[llm]'") from exc
    raise ValueError(f"llm_backend inconnu : {settings.llm_backend}")


def tidy_draft(draft: str) -> str:
    """The model's draft with "[1, 2]" split into "[1][2]" and any "Sources" block of its own removed
    (the checked one is added after)."""
    return _SOURCES_BLOCK.sub("", _MARKER_LIST.sub(_split_marker_list, draft)).strip()


def looks_like_garbage(text: str) -> bool:
    """Empty, mostly symbols, special tokens, a handful of words, or not French."""
    body = MARKER.sub(" ", text).strip()
    letters = sum(ch.isalpha() for ch in body)
    if letters < 20 or letters / len(body) < 0.6 or _SPECIAL_TOKEN.search(body):
        return True
    return len(re.findall(r"[^\W\d_]{2,}", body)) < 4 or detect_language(body) != "fr"


class LLMGenerator:
    """Writes answers with a chat model, then verifies them (see the module docstring)."""

    def __init__(self, settings: Settings, assistant: Assistant, model: BaseChatModel, use_tools: bool) -> None:
        self.settings = settings
        self.assistant = assistant
        self.model = model
        self.use_tools = use_tools
        self.name = f"llm:{settings.llm_backend}:{settings.llm_model}" + (":outils" if use_tools else "")
        self.phrases = load_phrases(settings.prompts_dir, "llm")
        self.checker = SupportChecker(assistant.reader, assistant.embedder, assistant.stats)

    # --- talking to the model -------------------------------------------------------------------------
    def _streamer(self, on_token: Callable[[str], None] | None) -> StreamFn:
        """A function that streams one model turn, forwarding text to ``on_token``, within ``llm_timeout``."""
        timeout = self.settings.llm_timeout

        def stream(model: Any, messages: list[BaseMessage]) -> AIMessage:
            deadline = time.monotonic() + timeout
            full: AIMessageChunk | None = None
            for chunk in model.stream(messages):
                full = chunk if full is None else full + chunk
                if on_token is not None and chunk.text:
                    on_token(chunk.text)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"pas de réponse complète en {timeout} s")
            if full is None:
                return AIMessage("")
            return AIMessage(content=full.content, tool_calls=full.tool_calls)

        return stream

    def _prompt(self, name: str) -> str:
        return load_prompt(self.settings.prompts_dir, name)

    def condense(self, question: str, history: list[str]) -> str | None:
        """A follow-up rewritten as a standalone question (None when the model cannot be used)."""
        prompt = self._prompt("llm_condense").format(
            history="\n".join(f"- {q}" for q in history[-3:]), question=question
        )
        try:
            reply = self._streamer(None)(self.model, [HumanMessage(prompt)])
        except Exception as exc:
            log.warning("LLM sans réponse pour la reformulation (%s)", type(exc).__name__)
            return None
        line = next((ln.strip() for ln in reply.text.splitlines() if ln.strip()), "")
        line = re.sub(r"^(?:question(?: réécrite)?\s*:\s*)", "", line, flags=re.IGNORECASE).strip(" «»\"'*")
        if not 3 <= len(line) <= self.settings.max_question_chars or self.phrases["declined_token"] in line:
            return None
        return line

    # --- answering ------------------------------------------------------------------------------------
    def generate(self, request: GenerationRequest) -> GenerationResult:
        started = time.monotonic()
        passages = Passages(self.assistant, self.phrases["context_heading"])
        stream = self._streamer(request.on_token)
        info: dict[str, Any] = {"model": self.settings.llm_model, "mode": "outils" if self.use_tools else "contexte"}
        tools: CorpusTools | None = None
        draft: str | None = None
        try:
            if self.use_tools:
                tools = CorpusTools(self.assistant, passages, self.phrases, request.role)
                draft = run_tool_agent(self.model, tools, self._prompt("llm_agent"), request.question, stream)
            else:
                user = self._prompt("llm_user").format(
                    context=passages.context(self._context_chunks(request)), question=request.question
                )
                draft = stream(self.model, [SystemMessage(self._prompt("llm_system")), HumanMessage(user)]).text
        except Exception as exc:  # down, timed out, refused the request: never a crash
            log.warning("LLM sans réponse (%s) : réponse extractive", type(exc).__name__)
            info["error"] = type(exc).__name__
        info["seconds"] = round(time.monotonic() - started, 3)
        if tools is not None:
            info["tool_calls"] = describe_calls(tools.calls)
        if draft is None:
            return self._fallback(request, "unavailable", info)
        info["draft"] = draft
        return self.verify(request, draft, passages.by_number, info)

    def _context_chunks(self, request: GenerationRequest) -> list[int]:
        """The retrieved passages, best first, plus the one contradicting the question's premise if any."""
        chunks = list(request.candidates)
        if request.premise_sentence is not None:
            reader = self.assistant.reader
            premise_chunk = reader.position[reader.sentences[request.premise_sentence].chunk_id]
            if premise_chunk not in chunks:
                chunks.append(premise_chunk)
        return chunks

    def verify(
        self, request: GenerationRequest, draft: str, passages: dict[int, int], info: dict[str, Any]
    ) -> GenerationResult:
        """Check the draft's markers and support; the checked answer, or the extractive one with a notice."""
        text = tidy_draft(draft)
        if self.phrases["declined_token"] in text:
            info["status"] = "declined"
            return GenerationResult("", [], details={"llm": info})
        if looks_like_garbage(text):
            return self._fallback(request, "garbage", info)
        markers = [int(m) for m in MARKER.findall(text)]
        if not markers:
            return self._fallback(request, "no_citation", info)
        unknown = sorted({m for m in markers if m not in passages})
        if unknown:
            info["unknown_markers"] = unknown
            return self._fallback(request, "bad_marker", info)

        reader = self.assistant.reader
        book = CitationBook(reader, self.assistant.labels)
        renumber = {m: book.cite(passages[m], []) for m in markers}  # order of first citation
        supports = self.checker.check(text, passages)
        for support in supports:  # the passage sentences closest to a supported claim are its quote
            if support.supported:
                for marker, sid in support.best_sentences.items():
                    book.cite(passages[marker], [sid])
        rows = []
        for support in supports:
            row = support.to_dict()
            row["cited"] = [renumber.get(m, m) for m in support.cited]
            row["supported"] = support.supported
            rows.append(row)
        unsupported = [{k: r[k] for k in ("sentence", "cited", "score")} for r in rows if not r["supported"]]
        body = MARKER.sub(lambda m: f"[{renumber[int(m.group(1))]}]", text)
        info["status"] = "ok"
        notes = []
        if unsupported:
            key = "note_unsupported_one" if len(unsupported) == 1 else "note_unsupported_many"
            notes.append(self.phrases[key].format(count=len(unsupported)))
        sources = book.sources_block(self.assistant.phrases["sources_heading"])
        details: dict[str, object] = {
            "llm": info,
            "support": rows,
            "unsupported": unsupported,
            "lead_chunk": passages[markers[0]],
        }
        return GenerationResult(f"{body}\n\n{sources}", book.citations(), notes, details)

    def _fallback(self, request: GenerationRequest, reason: str, info: dict[str, Any]) -> GenerationResult:
        """The extractive answer, with a notice saying why the model's answer is not shown."""
        result = self.assistant.extractive.generate(request)
        result.notes.insert(0, self.phrases[f"fallback_{reason}"])
        result.details["llm"] = {**info, "status": "fallback", "reason": reason}
        return result


def _split_marker_list(match: re.Match[str]) -> str:
    return "".join(f"[{n}]" for n in re.split(r"\s*[,;]\s*", match.group(1)))


def make_llm_generator(settings: Settings, assistant: Assistant) -> LLMGenerator:
    """The generator of ``settings.llm_backend`` (called by :meth:`Assistant.from_settings`)."""
    return LLMGenerator(settings, assistant, make_chat_model(settings), settings.llm_tools)
