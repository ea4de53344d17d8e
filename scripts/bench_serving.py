"""Benchmark (not a test): the web app's API ``ask`` under 1, 8, 20 and 50 concurrent clients.

.venv/bin/python scripts/bench_serving.py                      # starts `python -m assistant serve` itself
.venv/bin/python scripts/bench_serving.py --clients 1 8 --requests 2

Starts ``python -m assistant serve --port N`` on 127.0.0.1 (a free port, the configured index: build it
first with ``python -m ingest``), waits until it answers, then for each level of concurrency starts
that many ``gradio_client`` clients, each asking ``--requests`` questions of the shipped QA set in turn
(a bounded number: clients × requests). Prints throughput (questions/s) and the latency p50/p95 seen by
a client, then stops the server.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np

from evals.dataset import load_set
from ingest.settings import PROJECT_ROOT

QUESTIONS = [i.question for i in load_set(PROJECT_ROOT / "evals" / "sets" / "engagement-qa.jsonl").items]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, timeout: float) -> subprocess.Popen[bytes]:
    """``python -m assistant serve`` on 127.0.0.1:``port``; returns once its page answers."""
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-serving-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_ROOT,
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


def run_level(url: str, clients: int, requests: int) -> tuple[float, list[float], int]:
    """Wall time, per-request latencies (s) and errors for ``clients`` concurrent clients."""
    from gradio_client import Client

    handles = [Client(url, verbose=False) for _ in range(clients)]  # connected before the clock starts
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
                handles[n].predict(question=question, api_name="/ask")
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
    wall = time.perf_counter() - started
    for handle in handles:
        if hasattr(handle, "close"):
            handle.close()
    return wall, latencies, len(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 20, 50])
    parser.add_argument("--requests", type=int, default=3, help="questions per client at each level")
    parser.add_argument("--url", help="an app already running (else one is started)")
    parser.add_argument("--start-timeout", type=float, default=600.0)
    args = parser.parse_args()
    process = None
    url = args.url
    if not url:
        port = _free_port()
        t = time.perf_counter()
        process = start_server(port, args.start_timeout)
        url = f"http://127.0.0.1:{port}/"
        print(f"server up in {time.perf_counter() - t:.1f} s at {url}")
    try:
        from gradio_client import Client

        Client(url, verbose=False).predict(question=QUESTIONS[0], api_name="/ask")  # warm-up
        print(f"{'clients':>7} {'requests':>8} {'errors':>6} {'q/s':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
        for clients in args.clients:
            wall, latencies, errors = run_level(url, clients, args.requests)
            if not latencies:
                print(f"{clients:7d} {clients * args.requests:8d} {errors:6d}  (no answer)")
                continue
            print(
                f"{clients:7d} {clients * args.requests:8d} {errors:6d} {len(latencies) / wall:6.2f} "
                f"{np.percentile(latencies, 50):7.2f} {np.percentile(latencies, 95):7.2f} {max(latencies):7.2f}"
            )
    finally:
        if process is not None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
