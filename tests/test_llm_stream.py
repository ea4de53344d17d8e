"""Issue 12: a dropped LLM stream never passes as a complete answer. The real LangChain clients
(``ChatOpenAI``, ``ChatOllama``) against the stand-in server on 127.0.0.1 (tests/openai_standin.py),
over a tiny corpus view (no index): a turn counts only when its stream said it ended (finish reason and
``[DONE]``, or Ollama's ``done: true``); a connection closed mid-answer gives the extractive answer after
a notice naming the lost connection."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.answer import SpanSource
from assistant.corpus import CorpusView
from assistant.llm import LLMGenerator, make_chat_model
from assistant.llm.clients import StreamEnd, stream_end
from assistant.prompts import load_phrases
from ingest.settings import PROJECT_ROOT, Settings
from tests.llm_fakes import (
    PASSAGES,
    SECRET_SENTENCE,
    FakeExtractive,
    model_sentences,
    notice_of,
    request_for,
    tiny_corpus,
)
from tests.openai_standin import StandIn

PHRASES = load_phrases(PROJECT_ROOT / "prompts", "llm")


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    with StandIn(hang_seconds=3.0) as server:
        yield server


@pytest.fixture(scope="module")
def corpus() -> CorpusView:
    return tiny_corpus(PASSAGES)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_llm(corpus: CorpusView, standin: StandIn, backend: str, model: str, **extra: Any) -> LLMGenerator:
    url = standin.url if backend == "openai" else standin.ollama_url
    settings = Settings(llm_backend=backend, llm_base_url=url, llm_model=model, llm_timeout=5.0, **extra)
    return LLMGenerator(settings, corpus, FakeExtractive(corpus), make_chat_model(settings), settings.llm_tools)


@pytest.mark.fast
@pytest.mark.parametrize(
    ("metadata", "end"),
    [
        ({"finish_reason": "stop"}, StreamEnd.COMPLETE),  # OpenAI-compatible, then [DONE]
        ({"finish_reason": "tool_calls"}, StreamEnd.COMPLETE),
        ({"done": True, "done_reason": "stop"}, StreamEnd.COMPLETE),  # Ollama's last line
        ({"finish_reason": "length"}, StreamEnd.TRUNCATED),
        ({"done": True, "done_reason": "length"}, StreamEnd.TRUNCATED),
        ({"model_provider": "openai"}, StreamEnd.DROPPED),  # chunks, then nothing
        ({"done": False}, StreamEnd.DROPPED),
    ],
)
def test_a_stream_counts_only_when_it_says_it_ended(metadata: dict[str, Any], end: StreamEnd) -> None:
    assert stream_end(metadata) is end


@pytest.mark.fast
def test_the_standin_speaks_openai_streaming_to_the_real_client(standin: StandIn) -> None:
    model = make_chat_model(Settings(llm_backend="openai", llm_base_url=standin.url, llm_model="good"))
    context = "Passage [1] — un document\nLes usagers participent aux réunions de l'équipe une fois par mois."
    chunks = list(model.stream(context + "\n\nQuestion : qui participe ?"))
    assert len(chunks) > 3  # streamed word by word
    assert "".join(c.text for c in chunks) == (
        "D'après les documents : Les usagers participent aux réunions de l'équipe une fois par mois. [1]"
    )
    assert standin.requests[-1]["body"]["stream"] is True
    assert standin.requests[-1]["authorization"] == "Bearer sans-cle"  # no key configured: a placeholder


@pytest.mark.fast
@pytest.mark.parametrize("backend", ["openai", "ollama"])
def test_a_whole_stream_is_shown(corpus: CorpusView, standin: StandIn, backend: str) -> None:
    result = http_llm(corpus, standin, backend, "good").generate(request_for())
    assert result.details["llm"]["status"] == "ok" and notice_of(result) is None
    assert model_sentences(result) == [
        (f"D'après les documents : {SECRET_SENTENCE}", (1,), True),
        (PASSAGES[2][2], (2,), True),
    ]


@pytest.mark.fast
@pytest.mark.parametrize("backend", ["openai", "ollama"])
@pytest.mark.parametrize("mode", ["drop_early", "drop_late"])
def test_a_stream_cut_by_the_server_is_never_shown_as_whole(
    corpus: CorpusView, standin: StandIn, backend: str, mode: str
) -> None:
    """Issue 12: the connection closed mid-answer, without finish reason, [DONE] or done: true."""
    tokens: list[str] = []
    result = http_llm(corpus, standin, backend, mode).generate(request_for(tokens=tokens))
    assert tokens  # words had arrived before the server went away
    assert notice_of(result) == PHRASES["fallback_dropped"]  # the lost connection, not "no citation"
    assert result.details["llm"]["reason"] == "dropped"
    assert result.details["llm"]["partial_draft"] == "".join(tokens)
    assert not any(span.source is SpanSource.MODEL for block in result.blocks for span in block.spans)


@pytest.mark.fast
@pytest.mark.parametrize("backend", ["openai", "ollama"])
def test_a_server_that_is_down_gives_the_extractive_answer_after_a_notice(corpus: CorpusView, backend: str) -> None:
    url = f"http://127.0.0.1:{free_port()}" + ("/v1" if backend == "openai" else "")  # nothing listens there
    settings = Settings(llm_backend=backend, llm_base_url=url, llm_model="m", llm_timeout=2.0)
    llm = LLMGenerator(settings, corpus, FakeExtractive(corpus), make_chat_model(settings), False)
    result = llm.generate(request_for())
    assert notice_of(result) == PHRASES["fallback_unavailable"] and result.citations
