"""Benchmark (not a test): the project against the LangChain tutorial pipeline, in the same run.

.venv/bin/python scripts/bench_compare.py            # both pipelines built in a temporary folder
.venv/bin/python scripts/bench_compare.py --cold     # the tutorial's embedding cache emptied first

The tutorial pipeline: the same cleaned document texts, ``RecursiveCharacterTextSplitter`` (1000
characters, 200 overlap), Chroma with its defaults (``langchain_chroma``), the same e5 embedder (its
own vector cache, ``<index_dir>/cache/bench-compare.sqlite``, so that re-runs are fast), and
``similarity_search(question, k=5)``. The project: ``python -m ingest`` into a fresh index (with the
shipped vectors) and ``Assistant.ask`` (the whole answer, not retrieval alone). Both are asked the
test split of the shipped QA sets, interleaved (one warm-up pass first, then a timed pass).

hit@5 as in ``evals/metrics.py`` (an expected source among the first five contexts, ``source_matches``).
A tutorial chunk carries no section: it is given the document, fiche and section of every project
passage its character span overlaps, which can only help it.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from evals.dataset import QAItem, load_set, select_split
from evals.metrics import score_item, source_matches
from ingest.embeddings import CachedEmbeddings, make_embeddings
from ingest.manifest import load_manifest
from ingest.pipeline import _collect, ingest, prepare_file
from ingest.settings import PROJECT_ROOT, Settings

SETS = sorted((PROJECT_ROOT / "evals" / "sets").glob("*.jsonl"))
TUTORIAL_CHUNK, TUTORIAL_OVERLAP, K = 1000, 200, 5


class Tutorial:
    """The LangChain tutorial pipeline over the cleaned texts of the corpus."""

    def __init__(self, settings: Settings, workdir: Path, cache: Path) -> None:
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        started = time.perf_counter()
        manifest = load_manifest(settings.corpus_dir)
        prepared = [prepare_file(p, manifest, settings) for p in _collect(None, settings.corpus_dir, manifest)]
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=TUTORIAL_CHUNK, chunk_overlap=TUTORIAL_OVERLAP, add_start_index=True
        )
        docs = splitter.create_documents(
            [p.stats.text for p in prepared], metadatas=[{"doc_id": p.info.doc_id} for p in prepared]
        )
        # The project passages of each document, to label a tutorial chunk for scoring only.
        passages = {p.info.doc_id: p.chunks for p in prepared}
        self.refs: list[list[dict[str, Any]]] = []
        for i, doc in enumerate(docs):
            doc.id = f"t{i}"
            start = int(doc.metadata["start_index"])
            end = start + len(doc.page_content)
            self.refs.append(
                [
                    {"doc_id": c.doc_id, "fiche": c.fiche, "section_number": c.section_number, "chunk_id": c.chunk_id}
                    for c in passages[doc.metadata["doc_id"]]
                    if c.char_start < end and c.char_end > start
                ]
                or [{"doc_id": doc.metadata["doc_id"]}]
            )
        self.embeddings = CachedEmbeddings(make_embeddings(settings), settings.embedding_id(), cache)
        self.store = Chroma(
            collection_name="tutorial", embedding_function=self.embeddings, persist_directory=str(workdir / "chroma")
        )
        self.store.add_documents(docs, ids=[d.id for d in docs])
        self.chunks = len(docs)
        self.seconds = time.perf_counter() - started

    def retrieve(self, question: str) -> list[list[dict[str, Any]]]:
        """The labels of the first :data:`K` chunks for ``question``."""
        return [self.refs[int(d.id[1:])] for d in self.store.similarity_search(question, k=K)]


def tutorial_hit(item: QAItem, ranked: list[list[dict[str, Any]]]) -> float:
    """1.0 when an expected source is among the chunks (``evals.metrics.source_matches``)."""
    return float(any(source_matches(s, r) for refs in ranked for r in refs for s in item.expected_sources))


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cold", action="store_true", help="empty the tutorial's embedding cache first")
    parser.add_argument("--split", default="test")
    args = parser.parse_args()
    base = Settings()
    cache = base.index_dir / "cache" / "bench-compare.sqlite"
    if args.cold:
        cache.unlink(missing_ok=True)
    cache.parent.mkdir(parents=True, exist_ok=True)
    items = [i for path in SETS for i in select_split(load_set(path), args.split).items]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(corpus_dir=base.corpus_dir, index_dir=Path(tmp) / "index")
        started = time.perf_counter()
        report = ingest(settings)
        project_ingest = time.perf_counter() - started
        from assistant.agent import Assistant

        started = time.perf_counter()
        assistant = Assistant.from_settings(settings, build_if_missing=False)
        project_open = time.perf_counter() - started
        tutorial = Tutorial(settings, Path(tmp), cache)
        computed = tutorial.embeddings.computed

        times: dict[str, list[float]] = {"tutorial": [], "project": []}
        hits: dict[str, list[float]] = {"tutorial": [], "project": []}
        for timed in (False, True):  # a warm-up pass, then the measured one
            for n, item in enumerate(items):
                order = ("tutorial", "project") if n % 2 == 0 else ("project", "tutorial")
                for name in order:
                    t = time.perf_counter()
                    if name == "tutorial":
                        ranked = tutorial.retrieve(item.question)
                    else:
                        answer = assistant.ask(item.question, history=item.history or None).to_dict()
                    elapsed = (time.perf_counter() - t) * 1000
                    if not timed:
                        continue
                    times[name].append(elapsed)
                    if item.answerable and item.expected_sources:
                        if name == "tutorial":
                            hits[name].append(tutorial_hit(item, ranked))
                        else:
                            hits[name].append(float(score_item(item, answer, "")["hit@5"]))

    print(
        f"questions: {len(items)} (split {args.split} of {', '.join(p.name for p in SETS)}), "
        f"{len(hits['project'])} with expected sources"
    )
    print(
        f"ingest, project: {project_ingest:.1f} s ({report.chunks} passages, {report.embedded} vectors computed, "
        f"{report.shipped} shipped) + {project_open:.1f} s to open the assistant"
    )
    print(
        f"ingest, tutorial: {tutorial.seconds:.1f} s ({tutorial.chunks} chunks, {computed} vectors computed, "
        f"the rest from its cache)"
    )
    print(f"{'':10} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8} {'hit@5':>6}")
    for name in ("tutorial", "project"):
        print(
            f"{name:10} {_pct(times[name], 50):8.1f} {_pct(times[name], 95):8.1f} "
            f"{statistics.mean(times[name]):8.1f} {statistics.mean(hits[name]):6.3f}"
        )
    print(
        f"ratios project/tutorial: p50 ×{_pct(times['project'], 50) / _pct(times['tutorial'], 50):.2f}, "
        f"p95 ×{_pct(times['project'], 95) / _pct(times['tutorial'], 95):.2f}, "
        f"hit@5 ×{statistics.mean(hits['project']) / max(statistics.mean(hits['tutorial']), 1e-9):.2f}"
    )


if __name__ == "__main__":
    main()
