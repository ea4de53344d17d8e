"""Answers written by an LLM (Ollama or any OpenAI-compatible server), checked before they are shown.

The rooms:

- :mod:`~assistant.llm.clients`: the LangChain chat clients and one streamed turn, which must end
  properly (finish reason, ``done: true``) to count;
- :mod:`~assistant.llm.generator`: :class:`LLMGenerator`, the draft made into the answer's blocks, or the
  extractive answer with a notice;
- :mod:`~assistant.llm.draft`: reading the model's raw draft (sentences, markers, list items);
- :mod:`~assistant.llm.verify`: the support check (does the cited passage say it?);
- :mod:`~assistant.llm.tools`: the corpus as tools for a tool-calling model, and the agent loop;
- :mod:`~assistant.llm.condense`: follow-ups rewritten as standalone questions.

Everything here reads the corpus through a :class:`~assistant.corpus.CorpusView`; nothing imports the
assistant itself. The core reaches this package only through :data:`assistant.generators.BACKENDS`.
"""

from __future__ import annotations

from assistant.corpus import CorpusView
from assistant.generators import Generator
from assistant.llm.clients import make_chat_model
from assistant.llm.generator import LLMGenerator
from ingest.settings import Settings

__all__ = ["LLMGenerator", "make_chat_model", "make_generator"]


def make_generator(settings: Settings, corpus: CorpusView, fallback: Generator) -> LLMGenerator:
    """The LLM generator of ``settings.llm_backend`` (registered in :data:`assistant.generators.BACKENDS`);
    ``fallback`` (the extractive generator) answers whenever the model's answer cannot be shown."""
    return LLMGenerator(settings, corpus, fallback, make_chat_model(settings), settings.llm_tools)
