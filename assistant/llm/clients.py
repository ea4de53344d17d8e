"""The LangChain chat clients (Ollama, any OpenAI-compatible server) and one streamed model turn.

A turn counts only when its stream *ended properly*: a finish reason (OpenAI-compatible servers:
``stop`` or ``tool_calls``, then ``[DONE]``) or Ollama's last line ``done: true``. LangChain puts both in
the ``response_metadata`` of the stream's chunks. A stream that stops without one (the server went
away, the connection was cut) or that was cut at the length limit raises :class:`IncompleteStream`:
its text is never shown as an answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from pydantic import SecretStr

from ingest.settings import Settings

NO_KEY = "sans-cle"  # local servers (Ollama, vLLM, llama.cpp) want no key, but the OpenAI client wants one
# Finish reasons of a model that said all it meant to (OpenAI, vLLM, llama.cpp; TGI says "eos_token").
FINISHED = frozenset({"stop", "tool_calls", "function_call", "end_turn", "eos", "eos_token", "stop_sequence"})
CUT = frozenset({"length", "max_tokens"})  # a model stopped by the length limit

TokenFn = Callable[[str], None]
StreamFn = Callable[[Any, list[BaseMessage]], AIMessage]


class StreamEnd(StrEnum):
    """How a streamed turn ended."""

    COMPLETE = "complete"
    DROPPED = "dropped"  # no finish reason: the connection was lost or the server stopped mid-answer
    TRUNCATED = "truncated"  # the length limit cut the answer


class IncompleteStream(Exception):
    """A model turn that did not end properly; ``text`` is what arrived before."""

    def __init__(self, end: StreamEnd, text: str) -> None:
        super().__init__(f"flux {end.value} après {len(text)} caractères")
        self.end = end
        self.text = text


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


def stream_end(metadata: Mapping[str, Any]) -> StreamEnd:
    """How a stream ended, from the merged ``response_metadata`` of its chunks."""
    reason = metadata.get("finish_reason") or metadata.get("done_reason")
    if reason in CUT:
        return StreamEnd.TRUNCATED
    if reason in FINISHED or (metadata.get("done") is True and reason is None):
        return StreamEnd.COMPLETE
    return StreamEnd.DROPPED


def streamer(timeout: float, on_token: TokenFn | None = None) -> StreamFn:
    """A function that streams one model turn within ``timeout`` seconds, forwarding its text to
    ``on_token``, and returns the whole message only when the stream ended properly.

    Raises ``TimeoutError`` past the deadline, :class:`IncompleteStream` for a stream that stopped
    early (including a connection error after the first chunk), the client's error otherwise."""

    def stream(model: Any, messages: list[BaseMessage]) -> AIMessage:
        deadline = time.monotonic() + timeout
        full: AIMessageChunk | None = None
        try:
            for chunk in model.stream(messages):
                full = chunk if full is None else full + chunk
                if on_token is not None and chunk.text:
                    on_token(chunk.text)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"pas de réponse complète en {timeout} s")
        except TimeoutError:
            raise
        except Exception as exc:
            if full is None or "timeout" in type(exc).__name__.lower():
                raise  # nothing came (server down, refused) or the client's own timeout
            raise IncompleteStream(StreamEnd.DROPPED, full.text) from exc
        if full is None:
            raise IncompleteStream(StreamEnd.DROPPED, "")
        end = stream_end(full.response_metadata)
        if end is not StreamEnd.COMPLETE:
            raise IncompleteStream(end, full.text)
        return AIMessage(content=full.content, tool_calls=full.tool_calls, response_metadata=full.response_metadata)

    return stream
