"""Answers written by an LLM: the real LangChain clients against a deterministic OpenAI-compatible server
on 127.0.0.1 (tests/openai_standin.py). What the user sees is checked before it is shown: markers that
point nowhere, answers without citations, garbage, a server that is down or hangs — all give the
extractive answer with a notice; sentences their cited passage does not support are flagged."""

from __future__ import annotations

import copy
import json
import logging
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant.agent import Assistant
from assistant.llm import looks_like_garbage, make_chat_model, make_llm_generator, tidy_draft
from assistant.prompts import load_phrases
from assistant.support import SUPPORT_THRESHOLD, split_claims
from assistant.tools import CorpusTools, Passages
from evals.judge import parse_verdict
from ingest.settings import PROJECT_ROOT, Settings
from tests.cli import run_cli
from tests.openai_standin import UNSUPPORTED_CLAIM, StandIn, first_sentence, passages_in

SECRET = "sk-test-NE-PAS-DIVULGUER-4242"
QUESTION = "les usagers sont-ils tenus au secret professionnel ?"
PHRASES = load_phrases(PROJECT_ROOT / "prompts", "llm")


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    with StandIn(hang_seconds=3.0) as server:
        yield server


def llm_settings(base: Settings, url: str, model: str, **extra: object) -> Settings:
    update = {"llm_backend": "openai", "llm_base_url": url, "llm_model": model, "llm_api_key": SecretStr(SECRET)}
    return base.model_copy(update=update | extra)


def with_llm(assistant: Assistant, settings: Settings) -> Assistant:
    """The session's assistant (same index, same embedder) answering through the configured LLM."""
    clone = copy.copy(assistant)
    clone.settings = settings
    clone.generator = make_llm_generator(settings, clone)
    return clone


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def last_chat(standin: StandIn, model: str) -> dict:
    return [r for r in standin.requests if r["body"].get("model") == model][-1]


# --- without the index ------------------------------------------------------------------------------
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
def test_answer_sentences_keep_their_markers() -> None:
    claims = split_claims("Les usagers signent la charte [1]. Ils sont tenus au secret. [2][3]\n- un item [4]")
    assert [(c.text, c.markers) for c in claims] == [
        ("Les usagers signent la charte.", [1]),
        ("Ils sont tenus au secret.", [2, 3]),
        ("un item", [4]),
    ]


@pytest.mark.fast
def test_the_models_own_sources_block_is_removed_and_marker_lists_split() -> None:
    draft = "Les usagers sont tenus au secret [1, 2].\n\n**Sources :**\n[1] HAS 2023, fiche 6\n[2] inventé"
    assert tidy_draft(draft) == "Les usagers sont tenus au secret [1][2]."
    assert tidy_draft("Les sources de financement sont variées [3].") == "Les sources de financement sont variées [3]."
    stuck = "Réponse [1]." + "\n" * 20_000 + "fin"  # a model stuck on newlines: linear, not minutes
    assert tidy_draft(stuck).endswith("fin")


@pytest.mark.fast
@pytest.mark.parametrize(
    ("text", "garbage"),
    [
        ("Les usagers sont tenus au secret professionnel comme les soignants [1].", False),
        ("<|im_start|> ::: ;;; ### 0x0F [1] <|im_end|>", True),
        ("", True),
        ("[1] [2] [3]", True),
        ("The users must keep professional secrecy like every member of the team [1].", True),
    ],
)
def test_garbage_is_recognised(text: str, garbage: bool) -> None:
    assert looks_like_garbage(text) is garbage


@pytest.mark.fast
def test_judge_verdicts_are_read_and_clamped() -> None:
    assert parse_verdict('Voici : {"fidelite": 0.8, "exactitude": 1.4}') == {
        "llm_faithfulness": 0.8,
        "llm_correctness": 1.0,
    }
    assert parse_verdict('{"fidelite": "0,5", "exactitude": 1}') == {"llm_faithfulness": 0.5, "llm_correctness": 1.0}
    assert parse_verdict('{"fidelite": true, "exactitude": 1}') is None  # not a score
    assert parse_verdict("je ne sais pas") is None


# --- on the real corpus -----------------------------------------------------------------------------
@pytest.mark.slow
def test_a_good_answer_is_streamed_then_shown_with_verified_citations(assistant: Assistant, standin: StandIn) -> None:
    llm = with_llm(assistant, llm_settings(assistant.settings, standin.url, "good"))
    tokens: list[str] = []
    answer = llm.ask(QUESTION, on_token=tokens.append)
    assert not answer.refused and answer.backend == "llm:openai:good"
    assert answer.details["llm"]["status"] == "ok"
    assert "".join(tokens) == answer.details["llm"]["draft"]  # the draft was streamed as it came
    # the model read the retrieved passages, numbered, under the French system prompt
    request = last_chat(standin, "good")["body"]
    assert "HORS_CORPUS" in request["messages"][0]["content"]
    shown = passages_in(request["messages"])
    assert [n for n, _ in shown] == list(range(1, len(answer.contexts) + 1))
    assert shown[0][1] == answer.contexts[0].text.strip()
    # it cited passages [1] and [6]: renumbered [1] and [2] in the order of the answer
    assert answer.details["llm"]["draft"].endswith(f"[{len(shown)}]")
    assert [c.n for c in answer.citations] == [1, 2]
    assert [c.chunk_id for c in answer.citations] == [answer.contexts[0].chunk_id, answer.contexts[-1].chunk_id]
    assert set(re.findall(r"\[(\d+)\]", answer.text)) == {"1", "2"}
    assert "Sources\n[1] " + answer.citations[0].label in answer.text
    assert first_sentence(shown[0][1]) + " [1]" in answer.text
    # the passage sentence closest to the answer's is highlighted, and every sentence is supported
    (start, end), *_ = answer.citations[0].highlights
    assert first_sentence(shown[0][1]) in answer.citations[0].passage[start:end]
    assert answer.details["unsupported"] == []
    assert all(row["score"] >= SUPPORT_THRESHOLD for row in answer.details["support"])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "notice"),
    [("bad_marker", "fallback_bad_marker"), ("no_citation", "fallback_no_citation"), ("garbage", "fallback_garbage")],
)
def test_an_answer_that_fails_the_checks_is_replaced_by_the_extractive_one(
    assistant: Assistant, standin: StandIn, mode: str, notice: str
) -> None:
    offline = assistant.ask(QUESTION)
    answer = with_llm(assistant, llm_settings(assistant.settings, standin.url, mode)).ask(QUESTION)
    assert answer.notes[0] == PHRASES[notice]
    assert answer.text.startswith(f"> {PHRASES[notice]}\n\n")
    assert answer.text.endswith(offline.text)  # the offline answer, word for word
    assert [c.chunk_id for c in answer.citations] == [c.chunk_id for c in offline.citations]
    assert answer.details["llm"]["reason"] == mode
    assert answer.backend == "extractif (repli)"
    if mode == "bad_marker":
        assert answer.details["llm"]["unknown_markers"] == [99]
        assert "[99]" not in answer.text


@pytest.mark.slow
def test_a_hanging_server_gives_the_extractive_answer_within_the_timeout(
    assistant: Assistant, standin: StandIn
) -> None:
    llm = with_llm(assistant, llm_settings(assistant.settings, standin.url, "hang", llm_timeout=0.5))
    answer = llm.ask(QUESTION)
    assert answer.details["llm"]["seconds"] < standin.hang_seconds - 1  # gave up long before the server answered
    assert not answer.refused and answer.citations
    assert answer.notes[0] == PHRASES["fallback_unavailable"]
    assert answer.details["llm"]["error"].endswith("TimeoutError")


@pytest.mark.slow
def test_a_model_that_trickles_words_is_cut_off_at_the_timeout(assistant: Assistant, standin: StandIn) -> None:
    """Every chunk arrives in time (no HTTP timeout fires) but the whole answer would take ~10 s."""
    llm = with_llm(assistant, llm_settings(assistant.settings, standin.url, "trickle", llm_timeout=1.0))
    answer = llm.ask(QUESTION)
    assert answer.details["llm"]["seconds"] < 3
    assert answer.notes[0] == PHRASES["fallback_unavailable"] and answer.citations
    assert answer.details["llm"]["error"] == "TimeoutError"


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["openai", "ollama"])
def test_a_server_that_is_down_gives_the_extractive_answer(assistant: Assistant, backend: str) -> None:
    port = free_port()  # nothing listens there
    url = f"http://127.0.0.1:{port}" + ("/v1" if backend == "openai" else "")
    settings = llm_settings(assistant.settings, url, "qwen2.5:7b", llm_backend=backend, llm_timeout=2.0)
    answer = with_llm(assistant, settings).ask(QUESTION)
    assert answer.backend == "extractif (repli)"  # what was shown, not what was configured
    assert not answer.refused and answer.citations
    assert answer.notes[0] == PHRASES["fallback_unavailable"]
    assert answer.details["llm"]["status"] == "fallback"


@pytest.mark.slow
def test_when_the_model_says_the_context_does_not_answer_the_assistant_declines(
    assistant: Assistant, standin: StandIn
) -> None:
    answer = with_llm(assistant, llm_settings(assistant.settings, standin.url, "out_of_corpus")).ask(QUESTION)
    assert answer.refused and not answer.citations
    assert answer.text.startswith(assistant.phrases["refusal"])
    assert answer.details["llm"]["status"] == "declined"


@pytest.mark.slow
def test_a_sentence_its_passage_does_not_support_is_flagged(assistant: Assistant, standin: StandIn) -> None:
    answer = with_llm(assistant, llm_settings(assistant.settings, standin.url, "unsupported")).ask(QUESTION)
    assert not answer.refused
    assert [row["sentence"] for row in answer.details["unsupported"]] == [UNSUPPORTED_CLAIM]
    assert answer.details["unsupported"][0]["cited"] == [1]
    assert len(answer.details["support"]) == 2 and answer.details["support"][0]["supported"]
    assert PHRASES["note_unsupported_one"] in answer.notes


@pytest.mark.slow
def test_a_true_sentence_cited_to_the_wrong_passage_is_flagged(assistant: Assistant, standin: StandIn) -> None:
    """The commonest complaint about RAG tools: the citation points to the wrong place."""
    answer = with_llm(assistant, llm_settings(assistant.settings, standin.url, "wrong_passage")).ask(QUESTION)
    assert answer.details["llm"]["status"] == "ok"
    (row,) = answer.details["unsupported"]
    assert row["sentence"] == first_sentence(answer.contexts[0].text)
    assert row["score"] < SUPPORT_THRESHOLD


@pytest.mark.slow
def test_a_follow_up_is_condensed_by_the_model_before_retrieval(assistant: Assistant, standin: StandIn) -> None:
    llm = with_llm(assistant, llm_settings(assistant.settings, standin.url, "good"))
    answer = llm.ask("et comment le faire respecter ?", history=[QUESTION])
    condensed = f"À propos de « {QUESTION} » : et comment le faire respecter ?"
    assert answer.standalone_question == condensed
    assert answer.details["condensed_question"] == condensed
    assert any("Nouvelle question :" in m["content"] for r in standin.requests for m in r["body"]["messages"])
    assert not answer.refused and 6 in [c.fiche for c in answer.citations]  # fiche 6: secret professionnel


@pytest.mark.slow
def test_the_tool_agent_calls_tools_over_http_and_cites_what_they_returned(
    assistant: Assistant, standin: StandIn
) -> None:
    llm = with_llm(assistant, llm_settings(assistant.settings, standin.url, "tools-good", llm_tools=True))
    standin.requests.clear()
    answer = llm.ask(QUESTION)
    first, second = [r["body"] for r in standin.requests]
    offered = {t["function"]["name"] for t in first["tools"]}
    assert offered == {"search_corpus", "get_fiche", "list_fiches", "list_documents"}
    assert answer.details["llm"]["tool_calls"] == [f'search_corpus({{"query": "{QUESTION}"}})']
    tool_result = next(m for m in second["messages"] if m["role"] == "tool")
    returned = passages_in([tool_result])
    assert returned and returned[0][0] == 1  # the search results reached the model, numbered
    assert not answer.refused and answer.backend == "llm:openai:tools-good:outils"
    assert answer.citations[0].passage.strip() == returned[0][1]
    assert answer.details["unsupported"] == []


@pytest.mark.slow
def test_the_ollama_client_works_the_same_way(assistant: Assistant, standin: StandIn) -> None:
    settings = llm_settings(assistant.settings, standin.ollama_url, "ollama-good", llm_backend="ollama", llm_tools=True)
    answer = with_llm(assistant, settings).ask(QUESTION)
    assert {r["path"] for r in standin.requests if r["body"].get("model") == "ollama-good"} == {"/api/chat"}
    assert answer.details["llm"]["status"] == "ok" and len(answer.details["llm"]["tool_calls"]) == 1
    assert not answer.refused and answer.citations and answer.details["unsupported"] == []


@pytest.mark.slow
def test_the_tools_read_the_index(assistant: Assistant) -> None:
    tools = CorpusTools(assistant, Passages(assistant, PHRASES["context_heading"]), PHRASES, None)
    fiche = tools.get_fiche(6)
    assert "Passage [1] — HAS 2023 — Fiche ressource n° 6" in fiche
    assert tools.get_fiche(99) == PHRASES["tool_fiche_missing"].format(n=99, count=14)
    assert tools.list_fiches().count("Fiche ressource n°") == 14
    documents = tools.list_documents()
    assert {d.doc_id for d in assistant.reader.manifest.documents} <= set(re.findall(r"doc_id : (\S+)", documents))
    found = tools.search_corpus("charte d'engagement", {"fiche": 14, "couleur": "rouge"})
    allowed = "fiche, doc_id, kind, section_number"
    assert found.startswith(PHRASES["tool_bad_filter"].format(key="couleur", allowed=allowed))
    numbers = [int(n) for n in re.findall(r"Passage \[(\d+)\]", found)]
    assert numbers and all(assistant.reader.chunks[tools.passages.by_number[n]].fiche == 14 for n in numbers)


@pytest.mark.slow
def test_the_api_key_is_sent_to_the_server_but_never_written(
    assistant: Assistant, standin: StandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from evals.dataset import load_set
    from evals.judge import make_judge
    from evals.runner import run_set

    caplog.set_level(logging.INFO)
    settings = llm_settings(assistant.settings, standin.url, "unsupported")
    llm = with_llm(assistant, settings)
    assert SECRET not in llm.ask(QUESTION).to_json()
    assert last_chat(standin, "unsupported")["authorization"] == f"Bearer {SECRET}"
    qa = tmp_path / "mini.jsonl"
    rows = [
        {"id": "secret", "question": QUESTION, "expected_sources": [{"doc": "has-2023", "fiche": 6}],
         "reference_answer": "Oui, ils sont tenus au secret."},
        {"id": "meteo", "question": "il fait beau demain ?", "answerable": False},
    ]  # fmt: skip
    qa.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = run_set(llm, load_set(qa), tmp_path / "run", "mini", with_cosine=False, extra_scorers=[make_judge(settings)])
    scores = out.rows[0]["scores"]
    assert scores["unsupported_sentences"] == 1.0  # counted by the evaluation
    assert scores["llm_faithfulness"] == 1.0 and "llm_correctness" in scores  # labelled LLM-judged
    assert "unsupported_sentences" in (tmp_path / "run" / "report.md").read_text(encoding="utf-8")
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
    assert SECRET not in result.stdout + result.stderr
    assert last_chat(standin, "good")["authorization"] == f"Bearer {SECRET}"
