"""Corpus editing (the web app's upload and removal) on small corpora: nothing written outside the corpus
nor through a link, renamed files said so, the same encoding policy as the command line, and a failure
of the index that loses no document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ingest.corpus_edit import UploadRejected, add_files, check_upload, check_upload_file, remove_file
from ingest.index import IndexReader
from ingest.pipeline import IngestError
from ingest.settings import Settings
from tests.conftest import make_corpus

pytestmark = pytest.mark.fast

FACT = "Le comité des usagers se réunit chaque trimestre à la maison de santé."


def _settings(tmp_path: Path, corpus: Path) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index", max_upload_mb=1)


def _upload(tmp_path: Path, content: str | bytes, name: str = "upload.bin") -> Path:
    path = tmp_path / "uploads" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_checks_type_size_and_content(tmp_path: Path) -> None:
    pdf = _upload(tmp_path, b"%PDF-1.4\n...")
    assert check_upload(pdf, "../../etc/Mon rapport.PDF", 1) == "Mon rapport.pdf"
    checked = check_upload_file(pdf, "../../etc/Mon rapport.PDF", 1)
    assert checked.renamed and "nom modifié" in checked.warnings[0]
    cases = {
        "x.docx": (b"PK\x03\x04", "type non accepté"),
        "faux.pdf": (b"<html>pas un pdf</html>", "ce n'est pas un PDF"),
        "bin.txt": (b"\x00\x01\x02", "ce n'est pas un fichier texte"),
        "gros.txt": (b"a" * (1024 * 1024 + 1), "trop volumineux"),
        "manifest.toml": (b"x", "type non accepté"),
        "README.md": (b"# x", "nom réservé"),
        "vide.txt": (b"", "vide"),
    }
    for name, (content, reason) in cases.items():
        with pytest.raises(UploadRejected, match=reason):
            check_upload(_upload(tmp_path, content), name, 1)


def test_latin1_upload_is_accepted_with_the_same_warning_as_the_cli(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, {"a.txt": FACT})
    latin = _upload(tmp_path, "Les usagers élus siègent au comité de pilotage.".encode("cp1252"))
    assert check_upload_file(latin, "latin.txt", 1).warnings == ("non UTF-8 : lu en Windows-1252",)

    change = add_files(_settings(tmp_path, corpus), [(latin, "latin.txt")])

    assert change.ok
    row = next(r for r in change.rows if r["file"] == "latin.txt")
    assert row["status"] == "new" and "non UTF-8 : lu en Windows-1252" in str(row["reason"])
    chunk = next(c for c in IndexReader(_settings(tmp_path, corpus)).chunks if c.file == "latin.txt")
    assert "élus siègent" in chunk.text


def test_a_traversal_name_lands_in_the_corpus_and_the_caller_is_told(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, {"a.txt": FACT})
    upload = _upload(tmp_path, "La charte de l'engagement précise les droits de chacun.")

    change = add_files(_settings(tmp_path, corpus), [(upload, "../../evil.txt")])

    assert change.ok and change.renamed == {"../../evil.txt": "evil.txt"}
    assert (corpus / "evil.txt").is_file() and not (tmp_path / "evil.txt").exists()
    assert not Path("/evil.txt").exists()
    row = next(r for r in change.rows if r["file"] == "evil.txt")
    assert "nom modifié" in str(row["reason"]) and "noms ont été modifiés" in change.summary


def test_an_upload_named_like_a_link_never_writes_through_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("fichier hors du corpus, à ne jamais modifier", encoding="utf-8")
    corpus = make_corpus(tmp_path, {"a.txt": FACT})
    (corpus / "lien.txt").symlink_to(outside)
    upload = _upload(tmp_path, "Les représentants des usagers signent la charte chaque année.")

    change = add_files(_settings(tmp_path, corpus), [(upload, "lien.txt")])

    assert outside.read_text(encoding="utf-8") == "fichier hors du corpus, à ne jamais modifier"
    assert not (corpus / "lien.txt").is_symlink()  # the link itself was replaced by the upload
    assert (corpus / "lien.txt").read_text(encoding="utf-8").startswith("Les représentants")
    assert change.ok and {c.file for c in IndexReader(_settings(tmp_path, corpus)).chunks} == {"a.txt", "lien.txt"}
    assert not [p for p in corpus.iterdir() if p.name.startswith(".")]  # no backup or temporary file left


def test_removing_a_link_removes_the_link_only(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("fichier hors du corpus", encoding="utf-8")
    corpus = make_corpus(tmp_path, {"a.txt": FACT, "b.txt": "La CPTS associe les usagers au diagnostic."})
    (corpus / "lien.txt").symlink_to(outside)
    settings = _settings(tmp_path, corpus)

    change = remove_file(settings, "lien.txt")

    assert change.ok and not (corpus / "lien.txt").is_symlink() and outside.exists()
    assert remove_file(settings, "../outside.txt").summary.startswith("Fichier introuvable")
    assert outside.exists()


def test_an_error_of_the_index_loses_no_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index fails in the middle (disk full, Chroma down…): the corpus is left exactly as it was."""
    corpus = make_corpus(
        tmp_path, {"charte.md": "# Charte\n\nVersion d'origine.\n", "note.md": "# Note\n\nUne note.\n"}
    )
    settings = _settings(tmp_path, corpus)

    def broken_ingest(*args: Any, **kwargs: Any) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr("ingest.corpus_edit.ingest", broken_ingest)
    new_version = _upload(tmp_path, "# Charte\n\nNouvelle version.\n", "charte.md")
    other = _upload(tmp_path, "# Autre\n\nUn autre document.\n", "autre.md")
    with pytest.raises(OSError):
        add_files(settings, [(new_version, "charte.md"), (other, "autre.md")])
    assert (corpus / "charte.md").read_text(encoding="utf-8") == "# Charte\n\nVersion d'origine.\n"
    assert not (corpus / "autre.md").exists()
    with pytest.raises(OSError):
        remove_file(settings, "note.md")
    assert (corpus / "note.md").read_text(encoding="utf-8") == "# Note\n\nUne note.\n"
    assert sorted(p.name for p in corpus.iterdir()) == ["charte.md", "note.md"]


def test_two_uploads_with_the_same_name_are_not_mixed_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ "a.md" and "a.MD" become the same corpus file: the second is refused, the first is what gets indexed."""
    corpus = make_corpus(tmp_path, {})
    settings = _settings(tmp_path, corpus)
    seen: list[str] = []

    def fake_ingest(settings: Settings, **kwargs: Any) -> None:
        seen.append((corpus / "a.md").read_text(encoding="utf-8"))
        raise IngestError("arrêt du test")

    monkeypatch.setattr("ingest.corpus_edit.ingest", fake_ingest)
    first = _upload(tmp_path, "# Premier\n\nTexte.\n", "first.md")
    second = _upload(tmp_path, "# Second\n\nTexte.\n", "second.md")
    change = add_files(settings, [(first, "a.md"), (second, "a.MD")])
    assert seen == ["# Premier\n\nTexte.\n"]
    assert {"file": "a.md", "status": "failed"}.items() <= change.rows[0].items()
    assert "même nom" in str(change.rows[0]["reason"])
    assert not (corpus / "a.md").exists()  # the failed ingestion took it back out


def test_a_file_that_cannot_be_indexed_is_taken_back_out(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, {"a.txt": FACT})
    settings = _settings(tmp_path, corpus).model_copy(update={"max_passages_per_file": 2})
    long_text = "\n\n".join(f"# Partie {n}\n\n{FACT}" for n in range(10))

    change = add_files(settings, [(_upload(tmp_path, long_text), "long.txt")])

    assert not change.ok and not (corpus / "long.txt").exists()
    row = next(r for r in change.rows if r["file"] == "long.txt")
    assert row["status"] == "failed" and "trop long" in str(row["reason"])


def test_an_upload_named_like_a_folder_is_refused(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, {"a.txt": FACT})
    (corpus / "dossier.txt").mkdir()

    change = add_files(_settings(tmp_path, corpus), [(_upload(tmp_path, FACT), "dossier.txt")])

    assert not change.ok and "un dossier du corpus porte ce nom" in str(change.rows[0]["reason"])
    assert (corpus / "dossier.txt").is_dir()
