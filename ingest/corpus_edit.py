"""Corpus editing (the web app's upload and removal): check files, place them in the corpus, re-ingest.

No Gradio here: the app calls these functions and shows what they return. A file that cannot be indexed
(corrupt PDF, no text, too long…) is taken back out of the corpus (or the version it replaced is put
back), so one bad upload never stays in the way of the next ingestion.

Nothing is ever written outside the corpus folder nor through a symbolic link: a name is reduced to a
plain file name (the caller is told when it changed), every target is checked to sit directly in the
corpus folder, and a file is written aside then renamed over its name, which replaces a link itself,
never the file it points to. Text files follow the loader's encoding policy (:func:`decode_text`).
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ingest.loaders import LoadError, decode_text
from ingest.manifest import SUPPORTED_SUFFIXES, corpus_files, manifest_or_empty
from ingest.pipeline import IngestError, IngestReport, ProgressFn, ingest
from ingest.settings import Settings

RESERVED_NAMES = ("README.md",)  # the corpus's own description (manifest.toml is refused by its type)


class UploadRejected(ValueError):
    """A file refused before ingestion (type, size, name, content)."""


@dataclass
class CorpusChange:
    """What an upload or a removal did: one row per file, a summary, and whether the index changed.

    ``renamed`` maps an original upload name to the name it was given in the corpus, when they differ."""

    ok: bool
    summary: str
    rows: list[dict[str, object]] = field(default_factory=list)
    changed: bool = False
    renamed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks: its name in the corpus and what the user should be told."""

    name: str
    original: str
    warnings: tuple[str, ...] = ()

    @property
    def renamed(self) -> bool:
        return self.name != self.original


def safe_name(name: str) -> str:
    """A plain file name (no folder, no control or shell characters), keeping accents and the suffix."""
    base = Path(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(" ._")
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    return f"{stem[:100] or 'document'}{suffix}"


def check_upload_file(path: Path, original_name: str, max_mb: int) -> CheckedUpload:
    """Check name, type, size and content of an uploaded file. Raises :class:`UploadRejected` (French)."""
    name = safe_name(original_name)
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadRejected(f"type non accepté ({suffix or 'sans extension'}) : PDF, .txt ou .md uniquement")
    if name in RESERVED_NAMES:
        raise UploadRejected(f"nom réservé : {name}")
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        mb = f"{size / 1024 / 1024:.1f}".replace(".", ",")
        raise UploadRejected(f"fichier trop volumineux ({mb} Mo ; maximum {max_mb} Mo)")
    if size == 0:
        raise UploadRejected("fichier vide")
    data = path.read_bytes()
    warnings: list[str] = []
    if name != original_name:
        warnings.append(f"nom modifié : « {original_name} » enregistré sous « {name} »")
    if suffix == ".pdf":
        if b"%PDF-" not in data[:1024]:
            raise UploadRejected("ce n'est pas un PDF (en-tête %PDF absent)")
    else:
        if b"\x00" in data[:4096]:
            raise UploadRejected("ce n'est pas un fichier texte (contenu binaire)")
        try:
            _text, notes = decode_text(data)  # the same policy as the command line
        except LoadError as exc:
            raise UploadRejected(str(exc)) from exc
        warnings.extend(notes)
    return CheckedUpload(name, original_name, tuple(warnings))


def check_upload(path: Path, original_name: str, max_mb: int) -> str:
    """Check an uploaded file; returns the name to give it in the corpus (see :func:`check_upload_file`)."""
    return check_upload_file(path, original_name, max_mb).name


def corpus_target(settings: Settings, name: str) -> Path:
    """The path of ``name`` directly inside the corpus folder; raises :class:`UploadRejected` otherwise."""
    root = settings.corpus_dir.resolve()
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise UploadRejected(f"nom de fichier refusé : {name}")
    target = root / name
    if target.parent != root or target.name != name:
        raise UploadRejected(f"nom de fichier refusé : {name}")
    if target.is_dir() and not target.is_symlink():
        raise UploadRejected(f"un dossier du corpus porte ce nom : {name}")
    return target


def listed_files(settings: Settings) -> list[str]:
    """The corpus files the ingestion considers (what can be removed)."""
    if not settings.corpus_dir.is_dir():
        return []
    return [p.name for p in corpus_files(settings.corpus_dir, manifest_or_empty(settings.corpus_dir))]


def _failed_row(name: str, reason: str) -> dict[str, object]:
    return {"file": name, "status": "failed", "title": "", "chunks": "", "reason": reason}


def _rows(report: IngestReport, notes: dict[str, tuple[str, ...]] | None = None) -> list[dict[str, object]]:
    rows = []
    for f in report.files:
        reason = " ; ".join(r for r in (f.reason, *f.warnings, *(notes or {}).get(f.file, ())) if r)
        rows.append({"file": f.file, "status": f.status, "title": f.title, "chunks": f.chunks or "", "reason": reason})
    return rows


def _place(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` in the corpus: written aside (a new file, never through a link)
    then renamed over the name, which replaces a link itself rather than what it points to."""
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as src:
            while block := src.read(1 << 20):
                out.write(block)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _set_aside(target: Path) -> Path | None:
    """Move the entry at ``target`` (file or link, never followed) to a hidden name beside it."""
    if not (target.is_symlink() or target.exists()):
        return None
    backup = target.with_name(f".backup-{uuid.uuid4().hex[:8]}-{target.name}")
    os.replace(target, backup)
    return backup


def _put_back(target: Path, backup: Path | None) -> None:
    """Undo :func:`_place`/:func:`_set_aside`: the previous entry back, or nothing."""
    if backup is not None:
        os.replace(backup, target)
    else:
        target.unlink(missing_ok=True)


def add_files(
    settings: Settings,
    uploads: list[tuple[Path, str]],
    progress: ProgressFn | None = None,
) -> CorpusChange:
    """Place the uploaded files (path, original name) in the corpus and ingest; failed files are taken out.

    Whatever goes wrong (a file that cannot be indexed, an error of the index itself), the corpus ends as it
    was before, apart from the files that were indexed. A renamed file is listed in ``renamed`` and its row
    says so."""
    rows: list[dict[str, object]] = []
    accepted: dict[str, tuple[Path, CheckedUpload]] = {}  # name in the corpus → uploaded file
    renamed: dict[str, str] = {}
    for path, original in uploads:
        try:
            checked = check_upload_file(path, original, settings.max_upload_mb)
            corpus_target(settings, checked.name)
        except UploadRejected as exc:
            rows.append(_failed_row(safe_name(original), str(exc)))
            continue
        if checked.name in accepted:
            rows.append(_failed_row(checked.name, "même nom qu'un autre fichier de cet envoi"))
            continue
        accepted[checked.name] = (path, checked)
        if checked.renamed:
            renamed[original] = checked.name
    if not accepted:
        return CorpusChange(False, "Aucun fichier ajouté.", rows, renamed=renamed)
    settings.corpus_dir.mkdir(parents=True, exist_ok=True)
    placed: dict[str, Path | None] = {}  # name in the corpus → the entry it replaced, set aside
    backups: list[Path] = []
    try:
        for name, (path, _checked) in accepted.items():
            target = corpus_target(settings, name)
            backup = _set_aside(target)
            placed[name] = backup
            if backup is not None:
                backups.append(backup)
            _place(path, target)
        try:
            report = ingest(settings, progress=progress)
        except IngestError as exc:
            _undo(settings, placed)
            rows.extend(_failed_row(n, str(exc)) for n in placed)
            return CorpusChange(False, f"Échec de l'indexation : {exc}", rows, renamed=renamed)
        notes = {name: checked.warnings for name, (_path, checked) in accepted.items()}
        new_rows = [r for r in _rows(report, notes) if r["file"] in placed]
        failed = {f.file for f in report.failed if f.file in placed}
        if failed:
            _undo(settings, {n: placed[n] for n in failed})
            if any(placed[n] is not None for n in failed):
                report = ingest(settings, progress=progress)  # the replaced versions are back: index them
    except BaseException:
        _undo(settings, placed)  # an error of the index itself: the corpus as it was, then report it
        raise
    finally:
        for backup in backups:  # the replaced entries no longer needed (put back ones are gone already)
            backup.unlink(missing_ok=True)
    rows.extend(new_rows)  # from the first report: a failed file keeps its reason
    added = [n for n in placed if n not in failed]
    summary = (
        f"{len(added)} fichier(s) ajouté(s) et indexé(s) : {', '.join(added)}." if added else "Aucun fichier ajouté."
    )
    if failed or len(rows) > len(new_rows):
        summary += " Certains fichiers ont été refusés (voir le motif)."
    if any(renamed.get(o) in added for o in renamed):
        summary += " Certains noms ont été modifiés (voir la remarque)."
    changed = bool(added) or not report.up_to_date
    return CorpusChange(bool(added), summary, rows, changed=changed, renamed=renamed)


def _undo(settings: Settings, placed: dict[str, Path | None]) -> None:
    """Take the given files back out of the corpus, putting back the entries they replaced."""
    for name, backup in placed.items():
        _put_back(corpus_target(settings, name), backup)


def remove_file(settings: Settings, name: str, progress: ProgressFn | None = None) -> CorpusChange:
    """Delete a corpus file (a link: the link only) and re-ingest; it is put back if the index cannot be
    rebuilt without it."""
    files = listed_files(settings)
    if name not in files:
        return CorpusChange(False, f"Fichier introuvable dans le corpus : {name}")
    if len(files) == 1:
        return CorpusChange(False, "Impossible de retirer le dernier document du corpus.")
    try:
        target = corpus_target(settings, name)
    except UploadRejected as exc:
        return CorpusChange(False, str(exc))
    backup = _set_aside(target)
    try:
        report = ingest(settings, progress=progress)
    except IngestError as exc:
        _put_back(target, backup)
        return CorpusChange(False, f"Échec de l'indexation, document conservé : {exc}")
    except BaseException:
        _put_back(target, backup)  # never lose the document to an error of the index
        raise
    if backup is not None:
        backup.unlink(missing_ok=True)
    return CorpusChange(True, f"Document retiré du corpus et de l'index : {name}.", _rows(report), changed=True)
