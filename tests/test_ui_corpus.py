"""Corpus management and documents in a real browser: upload a PDF and get answers from it, refused files
with their reason, a document containing markup shown as text, removing a document.

The app runs on a copy of the corpus and a copy of the test index (embeddings cached: only new passages
are embedded), never on ``corpus/`` or ``.pytest-index/`` themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF

from ingest.corpus_edit import UploadRejected, add_files, check_upload, check_upload_file, remove_file
from ingest.pipeline import IngestError, ingest
from ingest.settings import Settings
from tests.ui_helpers import (
    Page,
    RunningApp,
    ask,
    checked_page,
    copy_corpus,
    copy_index,
    screenshot,
    shared,
    start_app,
)

XSS_NOTE = """# Charte du comité zéphyr

Le comité zéphyr des usagers se réunit chaque trimestre dans la salle bleue. <img src=x onerror="window.__xss=3">

<script>window.__xss=4</script>

Les membres du comité zéphyr signent la charte <script>window.__xss=5</script> chaque année en janvier.
"""
PDF_TITLE = "Charte du comité des usagers de Trifouillis"
PDF_FACT = (
    "Le comité des usagers de la maison de santé de Trifouillis se réunit le premier mardi de chaque mois, "
    "dans la salle Hippocrate."
)


@pytest.fixture(scope="module")
def server(corpus_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> RunningApp:
    def make() -> RunningApp:
        root = tmp_path_factory.mktemp("corpus-app")
        corpus = copy_corpus(root / "corpus")
        (corpus / "note-xss.md").write_text(XSS_NOTE, encoding="utf-8")
        settings = corpus_index.model_copy(
            update={
                "corpus_dir": corpus,
                "index_dir": copy_index(root / "index"),
                "feedback_db": root / "feedback.sqlite",
                "max_upload_mb": 2,
            }
        )
        ingest(settings)  # the note is new: a few passages to embed
        return start_app(settings)

    return shared("corpus-app", make, RunningApp.close)


@pytest.fixture
def page(server: RunningApp) -> Iterator[Page]:
    yield from checked_page(server.url)


def make_pdf(path: Path) -> Path:
    pdf = FPDF()
    pdf.set_title(PDF_TITLE)
    pdf.add_page()
    pdf.set_font("helvetica", size=16)
    pdf.multi_cell(0, 10, PDF_TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 7, f"{PDF_FACT} Il rassemble douze usagers bénévoles.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(0, 7, "Les comptes rendus sont affichés dans la salle d'attente.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def upload(page: Any, files: list[Path]) -> str:
    """Upload ``files`` in the Corpus tab and wait for the ingestion report; returns its text."""
    page.get_by_role("tab", name="Corpus").click()
    page.set_input_files("#upload input[type=file]", [str(f) for f in files])
    for f in files:
        page.locator(f'#upload td.filename[aria-label="{f.name}"]').wait_for()
    page.click("#add")
    report = page.locator("#ingest-report .ingest-report")
    report.wait_for(timeout=120_000)
    return str(report.inner_text())


@pytest.mark.slow
def test_a_document_with_markup_is_read_and_cited_as_text(page: Page) -> None:
    p = page.page
    turn = ask(p, "Quand se réunit le comité zéphyr ?")
    assert "Charte du comité zéphyr" in turn.locator(".sources").inner_text()
    turn.locator("button.cite").first.click()
    card = p.locator("#passage .passage-card")
    card.wait_for()
    assert '<img src=x onerror="window.__xss=3">' in card.inner_text()
    p.get_by_role("tab", name="Documents").click()
    p.locator("#library button", has_text="Charte du comité zéphyr").click()
    body = p.locator("#reader .doc-body")
    body.wait_for()
    text = body.inner_text()
    assert "<script>window.__xss=4</script>" in text and "<script>window.__xss=5</script>" in text
    assert p.locator("#reader img, #reader script, #passage img, #passage script").count() == 0
    p.wait_for_timeout(300)
    assert p.evaluate("typeof window.__xss") == "undefined"
    screenshot(p, "document-with-markup")


@pytest.mark.slow
def test_upload_a_pdf_then_ask_about_it(page: Page, server: RunningApp, tmp_path: Path) -> None:
    p = page.page
    pdf = make_pdf(tmp_path / "charte-trifouillis.pdf")
    before = p.locator("#status").inner_text()
    assert "6 documents" in before
    report = upload(p, [pdf])
    assert "1 fichier(s) ajouté(s) et indexé(s) : charte-trifouillis.pdf" in report
    assert "ajouté" in report and PDF_TITLE in report
    assert (server.settings.corpus_dir / "charte-trifouillis.pdf").exists()
    p.locator("#status", has_text="7 documents").wait_for()
    screenshot(p, "corpus-upload", full_page=True)
    p.get_by_role("tab", name="Documents").click()
    assert p.locator("#library button", has_text=PDF_TITLE).count() == 1
    p.get_by_role("tab", name="Questions").click()
    turn = ask(p, "Quand se réunit le comité des usagers de Trifouillis ?")
    answer = turn.locator(".answer").inner_text()
    assert "premier mardi de chaque mois" in answer
    assert PDF_TITLE in turn.locator(".sources").inner_text()
    screenshot(p, "answer-from-uploaded-pdf")


@pytest.mark.slow
def test_unreadable_files_are_refused_with_their_reason(page: Page, server: RunningApp, tmp_path: Path) -> None:
    p = page.page
    broken = tmp_path / "rapport-casse.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n" + bytes(range(256)) * 8)
    binary = tmp_path / "notes.txt"
    binary.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" * 64)
    report = upload(p, [broken, binary])
    rows = p.locator("#ingest-report tr.failed")
    assert rows.count() == 2
    assert "ce n'est pas un fichier texte" in rows.filter(has_text="notes.txt").inner_text()
    pdf_reason = rows.filter(has_text="rapport-casse.pdf").locator("td").nth(4).inner_text()
    assert len(pdf_reason) > 5, "le motif de l'échec (rapport d'indexation) doit être affiché"
    assert "Aucun fichier ajouté" in report
    assert not (server.settings.corpus_dir / "rapport-casse.pdf").exists()
    assert not (server.settings.corpus_dir / "notes.txt").exists()
    assert "échec" in report
    screenshot(p, "corpus-refused", full_page=True)


@pytest.mark.slow
def test_remove_a_document(page: Page, server: RunningApp) -> None:
    p = page.page
    note = server.settings.corpus_dir / "note-a-retirer.md"
    note.write_text(
        "# Note sur le jardin partagé\n\nLe jardin partagé des usagers ouvre chaque samedi matin.\n",
        encoding="utf-8",
    )
    ingest(server.settings)
    server.holder.reload()
    p.reload()
    p.locator("#conversation .welcome").wait_for()
    assert "Note sur le jardin partagé" in ask(p, "Quand ouvre le jardin partagé ?").locator(".sources").inner_text()
    p.get_by_role("tab", name="Corpus").click()
    p.locator("#remove-choice input").click()
    p.get_by_role("option", name="note-a-retirer.md").click()
    p.click("#remove")
    p.locator("#ingest-report", has_text="Cochez la case de confirmation").wait_for()
    assert note.exists()
    p.locator("#remove-confirm input").check()
    p.click("#remove")
    p.locator("#ingest-report", has_text="Document retiré du corpus et de l'index : note-a-retirer.md").wait_for()
    assert not note.exists()
    p.get_by_role("tab", name="Questions").click()
    turn = ask(p, "Quand ouvre le jardin partagé ?")
    assert "Note sur le jardin partagé" not in turn.locator(".answer").inner_text()


@pytest.mark.fast
def test_upload_checks_type_size_and_content(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4\n...")
    assert check_upload(pdf, "../../etc/Mon rapport.PDF", 1) == "Mon rapport.pdf"
    renamed = check_upload_file(pdf, "../../evil.pdf", 1)
    assert renamed.name == "evil.pdf" and "« ../../evil.pdf » enregistré sous « evil.pdf »" in renamed.warnings[0]
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
        path = tmp_path / "upload.bin"
        path.write_bytes(content)
        with pytest.raises(UploadRejected, match=reason):
            check_upload(path, name, 1)


@pytest.mark.fast
def test_an_error_of_the_index_loses_no_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index fails in the middle (disk full, Chroma down…): the corpus is left exactly as it was."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "charte.md").write_text("# Charte\n\nVersion d'origine.\n", encoding="utf-8")
    (corpus / "note.md").write_text("# Note\n\nUne note.\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")

    def broken_ingest(*args: Any, **kwargs: Any) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr("ingest.corpus_edit.ingest", broken_ingest)
    new_version = tmp_path / "charte.md"
    new_version.write_text("# Charte\n\nNouvelle version.\n", encoding="utf-8")
    other = tmp_path / "autre.md"
    other.write_text("# Autre\n\nUn autre document.\n", encoding="utf-8")
    with pytest.raises(OSError):
        add_files(settings, [(new_version, "charte.md"), (other, "autre.md")])
    assert (corpus / "charte.md").read_text(encoding="utf-8") == "# Charte\n\nVersion d'origine.\n"
    assert not (corpus / "autre.md").exists()
    with pytest.raises(OSError):
        remove_file(settings, "note.md")
    assert (corpus / "note.md").read_text(encoding="utf-8") == "# Note\n\nUne note.\n"


@pytest.mark.fast
def test_two_uploads_with_the_same_name_are_not_mixed_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ "a.md" and "a.MD" become the same corpus file: the second is refused, the first is what gets indexed."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    seen: list[str] = []

    def fake_ingest(settings: Settings, **kwargs: Any) -> None:
        seen.append((corpus / "a.md").read_text(encoding="utf-8"))
        raise IngestError("arrêt du test")

    monkeypatch.setattr("ingest.corpus_edit.ingest", fake_ingest)
    first, second = tmp_path / "first.md", tmp_path / "second.md"
    first.write_text("# Premier\n\nTexte.\n", encoding="utf-8")
    second.write_text("# Second\n\nTexte.\n", encoding="utf-8")
    change = add_files(settings, [(first, "a.md"), (second, "a.MD")])
    assert seen == ["# Premier\n\nTexte.\n"]
    assert {"file": "a.md", "status": "failed"}.items() <= change.rows[0].items()
    assert "même nom" in str(change.rows[0]["reason"])
    assert not (corpus / "a.md").exists()  # the failed ingestion took it back out


@pytest.mark.slow
def test_a_renamed_upload_and_a_refused_type_are_told_once_in_french(page: Page, server: RunningApp) -> None:
    p = page.page
    p.get_by_role("tab", name="Corpus").click()
    zone = p.locator("#upload").inner_text()
    assert "Documents à téléverser" in zone and "Cliquez pour téléverser" in zone and "télécharg" not in zone
    note = "# Note du potager\n\nLe potager solidaire des usagers ouvre chaque jeudi à midi.\n"
    p.set_input_files(
        "#upload input[type=file]",
        files=[
            {"name": "../../evil.txt", "mimeType": "text/plain", "buffer": note.encode("utf-8")},
            {"name": "outil.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00" * 64},
        ],
    )
    p.wait_for_function("document.querySelectorAll('#upload td.filename').length === 2")
    p.click("#add")
    report = p.locator("#ingest-report .ingest-report")
    report.wait_for(timeout=120_000)
    text = report.inner_text()
    assert "« ../../evil.txt » enregistré sous « evil.txt »" in text
    assert "type non accepté (.exe)" in text
    assert (server.settings.corpus_dir / "evil.txt").exists()
    assert not (server.settings.corpus_dir.parent.parent / "evil.txt").exists()
    page_text = p.locator("body").inner_text()
    assert "Invalid file" not in page_text and " allowed" not in page_text  # Gradio's English refusal
    assert page_text.count("type non accepté (.exe)") == 1
    screenshot(p, "corpus-renamed-refused", full_page=True)
