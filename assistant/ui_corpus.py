"""Corpus management for the web app: check uploaded files, copy them into the corpus, re-ingest, remove.

No Gradio here: the app calls these functions and shows what they return. A file that cannot be indexed
(corrupt PDF, no text…) is taken back out of the corpus (or the version it replaced is put back), so one
bad upload never stays in the way of the next ingestion.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ingest.manifest import SUPPORTED_SUFFIXES, corpus_files, load_manifest
from ingest.pipeline import IngestError, IngestReport, ProgressFn, ingest
from ingest.settings import Settings


class UploadRejected(ValueError):
    """A file refused before ingestion (type, size, name)."""


@dataclass
class CorpusChange:
    """What an upload or a removal did: one row per file, a summary, and whether the index changed."""

    ok: bool
    summary: str
    rows: list[dict[str, object]] = field(default_factory=list)
    changed: bool = False


def safe_name(name: str) -> str:
    """A plain file name (no folder, no control or shell characters), keeping accents and the suffix."""
    base = Path(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(" ._")
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    return f"{stem[:100] or 'document'}{suffix}"


def check_upload(path: Path, original_name: str, max_mb: int) -> str:
    """Check type and size of an uploaded file; returns the name to give it in the corpus.

    Raises :class:`UploadRejected` with a French reason."""
    name = safe_name(original_name)
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadRejected(f"type non accepté ({suffix or 'sans extension'}) : PDF, .txt ou .md uniquement")
    if name == "README.md":  # the corpus's own description (manifest.toml is refused by its type)
        raise UploadRejected(f"nom réservé : {name}")
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        mb = f"{size / 1024 / 1024:.1f}".replace(".", ",")
        raise UploadRejected(f"fichier trop volumineux ({mb} Mo ; maximum {max_mb} Mo)")
    if size == 0:
        raise UploadRejected("fichier vide")
    data = path.read_bytes()
    if suffix == ".pdf":
        if b"%PDF-" not in data[:1024]:
            raise UploadRejected("ce n'est pas un PDF (en-tête %PDF absent)")
    else:
        if b"\x00" in data[:4096]:
            raise UploadRejected("ce n'est pas un fichier texte (contenu binaire)")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UploadRejected("texte illisible : encodage UTF-8 attendu") from exc
    return name


def listed_files(settings: Settings) -> list[str]:
    """The corpus files the ingestion considers (what can be removed)."""
    if not settings.corpus_dir.is_dir():
        return []
    return [p.name for p in corpus_files(settings.corpus_dir, load_manifest(settings.corpus_dir))]


def _failed_row(name: str, reason: str) -> dict[str, object]:
    return {"file": name, "status": "failed", "title": "", "chunks": "", "reason": reason}


def _rows(report: IngestReport) -> list[dict[str, object]]:
    return [
        {"file": f.file, "status": f.status, "title": f.title, "chunks": f.chunks or "", "reason": f.reason}
        for f in report.files
    ]


def add_files(
    settings: Settings,
    uploads: list[tuple[Path, str]],
    progress: ProgressFn | None = None,
) -> CorpusChange:
    """Copy the uploaded files (path, original name) into the corpus and ingest; failed files are taken out.

    Whatever goes wrong (a file that cannot be indexed, an error of the index itself), the corpus ends as it
    was before, apart from the files that were indexed."""
    rows: list[dict[str, object]] = []
    accepted: dict[str, Path] = {}  # name in the corpus → uploaded file
    for path, original in uploads:
        try:
            name = check_upload(path, original, settings.max_upload_mb)
        except UploadRejected as exc:
            rows.append(_failed_row(safe_name(original), str(exc)))
            continue
        if name in accepted:
            rows.append(_failed_row(name, "même nom qu'un autre fichier de cet envoi"))
            continue
        accepted[name] = path
    if not accepted:
        return CorpusChange(False, "Aucun fichier ajouté.", rows)
    settings.corpus_dir.mkdir(parents=True, exist_ok=True)
    backup_dir = Path(tempfile.mkdtemp(prefix="corpus-backup-"))
    placed: dict[str, Path | None] = {}  # name in the corpus → backup of the file it replaced
    try:
        for name, path in accepted.items():
            target = settings.corpus_dir / name
            backup = None
            if target.exists():
                backup = backup_dir / name
                shutil.copy2(target, backup)
            placed[name] = backup
            shutil.copyfile(path, target)
        try:
            report = ingest(settings, progress=progress)
        except IngestError as exc:
            _undo(settings, placed)
            rows.extend(_failed_row(n, str(exc)) for n in placed)
            return CorpusChange(False, f"Échec de l'indexation : {exc}", rows)
        new_rows = [r for r in _rows(report) if r["file"] in placed]
        failed = {f.file for f in report.failed if f.file in placed}
        if failed:
            _undo(settings, {n: placed[n] for n in failed})
            if any(placed[n] is not None for n in failed):
                report = ingest(settings, progress=progress)  # the replaced versions are back: index them
    except BaseException:
        _undo(settings, placed)  # an error of the index itself: the corpus as it was, then report it
        raise
    finally:
        shutil.rmtree(backup_dir, ignore_errors=True)
    rows.extend(new_rows)  # from the first report: a failed file keeps its reason
    added = [n for n in placed if n not in failed]
    if added:
        summary = f"{len(added)} fichier(s) ajouté(s) et indexé(s) : {', '.join(added)}."
    else:
        summary = "Aucun fichier ajouté."
    if failed or len(rows) > len(new_rows):
        summary += " Certains fichiers ont été refusés (voir le motif)."
    return CorpusChange(bool(added), summary, rows, changed=bool(added) or not report.up_to_date)


def _undo(settings: Settings, placed: dict[str, Path | None]) -> None:
    """Take the given files back out of the corpus, restoring the versions they replaced."""
    for name, backup in placed.items():
        target = settings.corpus_dir / name
        if backup is not None:
            shutil.copy2(backup, target)
        else:
            target.unlink(missing_ok=True)


def remove_file(settings: Settings, name: str, progress: ProgressFn | None = None) -> CorpusChange:
    """Delete a corpus file and re-ingest (the file is put back if the index cannot be rebuilt without it)."""
    files = listed_files(settings)
    if name not in files:
        return CorpusChange(False, f"Fichier introuvable dans le corpus : {name}")
    if len(files) == 1:
        return CorpusChange(False, "Impossible de retirer le dernier document du corpus.")
    target = settings.corpus_dir / name
    backup_dir = Path(tempfile.mkdtemp(prefix="corpus-backup-"))
    try:
        backup = backup_dir / name
        shutil.move(target, backup)
        try:
            report = ingest(settings, progress=progress)
        except IngestError as exc:
            shutil.move(backup, target)
            return CorpusChange(False, f"Échec de l'indexation, document conservé : {exc}")
        except BaseException:
            shutil.move(backup, target)  # never lose the document to an error of the index
            raise
    finally:
        shutil.rmtree(backup_dir, ignore_errors=True)
    return CorpusChange(True, f"Document retiré du corpus et de l'index : {name}.", _rows(report), changed=True)
