"""Conversations in a real browser: the start of a new answer in view, kept across a reload (in the browser's
storage), reopened, deleted and exported with their sources; next-question buttons; the document filter;
the opinion form and the upload report on a phone.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.web.assets import STORAGE_KEY
from tests.ui_helpers import Page, RunningApp, ask, open_page, screenshot, wait_answer

pytestmark = pytest.mark.slow

SECRET_QUESTION = "les usagers sont-ils tenus au secret ?"
RECRUIT_QUESTION = "Comment recruter des usagers pour un projet de CPTS ?"
WIDTHS = {"bureau": (1280, 900), "mobile": (390, 844)}


def stored(p: Any) -> str:
    return str(p.evaluate(f"localStorage.getItem('{STORAGE_KEY}') || ''"))


def ask_and_keep(p: Any, question: str) -> Any:
    """Ask, then wait until the browser's storage holds the conversation with this answer."""
    before = stored(p)
    turn = ask(p, question)
    p.wait_for_function(f"(localStorage.getItem('{STORAGE_KEY}') || '') !== {before!r}")
    return turn


def in_view(p: Any, selector: str) -> bool:
    """The top of the element is inside the window and inside the conversation's own scroll area."""
    return bool(
        p.evaluate(
            """sel => {
              const el = document.querySelector(sel);
              if (!el) return false;
              const r = el.getBoundingClientRect();
              const box = document.querySelector('#conversation').getBoundingClientRect();
              const inWindow = r.top >= 0 && r.top + 20 <= window.innerHeight;
              const inBox = r.top >= box.top - 1 && r.top + 20 <= box.bottom;
              return inWindow && inBox;
            }""",
            selector,
        )
    )


@pytest.mark.parametrize("size", list(WIDTHS))
def test_the_start_of_the_third_answer_is_in_view(server: RunningApp, size: str) -> None:
    width, height = WIDTHS[size]
    opened = open_page(server.url, width=width, height=height, is_mobile=width < 640, has_touch=width < 640)
    p = opened.page
    try:
        for question in (RECRUIT_QUESTION, SECRET_QUESTION, "Qu'est-ce que la participation en faux-semblant ?"):
            ask(p, question)
        assert in_view(p, "#conversation .turn:nth-child(3) .answer"), "début de la 3e réponse hors de la vue"
        screenshot(p, f"third-answer-{size}")
        assert not opened.errors
    finally:
        opened.close()


def test_reload_keeps_the_conversation_which_can_be_reopened_or_deleted(page: Page) -> None:
    p = page.page
    ask_and_keep(p, RECRUIT_QUESTION)
    ask_and_keep(p, SECRET_QUESTION)
    p.reload()
    p.wait_for_function("document.querySelectorAll('#conversation .turn .actions').length === 2")
    questions = p.locator("#conversation .turn .question").all_inner_texts()
    assert questions == [RECRUIT_QUESTION, SECRET_QUESTION]
    turn = p.locator("#conversation .turn").nth(1)
    assert "Fiche ressource n° 6" in turn.locator(".sources").inner_text()
    turn.locator("button.cite").first.click()  # the kept answer's sources still open
    p.locator("#passage .passage-card").wait_for()

    p.click("#reset")
    p.locator("#conversation .welcome").wait_for()
    ask_and_keep(p, "Qu'est-ce que la participation en faux-semblant ?")
    p.click("#saved")
    p.locator("#saved-list input").click()
    options = p.get_by_role("option")
    labels = options.all_inner_texts()
    assert len(labels) == 2 and labels[0].startswith("Qu'est-ce que la participation") and "(2 q." in labels[1]
    options.nth(1).click()
    p.click("#reopen")
    p.wait_for_function("document.querySelectorAll('#conversation .turn').length === 2")
    assert p.locator("#conversation .turn .question").first.inner_text() == RECRUIT_QUESTION
    before = stored(p)
    p.locator("#saved-list input").click()
    p.get_by_role("option").nth(1).click()
    p.click("#delete")
    p.wait_for_function(f"(localStorage.getItem('{STORAGE_KEY}') || '') !== {before!r}")
    p.locator("#conversation .welcome").wait_for()  # the open conversation was the deleted one
    p.locator("#saved-list input").click()
    assert len(p.get_by_role("option").all_inner_texts()) == 1
    p.keyboard.press("Escape")
    p.reload()
    p.locator("#conversation .welcome").wait_for()
    assert p.locator("#conversation .turn").count() == 0


def test_export_gives_the_conversation_with_its_sources(page: Page) -> None:
    p = page.page
    ask(p, SECRET_QUESTION)
    p.click("#saved")
    p.click("#export-conversation")
    links = p.locator("#conversation-files a")
    p.wait_for_function("document.querySelectorAll('#conversation-files a').length === 2")
    files = {}
    for k in range(links.count()):
        href = links.nth(k).get_attribute("href")
        response = p.request.get(href)
        files[href.rsplit(".", 1)[-1]] = response.text()
    markdown, printable = files["md"], files["html"]
    assert "## Question 1 : les usagers sont-ils tenus au secret ?" in markdown
    source = next(line for line in markdown.splitlines() if line.startswith("1. "))
    assert "Document : Engagement des usagers dans les maisons, centres et territoires de santé" in source
    assert "Fiche ressource : n° 6 « Respect de la vie privée et secret professionnel »" in source
    assert "Section : " in source and "Page : 41" in source
    quote = p.locator("#conversation .turn .answer > p").nth(1).inner_text().split(" [")[0]
    assert any(line.strip().startswith("> ") for line in markdown.splitlines())
    assert '<html lang="fr">' in printable and "Respect de la vie privée et secret professionnel" in printable
    assert "<blockquote>" in printable and "<script" not in printable
    assert quote[:30] in printable


def test_a_next_question_button_asks_its_question(page: Page) -> None:
    p = page.page
    turn = ask(p, SECRET_QUESTION)
    buttons = turn.locator("button.followup")
    assert 2 <= buttons.count() <= 3, "deux ou trois questions pour aller plus loin"
    text = buttons.first.inner_text()
    buttons.first.click()
    follow = wait_answer(p, 2)
    assert follow.locator(".question").inner_text() == text
    assert follow.locator(".sources").count() == 1


def test_the_document_filter_changes_the_sources(page: Page) -> None:
    p = page.page
    free = ask(p, RECRUIT_QUESTION).locator(".sources li").all_inner_texts()
    assert free and any("URPS" in s for s in free)
    p.locator("#doc-filter input").click()
    p.get_by_role("option", name="Engagement des usagers dans les maisons, centres et territoires de santé").click()
    p.keyboard.press("Escape")
    limited = ask(p, RECRUIT_QUESTION).locator(".sources li").all_inner_texts()
    assert limited and limited != free
    assert all(s.split("] ", 1)[-1].startswith("HAS 2023") for s in limited), limited


def test_on_a_phone_the_opinion_form_comes_into_view_after_not_useful(server: RunningApp) -> None:
    opened = open_page(server.url, width=390, height=844, is_mobile=True, has_touch=True)
    p = opened.page
    try:
        turn = ask(p, SECRET_QUESTION)
        turn.locator("button[data-action=dislike]").click()
        p.wait_for_function("document.activeElement && document.activeElement.closest('#comment')")
        box = p.locator("#comment textarea").bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 844, "formulaire d'avis hors de l'écran"
        screenshot(p, "mobile-feedback")
    finally:
        opened.close()


def test_on_a_phone_the_upload_report_shows_every_column(server: RunningApp) -> None:
    opened = open_page(server.url, width=390, height=844, is_mobile=True, has_touch=True)
    p = opened.page
    try:
        p.get_by_role("tab", name="Corpus").click()
        p.set_input_files(
            "#upload input[type=file]",
            files=[{"name": "outil.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00" * 64}],
        )
        p.wait_for_function("document.querySelectorAll('#upload td.filename').length === 1")
        p.click("#add")
        reason = p.locator("#ingest-report td[data-label='Motif ou remarque']")
        reason.wait_for(timeout=120_000)
        assert "type non accepté (.exe)" in reason.inner_text()
        box = reason.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, f"colonne Motif coupée : {box}"
        assert p.evaluate("document.documentElement.scrollWidth") <= 392
        screenshot(p, "mobile-corpus-report", full_page=True)
    finally:
        opened.close()
