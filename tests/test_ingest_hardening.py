"""Ingestion against hostile or clumsy input (issue 12): links out of the corpus, a file far too long,
AES-encrypted PDFs, latin-1 text, a second ingestion waiting, a vector store that moved or is down,
and index reloads that must not pile up Chroma clients."""

from __future__ import annotations

import fcntl
import gc
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF
from fpdf.enums import EncryptionMethod

from ingest.embeddings import CachedEmbeddings, make_cached_embeddings
from ingest.index import IndexMismatch, IndexReader, VectorStoreUnavailable
from ingest.pipeline import WAITING, index_lock, ingest
from ingest.settings import Settings
from tests.conftest import make_corpus

pytestmark = pytest.mark.fast

FACT = "Les usagers participent au comité de pilotage de la maison de santé chaque trimestre."


def _settings(tmp_path: Path, corpus: Path, **update: object) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index", **update)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def embeddings(tmp_path_factory: pytest.TempPathFactory) -> CachedEmbeddings:
    """One embedder for the module (the model loads once); its cache lives in a temporary folder."""
    root = tmp_path_factory.mktemp("cache")
    return make_cached_embeddings(Settings(index_dir=root))


def test_a_link_in_the_corpus_is_never_followed(tmp_path: Path, embeddings: CachedEmbeddings) -> None:
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n" * 5, encoding="utf-8")
    corpus = make_corpus(tmp_path, {"bon.txt": FACT})
    (corpus / "passwd.txt").symlink_to(secret)

    report = ingest(_settings(tmp_path, corpus), embeddings=embeddings)

    reasons = {f.file: (f.status, f.reason) for f in report.files}
    assert reasons["passwd.txt"][0] == "failed" and "lien symbolique" in reasons["passwd.txt"][1]
    reader = IndexReader(_settings(tmp_path, corpus))
    assert not any("root:x" in c.text for c in reader.chunks)
    assert {d.file for d in reader.manifest.documents} == {"bon.txt"}


def test_a_file_over_the_passage_budget_is_refused_and_the_others_indexed(
    tmp_path: Path, embeddings: CachedEmbeddings
) -> None:
    paragraph = "Les représentants des usagers siègent au conseil de la structure et donnent leur avis. " * 12
    long_text = "\n\n".join(f"# Partie {n}\n\n{paragraph}" for n in range(40))
    corpus = make_corpus(tmp_path, {"bon.txt": FACT, "enorme.txt": long_text})
    settings = _settings(tmp_path, corpus, max_passages_per_file=20)

    report = ingest(settings, embeddings=embeddings)

    reasons = {f.file: (f.status, f.reason) for f in report.files}
    assert reasons["bon.txt"][0] == "new"
    assert reasons["enorme.txt"][0] == "failed"
    assert "trop long" in reasons["enorme.txt"][1] and "20 au plus par fichier" in reasons["enorme.txt"][1]
    assert {c.file for c in IndexReader(settings).chunks} == {"bon.txt"}
    # Within the budget, the same file is indexed.
    assert ingest(settings.model_copy(update={"max_passages_per_file": 2000}), embeddings=embeddings).files[0].chunks


@pytest.mark.parametrize("method", [EncryptionMethod.AES_128, EncryptionMethod.AES_256])
def test_an_aes_encrypted_pdf_with_an_empty_password_opens(
    tmp_path: Path, embeddings: CachedEmbeddings, method: EncryptionMethod
) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "Les usagers participent au comite de pilotage de la maison de sante chaque trimestre.")
    pdf.set_encryption(owner_password="proprietaire", user_password="", encryption_method=method)
    corpus = make_corpus(tmp_path, {"aes.pdf": bytes(pdf.output())})

    report = ingest(_settings(tmp_path, corpus), embeddings=embeddings)

    assert [(f.file, f.status, f.reason) for f in report.files] == [("aes.pdf", "new", "")]
    assert "comite de pilotage" in IndexReader(_settings(tmp_path, corpus)).chunks[0].text


def test_latin1_text_is_indexed_with_a_warning_in_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ingest.__main__ import main

    corpus = make_corpus(tmp_path, {"latin.txt": FACT.encode("cp1252"), "utf8.txt": FACT})
    monkeypatch.setenv("ENGAGEMENT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("ENGAGEMENT_INDEX_DIR", str(tmp_path / "index"))
    report = ingest(_settings(tmp_path, corpus))
    warnings = {f.file: f.warnings for f in report.files}
    assert warnings == {"latin.txt": ["non UTF-8 : lu en Windows-1252"], "utf8.txt": []}
    assert main(["--quiet", "--rebuild"]) == 0
    assert "non UTF-8 : lu en Windows-1252" in capsys.readouterr().err


def test_embedding_happens_outside_the_lock_and_a_waiting_cli_says_so(
    tmp_path: Path, embeddings: CachedEmbeddings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = make_corpus(tmp_path, {"a.txt": FACT})
    settings = _settings(tmp_path, corpus)
    lock_free_while_embedding: list[bool] = []

    def probed(inner: Any) -> Any:
        def probe(*args: Any) -> Any:
            with open(settings.index_dir / ".lock", "w") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    fcntl.flock(handle, fcntl.LOCK_UN)
                    lock_free_while_embedding.append(True)
                except OSError:
                    lock_free_while_embedding.append(False)
            return inner(*args)

        return probe

    # passages and sentences (embed_array), or passages with their sentences' spans (late chunking)
    for name in ("embed_array", "embed_spans"):
        if hasattr(embeddings.inner, name):
            monkeypatch.setattr(embeddings.inner, name, probed(getattr(embeddings.inner, name)))
    assert ingest(settings, embeddings=embeddings).embedded > 0
    assert lock_free_while_embedding and all(lock_free_while_embedding)
    monkeypatch.undo()

    from ingest.__main__ import main

    monkeypatch.setenv("ENGAGEMENT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("ENGAGEMENT_INDEX_DIR", str(settings.index_dir))
    release = threading.Event()
    held = threading.Event()

    def hold() -> None:
        with index_lock(settings.index_dir):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    threading.Timer(1.0, release.set).start()
    assert main(["--quiet"]) == 0  # waits for the holder, then finds the index up to date
    holder.join()
    assert WAITING in capsys.readouterr().err


def test_switching_to_an_unreachable_chroma_server_is_one_french_line(
    tmp_path: Path, embeddings: CachedEmbeddings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ingest.__main__ import main

    corpus = make_corpus(tmp_path, {"a.txt": FACT})
    ingest(_settings(tmp_path, corpus), embeddings=embeddings)
    server = _settings(tmp_path, corpus, chroma_mode="server", chroma_port=9)  # nothing listens on port 9

    with pytest.raises(IndexMismatch, match="Chroma"):
        IndexReader(server)  # the embedded build does not serve server mode: rebuild, not a crash
    with pytest.raises(VectorStoreUnavailable, match="serveur Chroma injoignable"):
        ingest(server, embeddings=embeddings)  # not "déjà à jour": the mode is part of the build identity

    monkeypatch.setenv("ENGAGEMENT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("ENGAGEMENT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ENGAGEMENT_CHROMA_MODE", "server")
    monkeypatch.setenv("ENGAGEMENT_CHROMA_PORT", "9")
    assert main(["--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert err.startswith("Échec de l'ingestion : serveur Chroma injoignable (127.0.0.1:9)")
    monkeypatch.delenv("ENGAGEMENT_CHROMA_MODE")
    assert IndexReader(_settings(tmp_path, corpus)).chunks  # the embedded index still answers


def _chroma_sqlite_handles(under: Path) -> int:
    """Open ``chroma.sqlite3`` files of this test's index (other tests' readers do not count)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        count += target.endswith("chroma.sqlite3") and target.startswith(str(under))
    return count


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        line = next(x for x in fh if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


LIVE_HANDLES = 6  # the connections of one open reader (and of the ingestion that just finished, being closed)


def _settled_handles(index: Path, expected: int, wait_s: float = 20.0) -> int:
    """The handles open on ``index`` once the ingestion that just ended has closed its own (Chroma closes
    them from its threads: on a loaded machine that can take seconds; one CI run beside heavy evaluations took
    more than 5); a leak never settles."""
    deadline = time.monotonic() + wait_s
    while (count := _chroma_sqlite_handles(index)) > expected and time.monotonic() < deadline:
        time.sleep(0.05)
        gc.collect()
    return count


def test_twenty_reloads_keep_chroma_handles_flat(tmp_path: Path, embeddings: CachedEmbeddings) -> None:
    """Each cycle makes a new build (as an upload does) and opens a reader on it, dropping the old one:
    the old reader is freed and its Chroma client and files closed (counted on this test's index only,
    so that readers of other tests, collected or not, do not change the figures)."""
    import weakref

    corpus = make_corpus(tmp_path, {"a.txt": FACT})
    settings = _settings(tmp_path, corpus)
    ingest(settings, embeddings=embeddings)
    reader = IndexReader(settings)
    index = tmp_path / "index"
    dropped = []  # (the old reader, its build folder)
    figures = []
    for cycle in range(20):
        (corpus / "b.txt").write_text(f"{FACT} Réunion numéro {cycle}.", encoding="utf-8")
        ingest(settings, embeddings=embeddings)
        fresh = IndexReader(settings)
        assert fresh.build_dir != reader.build_dir
        dropped.append((weakref.ref(reader), reader.build_dir))
        reader = fresh  # the old reader is dropped, as the web app does on reload
        gc.collect()
        live = _settled_handles(index, LIVE_HANDLES)
        old_handles = sum(_chroma_sqlite_handles(build) for _, build in dropped)
        figures.append((old_handles, live, len(os.listdir("/proc/self/fd")), _rss_mb()))
    print("\ncycle: chroma.sqlite3 handles on dropped builds, on this index, open fds, RSS MB")
    for n, row in enumerate(figures, 1):
        print(n, *(f"{x:.0f}" if isinstance(x, float) else x for x in row))
    # before the fix every dropped build kept its handle (91 after a long session)
    assert all(ref() is None for ref, _ in dropped)
    assert all(f[0] == 0 for f in figures)
    assert max(f[1] for f in figures) <= LIVE_HANDLES  # the live reader's own connections only
    reader.close()
    del reader, fresh
    gc.collect()  # what close() released may still sit in a reference cycle
    assert _chroma_sqlite_handles(index) == 0


def test_a_build_whose_vectors_are_gone_asks_for_a_rebuild(tmp_path: Path, embeddings: CachedEmbeddings) -> None:
    import shutil

    from ingest.index import current_build

    corpus = make_corpus(tmp_path, {"a.txt": FACT})
    settings = _settings(tmp_path, corpus)
    ingest(settings, embeddings=embeddings)
    live = current_build(settings)
    assert live is not None
    shutil.rmtree(live / "chroma")

    with pytest.raises(IndexMismatch, match="reconstruction nécessaire"):
        IndexReader(settings)
    ingest(settings, rebuild=True, embeddings=embeddings)
    assert IndexReader(settings).chunks


@pytest.mark.parametrize(
    ("manifest", "said"),
    [
        ('[documents.bon]\nfile = "bon.txt"\nauthority = "haute"\n', "« authority » doit être un nombre entier"),
        ('[documents.bon]\nfile = "bon.txt"\nglued_words = "oui"\n', "« glued_words » doit valoir true ou false"),
        ('[documents.bon]\ntitle = "Sans fichier"\n', "« file » (le nom du fichier) manque"),
        ("[documents.bon\n", "n'est pas un fichier TOML valide"),
        ('exclude = "notes.txt"\n', "« exclude » doit être une liste"),
        ("documents = 3\n", "« documents » doit être une table"),
        ('[documents.bon]\nfile = "bon.txt"\ntitle = 12\n', "« title » doit être un texte"),
        ('[documents.bon]\nfile = "bon.txt"\naliases = "le bon"\n', "« aliases » doit être une liste"),
        ('[documents.bon]\nfile = "bon.txt"\naliases = [1]\n', "« aliases » doit être une liste de textes"),
        ('[documents.a]\nfile = "bon.txt"\n[documents.b]\nfile = "bon.txt"\n', "est déjà décrit par une autre entrée"),
    ],
)
def test_a_broken_manifest_stops_the_ingestion_in_french_and_keeps_the_live_index(
    tmp_path: Path, embeddings: CachedEmbeddings, manifest: str, said: str
) -> None:
    """A manifest entry of the wrong kind was a Python traceback (« invalid literal for int() »): it is one French
    line naming the entry, and the index in service answers as before."""
    from ingest.pipeline import IngestError

    corpus = make_corpus(tmp_path, {"bon.txt": FACT})
    settings = _settings(tmp_path, corpus)
    ingest(settings, embeddings=embeddings)
    (corpus / "manifest.toml").write_text(manifest, encoding="utf-8")
    (corpus / "nouveau.txt").write_text("Un autre texte sur les comités d'usagers de la maison.", encoding="utf-8")

    with pytest.raises(IngestError, match=re.escape(said)):
        ingest(settings, embeddings=embeddings)

    assert {d.file for d in IndexReader(settings).manifest.documents} == {"bon.txt"}
