"""Personal medical questions are declined with a safety message, whatever the retrieval finds.

The patterns are data (``assistant/data/medical.toml``); this module only compiles and applies them.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from ingest.lexical import fold_accents

RULES_FILE = Path(__file__).parent / "data" / "medical.toml"


@lru_cache(maxsize=4)
def _pattern(path: Path = RULES_FILE) -> re.Pattern[str]:
    try:
        patterns = tomllib.loads(path.read_text(encoding="utf-8"))["patterns"]
        return re.compile("|".join(f"(?:{p})" for p in patterns))
    except (OSError, KeyError, ValueError, re.error) as exc:
        raise ValueError(f"règles médicales illisibles ({path.name}) : {exc}") from exc


def is_personal_medical(question: str, path: Path = RULES_FILE) -> bool:
    """Does the question ask for medical advice (a treatment, a drug, a dose, what a symptom means)?"""
    text = fold_accents(question.lower()).replace("’", "'")
    return _pattern(path).search(text) is not None
