"""The APIs against the running app (127.0.0.1): the named endpoint ``ask`` through ``gradio_client``, and
the JSON route ``POST /api/ask``."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client

from assistant.answer import SCHEMA_VERSION, Answer
from ingest.settings import Settings
from tests.ui_helpers import RunningApp, copy_corpus, llm_app, reading_app, start_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(corpus_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> RunningApp:
    return reading_app(corpus_index, tmp_path_factory.mktemp("reading-app"))


@pytest.fixture(scope="module")
def client(server: RunningApp) -> Client:
    return Client(server.url, verbose=False)


def ask(client: Client, question: str, **kwargs: Any) -> dict[str, Any]:
    result = client.predict(question=question, api_name="/ask", **kwargs)
    assert isinstance(result, dict)
    return result


def test_ask_returns_the_answer_and_its_citations_as_json(client: Client) -> None:
    result = ask(client, "les usagers sont-ils tenus au secret ?")
    assert set(result) >= {"text", "refused", "citations", "backend", "blocks", "notes", "suggestions", "route"}
    assert result["schema_version"] == SCHEMA_VERSION
    answer = Answer.from_dict(result)  # the typed answer, read back
    assert answer.cited and set(answer.cited) <= {c.n for c in answer.citations}
    assert result["refused"] is False and result["backend"] == "extractif"
    assert "[1]" in result["text"] and "\nSources\n[1]" in result["text"]
    first = result["citations"][0]
    assert first["n"] == 1 and first["fiche"] == 6
    assert first["fiche_title"] == "Respect de la vie privée et secret professionnel"
    assert first["doc_title"] == "Engagement des usagers dans les maisons, centres et territoires de santé"
    assert first["page"] == 41 and first["url"] == "https://www.has-sante.fr/"
    start, end = first["highlights"][0]
    assert first["passage"][start:end] in result["text"]


def test_history_turns_a_follow_up_into_the_right_question(client: Client) -> None:
    alone = ask(client, "et la fiche d'après ?")
    follow = ask(client, "et la fiche d'après ?", history=["c'est quoi la fiche 5 du guide HAS ?"])
    assert {c["fiche"] for c in follow["citations"]} == {6}
    assert {c["fiche"] for c in alone["citations"]} != {6}


def test_role_is_accepted_and_an_unknown_role_is_an_error(client: Client) -> None:
    result = ask(client, "Quel est le rôle d'un représentant associatif en CPTS ?", role="representant")
    assert not result["refused"] and result["citations"][0]["doc_id"] == "fas-fiche-mission"
    with pytest.raises(Exception, match="rôle inconnu"):
        ask(client, "Quel est le rôle d'un représentant ?", role="administrateur")


def test_a_question_outside_the_documents_is_declined_with_the_closest_fiches(client: Client) -> None:
    result = ask(client, "quelle est la recette de la tarte tatin ?")
    assert result["refused"] is True and result["citations"] == [] and result["route"] == "out_of_scope"
    assert "ne traitent pas de cette question" in result["text"]
    assert result["suggestions"] and all(
        "Fiche ressource n° " + str(s["number"]) in result["text"] for s in result["suggestions"]
    )


def test_a_fifty_megabyte_question_is_refused_early_in_french(server: RunningApp) -> None:
    body = b'{"data": ["' + b"q" * (50 * 1024 * 1024) + b'"]}'
    response = httpx.post(server.url + "gradio_api/call/ask", content=body, timeout=60)
    assert response.status_code == 413
    assert response.json()["detail"].startswith("Requête trop volumineuse")
    long = "Les usagers sont-ils tenus au secret ? " + "bla " * 5000  # 20,000 characters: truncated, answered
    result = ask(Client(server.url, verbose=False), long)
    assert result["notes"] and "premiers caractères" in result["notes"][0]


def test_only_ask_is_offered_to_api_clients(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) == {"/ask"}
    parameters = [p["parameter_name"] for p in endpoints["/ask"]["parameters"]]
    assert parameters == ["question", "role", "history"]


def test_several_users_at_once_each_get_their_own_answer(server: RunningApp) -> None:
    questions = {
        "les usagers sont-ils tenus au secret ?": 6,
        "Qu'est-ce que la participation en faux-semblant ?": 3,
        "Comment mobiliser les usagers pour un diagnostic de territoire ?": 1,
        "Quels sont les principaux avantages de l'engagement des usagers dans les soins primaires ?": 12,
    }
    expected = {q: server.holder.assistant.ask(q).to_dict()["blocks"] for q in questions}
    jobs = [q for q in questions for _ in range(3)]  # 12 requests from 12 users, 4 at a time on the server

    def one_user(question: str) -> tuple[str, dict[str, Any]]:
        return question, ask(Client(server.url, verbose=False), question)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(one_user, jobs))
    assert len(results) == len(jobs)
    for question, result in results:
        assert result["blocks"] == expected[question], f"réponse mélangée pour {question!r}"
        assert questions[question] in {c["fiche"] for c in result["citations"]}


@pytest.fixture(scope="module")
def protected(corpus_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    root: Path = tmp_path_factory.mktemp("protected-app")
    accounts = root / "comptes.txt"
    accounts.write_text("# un compte par ligne\nbob:autre-secret\n", encoding="utf-8")
    settings = corpus_index.model_copy(
        update={
            "corpus_dir": copy_corpus(root / "corpus"),
            "feedback_db": root / "feedback.sqlite",
            "auth": "alice:mot-de-passe-1",
            "auth_file": accounts,
        }
    )
    app = start_app(settings)
    yield app
    app.close()


def test_accounts_are_required_when_authentication_is_on(protected: RunningApp) -> None:
    with pytest.raises(Exception):  # noqa: B017 (the client refuses in several ways depending on the stage)
        Client(protected.url, verbose=False)
    with pytest.raises(Exception):  # noqa: B017
        Client(protected.url, auth=("alice", "mauvais"), verbose=False)
    for account in (("alice", "mot-de-passe-1"), ("bob", "autre-secret")):
        result = Client(protected.url, auth=account, verbose=False).predict(
            question="les usagers sont-ils tenus au secret ?", api_name="/ask"
        )
        assert result["citations"][0]["fiche"] == 6


def test_the_app_answers_through_a_configured_llm_and_says_so(corpus_index: Settings, tmp_path: Path) -> None:
    """ENGAGEMENT_LLM_* set: the status line names the model and API answers come from it, verified."""
    from assistant.web.holder import status_line

    with llm_app(corpus_index, tmp_path, "good") as (app, standin):
        assert "llm:openai:good (modèle de langue, citations vérifiées)" in status_line(app.holder)
        result = ask(Client(app.url, verbose=False), "les usagers sont-ils tenus au secret ?")
        assert result["backend"] == "llm:openai:good" and not result["refused"]
        assert any(r["body"].get("model") == "good" for r in standin.requests), "the model was never asked"
        assert result["citations"] and "[1]" in result["text"]


# --- the JSON route POST /api/ask ---------------------------------------------------------------------
def without_timings(result: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in result.items() if k != "timings"}


def test_the_json_route_gives_the_gradio_api_s_answer(server: RunningApp, client: Client) -> None:
    question = "les usagers sont-ils tenus au secret ?"
    response = httpx.post(server.url + "api/ask", json={"question": question}, timeout=60)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    result = response.json()
    assert without_timings(result) == without_timings(ask(client, question))
    assert result["citations"][0]["fiche"] == 6 and "[1]" in result["text"]
    follow = httpx.post(
        server.url + "api/ask",
        json={"question": "et la fiche d'après ?", "history": ["c'est quoi la fiche 5 du guide HAS ?"]},
        timeout=60,
    ).json()
    assert {c["fiche"] for c in follow["citations"]} == {6}


def test_the_json_route_searches_only_the_documents_chosen(server: RunningApp) -> None:
    question = {"question": "Quel est le rôle d'un représentant des usagers ?", "filters": {"doc_id": "urps-2022"}}
    result = httpx.post(server.url + "api/ask", json=question, timeout=60).json()
    assert result["citations"] and {c["doc_id"] for c in result["citations"]} == {"urps-2022"}
    refused = httpx.post(server.url + "api/ask", json={"question": "secret ?", "role": "chef"}, timeout=60)
    assert refused.status_code == 400 and refused.json()["error"].startswith("rôle inconnu")


def test_the_json_route_needs_an_account_when_authentication_is_on(protected: RunningApp) -> None:
    question = {"question": "les usagers sont-ils tenus au secret ?"}
    anonymous = httpx.post(protected.url + "api/ask", json=question, timeout=60)
    assert anonymous.status_code == 401 and anonymous.json()["error"].startswith("Authentification requise")
    wrong = httpx.post(protected.url + "api/ask", json=question, auth=("alice", "mauvais"), timeout=60)
    assert wrong.status_code == 401 and "citations" not in wrong.text
    with httpx.Client(base_url=protected.url, timeout=60) as page:  # a session logged in as the page is
        assert page.post("login", data={"username": "bob", "password": "autre-secret"}).status_code == 200
        by_session = page.post("api/ask", json=question)
    by_account = httpx.post(protected.url + "api/ask", json=question, auth=("alice", "mot-de-passe-1"), timeout=60)
    for answered in (by_session, by_account):
        assert answered.status_code == 200 and answered.json()["citations"][0]["fiche"] == 6


def click_send(url: str, question: str) -> str:
    """What the page does when "Envoyer" is clicked: the queue's join, then its events until the finished
    conversation (returned as HTML)."""
    config = httpx.get(url + "config", timeout=30).json()
    send = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "send")
    fn_index = next(i for i, d in enumerate(config["dependencies"]) if [send, "click"] in d["targets"])
    session = uuid.uuid4().hex[:11]
    body = {"data": [question, "", None, []], "fn_index": fn_index, "trigger_id": send, "session_hash": session}
    with httpx.Client(base_url=url, timeout=60) as http:
        http.post("gradio_api/queue/join", json=body).raise_for_status()
        with http.stream("GET", "gradio_api/queue/data", params={"session_hash": session}) as stream:
            for line in stream.iter_lines():
                message = json.loads(line[5:]) if line.startswith("data:") else {}
                if message.get("msg") == "process_completed":
                    assert message.get("success"), message
                    return str(message["output"]["data"][0])
    raise AssertionError("flux d'événements fermé avant la réponse")


def test_one_limit_for_the_page_the_gradio_api_and_the_json_route(
    corpus_index: Settings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """With ``concurrency_limit=1``, two JSON requests, a Gradio API call and a click on "Envoyer" sent at
    once are answered one after the other (the assistant's ``ask`` is watched)."""
    root: Path = tmp_path_factory.mktemp("one-at-a-time")
    settings = corpus_index.model_copy(
        update={"corpus_dir": copy_corpus(root / "corpus"), "feedback_db": root / "f.sqlite", "concurrency_limit": 1}
    )
    app = start_app(settings)
    assistant = app.holder.assistant
    real_ask = assistant.ask
    lock, running, most = threading.Lock(), [0], [0]

    def watched_ask(*args: Any, **kwargs: Any) -> Answer:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.1)  # time for another question to come in, if the limit let it
            return real_ask(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    assistant.ask = watched_ask  # type: ignore[method-assign]
    questions = [
        "les usagers sont-ils tenus au secret ?",
        "Qu'est-ce que la participation en faux-semblant ?",
        "Comment mobiliser les usagers pour un diagnostic de territoire ?",
        "Quel est le rôle d'un représentant associatif en CPTS ?",
    ]
    jobs: list[Callable[[], Any]] = [
        lambda: httpx.post(app.url + "api/ask", json={"question": questions[0]}, timeout=120).json(),
        lambda: httpx.post(app.url + "api/ask", json={"question": questions[1]}, timeout=120).json(),
        lambda: Client(app.url, verbose=False).predict(question=questions[2], api_name="/ask"),
        lambda: click_send(app.url, questions[3]),
    ]
    try:
        with ThreadPoolExecutor(len(jobs)) as pool:
            first, second, gradio, page = [f.result() for f in [pool.submit(job) for job in jobs]]
    finally:
        app.close()
    assert first["citations"][0]["fiche"] == 6 and second["citations"] and gradio["citations"]
    assert "représentant associatif en CPTS" in page and 'data-action="cite"' in page  # answered, with sources
    assert most[0] == 1, "deux réponses calculées en même temps malgré la limite de 1"


def test_questions_asked_through_the_apis_reach_the_users_view(server: RunningApp, client: Client) -> None:
    """A question declined through ``/api/ask`` or Gradio's ``ask`` is kept for the evaluation tab's
    "Usagers" view, as the page's are; a covered one is only counted."""
    from assistant.web.feedback import questions_per_day, user_gaps

    db = server.settings.feedback_db
    before = sum(questions_per_day(db).values())
    marker = uuid.uuid4().hex[:6]
    declined = f"Quel temps fera-t-il demain à Lyon ({marker}) ?"
    assert httpx.post(server.url + "api/ask", json={"question": declined}, timeout=60).json()["refused"]
    ask(client, f"quel est le prix du pain ({marker}) ?")
    httpx.post(server.url + "api/ask", json={"question": "les usagers sont-ils tenus au secret ?"}, timeout=60)
    deadline = time.monotonic() + 10
    kept = {}
    while len(kept) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # written after the answer is sent
        kept = {g.question: g for g in user_gaps(db) if marker in g.question}
    assert set(kept) == {declined, f"quel est le prix du pain ({marker}) ?"}
    assert kept[declined].kind == "refus"
    while sum(questions_per_day(db).values()) < before + 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sum(questions_per_day(db).values()) >= before + 3  # the covered one counted, not kept
