"""The offline answer: sentences of the corpus, chosen, ordered and cited; fixed phrasings from prompts/."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from rapidfuzz import fuzz

from assistant.answer import Block, BlockKind, Citation, Role, Span, SpanSource
from assistant.citations import follows, make_citation, section_display, source_label
from assistant.query import detect_language
from assistant.retrieval import Evidence, authority_bonus, opens_list
from assistant.rules import Lexicon, default_settings, stem_of
from ingest.chunking import lost_start
from ingest.cleaning import ARROWS, BULLET, CELL_SEPARATOR, alternative_question, footnote_label
from ingest.index import IndexReader
from ingest.lexical import fold_accents
from ingest.models import Chunk
from ingest.roles import RESOURCE_ROLES, PassageRole
from ingest.rules import pattern, read_rules, words
from ingest.sections import without_numbering
from ingest.settings import Settings
from ingest.structure import fiche_of

PREMISE_RULES = Path(__file__).parent / "data" / "premise.toml"
QUOTING_RULES = Path(__file__).parent / "data" / "quoting.toml"


@lru_cache(maxsize=4)
def premise_rules(path: Path = PREMISE_RULES) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(absolute assertion, negative or restrictive sentence) patterns of ``premise.toml``."""
    data = read_rules(path)
    return pattern(data, "absolute", path), pattern(data, "negation", path)


@lru_cache(maxsize=64)
def _opening(key: str, skip: str = r"\W*", path: Path = QUOTING_RULES) -> re.Pattern[str]:
    """What ``key`` of ``quoting.toml`` says a text opens with (after ``skip``), case-insensitive."""
    data = read_rules(path)
    return re.compile(rf"^{skip}(?:{pattern(data, key, path).pattern})", re.IGNORECASE)


class _AuthorRules(NamedTuple):
    kinds: frozenset[str]  # the documents' kinds whose author may speak of her own work (a study)
    speaks: re.Pattern[str]
    asked: re.Pattern[str]  # a question about the study itself
    apparatus: re.Pattern[str]  # the titles of the sections where the study describes itself
    interviewee: re.Pattern[str]  # the tag after the words of a person the study interviewed


@lru_cache(maxsize=1)
def _author_rules() -> _AuthorRules:
    data = read_rules(QUOTING_RULES)
    return _AuthorRules(
        frozenset(words(data, "author_kinds", QUOTING_RULES)),
        pattern(data, "author_speaks", QUOTING_RULES),
        pattern(data, "study_asked", QUOTING_RULES),
        pattern(data, "study_apparatus", QUOTING_RULES),
        pattern(data, "interviewee_tag", QUOTING_RULES),
    )


# a quotation, to its end or the sentence's, or the tail of one opened before (« … qu'on le fasse.” (Mme C). »)
_QUOTED = re.compile(r"^\s*”[^”]*(?:”|$)|^[^«“»”]*[»”]|«[^»]*(?:»|$)|“[^”]*(?:”|$)|\"[^\"]*(?:\"|$)")


def author_speaks(text: str, kind: str) -> bool:
    """Does the author of a document of ``kind`` (a study: ``author_kinds``) speak of her own work in ``text``,
    outside what it quotes (``author_speaks``)?"""
    rules = _author_rules()
    return kind in rules.kinds and bool(rules.speaks.search(_QUOTED.sub(" ", text)))


@lru_cache(maxsize=1024)
def study_apparatus(section_path: str, kind: str) -> bool:
    """Is a passage of a document of ``kind`` (a study) in a section where the study describes itself (its method,
    the people it met, the internship it came from: ``study_apparatus``), by one of the titles of its path? Read for
    every sentence of the evidence, a section path once."""
    rules = _author_rules()
    if kind not in rules.kinds:
        return False
    titles = (fold_accents(without_numbering(title)).lower().strip() for title in section_path.split(" > "))
    return any(rules.apparatus.search(title) for title in titles)


def interviewee_speaks(reader: IndexReader, sid: int) -> bool:
    """Does a sentence of a study (``author_kinds``) give the words of a person it interviewed: the last sentence of
    the quotation of several sentences it belongs to (:func:`_quotation_around`) carries the tag the study writes
    after such words (``interviewee_tag``: « “La place du patient, elle est moindre…” (M. E) »), or the sentence opens
    such a quotation (or lies inside one) and carries it? A law or an author the study quotes is not one of its
    interviewees, nor is the study's own sentence that borrows a few of their words (« … comme des “défenseurs des
    usagers” (M.E) »)."""
    rules = _author_rules()
    if reader.chunks[reader.position[reader.sentences[sid].chunk_id]].kind not in rules.kinds:
        return False
    quoted = _quotation_around(reader, sid)
    text = reader.sentences[quoted[-1]].text
    if len(quoted) == 1 and not (text.lstrip().startswith(_OPENING_QUOTES) or _within_quotation(reader, sid)):
        return False
    return bool(rules.interviewee.search(text))


_OPENING_QUOTES = ("«", "“", "”", '"')  # the study sometimes opens a quotation with « ” »


def study_asked(question: str) -> bool:
    """Does the question ask about the study itself (``study_asked``: « le mémoire », « le stage »…), accents aside?"""
    return bool(_author_rules().asked.search(fold_accents(question)))


@lru_cache(maxsize=1)
def refers_back() -> re.Pattern[str]:
    """The opening words of a sentence that points back at the one before it (``refers_back``), after any clause it
    opens on (``opening_clause``)."""
    clause = pattern(read_rules(QUOTING_RULES), "opening_clause", QUOTING_RULES).pattern
    return _opening("refers_back", rf"\W*(?:{clause})?")


@dataclass
class Selection:
    """The sentences chosen for one part of the question."""

    part: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Composition:
    text: str
    citations: list[Citation]
    lead_chunk: int | None


def choose_sentences(
    reader: IndexReader,
    evidence: list[Evidence],
    quota: int,
    margin: float,
    floor: float,
    taken: list[str] | None = None,
    headers: frozenset[int] = frozenset(),
    settings: Settings | None = None,
) -> list[Evidence]:
    """The best sentences, close to the best score, without repeats (across parts too) nor the header rows of
    tables (``headers``, :func:`header_rows`). When sentences within reach share the question's words, one that shares
    none is left out (:func:`_worded`) and takes its place all the same: the answer grows shorter, it does not reach
    further down for another passage's sentences."""
    settings = settings or default_settings()
    chosen: list[Evidence] = []
    texts = list(taken or [])
    if not evidence:
        return chosen

    def quotable(ev: Evidence) -> bool:
        return ev.sentence not in headers and _may_quote(reader, ev, settings)

    best = evidence[0].score
    worded = {e.sentence for e in evidence if e.worded}
    wording = any(e.worded for e in evidence if e.score >= best - margin)
    passed = 0  # sentences left out for sharing no word of the question
    for ev in evidence:
        if len(chosen) + passed >= quota or ev.score < best - margin:
            break
        text = reader.sentences[ev.sentence].text
        if ev.similarity < floor or not quotable(ev):
            continue
        if wording and not _worded(reader, ev.sentence, worded, settings):
            passed += 1
            continue
        if any(_same_statement(text, t, settings) for t in texts):
            continue
        chosen.append(ev)
        texts.append(text)
    # The best-ranked passage always speaks: its best sentence is quoted even when another
    # passage's sentences scored higher one by one.
    if chosen and all(e.chunk_rank > 0 for e in chosen):
        lead = next((e for e in evidence if e.chunk_rank == 0 and quotable(e)), None)
        if lead is not None and not any(
            _same_statement(reader.sentences[lead.sentence].text, t, settings) for t in texts
        ):
            chosen = [lead, *chosen][:quota]
    return chosen


def _worded(reader: IndexReader, sid: int, worded: Collection[int], settings: Settings) -> bool:
    """Whether a sentence may be quoted beside sentences that share the question's words: it shares them too (itself,
    its section's title or its table row: ``worded``), it goes on from one that does (« Il prévoit… » after « L'ACI
    est… »), or it opens or is an item of a list, which the list's own rules quote. « Le présent document peut servir
    de base de discussion. » is not quoted for a question on travel costs only because its passage ranks first."""
    if sid in worded or _list_item(reader, sid, settings) or _opens_items(reader, sid, settings):
        return True
    previous = _previous(reader, sid)
    return previous is not None and previous in worded


def header_rows(reader: IndexReader) -> frozenset[int]:
    """The sentences that are a table's header row (found at ingestion, or a row of cells its document repeats
    word for word at another place, over a page break: « Questions à se poser étape par étape — Fiches ressources
    de ce guide — … »); it names columns, it says nothing."""
    places: dict[tuple[str, str], set[int]] = {}
    rows: dict[int, tuple[str, str]] = {}
    flagged: set[int] = set()
    for i, sentence in enumerate(reader.sentences):
        text = sentence.text.strip()
        if sentence.header:
            flagged.add(i)
        if CELL_SEPARATOR not in text:
            continue
        chunk = reader.chunks[reader.position[sentence.chunk_id]]
        rows[i] = (chunk.doc_id, text)
        places.setdefault(rows[i], set()).add(chunk.char_start + sentence.start)
    return frozenset(flagged | {i for i, row in rows.items() if len(places[row]) > 1})


_WORDS = re.compile(r"[^\W_]+")


def truncated_copies(reader: IndexReader, min_words: int) -> frozenset[int]:
    """The sentences another document writes whole: from their second word on (``min_words`` words at least) they
    are a run of a sentence of another document that says more before it, and their first word is another form of
    the word that run follows there. The slides' « Initie un ensemble de dispositions pour instaurer la
    participation… » lost the subject the URPS sheet gives (« La loi du 4 mars 2002… a initié un ensemble… »): quoted,
    it reads as said of the sentence before it. A copy with words added in front (the slides' copies of the fiche
    mission) is not one: the shorter one's first word is the same word there; nor an imperative (« Favorisez la
    participation… » beside « … de favoriser la participation… »), a whole sentence addressed to the reader."""
    written = [_WORDS.findall(s.text.lower()) for s in reader.sentences]
    folded = [tuple(fold_accents(w) for w in ws) for ws in written]
    doc = [reader.chunks[reader.position[s.chunk_id]].doc_id for s in reader.sentences]
    starts: dict[tuple[str, ...], list[tuple[int, int]]] = {}  # a run of min_words words → (sentence, place)
    for i, ws in enumerate(folded):
        for k in range(2, len(ws) - min_words + 1):  # the run follows a word, itself after others
            starts.setdefault(ws[k : k + min_words], []).append((i, k))
    found: set[int] = set()
    for i, ws in enumerate(folded):
        rest = ws[1:]
        if len(rest) < min_words or _opening("imperative", "").match(ws[0]):
            continue
        for j, k in starts.get(rest[:min_words], []):
            other = folded[j]
            if (
                doc[j] != doc[i]
                and other[k : k + len(rest)] == rest
                and written[j][k - 1] != written[i][0]
                and stem_of(other[k - 1]) == stem_of(ws[0])
            ):
                found.add(i)
    return frozenset(found)


def _may_quote(reader: IndexReader, ev: Evidence, settings: Settings) -> bool:
    """A sentence that says something: quotable, neither a title of its passage nor a title standing alone, nor the
    latter of works cited by their numbers, which no sentence names (« Cette dernière publication… »)."""
    text = reader.sentences[ev.sentence].text
    if not _quotable(text, settings.quote_min_chars) or _heading(reader.chunks[ev.chunk], text, settings):
        return False
    if (
        _opening("last_reference").match(text)
        and _work_named_before(reader, ev.sentence, settings, key="last_reference") is None
    ):
        return False
    return not _standalone_title(reader, ev.sentence, settings)


@lru_cache(maxsize=65536)
def _quotable(text: str, min_chars: int) -> bool:
    """Long enough (``min_chars``: setting ``quote_min_chars``) or a list's introduction, and in French, not web
    addresses alone (a footnote's), nor a footnote that states nothing (« Note 28 : Le service sanitaire… (articles
    D. 4071-1 à D. 4071-7) », a title of a text without end mark, « Note 32 : https://… ») nor a figure's or table's
    caption (« Figure 1 - Cadre théorique… », ``caption`` in ``quoting.toml``), nor a list of search terms
    (« Démocratie sanitaire; droits des patients; … », ``keyword_list``): a sentence that may be quoted."""
    note = footnote_label().match(text)
    if note and not _PUNCTUATED.search(text[note.end() :]):
        return False
    if _opening("caption").match(text) or _opening("keyword_list").match(text):  # a caption, search terms
        return False
    words = footnote_label().sub(" ", _URLS.sub(" ", text)).strip()
    return (len(words) >= min_chars or words.endswith(":")) and detect_language(words) == "fr"


_URLS = re.compile(r"<?(?:https?://|www\.)\S+")


def _heading(chunk: Chunk, text: str, settings: Settings) -> bool:
    """A title, not a statement: written in capitals ("L1434-12 À L1434-13 DU CODE DE LA SANTÉ PUBLIQUE":
    ``quote_capitals_min_letters``, ``quote_capitals_share``), or the title of the passage's own section or fiche,
    quoted alone as if it answered."""
    capitals = (settings.quote_capitals_min_letters, settings.quote_capitals_share)
    return _is_heading(text, chunk.section_path, chunk.section_title, chunk.fiche_title, capitals)


@lru_cache(maxsize=65536)
def _is_heading(
    text: str, section_path: str, section_title: str, fiche_title: str, capitals: tuple[int, float]
) -> bool:
    """:func:`_heading` on the passage's titles; kept per sentence: the next questions quote the same ones.
    ``capitals``: the letters at least of a text in capitals, and the share of them in capitals."""
    letters = [c for c in text if c.isalpha()]
    min_letters, share = capitals
    if len(letters) >= min_letters and sum(c.isupper() for c in letters) >= share * len(letters):
        return True
    said = _title_key(text)
    titles = [*section_path.split(" > "), section_title, fiche_title]
    return any(said == _title_key(t) for t in titles if t)


@lru_cache(maxsize=65536)
def _title_key(text: str) -> str:
    return re.sub(r"\W+", " ", without_numbering(text)).strip().lower()


def _same_statement(a: str, b: str, settings: Settings) -> bool:
    """Two sentences saying the same thing (the corpus repeats itself across its documents): alike above one of the
    fuzzy thresholds ``quote_same_statement_*``."""
    return _alike(
        a,
        b,
        settings.quote_same_statement_ratio,
        settings.quote_same_statement_token_set,
        settings.quote_same_statement_partial,
        settings.quote_same_statement_partial_min_chars,
    )


@lru_cache(maxsize=65536)
def _alike(a: str, b: str, ratio: float, token_set: float, partial: float, partial_min_chars: int) -> bool:
    """:func:`_same_statement` by its thresholds (a partial match only when both are longer than
    ``partial_min_chars``); kept per pair: the next questions compare the same retrieved sentences again."""
    if fuzz.ratio(a, b) > ratio or fuzz.token_set_ratio(a, b) > token_set:
        return True
    return min(len(a), len(b)) > partial_min_chars and fuzz.partial_ratio(a, b) > partial


def _says_again(text: str, said: str, settings: Settings) -> bool:
    """Whether ``text`` says nothing more than ``said``, quoted above: the same statement (:func:`_same_statement`),
    not a longer sentence that only holds it (« Une stratégie publique… autant que la reconnaissance sociale de
    l'engagement des usagers… » holds the item « la reconnaissance sociale de l'engagement des usagers. »): a longer
    one only by its ``quote_same_statement_ratio``."""
    if not _same_statement(text, said, settings):
        return False
    return len(text) <= len(said) or fuzz.ratio(text, said) > settings.quote_same_statement_ratio


def checks_premise(premise: str, explicit: bool) -> bool:
    """Whether what the question takes for granted is checked: an explicit premise (« puisque … », « comme … »)
    always, an assertion inside the question when it is absolute (« obligatoire », « impose », « seuls »…)."""
    return bool(premise) and (explicit or bool(premise_rules()[0].search(premise)))


def premise_conflict(
    reader: IndexReader,
    premise: str,
    evidence: list[Evidence],
    premise_terms: set[str],
    sentence_terms: list[frozenset[str]],
    settings: Settings,
    explicit: bool = False,
) -> int | None:
    """A retrieved sentence that contradicts what the question takes for granted, if there is one.

    An explicit premise ("puisque …", "comme …") is always checked; an assertion inside the question
    only when it is absolute ("obligatoire", "impose", "seuls"…). The sentence must be negative or
    restrictive and share the premise's key terms."""
    absolute, negation = premise_rules()
    if not checks_premise(premise, explicit):
        return None
    needed = settings.premise_overlap_absolute if absolute.search(premise) else settings.premise_overlap
    for ev in evidence[: settings.premise_window]:
        if not negation.search(reader.sentences[ev.sentence].text):
            continue
        overlap = len(premise_terms & sentence_terms[ev.sentence])
        if overlap >= needed or (overlap >= needed - 1 and ev.similarity > settings.premise_similarity):
            return ev.sentence
    return None


def _followers(reader: IndexReader, siblings: list[int], pos: int, settings: Settings) -> list[int]:
    """The sentences after ``siblings[pos]`` in reading order: the rest of its passage, then (a list may
    run past the end of a passage) the next passage of the same section, without the overlap they share, and
    without a page's number the text kept between two lines (« - Maintenir à domicile… » / « 18 » / « - Faciliter
    l'accès… »): a list goes on past it."""
    after = siblings[pos + 1 :]
    if len(after) < settings.quote_list_items:
        here = reader.position[reader.sentences[siblings[pos]].chunk_id]
        after = after + _beside(reader, siblings, here, here + 1)
    return [s for s in after if not _PAGE_NUMBER.fullmatch(reader.sentences[s].text.strip())]


_PAGE_NUMBER = re.compile(r"\d{1,3}")


def introduces(reader: IndexReader, sid: int, settings: Settings | None = None) -> bool:
    """Whether a sentence introduces a list: it ends with ":" (« les deux orientations suivantes : », an item of a
    nested list too: « - Les facteurs … sont : »), or it announces the items that come next (:func:`_announces`)."""
    settings = settings or default_settings()
    return reader.sentences[sid].text.rstrip().endswith(":") or _announces(reader, sid, settings)


def _announces(reader: IndexReader, sid: int, settings: Settings) -> bool:
    """Whether a sentence that is no list item and does not end with ":" announces what follows it
    (``announces_list``: « Voici quelques éléments qui en pratique peuvent être inclus dans une charte… ») and an item
    comes next; « La présentation de ce continuum… ci-dessous permet… » announces a figure."""
    text = reader.sentences[sid].text
    if BULLET.match(text) or text.rstrip().endswith(":") or not _anywhere("announces_list").search(text):
        return False
    return _item_next(reader, sid, settings)


def _opens_items(reader: IndexReader, sid: int, settings: Settings) -> bool:
    """Whether the items of a list follow a sentence that introduces it: after a colon, in its passage
    (:func:`~assistant.retrieval.opens_list`), or after an announcement (:func:`_announces`)."""
    return opens_list(reader, sid) or _announces(reader, sid, settings)


def _item_next(reader: IndexReader, sid: int, settings: Settings) -> bool:
    """Whether a list item comes right after a sentence, in its passage or the next one of its section."""
    siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
    after = _followers(reader, siblings, siblings.index(sid), settings)
    return bool(after) and bool(BULLET.match(reader.sentences[after[0]].text))


@lru_cache(maxsize=4)
def _anywhere(key: str, path: Path = QUOTING_RULES) -> re.Pattern[str]:
    """What ``key`` of ``quoting.toml`` says a text holds, anywhere in it, case-insensitive."""
    return pattern(read_rules(path), key, path)


def _beside(reader: IndexReader, siblings: list[int], here: int, other: int) -> list[int]:
    """The sentences of passage ``other``, just before or after passage ``here`` (whose sentences ``siblings``
    holds), when it is of the same section; without the sentences the two share (passages overlap)."""
    if not 0 <= other < len(reader.chunks) or not _same_section(reader.chunks[other], reader.chunks[here]):
        return []
    seen = {reader.sentences[s].text for s in siblings}
    mine, theirs = reader.chunks[here], reader.chunks[other]
    # read back into a passage that overlaps this one's start: a sentence of the shared text is this passage's own,
    # though that passage may cut it short at its end (« … de leur santé. » for « … de leur santé. » Le comité… »);
    # read on, the longer sentence of the next passage is the one that goes on
    behind = theirs.char_start < mine.char_start < theirs.char_end

    def shared(sid: int) -> bool:
        start = theirs.char_start + reader.sentences[sid].start
        return reader.sentences[sid].text in seen or (behind and start >= mine.char_start)

    return [s for s in reader.sentences_of.get(theirs.chunk_id, []) if not shared(s)]


def _between(reader: IndexReader, first: int, second: int) -> str | None:
    """The text between two sentences of one passage, the first before the second; None for any other two."""
    a, b = reader.sentences[first], reader.sentences[second]
    if a.chunk_id != b.chunk_id or b.start < a.end:
        return None
    return reader.chunks[reader.position[a.chunk_id]].text[a.end : b.start]


def _same_line(reader: IndexReader, first: int, second: int) -> bool:
    """Whether two sentences of one passage are on one line (no line break between them)."""
    gap = _between(reader, first, second)
    return gap is not None and "\n" not in gap


def _entry_goes_on(reader: IndexReader, first: int, second: int) -> bool:
    """Whether ``second`` opens the line right after the line of a list's item that ``first`` ends, in a list of
    resources or references, with no blank line between them: the entry's credit, description or address (« - Rien
    que pour nous, sans nous : 40 ans de mobilisation communautaire contre le sida [ouvrage] », then « Hélène Rossert,
    Coalition PLUS, 2022. »), part of the item, not a paragraph after it."""
    chunk = reader.chunks[reader.position[reader.sentences[first].chunk_id]]
    gap = _between(reader, first, second)
    return (
        chunk.role in RESOURCE_ROLES
        and gap is not None
        and gap.count("\n") == 1
        and not gap.strip()
        and bool(BULLET.match(reader.sentences[_line_start(reader, first)].text))
        and not BULLET.match(reader.sentences[second].text)
    )


def _leaders(reader: IndexReader, siblings: list[int], pos: int, settings: Settings) -> list[int]:
    """The sentences before ``siblings[pos]`` in reading order: the start of its passage, preceded (a list
    may start in the passages before) by the previous passages of the same section while all it has read are
    items of a list or sentences an item runs on with (``quote_list_passages`` at most), without their overlap."""
    before = siblings[:pos]
    here, seen = reader.position[reader.sentences[siblings[pos]].chunk_id], siblings
    for _ in range(settings.quote_list_passages):
        if any(not BULLET.match(reader.sentences[s].text) and not _item_run(reader, s, settings) for s in before):
            break
        earlier = _beside(reader, seen, here, here - 1)
        if not earlier:
            break
        before, here = earlier + before, here - 1
        seen = reader.sentences_of[reader.chunks[here].chunk_id]
    return before


def _introduction(reader: IndexReader, leaders: list[int], settings: Settings) -> int | None:
    """The sentence that introduces the list an item belongs to (:func:`introduces`; an item of a nested list may
    itself be introduced by an item: "- Les facteurs … sont :"), walking back over the list's items and the
    sentences an item runs on with (« - les manques de financement sont patents… », « Les acteurs témoignent… »)."""
    for sid in reversed(leaders):
        if introduces(reader, sid, settings):
            return sid
        # « → Du côté des usagers » titles its list
        if not _list_item(reader, sid, settings) and not _item_run(reader, sid, settings):
            return None
    return None


def list_title(reader: IndexReader, sid: int, settings: Settings | None = None) -> str:
    """The title that introduces the list item ``sid`` belongs to, when no sentence does: a title standing alone
    just before the list (« → Du côté des professionnels », then « - Ils peuvent être issus de l'équipe… »), or
    the title of the section whose text opens on the list (« Quels contenus ? », then « - La démocratie en
    santé… »). "" otherwise."""
    settings = settings or default_settings()
    sentence = reader.sentences[sid]
    siblings = reader.sentences_of[sentence.chunk_id]
    here = reader.position[sentence.chunk_id]
    earlier = _beside(reader, siblings, here, here - 1)  # the passage before, in the same section
    # the list's first item, in this passage or, for an item, the one before (a list a passage boundary cuts)
    leaders = (earlier if _list_item(reader, sid, settings) else []) + siblings[: siblings.index(sid)]
    first = (_own_items(reader, leaders, sid, settings) or [sid])[0]
    if BULLET.match(reader.sentences[first].text) and (title := titled_by(reader, first, settings)):
        return title
    if not _all_items(reader, siblings[: siblings.index(sid) + 1]):
        return ""
    if here > 0 and _same_section(reader.chunks[here - 1], reader.chunks[here]):
        # the list may start in the passage before, when that passage opens the section
        if not _all_items(reader, earlier):
            return ""
        if here > 1 and _same_section(reader.chunks[here - 2], reader.chunks[here]):
            return ""
    return reader.chunks[here].section_title


def _own_items(reader: IndexReader, leaders: list[int], sid: int, settings: Settings) -> list[int]:
    """The end of ``leaders`` (the sentences before item ``sid``) that belongs to its list: its earlier items and the
    sentences they run on with, back to its title (« → Du côté des usagers »), not the list before that title."""
    start, first = len(leaders), sid
    while start > 0 and (
        _list_item(reader, leaders[start - 1], settings)
        or _same_line(reader, leaders[start - 1], first)
        # an item's later sentence, on its line
        or _list_item(reader, _line_start(reader, leaders[start - 1]), settings)
    ):
        start -= 1
        first = leaders[start]
    return leaders[start:]


def _list_item(reader: IndexReader, sid: int, settings: Settings) -> bool:
    """Whether a sentence is an item of a list: bulleted, not a title marked with an arrow (:func:`_arrow_title`)."""
    return bool(BULLET.match(reader.sentences[sid].text)) and not _arrow_title(reader, sid, settings)


def _all_items(reader: IndexReader, sentence_ids: list[int]) -> bool:
    """Whether sentences in reading order are all items of a list, or sentences an item runs on with."""
    return all(
        BULLET.match(reader.sentences[s].text) or (n and _same_line(reader, sentence_ids[n - 1], s))
        for n, s in enumerate(sentence_ids)
    )


def expand_lists(
    reader: IndexReader,
    sentence_ids: list[int],
    asked: Callable[[str], bool] = lambda title: False,
    settings: Settings | None = None,
) -> list[int]:
    """Complete a chosen sentence that introduces a list (:func:`introduces`) with the items that follow it (across a
    passage boundary if need be), and give a chosen list item the sentence that introduces it and the rest of its list
    (``quote_list_items`` at most): « les deux orientations suivantes : » is never followed by one of the two. A list
    that its section's title introduces (:func:`list_title`) is given whole only when that title is what the question
    asks about (``asked``, « Quels contenus ? » for « Quels contenus doit comporter une formation… ? »): one item
    sharing a word with the question does not make the list the answer."""
    settings = settings or default_settings()
    out: list[int] = []
    chosen = set(sentence_ids)
    for sid in sentence_ids:
        sentence = reader.sentences[sid]
        siblings = reader.sentences_of[sentence.chunk_id]
        pos = siblings.index(sid)
        introduced = 0  # items of the list quoted before this one, when its introduction is brought in
        limit = settings.quote_list_items
        if BULLET.match(sentence.text):
            leads, introduced, limit = _list_before(reader, siblings, pos, chosen, asked, settings)
            out.extend(leads)
        if introduced:
            items, _ = _items_after(reader, siblings, pos, chosen, limit - introduced, settings, inside=True)
            out.extend([sid, *items])
            continue
        if not introduces(reader, sid, settings):
            # the item it goes on with, and that item's list before it
            head = _item_head(reader, sid, chosen, settings)
            if head:
                leads, _, _ = _list_before(reader, siblings, siblings.index(head[0]), chosen, asked, settings)
                out.extend(leads)
            chosen.update(head)
            out.extend([*head, sid])
            continue
        items, has_list = _items_after(reader, siblings, pos, chosen, settings.quote_list_items, settings)
        if has_list or len(sentence_ids) == 1:  # an introduction without its list says nothing
            out.extend([sid, *items])
    return out


def _list_before(
    reader: IndexReader,
    siblings: list[int],
    pos: int,
    chosen: set[int],
    asked: Callable[[str], bool],
    settings: Settings,
) -> tuple[list[int], int, int]:
    """For the list item ``siblings[pos]``: the introduction of its list and the items before it
    (``quote_list_items`` − 1 at most) that ``chosen`` lacks (which they join), or the items before it when the list's
    title is what the question asks about (``quote_asked_list_items`` − 1 at most: the list is the answer); how many
    places of the list's bound they fill with this item (the introduction counts as one), 0 when its list has no
    introduction to bring (then nothing is brought); and that bound."""
    leaders = _leaders(reader, siblings, pos, settings)
    intro = _introduction(reader, leaders, settings)
    if intro is not None and intro not in chosen:  # with the items before this one: the whole list
        limit = settings.quote_list_items
        before = [intro, *leaders[leaders.index(intro) + 1 :][-(limit - 1) :]]
        count = len(before)
    elif intro is None and (title := list_title(reader, siblings[pos], settings)) and asked(title):
        limit = settings.quote_asked_list_items
        before = _own_items(reader, leaders, siblings[pos], settings)[-(limit - 1) :]  # a title introduces it
        count = len(before) + 1
    else:
        return [], 0, settings.quote_list_items
    leads = [lead for lead in before if lead not in chosen]
    chosen.update(leads)
    return leads, count, limit


def _item_run(reader: IndexReader, sid: int, settings: Settings) -> list[int]:
    """The sentences of the list item ``sid`` belongs to, from its first one (the bulleted one) to ``sid``: its line
    read back ``quote_antecedents`` sentences at most (« - Ensuite, on doit se demander combien… » before « On peut
    donner quelques chiffres… »); [] for a sentence that is no item's."""
    if BULLET.match(reader.sentences[sid].text):
        return [sid]
    siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
    leaders = siblings[: siblings.index(sid)]  # _same_line reads within one passage
    later, run = sid, [sid]
    for earlier in reversed(leaders[-settings.quote_antecedents :]):
        if not _same_line(reader, earlier, later):
            return []
        run.insert(0, earlier)
        if BULLET.match(reader.sentences[earlier].text):
            return run
        later = earlier
    return []


def _item_head(reader: IndexReader, sid: int, chosen: Collection[int], settings: Settings) -> list[int]:
    """The sentences before ``sid`` on its list item's line, from the bulleted one, that ``chosen`` lacks."""
    return [s for s in _item_run(reader, sid, settings)[:-1] if s not in chosen]


def _items_after(
    reader: IndexReader,
    siblings: list[int],
    pos: int,
    chosen: set[int],
    limit: int,
    settings: Settings,
    inside: bool = False,
) -> tuple[list[int], bool]:
    """The items of the list that follows ``siblings[pos]`` (an introduction, or an item when ``inside``), up
    to ``limit`` items, not already ``chosen`` (which they join), and whether a list follows an introduction at
    all; an item's second sentence, on the item's line, belongs to it."""
    items: list[int] = []
    count, previous, in_list = 0, siblings[pos], inside
    for follower in _followers(reader, siblings, pos, settings):
        bullet = BULLET.match(reader.sentences[follower].text)
        if not bullet and not (in_list and _same_line(reader, previous, follower)):
            break  # the list ends
        count += bool(bullet)
        if count > limit:
            break
        in_list, previous = True, follower
        if follower not in chosen:
            items.append(follower)
            chosen.add(follower)
    return items, in_list


def points_back_within(
    reader: IndexReader, sid: int, *, opener: bool = False, settings: Settings | None = None
) -> bool:
    """Whether sentence ``sid`` holds, after its first words, a demonstrative (or « sur le sujet », « sur la question »
    closing a clause) whose noun neither its own words before it nor its section's titles name
    (``points_back_within``): « … de lever certaines de ces peurs. »; or a possessive « leur » whose owners it has not
    named before it nor names right after (``plural_before``, ``owners_after``), outside a list's items; or the pronoun
    « y » before a verb when the sentence names before it nothing it may stand for (``place_before``: « Trois
    engagements y sont soulignés : »).
    A list the sentence makes before a general noun (``general_nouns``: « …, centres de santé et CPTS, ces
    structures ») names it; an acronym's words (« communautés professionnelles territoriales de santé … ces CPTS »)
    name it. A footnote points at its call, not at the sentence before it. For a sentence that opens its section
    (``opener``), only a demonstrative among its first words counts (``opener_reach``; further in, the sentence often
    names its noun's referent itself: « les fondements de la participation… cette doctrine »), and not before a noun
    of kind (``opener_kinds``: « ce type d'études »): there a possessive, « sur le sujet », « un tel… », « le même
    constat » or « … précités » speak of the document's own topic or of what the sentence says."""
    settings = settings or default_settings()
    text = reader.sentences[sid].text
    if footnote_label().match(text):
        return False
    body = _LABEL.sub("", text, count=1)  # after a title it opens on (« « Le mécénat d'entreprise » : Ce type… »)
    titles = _titles(reader, sid)
    general, meanings = _general_nouns(), Lexicon.load().abbreviations
    for match in _anywhere("points_back_within").finditer(body):
        before = fold_accents(body[: match.start()]).lower()
        if not before.strip():
            continue  # it opens the sentence: what a sentence opens on is ``refers_back``'s to read
        if opener and not (
            match.group("noun")
            and not _opening("opener_kinds").match(match.group("noun"))
            and _opening("opener_reach").fullmatch(before)
        ):
            continue
        if match.group("their"):  # a possessive: its owners named before it, or the sentence is an item of a list
            named_after = _opening("owners_after", "").match(body[match.end() :])
            if (
                _anywhere("plural_before").search(before)
                or named_after
                or _list_item(reader, sid, settings)
                or unended(text)
            ):
                continue
            return True
        if match.group("there"):  # « y »: what it stands for is named before it in the sentence, or further back
            if _anywhere("place_before").search(before):
                continue
            return True
        noun = fold_accents(next(group for group in match.groups() if group)).lower()
        named = [noun, *fold_accents(meanings.get(noun, "")).lower().split()[:1]]
        if any(_names(word, before) or _names(word, titles) for word in named if word):
            continue
        if noun in general and (before.count(",") >= 2 or _LISTING.search(before)):
            continue
        return True
    return False


# « et » or « ou » joining the items of a list a general noun may sum up; not « et/ou », which joins alternatives
# (« des patients et/ou des usagers à la gouvernance de telles structures »: the structures are those said before)
_LISTING = re.compile(r"(?<!/)\b(?:et|ou)\b(?!/)")


def goes_on_about(reader: IndexReader, first: int, follower: int, settings: Settings | None = None) -> bool:
    """Whether sentence ``follower``, read after ``first`` and the sentences between them, goes on about what ``first``
    speaks of: it points back at the sentence before it (``refers_back``, :func:`points_back_within`) or its subject
    is a noun ``first`` names (``names_again``: « La démarche s'adresse… » after « Le patient traceur est une
    démarche… »). A line without an end mark (a title: « → La formation ») goes on about nothing."""
    settings = settings or default_settings()
    text = reader.sentences[follower].text
    if unended(text.strip().lstrip(ARROWS).strip()):
        return False
    if refers_back().match(text) or points_back_within(reader, follower, settings=settings):
        return True
    subject = _opening("names_again").match(text)
    said = fold_accents(reader.sentences[first].text).lower()
    return bool(subject) and _names(fold_accents(subject.group("noun")).lower(), said)


def _names(noun: str, text: str) -> bool:
    """Whether ``text`` (folded) writes ``noun`` in some form: a word opening on its first five letters (« peurs » for
    « peur »), or the word itself when it is shorter (« loi », not in « emploi »)."""
    stem = noun[:5]
    return bool(re.search(rf"\b{re.escape(stem)}" + ("" if len(noun) > len(stem) else r"\b"), text))


def _names_its_title(reader: IndexReader, sid: int) -> bool:
    """Whether ``sid`` opens on a demonstrative whose noun its titles write (« Ces freins… » under « Les freins »: its
    section's path and fiche, :func:`_titles`), or a general noun (« Ces organisations… » under « Les CPTS »): opening
    its section, it speaks of what the title names (``names_its_subject``); « Cette première étape… » under « Agir
    parallèlement sur les attitudes… » speaks of the section before."""
    found = _opening("names_its_subject").match(reader.sentences[sid].text)
    if not found:
        return False
    noun = fold_accents(found.group("noun")).lower()
    return _names(noun, _titles(reader, sid)) or noun in _general_nouns()


def _answers_its_title(reader: IndexReader, sid: int) -> bool:
    """Whether ``sid``'s section is titled by a question, which its opening sentence answers and points at, the title
    the answer shows (« Faut-il faire signer la charte ? », then « Si l'on envisage cette perspective… »; « Qu'est-ce
    qu'une MSP participative ? », then « … ces structures participatives… »), not at the section before."""
    return reader.chunks[reader.position[reader.sentences[sid].chunk_id]].section_title.rstrip().endswith("?")


def _titles(reader: IndexReader, sid: int) -> str:
    """The titles the answer shows for ``sid``, folded: its fiche's title (a fiche's lead) and its section's own title
    (another document's lead, a fiche's source line); not the titles of the sections it is a part of."""
    chunk = reader.chunks[reader.position[reader.sentences[sid].chunk_id]]
    return fold_accents(f"{chunk.section_title} {chunk.fiche_title}").lower()


@lru_cache(maxsize=1)
def _general_nouns() -> frozenset[str]:
    return frozenset(fold_accents(w).lower() for w in words(read_rules(QUOTING_RULES), "general_nouns", QUOTING_RULES))


# a title a sentence's own text opens on, between « » or after « Extrait », then a colon: the sentence starts after it
# (the labels an answer shows, « « Titre » : », « Extrait d'une citation plus longue (M. F) : », are the renderer's,
# never part of a sentence; no sentence of the shipped corpus opens so)
_LABEL = re.compile(r"^\s*(?:«[^»]{1,120}»|Extrait[^:]{0,80})\s*:\s*")


def expand_antecedents(
    reader: IndexReader, sentence_ids: list[int], shown: Collection[int] = (), settings: Settings | None = None
) -> list[int]:
    """Give a quoted sentence that opens on a word pointing back (« Il permet… », « Ainsi, … », ``refers_back``), or
    holds a demonstrative further in whose noun it has not named (:func:`points_back_within`: none when the sentence
    before has such a demonstrative too or opens a quotation, « […] » then says what is left out), the sentences
    before it in its section, back to one that points back no more or to a title standing alone (which then names
    the first of them, :func:`titled_by`), ``quote_antecedents`` sentences read back at most, when each says something
    and none is chosen or ``shown`` elsewhere in the answer: alone, it would read as a non-sequitur. A sentence read
    back that names the noun of the quoted sentence's demonstrative, past the connective it may open on
    (``links_back``), ends the chain: « Or la coopération entre les professionnels… » says what « En France, cette
    coopération… » speaks of. A pronoun reads past a sentence whose subject has another number (« Ils … » after « Le
    périmètre … », :func:`_disagrees`), back to that sentence at least. When the chain ends before such a sentence,
    nothing is added (it would dangle as well) and the sentence stays as it is, unless it reached the start of its
    section on words that name what they speak of (« Cette première étape… ») or that point back at the section
    before (« Parallèlement à la mise en place de ces lois, un agrément est créé… » before « Cet agrément… »):
    « […] » before it says the section before is left out and names it, :func:`_elided_before`; a sentence whose
    antecedent the answer already quotes needs none (a quoted sentence of another number is read past: « Elle
    vise… » after « D'ores et déjà, 13 centres… »). A list's item needs none (its list says what it belongs to: « -
    Enfin, … » follows the items before it); an antecedent that ends a list item's line comes with the sentences
    before it on that line, from the bulleted one. A work spoken of again by its kind (« Le rapport insistait… »),
    quoted or read back, comes with the sentence that names it (:func:`_work_named_before`); one interviewee's words
    are not read back for « deux d'entre eux » (:func:`_one_for_many`)."""
    settings = settings or default_settings()
    opens, links = refers_back(), _opening("links_back")
    out: list[int] = []
    chosen = {*sentence_ids, *shown}
    for sid in sentence_ids:
        note = _line_start(reader, sid)
        if note != sid and footnote_label().match(reader.sentences[note].text) and note not in chosen:
            # a note's later sentence (« 3e colloque sur le partenariat… (https://…) » after « Note 10 : Rennes, … »):
            # its number says what it is
            chosen.add(note)
            out.extend(s for s in [note, sid] if s not in out)
            continue
        before: list[int] = []
        enough: list[int] | None = None  # what was read back when the pronoun's number sent the reading further
        here = sid
        pointing = reader.sentences[sid].text
        # a demonstrative inside it (« … ces peurs »): the sentence before is read, unless that one has such a
        # demonstrative too or opens a quotation; then « […] » says what is left out (:func:`_elided_before`)
        within = not opens.match(pointing) and points_back_within(reader, sid, settings=settings)
        # « cette coopération »: a sentence read back that names it, past its connective, says what it points at
        noun = _demonstrative_noun(pointing)
        while not BULLET.match(text := reader.sentences[here].text):
            opens_quotation = text.lstrip().startswith(("«", "“"))
            if within and before == [here] and (points_back_within(reader, here, settings=settings) or opens_quotation):
                before = []
                break
            # read back by its first words, a sentence whose demonstrative points further back: read on, or keep it
            if here != sid and noun and _names_noun(text, noun) and not opens.match(links.sub("", text, count=1)):
                break  # « Or la coopération entre les professionnels… » names what « cette coopération » points at
            further = (
                here != sid
                and not within
                and not opens.match(text)
                and points_back_within(reader, here, settings=settings)
            )
            if further and enough is None:
                enough = list(before)
            if not opens.match(text) and not (here == sid and within) and not further:
                one_for_many = here != sid and _one_for_many(reader, sid, here)
                if here == sid or not (one_for_many or _disagrees(pointing, text)):
                    break
                # « Le périmètre … » before « Ils … »: maybe not what « Ils » points at, kept should the reading
                # go no further; one interviewee's words are not kept for « deux d'entre eux » (:func:`_one_for_many`)
                if enough is None and not one_for_many:
                    enough = list(before)
            previous = _previous(reader, here)
            if previous is not None and _adds_to_before(reader, here) and _standalone_title(reader, previous, settings):
                previous = _previous(reader, previous)  # « Par ailleurs, … » goes on from the text before a caption
            if previous in chosen and not _disagrees(pointing, reader.sentences[previous].text):
                break  # the answer already says what it points at
            if titled_by(reader, here, settings):
                break  # « Le diagnostic général », then « Il a vocation… »: the title says what it points at
            if (
                previous is None
                and before
                and (_opening("names_its_subject").match(text) or _section_pointed_at(reader, here) is not None)
            ):
                break  # back to the start of its section on a noun (« Cette première étape… ») or on words pointing
                # back (« Parallèlement à la mise en place de ces lois… »): « […] » marks what is before it, naming the
                # section before (:func:`_elided_before`), unless its title names that noun
            # « Enfin, la question de la rémunération… » after « “La première, c'est que…” (M. F) » adds a point to
            # the account, not to the words it quotes
            adds = _opening("adds_a_point").match(text) or _adds_to_before(reader, here)
            quoted = _closed_quotation(reader, previous, settings) if previous is not None and not adds else []
            if quoted and len(before) + len(quoted) <= settings.quote_antecedents and not within:
                before = quoted + before  # the quotation the sentence before closes, whole (« … de leur santé ». »)
                break
            if (
                previous is None
                or len(before) == settings.quote_antecedents
                or not _antecedent(reader, previous, settings)
            ):
                before = enough or []  # no antecedent within reach: adding the sentences before would not help
                break
            before.insert(0, previous)
            here = previous
        if before:
            before = _item_head(reader, before[0], chosen, settings) + before
        # « Le rapport insistait… », quoted or read back: the sentence that says which report, « […] » after it
        named = _work_named_before(reader, before[0] if before else sid, settings)
        if named is not None and named not in chosen:
            before = [named, *before]
        chosen.update(before)
        out.extend(s for s in [*before, sid] if s not in out)
    return out


def _demonstrative_noun(text: str) -> str:
    """The noun of the first demonstrative ``text`` holds (« coopération » in « En France, cette coopération est
    encouragée… »), accent-folded and in lower case; "" when it holds none."""
    found = next((m for m in _anywhere("points_back_within").finditer(text) if m.group("noun")), None)
    return fold_accents(found.group("noun")).lower() if found else ""


def _names_noun(text: str, noun: str) -> bool:
    """Whether ``text`` writes ``noun``, in the singular or the plural, not after a demonstrative of its own (« ces
    avis », « ce type d'organisation » point back as well); never a noun the documents write everywhere
    (``everywhere_nouns``: « ces usagers » is not told by a sentence that names users)."""
    if noun in _everywhere_nouns():
        return False
    stem = re.escape(noun[:-1] if noun.endswith(("s", "x")) and len(noun) > 4 else noun)
    folded = fold_accents(text).lower()
    own = _own_demonstrative()
    return any(not own.search(folded[: m.start()]) for m in re.finditer(rf"(?<!\w){stem}(?:s|x)?(?!\w)", folded))


@lru_cache(maxsize=1)
def _own_demonstrative() -> re.Pattern[str]:
    """A demonstrative (``demonstratives``) and up to two words after it (« ce type d' »), at the end of a text."""
    determiners = words(read_rules(QUOTING_RULES), "demonstratives", QUOTING_RULES)
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, determiners))})\s+(?:[\w'’]+\s+){{0,2}}(?:[dl]['’])?$")


@lru_cache(maxsize=1)
def _everywhere_nouns() -> frozenset[str]:
    data = read_rules(QUOTING_RULES)
    return frozenset(fold_accents(w).lower() for w in words(data, "everywhere_nouns", QUOTING_RULES))


def _work_named_before(reader: IndexReader, sid: int, settings: Settings, key: str = "work_again") -> int | None:
    """The sentence that names the work ``sid`` speaks of again by its kind alone (``work_again``: « Le rapport
    insistait… », a few sentences after « Pourtant le rapport de C. Compagnon, Pour l'An II de la démocratie sanitaire,
    … »), read back in its section as far as ``quote_work_named_within`` sentences; none when ``sid`` names it
    (« L'article de J. Cachard souligne… ») or no sentence within reach writes its noun (a sentence that only speaks of
    it again does not name it). Alone, the reader cannot tell which work. ``key``: the ``quoting.toml`` pattern of such
    a sentence (``last_reference``: « Cette dernière publication… »)."""
    again = _opening(key)
    found = again.match(reader.sentences[sid].text)
    if not found:
        return None
    written = re.compile(rf"\b{re.escape(fold_accents(found.group('noun')).lower())}s?\b")  # not « public »
    here: int | None = sid
    for _ in range(settings.quote_work_named_within):
        here = _previous(reader, here)
        if here is None:
            return None
        text = reader.sentences[here].text
        if written.search(fold_accents(text).lower()) and not again.match(text) and _antecedent(reader, here, settings):
            return here
    return None


def _closed_quotation(reader: IndexReader, sid: int, settings: Settings) -> list[int]:
    """The sentences of the quotation ``sid`` closes (« … mis en œuvre par une équipe… / Ces professionnels … de leur
    propre santé ». »), from the one that opens it, when it is found whole (:func:`_quotation`); else none. Such a
    sentence is no antecedent alone (:func:`_antecedent`), the quotation whole is."""
    if not _closes_quotation(reader.sentences[sid].text):
        return []
    quoted = _quotation(reader, sid, settings)
    return quoted if len(quoted) > 1 and quoted[-1] == sid and _antecedent(reader, quoted[0], settings) else []


def _quote_balance(text: str) -> int:
    """Quotation marks a sentence opens minus those it closes, « » and “ ” alike (the study quotes its interviews with
    both); a « ” » that opens the sentence opens a quotation, as the study sometimes writes it."""
    text = text.lstrip()
    opened = text.startswith("”")
    return text.count("«") + text.count("“") + opened - text.count("»") - (text.count("”") - opened)


def _closes_quotation(text: str) -> bool:
    """Whether a sentence closes more quotation marks than it opens: the quotation it ends was opened before it."""
    return _quote_balance(text) < 0


def _disagrees(pronoun: str, previous: str) -> bool:
    """Does the pronoun that opens ``pronoun`` (« Ils … ») differ in number from the subject of ``previous``
    (« Le périmètre … »)? Then ``previous`` is not what it points at (``quoting.toml``)."""
    plural = _opening("plural_pronoun").match(pronoun) and _opening("singular_subject").match(previous)
    singular = _opening("singular_pronoun").match(pronoun) and _opening("plural_subject").match(previous)
    return bool(plural or singular)


def _one_for_many(reader: IndexReader, pointing: int, sid: int) -> bool:
    """Does the study's own sentence ``pointing`` open on a plural that stands for several people (« Ainsi deux d'entre
    eux… », ``many_people``) while ``sid`` gives the words of one interviewee (« “…” (Mme A) »)? They are not what it
    points at: no fallback to them when the account before is out of reach. A sentence of the quotation itself reads
    back within it."""
    if not _opening("many_people").match(reader.sentences[pointing].text) or interviewee_speaks(reader, pointing):
        return False
    return interviewee_speaks(reader, sid)


def _previous(reader: IndexReader, sid: int, quoted: Collection[str] = ()) -> int | None:
    """The sentence before ``sid`` in reading order: in its passage, else at the end of the passage before it in
    the same section (without the words the two passages share). A footnote a page break left there
    (« Note 14 : … ») is read over: the text does not go on from it, unless ``sid`` is on the note's own line
    (« Cette vision participative… » after « Note 6 : La santé communautaire… ») or the note is ``quoted`` too."""
    start = sid
    while True:
        siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
        pos = siblings.index(sid)
        here = reader.position[reader.sentences[sid].chunk_id]
        earlier = siblings[:pos] or _beside(reader, siblings, here, here - 1)
        previous = earlier[-1] if earlier else None
        if previous is None or _same_line(reader, previous, start) or not _in_note(reader, previous):
            return previous
        if reader.sentences[previous].text.strip() in quoted:
            return previous
        sid = previous


def _in_note(reader: IndexReader, sid: int) -> bool:
    """Whether ``sid`` is a sentence of a footnote: its line opens on the note's number (« Note 6 : »)."""
    return bool(footnote_label().match(reader.sentences[_line_start(reader, sid)].text))


def _line_start(reader: IndexReader, sid: int) -> int:
    """The first sentence of ``sid``'s line in its passage."""
    siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
    pos = siblings.index(sid)
    while pos and _same_line(reader, siblings[pos - 1], siblings[pos]):
        pos -= 1
    return siblings[pos]


def _antecedent(reader: IndexReader, sid: int, settings: Settings) -> bool:
    """A sentence that may be quoted to say what the next one speaks of: a statement, not a title, nor an item
    or an introduction of a list (a list is completed otherwise), nor the end of a quotation opened before it."""
    text = reader.sentences[sid].text.strip()
    if _arrow_statement(reader, sid, settings):
        return True  # « → Une expérimentation est en cours sur… », then « Elle vise… »
    if (
        BULLET.match(text)
        or introduces(reader, sid, settings)
        or unended(text)
        or text[:1].islower()
        or not _quotable(text, settings.quote_min_chars)
    ):
        return False  # a list's item or introduction, a line without end mark, the tail of a cut sentence
    if _closes_quotation(text):
        return False  # « … ne sont pas valables. » (M.B).: what it closes was opened earlier
    chunk = reader.chunks[reader.position[reader.sentences[sid].chunk_id]]
    return not _standalone_title(reader, sid, settings) and not _heading(chunk, text, settings)


def _quotation(reader: IndexReader, sid: int, settings: Settings) -> list[int]:
    """The sentences of the quotation ``sid`` belongs to, when the document quotes over several sentences
    (« Les centres … du soin. / En allant … de leur santé. »), else ``[sid]``: a quotation opened earlier, never
    closed, or longer than ``quote_quotation_sentences``, is left as it is (:func:`quotation_speaker` names it)."""
    quoted = _quotation_around(reader, sid)
    return quoted if len(quoted) <= settings.quote_quotation_sentences else [sid]


def _quotation_around(reader: IndexReader, sid: int) -> list[int]:
    """The sentences of the quotation (« » or “ ”) ``sid`` belongs to, from the one that opens it to the one that
    closes it, read in its passage and the ones just before and after it in the same section (a quotation may open or
    close there); ``[sid]`` when it is in none, or in one that does not close there."""
    here = reader.position[reader.sentences[sid].chunk_id]
    siblings = _from_passage_before(reader, sid)
    siblings += _beside(reader, siblings, here, here + 1)
    balance = [_quote_balance(reader.sentences[s].text) for s in siblings]
    starts = [0, *itertools.accumulate(balance)][:-1]  # quotations open before each sentence
    pos = siblings.index(sid)
    if starts[pos] < 0 or (starts[pos] == 0 and balance[pos] <= 0):
        return [sid]  # not inside a quotation of several sentences
    first = pos
    while starts[first] > 0:
        first -= 1
    last = pos
    while last + 1 < len(siblings) and starts[last] + balance[last] > starts[first]:
        last += 1
    if starts[last] + balance[last] > starts[first]:
        return [sid]
    return siblings[first : last + 1]


_SPEAKER = re.compile(r"[»”]\s*\(([^()]{1,40})\)")  # « … » (M. F): who the document says speaks


def quotation_speaker(reader: IndexReader, sid: int, settings: Settings | None = None) -> str | None:
    """Who speaks in the quotation ``sid`` lies inside, when that quotation is too long to be quoted whole
    (:func:`_quotation`): the name the document writes after it (« … différentes. » (M. F)), "" when it writes none;
    None for a sentence in no such quotation. Quoted alone, without its marks, « Et vous allez avoir la vision du
    patient… » would read as the document's own words, or as the words of the speaker quoted just before it."""
    settings = settings or default_settings()
    return _speech(reader, sid, settings)[1]


def _speech(reader: IndexReader, sid: int, settings: Settings) -> tuple[list[int], str | None]:
    """The quotation ``sid`` lies inside (:func:`_quotation_around`) and its speaker (:func:`quotation_speaker`)."""
    quoted = _quotation_around(reader, sid)
    if len(quoted) <= settings.quote_quotation_sentences:
        return quoted, None
    found = _SPEAKER.search(reader.sentences[quoted[-1]].text)
    return quoted, found.group(1).strip() if found else ""


def _from_passage_before(reader: IndexReader, sid: int) -> list[int]:
    """The sentences of ``sid``'s passage after those of the passage before it in its section (:func:`_beside`): a
    quotation read over a passage boundary."""
    siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
    here = reader.position[reader.sentences[sid].chunk_id]
    return _beside(reader, siblings, here, here - 1) + siblings


def _within_quotation(reader: IndexReader, sid: int) -> bool:
    """Does ``sid`` open inside a quotation begun in a sentence before it (its passage, or the end of the one before
    in its section)? Its « je » is then the person quoted (an interviewee), not the author. A « ” » that opens a
    sentence opens a quotation, as the study sometimes writes it."""
    window = _from_passage_before(reader, sid)
    before = window[: window.index(sid)]
    depth = 0
    for s in before:
        depth = max(depth + _quote_balance(reader.sentences[s].text), 0)
    return depth > 0


def expand_leads(reader: IndexReader, sentence_ids: list[int], settings: Settings | None = None) -> list[int]:
    """Give a chosen line marked with an arrow that leads its paragraph without an end mark (:func:`_arrow_statement`:
    « → Le continuum pose pour principe de départ l'échange et le partage d'information… ») the paragraph's first
    sentence, which it heads: shown alone, it reads as a sentence cut before its end; with it, as its label
    (:func:`render_group`)."""
    settings = settings or default_settings()
    out: list[int] = []
    for sid in sentence_ids:
        if _arrow_statement(reader, sid, settings):
            siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
            first = _followers(reader, siblings, siblings.index(sid), settings)[0]
            # the line's copy in the overlap of the passage that goes on with the paragraph: quoted with it
            copy = _previous(reader, first)
            lead = copy if _same_sentence(reader, copy, sid) else sid
            out.extend(s for s in (lead, first) if s not in out)
        elif sid not in out:
            out.append(sid)
    return out


def expand_qualifications(reader: IndexReader, sentence_ids: list[int]) -> list[int]:
    """Give a chosen sentence the one right after it in its passage when that one opens on a contrast with it
    (``qualifies_before``: « Par principe, des financements privés peuvent être mobilisés… » then « Toutefois, le
    législateur a… encadré : »): quoted alone, the first says more than the document does. Not a list's item (its list
    has its own rules), nor the words of a person the document quotes (« “Mais enfin la peur… » is an interview)."""
    contrast = _opening("qualifies_before")
    out: list[int] = []
    for sid in sentence_ids:
        if sid not in out:
            out.append(sid)
        siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
        pos = siblings.index(sid)
        if pos + 1 == len(siblings) or BULLET.match(reader.sentences[sid].text):
            continue
        after = siblings[pos + 1]
        text = reader.sentences[after].text
        qualifies = contrast.match(text) and not BULLET.match(text) and not text.lstrip().startswith(("«", "“", '"'))
        if qualifies and after not in out:
            out.append(after)
    return out


def expand_quotations(reader: IndexReader, sentence_ids: list[int], settings: Settings | None = None) -> list[int]:
    """Give a chosen sentence the rest of the quotation it belongs to: alone, it would open or close a quotation
    the reader never sees whole, without the words that say who speaks."""
    settings = settings or default_settings()
    out: list[int] = []
    for sid in sentence_ids:
        out.extend(s for s in _quotation(reader, sid, settings) if s not in out)
    return out


def expand_entries(reader: IndexReader, sentence_ids: list[int], settings: Settings | None = None) -> list[int]:
    """Give a sentence of a list of resources that describes an entry (« « Prendre en compte l'expérience patient et
    usager… » (source : extrait du site). Trois publications… ») the entry's line before it (« - Expérience patient
    et usager [webconférence et guides pratiques]. Agence nationale de la performance…, 2023. »), read back over the
    description's sentences (``quote_antecedents`` at most), in its section: alone, the description does not say what it
    describes, who publishes it nor how to find it."""
    settings = settings or default_settings()
    out: list[int] = []
    for sid in sentence_ids:
        out.extend(s for s in [*_entry_of(reader, sid, settings), sid] if s not in out)
    return out


def _entry_of(reader: IndexReader, sid: int, settings: Settings) -> list[int]:
    """The sentences of the entry line a resource's description ``sid`` follows (:func:`expand_entries`), if any."""
    chunk = reader.chunks[reader.position[reader.sentences[sid].chunk_id]]
    if chunk.role != PassageRole.RESOURCES or BULLET.match(reader.sentences[sid].text) or _in_note(reader, sid):
        return []
    here = sid
    for _ in range(settings.quote_antecedents):
        previous = _previous(reader, here)
        if previous is None or _standalone_title(reader, previous, settings):
            return []
        start = _line_start(reader, previous)
        if BULLET.match(reader.sentences[start].text):
            if start == _line_start(reader, sid):
                return []  # the item's own line goes on
            siblings = reader.sentences_of[reader.sentences[start].chunk_id]
            line = [s for s in siblings[siblings.index(start) :] if s == start or _same_line(reader, start, s)]
            entry = " ".join(reader.sentences[s].text for s in line)
            # an entry names its kind or its date (« [guide méthodologique]. Haute Autorité de santé, 2016. »); a
            # bulleted line of the description itself (« - Cette charte précise… ») is read over
            if _anywhere("resource_entry").search(entry):
                return line
        here = start
    return []


def expand_question_series(reader: IndexReader, sentence_ids: list[int]) -> list[int]:
    """Give a chosen question the alternatives its paragraph asks right after it (« … le·la citoyen·ne et si oui sous
    quelles conditions ? Le·la représentant·e des associations d'usager·ère·s ? L'élu·e ? »): without the last, the
    reader sees two of three."""
    out: list[int] = []
    for sid in sentence_ids:
        series = [sid]
        siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
        for after in siblings[siblings.index(sid) + 1 :]:
            if not _asked_next(reader, series[-1], after):
                break
            series.append(after)
        out.extend(s for s in series if s not in out)
    return out


def _asked_next(reader: IndexReader, question: int, after: int) -> bool:
    """Whether ``after`` goes on from the question ``question`` in its paragraph with one more alternative of the same
    enumeration (:func:`~ingest.cleaning.alternative_question`: « Le·la représentant·e des associations
    d'usager·ère·s ? », « L'élu·e ? »)."""
    first, then = reader.sentences[question].text, reader.sentences[after].text
    return alternative_question(first, then) and _same_paragraph(reader, question, after)


def _same_paragraph(reader: IndexReader, first: int, second: int) -> bool:
    """Whether two sentences of one passage follow each other without a blank line between them."""
    gap = _between(reader, first, second)
    return gap is not None and "\n\n" not in gap


def unshared(reader: IndexReader, sentence_ids: list[int]) -> list[int]:
    """Without a sentence whose words another of the list holds at the same place of the document: passages
    overlap, and their common words may be cut into sentences otherwise in each (« … de leur santé. » in one,
    « … de leur santé. » Le comité … » in the next), so that an answer completing a quotation or a list across
    two passages would say them twice. The one that holds the other stays, in its place."""
    spans = []
    for sid in sentence_ids:
        sentence = reader.sentences[sid]
        chunk = reader.chunks[reader.position[sentence.chunk_id]]
        spans.append((chunk.doc_id, chunk.char_start + sentence.start, chunk.char_start + sentence.end))

    def within(i: int, j: int) -> bool:  # sentence i lies in sentence j (the first of two equal ones stays)
        (doc, start, end), (other, o_start, o_end) = spans[i], spans[j]
        same = (start, end) == (o_start, o_end)
        return doc == other and o_start <= start and end <= o_end and (not same or j < i)

    n = len(sentence_ids)
    return [sid for i, sid in enumerate(sentence_ids) if not any(within(i, j) for j in range(n) if j != i)]


OPENING = 1.0  # above any score: the passage of a definition of what is asked opens the answer


def order_groups(
    reader: IndexReader,
    selection: list[Evidence],
    expanded: list[int],
    per_rank: float,
    source: Callable[[int], Hashable] | None = None,
    settings: Settings | None = None,
) -> list[tuple[int, list[int]]]:
    """Group sentences by passage: passages by best score (authority breaks near-ties; a definition of what is
    asked, ``Evidence.opens``, first), sentences in reading order inside each passage. A passage quoted only to
    complete a list (its introduction in the passage before, its last items in the next) stands next to the passage
    that needed it; the passages of one source (``source``: what names a passage's lead, :func:`lead_unit`) are
    read in the document's order, where the first of them stands."""
    settings = settings or default_settings()
    best: dict[int, float] = {}
    for ev in selection:
        key = ev.score + authority_bonus(reader.chunks[ev.chunk].authority, per_rank) + (OPENING if ev.opens else 0.0)
        best[ev.chunk] = max(best.get(ev.chunk, -1.0), key)
    chunks = [reader.position[reader.sentences[sid].chunk_id] for sid in expanded]
    chosen = {ev.chunk for ev in selection}
    by_chunk: dict[int, list[int]] = {}
    for i, (sid, chunk) in enumerate(zip(expanded, chunks, strict=True)):
        by_chunk.setdefault(chunk, []).append(sid)
        if chunk not in best:  # pulled in by the nearest chosen sentence of the passage just after or before
            pullers = sorted((abs(j - i), c) for j, c in enumerate(chunks) if c in chosen and abs(c - chunk) == 1)
            best[chunk] = best[pullers[0][1]] if pullers else -1.0
    order = sorted(by_chunk, key=lambda c: (-best[c], c))
    for chunk in sorted(by_chunk):  # a list that runs on into the next passage is not cut by another one
        before = by_chunk.get(chunk - 1)
        if not before or not _same_section(reader.chunks[chunk - 1], reader.chunks[chunk]):
            continue
        first = reader.sentences[min(by_chunk[chunk])].text
        last = max(before)
        if BULLET.match(first) and (introduces(reader, last, settings) or BULLET.match(reader.sentences[last].text)):
            order.remove(chunk)
            order.insert(order.index(chunk - 1) + 1, chunk)
    if source is not None:  # a source's passages together; those that follow each other, in reading order
        of_source: dict[Hashable, list[int]] = {}
        for chunk in order:
            of_source.setdefault(source(chunk), []).append(chunk)
        order = [chunk for chunks in of_source.values() for run in _runs(reader, chunks, by_chunk) for chunk in run]
    return [(c, sorted(by_chunk[c])) for c in order]


def in_reading_order(reader: IndexReader, groups: list[tuple[int, list[int]]]) -> list[tuple[int, list[int]]]:
    """The quoted groups with those of one section in the document's order, where the first of them stands: a
    section's last sentence quoted above its first read as the text reversed (« Il est observé qu'une position de
    tiers… », then « Il s'agit ici de personnes… », § 6.8.2), a note above the survey it describes. The sections of a
    fiche keep the order of their best passage (the answer opens on what answers best). Which groups are quoted was
    chosen by score (:func:`order_groups`, ``max_answer_characters``): only their order changes."""
    sections: dict[Hashable, list[tuple[int, list[int]]]] = {}
    for group in groups:
        sections.setdefault(_section_key(reader.chunks[group[0]]), []).append(group)
    return [group for under in sections.values() for group in sorted(under, key=lambda g: g[0])]


def lead_unit(chunk: Chunk) -> tuple[str, object]:
    """What the lead of a passage's quotes names: its fiche (one lead for the sections of a fiche), else its
    section."""
    return (chunk.doc_id, chunk.fiche or (chunk.section_path, chunk.section_number, chunk.section_title))


def _runs(reader: IndexReader, chunks: list[int], quoted: dict[int, list[int]]) -> list[list[int]]:
    """``chunks`` (best first) in runs of passages that follow each other, each in reading order, runs in the
    order of their best passage: the best passage still opens its source unless the one just before it is quoted.
    A passage follows another one too when the first sentence it quotes (``quoted``: sentences by passage) points
    back at one quoted from it (:func:`_previous`, over a footnote's passage): « Elles se composent… » after « Elles
    regroupent… »."""
    opens = refers_back()
    runs: list[list[int]] = []
    for chunk in sorted(chunks):
        first = min(quoted[chunk])
        if runs and (
            follows(reader, runs[-1][-1], chunk)
            or (opens.match(reader.sentences[first].text) and _previous(reader, first) in quoted[runs[-1][-1]])
        ):
            runs[-1].append(chunk)
        else:
            runs.append([chunk])
    return sorted(runs, key=lambda run: min(chunks.index(c) for c in run))


def _same_section(a: Chunk, b: Chunk) -> bool:
    """Whether two passages are of one section (:func:`_section_key`)."""
    return _section_key(a) == _section_key(b)


def _section_key(chunk: Chunk) -> tuple[str, str, str]:
    """A passage's section: by its path too, since the sections of the slides, the advice sheet and the fiche mission
    have no number (« Qu'est-ce que la santé communautaire ? », then « Qu'est-ce qu'une MSP participative ? »)."""
    return chunk.doc_id, chunk.section_number, chunk.section_path


class CitationBook:
    """Numbers sources in the order the answer first cites them and builds their citations. With ``merge``, the
    passages of one source (the same section and page: the same label) share its number and make one citation,
    so that "Sources" never lists one place twice; without it (the passages numbered for a model), one number per
    passage."""

    def __init__(self, reader: IndexReader, labels: dict[str, str], merge: bool = True) -> None:
        self.reader = reader
        self.labels = labels
        self.merge = merge
        self.numbers: dict[int, int] = {}
        self.by_label: dict[str, int] = {}
        self.spans: dict[int, list[tuple[int, int]]] = {}

    def cite(self, chunk_index: int, sentence_ids: list[int]) -> int:
        n = self.numbers.get(chunk_index)
        if n is None:
            label = self.label(chunk_index)
            n = self.by_label.get(label) if self.merge else None
            n = n if n is not None else len(set(self.numbers.values())) + 1
            self.numbers[chunk_index] = n
            self.by_label.setdefault(label, n)
        spans = self.spans.setdefault(chunk_index, [])
        for sid in sentence_ids:
            s = self.reader.sentences[sid]
            if (s.start, s.end) not in spans:
                spans.append((s.start, s.end))
        return n

    def label(self, chunk_index: int) -> str:
        chunk = self.reader.chunks[chunk_index]
        return source_label(chunk, document_label(self.labels, chunk))

    def citations(self) -> list[Citation]:
        groups: dict[int, list[int]] = {}
        for chunk, n in self.numbers.items():
            groups.setdefault(n, []).append(chunk)
        return [
            make_citation(self.reader, n, [(c, sorted(self.spans.get(c, []))) for c in chunks], self.label(chunks[0]))
            for n, chunks in sorted(groups.items())
        ]


def render_group(
    reader: IndexReader,
    sentence_ids: list[int],
    n: int,
    phrases: dict[str, str],
    lead: str = "",
    shown: Collection[str] = (),
    elsewhere: Collection[str] = (),
    after: int | None = None,
    section: str = "",
    settings: Settings | None = None,
) -> list[Block]:
    """One passage's quoted sentences, each with its marker: prose as one paragraph, list items apart. A table
    cell is preceded by the names of its column and row (``table_cell``, a fixed phrasing): quoted alone,
    « Confier par délégation la prise de décision finale au public. » would not say that it is what
    « co-décider » means. A list that no sentence introduces is preceded by its section's title
    (``list_heading``: « Quels contenus ? »), unless the ``lead`` above already names it; items of a list left
    out, before or after the quoted ones, are said to be (``list_cut``). A sentence that points back at one the
    answer does not quote (:func:`expand_antecedents` found none within reach: « Ainsi, la notion de démocratie
    sanitaire… » opens its section) is preceded by « […] » (``elided_before``), as a quotation marks what it leaves
    out; so is a sentence quoted after another of the group with text between them left out, or after ``after``, the
    last sentence quoted of an earlier passage of its section, just above; ``shown``: the sentences the blocks above
    already quote; ``elsewhere``: those the answer's other groups quote (a heading quoted below is not said as a label
    above). ``section``: the title of the group's section, when the quotes above are of another section of its fiche
    (« Par principe, des financements privés… » under « Une expérimentation est en cours… » would read as part of
    it): the first sentence's label, when it has no title of its own, « […] » after it when text is left out."""
    settings = settings or default_settings()
    blocks: list[Block] = []
    prose: list[Span] = []
    named = ""  # the cell named last: its next sentences need not name it again
    headed = ""  # the title of the list headed last
    quoted = {reader.sentences[s].text for s in sentence_ids}  # overlapping passages hold a sentence twice
    antecedents = {*(text.strip() for text in quoted), *shown}  # what a sentence pointing back may point at
    in_answer = {*(text.strip() for text in quoted), *elsewhere}  # a table cell's other sentences, quoted or not
    cut, previous = False, after  # the list goes on after the item quoted last (said after that item's sentences)
    speech: list[int] = []  # the long quotation quoted from last: its next sentences need no label again
    quoted_item = False  # the sentence quoted last was shown as a list item
    # a line marked with an arrow that leads its paragraph, quoted with the paragraph's first sentence: its label
    leads = {
        sid: _NOTE_CALL.sub("", reader.sentences[sid].text.strip().lstrip(ARROWS).strip())
        for sid, after in itertools.pairwise(sentence_ids)
        if _arrow_statement(reader, sid, settings) and _same_sentence(reader, _previous(reader, after), sid)
    }
    leading = ""  # the line that leads the next sentence

    def close(block: Block | None = None) -> None:
        nonlocal prose
        if prose:
            blocks.append(Block(BlockKind.PARAGRAPH, tuple(prose)))
            prose = []
        if block is not None and not _repeats(blocks, block):
            blocks.append(block)

    for sid in sentence_ids:
        if sid in leads:  # « → Une expérimentation est en cours… », bold and without an end mark: a heading
            leading = leads[sid]
            previous = sid
            continue
        # the item quoted before goes on: on its line, with one more alternative of its enumeration, or on the line
        # after it in a list of resources
        runs_on = previous is not None and (
            _same_line(reader, previous, sid)
            or _asked_next(reader, previous, sid)
            or _entry_goes_on(reader, previous, sid)
        )
        listed_cut = cut and not runs_on
        if listed_cut:
            close(Block.phrase(BlockKind.LIST_ITEM, phrases["list_cut"]))
            cut = False
        follows_quote = previous is not None and not listed_cut  # « […] » if text between them is left out
        previous = sid
        sentence = reader.sentences[sid]
        text = sentence.text.strip()
        noted = ()  # a footnote is quoted for what it says, after its number: the reader finds it under its page
        if note := footnote_label().match(text):
            noted, text = (Span(text[: note.end()].strip()),), text[note.end() :].strip()
        # a title standing alone is named as a title; so is the line marked with an arrow that heads the sentence's
        # part of its section, further up, when the answer does not quote it (text between them is left out)
        title = titled = ""
        if leading:
            title = titled = leading
            leading = ""
        elif not sentence.label:
            title = titled_by(reader, sid, settings)
            titled = title or headed_by(reader, sid, {*antecedents, *elsewhere}, settings=settings)
            if (
                section
                and not titled
                and sid == sentence_ids[0]
                and not (BULLET.match(text) or noted or _in_line_run(reader, sid))
            ):
                # the section the quotes move on to, named: its title right before the sentence, or further up
                titled = section
                title = section if _previous(reader, sid) is None else ""
        name = sentence.label or titled
        if sentence.label and (row := _row_name(reader, sid)):  # « 5- L'évaluation… — Information… »: the row's
            name, text = f"{row}{CELL_SEPARATOR}{sentence.label}", text[len(row) + len(CELL_SEPARATOR) :].strip()
        # a line that leads its paragraph, or a link's line: its own paragraph, no item
        statement = _arrow_statement(reader, sid, settings) or _link_line(text)
        if statement:
            text = text.lstrip(ARROWS).strip()
        bulleted = bool(BULLET.match(text))
        item = bulleted and not sentence.label  # a table's cell, even bulleted, is no item of a list: no « […] »
        # a list's title, once: over its first quoted item, and over the next list when another title heads it
        # (« → Du côté des professionnels », then « → Du côté des usagers »)
        if item and (title := list_title(reader, sid, settings)) and title != headed and f"« {title} »" not in lead:
            headed = title
            chunk = reader.chunks[reader.position[sentence.chunk_id]]
            close(Block.phrase(BlockKind.LEAD, _list_heading(chunk, title, phrases, lead)))
            named = title  # the heading names the list: its first item needs no label
        label = (Span(phrases["table_cell"].format(label=_as_label(name, titled))),) if name and name != named else ()
        label += noted
        around, speaker = _speech(reader, sid, settings) if sid not in speech else ([], None)
        # an extract that opens after the quotation's first sentence leaves out what the speaker said before it
        mid_quotation = speaker is not None and bool(around) and sid != around[0]
        if speaker is not None:
            speech = around  # « Et vous allez avoir… », M. F's words, not the document's
            said = (
                phrases["quotation_extract"].format(speaker=speaker)
                if speaker
                else phrases["quotation_extract_unnamed"]
            )
            label += (Span(said),)
        named = name
        line_item = not bulleted and _in_line_run(reader, sid)  # a list the document writes without bullets
        before = (
            _previous_item(reader, sid, settings)
            if item
            else _run_line(reader, sid, -1, settings)
            if line_item
            else None
        )
        if before is not None and reader.sentences[before].text not in quoted:  # items left out before this one
            close(Block.phrase(BlockKind.LIST_ITEM, phrases["list_cut"]))
        item_quoted_last = quoted_item
        quoted_item = bool(bulleted or line_item)
        if quoted_item:
            words = text
            while BULLET.match(words):  # "- ➔ Avant toute réunion…": one bullet is enough
                words = BULLET.sub("", words, count=1).strip()
            tail = _line_cut(reader, sid, quoted, phrases) if item else ()  # a table's cell is whole in its row
            close(Block(BlockKind.LIST_ITEM, (*label, Span(words, (n,), SpanSource.CORPUS), *tail)))
            if item or line_item:
                after = _next_item(reader, sid, settings) if item else _run_line(reader, sid, 1, settings)
                cut = after is not None and reader.sentences[after].text not in quoted
        elif runs_on and item_quoted_last and not (prose or label) and _ends_on_item(blocks):
            # the item quoted before goes on, on its line (« - Haute Autorité de santé. Structuration d'un…
            # https://… », « - les manques de financement sont patents… Les acteurs témoignent… ; »): part of that
            # item, not a paragraph between items
            tail = _line_cut(reader, sid, quoted, phrases)
            blocks[-1] = Block(BlockKind.LIST_ITEM, (*blocks[-1].spans, Span(text, (n,), SpanSource.CORPUS), *tail))
            quoted_item = True
        else:
            if (label or statement) and prose:  # a title alone, a table's next cell, a lead line: not run on
                close(None)
            # one « […] » for one cut (none after an item or a sentence that ends on it), before a note's number, not
            # inside it
            said_cut = _ends_on(blocks, phrases["item_cut"]) if not prose else prose[-1].text == phrases["item_cut"]
            titled_here = sentence.label or title  # a title right before it: nothing left out between them
            cut_before = follows_quote or mid_quotation
            # a heading further up (:func:`headed_by`), named as the sentence's label: what stands between is left out
            headed_here = bool(label) and bool(titled) and not titled_here
            if (
                not titled_here
                and not said_cut
                and (headed_here or _elided_before(reader, sid, antecedents, cut_before, settings))
            ):
                mark = Span(phrases["elided_before"])
                if (pointed := _section_pointed_at(reader, sid)) is not None:  # « Cette première étape… »
                    mark = Span(phrases["elided_section"].format(section=_section_named(pointed)))
                label = (mark, *label) if noted else (*label, mark)
            elif sentence.label and not said_cut and _cell_left_out(reader, sid, in_answer, -1, settings):
                label = (*label, Span(phrases["elided_before"]))  # « Partenariat : […] Recrutement de pairs-aidants. »
            prose += [*label, Span(text, (n,), SpanSource.CORPUS)]
            # what it points at is left out, or the rest of its table cell: « […] » says so
            if _points_ahead(reader, sid, quoted, settings) or (
                sentence.label and _cell_left_out(reader, sid, in_answer, 1, settings)
            ):
                prose.append(Span(phrases["item_cut"]))
            if statement:
                close(None)
    close(Block.phrase(BlockKind.LIST_ITEM, phrases["list_cut"]) if cut else None)
    return blocks


def _cell_left_out(reader: IndexReader, sid: int, quoted: Collection[str], step: int, settings: Settings) -> bool:
    """Whether the table cell ``sid`` is quoted from holds a sentence the answer leaves out right before it (``step``
    -1) or right after it (1): one that bears the same column and row (the matrix's « 3- Les actions d'accompagnement —
    Partenariat » holds four; quoted from its last, it read as whole)."""
    if step < 0:
        near = _previous(reader, sid)
    else:
        siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
        near = next(iter(_followers(reader, siblings, siblings.index(sid), settings)), None)
    other = reader.sentences[near] if near is not None else None
    return other is not None and other.label == reader.sentences[sid].label and other.text.strip() not in quoted


def _same_sentence(reader: IndexReader, one: int | None, other: int) -> bool:
    """Whether two sentence ids are one sentence of the document: the same, or its copy in the overlap of the next
    passage."""
    return one is not None and reader.sentences[one].text == reader.sentences[other].text


def _points_ahead(reader: IndexReader, sid: int, quoted: Collection[str], settings: Settings) -> bool:
    """Whether sentence ``sid`` points at what comes after it in the document (``points_ahead``: « … décrits
    ci-dessous ») and the answer does not quote the sentence that comes next, titles and footnotes read over: in the
    rest of its section, else in the next passage (the next section, a figure's caption)."""
    sentence = reader.sentences[sid]
    if sentence.label or not _anywhere("points_ahead").search(sentence.text):
        return False  # a table's cell points at another part of the document, not at the row after it
    siblings = reader.sentences_of[sentence.chunk_id]
    after = _followers(reader, siblings, siblings.index(sid), settings)
    if not after:
        here = reader.position[sentence.chunk_id]
        after = reader.sentences_of.get(reader.chunks[here + 1].chunk_id, []) if here + 1 < len(reader.chunks) else []
    # over a title, a table's header row, a footnote a page break left there
    said = [
        s
        for s in after
        if not (unended(reader.sentences[s].text) or _arrow_title(reader, s, settings) or _in_note(reader, s))
    ]
    if said and BULLET.match(reader.sentences[said[0]].text):
        return False  # a list: its items left out are said so where they are (``list_cut``)
    return not said or reader.sentences[said[0]].text not in quoted


def _line_cut(reader: IndexReader, sid: int, quoted: Collection[str], phrases: dict[str, str]) -> tuple[Span, ...]:
    """« […] » after a quoted item's sentence when its line goes on with a sentence the answer leaves out (« - Pour
    emporter l'adhésion… est décisif. » without « Le sujet envisagé… »): the item is not shown whole."""
    siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
    pos = siblings.index(sid)
    after = siblings[pos + 1] if pos + 1 < len(siblings) else None
    if after is None or not _same_line(reader, sid, after) or reader.sentences[after].text in quoted:
        return ()
    return (Span(phrases["item_cut"]),)


def _ends_on(blocks: list[Block], phrase: str) -> bool:
    """Whether the last block ends on the fixed phrasing ``phrase`` (an item's « […] »)."""
    return bool(blocks) and blocks[-1].spans[-1].source is SpanSource.PHRASE and blocks[-1].spans[-1].text == phrase


def _ends_on_item(blocks: list[Block]) -> bool:
    """Whether the last block is a quoted list item (not the mark of items left out)."""
    return (
        bool(blocks)
        and blocks[-1].kind is BlockKind.LIST_ITEM
        and any(span.source is SpanSource.CORPUS for span in blocks[-1].spans)
    )


def _corpus_texts(blocks: list[Block]) -> set[str]:
    """The sentences ``blocks`` quote from the corpus."""
    return {span.text for block in blocks for span in block.spans if span.source is SpanSource.CORPUS}


def _section_pointed_at(reader: IndexReader, sid: int) -> Chunk | None:
    """For a sentence :func:`_elided_before` marks, the section before it in its document when ``sid`` opens its own
    section (then it marks it for words that point back: « Parallèlement à la mise en place de ces lois… » after « Une
    législation qui permet d'asseoir la place des usager·ère·s », « Cette première étape… » after « Première étape :
    … »): a passage of it, or the heading without text of its own that opens between them (:func:`_heading_between`);
    None when ``sid`` does not open its section, or its section is its document's first."""
    if _previous(reader, sid) is not None:
        return None
    here = reader.position[reader.sentences[sid].chunk_id]
    own = reader.chunks[here]
    for before in range(here - 1, -1, -1):
        chunk = reader.chunks[before]
        if chunk.doc_id != own.doc_id:
            return None
        if not _same_section(chunk, own):
            return _heading_between(chunk, own) or chunk
    return None


def _heading_between(before: Chunk, own: Chunk) -> Chunk | None:
    """The heading right above ``own``'s section when no text of its own comes between it and ``before``, the section
    before: « À ce titre… » opens § 4.1.1 under « 4.1. Les approches systémiques », whose text is its subsections, and
    points at that heading, not at § 3.4 before it. As a passage of ``own`` named so; None when ``own``'s parent
    heading is one of ``before``'s (its text came before) or its sections have no numbers."""
    path = own.section_path.split(" > ")
    number, dot, _ = own.section_number.rpartition(".")
    if len(path) < 2 or not dot or path[-2] in before.section_path.split(" > "):
        return None
    return replace(
        own, section_number=number, section_title=without_numbering(path[-2]), section_path=" > ".join(path[:-1])
    )


def _section_named(chunk: Chunk) -> str:
    """A section as the answer names it: its number and title (« Partie 2, § 1.1.3 « … » », « § 5.3.1 « … » »), a
    fiche's subsection with its title too."""
    shown = section_display(chunk)
    title = chunk.section_title.rstrip(" :")
    return shown if "«" in shown or not title else f"{shown} « {title} »".strip()


def _elided_before(
    reader: IndexReader, sid: int, quoted: Collection[str], follows_quote: bool, settings: Settings
) -> bool:
    """Whether text the answer leaves out comes right before ``sid``, which « […] » then says: the sentence read
    before it (:func:`_previous`, over footnotes) is not ``quoted`` and ``sid`` either ``follows_quote`` (another
    sentence of its group is quoted above it) or points back (``refers_back``, :func:`points_back_within`) at that
    sentence, a chain read back no further (:func:`expand_antecedents`), or further back (``points_far_back``: « …
    évoquée plus haut… »); or, opening its section, ``sid`` points back at the text before it (a demonstrative among
    its first words too), unless it names what its title speaks of or points at its title there (« Ces freins… », « Ils
    sont bien identifiés… » under « Les freins », the title the answer shows), or answers its title's question. A
    sentence whose first words the document lost (:func:`~ingest.chunking.lost_start`) is cut wherever it is read."""
    here = reader.sentences[sid]
    text = here.text
    passage = reader.chunks[reader.position[here.chunk_id]].text
    if lost_start(passage[passage.rfind("\n", 0, here.start) + 1 : here.start], text):
        return True
    previous = _previous(reader, sid)
    far = _anywhere("points_far_back").search(text)
    if previous is None:
        pointing = far or refers_back().match(text) or points_back_within(reader, sid, opener=True, settings=settings)
        return bool(pointing) and not (
            _names_its_title(reader, sid) or _opening("points_at_title").match(text) or _answers_its_title(reader, sid)
        )
    if reader.sentences[previous].text.strip() in quoted:
        return False
    if far or refers_back().match(text) or points_back_within(reader, sid, settings=settings):
        return True
    # after a quoted sentence of its group: a quoted note right before it is not text left out (« Note 17 : … »,
    # « Note 18 : … »)
    return follows_quote and reader.sentences[_previous(reader, sid, quoted) or previous].text.strip() not in quoted


def _list_heading(chunk: Chunk, title: str, phrases: dict[str, str], lead: str) -> str:
    """The heading of a list its section's title introduces: that title, and the fiche it belongs to unless the
    ``lead`` above names it (« Quels contenus ? » alone does not say contents of what)."""
    if chunk.fiche and f"« {chunk.fiche_title} »" not in lead:
        return phrases["list_heading_fiche"].format(title=title, fiche=chunk.fiche, fiche_title=chunk.fiche_title)
    return phrases["list_heading"].format(title=title)


def _as_label(title: str, titled: str = "") -> str:
    """A title as a label: in « » when it is a title standing alone in the document (``titled``: « Le mécénat
    d'entreprise » : Ce type de mécénat…, not read as a sentence glued to its title), or when its own punctuation (a
    colon, a question mark) would run into the label's; a table's column name as written (« Participation : »); a title
    the document already writes between « » (« Pas seulement du café et des gâteaux ») keeps its own marks only."""
    if title.startswith("«") and title.endswith("»"):
        return title
    return f"« {title} »" if title == titled or ":" in title or title.endswith("?") else title


def _list_runs(
    reader: IndexReader, groups: list[tuple[int, list[int]]], settings: Settings
) -> list[list[tuple[int, list[int]]]]:
    """The quoted groups (passage, sentences) in order, those that carry one list over to the next passage of the
    same section, or one paragraph (:func:`_reads_on`), joined."""
    runs: list[list[tuple[int, list[int]]]] = []
    for group in groups:
        if runs and (_carries(reader, runs[-1][-1], group, settings) or _reads_on(reader, runs[-1][-1], group)):
            runs[-1].append(group)
            continue
        runs.append([group])
    return runs


def _reads_on(reader: IndexReader, before: tuple[int, list[int]], group: tuple[int, list[int]]) -> bool:
    """Whether ``group`` (passage, sentences) opens on the sentence that follows, in the same paragraph of the
    document, the last one the group ``before`` quotes from the passage just before it: a quotation that two
    passages share (« … généralement éloignées du soin. » / « En allant vers les usagers… ») reads as one paragraph."""
    (last_chunk, last), (chunk, sids) = before, group
    if not last or not sids or chunk != last_chunk + 1:
        return False
    earlier, later = reader.chunks[last_chunk], reader.chunks[chunk]
    if not _same_section(earlier, later):
        return False
    end = reader.sentences[last[-1]].end  # where the last quoted sentence ends, in the earlier passage's text
    start = later.char_start + reader.sentences[sids[0]].start - earlier.char_start  # the next one, in that text
    between = earlier.text[end:start]
    return start <= len(earlier.text) and not between.strip() and "\n" not in between


def _carries(
    reader: IndexReader,
    before: tuple[int, list[int]],
    group: tuple[int, list[int]],
    settings: Settings,
    introduced: bool = False,
) -> bool:
    """Whether ``group`` (passage, sentences) carries on the list that the group ``before`` ends in (on an item, its
    first line or a line it goes on with, or on the sentence that introduces the list; that sentence only when
    ``introduced``): it opens on an item of the next passage of the same section."""
    (last_chunk, last), (chunk, sids) = before, group
    if not last or not sids or not BULLET.match(reader.sentences[sids[0]].text):
        return False
    opens = introduces(reader, last[-1], settings)
    ending = opens if introduced else opens or bool(_item_run(reader, last[-1], settings))
    return ending and chunk == last_chunk + 1 and _same_section(reader.chunks[chunk], reader.chunks[last_chunk])


def _quotation_end(reader: IndexReader, before: tuple[int, list[int]], group: tuple[int, list[int]]) -> list[int]:
    """The sentences of ``group`` (passage, sentences) that end the quotation the group ``before`` leaves open (« «
    Dans les secteurs social… / Cet engagement nécessite… » then, in the next passage, « Cet engagement conjoint
    concourt… » »), none when it opens on another sentence: without them, the quotation would stop mid-way."""
    (_, last), (_, sids) = before, group
    if not last or not sids:
        return []
    quotation = _quotation_around(reader, last[-1])
    if sids[0] not in quotation or sids[0] == last[-1]:
        return []
    return [sid for sid in sids if sid in quotation]


def _previous_item(reader: IndexReader, sid: int, settings: Settings) -> int | None:
    """The item before the list item ``sid`` in its list (its passage's or the one before), if any: the first
    sentence of the item the sentence just before ``sid`` belongs to."""
    siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
    leaders = _leaders(reader, siblings, siblings.index(sid), settings)
    run = _item_run(reader, leaders[-1], settings) if leaders else []
    return run[0] if run and not _arrow_title(reader, run[0], settings) else None


def _repeats(blocks: list[Block], block: Block) -> bool:
    """Whether a fixed phrasing would say again what the block before it says (« […] » right after « […] »)."""
    return bool(blocks) and blocks[-1] == block and block.spans[0].source is SpanSource.PHRASE


def _after(blocks: list[Block], more: list[Block]) -> list[Block]:
    """``more`` to follow ``blocks``, without a « […] » right after another one (a list left out across two
    passages of a source)."""
    return more[1:] if more and _repeats(blocks, more[0]) else more


def _row_name(reader: IndexReader, sid: int) -> str:
    """The name of a table's row, when the cell sentence ``sid`` opens its row and so holds it (« 5- L'évaluation et la
    recherche — Information sur… », labelled with its column only): named as the row's later sentences are
    (« 5- L'évaluation et la recherche — Échange et partage d'information »), it is not quoted as a statement."""
    sentence = reader.sentences[sid]
    chunk = reader.chunks[reader.position[sentence.chunk_id]]
    opens_row = sentence.start == 0 or chunk.text[: sentence.start].rstrip(" \t").endswith("\n")
    if not opens_row or CELL_SEPARATOR not in sentence.text or CELL_SEPARATOR in sentence.label:
        return ""
    return sentence.text.split(CELL_SEPARATOR, 1)[0].strip()


def _next_item(reader: IndexReader, sid: int, settings: Settings) -> int | None:
    """The item after the list item ``sid`` in its list (its passage's or the next one's), if any: a title marked with
    an arrow (« → Du côté des usagers ») ends the list."""
    siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
    pos = siblings.index(sid)
    for follower in _followers(reader, siblings, pos, settings):
        if BULLET.match(reader.sentences[follower].text):
            return None if _arrow_title(reader, follower, settings) else follower
        if not _same_line(reader, sid, follower):
            return None
    return None


def titled_by(reader: IndexReader, sid: int, settings: Settings | None = None) -> str:
    """The title standing alone just before a sentence (« Le diagnostic thématique », then « Il a vocation à
    mesurer… »), in its passage or at the end of the one before: never quoted itself, it names what the sentence
    speaks of; "" when there is none, or when the sentence says the title's words again."""
    settings = settings or default_settings()
    previous = _previous(reader, sid)
    if previous is None or not _standalone_title(reader, previous, settings) or _adds_to_before(reader, sid):
        return ""
    title = reader.sentences[previous].text.strip()
    # an item of a list, a number alone ("18"): no title; a line marked with an arrow may be one
    if (BULLET.match(title) and not _arrow_title(reader, previous, settings)) or not _WORD.search(title):
        return ""
    title = title.lstrip(ARROWS).strip()
    said_again = (
        len(title.split()) >= settings.quote_said_again_words
        and title.casefold() in reader.sentences[sid].text.casefold()
    )
    return "" if said_again else title


def headed_by(reader: IndexReader, sid: int, quoted: Collection[str] = (), settings: Settings | None = None) -> str:
    """The line marked with an arrow that heads the part of its section a sentence belongs to, standing further up
    than the sentence just before it, read over passages (« → Une expérimentation est en cours sur le financement de
    structures d'exercice coordonné participatives », then, two paragraphs on, « Le financement de l'expérimentation
    est assuré par le FISS… »): it says what the sentence's definite nouns speak of. "" when the sentence opens on
    what adds to the text before it (« Par ailleurs, … »: it moves on), when it is such a line itself, when the line
    is ``quoted`` (with or without its arrow) or another sentence between them is (that one bears the heading, once),
    or when a nearer title heads it (« Mémo » over its items). A statement marked so heads what follows when it is no
    longer than a title naming its subject (``quote_named_title_max``, its reference number left out); a longer one
    (« → Le partenariat enchaîne le plus souvent ces trois dimensions et vise en plus… ») says something of its own
    paragraph. A line a list follows (« → Du côté des usagers », then « - Recrutés au sein… ») heads the list's items,
    not the text after the list."""
    settings = settings or default_settings()
    written = reader.sentences[sid].text.lstrip()
    before = _previous(reader, sid)
    if _adds_to_before(reader, sid) or written[:1] in ARROWS or before is None:
        return ""
    here, after = before, sid
    while here is not None:
        text = reader.sentences[here].text.strip()
        if text in quoted and text[:1] not in ARROWS:  # a sentence under the same heading is quoted: it bears it
            return ""
        if text[:1] in ARROWS and (_arrow_title(reader, here, settings) or _arrow_statement(reader, here, settings)):
            line = text.lstrip(ARROWS).strip()
            heading = _NOTE_CALL.sub("", line)
            listed = BULLET.match(reader.sentences[after].text) and not BULLET.match(written)
            said = text in quoted or line in quoted  # quoted, as a paragraph without its arrow
            heads = len(heading) <= settings.quote_named_title_max and not said and here != before
            return heading if heads and not listed else ""
        if _standalone_title(reader, here, settings):  # a nearer title heads it (« Mémo », over its items)
            return ""
        here, after = _previous(reader, here), here
    return ""


_NOTE_CALL = re.compile(r"\s*\(\d{1,3}\)$")  # « … participatives (30) »: the number of a reference, not the title's
_WORD = re.compile(r"[^\W\d_]{3}")
_SQUARES = "▪•"  # other marks a title may bear, like an item


def _adds_to_before(reader: IndexReader, sid: int) -> bool:
    """Whether a sentence adds to what the text said before it (``adds_to_before``: « Par ailleurs, … »): a line
    standing alone just before it is a caption the text runs past, not its title."""
    return bool(_opening("adds_to_before").match(reader.sentences[sid].text))


def _arrow_title(reader: IndexReader, sid: int, settings: Settings) -> bool:
    """A title standing alone marked with an arrow (« → Du côté des professionnels », then « - Ils peuvent… »): it
    titles what follows, unless the sentence after it bears the same arrow (then it is an item of a list of them)."""
    text = reader.sentences[sid].text.strip()
    if text[:1] not in ARROWS or not _standalone_title(reader, sid, settings):
        return False
    siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
    pos = siblings.index(sid)
    after = reader.sentences[siblings[pos + 1]].text.lstrip() if pos + 1 < len(siblings) else ""
    return not after.startswith(text[0])


def _arrow_statement(reader: IndexReader, sid: int, settings: Settings) -> bool:
    """A line marked with an arrow and too long for a title (``quote_title_max``), with prose after it: a statement that
    leads its paragraph without an end mark (« → Le partenariat enchaîne le plus souvent ces trois dimensions… »), not
    an item (the line after it bears no mark) nor a title (:func:`_standalone_title`)."""
    text = reader.sentences[sid].text.strip()
    line = text.lstrip(ARROWS).strip()
    if text[:1] not in ARROWS or len(line) <= settings.quote_title_max or not unended(line):
        return False
    siblings = reader.sentences_of[reader.sentences[sid].chunk_id]
    after = _followers(reader, siblings, siblings.index(sid), settings)
    return bool(after) and not BULLET.match(reader.sentences[after[0]].text)


def _link_line(text: str) -> bool:
    """A line without end mark that ends on a web address, maybe in brackets: a link's text (« Haute Autorité de Santé -
    Matrice de maturité en soins primaires : présentation du référentiel (has-sante.fr) (https://…) »), not a
    sentence to run into the prose before it."""
    return unended(text) and bool(_LINK_END.search(text))


_LINK_END = re.compile(rf"{_URLS.pattern}\s*$")  # a web address (:data:`_URLS`) ending the line


# a sentence's end: a mark, or a closing bracket after one ("… marqué.)"), or a speaker after a quotation
# ("… nécessaire. » (Mme C)"); a line ending on an aside ("… autour du patient (ex: personne âgée)") has none
_ENDED = re.compile(r"(?:[.!?:;…»\]\"”]|[.!?…»”\"]\s*\([^()]{1,40}\)|\([^()]*[.!?…]\))\s*$")


def unended(text: str) -> bool:
    """A line the document writes without an end mark (a label, a slide line, an item without bullet)."""
    return not _ENDED.search(text) and not BULLET.match(text)


_PUNCTUATED = re.compile(r"[.!?…;][\s»\"”)\]]*$")  # a title may end with "(49)" or "»", not with a period


def _standalone_title(reader: IndexReader, sid: int, settings: Settings) -> bool:
    """Whether a sentence is a line alone that ends without a mark, not one of a run of such lines: the title
    of what follows ("→ Les fondations et bailleurs de fonds privés", "Centres et maisons de santé
    « participatifs »", "Le projet de santé de la CPTS : un outil pour l'action"), often the last line of a
    passage, not a statement to quote. Alone: in its own paragraph, or on the first line of a paragraph whose
    text starts on the next line (a PDF keeps no blank line after a title)."""
    here = reader.sentences[sid]
    written = here.text.strip()
    line = written.lstrip(ARROWS + _SQUARES).strip()
    marked = line != written or bool(BULLET.match(written))  # an item of a list, rather than a title
    # « Quelle gouvernance a été privilégiée ? » alone before its paragraph; not a layout fragment (« PLACE ? »)
    asked = line.endswith("?") and len(line.split()) >= settings.quote_question_title_words and line != line.upper()
    if (_PUNCTUATED.search(line) and not asked) or line.endswith(":") or footnote_label().match(line):
        return False
    if _in_line_run(reader, sid):
        return False
    if ":" in line:  # « X : … » says something of X, unless a noun phrase follows (« … : un outil pour l'action »)
        _, _, rest = line.partition(":")
        if (
            marked
            or len(line) > settings.quote_named_title_max
            or "://" in line
            or not _opening("title_complement", "").match(rest.strip())
        ):
            return False
    elif len(line) > settings.quote_title_max:
        return False  # a long line is a statement whose period was lost
    text = reader.chunks[reader.position[here.chunk_id]].text
    before, after = text[: here.start].rstrip(" \t"), text[here.end :].lstrip(" \t")
    if "\n" in text[here.start : here.end] or (before and not before.endswith("\n\n")):
        return False
    if not after or after.startswith("\n\n"):
        return True
    return not marked and after.startswith("\n") and after[1:2].isupper()


def _in_line_run(reader: IndexReader, sid: int) -> bool:
    """Whether a sentence is one of two or more lines in a row of its passage that end without a mark:
    items of a list the document writes without bullets ("Participer au diagnostic de territoire" /
    "Alimenter le diagnostic…"), shown as list items rather than run into prose. The line before a table's header
    row is no such line: it is the table's caption."""
    sentences = reader.sentences
    here = sentences[sid]
    if not unended(here.text.strip()):
        return False
    return any(
        0 <= other < len(sentences)
        and sentences[other].chunk_id == here.chunk_id
        and not (other > sid and sentences[other].header)
        and unended(sentences[other].text.strip())
        for other in (sid - 1, sid + 1)
    )


def _run_line(reader: IndexReader, sid: int, step: int, settings: Settings) -> int | None:
    """The line just before (``step`` −1) or after (1) a line of a run of lines without end marks
    (:func:`_in_line_run`), in its passage, when it is of the run too and the run is a list (``quote_line_list_lines``
    lines at least): an item of a list the document writes without bullets that the answer may leave out (« Développer
    des actions territoriales de prévention » between two missions quoted); not the subtitle of a cover's title."""
    sentences = reader.sentences

    def in_run(other: int) -> bool:
        return (
            0 <= other < len(sentences)
            and sentences[other].chunk_id == sentences[sid].chunk_id
            and unended(sentences[other].text.strip())
            and not sentences[other].header
        )

    run = 1
    for direction in (-1, 1):
        other = sid + direction
        while in_run(other):
            run, other = run + 1, other + direction
    neighbour = sid + step
    return neighbour if run >= settings.quote_line_list_lines and in_run(neighbour) else None


def document_label(labels: dict[str, str], chunk: Chunk) -> str:
    """How the answer names a passage's document: its manifest label, else its title."""
    return labels.get(chunk.doc_id) or chunk.doc_title


def lead_line(reader: IndexReader, phrases: dict[str, str], chunk_index: int, labels: dict[str, str]) -> Block:
    """The lead naming the fiche, section or document a group of quotes comes from."""
    chunk = reader.chunks[chunk_index]
    doc = document_label(labels, chunk)
    if chunk.fiche:
        text = phrases["lead_fiche"].format(fiche=chunk.fiche, fiche_title=chunk.fiche_title, doc=doc)
    elif section := section_display(chunk):
        text = phrases["lead_section"].format(doc=doc, section=section)
    else:
        text = phrases["lead_document"].format(doc=doc)
    return Block.phrase(BlockKind.LEAD, text)


def next_lead(chunk: Chunk, phrases: dict[str, str]) -> Block | None:
    """The lead of quotes from another fiche or section of the document quoted just above: its fiche, or its section
    (the document is said already); None for a document without sections."""
    if chunk.fiche:
        return Block.phrase(
            BlockKind.LEAD, phrases["lead_next_fiche"].format(fiche=chunk.fiche, fiche_title=chunk.fiche_title)
        )
    section = section_display(chunk)
    return Block.phrase(BlockKind.LEAD, phrases["lead_next_section"].format(section=section)) if section else None


def _adds_to(evidence: list[Evidence], chosen: list[Evidence], taken: set[int], gain: float) -> bool:
    """Does a part's best sentence cover the part's words clearly better than what the answer already
    quotes (measured with the part's own weights)?"""
    if not chosen:
        return False
    already = max((e.coverage for e in evidence if e.sentence in taken), default=0.0)
    return chosen[0].sentence not in taken and chosen[0].coverage >= already + gain


@dataclass
class GenerationRequest:
    """What a generator gets: the understood question, the ranked passages and the scored sentences."""

    question: str
    parts: list[str]
    evidence: list[list[Evidence]]  # per part, best first
    candidates: list[int]  # chunk indexes, best first
    whole: list[Evidence] = field(default_factory=list)  # the whole question's evidence (multi-part questions)
    premise_sentence: int | None = None
    premise_explicit: bool = True  # "puisque …" (the question assumes it) vs an assertion in the question
    role: Role | None = None
    history: list[str] = field(default_factory=list)  # previous user questions, oldest first
    enumeration: bool = False  # the question asks for a list (« quels sont… », « des exemples »)
    on_token: Callable[[str], None] | None = None  # progress of a streaming generator (draft text)
    pointed: frozenset[int] = frozenset()  # the fiches the guide's own question table sends the question to


@dataclass
class GenerationResult:
    """What a generator writes: the answer's blocks and the citations their markers point to."""

    blocks: list[Block]
    citations: list[Citation]
    notes: list[str] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)
    missing: str | None = None  # what the documents do not give, said by a generator that checks it (an LLM)


@dataclass(frozen=True)
class _Named:
    """What the lead above the next quotes names: its document and fiche or section, and its text."""

    unit: tuple[str, object] | None = None
    lead: str = ""


def completed(
    reader: IndexReader,
    sentence_ids: list[int],
    asked: Callable[[str], bool],
    shown: Collection[int],
    settings: Settings | None = None,
) -> list[int]:
    """Chosen sentences as the answer quotes them: a line that leads its paragraph with the paragraph's first sentence
    (:func:`expand_leads`), with the contrast that qualifies them (:func:`expand_qualifications`), a list's
    introduction with its items (:func:`expand_lists`), a sentence that points back with what it points at
    (:func:`expand_antecedents`), a quotation whole, a resource's description with its entry (:func:`expand_entries`),
    each sentence once where two passages overlap, a question with the alternatives its paragraph asks after it."""
    settings = settings or default_settings()
    led = expand_qualifications(reader, expand_leads(reader, sentence_ids, settings))
    listed = expand_lists(reader, led, asked, settings=settings)
    quoted = expand_quotations(reader, expand_antecedents(reader, listed, shown, settings=settings), settings)
    return unshared(reader, expand_question_series(reader, expand_entries(reader, quoted, settings)))


class ExtractiveGenerator:
    """Answers with the corpus's own sentences: each group under a lead naming its source, quoted sentences with [n],
    then the sources. The only words it adds are the fixed phrasings of ``prompts/extractive.toml``."""

    name = "extractif"

    def __init__(
        self,
        reader: IndexReader,
        phrases: dict[str, str],
        labels: dict[str, str],
        max_sentences: int,
        margin: float,
        authority_bonus: float,
        part_gain: float,
        floor: float = 0.0,
        analyze: Callable[[str], list[str]] | None = None,
        opener_coverage: float = 0.0,
        max_characters: int = 0,
        truncated_min_words: int = 0,
        spoken_penalty: float = 0.0,
        settings: Settings | None = None,
    ) -> None:
        self.reader = reader
        self.settings = settings or default_settings()  # what a quote reads around it (``quote_*``)
        self.spoken_penalty = spoken_penalty  # an interviewee's words, after what the study concludes
        self.max_characters = max_characters  # quoted at most in an answer (see _within_length)
        self.opener_coverage = opener_coverage  # a list's introduction, for a question asking for no list
        self.analyze = analyze  # the words of a text as the search reads them: what a question asks about
        self.phrases = phrases
        self.labels = labels
        self.max_sentences = max_sentences
        self.margin = margin
        self.authority_bonus = authority_bonus
        self.part_gain = part_gain
        self.floor = floor
        # never quoted: a table's header rows, a sentence another document writes whole
        self.headers = header_rows(reader) | (
            truncated_copies(reader, truncated_min_words) if truncated_min_words else frozenset()
        )

    def generate(self, request: GenerationRequest) -> GenerationResult:
        reader = self.reader
        book = CitationBook(reader, self.labels)
        asked = self._asks_about(request.question, request.enumeration)
        multi = len(request.parts) > 1 and bool(request.whole)
        taken: list[str] = []
        taken_ids: set[int] = set()
        quoted: set[int] = set()  # every sentence a section quotes, with what completes it: a later part repeats none
        premise = request.premise_sentence
        # the whole question answers first; a part adds its own section only with what the whole missed
        sections: list[tuple[str, list[tuple[int, list[int]]]]] = []
        scores: dict[int, float] = {}  # the chosen sentences' scores: how close each group's best comes to the question
        plan = [("", request.whole or request.evidence[0], self.max_sentences)]
        if multi:  # a part quotes ``part_min_sentences`` at least
            part_quota = max(self.settings.part_min_sentences, self.max_sentences // len(request.parts))
            plan += [(p, e, part_quota) for p, e in zip(request.parts, request.evidence, strict=True)]
        told = study_asked(request.question)  # the author's account of her study answers a question about it
        for part, found, quota in plan:
            evidence = found if request.enumeration else self._without_stray_lists(found)
            if not told:
                evidence = [e for e in evidence if not self._author_speaks(e)] or evidence
                evidence = self._findings_first(evidence)
            chosen = choose_sentences(
                reader, evidence, quota, self.margin, self.floor, taken, self.headers, settings=self.settings
            )
            if premise is not None:
                chosen = [e for e in chosen if e.sentence != premise]
            if part and not _adds_to(evidence, chosen, taken_ids, self.part_gain):
                continue
            taken.extend(reader.sentences[e.sentence].text for e in chosen)
            taken_ids.update(e.sentence for e in chosen)
            scores.update({e.sentence: max(e.score, scores.get(e.sentence, e.score)) for e in chosen})
            shown = taken_ids if premise is None else {*taken_ids, premise}  # the premise is quoted in its notice
            completion = completed(reader, [e.sentence for e in chosen], asked, shown, self.settings)
            expanded = [s for s in completion if s != premise and s not in quoted]
            quoted.update(expanded)
            groups = order_groups(
                reader,
                chosen,
                expanded,
                self.authority_bonus,
                lambda c: lead_unit(reader.chunks[c]),
                settings=self.settings,
            )
            if groups:
                sections.append((part, groups))
        sections = [(part, in_reading_order(reader, groups)) for part, groups in self._within_length(sections)]
        blocks: list[Block] = []
        named = _Named()
        if premise is not None:
            # the sentence that nuances the question's premise is quoted first, under its notice and its source,
            # read as any quote (its antecedent, its list) but for what the answer quotes below
            below = {sid for _, groups in sections for _, sids in groups for sid in sids}
            blocks.append(Block.phrase(BlockKind.NOTICE, self._premise_note(request)))
            by_chunk: dict[int, list[int]] = {}
            for sid in (s for s in completed(reader, [premise], asked, below, self.settings) if s not in below):
                by_chunk.setdefault(reader.position[reader.sentences[sid].chunk_id], []).append(sid)
            named = self._render_groups(book, sorted(by_chunk.items()), blocks, named)
        first_chunk = sections[0][1][0][0] if sections else None
        further: list[tuple[int, list[int]]] = []  # quoted once, after every part
        # the source the premise's notice quotes: the answer opens on it
        opened = None
        if premise is not None:
            opened = lead_unit(reader.chunks[reader.position[reader.sentences[premise].chunk_id]])
        for part, groups in sections:
            heading = len(blocks)
            if part:
                blocks.append(Block.phrase(BlockKind.PART_HEADING, self.phrases["part_heading"].format(part=part)))
                named = _Named()
            answering, moved = self._further(groups, scores, request.pointed, opened)
            further += moved
            named = self._render_groups(book, answering, blocks, named)
            if part and len(blocks) == heading + 1:
                blocks.pop()  # every group of the part says again what the answer says above: no heading over nothing
        if further:
            heading = len(blocks)
            blocks.append(Block.phrase(BlockKind.FURTHER, self.phrases["further_heading"]))
            self._render_groups(book, further, blocks, _Named())
            if len(blocks) == heading + 1:
                blocks.pop()  # every one of them says again what the answer says above
        return GenerationResult(blocks, book.citations(), details={"lead_chunk": first_chunk})

    def _further(
        self,
        groups: list[tuple[int, list[int]]],
        scores: dict[int, float],
        pointed: frozenset[int] = frozenset(),
        opened: tuple[str, object] | None = None,
    ) -> tuple[list[tuple[int, list[int]]], list[tuple[int, list[int]]]]:
        """The groups that answer, and those shown after the answer as passages close to the question that may not
        answer it: the sources (:func:`lead_unit`) after the first whose best chosen sentence scores under
        ``further_below``, and under the first's (chosen on labelled blocks: most are quoted for a word the question
        uses in another sense, « au profit de » for « A qui profite la participation ? », or for its general words
        alone). A passage quoted only to complete the one beside it (no chosen sentence of its own: a list's items, a
        quotation's end, an antecedent) goes with it; a fiche the guide itself sends the question to (``pointed``) and
        the source quoted under the premise's notice (``opened``: the answer opens on it) are never set apart; nothing
        is left out."""
        if not groups:
            return [], []
        best: dict[tuple[str, object], float] = {}
        for chunk, sids in groups:
            unit = lead_unit(self.reader.chunks[chunk])
            for sid in sids:
                if sid in scores:
                    best[unit] = max(best.get(unit, scores[sid]), scores[sid])
        first = lead_unit(self.reader.chunks[groups[0][0]])
        below = min(self.settings.further_below, best.get(first, self.settings.further_below))

        def far(chunk: int) -> bool | None:  # None: a source with no chosen sentence of its own
            unit = lead_unit(self.reader.chunks[chunk])
            if unit not in best:
                return None
            kept = unit in (first, opened) or self.reader.chunks[chunk].fiche in pointed
            return not kept and best[unit] < below

        fate = {chunk: far(chunk) for chunk, _ in groups}
        for chunk, _ in groups:  # a completion goes with the passage it completes, just before or after it
            if fate[chunk] is None:
                beside = [fate.get(chunk - 1), fate.get(chunk + 1)]
                fate[chunk] = next((f for f in beside if f is not None), False)
        return [g for g in groups if not fate[g[0]]], [g for g in groups if fate[g[0]]]

    def _within_length(
        self, sections: list[tuple[str, list[tuple[int, list[int]]]]]
    ) -> list[tuple[str, list[tuple[int, list[int]]]]]:
        """The quoted groups, in order, while they hold ``max_characters`` of quoted text in all: the groups after
        are neither quoted nor cited (a long answer is read less than a short one), but for the first group of each
        section (the whole question's, and a part's, which the answer must not drop unsaid) and a group that holds the
        items of the list the group before it introduces (« … distinguant trois paliers : », then the next passage), or
        the end of the quotation it leaves open (only that end, when the whole group would exceed the bound)."""
        if not self.max_characters:
            return sections
        length = 0
        kept: list[tuple[str, list[tuple[int, list[int]]]]] = []
        for part, groups in sections:
            within: list[tuple[int, list[int]]] = []
            for n, group in enumerate(groups):
                size = sum(len(self.reader.sentences[sid].text) for sid in group[1])
                if n and length + size > self.max_characters:
                    if closing := _quotation_end(self.reader, within[-1], group):
                        group = (group[0], closing)  # only the end of the quotation the group before leaves open
                        size = sum(len(self.reader.sentences[sid].text) for sid in closing)
                    elif not _carries(self.reader, within[-1], group, self.settings, introduced=True):
                        continue  # not the items of a list whose introduction ends the group before
                within.append(group)
                length += size
            kept.append((part, within))
        return kept

    def _premise_note(self, request: GenerationRequest) -> str:
        """The notice over the sentence that nuances the question: what the question takes for granted is not
        confirmed (« puisque … »), or the absolute word of its assertion is nuanced, named as the question writes it
        (« le terme « forcément » de la question »; « ce point » for a caller that gives no such word)."""
        if request.premise_explicit:
            return self.phrases["note_false_premise"]
        question = request.question
        found = premise_rules()[0].search(question)
        if found is None:
            return self.phrases["note_nuance"]
        # the whole word (« obligat » → « obligatoirement »), not « l' » before it
        start = found.start() - len(re.search(r"[\w-]*$", question[: found.start()]).group())  # type: ignore[union-attr]
        end = found.end() + len(re.match(r"[\w-]*", question[found.end() :]).group())  # type: ignore[union-attr]
        return self.phrases["note_nuance_word"].format(word=question[start:end])

    def _render_groups(
        self, book: CitationBook, groups: list[tuple[int, list[int]]], blocks: list[Block], named: _Named
    ) -> _Named:
        """Add quoted groups (passage, sentences) to ``blocks``, each under the lead of its own fiche or section: a
        passage of another source does not read as the first one's; within one document, the lead names the next
        fiche or section only; a group whose every sentence the blocks above already say (:func:`_says_again`: the
        documents copy one another) is left out, uncited. ``named``: what the lead above names (the quote under the
        notice may be followed by more of the same section), returned for the groups that follow."""
        reader = self.reader
        shown = _corpus_texts(blocks)  # quoted above: what a sentence pointing back may point at
        quoted_texts = {reader.sentences[s].text.strip() for _, group in groups for s in group}
        last: int | None = None  # the sentence quoted last
        for run in _list_runs(reader, groups, self.settings):
            sids = [s for _, group in run for s in group]
            if shown and all(any(_says_again(reader.sentences[s].text, t, self.settings) for t in shown) for s in sids):
                continue  # another source above says all of it (the documents copy one another): not quoted twice
            chunk = reader.chunks[run[0][0]]
            unit = lead_unit(chunk)
            if named.unit is None or unit[0] != named.unit[0]:
                lead: Block | None = lead_line(reader, self.phrases, run[0][0], self.labels)
            else:
                lead = next_lead(chunk, self.phrases) if unit != named.unit else None
            named = _Named(unit, lead.text if lead is not None else named.lead)
            if lead is not None:
                blocks.append(lead)
            # a list read over two passages that follow each other is rendered as one list (its title said once,
            # « […] » only where items are left out), a paragraph they share as one paragraph
            numbers = {book.cite(chunk, group) for chunk, group in run}
            # an earlier passage of the section quoted just above: what stands between them is left out
            above = reader.position[reader.sentences[last].chunk_id] if last is not None else None
            same = above is not None and _same_section(reader.chunks[above], chunk)
            after = last if same and above < run[0][0] else None  # type: ignore[operator]
            # another section of the fiche the quotes above are of: its title says where the quotes move on to (not
            # the fiche's opening, titled with the fiche's name the lead above says)
            moved = lead is None and bool(chunk.fiche) and above is not None and not same
            moved = moved and fiche_of(chunk.section_title) is None
            group_blocks = render_group(
                reader,
                sids,
                min(numbers),
                self.phrases,
                named.lead,
                shown,
                quoted_texts,
                after,
                section=chunk.section_title if moved else "",
                settings=self.settings,
            )
            rendered = _after(blocks, group_blocks)
            last = sids[-1]
            blocks += rendered
            shown |= _corpus_texts(rendered)
        return named

    def _author_speaks(self, e: Evidence) -> bool:
        """A study's author speaking of her own work (not what an interviewee says), or a sentence of the sections
        where the study describes itself."""
        reader = self.reader
        chunk = reader.chunks[e.chunk]
        if study_apparatus(chunk.section_path, chunk.kind):
            return True
        said = author_speaks(reader.sentences[e.sentence].text, chunk.kind)
        return said and not _within_quotation(reader, e.sentence)

    def _findings_first(self, evidence: list[Evidence]) -> list[Evidence]:
        """The evidence with the sentences where a study quotes a person it interviewed (:func:`interviewee_speaks`)
        scored ``spoken_penalty`` lower: what the study concludes is quoted before what one person told it."""
        if not self.spoken_penalty:
            return evidence
        scored = (
            replace(e, score=e.score - self.spoken_penalty) if interviewee_speaks(self.reader, e.sentence) else e
            for e in evidence
        )
        return sorted(scored, key=lambda e: (-e.score, e.sentence))

    def _without_stray_lists(self, evidence: list[Evidence]) -> list[Evidence]:
        """For a question asking for no enumeration, the evidence without the introductions of a list that, with
        their items, hold less than ``opener_coverage`` of the question's words: quoted, such an introduction brings
        its whole list (« … peut être considérée comme une opportunité pour : » and its seven items, for any
        question on the CPTS and its users), while « À savoir : » before the item that answers is kept; all of it
        when nothing else is left."""
        reader = self.reader
        coverage = {e.sentence: e.coverage for e in evidence}

        def stray(e: Evidence) -> bool:
            if e.coverage >= self.opener_coverage or not _opens_items(reader, e.sentence, self.settings):
                return False
            siblings = reader.sentences_of[reader.sentences[e.sentence].chunk_id]
            items, _ = _items_after(
                reader, siblings, siblings.index(e.sentence), set(), self.settings.quote_list_items, self.settings
            )
            return all(coverage.get(item, 0.0) < self.opener_coverage for item in items)

        return [e for e in evidence if not stray(e)] or evidence

    def _asks_about(self, question: str, enumeration: bool) -> Callable[[str], bool]:
        """Whether a title is what ``question`` asks about: the question uses every word of it, two words at least
        (``quote_asked_list_title_words``) unless the question asks for an enumeration or says nothing else (« Quels
        contenus ? » for « Quels contenus doit comporter une formation ? », « Pour les usagers » for « et pour les
        usagers ? », not for « Le conseil pour l'engagement des usagers, il est composé comment ? »); never without an
        ``analyze``."""
        if self.analyze is None:
            return lambda title: False
        analyze, words = self.analyze, set(self.analyze(question))
        least = self.settings.quote_asked_list_title_words

        def asked(title: str) -> bool:
            found = set(analyze(title))
            return bool(found) and found <= words and (enumeration or len(found) >= least or words <= found)

        return asked

    def condense(self, question: str, history: list[str]) -> str | None:
        """The extractive generator does not rewrite follow-ups (the question understanding does)."""
        return None
