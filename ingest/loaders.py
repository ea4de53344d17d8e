"""Read a corpus file into pages of raw text, or say clearly why it cannot be read."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError

from ingest.manifest import SUPPORTED_SUFFIXES
from ingest.models import DocumentInfo, LoadedDocument, Page

log = logging.getLogger(__name__)
# pypdf reports recoverable oddities of real-world PDFs through logging; they are not failures.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class LoadError(Exception):
    """A file that cannot be ingested; the message says why, in French."""


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_document(path: Path, info: DocumentInfo) -> LoadedDocument:
    """Read ``path`` (PDF, .txt or .md). Raises :class:`LoadError` with the reason on failure."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"extension non prise en charge ({suffix or 'aucune'}) : PDF, .txt ou .md attendus")
    data = path.read_bytes()
    if not data.strip():
        raise LoadError("fichier vide")
    sha = hashlib.sha256(data).hexdigest()
    if suffix == ".pdf":
        return _load_pdf(path, info, sha)
    text, warnings = _decode_text(data)
    if not text.strip():
        raise LoadError("fichier vide")
    return LoadedDocument(info=info, pages=[Page(None, text)], sha256=sha, page_count=None, warnings=warnings)


def _decode_text(data: bytes) -> tuple[str, list[str]]:
    """UTF-8 first; cp1252 then latin-1 with a warning; refuse what is clearly binary."""
    if b"\x00" in data[:4096]:
        raise LoadError("fichier texte illisible (contenu binaire)")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, [f"encodage non UTF-8 : lu en {encoding}"]
    raise LoadError("fichier texte illisible (encodage inconnu)")


def _looks_like_text(text: str) -> bool:
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text)
    return printable / max(len(text), 1) > 0.95


def _load_pdf(path: Path, info: DocumentInfo, sha: str) -> LoadedDocument:
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                # Many PDFs are "encrypted" with an empty user password only to restrict printing.
                if not reader.decrypt(""):
                    raise LoadError("PDF chiffré (protégé par mot de passe)")
            except (FileNotDecryptedError, NotImplementedError) as exc:
                raise LoadError("PDF chiffré (protégé par mot de passe)") from exc
        pages = [Page(i + 1, page.extract_text() or "") for i, page in enumerate(reader.pages)]
        meta_title = ""
        try:
            meta_title = str((reader.metadata or {}).get("/Title") or "").strip()
        except Exception:  # metadata of broken PDFs may itself be broken; the title is optional
            meta_title = ""
    except LoadError:
        raise
    except FileNotDecryptedError as exc:
        raise LoadError("PDF chiffré (protégé par mot de passe)") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(f"PDF corrompu ou illisible ({type(exc).__name__})") from exc
    if not pages:
        raise LoadError("PDF sans page")
    if sum(len(p.text.strip()) for p in pages) < 20:
        raise LoadError("PDF sans couche texte — l'OCR n'est pas pris en charge")
    return LoadedDocument(info=info, pages=pages, sha256=sha, page_count=len(pages), pdf_title=meta_title)
