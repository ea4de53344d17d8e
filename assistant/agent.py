"""The assistant: understand → route → retrieve → select evidence → answer with citations (or decline).

One readable loop in :meth:`Assistant.ask`; each step lives in its own module.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any, Protocol

import numpy as np

from assistant.answer import Answer
from assistant.citations import make_context
from assistant.compose import (
    CitationBook,
    ExtractiveGenerator,
    GenerationRequest,
    GenerationResult,
    premise_conflict,
    render_group,
)
from assistant.guard import assess
from assistant.prompts import load_phrases
from assistant.query import Lexicon, Query, SpellFixer, understand, words_of
from assistant.retrieval import Candidate, Evidence, HybridRetriever, TermStats
from ingest.embeddings import make_embeddings
from ingest.index import IndexMismatch, IndexReader, IndexUnavailable
from ingest.lexical import FrenchAnalyzer
from ingest.pipeline import ProgressFn, ingest
from ingest.settings import Settings

History = Sequence[str | dict[str, Any] | Answer]


class QueryEmbedder(Protocol):
    def query_array(self, text: str) -> np.ndarray: ...


class Generator(Protocol):
    """Writes the answer from the retrieved evidence (extractive by default, an LLM when configured).

    A generator may also define ``condense(question, history) -> str | None`` to turn a follow-up
    into a standalone question before retrieval (the LLM generator does)."""

    name: str

    def generate(self, request: GenerationRequest) -> GenerationResult: ...


def _history_questions(history: History | None) -> list[str]:
    out: list[str] = []
    for turn in history or []:
        if isinstance(turn, Answer):
            out.append(turn.question)
        elif isinstance(turn, dict):
            if turn.get("role") in (None, "user") and (q := turn.get("question") or turn.get("content")):
                out.append(str(q))
        elif isinstance(turn, str):
            out.append(turn)
    return out


class Assistant:
    """Answers questions from the live index. Thread-safe for concurrent ``ask`` calls."""

    def __init__(
        self,
        settings: Settings,
        reader: IndexReader,
        embedder: QueryEmbedder,
        generator: Generator | None = None,
    ) -> None:
        self.settings = settings
        self.reader = reader
        self.embedder = embedder
        self.phrases = load_phrases(settings.prompts_dir, "extractive")
        self.lexicon = Lexicon.load()
        self.analyzer = FrenchAnalyzer()
        self.stats = TermStats(reader, self.analyzer)
        self.retriever = HybridRetriever(reader, settings, self.stats)
        self.speller = SpellFixer(self._vocabulary())
        self.labels = self._labels()
        self.extractive = ExtractiveGenerator(
            reader, self.phrases, self.labels, settings.max_answer_sentences, settings.answer_margin
        )
        self.generator: Generator = generator or self.extractive
        self.fiche_list = reader.fiches()
        self.recommendations = self._recommendations()
        self._lock = threading.Lock()

    # --- construction ---------------------------------------------------------------------------------
    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        build_if_missing: bool = True,
        progress: ProgressFn | None = None,
    ) -> Assistant:
        """Open the live index (building it first when it is missing or was built with other settings)."""
        settings = settings or Settings()
        try:
            reader = IndexReader(settings)
        except IndexUnavailable as exc:
            if not build_if_missing:
                raise
            ingest(settings, rebuild=isinstance(exc, IndexMismatch), progress=progress)
            reader = IndexReader(settings)
        assistant = cls(settings, reader, make_embeddings(settings))
        if settings.llm_backend != "none":
            from assistant.llm import make_llm_generator  # optional dependency (extra "llm")

            assistant.generator = make_llm_generator(settings, assistant)
        return assistant

    def _vocabulary(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for chunk in self.reader.chunks:
            counts.update(words_of(chunk.embed_text))
        return counts

    def _labels(self) -> dict[str, str]:
        from ingest.manifest import load_manifest

        manifest = load_manifest(self.settings.corpus_dir)
        labels = {info.doc_id: info.label for info in manifest.by_file.values()}
        for doc in self.reader.manifest.documents:
            labels.setdefault(doc.doc_id, doc.title)
        return labels

    def _recommendations(self) -> dict[int, int]:
        """Recommendation number → first chunk (the URPS sheet's ``Recommandation n°N``)."""
        found: dict[int, int] = {}
        for i, chunk in enumerate(self.reader.chunks):
            if match := re.fullmatch(r"R(\d+)", chunk.section_number):
                found.setdefault(int(match.group(1)), i)
        return found

    # --- the loop -------------------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: History | None = None,
        role: str | None = None,
        filters: dict[str, Any] | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer ``question`` (with the previous questions of the conversation, and an optional role)."""
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[stage] = round((now - clock) * 1000, 3)
            clock = now

        past_questions = _history_questions(history)
        previous: Query | None = None
        for past in past_questions[-3:]:
            previous = self._understand(past, previous)
        query = self._understand(question, previous)
        if query.intent == "search" and not self.analyzer.terms(query.semantic_text):
            query.intent = "empty"  # nothing to search for: "quoi ?", "???"
        condense = getattr(self.generator, "condense", None)
        condensed = None
        if condense is not None and past_questions and query.followup:
            condensed = condense(query.text, past_questions)
            if condensed:
                query = self._understand(condensed, None)
        lap("understand")
        answer = Answer(question=question, text="", refused=False, backend=self.generator.name)
        answer.standalone_question = query.semantic_text or query.text
        if condensed:
            answer.details["condensed_question"] = condensed
        answer.notes = self._notes(query)
        if query.intent == "empty":
            answer.text, answer.refused, answer.route = self.phrases["empty_question"], True, "empty"
        elif query.intent == "list_fiches":
            self._list_fiches(answer)
        elif query.intent == "missing_fiche":
            self._missing_fiche(answer, query)
        elif query.intent in ("missing_recommendation", "list_recommendations"):
            self._recommendation_answer(answer, query)
        elif query.intent == "missing_section":
            answer.route, answer.refused = "nonexistent", True
            answer.text = self.phrases["section_missing"].format(ref=query.section_ref)
        elif query.intent == "fiche":
            self._fiche_answer(answer, query)
        else:
            self._search_answer(answer, query, role, filters, lap, past_questions, on_token)
        if answer.notes:
            answer.text = "\n".join(f"> {note}" for note in answer.notes) + "\n\n" + answer.text
        lap("compose")
        answer.timings = {**timings, "total": round(sum(timings.values()), 3)}
        return answer

    def _understand(self, text: str, previous: Query | None) -> Query:
        return understand(
            text,
            self.settings.max_question_chars,
            len(self.fiche_list),
            len(self.recommendations),
            self.lexicon,
            self.speller,
            previous,
            self._section_exists,
        )

    def _section_exists(self, ref: str) -> bool:
        """Does any document have a chapter/part numbered ``ref`` ("12", "IV")?"""
        for chunk in self.reader.chunks:
            number = re.sub(r"^P(\d+)-.*", r"\1", chunk.section_number)
            if number.split(".")[0] == ref or number == f"P{ref}":
                return True
        return False

    def _notes(self, query: Query) -> list[str]:
        notes = []
        if query.truncated:
            notes.append(self.phrases["note_truncated"].format(n=self.settings.max_question_chars))
        if query.had_markup:
            notes.append(self.phrases["note_markup"])
        if query.injection:
            notes.append(self.phrases["note_injection"])
        if query.language != "fr":
            notes.append(self.phrases["note_language"])
        return notes

    # --- search route ---------------------------------------------------------------------------------
    def search_passages(
        self, text: str, filters: dict[str, Any] | None = None, role: str | None = None
    ) -> list[Candidate]:
        """The best passages for a free-text query, understood like a question (the LLM agent's search tool)."""
        return self._retrieve(self._understand(text, None), filters, role)[1]

    def _retrieve(
        self,
        query: Query,
        where: dict[str, Any] | None,
        role: str | None,
        lap: Callable[[str], None] | None = None,
    ) -> tuple[np.ndarray, list[Candidate]]:
        """Embed the query and fuse BM25 and vector results: (query vector, ranked passages)."""
        vector = self.embedder.query_array(query.semantic_text or query.text)
        if lap is not None:
            lap("embed")
        candidates = self.retriever.search(
            query.search_text or query.text, vector, where or None, role, lexical=query.language == "fr"
        )
        if lap is not None:
            lap("retrieve")
        return vector, candidates

    def _search_answer(
        self,
        answer: Answer,
        query: Query,
        role: str | None,
        filters: dict[str, Any] | None,
        lap: Callable[[str], None],
        history: list[str],
        on_token: Callable[[str], None] | None,
    ) -> None:
        where = dict(filters or {})
        if query.fiche:
            where.setdefault("fiche", query.fiche)
        if query.recommendation:
            where.setdefault("section_number", f"R{query.recommendation}")
        query_vector, candidates = self._retrieve(query, where, role, lap)
        weights = self.stats.weights(query.search_text)
        evidence = self.retriever.evidence(candidates, query_vector, weights)
        assessment = assess(self.reader, self.stats, query, candidates, evidence, weights)
        confidence = assessment.confidence
        answer.confidence = confidence
        answer.details["assessment"] = asdict(assessment)
        answer.contexts = [
            make_context(self.reader, rank + 1, c.index, c.score, c.scores) for rank, c in enumerate(candidates)
        ]
        lap("evidence")
        if not evidence or confidence < self.settings.refusal_threshold:
            self._decline(answer, candidates, evidence)
            return
        parts_evidence = [evidence]
        if len(query.parts) > 1:
            parts_evidence = []
            for part in query.parts:
                part_text = f"{part} {query.search_text}"
                parts_evidence.append(self.retriever.evidence(candidates, query_vector, self.stats.weights(part_text)))
        premise = None
        if query.premise:
            premise_terms = set(self.analyzer.terms(query.premise))
            premise = premise_conflict(
                self.reader, query.premise, evidence, premise_terms, self.stats.sentence_terms, query.premise_explicit
            )
        request = GenerationRequest(
            question=query.text,
            parts=query.parts,
            evidence=parts_evidence,
            candidates=[c.index for c in candidates],
            premise_sentence=premise,
            premise_explicit=query.premise_explicit,
            role=role,
            history=history,
            on_token=on_token,
        )
        result = self.generator.generate(request)
        answer.text, answer.citations = result.text, result.citations
        answer.notes.extend(result.notes)
        answer.details.update(result.details)
        if result.details.get("llm", {}).get("status") == "fallback":  # the model's draft was not shown
            answer.backend = f"{self.extractive.name} (repli)"
        answer.details["false_premise"] = premise is not None
        if not answer.citations:
            self._decline(answer, candidates, evidence)

    def _decline(self, answer: Answer, candidates: list[Any], evidence: list[Evidence]) -> None:
        """ "The documents do not cover this", the closest fiches, and the nearest passage if it is close."""
        answer.refused, answer.route = True, "out_of_scope"
        lines = [self.phrases["refusal"], self.phrases["refusal_scope"]]
        fiches: list[dict[str, Any]] = []
        for cand in candidates:
            chunk = self.reader.chunks[cand.index]
            if chunk.fiche and all(f["number"] != chunk.fiche for f in fiches):
                fiches.append({"number": chunk.fiche, "title": chunk.fiche_title, "chunk_id": chunk.chunk_id})
        answer.suggestions = fiches[:3]
        if answer.suggestions:
            items = "\n".join(f"- Fiche ressource n° {f['number']} « {f['title']} »" for f in answer.suggestions)
            lines.append(f"{self.phrases['refusal_fiches']}\n{items}")
        answer.text = "\n\n".join(lines)
        answer.citations = []

    # --- structure routes -----------------------------------------------------------------------------
    def _fiche_chunks(self, number: int) -> list[int]:
        return self.reader.chunks_where(fiche=number)

    def _list_fiches(self, answer: Answer) -> None:
        answer.route = "list_fiches"
        book = CitationBook(self.reader, self.labels)
        lines = [self.phrases["fiches_intro"].format(count=len(self.fiche_list))]
        for fiche in self.fiche_list:
            chunks = self._fiche_chunks(int(fiche["number"]))
            if not chunks:
                continue
            n = book.cite(chunks[0], [])
            page = self.reader.chunks[chunks[0]].page
            where = f", p. {page}" if page else ""
            lines.append(f"- Fiche ressource n° {fiche['number']} – {fiche['title']}{where} [{n}]")
        answer.text = "\n".join(lines) + "\n\n" + book.sources_block(self.phrases["sources_heading"])
        answer.citations = book.citations()
        answer.contexts = self._contexts_of(answer)
        answer.confidence = 1.0

    def _contexts_of(self, answer: Answer) -> list[Any]:
        """The cited passages as the answer's contexts (structural answers: nothing was ranked)."""
        position = self.reader.position
        return [make_context(self.reader, c.n, position[c.chunk_id], 1.0, {}) for c in answer.citations]

    def _missing_fiche(self, answer: Answer, query: Query) -> None:
        answer.route, answer.refused = "nonexistent", True
        count = len(self.fiche_list)
        lines = [self.phrases["fiche_missing"].format(count=count, fiche=query.fiche)]
        lines += [f"- Fiche ressource n° {f['number']} – {f['title']}" for f in self.fiche_list]
        answer.text = "\n".join(lines)
        answer.suggestions = [{"number": f["number"], "title": f["title"]} for f in self.fiche_list]

    def _recommendation_answer(self, answer: Answer, query: Query) -> None:
        book = CitationBook(self.reader, self.labels)
        count = len(self.recommendations)
        if query.intent == "missing_recommendation":
            answer.route, answer.refused = "nonexistent", True
            head = self.phrases["recommendation_missing"].format(count=count, number=query.recommendation)
        else:
            answer.route = "list_recommendations"
            head = self.phrases["recommendation_list"].format(count=count)
        lines = [head]
        for number, chunk_index in sorted(self.recommendations.items()):
            chunk = self.reader.chunks[chunk_index]
            n = book.cite(chunk_index, [])
            lines.append(f"- Recommandation n°{number} : {chunk.section_title} [{n}]")
        answer.text = "\n".join(lines) + "\n\n" + book.sources_block(self.phrases["sources_heading"])
        answer.citations = book.citations()
        answer.contexts = self._contexts_of(answer)
        answer.confidence = 1.0

    def _fiche_answer(self, answer: Answer, query: Query) -> None:
        """A fiche named without a precise question: its title, its parts and its opening sentences."""
        assert query.fiche is not None
        answer.route = "fiche"
        chunks = self._fiche_chunks(query.fiche)
        book = CitationBook(self.reader, self.labels)
        first = self.reader.chunks[chunks[0]]
        doc = self.labels.get(first.doc_id, first.doc_title)
        lines = [self.phrases["fiche_intro"].format(fiche=query.fiche, fiche_title=first.fiche_title, doc=doc)]
        parts = list(
            dict.fromkeys(
                self.reader.chunks[i].section_title
                for i in chunks
                if self.reader.chunks[i].section_number.count(".") >= 2
            )
        )
        if parts:
            lines.append(self.phrases["fiche_parts"].format(parts=" ; ".join(parts)))
        sentences = self.reader.sentences_of.get(first.chunk_id, [])[:4]
        if sentences:
            lines.append(render_group(self.reader, sentences, book.cite(chunks[0], sentences)))
        answer.text = "\n\n".join(lines) + "\n\n" + book.sources_block(self.phrases["sources_heading"])
        answer.citations = book.citations()
        answer.contexts = [make_context(self.reader, r + 1, i, 1.0, {}) for r, i in enumerate(chunks[:10])]
        answer.confidence = 1.0
