"""The JSON API ``POST /api/ask`` without the index: its checks and refusals (in front of a stand-in for
Gradio, behind the request limits as in the app), and the one budget of answers it shares with Gradio's
queue (a small Gradio app launched by the app's own :func:`~assistant.web.app.launch`, on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from assistant.answer import Answer, Block, BlockKind
from assistant.web.api import ApiError, AskRequest, JsonApi, read_request
from assistant.web.auth import LoginThrottle
from assistant.web.limits import RequestLimits
from assistant.web.slots import AnswerSlots, share_with_gradio
from ingest.settings import Settings

pytestmark = pytest.mark.fast
DOCUMENTS = {"has-2023", "fas-fiche-mission"}


def run_apart(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine in its own thread and event loop (an earlier test may leave a loop running here)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def refusal(body: bytes) -> ApiError:
    with pytest.raises(ApiError) as refused:
        read_request(body, DOCUMENTS, 500)
    assert refused.value.status == 400
    return refused.value


def test_a_question_is_read_with_its_role_history_and_filters() -> None:
    body = {
        "question": "et dans un centre de santé ?",
        "role": "professionnel",
        "history": ["comment recruter ?", "  ", "x" * 900],
        "filters": {"doc_id": ["has-2023", "has-2023"], "fiche": 6},
    }
    request = read_request(json.dumps(body).encode(), DOCUMENTS, 500)
    assert request == AskRequest(
        question="et dans un centre de santé ?",
        role="professionnel",
        history=("comment recruter ?", "x" * 500),
        filters={"doc_id": "has-2023", "fiche": 6},
    )
    assert read_request(b'{"question": "secret ?", "role": null, "filters": {}}', DOCUMENTS, 500).filters is None


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b"", "Corps de requête illisible : JSON attendu"),
        (b"question=secret", "Corps de requête illisible : JSON attendu"),
        (b'["secret ?"]', "Objet JSON attendu"),
        (b"{}", "champ « question » manquant"),
        (b'{"question": 3}', "« question » doit être un texte"),
        (b'{"question": "  "}', "question vide"),
        (b'{"question": "secret ?", "langue": "fr"}', "champ inconnu : « langue »"),
        (b'{"question": "secret ?", "role": "administrateur"}', "rôle inconnu : 'administrateur'"),
        (b'{"question": "secret ?", "history": "fiche 5"}', "« history » doit être une liste de questions"),
        (b'{"question": "secret ?", "filters": ["has-2023"]}', "« filters » doit être un objet"),
        (b'{"question": "secret ?", "filters": {"auteur": "HAS"}}', "filtre inconnu : « auteur »"),
        (b'{"question": "secret ?", "filters": {"doc_id": "guide"}}', "document inconnu : « guide »"),
        (b'{"question": "secret ?", "filters": {"fiche": "six"}}', "« fiche » doit être un numéro de fiche"),
    ],
)
def test_a_bad_request_is_refused_with_a_french_message(body: bytes, said: str) -> None:
    assert said in refusal(body).message


# --- the route, in front of a stand-in for Gradio ---------------------------------------------------------
async def gradio_stand_in(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Every path but /api/ask reaches Gradio: here, a 200 naming the path."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": f"gradio {scope['path']}".encode()})


def answer_of(request: AskRequest) -> dict[str, Any]:
    answer = Answer(question=request.question, blocks=[Block.phrase(BlockKind.PARAGRAPH, "Réponse [1].")])
    return {**answer.to_dict(), "text": "Réponse [1]."}


def front(
    answer: Callable[[AskRequest], dict[str, Any]] = answer_of,
    accounts: dict[str, str] | None = None,
    slots: AnswerSlots | None = None,
    throttle: LoginThrottle | None = None,
) -> Any:
    """The request limits, then the JSON API, in front of the stand-in: the order of the app."""
    from assistant.web.api import Accounts

    api = JsonApi(
        gradio_stand_in,
        answer=answer,
        documents=lambda: DOCUMENTS,
        slots=slots or AnswerSlots(2, 8),
        accounts=Accounts(accounts or {}, throttle, lambda: None),
        max_question_chars=500,
        threads=2,
    )
    return RequestLimits(api, max_body=16 * 1024, max_upload_body=1024 * 1024, throttle=throttle)


def client(app: Any, address: str = "10.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def assert_refused(response: httpx.Response, status: int, said: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    payload = response.json()
    assert said in payload["error"] and payload["detail"] == payload["error"]
    assert "Traceback" not in response.text


def test_the_route_answers_and_refuses_in_french_with_the_right_status() -> None:
    async def run() -> list[httpx.Response]:
        async with client(front()) as http:
            return [
                await http.post("/api/ask", json={"question": "les usagers sont-ils tenus au secret ?"}),
                await http.post("/api/ask/", content=b'{"question": '),
                await http.post("/api/ask", json={"question": "x" * 20_000}),
                await http.get("/api/ask"),
                await http.post("/gradio_api/call/ask", json={"data": ["secret ?"]}),
                await http.post("/gradio_api/api/ask", json={"data": ["secret ?"]}),
            ]

    answered, bad, large, get, gradio, legacy = run_apart(run())
    assert answered.status_code == 200 and answered.headers["content-type"].startswith("application/json")
    assert Answer.from_dict(answered.json()).question == "les usagers sont-ils tenus au secret ?"
    assert answered.json()["text"] == "Réponse [1]."
    assert_refused(bad, 400, "Corps de requête illisible")
    assert_refused(large, 413, "Requête trop volumineuse : 16 Ko au plus.")
    assert_refused(get, 405, "Méthode non permise")
    assert get.headers["allow"] == "POST"
    assert gradio.text == "gradio /gradio_api/call/ask" and legacy.text == "gradio /gradio_api/api/ask"


def test_an_answer_that_fails_is_a_500_naming_the_error_only() -> None:
    def broken(request: AskRequest) -> dict[str, Any]:
        raise KeyError("/secret/chemin/du/serveur")

    async def run() -> httpx.Response:
        async with client(front(broken)) as http:
            return await http.post("/api/ask", json={"question": "secret ?"})

    response = run_apart(run())
    assert_refused(response, 500, "Erreur interne (KeyError)")
    assert "/secret/chemin" not in response.text


def test_with_accounts_no_answer_without_the_right_credentials() -> None:
    asked: list[str] = []

    def answer(request: AskRequest) -> dict[str, Any]:
        asked.append(request.question)
        return answer_of(request)

    async def run() -> dict[str, Any]:
        throttle = LoginThrottle(max_failures=3, window=60, lockout=30)
        app = front(answer, accounts={"alice": "mot-de-passe-1"}, throttle=throttle)
        question = {"question": "secret ?"}
        async with client(app) as http, client(app, "10.0.0.2") as other:
            return {
                "none": await http.post("/api/ask", json=question),
                "cookie": await http.post("/api/ask", json=question, headers={"Cookie": "access-token-x=abc"}),
                "garbled": await http.post("/api/ask", json=question, headers={"Authorization": "Basic ???"}),
                "wrong": [
                    await http.post("/api/ask", json=question, headers=basic("alice", f"faux{k}")) for k in range(3)
                ],
                "locked": await http.post("/api/ask", json=question, headers=basic("alice", "mot-de-passe-1")),
                "elsewhere": await other.post("/api/ask", json=question, headers=basic("bob", "mot-de-passe-1")),
                "alice": await other.post("/api/ask", json=question, headers=basic("alice", "mot-de-passe-1")),
            }

    seen = run_apart(run())
    for response in (seen["none"], seen["cookie"]):
        assert_refused(response, 401, "Authentification requise")
        assert response.headers["www-authenticate"].startswith("Basic ")
    assert_refused(seen["garbled"], 401, "Identifiants HTTP Basic illisibles")
    assert [r.status_code for r in seen["wrong"]] == [401, 401, 401]
    assert "mot-de-passe" not in seen["wrong"][0].text
    assert_refused(seen["locked"], 429, "Trop de tentatives de connexion")  # the account is locked
    assert int(seen["locked"].headers["retry-after"]) > 0
    assert_refused(seen["elsewhere"], 401, "Identifiants incorrects")
    assert seen["alice"].status_code == 429  # locked for every address, as the page's login
    assert asked == []


def test_a_full_queue_is_a_503_and_a_waiting_request_gets_the_next_slot() -> None:
    started, release = threading.Event(), threading.Event()

    def held(request: AskRequest) -> dict[str, Any]:
        started.set()
        release.wait(30)  # bounded: never hangs the suite
        return answer_of(request)

    async def run() -> list[httpx.Response]:
        slots = AnswerSlots(limit=1, max_waiting=1)
        async with client(front(held, slots=slots)) as http:
            first = asyncio.ensure_future(http.post("/api/ask", json={"question": "première ?"}))
            await asyncio.to_thread(started.wait, 30)
            second = asyncio.ensure_future(http.post("/api/ask", json={"question": "deuxième ?"}))
            for _ in range(500):  # until the second waits for the slot
                if slots.waiting() == 1:
                    break
                await asyncio.sleep(0.01)
            third = await http.post("/api/ask", json={"question": "troisième ?"})
            release.set()
            return [third, await first, await second]

    third, first, second = run_apart(run())
    assert_refused(third, 503, "File d'attente pleine")
    assert first.status_code == 200 and second.status_code == 200
    assert second.json()["question"] == "deuxième ?"


# --- one budget with Gradio's queue -------------------------------------------------------------------
class GradioQueue:
    """What :func:`share_with_gradio` uses of Gradio's queue."""

    max_size = 8

    def __init__(self) -> None:
        self.event_queue_per_concurrency_id: dict[str, Any] = {}

    def __len__(self) -> int:
        return sum(len(events.queue) for events in self.event_queue_per_concurrency_id.values())

    async def push(self, *_: Any, **__: Any) -> tuple[bool, str, str]:
        return True, "id", "success"


def test_slots_serve_gradio_events_and_json_requests_in_arrival_order() -> None:
    """Gradio's loop as it is: it starts its first event when ``current_concurrency < concurrency_limit``,
    and counts it down when done."""

    async def run() -> list[str]:
        slots = AnswerSlots(limit=1, max_waiting=8)

        queue = GradioQueue()
        share_with_gradio(queue, slots)
        events = queue.event_queue_per_concurrency_id["answers"]
        order: list[str] = []

        def gradio_loop() -> None:  # one pass of Gradio's queue loop
            if events.queue and events.current_concurrency < events.concurrency_limit:
                order.append(events.queue.pop(0).name)
                events.current_concurrency += 1

        async def json_request(name: str) -> None:
            await slots.acquire()
            order.append(name)

        assert slots.try_acquire()  # a JSON request runs
        events.queue.append(SimpleNamespace(name="gradio 1", enqueue_time=time.monotonic()))
        second = asyncio.ensure_future(json_request("json 2"))
        await asyncio.sleep(0)
        events.queue.append(SimpleNamespace(name="gradio 3", enqueue_time=time.monotonic()))
        gradio_loop()
        assert order == [] and slots.running == 1  # full: nobody starts
        slots.release()  # gradio 1 came first: the JSON request leaves the slot to it
        await asyncio.sleep(0)
        gradio_loop()
        assert order == ["gradio 1"]
        gradio_loop()  # full again
        events.current_concurrency -= 1  # gradio 1 done: json 2 came before gradio 3
        await second
        gradio_loop()
        assert order == ["gradio 1", "json 2"] and slots.running == 1
        slots.release()
        gradio_loop()
        assert order == ["gradio 1", "json 2", "gradio 3"]
        events.current_concurrency -= 1
        assert slots.running == 0 and slots.waiting() == 0
        return order

    run_apart(run())


class OneAtATime:
    """A stand-in assistant that records how many questions it answers at the same time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.asked: list[str] = []

    def ask(self, question: str) -> dict[str, Any]:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.asked.append(question)
        try:
            time.sleep(0.05)  # time for another question to come in, if the limit let it
        finally:
            with self.lock:
                self.running -= 1
        return answer_of(AskRequest(question=question))


def gradio_ask(url: str, question: str) -> dict[str, Any]:
    """The Gradio API ``ask`` as ``curl`` calls it: the call, then its event stream."""
    with httpx.Client(base_url=url, timeout=60) as http:
        event = http.post("gradio_api/call/ask", json={"data": [question]}).json()["event_id"]
        with http.stream("GET", f"gradio_api/call/ask/{event}") as stream:
            kind = ""
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:") and kind in ("complete", "error"):
                    assert kind == "complete", line
                    return json.loads(line[5:])[0]
    raise AssertionError("flux d'événements fermé avant la réponse")


def test_with_a_limit_of_one_the_json_route_and_gradio_never_answer_at_once(tmp_path: Path) -> None:
    import gradio as gr

    from assistant.web.app import launch
    from tests.ui_helpers import free_port

    assistant = OneAtATime()

    def ask(question: str) -> dict[str, Any]:
        return assistant.ask(question)

    with gr.Blocks() as app:
        gr.api(ask, api_name="ask", concurrency_id="answers")
    corpus = SimpleNamespace(answer=lambda request: assistant.ask(request.question), document_ids=lambda: set())
    app.engagement_web = SimpleNamespace(corpus=corpus)  # type: ignore[attr-defined]
    settings = Settings(
        index_dir=tmp_path / "index", host="127.0.0.1", port=free_port(), concurrency_limit=1, max_queue=16
    )
    launch(app, settings, prevent_thread_lock=True, quiet=True)
    url = f"http://127.0.0.1:{settings.port}/"
    try:

        def rest(question: str) -> dict[str, Any]:
            response = httpx.post(url + "api/ask", json={"question": question}, timeout=60)
            assert response.status_code == 200, response.text
            return response.json()

        def gradio(question: str) -> dict[str, Any]:
            return gradio_ask(url, question)

        jobs = [(rest, f"json {n} ?") for n in range(4)] + [(gradio, f"gradio {n} ?") for n in range(2)]
        with ThreadPoolExecutor(len(jobs)) as pool:
            results = list(pool.map(lambda job: job[0](job[1]), jobs))
    finally:
        app.close()
    assert [r["question"] for r in results] == [question for _, question in jobs]
    assert sorted(assistant.asked) == sorted(question for _, question in jobs)
    assert assistant.most == 1, "deux réponses calculées en même temps malgré la limite de 1"
