"""The fixed French words the web app shows around answers and documents, read from data files.

The words an answer shares with the text renderer ("Sources", "Fiches ressources les plus proches :", the
label of a suggested fiche) come from ``prompts/extractive.toml``; the words proper to the web app (document
kinds in French, the flag of an unsupported sentence, Gradio's strings corrected) from
``assistant/web/wording.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.prompts import load_phrases
from ingest.settings import PROJECT_ROOT

WORDING_FILE = Path(__file__).with_name("wording.toml")


@dataclass(frozen=True)
class Wording:
    """Words of the web app; the defaults are only for hand-built tests, :func:`wording` reads the files."""

    sources_heading: str = "Sources"
    suggestions_heading: str = "Fiches ressources les plus proches :"
    suggestions_other: str = "Poser une question sur une fiche ressource :"
    suggestion: str = "Fiche ressource n° {number} « {title} »"
    unsupported: str = "non confirmé par le passage cité"
    followup: str = "Question recherchée : « {question} »"
    contents_one: str = "Sommaire (1 titre)"
    contents_many: str = "Sommaire ({count} titres)"
    kinds: dict[str, str] = field(default_factory=dict)
    determiners: frozenset[str] = frozenset()
    gradio_fr: dict[str, str] = field(default_factory=dict)  # Gradio's own French strings, corrected
    texts: dict[str, str] = field(default_factory=dict)  # labels and messages of the page ([ui])

    def ui(self, key: str) -> str:
        """A label or message of the page (``[ui]`` of wording.toml); the key itself when it is missing."""
        return self.texts.get(key, key)

    def kind(self, code: str) -> str:
        """A document kind in French ("advice sheet" → "fiche conseil"); unknown codes unchanged."""
        return self.kinds.get(code, code)

    def contents(self, count: int) -> str:
        """ "Sommaire (1 titre)", "Sommaire (12 titres)"."""
        return self.contents_one if count == 1 else self.contents_many.format(count=count)


@lru_cache(maxsize=4)
def wording(prompts_dir: Path = PROJECT_ROOT / "prompts") -> Wording:
    """The words of ``assistant/web/wording.toml`` and the shared headings of ``prompts/extractive.toml``."""
    data = tomllib.loads(WORDING_FILE.read_text(encoding="utf-8"))
    phrases = load_phrases(prompts_dir, "extractive")
    answer = {str(k): str(v) for k, v in data.get("answer", {}).items() if k != "suggestion"}
    return Wording(
        sources_heading=phrases["sources_heading"],
        suggestions_heading=phrases["refusal_fiches"],
        suggestion=phrases.get("suggestion_item", Wording.suggestion),
        kinds={str(k): str(v) for k, v in data.get("kinds", {}).items()},
        gradio_fr={str(k): str(v) for k, v in data.get("gradio_fr", {}).items()},
        texts={str(k): str(v) for k, v in data.get("ui", {}).items()},
        determiners=frozenset(str(w) for w in data.get("followup", {}).get("determiners", ())),
        **answer,
    )
