"""Fault injection on a real Chroma server (``chroma run`` on loopback): killed mid-session, the vector
search says so with a typed error while keyword search goes on; restarted, vector search is back."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.embeddings import make_cached_embeddings
from ingest.index import IndexReader, VectorStoreUnavailable
from ingest.pipeline import ingest
from ingest.settings import Settings
from tests.conftest import make_corpus

pytestmark = pytest.mark.slow

FILES = {
    "charte.txt": "La charte d'engagement précise les droits et les devoirs des usagers et des professionnels.",
    "comite.txt": "Le comité des usagers se réunit chaque trimestre à la maison de santé pluriprofessionnelle.",
    "cpts.txt": "La CPTS associe des représentants d'usagers au diagnostic de santé du territoire.",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChromaServer:
    """``chroma run`` on a port and a data folder, which can be killed and started again."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
        self.process = subprocess.Popen(
            [chroma, "run", "--host", "127.0.0.1", "--port", str(self.port), "--path", str(self.data)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.3)
        self.kill()
        pytest.fail("chroma run did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=20)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    running = ChromaServer(tmp_path / "chroma-data")
    running.start()
    yield running
    running.kill()


def _server_settings(server: ChromaServer, corpus: Path, index: Path, prefix: str) -> Settings:
    """An index of ``corpus`` whose vectors live on ``server`` (3 s before it is said unreachable)."""
    return Settings(
        corpus_dir=corpus,
        index_dir=index,
        chroma_mode="server",
        chroma_port=server.port,
        chroma_collection_prefix=prefix,
        chroma_timeout=3,
    )


def test_server_killed_then_restarted(server: ChromaServer, tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, FILES)
    settings = _server_settings(server, corpus, tmp_path / "index", "panne")
    embeddings = make_cached_embeddings(settings)
    assert ingest(settings, embeddings=embeddings).chunks == 3
    reader = IndexReader(settings)
    query = embeddings.query_array("quand se réunit le comité des usagers ?")
    comite = reader.position[next(c.chunk_id for c in reader.chunks if c.file == "comite.txt")]
    assert reader.vector_search(query, 3)[0].index == comite

    server.kill()
    with pytest.raises(VectorStoreUnavailable, match=f"serveur Chroma injoignable \\(127.0.0.1:{server.port}\\)"):
        reader.vector_search(query, 3)
    assert reader.lexical_search("comité usagers trimestre", 3)[0].index == comite  # BM25 is local
    assert IndexReader(settings).lexical_search("charte", 1)  # a reader opened while it is down still works
    started = time.perf_counter()
    with pytest.raises(VectorStoreUnavailable):
        ingest(settings, embeddings=embeddings)
    print(f"\ningestion with the server down failed in {time.perf_counter() - started:.1f} s")

    server.start()
    assert reader.vector_search(query, 3)[0].index == comite  # the same reader reconnects
    assert ingest(settings, embeddings=embeddings).up_to_date  # the server kept its data: nothing to redo

    assert server.process is not None
    server.process.send_signal(signal.SIGSTOP)  # a hung server: accepts connections, never answers
    try:
        with pytest.raises(VectorStoreUnavailable):
            reader.vector_search(query, 3)  # after chroma_timeout, not never
        assert IndexReader(settings).lexical_search("charte", 1)
    finally:
        server.process.send_signal(signal.SIGCONT)
    assert reader.vector_search(query, 3)[0].index == comite


def test_answers_degrade_while_the_server_is_down_and_recover(server: ChromaServer, tmp_path: Path) -> None:
    """What a user sees: an answer with a notice while the server is down (CLI and assistant), then a
    full answer again once it is back, without restarting anything."""
    import os

    from assistant.agent import Assistant
    from assistant.answer import Answer
    from tests.cli import run_cli

    corpus = make_corpus(tmp_path, FILES)
    settings = _server_settings(server, corpus, tmp_path / "index", "degrade")
    ingest(settings, embeddings=make_cached_embeddings(settings))
    assistant = Assistant.from_settings(settings, build_if_missing=False)
    notice = assistant.phrases["note_keywords_only"]
    question = "Quand se réunit le comité des usagers ?"

    def cited_files(answer: Answer) -> set[str]:
        return {c.file for c in answer.citations}

    full = assistant.ask(question)
    assert notice not in full.notes and "comite.txt" in cited_files(full)

    server.kill()
    degraded = assistant.ask(question)
    assert notice in degraded.notes  # said, not hidden
    assert "comite.txt" in cited_files(degraded)  # and still answered from the right passage
    # a question asking for a list looks below the contexts: in the same keyword search, not a new vector one
    listed = assistant.ask("Quels sont les droits et les devoirs des usagers selon la charte ?")
    assert notice in listed.notes and "charte.txt" in cited_files(listed)
    env = {
        **os.environ,
        "ENGAGEMENT_CORPUS_DIR": str(corpus),
        "ENGAGEMENT_INDEX_DIR": str(tmp_path / "index"),
        "ENGAGEMENT_CHROMA_MODE": "server",
        "ENGAGEMENT_CHROMA_PORT": str(server.port),
        "ENGAGEMENT_CHROMA_COLLECTION_PREFIX": "degrade",
        "ENGAGEMENT_CHROMA_TIMEOUT": "3",
    }
    shown = run_cli("assistant", "ask", question, env=env)
    assert "Traceback" not in shown.stderr
    printed = " ".join(shown.stdout.split())  # the terminal renderer wraps lines
    assert notice in printed and "trimestre" in printed

    server.start()
    again = assistant.ask(question)
    assert notice not in again.notes and "comite.txt" in cited_files(again)
