"""Read ``corpus/manifest.toml``: who published each document, its kind and authority."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.models import DocumentInfo

MANIFEST_NAME = "manifest.toml"
SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md")


@dataclass
class Manifest:
    """The documents listed in the manifest, keyed by file name, and the files to skip."""

    by_file: dict[str, DocumentInfo] = field(default_factory=dict)
    exclude: set[str] = field(default_factory=lambda: {MANIFEST_NAME})

    def info_for(self, path: Path) -> DocumentInfo:
        """The manifest entry for ``path``, or a provisional one for a file dropped without an entry."""
        if path.name in self.by_file:
            return self.by_file[path.name]
        return DocumentInfo(
            doc_id=slug(path.stem),
            file=path.name,
            title=path.stem,
            kind="document",
            authority=4,
            in_manifest=False,
        )


def slug(text: str) -> str:
    """A lowercase ASCII identifier made from ``text``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "document"


class ManifestError(ValueError):
    """The manifest cannot be read: its message says where, in French."""


def load_manifest(corpus_dir: Path) -> Manifest:
    """Parse the manifest of ``corpus_dir``; an absent manifest is an empty one. A manifest that is not valid TOML,
    or whose entry lacks its file or holds a value of the wrong kind, raises :class:`ManifestError`."""
    path = corpus_dir / MANIFEST_NAME
    if not path.exists():
        return Manifest()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{MANIFEST_NAME} n'est pas un fichier TOML valide : {exc}") from exc
    excluded, documents = data.get("exclude", []), data.get("documents", {})
    if not isinstance(excluded, list) or not all(isinstance(name, str) for name in excluded):
        raise ManifestError(f"{MANIFEST_NAME} : « exclude » doit être une liste de noms de fichiers.")
    if not isinstance(documents, dict):
        raise ManifestError(f"{MANIFEST_NAME} : « documents » doit être une table d'entrées [documents.<id>].")
    manifest = Manifest(exclude={MANIFEST_NAME, *excluded})
    for doc_id, entry in documents.items():
        try:
            if not isinstance(entry, dict):
                raise ValueError("ce doit être une table")
            info = _entry(doc_id, entry)
            if info.file in manifest.by_file:
                raise ValueError(f"le fichier « {info.file} » est déjà décrit par une autre entrée")
        except ValueError as exc:
            raise ManifestError(f"{MANIFEST_NAME} : l'entrée « documents.{doc_id} » est invalide : {exc}.") from exc
        manifest.by_file[info.file] = info
    return manifest


def manifest_or_empty(corpus_dir: Path) -> Manifest:
    """The manifest, or an empty one when it cannot be read (for a reader of the index in service, which the
    ingestion built from a manifest that could: the ingestion itself says what is wrong with it)."""
    try:
        return load_manifest(corpus_dir)
    except ManifestError:
        return Manifest()


def _entry(doc_id: str, entry: dict[str, Any]) -> DocumentInfo:
    """One document's table of the manifest (a value of the wrong kind: ValueError, in French)."""
    if not isinstance(entry.get("file"), str):
        raise ValueError("« file » (le nom du fichier) manque")
    anchors = []
    for anchor in _list(entry, "anchors"):
        if not isinstance(anchor, dict) or not {"text", "heading"} <= anchor.keys():
            raise ValueError("chaque « anchors » doit avoir « text » et « heading »")
        anchors.append((str(anchor["text"]), str(anchor["heading"]), _whole(anchor, "lines", 0)))
    return DocumentInfo(
        doc_id=doc_id,
        file=entry["file"],
        title=_text(entry, "title", entry["file"]),
        publisher=_text(entry, "publisher"),
        date=str(entry.get("date", "")),  # TOML may read « 2023-06-22 » as a date
        kind=_text(entry, "kind", "document"),
        authority=_whole(entry, "authority", 5),
        url=_text(entry, "url"),
        short_title=_text(entry, "short_title"),
        citation_label=_text(entry, "citation_label"),
        anchors=tuple(anchors),
        glued_words=_flag(entry, "glued_words"),
        aliases=tuple(_texts(entry, "aliases")),
    )


def _text(entry: dict[str, Any], key: str, default: str = "") -> str:
    found = entry.get(key, default)
    if not isinstance(found, str):
        raise ValueError(f"« {key} » doit être un texte entre guillemets")
    return found


def _texts(entry: dict[str, Any], key: str) -> list[str]:
    found = _list(entry, key)
    if not all(isinstance(item, str) for item in found):
        raise ValueError(f"« {key} » doit être une liste de textes entre guillemets")
    return found


def _whole(entry: dict[str, Any], key: str, default: int) -> int:
    found = entry.get(key, default)
    if isinstance(found, bool) or not isinstance(found, int):
        raise ValueError(f"« {key} » doit être un nombre entier")
    return found


def _list(entry: dict[str, Any], key: str) -> list[Any]:
    found = entry.get(key, [])
    if not isinstance(found, list):
        raise ValueError(f"« {key} » doit être une liste")
    return found


def _flag(entry: dict[str, Any], key: str) -> bool:
    """A true/false entry of a document's table (false when absent)."""
    found = entry.get(key, False)
    if not isinstance(found, bool):
        raise ValueError(f"« {key} » doit valoir true ou false")
    return found


def corpus_files(corpus_dir: Path, manifest: Manifest) -> list[Path]:
    """Every file of the corpus folder the pipeline should consider, sorted for determinism.

    Symbolic links to files are listed too (never followed): the loader refuses them with a reason, so
    that the report names them."""
    return sorted(
        p
        for p in corpus_dir.iterdir()
        if (p.is_symlink() or p.is_file()) and not p.name.startswith(".") and p.name not in manifest.exclude
    )
