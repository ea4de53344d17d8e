"""Generators write the answer's blocks from the retrieved evidence; backends are chosen by name.

The core knows the extractive generator only. Other backends are registered here by the dotted path of
their factory and imported when chosen, so the core never imports :mod:`assistant.llm` (nor its
optional dependencies).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ingest.settings import Settings

if TYPE_CHECKING:
    from assistant.compose import GenerationRequest, GenerationResult
    from assistant.corpus import CorpusView


class Generator(Protocol):
    """Writes the answer from the evidence (extractive by default, an LLM when configured)."""

    name: str

    def generate(self, request: GenerationRequest) -> GenerationResult: ...

    def condense(self, question: str, history: list[str]) -> str | None:
        """A follow-up rewritten as a standalone question, or None (no rewrite)."""
        ...


GeneratorFactory = Callable[["Settings", "CorpusView", Generator], Generator]

# backend name (Settings.llm_backend) → "module:function" of a factory(settings, corpus, fallback).
BACKENDS: dict[str, str] = {
    "ollama": "assistant.llm:make_generator",
    "openai": "assistant.llm:make_generator",
}


def make_generator(settings: Settings, corpus: CorpusView, extractive: Generator) -> Generator:
    """The generator of ``settings.llm_backend``: the extractive one for "none", else its registered factory."""
    if settings.llm_backend == "none":
        return extractive
    module, _, name = BACKENDS[settings.llm_backend].partition(":")
    factory: GeneratorFactory = getattr(importlib.import_module(module), name)
    return factory(settings, corpus, extractive)
