"""Soak test of the web app (not part of the test suite; see docs/reliability.md).

Starts ``python -m assistant serve`` on 127.0.0.1 on copies of the corpus and index (or uses ``--url``),
runs N concurrent API clients (gradio_client, endpoint ``/ask``) for a bounded time while a corpus edit
(add a note, then remove it, through :mod:`ingest.corpus_edit`, as another process would) happens every
``--edit-every`` seconds, and prints every minute: requests, errors, p50/p95 latency, the server's RSS,
open files and open ``chroma.sqlite3`` handles.

    .venv/bin/python scripts/soak.py --clients 5 --minutes 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

QUESTIONS = [
    "comment recruter des représentants d'usagers ?",
    "c'est quoi une charte d'engagement ?",
    "les usagers sont-ils tenus au secret ?",
    "et dans un centre de santé ?",
    "quel est le rôle d'un représentant associatif dans une CPTS ?",
    "comment associer les usagers au diagnostic territorial ?",
]
NOTE = "# Note d'essai de charge\n\nLe comité zéphyr des usagers se réunit le premier lundi du mois.\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def proc_figures(pid: int) -> tuple[float, int, int]:
    """RSS (MB), open file descriptors and open chroma.sqlite3 handles of a process."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        rss = int(next(x for x in fh if x.startswith("VmRSS:")).split()[1]) / 1024
    fds = os.listdir(f"/proc/{pid}/fd")
    chroma = 0
    for fd in fds:
        try:
            chroma += os.readlink(f"/proc/{pid}/fd/{fd}").endswith("chroma.sqlite3")
        except OSError:
            continue
    return rss, len(fds), chroma


class Stats:
    """Latencies and errors, for the whole run and since the last report."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.recent: list[float] = []
        self.errors: list[str] = []

    def add(self, seconds: float | None, error: str = "") -> None:
        with self.lock:
            if error:
                self.errors.append(error)
            else:
                self.latencies.append(seconds or 0.0)
                self.recent.append(seconds or 0.0)

    def line(self) -> str:
        with self.lock:
            recent, self.recent = self.recent, []
            total, errors = len(self.latencies), len(self.errors)
        minute = f"dernière minute : {len(recent):4d} req p50 {pct(recent, 50)} p95 {pct(recent, 95)}"
        return f"{total:6d} req {errors:4d} err  {minute}"


def pct(values: list[float], q: int) -> str:
    if len(values) < 2:
        return f"{values[0]:5.2f}s" if values else "    -"
    return f"{statistics.quantiles(values, n=100)[q - 1]:5.2f}s"


def client_loop(url: str, n: int, stop: float, stats: Stats) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    i = n
    while time.time() < stop:
        question = QUESTIONS[i % len(QUESTIONS)]
        i += 1
        started = time.perf_counter()
        try:
            answer = client.predict(question=question, role="", history=[], api_name="/ask")
            if not isinstance(answer, dict) or "citations" not in answer:
                raise ValueError(f"réponse inattendue : {str(answer)[:80]}")
            stats.add(time.perf_counter() - started)
        except Exception as exc:  # every error is counted and printed, the client goes on
            stats.add(None, f"{type(exc).__name__}: {str(exc)[:120]}")
            print(f"  erreur client {n}: {type(exc).__name__}: {str(exc)[:120]}", flush=True)


def editor_loop(corpus: Path, index: Path, every: float, stop: float) -> None:
    """Every ``every`` seconds, add the note, then (next time) remove it."""
    from ingest.corpus_edit import add_files, remove_file
    from ingest.settings import Settings

    settings = Settings(corpus_dir=corpus, index_dir=index)
    note = Path(tempfile.mkdtemp()) / "note-charge.md"
    note.write_text(NOTE, encoding="utf-8")
    present = False
    while time.time() + every < stop:
        time.sleep(every)
        started = time.perf_counter()
        change = remove_file(settings, "note-charge.md") if present else add_files(settings, [(note, "note-charge.md")])
        present = not present if change.ok else present
        print(f"  édition du corpus ({time.perf_counter() - started:.1f} s) : {change.summary}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--edit-every", type=float, default=30.0, help="secondes entre deux éditions du corpus")
    parser.add_argument("--url", help="une application déjà lancée (sans éditions du corpus)")
    parser.add_argument("--index", type=Path, default=Path(".pytest-index"), help="index copié pour l'essai")
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    server = None
    corpus = index = None
    if args.url:
        url = args.url
    else:
        work = Path(tempfile.mkdtemp(prefix="soak-"))
        corpus, index = work / "corpus", work / "index"
        shutil.copytree(root / "corpus", corpus)
        shutil.copytree(root / args.index, index, ignore=shutil.ignore_patterns(".lock", "*.tmp*"))
        port = free_port()
        env = dict(os.environ, ENGAGEMENT_CORPUS_DIR=str(corpus), ENGAGEMENT_INDEX_DIR=str(index))
        env["ENGAGEMENT_FEEDBACK_DB"] = str(work / "feedback.sqlite")
        server = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(work / "server.log", "w"),  # noqa: SIM115 (lives as long as the server)
        )
        url = f"http://127.0.0.1:{port}/"
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(1)
        print(f"application sur {url} (pid {server.pid}, journal {work / 'server.log'})", flush=True)
    stats = Stats()
    stop = time.time() + args.minutes * 60
    threads = [
        threading.Thread(target=client_loop, args=(url, n, stop, stats), daemon=True) for n in range(args.clients)
    ]
    if corpus is not None and index is not None:
        threads.append(threading.Thread(target=editor_loop, args=(corpus, index, args.edit_every, stop), daemon=True))
    for thread in threads:
        thread.start()
    started = time.time()
    print("minute | requêtes, erreurs, latences | RSS Mo, fichiers ouverts, chroma.sqlite3 (serveur)", flush=True)
    try:
        while time.time() < stop:
            time.sleep(max(0.0, min(60.0, stop - time.time())))
            figures = ""
            if server is not None:
                rss, fds, chroma = proc_figures(server.pid)
                figures = f"| RSS {rss:6.0f} Mo, {fds:4d} fichiers, {chroma:3d} chroma.sqlite3"
            print(f"{(time.time() - started) / 60:5.1f} | {stats.line()} {figures}", flush=True)
        for thread in threads:
            thread.join(timeout=120)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    all_latencies = stats.latencies
    print(
        f"total : {len(all_latencies)} requêtes, {len(stats.errors)} erreurs, "
        f"p50 {pct(all_latencies, 50)}, p95 {pct(all_latencies, 95)}",
        flush=True,
    )
    return 1 if stats.errors else 0


if __name__ == "__main__":
    sys.exit(main())
