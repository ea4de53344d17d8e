"""The named API endpoint ``ask`` through ``gradio_client`` against the running app (127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
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
