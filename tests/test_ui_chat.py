"""The chat in a real browser (Playwright + Debian's Chromium) against the app on 127.0.0.1.

Screenshots go to ``artifacts/screenshots/`` (and, with UPDATE_SCREENSHOT=1, the desktop one to
``docs/screenshot.png``).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from evals.dataset import item_from_row
from ingest.settings import PROJECT_ROOT, Settings
from tests.ui_helpers import (
    STREAM_WATCH,
    Page,
    RunningApp,
    ask,
    llm_app,
    open_page,
    screenshot,
    wait_answer,
)

pytestmark = pytest.mark.slow

SECRET_QUESTION = "les usagers sont-ils tenus au secret ?"
OFF_TOPIC = "quelle est la recette de la tarte tatin ?"  # not medical: declined with the closest fiches


def test_the_answer_shown_at_once_cites_the_fiche_and_opens_the_passage(page: Page) -> None:
    p = page.page
    status = p.locator("#status").inner_text()
    assert "extractif" in status and "5 documents" in status and "14 fiches ressources" in status
    assert "à jour" in status
    p.evaluate(STREAM_WATCH)
    turn = ask(p, SECRET_QUESTION)

    events = p.evaluate("window.__events")
    shown = [e for e in events if not e.startswith("send")]
    assert shown == ["pending", "answer answered"], f"un état, puis la réponse entière : {events}"
    disabled = "send disabled" in events and events.index("send disabled") < events.index("answer answered")
    assert disabled, f"pas de seconde question pendant la réponse : {events}"
    assert p.locator("#send").is_enabled() and p.locator("#question textarea").is_enabled()
    assert "tenus au secret" in turn.locator(".question").inner_text()
    sources = turn.locator(".sources").inner_text()
    assert "Fiche ressource n° 6" in sources and "Respect de la vie privée et secret professionnel" in sources
    markers = turn.locator(".answer > p button.cite, .answer li button.cite")
    assert markers.count() >= 2, "les renvois [n] du texte doivent être cliquables"
    screenshot(p, "chat-desktop")

    markers.first.click()
    card = p.locator("#passage .passage-card")
    card.wait_for()
    p.evaluate("document.querySelector('#conversation').scrollTop = 0")
    shot = screenshot(p, "chat-desktop-passage")
    if os.environ.get("UPDATE_SCREENSHOT"):  # refresh the README's picture on demand only
        shutil.copyfile(shot, PROJECT_ROOT / "docs" / "screenshot.png")
    text = card.inner_text()
    assert "source [1]" in text.lower()
    assert "Engagement des usagers dans les maisons, centres et territoires de santé" in text
    assert "Haute Autorité de santé (HAS)" in text and "22 juin 2023" in text
    assert "n° 6 – Respect de la vie privée et secret professionnel" in text
    assert "6.6.2. Obligation de secret des usagers" in text
    assert "Page" in text and "41" in text
    marked = card.locator("mark").first.inner_text()
    assert len(marked) > 40 and marked[:40] in turn.locator(".answer").inner_text()
    assert card.locator("a", has_text="Voir la source en ligne").get_attribute("href") == "https://www.has-sante.fr/"
    screenshot(p, "chat-passage", full_page=True)

    p.click("#read-in-doc")
    target = p.locator("#reader #cible")
    target.wait_for()
    assert target.inner_text()[:40] == marked[:40]
    p.wait_for_timeout(400)  # smooth scrolling
    box, frame = target.bounding_box(), p.locator("#reader").bounding_box()
    assert box and frame and frame["y"] <= box["y"] <= frame["y"] + frame["height"], "passage hors de la vue"
    assert p.locator("#reader h5.doc-heading", has_text="6.6.2. Obligation de secret des usagers").count() == 1
    screenshot(p, "reader-cited-passage")


def test_refusal_offers_the_closest_fiches_as_clickable_suggestions(page: Page) -> None:
    p = page.page
    turn = ask(p, OFF_TOPIC)
    assert "ne traitent pas de cette question" in turn.locator(".answer").inner_text()
    assert turn.locator(".sources").count() == 0
    suggestion = turn.locator("button.suggestion").first
    label = suggestion.inner_text()
    number = suggestion.get_attribute("data-number")
    assert label.startswith(f"Fiche ressource n° {number}")
    suggestion.click()
    follow = wait_answer(p, 2)
    assert f"fiche ressource n° {number}" in follow.locator(".question").inner_text()
    assert f"Fiche ressource n° {number}" in follow.locator(".sources").inner_text()
    screenshot(p, "chat-refusal-suggestions", full_page=True)


def test_like_and_dislike_with_comment_are_stored_and_exportable(page: Page, server: RunningApp) -> None:
    p = page.page
    p.click("#storage-note")
    p.locator("#storage-note", has_text="la question, la réponse affichée et ses sources").wait_for()
    assert "Aucun nom d'utilisateur ni adresse IP" in p.locator("#storage-note").inner_text()
    p.get_by_role("button", name="Quel est le rôle d'un représentant associatif en CPTS ?").click()
    first = wait_answer(p, 1)
    second = ask(p, SECRET_QUESTION)

    first.locator("button[data-action=like]").click()
    p.locator("#feedback").first.wait_for()
    p.wait_for_function("document.querySelector('#conversation .turn .fb-state') !== null")
    assert "Avis enregistré : utile" in p.locator("#conversation .turn").first.inner_text()
    assert p.locator("#export").count() == 0 or not p.locator("#export").is_visible()

    second.locator("button[data-action=dislike]").click()
    p.locator("#export").wait_for()
    assert "pas utile" in p.locator("#feedback").first.inner_text()
    p.locator("#wrong-source input").check()
    p.fill("#comment textarea", "La réponse devrait citer le § 6.6.3 <b>d'abord</b>")
    p.click("#save-feedback")
    p.locator("#feedback-message", has_text="Précisions enregistrées").wait_for()

    db = sqlite3.connect(server.settings.feedback_db)
    db.row_factory = sqlite3.Row
    rows = {r["question"]: dict(r) for r in db.execute("SELECT * FROM feedback")}
    db.close()
    liked = rows["Quel est le rôle d'un représentant associatif en CPTS ?"]
    disliked = rows[SECRET_QUESTION]
    assert liked["rating"] == "like" and liked["comment"] == "" and not liked["wrong_source"]
    assert disliked["rating"] == "dislike" and disliked["wrong_source"] == 1
    assert disliked["comment"] == "La réponse devrait citer le § 6.6.3 <b>d'abord</b>"
    assert "Fiche ressource n° 6" in disliked["answer"]
    citations = json.loads(disliked["citations"])
    assert any(c["fiche"] == 6 for c in citations) and all(c["passage"] and c["label"] for c in citations)
    stored_settings = json.loads(disliked["settings"])
    assert "top_k" in stored_settings and not {"auth", "auth_file", "llm_api_key"} & set(stored_settings)
    assert json.loads(disliked["history"]) == ["Quel est le rôle d'un représentant associatif en CPTS ?"]

    p.click("#export")
    code = p.locator("#export-code")
    code.wait_for()
    p.wait_for_function("document.querySelector('#export-code').innerText.includes('retour-')")
    line = code.locator(".cm-content").inner_text()
    row = json.loads(line)
    item = item_from_row(row, 1)
    assert item.question == SECRET_QUESTION and item.reference_answer == ""
    assert item.expected_sources == [] and "mauvaise-source" in item.tags  # the user said the source was wrong
    assert item.history == ["Quel est le rôle d'un représentant associatif en CPTS ?"]
    assert set(row) == {  # the QA columns, then what the user was given and said: nothing else
        "id",
        "question",
        "reference_answer",
        "expected_sources",
        "key_facts",
        "answerable",
        "coverage",
        "persona",
        "tags",
        "split",
        "history",
        "false_premise",
        "answer_given",
        "sources_given",
        "comment",
    }
    assert p.locator("#export-file a").first.get_attribute("href")
    screenshot(p, "chat-feedback", full_page=True)


def test_role_is_passed_and_new_conversation_starts_afresh(page: Page, server: RunningApp) -> None:
    p = page.page
    calls: list[str | None] = []
    assistant = server.holder.assistant
    original = assistant.ask

    def spy(question: str, **kwargs: object) -> object:
        calls.append(kwargs.get("role"))  # type: ignore[arg-type]
        return original(question, **kwargs)  # type: ignore[arg-type]

    assistant.ask = spy  # type: ignore[method-assign]
    try:
        p.locator("#role").get_by_text("Représentant des usagers").click()
        ask(p, "Comment recruter des usagers pour un projet de CPTS ?")
        p.locator("#role").get_by_text("Non précisé").click()
        ask(p, "et pour le diagnostic ?")
    finally:
        del assistant.ask
    assert calls == ["representant", None]
    assert p.locator("#conversation .turn").count() == 2
    p.click("#reset")
    p.locator("#conversation .welcome").wait_for()
    assert p.locator("#conversation .turn").count() == 0
    assert "Cliquez sur un renvoi" in p.locator("#passage").inner_text()


def test_copy_puts_the_answer_with_its_sources_on_the_clipboard(server: RunningApp) -> None:
    opened = open_page(server.url, permissions=["clipboard-read", "clipboard-write"])
    p = opened.page
    try:
        turn = ask(p, SECRET_QUESTION)
        turn.locator("button[data-action=copy]").click()
        turn.locator("button[data-action=copy]", has_text="Copié").wait_for()
        copied = p.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("D'après la fiche ressource n° 6")
        assert "\nSources\n[1] HAS 2023 — Fiche ressource n° 6" in copied
    finally:
        opened.close()


def test_script_in_a_question_is_shown_as_text_and_never_runs(page: Page) -> None:
    p = page.page
    payload = (
        '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> [lien](javascript:alert(1)) '
        "secret des usagers ?"
    )
    turn = ask(p, payload)
    p.wait_for_timeout(300)
    assert p.evaluate("typeof window.__xss") == "undefined"
    assert turn.locator(".question").inner_text() == payload
    assert p.locator("#conversation img, #conversation script, #conversation a").count() == 0
    answer = turn.locator(".answer").inner_text()
    assert "balisage" in answer  # the assistant says it removed the markup
    shown = p.locator("#conversation").inner_text().replace(payload, "")
    assert "lien)" not in shown and "javascript:" not in shown  # the link's text is never shown cut
    turn.locator("button.cite").first.click()
    p.locator("#passage .passage-card").wait_for()
    assert p.evaluate("typeof window.__xss") == "undefined"
    screenshot(p, "chat-injection")


def test_documents_tab_lists_the_fiches_and_opens_one_at_its_heading(page: Page) -> None:
    p = page.page
    p.get_by_role("tab", name="Documents").click()
    library = p.locator("#library")
    library.wait_for()
    assert library.locator("ol.fiches button").count() == 14
    assert library.locator("ul.documents button").count() == 5
    assert "Fiche mission – Représentant associatif en CPTS" in library.inner_text()
    library.locator("ol.fiches button", has_text="Participation et faux-semblants").click()
    heading = p.locator("#reader [data-cible]")
    heading.wait_for()
    assert "Fiche ressource n° 3 – Participation et faux-semblants" in heading.inner_text()
    p.wait_for_timeout(300)
    box, frame = heading.bounding_box(), p.locator("#reader").bounding_box()
    assert box and frame and frame["y"] <= box["y"] <= frame["y"] + frame["height"]
    headings = p.locator("#reader .doc-heading").count()
    assert headings > 50  # the HAS guide read whole, with its headings
    p.locator("#reader details.toc summary").click()
    p.locator("#reader button.toc-link", has_text="Introduction").first.click()
    screenshot(p, "documents-fiche")


def test_mobile_viewport_390px(server: RunningApp) -> None:
    opened = open_page(server.url, width=390, height=844, is_mobile=True, has_touch=True)
    p = opened.page
    try:
        turn = ask(p, SECRET_QUESTION)
        width = p.evaluate("document.documentElement.scrollWidth")
        assert width <= 392, f"défilement horizontal sur mobile : {width}px"
        question_box = p.locator("#question").bounding_box()
        assert question_box and question_box["width"] > 200
        screenshot(p, "mobile-answer")
        turn.locator("button.cite").first.click()
        card = p.locator("#passage .passage-card")
        card.wait_for()
        p.wait_for_timeout(700)  # smooth scroll to the passage
        box = card.bounding_box()
        assert box and box["y"] < 844 and box["y"] + min(box["height"], 200) > 0, "passage hors de l'écran"
        assert box["width"] <= 390
        screenshot(p, "mobile-passage")
        assert not opened.errors and not opened.outside
    finally:
        opened.close()


def test_markup_written_by_an_llm_is_shown_as_text_and_never_runs(corpus_index: Settings, tmp_path: Path) -> None:
    """A model that answers with <img onerror>, <script>: the status line names it, nothing runs."""
    from tests.openai_standin import MARKUP

    with llm_app(corpus_index, tmp_path, "markup") as (app, _):
        opened = open_page(app.url)
        try:
            p = opened.page
            assert "llm:openai:markup" in p.locator("#status").inner_text()
            turn = ask(p, SECRET_QUESTION)
            p.wait_for_timeout(300)
            assert p.evaluate("typeof window.__xss") == "undefined"
            assert p.locator("#conversation img, #conversation script, #conversation b").count() == 0
            assert MARKUP in turn.locator(".answer").inner_text()  # shown, as text
            turn.locator("button.cite").first.click()
            p.locator("#passage .passage-card").wait_for()
            assert p.evaluate("typeof window.__xss") == "undefined"
            assert not opened.errors
            screenshot(p, "chat-llm-markup")
        finally:
            opened.close()
