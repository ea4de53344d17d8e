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
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma

from ingest.embeddings import CachedEmbeddings
from ingest.lexical import LexicalIndex
from ingest.models import Chunk, Sentence
from ingest.settings import Settings

FORMAT_VERSION = 1
GRACE_SECONDS = 600  # a build younger than this is never removed (an app may not have reloaded yet)
_CHROMA_LOCK = threading.Lock()


class IndexUnavailable(Exception):
    """The index is missing or cannot serve the current settings."""


class IndexMismatch(IndexUnavailable):
    """The live index was built with other settings (embedding model, chunking)."""


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

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndexManifest:
        data = dict(data)
        data["documents"] = [DocumentStats(**d) for d in data["documents"]]
        return cls(**data)


def chroma_client(settings: Settings, build_dir: Path) -> chromadb.ClientAPI:
    """An embedded client on the build's folder, or an HTTP client on the configured server."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_mode == "server":
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
    return chromadb.PersistentClient(path=str(build_dir / "chroma"), settings=chroma_settings)


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
        manifest.chroma_collection = self.collection_name(name)
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
        self._swap(name)
        return build_dir

    def _write_vectors(self, manifest: IndexManifest, build_dir: Path, chunks: list[Chunk]) -> None:
        with _CHROMA_LOCK:
            client = chroma_client(self.settings, build_dir)
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
                with contextlib.suppress(Exception), _CHROMA_LOCK:
                    chroma_client(self.settings, build).delete_collection(self.collection_name(build.name))
            shutil.rmtree(build, ignore_errors=True)


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
        with open(build / "chunks.jsonl", encoding="utf-8") as fh:
            self.chunks = [Chunk.from_dict(json.loads(line)) for line in fh]
        with open(build / "sentences.jsonl", encoding="utf-8") as fh:
            self.sentences = [Sentence(**json.loads(line)) for line in fh]
        self.chunk_vectors = np.load(build / "chunk_vectors.npy")
        self.sentence_vectors = np.load(build / "sentence_vectors.npy")
        self.position = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        self.sentences_of: dict[str, list[int]] = {}
        for i, sentence in enumerate(self.sentences):
            self.sentences_of.setdefault(sentence.chunk_id, []).append(i)
        self.lexical = LexicalIndex.load(build / "bm25")
        self.documents = {d.doc_id: d for d in self.manifest.documents}
        with _CHROMA_LOCK:
            self._client = chroma_client(settings, build)
            self._store = Chroma(
                collection_name=self.manifest.chroma_collection,
                client=self._client,
                create_collection_if_not_exists=False,
            )

    # --- search -----------------------------------------------------------------------------------
    def vector_search(self, query_vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[SearchHit]:
        """Nearest passages by cosine similarity, through Chroma."""
        results = self._store.similarity_search_by_vector_with_relevance_scores(
            query_vector.tolist(), k=min(k, len(self.chunks)), filter=_where(where)
        )
        hits = [
            SearchHit(self.position[doc.id], 1.0 - float(distance))
            for doc, distance in results
            if doc.id in self.position
        ]
        return sorted(hits, key=lambda h: (-h.score, h.index))

    def lexical_search(self, text: str, k: int, where: dict[str, Any] | None = None) -> list[SearchHit]:
        """Best passages by French BM25."""
        scores = self.lexical.scores(text)
        if where:
            mask = np.array([_matches(c, where) for c in self.chunks])
            scores = np.where(mask, scores, 0.0)
        order = np.lexsort((np.arange(len(scores)), -scores))[:k]
        return [SearchHit(int(i), float(scores[i])) for i in order if scores[i] > 0]

    # --- structure --------------------------------------------------------------------------------
    def chunks_where(self, **where: Any) -> list[int]:
        """Positions of the passages whose fields equal ``where`` (document order)."""
        return [i for i, c in enumerate(self.chunks) if _matches(c, where)]

    def fiches(self) -> list[dict[str, Any]]:
        """The fiches ressources found, with their number and title, in order."""
        seen: dict[int, dict[str, Any]] = {}
        for doc in self.manifest.documents:
            for fiche in doc.fiches:
                seen.setdefault(int(fiche["number"]), {**fiche, "doc_id": doc.doc_id})
        return [seen[n] for n in sorted(seen)]


def _matches(chunk: Chunk, where: dict[str, Any]) -> bool:
    return all(getattr(chunk, key) == value for key, value in where.items() if value not in (None, ""))


def _where(where: dict[str, Any] | None) -> dict[str, Any] | None:
    clauses = [{k: v} for k, v in (where or {}).items() if v not in (None, "")]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
