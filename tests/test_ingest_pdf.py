"""PDF ingestion end to end on PDFs the test makes: pages, cleaning, fiche metadata, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fpdf import FPDF

from ingest.index import IndexReader
from ingest.pipeline import IngestError, ingest
from ingest.settings import Settings
from tests.conftest import make_corpus

pytestmark = pytest.mark.fast


class _Guide(FPDF):
    def header(self) -> None:
        self.set_font("Helvetica", size=9)
        self.cell(0, 8, "Guide d'essai - Engagement des usagers", new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=9)
        self.cell(0, 8, f"Page {self.page_no()}", align="C")


def _write(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def make_guide_pdf(path: Path) -> Path:
    """Three pages, a running header and footer, a word hyphenated across lines, a fiche on page 2."""
    pdf = _Guide()
    pdf.set_title("Guide d'essai")
    pdf.add_page()
    _write(pdf, "1. Introduction")
    _write(
        pdf,
        "Ce guide explique comment associer les représen-\ntants des usagers aux travaux de la maison de santé.",
    )
    _write(pdf, "2. Les gouvernances")
    _write(pdf, "Les usagers peuvent siéger dans les instances de gouvernance de la structure.")
    pdf.add_page()
    _write(pdf, "6.1. Fiche ressource n° 1 - Le tricot solidaire")
    _write(pdf, "Le tricot solidaire rassemble les habitants autour d'ateliers hebdomadaires de prévention.")
    pdf.add_page()
    _write(pdf, "6.2. Fiche ressource n° 2 - Les jardins partagés")
    _write(pdf, "Les jardins partagés permettent aux patients de cultiver des légumes avec les soignants.")
    pdf.output(str(path))
    return path


def _settings(tmp_path: Path, corpus: Path) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index")


def test_pdf_pages_cleaning_and_fiches(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, {})
    make_guide_pdf(corpus / "guide.pdf")
    settings = _settings(tmp_path, corpus)

    report = ingest(settings)

    assert [f.status for f in report.files] == ["new"]
    assert report.files[0].pages == 3
    assert not report.files[0].in_manifest  # dropped without a manifest entry…
    reader = IndexReader(settings)
    assert reader.manifest.documents[0].title == "Guide d'essai"  # …named from the PDF metadata
    texts = " ".join(c.text for c in reader.chunks)
    assert "représentants des usagers" in texts  # hyphenation across lines undone
    assert "Guide d'essai - Engagement" not in texts  # running header removed
    assert "Page 2" not in texts  # running footer removed
    fiche = next(c for c in reader.chunks if "tricot" in c.text)
    assert (fiche.fiche, fiche.fiche_title, fiche.page, fiche.page_source) == (
        1,
        "Le tricot solidaire",
        2,
        "pdf",
    )
    assert fiche.section_number == "6.1"
    jardins = next(c for c in reader.chunks if "jardins" in c.text)
    assert (jardins.fiche, jardins.page) == (2, 3)
    assert "tricot" not in jardins.text  # no chunk crosses a fiche
    assert jardins.embed_text.startswith("Guide d'essai — 6.2. Fiche ressource n° 2")  # contextual header
    assert not jardins.text.startswith("Guide d'essai")  # not repeated in the shown text
    assert reader.fiches() == [
        {"number": 1, "title": "Le tricot solidaire", "doc_id": "guide"},
        {"number": 2, "title": "Les jardins partagés", "doc_id": "guide"},
    ]


def test_bad_files_are_reported_and_the_others_ingested(tmp_path: Path) -> None:
    encrypted = FPDF()
    encrypted.add_page()
    encrypted.set_font("Helvetica", size=12)
    encrypted.cell(0, 10, "Document confidentiel")
    encrypted.set_encryption(owner_password="proprietaire", user_password="secret")
    blank = FPDF()
    blank.add_page()  # a page with no text layer (as a scanned PDF would be)
    corpus = make_corpus(
        tmp_path,
        {
            "bon.md": "# Les comités d'usagers\n\nUn comité d'usagers se réunit chaque trimestre à la maison de santé.",
            "corrompu.pdf": b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF garbage",
            "chiffre.pdf": bytes(encrypted.output()),
            "scan.pdf": bytes(blank.output()),
            "vide.txt": "",
            "image.docx": b"PK\x03\x04 not supported",
            "latin1.txt": "Les usagers élus siègent au comité.".encode("latin-1"),
        },
    )
    settings = _settings(tmp_path, corpus)

    report = ingest(settings)

    reasons = {f.file: (f.status, f.reason) for f in report.files}
    assert reasons["bon.md"][0] == "new"
    assert reasons["latin1.txt"][0] == "new"
    assert reasons["corrompu.pdf"] == ("failed", reasons["corrompu.pdf"][1])
    assert "corrompu" in reasons["corrompu.pdf"][1]
    assert "chiffré" in reasons["chiffre.pdf"][1]
    assert "OCR" in reasons["scan.pdf"][1]
    assert reasons["vide.txt"] == ("failed", "fichier vide")
    assert "extension" in reasons["image.docx"][1]
    reader = IndexReader(settings)
    assert {d.file for d in reader.manifest.documents} == {"bon.md", "latin1.txt"}
    latin = next(c for c in reader.chunks if c.file == "latin1.txt")
    assert "élus siègent" in latin.text
    markdown = next(c for c in reader.chunks if c.file == "bon.md")
    assert markdown.section_title == "Les comités d'usagers"


def test_cli_exit_code_and_stats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ingest.__main__ import main

    corpus = make_corpus(tmp_path, {"a.txt": "Les usagers participent au diagnostic du territoire.", "b.txt": ""})
    monkeypatch.setenv("ENGAGEMENT_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("ENGAGEMENT_INDEX_DIR", str(tmp_path / "index"))
    assert main(["--quiet"]) == 1  # b.txt failed: the exit code says so
    capsys.readouterr()
    assert main(["--stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["documents"] == [
        {"file": "a.txt", "title": "a", "kind": "document", "pages": None, "chunks": 1, "roles": {"body": 1}}
    ]
    assert stats["chunks"] == 1 and stats["fiches"] == []


def test_nothing_ingestible_keeps_the_previous_index(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, {"a.txt": "Les usagers participent au diagnostic du territoire."})
    settings = _settings(tmp_path, corpus)
    ingest(settings)
    (corpus / "a.txt").write_text("")
    with pytest.raises(IngestError, match="fichier vide"):
        ingest(settings)
    assert IndexReader(settings).chunks[0].text.startswith("Les usagers participent")


def test_incremental_reruns(tmp_path: Path) -> None:
    corpus = make_corpus(
        tmp_path,
        {
            "a.txt": "Les usagers participent au diagnostic du territoire de la CPTS.",
            "b.txt": "La charte de l'engagement précise les droits et devoirs de chacun.",
        },
    )
    settings = _settings(tmp_path, corpus)
    first = ingest(settings)
    ids = [c.chunk_id for c in IndexReader(settings).chunks]
    assert first.embedded > 0

    again = ingest(settings)
    assert again.up_to_date and again.embedded == 0  # unchanged corpus: no embedding work at all

    (corpus / "b.txt").write_text("La charte de l'engagement est signée par les usagers volontaires.")
    (corpus / "c.txt").write_text("Le comité des usagers transmet ses idées à la gouvernance.")
    changed = ingest(settings)
    statuses = {f.file: f.status for f in changed.files}
    assert statuses == {"a.txt": "unchanged", "b.txt": "changed", "c.txt": "new"}
    assert 0 < changed.embedded < first.embedded * 3  # only the new and changed passages/sentences
    (corpus / "a.txt").unlink()
    removed = ingest(settings)
    assert removed.removed == ["a.txt"]
    reader = IndexReader(settings)
    assert {c.file for c in reader.chunks} == {"b.txt", "c.txt"}

    rebuilt = ingest(settings, rebuild=True)
    assert not rebuilt.up_to_date
    assert [c.chunk_id for c in IndexReader(settings).chunks] == [c.chunk_id for c in reader.chunks]  # same ids
    assert ids[0] not in {c.chunk_id for c in reader.chunks}


def test_settings_mismatch_is_detected(tmp_path: Path) -> None:
    from ingest.index import IndexMismatch

    corpus = make_corpus(tmp_path, {"a.txt": "Les usagers participent au diagnostic du territoire."})
    settings = _settings(tmp_path, corpus)
    ingest(settings)
    other = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", chunk_size=500)
    with pytest.raises(IndexMismatch, match="reconstruction"):
        IndexReader(other)
    ingest(other)  # the pipeline rebuilds for the new settings
    assert IndexReader(other).manifest.chunk_size == 500
