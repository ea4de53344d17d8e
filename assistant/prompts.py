"""Load prompt templates and fixed French phrasings from the ``prompts/`` folder, by name."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=32)
def load_phrases(prompts_dir: Path, name: str) -> dict[str, str]:
    """The ``key = "text"`` table of ``prompts/<name>.toml``."""
    return tomllib.loads((prompts_dir / f"{name}.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=32)
def load_prompt(prompts_dir: Path, name: str) -> str:
    """The text of ``prompts/<name>.md`` (LLM prompt templates)."""
    return (prompts_dir / f"{name}.md").read_text(encoding="utf-8")
