"""The entries of the documents' directories. In back matter (the guide's § 7.2, « Des structures d'accompagnement
et de formation »), a title standing alone names an organisation and the sentences under it say what it is and does
(« Les IREPS », then « Les instances régionales d'éducation et de promotion de la santé (IREPS) sont des associations
… Elles exercent ainsi plusieurs missions : … »). A question about one of them (« Quelles sont les missions de
l'IREPS ? », « Qu'est-ce qu'une structure régionale d'appui ? ») asks for that support structure: its entry answers
it, whole, though back matter answers no other question."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from assistant.compose import unended
from assistant.rules import QueryRules, phrase_pattern
from ingest.cleaning import BULLET
from ingest.index import IndexReader
from ingest.lexical import fold_accents
from ingest.models import Sentence
from ingest.roles import PassageRole

_ARTICLE = re.compile(r"^(?:(?:les|le|la|un|une|des)\s+|l['’]\s*)", re.I)  # not the « Le » of « Leviers »
_BRACKETS = re.compile(r"\s*\(([^()]{2,80})\)")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z]*[A-Z]$")  # « SRA », « IREPS »; « AVECsanté » is a name, not an acronym
_PARTS = re.compile(r"\s+et\s+(?:ses|leurs|son|sa)\s+")  # « France Assos Santé et ses délégations régionales »


@dataclass(frozen=True)
class Entry:
    """An organisation a directory describes: its title, what a question may call it, the sentences under it."""

    title: str
    names: tuple[str, ...]
    sentences: tuple[int, ...]

    def called_in(self, text: str) -> bool:
        """Whether ``text`` calls this entry by one of its names (« SRA », « structure régionale d'appui »)."""
        folded = fold_accents(text.lower())
        return any(_calls(text, folded, name) for name in self.names)


def _initials(name: str) -> str:
    joiners = set(QueryRules.load().acronym_joiners)  # the short words a spelled-out acronym holds (« d' », « de »)
    words = re.findall(r"[^\W\d_]+", fold_accents(name.lower()))
    return "".join(w[0] for w in words if w not in joiners)


def entry_names(title: str) -> tuple[str, ...]:
    """What a question may call the thing a title names: the title without its article, arrow or brackets, the
    first part of « X et ses Y » (« France Assos Santé »: its « délégations régionales » are not the only ones), and
    an acronym in brackets that spells the name's initials (« Les structures régionales d'appui (SRA) » →
    « structures régionales d'appui », « SRA »; not « ETP » for « Les pôles régionaux de référence en éducation
    thérapeutique du patient (ETP) », which names the education, not the pôles)."""
    line = BULLET.sub("", title).strip(" ➔→➢►▪■•-\t")
    bracketed = _BRACKETS.findall(line)
    bare = _ARTICLE.sub("", _BRACKETS.sub("", line)).strip()
    names = [bare, _PARTS.split(bare)[0].strip()]
    names += [b for b in bracketed if _ACRONYM.match(b) and b.lower() == _initials(bare)]
    return tuple(dict.fromkeys(n for n in names if len(n) >= 2))


class Directory:
    """The entries of the back matter's directories, read once per index."""

    def __init__(self, entries: list[Entry], terms: Callable[[str], list[str]], topic_words: int) -> None:
        self.entries = entries
        self.terms = terms  # the words of a text as the search reads them
        self.topic_words = topic_words

    @classmethod
    def build(
        cls, reader: IndexReader, terms: Callable[[str], list[str]], topic_words: int, title_max: int
    ) -> Directory:
        """Each title of a passage listing resources opens an entry, which runs to the next title or the end of its
        section; a sentence two overlapping passages share (the same place in the document) is read once. A title is
        ``title_max`` characters at most (setting ``quote_title_max``, as the answer reads titles)."""
        entries: list[Entry] = []
        title, under, section, seen = "", [], None, set()

        def close() -> None:
            if title and under:
                entries.append(Entry(title, entry_names(title), tuple(under)))

        for chunk in reader.chunks:
            if chunk.role is not PassageRole.RESOURCES:
                continue
            if (chunk.doc_id, chunk.section_path) != section:
                close()
                title, under, section, seen = "", [], (chunk.doc_id, chunk.section_path), set()
            ids = reader.sentences_of.get(chunk.chunk_id, [])
            for n, sid in enumerate(ids):
                sentence = reader.sentences[sid]
                if (where := chunk.char_start + sentence.start) in seen:
                    continue
                seen.add(where)
                following = reader.sentences[ids[n + 1]].text.strip() if n + 1 < len(ids) else ""
                if _heads(chunk.text, sentence, following, title_max):
                    close()
                    title, under = sentence.text.strip(), []
                elif title:
                    under.append(sid)
        close()
        return cls(entries, terms, topic_words)

    def asked(self, questions: Iterable[str]) -> list[Entry]:
        """The entries a question (or one of its parts) is about: it calls each by one of its names and says little
        else of its own (at most ``topic_words`` other words: « missions », « objectifs », « rôle »). « Quel est le
        rôle de France Assos Santé Occitanie auprès des représentants en CPTS ? » is about its role towards them,
        not about the organisation. A question about two of them (« l'IREPS et la SRA ») gets both."""
        found: list[Entry] = []
        for question in questions:
            folded = fold_accents(question.lower())
            called = {e.title: [n for n in e.names if _calls(question, folded, n)] for e in self.entries}
            named = [e for e in self.entries if called[e.title]]
            other = set(self.terms(question)) - {t for e in named for n in called[e.title] for t in self.terms(n)}
            if named and len(other) <= self.topic_words:
                found += [e for e in named if e not in found]
        return found


def _heads(passage: str, sentence: Sentence, following: str, title_max: int) -> bool:
    """Whether a sentence is an entry's title: a short line (``title_max`` characters at most) alone in its paragraph,
    without an end mark or a bullet (:func:`~assistant.compose.unended`) nor an address, followed by a statement or by
    the end of its passage (« Les IREPS », then « Les instances régionales … sont des associations … »).
    ``compose._standalone_title`` takes such a line after another unended one (« Pour trouver la SRA de votre région,
    aller sur : FORAP ») for an item of a list written without bullets; here the line after it tells: an item is
    followed by another unended line, a title by what it names."""
    text = sentence.text.strip()
    if len(text) > title_max or not unended(text) or "://" in text:
        return False
    before, after = passage[: sentence.start].rstrip(" \t"), passage[sentence.end :].lstrip(" \t")
    alone = (not before or before.endswith("\n\n")) and (not after or after.startswith("\n\n"))
    stated = bool(following) and not unended(following) and not BULLET.match(following)
    return alone and (not following or stated or following.startswith("«"))


def _calls(question: str, folded: str, name: str) -> bool:
    """Does the question write ``name``: an acronym as a word, in capitals (« SRA », « IREPS »); another name
    whatever its case, accents or plural (« Structure Régionale d'Appui »)."""
    if _ACRONYM.match(name) and name.isupper():
        return re.search(rf"(?<!\w){re.escape(name)}s?(?!\w)", question) is not None
    written = phrase_pattern(name)
    return written is not None and written.search(folded) is not None
