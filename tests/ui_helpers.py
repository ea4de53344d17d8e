"""Helpers for the web-app tests: start the app on 127.0.0.1, drive Debian's Chromium with Playwright.

Servers and the browser are started once per test process and shared by the UI and API test modules
(pytest fixtures of one module cannot be shared without a conftest): :func:`shared` keeps them and
stops them at exit.
"""

from __future__ import annotations

import atexit
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ingest.settings import PROJECT_ROOT, Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
TEST_INDEX = PROJECT_ROOT / ".pytest-index"

_shared: dict[str, Any] = {}


def shared(key: str, make: Callable[[], Any], stop: Callable[[Any], None] | None = None) -> Any:
    """One object per test process under ``key`` (made on first use, stopped at exit)."""
    if key not in _shared:
        value = make()
        _shared[key] = value
        if stop is not None:
            atexit.register(stop, value)
    return _shared[key]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_corpus(target: Path) -> Path:
    """A copy of the real corpus (the tests never touch ``corpus/``)."""
    shutil.copytree(PROJECT_ROOT / "corpus", target)
    return target


def copy_index(target: Path) -> Path:
    """A copy of the shared test index (live build and embedding cache): nothing to re-embed."""
    shutil.copytree(TEST_INDEX, target, ignore=shutil.ignore_patterns(".lock", "*.tmp*"))
    return target


@dataclass
class RunningApp:
    url: str
    settings: Settings
    holder: Any  # assistant.web.holder.AssistantHolder
    app: Any  # gradio.Blocks

    def close(self) -> None:
        self.app.close()


def start_app(settings: Settings) -> RunningApp:
    """Launch the web app on 127.0.0.1 (a free port) in this process; returns once it answers."""
    from assistant.web.app import build_app, launch
    from assistant.web.holder import AssistantHolder

    settings = settings.model_copy(update={"host": "127.0.0.1", "port": free_port()})
    holder = AssistantHolder(settings)
    _ = holder.assistant
    app = build_app(settings, holder)
    launch(app, settings, prevent_thread_lock=True, quiet=True)
    url = f"http://127.0.0.1:{settings.port}/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code in (200, 401):
                return RunningApp(url, settings, holder, app)
        except httpx.HTTPError:
            time.sleep(0.2)
    app.close()
    raise RuntimeError(f"l'application ne répond pas sur {url}")


def reading_app(corpus_index: Settings, tmp_root: Path) -> RunningApp:
    """The app on the shared test index (questions only), a copy of the corpus and its own feedback file."""

    def make() -> RunningApp:
        corpus = copy_corpus(tmp_root / "corpus")
        settings = corpus_index.model_copy(
            update={"corpus_dir": corpus, "feedback_db": tmp_root / "feedback" / "feedback.sqlite"}
        )
        return start_app(settings)

    return shared("reading-app", make, RunningApp.close)


@contextmanager
def llm_app(corpus_index: Settings, tmp_root: Path, model: str) -> Iterator[tuple[RunningApp, Any]]:
    """The app answering through the loopback OpenAI-compatible stand-in, whose ``model`` picks its behaviour
    (tests/openai_standin.py); yields the running app and the stand-in (with the requests it received)."""
    from tests.openai_standin import StandIn

    with StandIn() as standin:
        settings = corpus_index.model_copy(
            update={
                "corpus_dir": copy_corpus(tmp_root / "corpus"),
                "feedback_db": tmp_root / "feedback.sqlite",
                "llm_backend": "openai",
                "llm_base_url": standin.url,
                "llm_model": model,
            }
        )
        app = start_app(settings)
        try:
            yield app, standin
        finally:
            app.close()


def ensure_chromium() -> Path:
    """Debian's Chromium, installed with apt when missing (as the issue asks of the test set-up)."""
    if not CHROMIUM.exists() and shutil.which("apt-get"):
        sudo = [] if _is_root() else ["sudo", "-n"]
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=False, timeout=600)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "chromium"], check=False, timeout=1200)
    if not CHROMIUM.exists():
        raise RuntimeError("Chromium introuvable (/usr/bin/chromium) : apt-get install chromium")
    return CHROMIUM


def _is_root() -> bool:
    import os

    return os.geteuid() == 0


def browser() -> Any:
    """One headless Chromium for the whole test process."""

    def make() -> Any:
        from playwright.sync_api import sync_playwright

        ensure_chromium()
        playwright = sync_playwright().start()
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        return playwright, chromium

    def stop(value: Any) -> None:
        playwright, chromium = value
        chromium.close()
        playwright.stop()

    return shared("browser", make, stop)[1]


@dataclass
class Page:
    """A browser page on the app, with what the page reported (errors, requests leaving 127.0.0.1)."""

    page: Any
    context: Any
    errors: list[str]
    outside: list[str]

    def close(self) -> None:
        self.context.close()


def checked_page(url: str) -> Iterator[Page]:
    """A page on ``url`` for one test; afterwards, no JavaScript error and no request left 127.0.0.1."""
    opened = open_page(url)
    yield opened
    assert not opened.errors, f"erreurs JavaScript : {opened.errors}"
    assert not opened.outside, f"requêtes hors de 127.0.0.1 : {opened.outside}"
    opened.close()


def open_page(url: str, width: int = 1280, height: int = 900, **context: Any) -> Page:
    """A fresh browser context on ``url``; any request to another host than 127.0.0.1 is blocked."""
    chromium = browser()
    ctx = chromium.new_context(viewport={"width": width, "height": height}, locale="fr-FR", **context)
    errors: list[str] = []
    outside: list[str] = []

    def route(r: Any) -> None:
        request_url = r.request.url
        if request_url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            outside.append(request_url)
            r.abort()

    ctx.route("**/*", route)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_selector("#conversation .welcome")
    page.wait_for_function("document.fonts.status === 'loaded'")
    return Page(page, ctx, errors, outside)


STREAM_WATCH = """() => {
  // what the page shows of the last answer, and the send button's state, in the order they change
  window.__events = [];
  const last = {};
  const log = (kind, state) => {
    if (last[kind] !== state) { last[kind] = state; window.__events.push(state); }
  };
  new MutationObserver(() => {
    const answer = document.querySelector('#conversation .turn:last-child .answer');
    if (answer) log('answer', answer.classList.contains('pending') ? 'pending' : answer.className);
    const send = document.querySelector('#send');
    if (send) log('send', send.disabled ? 'send disabled' : 'send enabled');
  }).observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true});
}"""


def ask(page: Any, question: str) -> Any:
    """Type ``question``, press Enter, wait for the finished answer; returns the last turn's locator."""
    turns_before = page.locator("#conversation .turn").count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    return wait_answer(page, turns_before + 1)


def wait_answer(page: Any, turns: int) -> Any:
    """Wait until the conversation has ``turns`` turns and the last one is finished (its action bar shown)."""
    page.wait_for_function(
        "n => document.querySelectorAll('#conversation .turn').length === n"
        " && document.querySelectorAll('#conversation .turn .actions').length === n",
        arg=turns,
    )
    return page.locator("#conversation .turn").nth(turns - 1)


def screenshot(page: Any, name: str, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
