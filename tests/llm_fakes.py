"""Fakes for the LLM generator's fast tests: a chat model with queued replies and a tiny corpus view.

``QueuedChatModel`` (like simonw/llm's ``MockModel``) streams each queued :class:`Reply` word by word,
then ends it as a real server would (``finish_reason`` in the response metadata), or not at all (a
dropped stream), or with an error after a few words (a broken connection). ``tiny_corpus`` is a
:class:`~assistant.corpus.CorpusView` on a handful of passages (``PASSAGES``), with a bag-of-words
embedder; ``request_for`` asks about them; ``notice_of`` and ``model_sentences`` read a result's blocks.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from assistant.answer import Block, BlockKind, Span, SpanSource
from assistant.compose import GenerationRequest, GenerationResult
from assistant.corpus import CorpusView
from assistant.retrieval import Candidate, TermStats
from ingest.lexical import FrenchAnalyzer
from ingest.models import Chunk, Sentence


@dataclass
class Reply:
    """One model turn: its text or tool calls, and how its stream ends.

    ``end``: the finish reason sent last ("stop", "length"), or None for a stream that just stops;
    ``break_after``: raise a connection error after that many words instead of ending."""

    text: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # [{"name": …, "args": {…}}]
    end: str | None = "stop"
    break_after: int | None = None


class QueuedChatModel(BaseChatModel):
    """A chat model that streams its queued replies in order and records what it was sent."""

    replies: list[Reply]
    seen: list[list[BaseMessage]] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "queued-fake"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> QueuedChatModel:
        self.tools = [t.name for t in tools]
        return self

    def _stream(self, messages: list[BaseMessage], stop: Any = None, **kw: Any) -> Iterator[ChatGenerationChunk]:
        self.seen.append(list(messages))
        reply = self.replies.pop(0)
        for i, word in enumerate(re.findall(r"\S+\s*", reply.text)):
            if reply.break_after is not None and i >= reply.break_after:
                raise ConnectionResetError("connexion perdue")
            yield ChatGenerationChunk(message=AIMessageChunk(content=word))
        calls = [
            {"name": c["name"], "args": json.dumps(c["args"]), "id": f"call_{i}", "index": i}
            for i, c in enumerate(reply.tool_calls)
        ]
        if reply.end is not None:
            finish = "tool_calls" if calls else reply.end
            message = AIMessageChunk(content="", tool_call_chunks=calls, response_metadata={"finish_reason": finish})
            yield ChatGenerationChunk(message=message)

    def _generate(self, messages: list[BaseMessage], stop: Any = None, **kw: Any) -> ChatResult:
        chunks = [c.message for c in self._stream(messages)]
        full = chunks[0]
        for chunk in chunks[1:]:
            full = full + chunk
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=full.content))])


def bag_of_words(text: str, dim: int = 256) -> np.ndarray:
    """A normalised hashed bag of words: identical sentences score 1, unrelated ones about 0."""
    vector = np.zeros(dim, dtype=np.float32)
    for word in re.findall(r"\w{3,}", text.lower()):
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % dim] += 1.0
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


class WordEmbedder:
    def query_array(self, text: str) -> np.ndarray:
        return bag_of_words(text)


class TinyReader:
    """The parts of :class:`~ingest.index.IndexReader` a generator reads, on a few passages."""

    def __init__(self, passages: list[tuple[int, str, str]]) -> None:
        """``passages``: (fiche number or 0, section title, text)."""
        self.chunks = [_chunk(i, fiche, title, text) for i, (fiche, title, text) in enumerate(passages)]
        self.sentences: list[Sentence] = []
        self.sentences_of: dict[str, list[int]] = {}
        for chunk in self.chunks:
            for match in re.finditer(r"[^.!?]+[.!?]", chunk.text):
                self.sentences_of.setdefault(chunk.chunk_id, []).append(len(self.sentences))
                text = match.group(0).strip()
                start = chunk.text.index(text, match.start())
                self.sentences.append(Sentence(chunk.chunk_id, start, start + len(text), text))
        self.sentence_vectors = np.stack([bag_of_words(s.text) for s in self.sentences])
        self.position = {c.chunk_id: i for i, c in enumerate(self.chunks)}
        document = SimpleNamespace(
            doc_id="has-2023", title="Guide HAS 2023", publisher="HAS", kind="guide", pages=80, fiches=[1, 2], url=""
        )
        self.documents = {"has-2023": document}
        self.manifest = SimpleNamespace(documents=[document])

    def chunks_where(self, **where: Any) -> list[int]:
        return [i for i, c in enumerate(self.chunks) if all(getattr(c, k) == v for k, v in where.items())]

    def fiches(self) -> list[dict[str, Any]]:
        seen = dict.fromkeys((c.fiche, c.fiche_title) for c in self.chunks if c.fiche)
        return [{"number": n, "title": t} for n, t in seen]


def _chunk(i: int, fiche: int, title: str, text: str) -> Chunk:
    return Chunk(
        chunk_id=f"c{i}", doc_id="has-2023", file="has.pdf", doc_title="Guide HAS 2023", publisher="HAS", kind="guide",
        authority=1, section_path=title, section_number=f"6.{fiche}" if fiche else "3", section_title=title,
        fiche=fiche, fiche_title=title if fiche else "", page=10 + i, page_end=10 + i, page_source="pdf",
        char_start=0, char_end=len(text), text=text, embed_text=f"{title}\n{text}",
    )  # fmt: skip


def tiny_corpus(passages: list[tuple[int, str, str]]) -> CorpusView:
    """A corpus view on ``passages`` whose search returns the passages sharing a word with the query."""
    reader = TinyReader(passages)
    stats = TermStats(reader, FrenchAnalyzer())  # type: ignore[arg-type]

    def search(text: str, filters: dict[str, Any] | None = None, role: Any = None) -> list[Candidate]:
        terms = set(stats.analyzer.terms(text))
        hits = [i for i, t in enumerate(stats.chunk_terms) if terms & t]
        hits = [i for i in hits if not filters or all(getattr(reader.chunks[i], k) == v for k, v in filters.items())]
        return [Candidate(i, 1.0 / (rank + 1)) for rank, i in enumerate(hits)]

    labels = {"has-2023": "HAS 2023"}
    return CorpusView(reader, labels, reader.fiches(), {}, WordEmbedder(), stats, search)  # type: ignore[arg-type]


class FakeExtractive:
    """The extractive fallback: one quoted sentence of the first candidate, cited [1]."""

    name = "extractif"

    def __init__(self, corpus: CorpusView) -> None:
        self.corpus = corpus
        self.calls = 0

    def generate(self, request: GenerationRequest) -> GenerationResult:
        from assistant.compose import CitationBook

        self.calls += 1
        reader = self.corpus.reader
        chunk = request.candidates[0]
        sid = reader.sentences_of[reader.chunks[chunk].chunk_id][0]
        book = CitationBook(reader, self.corpus.labels)  # type: ignore[arg-type]
        n = book.cite(chunk, [sid])
        span = Span(reader.sentences[sid].text, (n,), SpanSource.CORPUS)
        return GenerationResult([Block(BlockKind.PARAGRAPH, (span,))], book.citations(), [], {"lead_chunk": chunk})

    def condense(self, question: str, history: list[str]) -> str | None:
        return None


# --- a tiny corpus, a question about it, and what a result shows ---------------------------------------
QUESTION = "les usagers sont-ils tenus au secret professionnel ?"
SECRET_SENTENCE = "Les représentants des usagers sont tenus au secret professionnel comme les membres de l'équipe."
CHARTER_SENTENCE = "Ils signent une charte de confidentialité avant leur première réunion."
RECRUIT_SENTENCE = "Le recrutement des usagers passe par les patients de la structure et les associations."
PASSAGES = [
    (6, "Secret professionnel", f"{SECRET_SENTENCE} {CHARTER_SENTENCE}"),
    (2, "Recruter des usagers", f"{RECRUIT_SENTENCE} Un appel à candidatures peut être affiché en salle d'attente."),
    (0, "Financement", "La structure peut indemniser les frais de déplacement des usagers partenaires."),
]


def request_for(question: str = QUESTION, tokens: list[str] | None = None) -> GenerationRequest:
    on_token = tokens.append if tokens is not None else None
    return GenerationRequest(question, [question], [[]], [0, 1, 2], on_token=on_token)


def notice_of(result: GenerationResult) -> str | None:
    first = result.blocks[0] if result.blocks else None
    return first.text if first is not None and first.kind is BlockKind.NOTICE else None


def model_sentences(result: GenerationResult) -> list[tuple[str, tuple[int, ...], bool | None]]:
    return [
        (span.text, span.markers, span.supported)
        for block in result.blocks
        for span in block.spans
        if span.source is SpanSource.MODEL
    ]
