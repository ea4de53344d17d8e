"""The exact vector search (vectors in memory) finds the same passages as Chroma's index, filters included."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.embeddings import E5Embeddings
from ingest.index import IndexReader
from ingest.pipeline import ingest
from ingest.settings import Settings
from tests.conftest import make_corpus

pytestmark = pytest.mark.fast

DOCS = {
    "charte.md": "# Charte\n\nLa charte d'engagement précise les droits et les devoirs des usagers.\n\n"
    "## Secret\n\nLes usagers sont tenus au secret professionnel pendant leur mission.",
    "financement.md": "# Financement\n\nLes actions de participation sont financées par l'accord conventionnel.\n\n"
    "## Frais\n\nLes frais de déplacement des représentants des usagers sont remboursés.",
}


def test_exact_search_finds_the_same_passages_as_chroma(tmp_path: Path) -> None:
    settings = Settings(corpus_dir=make_corpus(tmp_path, DOCS), index_dir=tmp_path / "index", chunk_size=200)
    ingest(settings)
    e5 = E5Embeddings()
    exact = IndexReader(settings)
    chroma = IndexReader(Settings(**{**settings.model_dump(), "exact_search_max_passages": 0}))
    assert exact.exact_search and not chroma.exact_search
    for question in ("qui paie les frais de transport ?", "les usagers doivent-ils garder le secret ?"):
        q = e5.query_array(question)
        found = [h.index for h in exact.vector_search(q, 3)]
        assert found == [h.index for h in chroma.vector_search(q, 3)]
        only = {"file": "financement.md"}
        filtered = exact.vector_search(q, 3, only)
        assert [h.index for h in filtered] == [h.index for h in chroma.vector_search(q, 3, only)]
        assert {exact.chunks[h.index].file for h in filtered} == {"financement.md"}
    assert (
        exact.chunks[exact.vector_search(e5.query_array("qui paie les frais ?"), 1)[0].index].file == "financement.md"
    )
    exact.close()
    chroma.close()
