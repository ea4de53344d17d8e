"""The real corpus: structure found, no table of contents in the index, idempotence, crash safety,
and the same pipeline against a real Chroma server."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.index import IndexReader, current_build
from ingest.pipeline import ingest
from ingest.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.slow

FICHES = {
    1: "L'approche multidimensionnelle",
    2: "Processus de l'engagement",
    3: "Participation et faux-semblants",
    4: "Lever les freins",
    5: "Représentativité et représentation",
    6: "Respect de la vie privée et secret professionnel",
    7: "Indications pour la formation",
    8: "Facilitateurs et facilitations",
    9: "Mobilisation des ressources humaines",
    10: "Mobilisation des ressources financières",
    11: "Usagers, comment être à l'initiative ?",
    12: "Principaux avantages de l'engagement des usagers dans les soins primaires",
    13: "Éléments pour une affiche en vue d'une action d'engagement des usagers",
    14: "Rédiger une charte de l'engagement",
}


@pytest.fixture(scope="module")
def reader(corpus_index: Settings) -> IndexReader:
    return IndexReader(corpus_index)


def test_all_fourteen_fiches_with_their_exact_titles(reader: IndexReader) -> None:
    assert {f["number"]: f["title"] for f in reader.fiches()} == FICHES
    for number in FICHES:
        chunks = [c for c in reader.chunks if c.fiche == number]
        assert chunks, number
        assert all(c.section_number.startswith(f"6.{number}") for c in chunks)
        assert all(c.section_path.startswith("6. Fiches ressources > ") for c in chunks)


def test_section_paths_and_pages_from_the_table_of_contents(reader: IndexReader) -> None:
    secret = next(c for c in reader.chunks if c.section_number == "6.6.2")
    assert secret.section_path == (
        "6. Fiches ressources > 6.6. Fiche ressource n° 6 – Respect de la vie privée et secret professionnel"
        " > 6.6.2. Obligation de secret des usagers"
    )
    assert (secret.page, secret.page_source) == (41, "toc")
    freins = next(c for c in reader.chunks if c.section_number == "4.3")
    assert freins.page == 20


def test_urps_recommendations_fiche_mission_parts_and_study_sections(reader: IndexReader) -> None:
    urps = {c.section_number: c.section_title for c in reader.chunks if c.doc_id == "urps-2022"}
    assert [urps.get(f"R{n}", "").split()[0] for n in range(1, 5)] == [
        "Faire",
        "Associer",
        "S'appuyer",
        "Laisser",
    ]
    parts = {c.section_number for c in reader.chunks if c.doc_id == "fas-fiche-mission"}
    assert {"I", "II", "III"} <= parts
    diagnostic = next(c for c in reader.chunks if "Proposer leurs propres données" in c.text)
    assert diagnostic.section_number == "II"  # the anchor puts the slide's text in its part
    study = {c.section_number for c in reader.chunks if c.doc_id == "memoire-2021"}
    assert {"P1-3.4", "P2-3.3.4.1", "P2-4.3.3.2"} <= study
    accents = next(c for c in reader.chunks if c.section_number == "P2-1.1.1")
    assert "1.1. Aux origines de la démocratie sanitaire" in accents.section_path  # accents recomposed (NFC)
    assert "Partie 2 - Mémoire" in accents.section_path


def test_no_table_of_contents_or_markup_in_passages(reader: IndexReader) -> None:
    for chunk in reader.chunks:
        assert "\t" not in chunk.text
        assert "<p>" not in chunk.text and "**" not in chunk.text
        toc_like = [
            line for line in chunk.text.splitlines() if line.rstrip()[-2:].isdigit() and "Fiche ressource n°" in line
        ]
        assert len(toc_like) < 3, chunk.text[:200]
    sommaire = [
        c for c in reader.chunks if c.text.startswith("Engagement des usagers dans les maisons") and "\n1." in c.text
    ]
    assert not sommaire


def test_stats_count_the_passages_of_each_role(env_for: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "--stats", "--json"], env=env_for, capture_output=True, text=True, check=True
    )
    stats = json.loads(done.stdout)
    guide = next(d for d in stats["documents"] if d["file"].startswith("has-2023"))
    assert sum(guide["roles"].values()) == guide["chunks"]
    assert {"resources", "references", "participants"} <= set(guide["roles"])  # §7.2–7.4, §8 and §9
    assert stats["roles"]["body"] > stats["chunks"] / 2
    text = subprocess.run([sys.executable, "-m", "ingest", "--stats"], env=env_for, capture_output=True, text=True)
    assert f"références {guide['roles']['references']}" in text.stdout


def test_rerun_on_an_unchanged_corpus_does_no_embedding(corpus_index: Settings) -> None:
    report = ingest(corpus_index)
    assert report.up_to_date and report.embedded == 0
    assert report.chunks > 400 and len(report.fiches) == 14


def _copy_index(source: Settings, target: Path) -> Settings:
    shutil.copytree(source.index_dir, target / "index")
    shutil.copytree(source.corpus_dir, target / "corpus")
    return Settings(corpus_dir=target / "corpus", index_dir=target / "index")


def test_killed_ingestion_leaves_the_previous_index_answering(corpus_index: Settings, tmp_path: Path) -> None:
    from assistant.agent import Assistant

    settings = _copy_index(corpus_index, tmp_path)
    live_before = current_build(settings)
    # enough new text that embedding it takes a while
    paragraphs = [f"Paragraphe {i} : les usagers du quartier {i} organisent un atelier numéro {i}." for i in range(400)]
    (settings.corpus_dir / "nouveau.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    env = dict(
        os.environ,
        ENGAGEMENT_CORPUS_DIR=str(settings.corpus_dir),
        ENGAGEMENT_INDEX_DIR=str(settings.index_dir),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "ingest", "--quiet"], env=env, cwd=PROJECT_ROOT, start_new_session=True
    )
    cache = settings.index_dir / "cache" / "embeddings.sqlite"
    size = cache.stat().st_size
    deadline = time.time() + 120
    while time.time() < deadline and cache.stat().st_size == size and process.poll() is None:
        time.sleep(0.2)  # wait until the new passages are being embedded
    assert process.poll() is None, "the ingestion ended before it could be interrupted"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()

    assert current_build(settings) == live_before
    answer = Assistant.from_settings(settings, build_if_missing=False).ask("les usagers sont-ils tenus au secret ?")
    assert not answer.refused and answer.citations[0].fiche == 6


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path):
    port = _free_port()
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    process = subprocess.Popen(
        [chroma, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(tmp_path / "chroma-data")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("chroma run did not start")
    yield port
    process.terminate()
    process.wait(timeout=20)


def test_server_mode_against_chroma_run(corpus_index: Settings, chroma_server: int, tmp_path: Path) -> None:
    import chromadb

    from assistant.agent import Assistant

    (tmp_path / "index" / "cache").mkdir(parents=True)
    shutil.copy(corpus_index.index_dir / "cache" / "embeddings.sqlite", tmp_path / "index" / "cache")
    settings = Settings(
        corpus_dir=corpus_index.corpus_dir,
        index_dir=tmp_path / "index",
        chroma_mode="server",
        chroma_port=chroma_server,
        chroma_collection_prefix="essai",
    )
    report = ingest(settings)
    assert report.embedded == 0 and report.chunks > 400
    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    names = [c.name if hasattr(c, "name") else str(c) for c in client.list_collections()]
    assert len(names) == 1 and names[0].startswith("essai-")
    assert client.get_collection(names[0]).count() == report.chunks
    assert not (current_build(settings) / "chroma").exists()  # vectors live in the server
    answer = Assistant.from_settings(settings, build_if_missing=False).ask("c'est quoi une charte d'engagement ?")
    assert answer.citations and answer.citations[0].fiche == 14
