"""The one owner of the index format: how builds are written, swapped in, read and searched.

Layout of ``settings.index_dir``::

    CURRENT                  name of the live build (replaced atomically)
    builds/<build_id>-<nonce>/  one complete build: manifest.json, chunks.jsonl, sentences.jsonl,
                             chunk_vectors.npy, sentence_vectors.npy, bm25/, chroma/ (embedded mode),
                             COMPLETE (written last)
    cache/embeddings.sqlite  passage vectors by (model, text) hash, shared by all builds

A build is written aside and only becomes live when ``CURRENT`` names it, so a crash or an
interruption leaves the previous build answering. In server mode the vectors live in a Chroma
collection named after the build; everything else stays in the build folder.

Longer than 350 lines on purpose: it is the one owner of the format (writer, reader and the shared
Chroma clients both use), and splitting it would spread that format over several modules.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import threading
import time
import uuid
import weakref
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import chromadb
import httpx
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma

from ingest.embeddings import CachedEmbeddings
from ingest.lexical import LexicalIndex
from ingest.models import Chunk, Sentence
from ingest.settings import Settings

FORMAT_VERSION = 1
GRACE_SECONDS = 600  # a build younger than this is never removed (an app may not have reloaded yet)
_CHROMA_LOCK = threading.RLock()
log = logging.getLogger(__name__)


class IndexUnavailable(Exception):
    """The index is missing or cannot serve the current settings."""


class IndexMismatch(IndexUnavailable):
    """The live index was built with other settings (embedding model, chunking, vector store)."""


class VectorStoreUnavailable(Exception):
    """The vector store (a Chroma server) cannot be reached; passages and BM25 are local and still work.

    Raised by :meth:`IndexReader.vector_search` (a later call tries again) and by an ingestion that
    cannot write its vectors. The message is one French line."""


@dataclass
class DocumentStats:
    """What the index records of each document."""

    doc_id: str
    file: str
    title: str
    publisher: str
    kind: str
    date: str
    url: str
    authority: int
    in_manifest: bool
    sha256: str
    pages: int | None
    chunks: int
    fiches: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""  # the cleaned text, for reading a document whole
    headings: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class IndexManifest:
    build_id: str
    format_version: int
    embedding_id: str
    dim: int
    chunk_size: int
    chunk_overlap: int
    settings_fingerprint: str
    corpus_fingerprint: str
    chroma_mode: str
    chroma_collection: str
    documents: list[DocumentStats]
    chunks: int
    sentences: int
    chroma_address: str = ""  # "host:port" of the Chroma server (server mode), "" when embedded

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndexManifest:
        data = dict(data)
        data["documents"] = [DocumentStats(**d) for d in data["documents"]]
        return cls(**data)


def chroma_address(settings: Settings) -> str:
    """Where the vectors live besides the build folder: "host:port" in server mode, "" when embedded."""
    return f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_mode == "server" else ""


def vector_store_id(settings: Settings) -> str:
    """The vector store as part of a build's identity: switching mode or server makes a new build."""
    return f"{settings.chroma_mode}:{chroma_address(settings)}"


def chroma_client(settings: Settings, build_dir: Path) -> chromadb.ClientAPI:
    """An embedded client on the build's folder, or an HTTP client on the configured server (a new one:
    prefer :func:`acquire_client`, which shares one client per path or server in the process)."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_mode == "server":
        # chromadb's HTTP session waits forever by default, and its constructor already asks the server:
        # a bounded heartbeat first, so that a hung server fails here instead of hanging.
        base = f"http://{settings.chroma_host}:{settings.chroma_port}"
        httpx.get(f"{base}/api/v2/heartbeat", timeout=settings.chroma_timeout).raise_for_status()
        client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        session = getattr(getattr(client, "_server", None), "_session", None)
        if isinstance(session, httpx.Client):
            session.timeout = httpx.Timeout(settings.chroma_timeout, connect=min(5.0, settings.chroma_timeout))
        return client
    return chromadb.PersistentClient(path=str(build_dir / "chroma"), settings=chroma_settings)


ClientKey = tuple[str, str]
# One Chroma client per path (embedded) or per server in the process, counted by its users and closed
# by the last one: chromadb otherwise keeps every client's system (SQLite handles, HNSW segments) alive.
_CLIENTS: dict[ClientKey, list[Any]] = {}  # key -> [client, users]


def _client_key(settings: Settings, build_dir: Path) -> ClientKey:
    if settings.chroma_mode == "server":
        return ("server", chroma_address(settings))
    return ("embedded", str((build_dir / "chroma").resolve()))


def acquire_client(settings: Settings, build_dir: Path) -> tuple[ClientKey, chromadb.ClientAPI]:
    """The shared client for this build (embedded) or server; give it back with :func:`release_client`.

    Raises :class:`VectorStoreUnavailable` when the server cannot be reached."""
    key = _client_key(settings, build_dir)
    with _CHROMA_LOCK:
        entry = _CLIENTS.get(key)
        if entry is None:
            try:
                entry = [chroma_client(settings, build_dir), 0]
            except Exception as exc:
                raise _unavailable(settings, exc) from exc
            _CLIENTS[key] = entry
        entry[1] += 1
        return key, entry[0]


def release_client(key: ClientKey) -> None:
    """Give back a client from :func:`acquire_client`; the last user closes it."""
    with _CHROMA_LOCK:
        entry = _CLIENTS.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _CLIENTS[key]
    with contextlib.suppress(Exception):
        entry[0].close()


def open_clients() -> int:
    """How many Chroma clients this process holds (for tests and the soak script)."""
    with _CHROMA_LOCK:
        return len(_CLIENTS)


def _unavailable(settings: Settings, exc: BaseException) -> VectorStoreUnavailable:
    if type(exc).__name__ == "NotFoundError" or "does not exist" in str(exc):
        where = "collection absente de la base Chroma (relancez « python -m ingest »)"
    elif settings.chroma_mode == "server":
        where = f"serveur Chroma injoignable ({chroma_address(settings)})"
    else:
        where = "base de vecteurs Chroma illisible"
    detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    return VectorStoreUnavailable(f"{where} : {detail}")


def _chroma_metadata(chunk: Chunk) -> dict[str, str | int]:
    return {
        "doc_id": chunk.doc_id,
        "file": chunk.file,
        "kind": chunk.kind,
        "authority": chunk.authority,
        "fiche": chunk.fiche,
        "section_number": chunk.section_number,
        "page": chunk.page,
    }


def current_build(settings: Settings) -> Path | None:
    """The folder of the live build, or None when there is no usable index."""
    pointer = settings.index_dir / "CURRENT"
    if not pointer.exists():
        return None
    build = settings.index_dir / "builds" / pointer.read_text(encoding="utf-8").strip()
    return build if (build / "COMPLETE").exists() else None


def read_manifest(build_dir: Path) -> IndexManifest:
    return IndexManifest.from_dict(json.loads((build_dir / "manifest.json").read_text(encoding="utf-8")))


def read_chunks(build_dir: Path) -> list[Chunk]:
    """The passages of a build, in index order."""
    with open(build_dir / "chunks.jsonl", encoding="utf-8") as fh:
        return [Chunk.from_dict(json.loads(line)) for line in fh]


class IndexWriter:
    """Writes one build beside the live one, then swaps it in."""

    def __init__(self, settings: Settings, embeddings: CachedEmbeddings) -> None:
        self.settings = settings
        self.embeddings = embeddings

    def collection_name(self, build_id: str) -> str:
        return f"{self.settings.chroma_collection_prefix}-{build_id}"

    def write(
        self,
        manifest: IndexManifest,
        chunks: list[Chunk],
        sentences: list[Sentence],
        chunk_vectors: np.ndarray,
        sentence_vectors: np.ndarray,
    ) -> Path:
        """Write a complete build and make it live. Raises on failure, leaving the live build untouched."""
        builds = self.settings.index_dir / "builds"
        # A fresh folder (and collection) per write: a client still open on an older build of the same
        # inputs (a running app, a rebuild in the same process) never sees its files replaced.
        name = f"{manifest.build_id}-{uuid.uuid4().hex[:8]}"
        build_dir = builds / name
        build_dir.mkdir(parents=True)
        try:
            self._write_build(build_dir, name, manifest, chunks, sentences, chunk_vectors, sentence_vectors)
        except BaseException:
            shutil.rmtree(build_dir, ignore_errors=True)  # never leave a half build behind
            raise
        self._swap(name)
        return build_dir

    def _write_build(
        self,
        build_dir: Path,
        name: str,
        manifest: IndexManifest,
        chunks: list[Chunk],
        sentences: list[Sentence],
        chunk_vectors: np.ndarray,
        sentence_vectors: np.ndarray,
    ) -> None:
        manifest.chroma_collection = self.collection_name(name)
        manifest.chroma_address = chroma_address(self.settings)
        with open(build_dir / "chunks.jsonl", "w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
        with open(build_dir / "sentences.jsonl", "w", encoding="utf-8") as fh:
            for sentence in sentences:
                fh.write(json.dumps(asdict(sentence), ensure_ascii=False) + "\n")
        np.save(build_dir / "chunk_vectors.npy", chunk_vectors.astype(np.float32))
        np.save(build_dir / "sentence_vectors.npy", sentence_vectors.astype(np.float32))
        LexicalIndex.build([c.embed_text for c in chunks]).save(build_dir / "bm25")
        self._write_vectors(manifest, build_dir, chunks)
        (build_dir / "manifest.json").write_text(
            json.dumps(asdict(manifest), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        (build_dir / "COMPLETE").write_text(manifest.build_id, encoding="utf-8")

    def _write_vectors(self, manifest: IndexManifest, build_dir: Path, chunks: list[Chunk]) -> None:
        key, client = acquire_client(self.settings, build_dir)
        try:
            self._add_vectors(client, manifest, chunks)
        except VectorStoreUnavailable:
            raise
        except Exception as exc:
            if self.settings.chroma_mode == "server":  # the server stopped or refused: one French line
                raise _unavailable(self.settings, exc) from exc
            raise
        finally:
            release_client(key)

    def _add_vectors(self, client: chromadb.ClientAPI, manifest: IndexManifest, chunks: list[Chunk]) -> None:
        with _CHROMA_LOCK:
            name = manifest.chroma_collection
            with contextlib.suppress(Exception):
                client.delete_collection(name)
            store = Chroma(
                collection_name=name,
                embedding_function=self.embeddings,
                client=client,
                # A search breadth above the collection's size makes the HNSW search exhaustive, hence
                # exact and identical whether Chroma has compacted its log or not (determinism).
                collection_metadata={"hnsw:space": "cosine", "hnsw:search_ef": 1024, "hnsw:construction_ef": 256},
            )
            for i in range(0, len(chunks), 256):
                part = chunks[i : i + 256]
                store.add_texts(
                    [c.embed_text for c in part],
                    metadatas=[_chroma_metadata(c) for c in part],
                    ids=[c.chunk_id for c in part],
                )

    def _swap(self, name: str) -> None:
        pointer = self.settings.index_dir / "CURRENT"
        previous = pointer.read_text(encoding="utf-8").strip() if pointer.exists() else ""
        tmp = pointer.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(name, encoding="utf-8")
        os.replace(tmp, pointer)
        self._collect_garbage(keep={name, previous})

    def _collect_garbage(self, keep: set[str]) -> None:
        """Remove builds other than the live one, the one before it and any made in the last
        :data:`GRACE_SECONDS` (a running app may still answer from them until it reloads)."""
        builds = self.settings.index_dir / "builds"
        for build in builds.iterdir():
            if build.name in keep or time.time() - build.stat().st_mtime < GRACE_SECONDS:
                continue
            if self.settings.chroma_mode == "server":
                with contextlib.suppress(Exception):
                    key, client = acquire_client(self.settings, build)
                    try:
                        client.delete_collection(self.collection_name(build.name))
                    finally:
                        release_client(key)
            shutil.rmtree(build, ignore_errors=True)


def collection_exists(settings: Settings, build_dir: Path, name: str) -> bool:
    """Whether the build's collection is in the vector store (a server may have lost its data).

    Raises :class:`VectorStoreUnavailable` when the server cannot be reached."""
    key, client = acquire_client(settings, build_dir)
    try:
        client.get_collection(name)
        return True
    except VectorStoreUnavailable:
        raise
    except Exception as exc:
        if type(exc).__name__ == "NotFoundError" or "does not exist" in str(exc):
            return False
        raise _unavailable(settings, exc) from exc
    finally:
        release_client(key)


@dataclass
class SearchHit:
    index: int  # position of the chunk in the reader's list
    score: float


class IndexReader:
    """Read-only access to the live build: passages, sentences, vector and BM25 search."""

    def __init__(self, settings: Settings, build_dir: Path | None = None) -> None:
        build = build_dir or current_build(settings)
        if build is None:
            raise IndexUnavailable(f"aucun index dans {settings.index_dir} : lancez « python -m ingest »")
        self.settings = settings
        self.build_dir = build
        self.manifest = read_manifest(build)
        if self.manifest.settings_fingerprint != settings.chunking_fingerprint():
            raise IndexMismatch(
                f"l'index a été construit avec {self.manifest.embedding_id} "
                f"(passages {self.manifest.chunk_size}/{self.manifest.chunk_overlap}) ; "
                f"les réglages demandent {settings.embedding_id()} "
                f"({settings.chunk_size}/{settings.chunk_overlap}) : reconstruction nécessaire"
            )
        self._check_store(settings)
        self.chunks = read_chunks(build)
        with open(build / "sentences.jsonl", encoding="utf-8") as fh:
            self.sentences = [Sentence(**json.loads(line)) for line in fh]
        self.chunk_vectors = np.load(build / "chunk_vectors.npy")
        # Embedded mode, up to this many passages: cosine over the vectors already in memory, exact, instead
        # of asking Chroma (same ranking, far faster: docs/performance.md).
        self.exact_search = settings.chroma_mode == "embedded" and len(self.chunk_vectors) <= (
            settings.exact_search_max_passages
        )
        self._norms = np.linalg.norm(self.chunk_vectors, axis=1) if len(self.chunk_vectors) else np.ones(0)
        self.sentence_vectors = np.load(build / "sentence_vectors.npy")
        self.position = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self._rows_of: dict[str, dict[Any, list[int]]] = {}  # field -> value -> passages (see _where_mask)
        self.sentences_of: dict[str, list[int]] = {}
        for i, sentence in enumerate(self.sentences):
            self.sentences_of.setdefault(sentence.chunk_id, []).append(i)
        self.lexical = LexicalIndex.load(build / "bm25")
        self.documents = {d.doc_id: d for d in self.manifest.documents}
        self._vectors = _VectorHandle(settings, build, self.manifest.chroma_collection)
        # The shared Chroma client is given back when this reader is closed or garbage-collected (an app
        # drops its old reader on reload while questions under way finish on it).
        self._finalizer = weakref.finalize(self, self._vectors.release)
        try:
            self._vectors.store()
        except VectorStoreUnavailable as exc:
            if settings.chroma_mode != "server":
                self.close()
                # A mismatch, so that Assistant.from_settings rebuilds it rather than reading it again.
                raise IndexMismatch(f"index incomplet dans {build} ({exc}) : reconstruction nécessaire") from exc
            log.warning("%s : recherche par mots-clés seulement jusqu'au retour du serveur", exc)

    def _check_store(self, settings: Settings) -> None:
        built = f"{self.manifest.chroma_mode}:{self.manifest.chroma_address}"
        if built != vector_store_id(settings):
            raise IndexMismatch(
                f"l'index a été construit pour Chroma {built.rstrip(':')} ; les réglages demandent "
                f"{vector_store_id(settings).rstrip(':')} : reconstruction nécessaire"
            )

    def close(self) -> None:
        """Give back the Chroma client (also done when the reader is garbage-collected)."""
        self._finalizer()

    def __enter__(self) -> IndexReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- search -----------------------------------------------------------------------------------
    def vector_search(self, query_vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[SearchHit]:
        """Nearest passages by cosine similarity: exact over the loaded vectors (see ``exact_search``), else
        through Chroma.

        Raises :class:`VectorStoreUnavailable` when the Chroma server cannot be reached (the next call
        tries again); :meth:`lexical_search` still works then."""
        if self.exact_search:
            return self._exact_search(query_vector, k, where)
        store = self._vectors.store()
        try:
            results = store.similarity_search_by_vector_with_relevance_scores(
                query_vector.tolist(), k=min(k, len(self.chunks)), filter=_where(where)
            )
        except Exception as exc:
            self._vectors.reset()  # reconnect on the next call
            raise _unavailable(self.settings, exc) from exc
        hits = [
            SearchHit(self.position[doc.id], 1.0 - float(distance))
            for doc, distance in results
            if doc.id in self.position
        ]
        return sorted(hits, key=lambda h: (-h.score, h.index))

    def _exact_search(self, query_vector: np.ndarray, k: int, where: dict[str, Any] | None) -> list[SearchHit]:
        """The ``k`` passages of highest cosine similarity, computed over every vector (ties: index order)."""
        norm = float(np.linalg.norm(query_vector)) or 1.0
        scores = (self.chunk_vectors @ (np.asarray(query_vector, dtype=np.float32) / norm)) / np.where(
            self._norms > 0, self._norms, 1.0
        )
        if where:
            scores = np.where(self._where_mask(where), scores, -np.inf)
        order = _top(scores, k)
        return [SearchHit(int(i), float(scores[i])) for i in order if np.isfinite(scores[i])]

    def lexical_search(self, text: str, k: int, where: dict[str, Any] | None = None) -> list[SearchHit]:
        """Best passages by French BM25."""
        scores = self.lexical.scores(text)
        if where:
            scores = np.where(self._where_mask(where), scores, 0.0)
        order = _top(scores, k)
        return [SearchHit(int(i), float(scores[i])) for i in order if scores[i] > 0]

    def _where_mask(self, where: dict[str, Any]) -> np.ndarray:
        """Which passages pass ``where`` (as :func:`matches_where` says), from a table per field built the
        first time a filter names it: no loop over every passage for each question."""
        mask = np.ones(len(self.chunks), dtype=bool)
        for key, value in where.items():
            if value in (None, ""):
                continue
            rows = self._rows_of.get(key)
            if rows is None:
                rows = {}
                for i, chunk in enumerate(self.chunks):
                    rows.setdefault(getattr(chunk, key), []).append(i)
                self._rows_of[key] = rows  # the same table whichever thread builds it
            allowed = np.zeros(len(self.chunks), dtype=bool)
            for one in value if isinstance(value, list | tuple) else [value]:
                allowed[rows.get(one, [])] = True
            mask &= allowed
        return mask

    # --- structure --------------------------------------------------------------------------------
    def chunks_where(self, **where: Any) -> list[int]:
        """Positions of the passages whose fields equal ``where`` (document order), from the same tables per
        field as the search filters."""
        return np.flatnonzero(self._where_mask(where)).tolist()

    def fiches(self) -> list[dict[str, Any]]:
        """The fiches ressources found, with their number and title, in order."""
        seen: dict[int, dict[str, Any]] = {}
        for doc in self.manifest.documents:
            for fiche in doc.fiches:
                seen.setdefault(int(fiche["number"]), {**fiche, "doc_id": doc.doc_id})
        return [seen[n] for n in sorted(seen)]


class _VectorHandle:
    """A reader's connection to its Chroma collection: opened lazily, reset after a failure, released once."""

    def __init__(self, settings: Settings, build_dir: Path, collection: str) -> None:
        self.settings = settings
        self.build_dir = build_dir
        self.collection = collection
        self._key: ClientKey | None = None
        self._store: Chroma | None = None
        self._lock = threading.Lock()

    def store(self) -> Chroma:
        """The collection's store; raises :class:`VectorStoreUnavailable`."""
        with self._lock:
            if self._store is not None:
                return self._store
            key, client = acquire_client(self.settings, self.build_dir)
            try:
                self._store = Chroma(
                    collection_name=self.collection, client=client, create_collection_if_not_exists=False
                )
            except Exception as exc:
                release_client(key)
                raise _unavailable(self.settings, exc) from exc
            self._key = key
            return self._store

    def reset(self) -> None:
        """Drop the store and give back the client: the next :meth:`store` connects again."""
        with self._lock:
            key, self._key, self._store = self._key, None, None
        if key is not None:
            release_client(key)

    release = reset


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest ``scores``, highest first, ties in position order: the first ``k``
    of a full sort, without sorting more than the ``k`` best (and their ties)."""
    n = len(scores)
    if k >= n:
        return np.lexsort((np.arange(n), -scores))
    threshold = np.partition(-scores, k - 1)[k - 1]
    candidates = np.flatnonzero(-scores <= threshold)
    return candidates[np.lexsort((candidates, -scores[candidates]))][:k]


def matches_where(chunk: Chunk, where: dict[str, Any]) -> bool:
    """Whether a passage passes a filter: each value is one value, or a list or tuple of the values
    allowed (several documents); an empty value filters nothing."""
    return all(
        getattr(chunk, key) in value if isinstance(value, list | tuple) else getattr(chunk, key) == value
        for key, value in where.items()
        if value not in (None, "")
    )


def _where(where: dict[str, Any] | None) -> dict[str, Any] | None:
    """The same filter for Chroma: ``$in`` for a list of values, ``$and`` of the clauses."""
    clauses = [
        {k: {"$in": list(v)} if isinstance(v, list | tuple) else v}
        for k, v in (where or {}).items()
        if v not in (None, "")
    ]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
