"""Ranking signals beyond the question's words: the corpus's own question table, the structure a question
names (MSP, centre de santé, CPTS), the document it names (« le mémoire »), who asks, and whether it asks for
resources (back matter).

Built once per index (:meth:`CorpusSignals.build`) and read per question (:meth:`CorpusSignals.prefer`);
the French patterns are ``assistant/data/signals.toml``, the weights are settings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.answer import Role
from assistant.lazy import LazySets
from assistant.rules import Lexicon
from ingest.index import IndexReader
from ingest.lexical import fold_text
from ingest.models import Chunk
from ingest.question_table import QuestionLink, find_question_tables, join_passages
from ingest.roles import RESOURCE_ROLES, PassageRole
from ingest.rules import pattern, read_rules, value
from ingest.settings import Settings

RULES_FILE = Path(__file__).parent / "data" / "signals.toml"


@dataclass(frozen=True)
class SignalRules:
    resources: re.Pattern[str]
    lists: re.Pattern[str]
    structures: tuple[tuple[str, re.Pattern[str]], ...]
    audience: tuple[tuple[Role, re.Pattern[str]], ...]
    participants: re.Pattern[str]  # who took part in writing a document: its list of participants may answer
    annexes: re.Pattern[str]  # what the study's annexes hold (an interview guide, an analysis grid): they may answer
    edition: re.Pattern[str]  # when a document was validated or published, its number: its cover may answer

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path = RULES_FILE) -> SignalRules:
        data = read_rules(path)
        names, roles = value(data, "structures", path), value(data, "audience", path)
        structures = tuple((name, pattern(data, f"structures.{name}", path)) for name in names)
        audience = tuple((Role(name), pattern(data, f"audience.{name}", path)) for name in roles)
        resources, lists = pattern(data, "resources", path), pattern(data, "lists", path)
        participants, annexes = pattern(data, "participants", path), pattern(data, "annexes", path)
        return cls(resources, lists, structures, audience, participants, annexes, pattern(data, "edition", path))

    def structures_in(self, text: str) -> frozenset[str]:
        folded = fold_text(text)
        return frozenset(name for name, p in self.structures if p.search(folded))


def _about(counts: Counter[str], share: float) -> frozenset[str]:
    """The one structure a document is about, when at least ``share`` of its mentions name it."""
    if not counts:
        return frozenset()
    name, n = counts.most_common(1)[0]
    return frozenset({name}) if n >= share * sum(counts.values()) else frozenset()


class DocumentStructures(LazySets):
    """The structures each passage is about: those it names, else the one its document is about.

    Read per question for the few passages it retrieves, so a document's passages are read the first
    time one of them is asked for, not when the index is opened. Two threads asking at once compute the
    same value."""

    def __init__(self, chunks: Sequence[Chunk], rules: SignalRules, share: float) -> None:
        super().__init__(len(chunks))
        self._chunks = chunks
        self._rules = rules
        self._share = share
        self._of_doc: dict[str, list[int]] = {}
        for i, chunk in enumerate(chunks):
            self._of_doc.setdefault(chunk.doc_id, []).append(i)

    def compute(self, index: int) -> frozenset[str]:
        return self._read_document(self._chunks[index].doc_id)[index]

    def _read_document(self, doc_id: str) -> dict[int, frozenset[str]]:
        indexes = self._of_doc[doc_id]
        mentions = [
            self._rules.structures_in(f"{self._chunks[i].section_path}\n{self._chunks[i].text}") for i in indexes
        ]
        counts: Counter[str] = Counter()
        for found in mentions:
            counts.update(found)
        # a document that speaks of one structure only (a CPTS sheet) is about it where a passage names none
        default = _about(counts, self._share)
        found_of = {i: found or default for i, found in zip(indexes, mentions, strict=True)}
        for i, about in found_of.items():
            self._items[i] = about
        return found_of


@dataclass(frozen=True)
class Preferences:
    """What one question prefers, beyond its words."""

    structures: frozenset[str] = frozenset()  # named by the question
    asks_resources: bool = False
    audience: Role | None = None  # the role selector, else what the asker says of themselves
    table_fiches: tuple[int, ...] = ()  # fiches the corpus's question table sends the question to
    table_question: str = ""
    asks_list: bool = False  # an enumeration: a sentence opening a list is preferred
    table_named: bool = False  # the question uses the row's own words (not only its meaning): said in the answer
    asks_start: bool = False  # where to start: the answer points at the question table as a whole
    documents: tuple[str, ...] = ()  # named by the question and speaking of its topic (Assistant._treating)
    asks_participants: bool = False  # who took part in writing a document (« Qui a rédigé le guide ? »)
    asks_annexes: bool = False  # what the study's annexes hold (« Quel guide d'entretien… ? »)
    asks_edition: bool = False  # when a document was validated or published, its number (« Quand l'avis… validé ? »)

    def opens(self, role: PassageRole) -> bool:
        """Whether a passage of ``role`` may answer: body text always; back matter when the question asks for what
        it holds (resources: tools, guides, sites, contacts; participants; an annex's interview guide; a cover's date
        and number), not otherwise (an annex's analysis grid is no training to find)."""
        return (
            role is PassageRole.BODY
            or (self.asks_resources and role in RESOURCE_ROLES)
            or (self.asks_participants and role is PassageRole.PARTICIPANTS)
            or (self.asks_annexes and role is PassageRole.ANNEX)
            or (self.asks_edition and role is PassageRole.TITLES)
        )


@dataclass
class CorpusSignals:
    """Per-passage facts the signals need, computed once per index."""

    rules: SignalRules
    roles: list[PassageRole]
    structures: Sequence[frozenset[str]]  # structures each passage is about
    links: list[QuestionLink] = field(default_factory=list)
    link_vectors: np.ndarray | None = None
    link_terms: list[dict[str, float]] = field(default_factory=list)
    documents: Sequence[str] = ()  # the document of each passage

    @classmethod
    def build(
        cls,
        reader: IndexReader,
        embed: Callable[[str], np.ndarray],
        weights: Callable[[str], dict[str, float]],
        settings: Settings,
        rules: SignalRules | None = None,
    ) -> CorpusSignals:
        rules = rules or SignalRules.load()
        structures = DocumentStructures(reader.chunks, rules, settings.structure_document_share)
        sections: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
        for chunk in reader.chunks:
            passage = (chunk.char_start, chunk.char_end, chunk.text)
            sections.setdefault((chunk.doc_id, chunk.section_number), []).append(passage)
        links = find_question_tables((doc, number, join_passages(texts)) for (doc, number), texts in sections.items())
        vectors = np.stack([embed(link.question) for link in links]) if links else None
        link_terms = [weights(link.question) for link in links]
        documents = [c.doc_id for c in reader.chunks]
        return cls(rules, [c.role for c in reader.chunks], structures, links, vectors, link_terms, documents)

    def prefer(
        self,
        question: str,
        query_vector: np.ndarray,
        question_terms: set[str],
        role: Role | None,
        settings: Settings,
        asked: str = "",
    ) -> Preferences:
        """The preferences of one question (its structures, resources, audience, question-table fiches). ``asked``:
        the question as asked, when ``question`` is its topic without the documents it names (« Qui a écrit le guide
        de la HAS ? »): who wrote a document, what its annexes hold, are read there."""
        folded = fold_text(question)
        as_asked = fold_text(asked) if asked else folded
        audience = role or next((r for r, p in self.rules.audience if p.search(folded)), None)
        fiches, matched, overlap, shared = self.table_match(query_vector, question_terms, settings)
        return Preferences(
            self.rules.structures_in(question),
            bool(self.rules.resources.search(folded)),
            audience,
            fiches,
            matched,
            bool(self.rules.lists.search(folded)),
            overlap >= settings.question_table_named_share and shared >= 2,
            Lexicon.load().asks_start(question),
            asks_participants=bool(self.rules.participants.search(as_asked)),
            asks_annexes=bool(self.rules.annexes.search(as_asked)),
            asks_edition=bool(self.rules.edition.search(as_asked)),
        )

    def table_match(
        self, query_vector: np.ndarray, question_terms: set[str], settings: Settings
    ) -> tuple[tuple[int, ...], str, float, int]:
        """The fiches and question of the question-table row closest to the question (e5 similarity plus the
        share of the row's words the question uses), when it is close enough, clearly the closest and names
        fiches; then that share and how many of the row's words the question uses."""
        if self.link_vectors is None or len(self.links) < 2:
            return (), "", 0.0, 0
        sims = self.link_vectors @ query_vector
        scored = []
        for link, sim, terms in zip(self.links, sims, self.link_terms, strict=True):
            total = sum(terms.values()) or 1.0
            overlap = sum(w for t, w in terms.items() if t in question_terms) / total
            scored.append((float(sim) + settings.question_table_lexical * overlap, overlap, terms, link))
        scored.sort(key=lambda item: -item[0])
        (best, overlap, terms, link), second = scored[0], scored[1][0]
        # a row the guide answers with no fiche (« Comment évaluer l'action ? ») sends the question nowhere
        if best >= settings.question_table_min and best - second >= settings.question_table_margin and link.fiches:
            return link.fiches, link.question, overlap, len(question_terms & terms.keys())
        return (), "", 0.0, 0

    def table_start(self, reader: IndexReader) -> int | None:
        """The first passage of the corpus's question table (« Par où commencer ? »), to cite it whole."""
        if not self.links:
            return None
        found = reader.chunks_where(doc_id=self.links[0].doc_id, section_number=self.links[0].section_number)
        return found[0] if found else None

    def table_passage(self, reader: IndexReader, row: str, question: str) -> int | None:
        """The passage of the question table that holds ``row`` (the first question of the row read as
        ``question``), to cite it."""
        link = next((link for link in self.links if link.question == question), None)
        if link is None:
            return None
        words = " ".join(row.split())
        for index in reader.chunks_where(doc_id=link.doc_id, section_number=link.section_number):
            if words in " ".join(reader.chunks[index].text.split()):
                return index
        return None

    def factor(self, index: int, fiche: int, prefs: Preferences, settings: Settings) -> tuple[float, float]:
        """(multiplier, addition) of a passage's fused score under the question's preferences."""
        multiplier = 1.0
        if not prefs.opens(self.roles[index]):
            multiplier *= 1.0 - settings.weight_back_matter
        if self.other_structure(index, prefs):
            multiplier *= 1.0 - settings.weight_structure
        addition = settings.weight_question_table if fiche and fiche in prefs.table_fiches else 0.0
        if self.other_document(index, prefs):  # « Que dit le mémoire… ? »: another document, table bonus included
            multiplier *= 1.0 - settings.weight_named_document
            addition *= 1.0 - settings.weight_named_document
        return multiplier, addition

    def other_document(self, index: int, prefs: Preferences) -> bool:
        """Whether a passage belongs to another document than the one(s) the question names (and speak of it)."""
        return bool(prefs.documents and self.documents and self.documents[index] not in prefs.documents)

    def other_structure(self, index: int, prefs: Preferences) -> bool:
        """Whether a passage is about another structure only than the one(s) the question names."""
        about = self.structures[index]
        return bool(prefs.structures and about and not about & prefs.structures)
