"""Corpus files → cleaned, structured, chunked, embedded → a new live index build.

About 400 lines on purpose: the phases of one ingestion (read the corpus under the lock, embed outside
it, write and swap under it) share one plan type and read best together.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.chunking import chunk_document
from ingest.embeddings import VECTOR_PRECISION, CachedEmbeddings, Span, make_cached_embeddings
from ingest.index import (
    FORMAT_VERSION,
    DocumentStats,
    IndexManifest,
    IndexWriter,
    collection_exists,
    current_build,
    read_manifest,
    vector_store_id,
)
from ingest.loaders import LoadError, load_document
from ingest.manifest import MANIFEST_NAME, Manifest, ManifestError, corpus_files, load_manifest
from ingest.models import Chunk, DocumentInfo, Sentence
from ingest.settings import Settings
from ingest.structure import fiche_of, structure_document

# stage name, units done so far, total units
ProgressFn = Callable[[str, int, int], None]
WAITING = "Une autre indexation est en cours : attente…"
EMBED_ROUNDS = 3  # embedding outside the lock at most this often before the last round, under the lock


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
    shipped: int = 0  # passages and sentences whose vectors came from the vectors shipped with the corpus
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
    warnings: list[str] = field(default_factory=list)


def _title_for(info: DocumentInfo, pdf_title: str, first_heading: str) -> DocumentInfo:
    """A document outside the manifest is named by its PDF metadata, else its first heading."""
    if info.in_manifest:
        return info
    title = pdf_title or first_heading or info.title
    return DocumentInfo(**{**info.__dict__, "title": title, "short_title": title[:60]})


def prepare_file(path: Path, manifest: Manifest, settings: Settings) -> _Prepared:
    """Load, clean, structure and chunk one file (no embedding). Raises :class:`LoadError`."""
    loaded = load_document(path, manifest.info_for(path))
    budget = settings.max_passages_per_file
    # Passages never exceed chunk_size characters: this many at least, known before the costly steps.
    at_least = sum(len(p.text.strip()) for p in loaded.pages) // settings.chunk_size
    if at_least > budget:
        raise LoadError(_too_long(f"au moins {at_least}", budget))
    structured = structure_document(loaded)
    if not structured.text.strip():
        raise LoadError("aucun texte exploitable après nettoyage")
    headings = [b for b in structured.blocks if b.kind == "heading"]
    info = _title_for(loaded.info, loaded.pdf_title, headings[0].title if headings else "")
    chunks, sentences = chunk_document(info, structured, settings.chunk_size, settings.chunk_overlap)
    if not chunks:
        raise LoadError("aucun passage exploitable après nettoyage")
    if len(chunks) > budget:
        raise LoadError(_too_long(str(len(chunks)), budget))
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
    return _Prepared(info, stats, chunks, sentences, list(loaded.warnings))


def _too_long(count: str, budget: int) -> str:
    return (
        f"fichier trop long : {count} passages pour {budget} au plus par fichier "
        "(réglage ENGAGEMENT_MAX_PASSAGES_PER_FILE) ; découpez-le en plusieurs fichiers"
    )


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


_CODE_FILES = (
    "loaders.py", "cleaning.py", "structure.py", "chunking.py", "lexical.py", "index.py",
    "rules.py", "sections.py", "roles.py", "models.py",
)  # fmt: skip


def code_fingerprint() -> str:
    """Hash of the code and French rules (``ingest/data/*.toml``) that decide what the index holds: changing them
    makes a new build. The command line's messages (``ingest/data/cli/``) decide nothing of it."""
    here = Path(__file__).parent
    files = [here / name for name in _CODE_FILES] + sorted((here / "data").glob("*.toml"))
    return _fingerprint(hashlib.sha256(path.read_bytes()).hexdigest() for path in files)


def _fingerprint(parts: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


@contextmanager
def index_lock(index_dir: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """One writer at a time per index (the UI's uploads, the CLI, tests): others wait their turn, after
    calling ``on_wait`` once so that the user is told."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            if on_wait is not None:
                on_wait()
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
    on_wait: Callable[[], None] | None = None,
) -> IngestReport:
    """Build or update the index from the corpus folder (or the given files/folders).

    The index lock is held to read the corpus and to write and swap the build, never while embedding:
    missing vectors are computed outside it (into the shared cache), then the corpus is read again under
    the lock (reused when no file changed) and the build written from the cache. ``on_wait`` (and the
    progress stage :data:`WAITING`) tells that another ingestion holds the lock."""
    started = time.perf_counter()
    notify = progress or (lambda stage, done, total: None)

    told: list[bool] = []

    def waiting() -> None:
        notify(WAITING, 0, 1)
        if on_wait is not None and not told:  # said once, however many rounds wait
            told.append(True)
            on_wait()

    cached = embeddings
    computed_before = cached.computed if cached is not None else 0
    shipped_before = cached.from_shipped if cached is not None else 0
    plan: _Plan | None = None
    try:
        for round_ in range(EMBED_ROUNDS + 1):
            with index_lock(settings.index_dir, waiting):
                plan = _plan(settings, paths, rebuild, notify, plan)
                if plan.report.up_to_date:
                    break
                if cached is None:
                    cached = make_cached_embeddings(settings)
                    computed_before = shipped_before = 0
                late = settings.late_sentence_vectors() and cached.late
                missing = _missing(plan, cached, late)
                if not missing or round_ == EMBED_ROUNDS:
                    _write(settings, plan, cached, notify, late)
                    break
            _embed(cached, missing, notify)  # outside the lock: others may read, write or wait meanwhile
    finally:
        if embeddings is None and cached is not None:
            cached.close()
    assert plan is not None
    plan.report.embedded = (cached.computed - computed_before) if cached is not None else 0
    plan.report.shipped = (cached.from_shipped - shipped_before) if cached is not None else 0
    plan.report.seconds = time.perf_counter() - started
    return plan.report


@dataclass
class _Plan:
    """What one reading of the corpus gives: the files prepared, their passages and the build identity."""

    state: list[str]
    report: IngestReport
    prepared: list[_Prepared]
    chunks: list[Chunk]
    sentences: list[Sentence]
    settings_fp: str
    corpus_fp: str

    @property
    def texts(self) -> list[str]:
        return [c.embed_text for c in self.chunks] + [s.text for s in self.sentences]

    @property
    def passages(self) -> list[str]:
        return [c.embed_text for c in self.chunks]

    def spans(self) -> tuple[list[list[Span]], list[list[int]]]:
        """For each passage, the spans of its sentences in its embedded text and their indices in
        :attr:`sentences` (late chunking)."""
        return sentence_spans(self.chunks, self.sentences)


def sentence_spans(chunks: list[Chunk], sentences: list[Sentence]) -> tuple[list[list[Span]], list[list[int]]]:
    """For each chunk, the character spans of its sentences inside its ``embed_text`` (which ends with
    its text), and the indices of those sentences in ``sentences``, in their order."""
    rows: dict[str, list[int]] = {}
    for i, sentence in enumerate(sentences):
        rows.setdefault(sentence.chunk_id, []).append(i)
    spans: list[list[Span]] = []
    indices: list[list[int]] = []
    for chunk in chunks:
        shift = len(chunk.embed_text) - len(chunk.text)
        own = rows.pop(chunk.chunk_id, [])
        spans.append([(shift + sentences[i].start, shift + sentences[i].end) for i in own])
        indices.append(own)
    return spans, indices


def _state(files: list[Path], manifest_path: Path) -> list[str]:
    """Name, size and modification time of every input: equal states need not be read again."""
    rows = []
    for path in [*files, manifest_path]:
        try:
            st = path.lstat()
            rows.append(f"{path}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}")
        except OSError:
            rows.append(f"{path}:absent")
    return rows


def _plan(
    settings: Settings, paths: list[Path] | None, rebuild: bool, notify: ProgressFn, before: _Plan | None
) -> _Plan:
    """Read and prepare the corpus (or reuse ``before`` when no input changed) and decide whether the
    live build is already up to date. Raises :class:`IngestError` when nothing can be indexed."""
    manifest = _manifest(settings)
    files = _collect(paths, settings.corpus_dir, manifest)
    manifest_path = settings.corpus_dir / MANIFEST_NAME
    state = _state(files, manifest_path)
    live = current_build(settings)
    previous = read_manifest(live) if live else None
    if before is not None and before.state == state:
        plan = before
    else:
        plan = _prepare_all(settings, files, manifest, manifest_path, state, previous, notify)
    build_id = _fingerprint(
        [
            str(FORMAT_VERSION),
            code_fingerprint(),
            plan.settings_fp,
            plan.corpus_fp,
            vector_store_id(settings),
            VECTOR_PRECISION,
        ]
    )
    plan.report.build_id = build_id
    plan.report.up_to_date = (
        not rebuild
        and previous is not None
        and live is not None
        and previous.build_id == build_id
        and (settings.chroma_mode != "server" or collection_exists(settings, live, previous.chroma_collection))
    )
    return plan


def _prepare_all(
    settings: Settings,
    files: list[Path],
    manifest: Manifest,
    manifest_path: Path,
    state: list[str],
    previous: IndexManifest | None,
    notify: ProgressFn | None = None,
) -> _Plan:
    previous_docs = {d.file: d for d in previous.documents} if previous else {}
    report = IngestReport()
    prepared: list[_Prepared] = []
    for n, path in enumerate(files, 1):
        if notify is not None:
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
                warnings=item.warnings,
            )
        )
    if not prepared:
        reasons = "; ".join(f"{f.file} : {f.reason}" for f in report.failed) or "dossier vide"
        raise IngestError(f"aucun document n'a pu être indexé ({reasons}) ; l'index existant est conservé")
    _unique_ids(prepared)
    kept = {p.info.file for p in prepared}
    report.removed = sorted(f for f in previous_docs if f not in kept)
    corpus_fp = _fingerprint(
        [f"{p.info.file}:{p.stats.sha256}" for p in prepared]
        + [hashlib.sha256(manifest_path.read_bytes()).hexdigest() if manifest_path.exists() else ""]
    )
    chunks = [c for p in prepared for c in p.chunks]
    sentences = [s for p in prepared for s in p.sentences]
    report.chunks = len(chunks)
    report.fiches = [f for p in prepared for f in p.stats.fiches]
    return _Plan(state, report, prepared, chunks, sentences, settings.chunking_fingerprint(), corpus_fp)


def corpus_texts(settings: Settings) -> list[str]:
    """The texts whose vectors an ingestion of the corpus folder needs (passages, then sentences)."""
    passages, sentences = corpus_parts(settings)
    return passages + sentences


def corpus_parts(settings: Settings) -> tuple[list[str], list[str]]:
    """The passage texts and the sentence texts of the corpus folder, as an ingestion embeds them."""
    chunks, sentences = corpus_chunks(settings)
    return [c.embed_text for c in chunks], [s.text for s in sentences]


def _manifest(settings: Settings) -> Manifest:
    """The corpus's manifest; one that cannot be read stops the ingestion (the live index stays as it was)."""
    try:
        return load_manifest(settings.corpus_dir)
    except ManifestError as exc:
        raise IngestError(str(exc)) from exc


def corpus_chunks(settings: Settings) -> tuple[list[Chunk], list[Sentence]]:
    """The passages and sentences of the corpus folder, as an ingestion makes them."""
    manifest = _manifest(settings)
    files = _collect(None, settings.corpus_dir, manifest)
    plan = _prepare_all(settings, files, manifest, settings.corpus_dir / MANIFEST_NAME, [], None)
    return plan.chunks, plan.sentences


Missing = list[str] | tuple[list[str], list[list[Span]]]


def _missing(plan: _Plan, cached: CachedEmbeddings, late: bool) -> Missing:
    """What must be computed: the texts, or (late chunking) the passages and their sentence spans."""
    if not late:
        return cached.missing(plan.texts)
    spans, _ = plan.spans()
    todo = cached.missing_parts(plan.passages, spans)
    return ([plan.passages[i] for i in todo], [spans[i] for i in todo]) if todo else []


def _embed(cached: CachedEmbeddings, missing: Missing, notify: ProgressFn) -> None:
    """Compute the vectors of the ``missing`` texts (or passages and spans) into the cache, with progress."""
    done = 0
    total = len(missing[0]) if isinstance(missing, tuple) else len(missing)

    def step(n: int) -> None:
        nonlocal done
        done += n
        notify("vectorisation", done, total)

    notify("vectorisation", 0, total)
    if isinstance(missing, tuple):
        cached.embed_parts(missing[0], missing[1], on_progress=step)
    else:
        cached.embed_array(missing, on_progress=step)


def _write(settings: Settings, plan: _Plan, cached: CachedEmbeddings, notify: ProgressFn, late: bool = False) -> None:
    """Write the build from the cached vectors (computing any still missing) and make it live."""
    missing = _missing(plan, cached, late)
    if missing:
        _embed(cached, missing, notify)
    n = len(plan.chunks)
    if late:
        spans, indices = plan.spans()
        chunk_vectors, parts = cached.embed_parts(plan.passages, spans)
        sentence_vectors = np.zeros((len(plan.sentences), cached.dim), dtype=np.float32)
        for rows, vectors in zip(indices, parts, strict=True):
            sentence_vectors[rows] = vectors
    else:
        vectors = cached.embed_array(plan.texts)
        chunk_vectors, sentence_vectors = vectors[:n], vectors[n:]
    index_manifest = IndexManifest(
        build_id=plan.report.build_id,
        format_version=FORMAT_VERSION,
        embedding_id=settings.embedding_id(),
        dim=int(chunk_vectors.shape[1]) if len(chunk_vectors) else cached.dim,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        settings_fingerprint=plan.settings_fp,
        corpus_fingerprint=plan.corpus_fp,
        chroma_mode=settings.chroma_mode,
        chroma_collection="",  # named by the writer
        documents=[p.stats for p in plan.prepared],
        chunks=n,
        sentences=len(plan.sentences),
    )
    notify("écriture de l'index", 0, 1)
    IndexWriter(settings, cached).write(
        index_manifest, plan.chunks, plan.sentences, np.asarray(chunk_vectors), np.asarray(sentence_vectors)
    )
    notify("écriture de l'index", 1, 1)


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
