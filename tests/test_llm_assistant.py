"""The LLM generator inside the whole assistant, on the real index, against the stand-in server on
127.0.0.1 (tests/openai_standin.py): streaming, fallbacks with their notice, refusals, follow-ups, the
tool agent over HTTP, the API key never written. The generator alone is tested fast in test_llm.py."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from assistant.answer import BlockKind, SpanSource
from assistant.prompts import load_phrases
from ingest.settings import PROJECT_ROOT, Settings
from tests.cli import run_cli
from tests.openai_standin import UNSUPPORTED_CLAIM, StandIn, first_sentence, passages_in

SECRET = "sk-test-NE-PAS-DIVULGUER-4242"
QUESTION = "les usagers sont-ils tenus au secret professionnel ?"
PHRASES = load_phrases(PROJECT_ROOT / "prompts", "llm")
EXTRACTIVE = load_phrases(PROJECT_ROOT / "prompts", "extractive")


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    with StandIn(hang_seconds=3.0) as server:
        yield server


def llm_settings(base: Settings, url: str, model: str, **extra: object) -> Settings:
    update = {"llm_backend": "openai", "llm_base_url": url, "llm_model": model, "llm_api_key": SecretStr(SECRET)}
    return base.model_copy(update=update | extra)


def with_llm(assistant: Any, settings: Settings) -> Any:
    """The session's assistant (same index, same embedder) answering through the configured LLM."""
    from assistant.generators import make_generator

    clone = copy.copy(assistant)
    clone.settings = settings
    clone.generator = make_generator(settings, assistant.corpus, assistant.extractive)
    return clone


def last_chat(standin: StandIn, model: str) -> dict:
    return [r for r in standin.requests if r["body"].get("model") == model][-1]


def words(answer: Any) -> str:
    return " ".join(block.text for block in answer.blocks)


@pytest.mark.slow
def test_a_good_answer_is_streamed_then_shown_with_verified_citations(assistant: Any, standin: StandIn) -> None:
    llm = with_llm(assistant, llm_settings(assistant.settings, standin.url, "good"))
    tokens: list[str] = []
    answer = llm.ask(QUESTION, on_token=tokens.append)
    assert not answer.refused and answer.backend == "llm:openai:good"
    assert answer.details["llm"]["status"] == "ok"
    assert "".join(tokens) == answer.details["llm"]["draft"]  # the draft was streamed as it came
    request = last_chat(standin, "good")["body"]
    assert "HORS_CORPUS" in request["messages"][0]["content"]
    shown = passages_in(request["messages"])
    assert [n for n, _ in shown] == list(range(1, len(answer.contexts) + 1))
    assert shown[0][1] == answer.contexts[0].text.strip()
    # it cited passages [1] and [last]: renumbered from [1] in the order of the answer, one number per source
    # (two passages of one section and page are one source)
    assert answer.details["llm"]["draft"].endswith(f"[{len(shown)}]")
    assert answer.citations[0].chunk_id == answer.contexts[0].chunk_id
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert len({c.label for c in answer.citations}) == len(answer.citations)
    assert any(answer.contexts[-1].text.strip() in c.passage for c in answer.citations)
    spans = [s for b in answer.blocks for s in b.spans if s.source is SpanSource.MODEL]
    assert spans[0].text == f"D'après les documents : {first_sentence(shown[0][1])}" and spans[0].markers == (1,)
    quoted = [answer.citations[0].passage[start:end] for start, end in answer.citations[0].highlights]
    assert any(first_sentence(shown[0][1]) in quote for quote in quoted)
    assert answer.details["unsupported"] == [] and all(s.supported is not False for s in spans)
    assert all(row["score"] >= assistant.settings.support_threshold for row in answer.details["support"])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("bad_marker", "bad_marker"),
        ("no_citation", "no_citation"),
        ("garbage", "garbage"),
        ("drop_early", "dropped"),  # issue 12: the server went away after two words…
        ("drop_late", "dropped"),  # …or mid-sentence, after a marker: never shown as a whole answer
    ],
)
def test_an_answer_that_fails_the_checks_is_replaced_by_the_extractive_one(
    assistant: Any, standin: StandIn, mode: str, reason: str
) -> None:
    offline = assistant.ask(QUESTION)
    answer = with_llm(assistant, llm_settings(assistant.settings, standin.url, mode)).ask(QUESTION)
    assert answer.blocks[0].kind is BlockKind.NOTICE and answer.blocks[0].text == PHRASES[f"fallback_{reason}"]
    assert answer.blocks[1:] == offline.blocks  # the offline answer, word for word
    assert [c.chunk_id for c in answer.citations] == [c.chunk_id for c in offline.citations]
    assert answer.details["llm"]["reason"] == reason
    assert answer.backend == "extractif (repli)"


@pytest.mark.slow
def test_a_hanging_server_gives_the_extractive_answer_within_the_timeout(assistant: Any, standin: StandIn) -> None:
    llm = with_llm(assistant, llm_settings(assistant.settings, standin.url, "hang", llm_timeout=0.5))
    answer = llm.ask(QUESTION)
    assert answer.details["llm"]["seconds"] < standin.hang_seconds - 1  # gave up long before the server answered
    assert not answer.refused and answer.citations
    assert answer.blocks[0].text == PHRASES["fallback_unavailable"]
    assert answer.details["llm"]["error"].endswith("TimeoutError")


@pytest.mark.slow
def test_a_model_that_trickles_words_is_cut_off_at_the_timeout(assistant: Any, standin: StandIn) -> None:
    """Every chunk arrives in time (no HTTP timeout fires) but the whole answer would take ~10 s."""
    llm = with_llm(assistant, llm_settings(assistant.settings, standin.url, "trickle", llm_timeout=1.0))
    answer = llm.ask(QUESTION)
    assert answer.details["llm"]["seconds"] < 3
    assert answer.blocks[0].text == PHRASES["fallback_unavailable"] and answer.citations
    assert answer.details["llm"]["error"] == "TimeoutError"


@pytest.mark.slow
def test_when_the_model_says_the_context_does_not_answer_the_assistant_declines(
    assistant: Any, standin: StandIn
) -> None:
    answer = with_llm(assistant, llm_settings(assistant.settings, standin.url, "out_of_corpus")).ask(QUESTION)
    assert answer.refused and not answer.citations
    assert answer.details["llm"]["status"] == "declined"


@pytest.mark.slow
def test_when_the_model_says_only_part_is_answered_the_answer_says_first_what_is_missing(
    assistant: Any, standin: StandIn
) -> None:
    """The extractive check finds the question covered; the model, reading the passages, says the amount
    asked is not there: the answer is partial and opens with what is missing, then the cited answer."""
    from assistant.answer import Coverage

    assert assistant.ask(QUESTION).coverage is Coverage.FULL
    answer = with_llm(assistant, llm_settings(assistant.settings, standin.url, "partial")).ask(QUESTION)
    assert answer.coverage is Coverage.PARTIAL and not answer.refused and answer.citations
    notice = answer.blocks[0]
    assert notice.kind is BlockKind.NOTICE
    assert notice.text == EXTRACTIVE["partial_model"].format(
        missing="les passages ne donnent pas le montant des indemnités."
    )
    assert "PARTIEL" not in words(answer)  # the model's line is read, never quoted
    assert all(span.source is SpanSource.MODEL for block in answer.blocks[1:] for span in block.spans)
    assert answer.details["llm"]["missing"] == "les passages ne donnent pas le montant des indemnités."


@pytest.mark.slow
def test_a_true_sentence_cited_to_the_wrong_passage_is_flagged(assistant: Any, standin: StandIn) -> None:
    """The commonest complaint about RAG tools: the citation points to the wrong place."""
    answer = with_llm(assistant, llm_settings(assistant.settings, standin.url, "wrong_passage")).ask(QUESTION)
    assert answer.details["llm"]["status"] == "ok"
    (row,) = answer.details["unsupported"]
    assert row["sentence"] == first_sentence(answer.contexts[0].text)
    assert row["score"] < assistant.settings.support_threshold
    flagged = [s.text for b in answer.blocks for s in b.spans if s.supported is False]
    assert flagged == [row["sentence"]]


@pytest.mark.slow
def test_a_filter_on_documents_that_do_not_treat_the_question_costs_the_model_no_draft(
    assistant: Any, standin: StandIn
) -> None:
    """Declined for the slides, asked of all the documents only to say where the question is treated: the model is
    not asked to write an answer that would not be shown."""
    llm = with_llm(assistant, llm_settings(assistant.settings, standin.url, "good"))
    before = len(standin.requests)
    answer = llm.ask("Qu'est-ce que le patient traceur ?", filters={"doc_id": "slides"})
    assert answer.route.value == "filtered_out" and "7.3.2" in words(answer)
    assert len(standin.requests) == before


@pytest.mark.slow
def test_a_follow_up_is_condensed_by_the_model_before_retrieval(assistant: Any, standin: StandIn) -> None:
    llm = with_llm(assistant, llm_settings(assistant.settings, standin.url, "good"))
    answer = llm.ask("et comment le faire respecter ?", history=[QUESTION])
    condensed = f"Et comment le faire respecter, à propos de : {QUESTION}"
    assert answer.details["condensed_question"] == condensed
    assert not answer.refused and 6 in [c.fiche for c in answer.citations]  # fiche 6: secret professionnel


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["openai", "ollama"])
def test_the_tool_agent_calls_tools_over_http_and_cites_what_they_returned(
    assistant: Any, standin: StandIn, backend: str
) -> None:
    url = standin.url if backend == "openai" else standin.ollama_url
    settings = llm_settings(assistant.settings, url, f"tools-{backend}", llm_backend=backend, llm_tools=True)
    answer = with_llm(assistant, settings).ask(QUESTION)
    first, second = [r["body"] for r in standin.requests if r["body"].get("model") == f"tools-{backend}"][-2:]
    assert {t["function"]["name"] for t in first["tools"]} == {
        "search_corpus", "get_fiche", "list_fiches", "list_documents"
    }  # fmt: skip
    assert answer.details["llm"]["tool_calls"] == [f'search_corpus({{"query": "{QUESTION}"}})']
    tool_result = next(m for m in second["messages"] if m["role"] == "tool")
    returned = passages_in([tool_result])
    assert returned and returned[0][0] == 1  # the search results reached the model, numbered
    assert not answer.refused and answer.backend == f"llm:{backend}:tools-{backend}:outils"
    assert answer.citations[0].passage.strip() == returned[0][1]
    assert answer.details["unsupported"] == []


@pytest.mark.slow
def test_the_api_key_is_sent_to_the_server_but_never_written(
    assistant: Any, standin: StandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from evals.dataset import load_set
    from evals.judge import make_judge
    from evals.runner import evaluate, write_run

    caplog.set_level(logging.INFO)
    settings = llm_settings(assistant.settings, standin.url, "unsupported")
    llm = with_llm(assistant, settings)
    answer = llm.ask(QUESTION)
    assert SECRET not in answer.to_json() and PHRASES["note_unsupported_one"] in words(answer)
    assert [s.text for b in answer.blocks for s in b.spans if s.supported is False] == [UNSUPPORTED_CLAIM]
    assert last_chat(standin, "unsupported")["authorization"] == f"Bearer {SECRET}"
    qa = tmp_path / "mini.jsonl"
    rows = [
        {"id": "secret", "question": QUESTION, "expected_sources": [{"doc": "has-2023", "fiche": 6}],
         "reference_answer": "Oui, ils sont tenus au secret."},
        {"id": "meteo", "question": "il fait beau demain ?", "answerable": False},
    ]  # fmt: skip
    qa.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = evaluate(llm, load_set(qa), "mini", with_cosine=False, extra_scorers=[make_judge(settings)])
    write_run(tmp_path / "run", out)
    scores = out.rows[0]["scores"]
    assert scores["unsupported_sentences"] == 1.0  # counted by the evaluation
    assert scores["llm_faithfulness"] == 1.0 and "llm_correctness" in scores  # labelled LLM-judged
    for path in (tmp_path / "run").iterdir():
        assert SECRET not in path.read_text(encoding="utf-8"), path.name
    assert SECRET not in caplog.text


@pytest.mark.slow
def test_cli_ask_with_an_llm_from_environment_variables(env_for: dict[str, str], standin: StandIn) -> None:
    env = env_for | {
        "ENGAGEMENT_LLM_BASE_URL": standin.url,
        "ENGAGEMENT_LLM_MODEL": "good",
        "ENGAGEMENT_LLM_API_KEY": SECRET,
    }
    env.pop("ENGAGEMENT_LLM_BACKEND", None)
    result = run_cli("assistant", "ask", QUESTION, "--llm", "openai", "--json", env=env)
    data = json.loads(result.stdout)
    assert data["backend"] == "llm:openai:good" and data["details"]["llm"]["status"] == "ok"
    assert not data["refused"] and data["citations"][0]["n"] == 1
    assert {s["source"] for b in data["blocks"] for s in b["spans"]} == {"model"}
    assert SECRET not in result.stdout + result.stderr
    assert last_chat(standin, "good")["authorization"] == f"Bearer {SECRET}"


@pytest.mark.slow
def test_the_tools_read_the_index(assistant: Any) -> None:
    from assistant.llm.tools import CorpusTools, Passages

    corpus = assistant.corpus
    tools = CorpusTools(corpus, Passages(corpus, PHRASES["context_heading"]), PHRASES, None, per_call=6)
    assert tools.get_fiche(6).startswith("Passage [1] — HAS 2023 — Fiche ressource n° 6")
    assert tools.get_fiche(99) == PHRASES["tool_fiche_missing"].format(n=99, count=14)
    assert len(tools.list_fiches().splitlines()) == 14
    documents = tools.list_documents()
    assert all(f"doc_id : {d.doc_id}" in documents for d in assistant.reader.manifest.documents)
    fresh = CorpusTools(corpus, Passages(corpus, PHRASES["context_heading"]), PHRASES, None, per_call=6)
    fresh.search_corpus("charte d'engagement", {"fiche": 14})
    shown = fresh.passages.by_number.values()
    assert shown and all(assistant.reader.chunks[i].fiche == 14 for i in shown)
