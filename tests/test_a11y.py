"""Accessibility (RGAA 4.1 level AA) in a real browser: axe-core on every tab at 1280 px and 390 px, the
page's language and labels, and keyboard-only use of each feature.

axe-core is the npm package (``npm install --no-save axe-core`` in the project, done by scripts/test.sh);
outside CI the axe test is skipped, with its reason, when ``node_modules/axe-core/axe.min.js`` is absent.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from ingest.settings import PROJECT_ROOT
from tests.ui_helpers import Page, RunningApp, ask, open_page, screenshot, wait_answer

pytestmark = pytest.mark.slow

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
DOC_SHOTS = PROJECT_ROOT / "docs" / "screenshots"
BLOCKING = ("serious", "critical")
WIDTHS = {"bureau": (1280, 900), "mobile": (390, 844)}
SECRET_QUESTION = "les usagers sont-ils tenus au secret ?"
FURTHER_QUESTION = "A qui profite la participation ?"  # its answer ends on passages that may not answer it
# Gradio dims a component while its event runs: judge colours once every event is over
IDLE = (
    "document.querySelectorAll('[data-testid=status-tracker]:not(.hide)').length === 0"
    " && document.getAnimations().every(a => a.playState !== 'running'"
    " || a.effect?.getComputedTiming().iterations === Infinity)"
)


def axe_path() -> str:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core absent en CI : {AXE} (npm install --no-save axe-core)")
        pytest.skip(f"axe-core absent : {AXE} (lancez « npm install --no-save axe-core » à la racine du projet)")
    return str(AXE)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (injected once per page)."""
    page.wait_for_function(IDLE)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=axe_path())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return list(result["violations"])


def describe(where: str, violations: list[dict[str, Any]]) -> list[str]:
    """One line per blocking violation: where, rule, impact, the elements concerned."""
    lines = []
    for v in violations:
        if v.get("impact") in BLOCKING:
            targets = "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:6])
            lines.append(f"{where} — {v['id']} ({v['impact']}, {len(v['nodes'])} éléments) : {v['help']} → {targets}")
    return lines


def shot(page: Any, name: str) -> None:
    """A screenshot in artifacts/screenshots/, copied to docs/screenshots/ with UPDATE_SCREENSHOT=1."""
    page.wait_for_function(IDLE)
    path = screenshot(page, f"a11y-{name}")
    if os.environ.get("UPDATE_SCREENSHOT"):
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOC_SHOTS / f"{name}.png")


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def sized_page(request: pytest.FixtureRequest, server: RunningApp) -> Iterator[tuple[str, Page]]:
    width, height = WIDTHS[request.param]
    mobile = width < 640
    opened = open_page(server.url, width=width, height=height, is_mobile=mobile, has_touch=mobile)
    yield request.param, opened
    opened.close()


def test_axe_finds_no_serious_violation_on_any_tab(sized_page: tuple[str, Page]) -> None:
    axe_path()
    name, opened = sized_page
    p = opened.page
    found: list[str] = []
    found += describe(f"{name}, Questions (accueil)", axe_violations(p))
    turn = ask(p, SECRET_QUESTION)
    turn.locator("button.cite").first.click()
    p.locator("#passage .passage-card").wait_for()
    if name == "bureau":
        p.evaluate("document.querySelector('#conversation').scrollTop = 0")
    else:
        turn.evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(p, f"questions-{name}")
    turn.locator("button[data-action=dislike]").click()
    p.locator("#comment textarea").wait_for()
    found += describe(f"{name}, Questions (réponse, passage, avis)", axe_violations(p))
    ask(p, FURTHER_QUESTION).locator("p.further").wait_for()
    found += describe(f"{name}, Questions (passages qui peuvent ne pas répondre)", axe_violations(p))
    p.get_by_role("tab", name="Documents").click()
    p.locator("#library button.open-doc").first.click()
    p.locator("#reader .document").wait_for()
    found += describe(f"{name}, Documents", axe_violations(p))
    shot(p, f"documents-{name}")
    p.get_by_role("tab", name="Corpus").click()
    p.locator("#upload").wait_for()
    p.click("#remove")  # a report (refusal: no document chosen)
    p.locator("#ingest-report .ingest-report").wait_for()
    found += describe(f"{name}, Corpus", axe_violations(p))
    shot(p, f"corpus-{name}")
    p.get_by_role("tab", name="Évaluation").click()  # the four tabs fit on a phone: none folded in a menu
    p.locator("#eval-start").wait_for()
    found += describe(f"{name}, Évaluation (lancer)", axe_violations(p))
    p.get_by_role("tab", name="Résultats").click()
    p.locator("#eval-run-choice").wait_for()
    found += describe(f"{name}, Évaluation (résultats)", axe_violations(p))
    shot(p, f"evaluation-{name}")
    assert not found, "violations axe graves ou critiques :\n" + "\n".join(found)
    assert not opened.errors, opened.errors


def test_the_page_is_in_french_and_every_control_has_a_french_name(server: RunningApp) -> None:
    opened = open_page(server.url)
    p = opened.page
    try:
        assert p.evaluate("document.documentElement.lang") == "fr"
        p.keyboard.press("Tab")  # the first stop: the skip link to the question box
        assert p.evaluate("document.activeElement.textContent") == "Aller à la question"
        assert p.get_by_role("textbox", name="Votre question").count() == 1
        assert p.get_by_role("button", name="Envoyer").count() == 1
        assert p.get_by_role("heading", level=1).count() == 1
        unnamed = p.evaluate(
            """() => [...document.querySelectorAll('button, input, textarea, select, [role=button]')]
              .filter(e => e.offsetParent !== null && e.type !== 'hidden')
              .filter(e => !(e.getAttribute('aria-label') || e.labels?.length || e.textContent.trim()
                             || e.getAttribute('aria-labelledby') || e.title))
              .map(e => e.outerHTML.slice(0, 120))"""
        )
        assert not unnamed, f"contrôles sans nom : {unnamed}"
    finally:
        opened.close()


def test_keyboard_only_ask_open_a_source_rate_read_and_upload(server: RunningApp) -> None:
    """Ask with Enter (the answer is announced, the focus comes back to the question box), reach a source
    with the keyboard and open it, rate and comment, open a document, open the file chooser of the upload."""
    opened = open_page(server.url)
    p = opened.page
    try:
        p.locator("#question textarea").focus()
        p.keyboard.type(SECRET_QUESTION)
        p.keyboard.press("Enter")
        turn = wait_answer(p, 1)
        p.wait_for_function("document.activeElement && document.activeElement.closest('#question')")
        live = p.locator("#answer-live")
        assert live.get_attribute("aria-live") == "polite"
        said = str(turn.locator("pre.plain-text").text_content())
        p.wait_for_function("t => document.querySelector('#answer-live').textContent === t", arg=said)
        cite = turn.locator("button.cite").first
        for _ in range(60):  # the answer is above the question box: Shift+Tab goes back into it
            p.keyboard.press("Shift+Tab")
            if p.evaluate("document.activeElement.classList.contains('cite')"):
                break
        assert p.evaluate("document.activeElement.classList.contains('cite')"), "aucun renvoi atteint au clavier"
        outline = p.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", ""), "le focus doit être visible"
        p.keyboard.press("Enter")
        p.locator("#passage .passage-card").wait_for()
        cite.focus()
        dislike = turn.locator("button[data-action=dislike]")
        dislike.focus()
        p.keyboard.press("Enter")
        p.wait_for_function("document.activeElement && document.activeElement.closest('#comment')")
        p.keyboard.type("Source imprécise")
        p.locator("#save-feedback").focus()
        p.keyboard.press("Enter")
        p.locator("#feedback-message", has_text="Précisions enregistrées").wait_for()
        p.get_by_role("tab", name="Documents").focus()
        p.keyboard.press("Enter")
        first_fiche = p.locator("#library button.open-doc").first
        first_fiche.focus()
        p.keyboard.press("Enter")
        p.locator("#reader .document").wait_for()
        p.get_by_role("tab", name="Corpus").focus()
        p.keyboard.press("Enter")
        zone = p.locator("#upload button.upload-container")
        zone.wait_for()
        zone.focus()
        # the hidden file field is clicked, which opens the system's file chooser (Playwright's own
        # "filechooser" event is not reliable in headless Chromium)
        p.evaluate(
            "document.querySelector('#upload input[type=file]')"
            ".addEventListener('click', () => { window.__chooser = true; })"
        )
        p.keyboard.press("Enter")
        p.wait_for_function("window.__chooser === true")
        assert p.locator("#upload input[type=file]").get_attribute("multiple") is not None
        assert not opened.errors
    finally:
        opened.close()
