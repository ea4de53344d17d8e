"""The README says what the product does and how to configure it, and stays in sync with the code."""

from __future__ import annotations

import re

import pytest

from ingest.settings import PROJECT_ROOT, Settings
from scripts.settings_table import settings_table

pytestmark = pytest.mark.fast
README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_configuration_table_lists_every_setting() -> None:
    assert settings_table() in README, "run: python scripts/settings_table.py --write"
    for name in Settings.model_fields:
        assert f"ENGAGEMENT_{name.upper()}" in README


def test_exactly_two_setup_commands() -> None:
    setup = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"```bash\n(.+?)\n```", setup, flags=re.DOTALL)) == 2
    assert "bash scripts/test.sh" in setup
    assert "bash scripts/test.sh" in (PROJECT_ROOT / ".ci" / "run").read_text()  # CI runs the README's command


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGAGEMENT_TOP_K", "9")
    monkeypatch.setenv("ENGAGEMENT_CHROMA_MODE", "server")
    settings = Settings()
    assert settings.top_k == 9 and settings.chroma_mode == "server"
    monkeypatch.setenv("ENGAGEMENT_CHROMA_MODE", "cloud")
    with pytest.raises(ValueError, match="chroma_mode"):
        Settings()
