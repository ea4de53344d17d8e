"""The corpus as tools for a tool-calling LLM (on a read-only :class:`CorpusView`), and the loop that runs them.

Four tools: ``search_corpus(query, filters)``, ``get_fiche(n)``, ``list_fiches()``, ``list_documents()``.
Every passage a tool shows gets a number ``[n]`` that stays the same for the whole conversation, so the
model's final answer can cite what it has read, and the citations are checked like any other answer.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import StructuredTool

from assistant.answer import Role
from assistant.compose import CitationBook
from assistant.corpus import CorpusView
from assistant.llm.clients import StreamFn

FILTER_KEYS = ("fiche", "doc_id", "kind", "section_number")


class Passages:
    """Passages numbered in the order the model first sees them (number → chunk index)."""

    def __init__(self, corpus: CorpusView, heading: str) -> None:
        self.corpus = corpus
        self.heading = heading
        self.book = CitationBook(corpus.reader, corpus.labels, merge=False)  # the model reads passage by passage
        self.by_number: dict[int, int] = {}

    def number(self, chunk_index: int) -> int:
        n = self.book.cite(chunk_index, [])
        self.by_number[n] = chunk_index
        return n

    def show(self, chunk_index: int) -> str:
        """``Passage [n] — label`` then the passage's text, as the model reads it."""
        n = self.number(chunk_index)
        text = self.corpus.reader.chunks[chunk_index].text.strip()
        return self.heading.format(n=n, label=self.book.label(chunk_index)) + "\n" + text

    def context(self, chunk_indexes: list[int]) -> str:
        return "\n\n".join(self.show(i) for i in chunk_indexes)


class CorpusTools:
    """What the agent can do with the corpus; each method returns the text the model reads."""

    def __init__(
        self, corpus: CorpusView, passages: Passages, phrases: dict[str, str], role: Role | None, per_call: int
    ) -> None:
        self.corpus = corpus
        self.per_call = per_call  # passages shown at most by one call (Settings.llm_tool_passages)
        self.passages = passages
        self.phrases = phrases
        self.role = role
        self.calls: list[dict[str, Any]] = []  # what the model asked for, in order

    def search_corpus(self, query: str, filters: dict[str, Any] | None = None) -> str:
        """Cherche dans les documents de référence les passages qui répondent à `query`.
        `filters` (facultatif) restreint la recherche : {"fiche": 6} ou {"doc_id": "has-2023"}."""
        where: dict[str, Any] = {}
        notes: list[str] = []
        for key, value in (filters or {}).items():
            if key not in FILTER_KEYS or value in (None, ""):
                notes.append(self.phrases["tool_bad_filter"].format(key=key, allowed=", ".join(FILTER_KEYS)))
                continue
            where[key] = int(value) if key == "fiche" else str(value)
        found = self.corpus.search(query, where or None, self.role)[: self.per_call]
        body = self.passages.context([c.index for c in found]) if found else self.phrases["tool_no_result"]
        return "\n".join([*notes, body])

    def get_fiche(self, n: int) -> str:
        """Les passages de la fiche ressource n° `n` du guide HAS 2023 (dans l'ordre de la fiche)."""
        chunks = self.corpus.reader.chunks_where(fiche=int(n))
        if not chunks:
            count = len(self.corpus.fiches)
            return self.phrases["tool_fiche_missing"].format(n=n, count=count)
        return self.passages.context(chunks[: self.per_call])

    def list_fiches(self) -> str:
        """La liste des fiches ressources (numéro et titre), chacune avec le passage qui l'ouvre."""
        lines = []
        for fiche in self.corpus.fiches:
            chunks = self.corpus.reader.chunks_where(fiche=int(fiche["number"]))
            if chunks:
                n = self.passages.number(chunks[0])
                lines.append(self.phrases["tool_fiche_line"].format(n=n, number=fiche["number"], title=fiche["title"]))
        return "\n".join(lines)

    def list_documents(self) -> str:
        """La liste des documents de référence (titre, éditeur, nature, nombre de pages et de fiches)."""
        lines = []
        for doc in self.corpus.reader.manifest.documents:
            chunks = self.corpus.reader.chunks_where(doc_id=doc.doc_id)
            if not chunks:
                continue
            n = self.passages.number(chunks[0])
            about = [doc.publisher or doc.kind]
            if doc.pages:
                about.append(self.phrases["tool_document_pages"].format(count=doc.pages))
            if doc.fiches:
                about.append(self.phrases["tool_document_fiches"].format(count=len(doc.fiches)))
            line = self.phrases["tool_document_line"]
            lines.append(line.format(n=n, title=doc.title, about=", ".join(about), doc_id=doc.doc_id))
        return "\n".join(lines)

    @cached_property
    def as_langchain(self) -> dict[str, StructuredTool]:
        """The four methods as LangChain tools, by name (their docstrings are the descriptions the model reads)."""
        return {
            f.__name__: StructuredTool.from_function(func=f, name=f.__name__, description=(f.__doc__ or "").strip())
            for f in (self.search_corpus, self.get_fiche, self.list_fiches, self.list_documents)
        }

    def call(self, name: str, args: dict[str, Any]) -> str:
        """Run one tool call of the model; a wrong call gets an error message, not an exception."""
        self.calls.append({"name": name, "args": args})
        tool = self.as_langchain.get(name)
        if tool is None:
            return self.phrases["tool_unknown"].format(name=name)
        try:
            return str(tool.invoke(args))
        except Exception as exc:  # a bad argument: the model can try again
            return self.phrases["tool_invalid_call"].format(name=name, error=type(exc).__name__)


def run_tool_agent(
    model: BaseChatModel,
    tools: CorpusTools,
    system: str,
    question: str,
    stream: StreamFn,
    max_steps: int,
) -> str:
    """Let the model call tools until it answers (``max_steps`` turns that may call tools, then one last
    turn told to answer); return its answer.

    The loop: ask the model; if it requested tools, run them and give it their results; again."""
    bound = model.bind_tools(list(tools.as_langchain.values()))
    messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(question)]
    for _ in range(max_steps):
        reply = stream(bound, messages)
        if not reply.tool_calls:
            return reply.text
        messages.append(reply)
        for call in reply.tool_calls:
            result = tools.call(call["name"], call.get("args") or {})
            messages.append(ToolMessage(result, tool_call_id=call.get("id") or call["name"]))
    messages.append(HumanMessage(tools.phrases["agent_answer_now"]))
    reply = stream(bound, messages)
    return "" if reply.tool_calls else reply.text


def describe_calls(calls: list[dict[str, Any]]) -> list[str]:
    """``search_corpus({"query": "…"})``: the agent's steps, for the answer's details."""
    return [f"{c['name']}({json.dumps(c['args'], ensure_ascii=False)})" for c in calls]
