"""Read a corpus file into pages of raw text, or say clearly why it cannot be read."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import stat
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from ingest.manifest import SUPPORTED_SUFFIXES
from ingest.models import DocumentInfo, LoadedDocument, Page

log = logging.getLogger(__name__)
# pypdf reports recoverable oddities of real-world PDFs through logging; they are not failures.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class LoadError(Exception):
    """A file that cannot be ingested; the message says why, in French."""


SYMLINK_REFUSED = "lien symbolique ignoré : le corpus ne suit jamais un lien (copiez le fichier lui-même)"
# The names of the encodings accepted besides UTF-8, as the warning shows them.
_FALLBACK_ENCODINGS = (("cp1252", "Windows-1252"), ("latin-1", "Latin-1"))


def read_regular_file(path: Path) -> bytes:
    """The bytes of ``path``, never through a symbolic link (checked by the kernel: ``O_NOFOLLOW``)."""
    if path.is_symlink():
        raise LoadError(SYMLINK_REFUSED)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if path.is_symlink():  # replaced by a link between the check and the open
            raise LoadError(SYMLINK_REFUSED) from exc
        raise LoadError(f"fichier illisible ({exc.strerror or type(exc).__name__})") from exc
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise LoadError("ce n'est pas un fichier ordinaire")
        return handle.read()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(read_regular_file(path)).hexdigest()


def load_document(path: Path, info: DocumentInfo) -> LoadedDocument:
    """Read ``path`` (PDF, .txt or .md). Raises :class:`LoadError` with the reason on failure."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"extension non prise en charge ({suffix or 'aucune'}) : PDF, .txt ou .md attendus")
    data = read_regular_file(path)
    if not data.strip():
        raise LoadError("fichier vide")
    sha = hashlib.sha256(data).hexdigest()
    if suffix == ".pdf":
        return _load_pdf(data, info, sha)
    text, warnings = decode_text(data)
    if not text.strip():
        raise LoadError("fichier vide")
    return LoadedDocument(info=info, pages=[Page(None, text)], sha256=sha, page_count=None, warnings=warnings)


def decode_text(data: bytes) -> tuple[str, list[str]]:
    """The one encoding policy (CLI and upload): UTF-8; else Windows-1252 then Latin-1 with a French
    warning; what is clearly binary is refused (:class:`LoadError`)."""
    if b"\x00" in data[:4096]:
        raise LoadError("fichier texte illisible (contenu binaire)")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    for encoding, label in _FALLBACK_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, [f"non UTF-8 : lu en {label}"]
    raise LoadError("fichier texte illisible (encodage inconnu)")


def _looks_like_text(text: str) -> bool:
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text)
    return printable / max(len(text), 1) > 0.95


def _load_pdf(data: bytes, info: DocumentInfo, sha: str) -> LoadedDocument:
    try:
        reader = PdfReader(io.BytesIO(data))
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
    except DependencyError as exc:  # AES needs the ``cryptography`` package, a dependency of the project
        raise LoadError("PDF chiffré en AES : le paquet « cryptography » est requis (pip install -e .)") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(f"PDF corrompu ou illisible ({type(exc).__name__})") from exc
    if not pages:
        raise LoadError("PDF sans page")
    if sum(len(p.text.strip()) for p in pages) < 20:
        raise LoadError("PDF sans couche texte — l'OCR n'est pas pris en charge")
    return LoadedDocument(info=info, pages=pages, sha256=sha, page_count=len(pages), pdf_title=meta_title)
