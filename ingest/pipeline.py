"""Corpus files → cleaned, structured, chunked, embedded → a new live index build."""

from __future__ import annotations

import fcntl
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.chunking import chunk_document
from ingest.embeddings import CachedEmbeddings, make_cached_embeddings
from ingest.index import (
    FORMAT_VERSION,
    DocumentStats,
    IndexManifest,
    IndexWriter,
    current_build,
    read_manifest,
)
from ingest.loaders import LoadError, load_document
from ingest.manifest import MANIFEST_NAME, Manifest, corpus_files, load_manifest
from ingest.models import Chunk, DocumentInfo, Sentence
from ingest.settings import Settings
from ingest.structure import fiche_of, structure_document

# stage name, units done so far, total units
ProgressFn = Callable[[str, int, int], None]


@dataclass
class FileReport:
    file: str
    status: str  # "new" | "changed" | "unchanged" | "failed"
    reason: str = ""
    title: str = ""
    kind: str = ""
    pages: int | None = None
    chunks: int = 0
    fiches: int = 0
    in_manifest: bool = True
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    chunks: int = 0
    fiches: list[dict[str, object]] = field(default_factory=list)
    embedded: int = 0  # passages and sentences whose vectors had to be computed
    up_to_date: bool = False
    build_id: str = ""
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]


class IngestError(Exception):
    """Nothing could be indexed (the live index, if any, is left as it was)."""


@dataclass
class _Prepared:
    info: DocumentInfo
    stats: DocumentStats
    chunks: list[Chunk]
    sentences: list[Sentence]


def _title_for(info: DocumentInfo, pdf_title: str, first_heading: str) -> DocumentInfo:
    """A document outside the manifest is named by its PDF metadata, else its first heading."""
    if info.in_manifest:
        return info
    title = pdf_title or first_heading or info.title
    return DocumentInfo(**{**info.__dict__, "title": title, "short_title": title[:60]})


def prepare_file(path: Path, manifest: Manifest, settings: Settings) -> _Prepared:
    """Load, clean, structure and chunk one file (no embedding). Raises :class:`LoadError`."""
    loaded = load_document(path, manifest.info_for(path))
    structured = structure_document(loaded)
    if not structured.text.strip():
        raise LoadError("aucun texte exploitable après nettoyage")
    headings = [b for b in structured.blocks if b.kind == "heading"]
    info = _title_for(loaded.info, loaded.pdf_title, headings[0].title if headings else "")
    chunks, sentences = chunk_document(info, structured, settings.chunk_size, settings.chunk_overlap)
    if not chunks:
        raise LoadError("aucun passage exploitable après nettoyage")
    fiches: dict[int, str] = {}
    for heading in headings:
        if found := fiche_of(heading.title):
            fiches.setdefault(found[0], found[1])
    stats = DocumentStats(
        doc_id=info.doc_id,
        file=info.file,
        title=info.title,
        publisher=info.publisher,
        kind=info.kind,
        date=info.date,
        url=info.url,
        authority=info.authority,
        in_manifest=info.in_manifest,
        sha256=loaded.sha256,
        pages=loaded.page_count,
        chunks=len(chunks),
        fiches=[{"number": n, "title": t} for n, t in sorted(fiches.items())],
        text=structured.text,
        headings=[
            {"level": h.level, "number": h.number, "title": h.title, "start": h.start, "page": h.page} for h in headings
        ],
    )
    return _Prepared(info, stats, chunks, sentences)


def _unique_ids(prepared: list[_Prepared]) -> None:
    """Two dropped files with the same name stem would share a document id: suffix the later ones."""
    seen: set[str] = set()
    for item in prepared:
        doc_id = item.info.doc_id
        n = 2
        while doc_id in seen:
            doc_id = f"{item.info.doc_id}-{n}"
            n += 1
        seen.add(doc_id)
        if doc_id != item.info.doc_id:
            for chunk in item.chunks:
                chunk.doc_id = doc_id
            item.stats.doc_id = doc_id


_CODE_FILES = ("loaders.py", "cleaning.py", "structure.py", "chunking.py", "lexical.py", "index.py")


def code_fingerprint() -> str:
    """Hash of the code that decides what the index holds: changing it makes a new build."""
    here = Path(__file__).parent
    return _fingerprint(hashlib.sha256((here / name).read_bytes()).hexdigest() for name in _CODE_FILES)


def _fingerprint(parts: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


@contextmanager
def index_lock(index_dir: Path) -> Iterator[None]:
    """One ingestion at a time per index (the UI's uploads, the CLI, tests): others wait their turn."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    rebuild: bool = False,
    progress: ProgressFn | None = None,
    embeddings: CachedEmbeddings | None = None,
) -> IngestReport:
    """Build or update the index from the corpus folder (or the given files/folders)."""
    with index_lock(settings.index_dir):
        return _ingest(settings, paths, rebuild, progress, embeddings)


def _ingest(
    settings: Settings,
    paths: list[Path] | None,
    rebuild: bool,
    progress: ProgressFn | None,
    embeddings: CachedEmbeddings | None,
) -> IngestReport:
    started = time.perf_counter()
    notify = progress or (lambda stage, done, total: None)
    manifest = load_manifest(settings.corpus_dir)
    files = _collect(paths, settings.corpus_dir, manifest)
    live = current_build(settings)
    previous = read_manifest(live) if live else None
    previous_docs = {d.file: d for d in previous.documents} if previous else {}
    report = IngestReport()
    prepared: list[_Prepared] = []
    for n, path in enumerate(files, 1):
        notify("lecture", n, len(files))
        try:
            item = prepare_file(path, manifest, settings)
        except LoadError as exc:
            report.files.append(FileReport(path.name, "failed", str(exc), in_manifest=path.name in manifest.by_file))
            continue
        except Exception as exc:  # one unreadable file must not stop the others
            report.files.append(FileReport(path.name, "failed", f"erreur inattendue : {type(exc).__name__}: {exc}"))
            continue
        prepared.append(item)
        old = previous_docs.get(path.name)
        status = "new" if old is None else ("unchanged" if old.sha256 == item.stats.sha256 else "changed")
        report.files.append(
            FileReport(
                path.name,
                status,
                title=item.info.title,
                kind=item.info.kind,
                pages=item.stats.pages,
                chunks=len(item.chunks),
                fiches=len(item.stats.fiches),
                in_manifest=item.info.in_manifest,
            )
        )
    if not prepared:
        reasons = "; ".join(f"{f.file} : {f.reason}" for f in report.failed) or "dossier vide"
        raise IngestError(f"aucun document n'a pu être indexé ({reasons}) ; l'index existant est conservé")
    _unique_ids(prepared)
    kept = {p.info.file for p in prepared}
    report.removed = sorted(f for f in previous_docs if f not in kept)
    manifest_path = settings.corpus_dir / MANIFEST_NAME
    corpus_fp = _fingerprint(
        [f"{p.info.file}:{p.stats.sha256}" for p in prepared]
        + [hashlib.sha256(manifest_path.read_bytes()).hexdigest() if manifest_path.exists() else ""]
    )
    settings_fp = settings.chunking_fingerprint()
    build_id = _fingerprint([str(FORMAT_VERSION), code_fingerprint(), settings_fp, corpus_fp])
    chunks = [c for p in prepared for c in p.chunks]
    sentences = [s for p in prepared for s in p.sentences]
    report.chunks = len(chunks)
    report.fiches = [f for p in prepared for f in p.stats.fiches]
    report.build_id = build_id
    if not rebuild and previous is not None and previous.build_id == build_id:
        report.up_to_date = True
        report.seconds = time.perf_counter() - started
        return report

    cached = embeddings or make_cached_embeddings(settings)
    texts = [c.embed_text for c in chunks] + [s.text for s in sentences]
    todo = len(cached.missing(texts))
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        notify("vectorisation", done, todo)

    notify("vectorisation", 0, todo)
    before = cached.computed
    vectors = cached.embed_array(texts, on_progress=step)
    report.embedded = cached.computed - before
    chunk_vectors, sentence_vectors = vectors[: len(chunks)], vectors[len(chunks) :]
    index_manifest = IndexManifest(
        build_id=build_id,
        format_version=FORMAT_VERSION,
        embedding_id=settings.embedding_id(),
        dim=int(chunk_vectors.shape[1]) if len(chunk_vectors) else cached.dim,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        settings_fingerprint=settings_fp,
        corpus_fingerprint=corpus_fp,
        chroma_mode=settings.chroma_mode,
        chroma_collection="",  # named by the writer
        documents=[p.stats for p in prepared],
        chunks=len(chunks),
        sentences=len(sentences),
    )
    notify("écriture de l'index", 0, 1)
    IndexWriter(settings, cached).write(
        index_manifest, chunks, sentences, np.asarray(chunk_vectors), np.asarray(sentence_vectors)
    )
    notify("écriture de l'index", 1, 1)
    report.seconds = time.perf_counter() - started
    return report


def _collect(paths: list[Path] | None, corpus_dir: Path, manifest: Manifest) -> list[Path]:
    if not paths:
        if not corpus_dir.is_dir():
            raise IngestError(f"dossier du corpus introuvable : {corpus_dir}")
        return corpus_files(corpus_dir, manifest)
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(corpus_files(path, manifest))
        elif path.exists():
            files.append(path)
        else:
            raise IngestError(f"fichier introuvable : {path}")
    return sorted(set(files))
