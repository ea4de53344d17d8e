"""Read ``corpus/manifest.toml``: who published each document, its kind and authority."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

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


def load_manifest(corpus_dir: Path) -> Manifest:
    """Parse the manifest of ``corpus_dir``; an absent manifest is an empty one."""
    path = corpus_dir / MANIFEST_NAME
    if not path.exists():
        return Manifest()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    manifest = Manifest(exclude={MANIFEST_NAME, *data.get("exclude", [])})
    for doc_id, entry in data.get("documents", {}).items():
        anchors = tuple((a["text"], a["heading"], int(a.get("lines", 0))) for a in entry.get("anchors", []))
        info = DocumentInfo(
            doc_id=doc_id,
            file=entry["file"],
            title=entry.get("title", entry["file"]),
            publisher=entry.get("publisher", ""),
            date=str(entry.get("date", "")),
            kind=entry.get("kind", "document"),
            authority=int(entry.get("authority", 5)),
            url=entry.get("url", ""),
            short_title=entry.get("short_title", ""),
            citation_label=entry.get("citation_label", ""),
            anchors=anchors,
        )
        manifest.by_file[info.file] = info
    return manifest


def corpus_files(corpus_dir: Path, manifest: Manifest) -> list[Path]:
    """Every file of the corpus folder the pipeline should consider, sorted for determinism.

    Symbolic links to files are listed too (never followed): the loader refuses them with a reason, so
    that the report names them."""
    return sorted(
        p
        for p in corpus_dir.iterdir()
        if (p.is_symlink() or p.is_file()) and not p.name.startswith(".") and p.name not in manifest.exclude
    )
