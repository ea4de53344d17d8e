"""Benchmark (not a test): the web app under 1, 8, 20 and 50 concurrent clients.

.venv/bin/python scripts/bench_serving.py                      # starts `python -m assistant serve` itself
.venv/bin/python scripts/bench_serving.py --clients 1 8 --requests 2
.venv/bin/python scripts/bench_serving.py --path chat --concurrency-limit 8   # the page's "Envoyer"
.venv/bin/python scripts/bench_serving.py --path api rest --query-cache 0     # both APIs, interleaved
.venv/bin/python scripts/bench_serving.py --root /tmp/old-checkout           # another checkout's code

Starts ``python -m assistant serve`` on 127.0.0.1:``--port`` (the configured index: build it first with
``python -m ingest``; answers recorded in a temporary feedback file), waits until it answers, then for
each level of concurrency starts that many clients, each asking ``--requests`` questions of the shipped
QA set in turn (a bounded number: clients × requests; ``--questions all`` adds the real-world set).
``--path api`` calls the Gradio API ``ask`` over HTTP as ``curl`` would, ``--path api-client`` through
``gradio_client`` (whose own processor time, on the same machine, is about the server's), ``--path rest``
the JSON route ``POST /api/ask``; ``--path chat`` does what the page does when "Envoyer" is clicked (the
queue's ``join``, then its event stream until the finished conversation). Several paths are run in turn
at each level, in one server (their order rotated from one level to the next). ``--query-cache 0`` makes
every question a new one for the server (its query vector computed each time, as for a question never
asked); by default a question asked again takes its vector from the cache (``--warm``: every question
asked once before the clock starts, so that each one measured is asked again). Prints, per level, throughput
(questions/s), the latency p50/p95/max seen by a client, the errors, the load average of the machine
(clients and server share it) and the processor time per question of the server (when started here) and
of the clients, then stops the server.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from evals.dataset import load_set
from ingest.settings import PROJECT_ROOT

SETS = PROJECT_ROOT / "evals" / "sets"
QUESTIONS = [i.question for i in load_set(SETS / "engagement-qa.jsonl").items]
Ask = Callable[[str], None]


def start_server(port: int, timeout: float, root: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """``python -m assistant serve`` of the checkout ``root`` on 127.0.0.1:``port``, with the extra
    ``ENGAGEMENT_*`` variables ``env``; returns once its page answers."""
    log = open(Path(tempfile.gettempdir()) / f"bench-serving-{port}.log", "wb")  # noqa: SIM115
    feedback = Path(tempfile.mkdtemp(prefix="bench-serving-")) / "feedback.sqlite"
    variables = {
        **os.environ,
        "PYTHONPATH": str(root),
        "ENGAGEMENT_INDEX_DIR": str(PROJECT_ROOT / ".index"),
        "ENGAGEMENT_FEEDBACK_DB": str(feedback),
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=root,
        env=variables,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped (exit {process.returncode}); see {log.name}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit(f"the server did not answer within {timeout:.0f} s; see {log.name}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def api_client_asker(url: str) -> Ask:
    """One ``gradio_client`` client of the API ``ask`` (connected now, before the clock starts)."""
    from gradio_client import Client

    client = Client(url, verbose=False)

    def ask(question: str) -> None:
        client.predict(question=question, api_name="/ask")

    return ask


def api_asker(url: str) -> Ask:
    """One HTTP client of the API ``ask`` as ``curl`` calls it (``/gradio_api/call/ask``, then its result's
    event stream), keeping one session as ``gradio_client`` does (Gradio sets up each new session: ~20 ms
    of processor for this app's 143 components); the client's own processor time stays small."""
    http = httpx.Client(base_url=url, timeout=120)
    session = uuid.uuid4().hex[:11]

    def ask(question: str) -> None:
        posted = http.post("gradio_api/call/ask", json={"data": [question, "", []], "session_hash": session})
        posted.raise_for_status()
        event = None
        with http.stream("GET", f"gradio_api/call/ask/{posted.json()['event_id']}") as stream:
            stream.raise_for_status()
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif event == "complete" and line.startswith("data:"):
                    return
                elif event == "error":
                    raise RuntimeError(line[:200])
        raise RuntimeError("event stream closed before the answer")

    return ask


def rest_asker(url: str) -> Ask:
    """One HTTP client of the JSON route ``POST /api/ask`` (one connection kept, as ``httpx`` does)."""
    http = httpx.Client(base_url=url, timeout=120)

    def ask(question: str) -> None:
        response = http.post("api/ask", json={"question": question})
        response.raise_for_status()
        if b'"citations"' not in response.content:
            raise RuntimeError(response.text[:200])

    return ask


def send_event(url: str) -> tuple[int, int]:
    """The queue's number of the page's "Envoyer" click and the button's id, read from the page's config."""
    config = httpx.get(f"{url}config", timeout=30).json()
    send = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == "send")
    for dependency in config["dependencies"]:
        if [send, "click"] in dependency["targets"]:
            return int(dependency["id"]), send
    raise SystemExit("no click event on #send in the page's config")


def chat_asker(url: str, event: tuple[int, int]) -> Ask:
    """One page: each question is a click on "Envoyer" in a new session (an empty conversation), followed
    through the queue's event stream until the finished answer."""
    http = httpx.Client(base_url=url, timeout=120)
    fn_index, trigger = event

    def ask(question: str) -> None:
        session = uuid.uuid4().hex[:11]
        body = {
            "data": [question, "", None, []],
            "fn_index": fn_index,
            "trigger_id": trigger,
            "session_hash": session,
            "event_data": None,
        }
        http.post("gradio_api/queue/join", json=body).raise_for_status()
        with http.stream("GET", "gradio_api/queue/data", params={"session_hash": session}) as stream:
            stream.raise_for_status()
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message: dict[str, Any] = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    if not message.get("success"):
                        raise RuntimeError(str(message.get("output", ""))[:200])
                    return
        raise RuntimeError("event stream closed before the answer")

    return ask


def cpu_seconds(pid: int | None) -> float:
    """Processor time (user + system) used so far by the process ``pid`` (``None``: this process)."""
    if pid is None:
        times = os.times()
        return times.user + times.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_level(askers: list[Ask], requests: int) -> tuple[float, list[float], int]:
    """Wall time, per-request latencies (s) and errors for ``len(askers)`` concurrent clients."""
    clients = len(askers)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)

    def worker(n: int) -> None:
        start_gate.wait()
        for r in range(requests):
            question = QUESTIONS[(n * requests + r) % len(QUESTIONS)]
            t = time.perf_counter()
            try:
                askers[n](question)
            except Exception as exc:  # a refused or failed request is counted, not fatal
                with lock:
                    errors.append(type(exc).__name__)
                continue
            with lock:
                latencies.append(time.perf_counter() - t)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, len(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 20, 50])
    parser.add_argument("--requests", type=int, default=3, help="questions per client at each level")
    parser.add_argument(
        "--path",
        nargs="+",
        choices=["api", "api-client", "rest", "chat"],
        default=["api"],
        help="the Gradio API ask over HTTP, the same through gradio_client, the JSON route /api/ask, or the "
        "page's chat; several: run in turn at each level",
    )
    parser.add_argument(
        "--questions", choices=["shipped", "all"], default="shipped", help="the shipped QA set, or with realworld"
    )
    parser.add_argument("--query-cache", type=int, help="ENGAGEMENT_QUERY_CACHE_SIZE of the app started (0: none)")
    parser.add_argument(
        "--warm", action="store_true", help="ask every question once first: then each is one asked again"
    )
    parser.add_argument("--url", help="an app already running (else one is started)")
    parser.add_argument("--port", type=int, default=7931, help="port of the app started (127.0.0.1)")
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help="checkout whose app is started")
    parser.add_argument("--concurrency-limit", type=int, help="ENGAGEMENT_CONCURRENCY_LIMIT of the app started")
    parser.add_argument("--max-queue", type=int, help="ENGAGEMENT_MAX_QUEUE of the app started")
    parser.add_argument("--start-timeout", type=float, default=600.0)
    args = parser.parse_args()
    env = {}
    if args.questions == "all":
        QUESTIONS.extend(i.question for i in load_set(SETS / "realworld.jsonl").items if i.question not in QUESTIONS)
    if args.query_cache is not None:
        env["ENGAGEMENT_QUERY_CACHE_SIZE"] = str(args.query_cache)
    if args.concurrency_limit:
        env["ENGAGEMENT_CONCURRENCY_LIMIT"] = str(args.concurrency_limit)
    if args.max_queue:
        env["ENGAGEMENT_MAX_QUEUE"] = str(args.max_queue)
    process = None
    url = args.url
    if not url:
        t = time.perf_counter()
        process = start_server(args.port, args.start_timeout, args.root.resolve(), env)
        url = f"http://127.0.0.1:{args.port}/"
        print(f"server up in {time.perf_counter() - t:.1f} s at {url} ({args.root}, {env or 'defaults'})")
    url = url if url.endswith("/") else url + "/"
    try:
        event = send_event(url) if "chat" in args.path else (0, 0)
        makers: dict[str, Callable[[], Ask]] = {
            "api": lambda: api_asker(url),
            "api-client": lambda: api_client_asker(url),
            "rest": lambda: rest_asker(url),
            "chat": lambda: chat_asker(url, event),
        }
        for path in args.path:
            makers[path]()(QUESTIONS[0])  # warm-up
        if args.warm:
            warm = makers[args.path[0]]()
            for question in QUESTIONS:
                warm(question)
        print(f"paths: {' '.join(args.path)}; {len(QUESTIONS)} questions; load average {os.getloadavg()[0]:.2f}")
        server = process.pid if process is not None else None
        print(
            f"{'path':>10} {'clients':>7} {'requests':>8} {'errors':>6} {'q/s':>6} {'p50 s':>7} {'p95 s':>7} "
            f"{'max s':>7} {'load 1 min':>10} {'server cpu ms/q':>15} {'client cpu ms/q':>15}"
        )
        for level, clients in enumerate(args.clients):
            turn = level % len(args.path)
            for path in args.path[turn:] + args.path[:turn]:
                askers = [makers[path]() for _ in range(clients)]  # connected before the clock starts
                used = (cpu_seconds(server) if server else 0.0, cpu_seconds(None))
                wall, latencies, errors = run_level(askers, args.requests)
                load = os.getloadavg()[0]
                done = max(len(latencies), 1)
                server_ms = f"{(cpu_seconds(server) - used[0]) * 1000 / done:15.0f}" if server else f"{'—':>15}"
                client_ms = (cpu_seconds(None) - used[1]) * 1000 / done
                head = f"{path:>10} {clients:7d} {clients * args.requests:8d} {errors:6d}"
                if not latencies:
                    print(f"{head}  (no answer) {load:10.2f}", flush=True)
                    continue
                print(
                    f"{head} {len(latencies) / wall:6.2f} {np.percentile(latencies, 50):7.2f} "
                    f"{np.percentile(latencies, 95):7.2f} {max(latencies):7.2f} {load:10.2f} {server_ms} "
                    f"{client_ms:15.0f}",
                    flush=True,
                )
    finally:
        if process is not None:
            stop_server(process)


if __name__ == "__main__":
    main()
