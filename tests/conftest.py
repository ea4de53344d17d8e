"""Shared fixtures: settings on a test index built once from the real corpus, and the assistant on it.

The full-corpus index lives in ``.pytest-index/`` (git-ignored) so that a second local run reuses it;
a fresh clone (CI) builds it once, in seconds, from the vectors shipped in ``corpus/.vectors/``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ingest.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from tests.ui_helpers import Page, RunningApp

TEST_INDEX = PROJECT_ROOT / ".pytest-index"


@pytest.fixture(scope="session")
def corpus_settings() -> Settings:
    """Settings on the real corpus with the test index directory."""
    return Settings(corpus_dir=PROJECT_ROOT / "corpus", index_dir=TEST_INDEX)


@pytest.fixture(scope="session")
def corpus_index(corpus_settings: Settings) -> Settings:
    """The real corpus, ingested (once per session) into the test index."""
    from ingest.pipeline import ingest

    ingest(corpus_settings)
    return corpus_settings


@pytest.fixture(scope="session")
def assistant(corpus_index: Settings):
    from assistant.agent import Assistant

    return Assistant.from_settings(corpus_index, build_if_missing=False)


@pytest.fixture
def env_for(corpus_index: Settings) -> Iterator[dict[str, str]]:
    """Environment for a subprocess (CLI) that must use the test index."""
    env = dict(os.environ)
    env["ENGAGEMENT_INDEX_DIR"] = str(corpus_index.index_dir)
    env["ENGAGEMENT_CORPUS_DIR"] = str(corpus_index.corpus_dir)
    yield env


@pytest.fixture(scope="module")
def server(corpus_index: Settings, tmp_path_factory: pytest.TempPathFactory) -> RunningApp:
    """The web app on the test index, answering offline, for the browser tests of one module (a module
    that needs another app defines its own ``server``)."""
    from tests.ui_helpers import reading_app

    return reading_app(corpus_index, tmp_path_factory.mktemp("reading-app"))


@pytest.fixture
def page(server: RunningApp) -> Iterator[Page]:
    """A fresh browser page on ``server``, checked for console errors when the test ends."""
    from tests.ui_helpers import checked_page

    yield from checked_page(server.url)


def make_corpus(tmp: Path, files: dict[str, str | bytes]) -> Path:
    """A small corpus folder with the given files (text or bytes)."""
    corpus = tmp / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = corpus / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return corpus
