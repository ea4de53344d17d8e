"""A read-only view of the live corpus for generators and the LLM's tools (never the ``Assistant`` itself).

It holds what a generator may read (passages, sentences, fiches, document labels, term statistics, the
query embedder, the fixed phrasings) and one way to search (the same retrieval the assistant uses).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ingest.index import IndexReader

if TYPE_CHECKING:
    from assistant.answer import Role
    from assistant.retrieval import Candidate, TermStats


class QueryEmbedder(Protocol):
    def query_array(self, text: str) -> np.ndarray: ...


SearchFn = Callable[[str, "dict[str, Any] | None", "Role | None"], "list[Candidate]"]


@dataclass(frozen=True)
class CorpusView:
    """What generators and tools may read of the corpus, and the assistant's search."""

    reader: IndexReader
    labels: dict[str, str]  # doc_id → short name used in citations
    fiches: list[dict[str, Any]]  # [{number, title}], in order
    phrases: dict[str, str]  # prompts/extractive.toml
    embedder: QueryEmbedder
    stats: TermStats
    search: SearchFn  # (free text, filters, role) → ranked passages
