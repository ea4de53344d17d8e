"""French rules of the assistant, read from ``assistant/data/*.toml``: typed values, compiled once, cached.

- :class:`Lexicon` (``lexicon.toml``): abbreviations and synonyms of the domain;
- :class:`QueryRules` (``query.toml``): injections, references to fiches/recommendations/chapters,
  list intents, premises, multi-part splitting, follow-ups, structures, language words;
- :class:`FactRules` (``facts.toml``): the kinds of fact a question asks for and what a sentence must
  hold to give one.

Each ``load()`` raises :class:`ingest.rules.RulesError` (a ``ValueError``) naming the file and the key
when a file is malformed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import Stemmer

from ingest.cleaning import footnote_label
from ingest.lexical import fold_accents
from ingest.rules import RulesError, alternatives, compile_pattern, count, pattern, read_rules, text, value, words
from ingest.settings import Settings

DATA_DIR = Path(__file__).parent / "data"


def _string_table(data: dict[str, Any], key: str, path: Path) -> dict[str, str]:
    """The table ``key`` of words to non-empty texts (absent: empty); :class:`RulesError` otherwise."""
    table = data
    for part in key.split("."):
        table = table.get(part, {}) if isinstance(table, dict) else None
    if not isinstance(table, dict) or not all(isinstance(v, str) and v for v in table.values()):
        raise RulesError(f"{path.name} : « {key} » doit associer des mots à des textes non vides")
    return dict(table)


@dataclass(frozen=True)
class Lexicon:
    """Abbreviations and synonyms of the domain (folded lower-case word → what it means)."""

    abbreviations: MappingProxyType[str, str]
    synonyms: MappingProxyType[str, str]
    reasons: tuple[re.Pattern[str], str]  # a why asked of engaging the public, what it adds to the search
    starts: tuple[re.Pattern[str], str]  # where to start engaging the public, what it adds to the search
    inflections: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # a verb's endings (for « er »), another
    # word's, a « -yer » verb's with « i » (« paie »)
    idioms: re.Pattern[str]  # phrases whose words name no topic (« mettre en place »): not searched as keywords
    senses: tuple[tuple[re.Pattern[str], str], ...]  # a word in one of its senses, searched as the word for it

    @cached_property
    def words(self) -> frozenset[str]:
        """The words the lexicon explains (abbreviations and synonyms), folded."""
        return frozenset({*self.abbreviations, *self.synonyms})

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path = DATA_DIR / "lexicon.toml") -> Lexicon:
        data = read_rules(path)
        tables = [MappingProxyType(_string_table(data, key, path)) for key in ("abbreviations", "synonyms")]
        why = (pattern(data, "reasons.asks", path), text(data, "reasons.adds", path))
        forms = (
            words(data, "inflections.verb", path),
            words(data, "inflections.other", path),
            words(data, "inflections.y_to_i", path),
        )
        start = (pattern(data, "starts.asks", path), text(data, "starts.adds", path))
        senses = tuple(
            (pattern(data, f"senses.{name}.phrase", path), text(data, f"senses.{name}.reads", path))
            for name in value(data, "senses", path)
        )
        return cls(*tables, why, start, forms, pattern(data, "idioms.phrases", path), senses)

    def keywords(self, text: str) -> str:
        """``text`` as the keywords search reads it: without its idioms (« mettre en place »), its words read in the
        sense the question gives them (« mobiliser les habitants » → « associer les habitants »)."""
        for phrase, reads in self.senses:
            text = phrase.sub(reads, text)
        return self.idioms.sub(" ", text)

    def reasons_of(self, text: str) -> str:
        """What a question asking why one engages the public searches with (« Pourquoi une implication des
        usagers ? » → « avantages bénéfices »), or nothing."""
        asks, adds = self.reasons
        return adds if asks.search(fold_accents(text.lower())) else ""

    def asks_start(self, text: str) -> bool:
        """Whether a question asks where to start engaging the public (« Par où commencer ? »)."""
        return bool(self.starts[0].search(fold_accents(text.lower())))

    def starts_of(self, text: str) -> str:
        """What a question asking where to start searches with (« première étape »), or nothing."""
        return self.starts[1] if self.asks_start(text) else ""

    def synonym(self, word: str, *, unwritten: bool = False) -> str | None:
        """What the lexicon adds to ``word`` (folded, lower case): its own entry; for a word the corpus never writes
        (``unwritten``), the entries of which it is an inflected form (« defrayes » → « defrayer », « remunerees »
        → « remunerer », ``[inflections]``). A word the corpus writes keeps its own sense (« forme » is no form of
        « former »), and a derived word is no inflection (« habitation » is no « habitant »)."""
        if word in self.synonyms:
            return self.synonyms[word]
        return self._inflected.get(word) if unwritten else None

    @cached_property
    def _inflected(self) -> dict[str, str]:
        """The synonyms' entries by the inflected forms of their word (a verb's endings in place of « er », « i » for
        the « y » of a verb in « -yer » before a mute « e », the others' added), those of one form joined."""
        verb, other, y_to_i = self.inflections
        joined: dict[str, list[str]] = {}
        for word, meaning in self.synonyms.items():
            forms = [word[:-2] + ending for ending in verb] if word.endswith("er") else [word + e for e in other]
            if word.endswith("yer"):  # « payer »: « paie », « paient »
                forms += [word[:-3] + "i" + ending for ending in y_to_i]
            for form in forms:
                if form not in self.synonyms:
                    joined.setdefault(form, []).extend(meaning.split())
        return {form: " ".join(dict.fromkeys(words)) for form, words in joined.items()}

    def acronyms_of(self, text: str) -> list[str]:
        """The acronyms whose full name ``text`` writes (« les communautés professionnelles territoriales de santé »
        → « CPTS »; plural, case and accents aside), but not the acronym itself."""
        folded = fold_accents(text.lower())
        found = []
        for acronym, own, name in self._full_names:
            if not own.search(folded) and name.search(folded) and acronym not in found:
                found.append(acronym)
        return found

    @cached_property
    def _full_names(self) -> tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...]:
        """Each acronym the lexicon spells out (« … territoriale de santé CPTS »), with the patterns of the acronym
        and of its full name as a text writes them: compiled once, read for every question."""
        named = []
        for meaning in dict.fromkeys(self.abbreviations.values()):
            words = meaning.split()
            acronym = words[-1] if words[-1].isupper() and len(words[-1]) > 1 else ""
            name = re.findall(r"[^\W_]+", fold_accents(" ".join(words[:-1]).lower()))
            if acronym and len(name) >= 2:
                named.append((acronym, re.compile(rf"\b{acronym.lower()}\b"), _written_as(name)))
        return tuple(named)

    @cached_property
    def acronyms(self) -> MappingProxyType[str, str]:
        """The acronyms the lexicon spells out, as written, by their folded form (« cpts » → « CPTS »)."""
        return MappingProxyType({fold_accents(acronym.lower()): acronym for acronym, _, _ in self._full_names})

    def named(self, term: str) -> tuple[str, ...]:
        """``term`` and, when it is an abbreviation, what it stands for without its acronym (« RU » → « représentant
        des usagers »; « MSP » → « maison de santé pluriprofessionnelle »): the names a definition may give."""
        meaning = self.abbreviations.get(fold_accents(term.lower()), "")
        spelled = " ".join(w for w in meaning.split() if not (w.isupper() and len(w) > 1))
        return (term, spelled) if spelled and spelled != term else (term,)


@dataclass(frozen=True)
class QueryRules:
    """The compiled patterns and word sets of ``query.toml`` (see the comments of that file)."""

    injection: re.Pattern[str]
    injection_flag: re.Pattern[str]
    courtesy: re.Pattern[str]  # greetings, thanks, « s'il vous plaît »: no word of the question
    fiche_ref: re.Pattern[str]
    recommendation_ref: re.Pattern[str]
    section_ref: re.Pattern[str]
    next_fiche: re.Pattern[str]
    previous_fiche: re.Pattern[str]
    list_fiches: re.Pattern[str]
    list_recommendations: re.Pattern[str]
    whole_fiche_words: frozenset[str]
    premise: re.Pattern[str]  # groups premise, rest
    part_split: re.Pattern[str]
    followup_start: re.Pattern[str]
    narrows: re.Pattern[str]  # « même pour… », « par exemple… »: a short question opening so narrows the one before
    anaphora: re.Pattern[str]
    complement_missing: re.Pattern[str]  # « Avec quelles conséquences ? »: a noun whose complement is not named
    new_question: re.Pattern[str]  # « autre question : … »: a question that says it leans on nothing
    dislocated: re.Pattern[str]  # « Les facilitateurs, on en trouve où ? »: a phrase taken up after a comma (topic)
    inverted: re.Pattern[str]  # "sont-ils": a subject pronoun after its verb
    question_word_only: re.Pattern[str]  # nothing but a question word ("comment", "")
    structure: re.Pattern[str]
    party: re.Pattern[str]  # whom a question says a thing is for (« pour les pros »)
    topic: re.Pattern[str]  # what a question says it is about (« sur la formation des usagers »), to its end
    topic_only: re.Pattern[str]  # a follow-up that names only another subject (« et sur le patient traceur ? »)
    thing_only: re.Pattern[str]  # a follow-up that names only an acronym (« et l'ETP ? », « et CPTS ? »)
    acronym: re.Pattern[str]  # an acronym as a question writes it (EPCI)
    bracketed_acronym: re.Pattern[str]  # an acronym in brackets after its words (« … d'intérêt collectif (Scic) »)
    bracketing_acronym: re.Pattern[str]  # an acronym before its words in brackets (« Scic (société coopérative…) »)
    named_acronym: re.Pattern[str]  # an acronym a question names (« SISA », « ESP »)
    shared_acronym: re.Pattern[str]  # an acronym a question and a legal footnote may share (« RGPD »)
    proper_name: re.Pattern[str]  # a proper name a question writes (« Santé Info Droits »)
    addressed_name: re.Pattern[str]  # the name of whom a question opens by addressing (« Françoise Sellin, pouvez… »)
    institution_name: re.Pattern[str]  # a body's name with one capital (« Maison des usagers »)
    acronym_joiners: tuple[str, ...]  # short words a spelled-out acronym holds between its initials
    acronym_min_uses: int
    meaning: re.Pattern[str]  # the acronym a question asks the meaning of (groups acronym…)
    meaning_all: re.Pattern[str]  # a question asking what « ce sigle », « ces sigles » mean
    whole_fiche_other_words: int
    french_words: frozenset[str]
    english_words: frozenset[str]
    other_words: frozenset[str]
    language_min_words: int  # shorter texts are taken as French
    french_enough: int  # this many French words make a text French
    inclusive: re.Pattern[str]  # « usager·ère·s », « expert.e.s », « un.e »: groups word, ending, plural, dotted, point
    glued: re.Pattern[str]  # « lheure »: an elision's head, then a word on a vowel or an h (groups head, rest)
    glued_min_rest: int  # letters at least of the word after the head (« heure »)
    glued_words: MappingProxyType[str, str]  # « dun » → « d'un »: the short ones, written out

    def meant_acronyms(self, text: str) -> list[str]:
        """The acronyms whose meaning ``text`` asks (« Que signifie CPTS ? » → CPTS; « Que veulent dire MSP et ESP ? »,
        « CPTS/ESP, que veulent dire ces sigles ? » → both), in the order it writes them."""
        if self.meaning_all.search(text):
            return list(dict.fromkeys(self.named_acronym.findall(text)))
        runs = (
            v for m in self.meaning.finditer(text) for k, v in m.groupdict().items() if k.startswith("acronym") and v
        )
        return list(dict.fromkeys(a for run in runs for a in self.named_acronym.findall(run)))

    def masculine(self, text: str) -> str:
        """``text`` with its inclusive forms as the masculine word: « usager·ère·s » → « usagers »."""

        def word(match: re.Match[str]) -> str:
            stem = match["word"]
            ending = match["ending"] or match["point"] or ""
            plural = match["plural"] or match["dotted"] or ending.endswith("s")
            return stem + ("s" if plural and not stem.endswith(("s", "x")) else "")

        return self.inclusive.sub(word, text)

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path = DATA_DIR / "query.toml") -> QueryRules:
        data = read_rules(path)

        def literal(key: str) -> str:
            return alternatives(words(data, key, path), escape=True)

        def patterns(key: str) -> str:
            return alternatives(words(data, key, path))

        premise = (
            rf"^(?:(?:{literal('premise.lead_words')})\s+)?(?:{literal('premise.connectors')})"
            # a whole word ("comme", not the start of "comment") or an elision ("puisqu'")
            r"(?:(?<=['’])|\b)\s*(?P<premise>[^,?]{8,}?)\s*,\s*(?P<rest>.+)$"
        )
        part_split = (
            rf"\s*(?:\?\s+(?!(?:{literal('parts.alternatives')})\b)|;\s+|,?\s+(?:{literal('parts.conjunctions')})\s+"
            rf"(?=(?:{patterns('parts.question_words')})\b))"
        )
        endings = alternatives(tuple(sorted(words(data, "inclusive.endings", path), key=len, reverse=True)), True)
        inclusive = (
            rf"(?P<word>[^\W\d_]{{2,}})"
            rf"(?:[·⋅•](?P<ending>{endings})(?:[·⋅•](?P<plural>s))?|\.(?:{endings})\.(?P<dotted>s)"
            rf"|\.(?P<point>{endings})(?![\w-]|\.\w))\b"
        )
        structure = (
            rf"\b(?:(?P<article>{literal('structures.articles')})\s*)?(?P<name>{patterns('structures.names')})\b"
        )
        party = (
            rf"\b(?:{literal('parties.prepositions')})\s+"
            rf"(?:(?P<article>{literal('parties.articles')})\s*)?(?P<name>{patterns('parties.names')})\b"
        )
        unclaused = rf"(?!(?<![\w'’])(?:{literal('topics.clause')})(?![\w'’])|-(?:t-)?(?:il|elle|ils|elles|on)\b)"
        subject = (  # a noun phrase to the end of the question: no clause word nor inverted verb in it
            rf"(?:(?<=['’])|\b)(?:{literal('topics.prepositions')})(?:(?<=['’])|\s+)"
            rf"(?!(?:{literal('topics.pointing_back')})(?![\w'’]))"
            rf"(?:{unclaused}[^?!.;])*?{unclaused}[^\W_](?:{unclaused}[^?!.;])*?(?=\s*[?!.;]|\s*$)"
        )
        return cls(
            injection=pattern(data, "injection.remove", path),
            injection_flag=pattern(data, "injection.flag", path),
            courtesy=pattern(data, "courtesy.remove", path),
            fiche_ref=_numbered(pattern(data, "references.fiche", path), "references.fiche", path),
            recommendation_ref=_numbered(
                pattern(data, "references.recommendation", path), "references.recommendation", path
            ),
            section_ref=_numbered(pattern(data, "references.section", path), "references.section", path),
            next_fiche=pattern(data, "references.next_fiche", path),
            previous_fiche=pattern(data, "references.previous_fiche", path),
            list_fiches=pattern(data, "intents.list_fiches", path),
            list_recommendations=pattern(data, "intents.list_recommendations", path),
            whole_fiche_words=frozenset(words(data, "intents.whole_fiche_words", path)),
            premise=compile_pattern(premise, "premise", path, re.IGNORECASE | re.DOTALL),
            part_split=compile_pattern(part_split, "parts", path),
            followup_start=compile_pattern(rf"^(?:{literal('followup.starts')})\b", "followup.starts", path),
            narrows=compile_pattern(rf"^\W*(?:{literal('followup.narrows')})\b", "followup.narrows", path),
            anaphora=compile_pattern(rf"\b(?:{literal('followup.anaphora')})\b", "followup.anaphora", path),
            new_question=compile_pattern(rf"\b(?:{literal('followup.new_question')})\b", "followup.new_question", path),
            dislocated=pattern(data, "followup.dislocated", path),
            complement_missing=pattern(data, "followup.complement_missing", path),
            inverted=compile_pattern(
                rf"(?<=\w)-(?:t-)?(?:{literal('followup.inverted_pronouns')})\b", "followup.inverted_pronouns", path
            ),
            question_word_only=compile_pattern(
                rf"^\W*(?:(?:{patterns('parts.question_words')})\b)?\W*$", "parts.question_words", path
            ),
            structure=compile_pattern(structure, "structures", path),
            party=compile_pattern(party, "parties", path),
            topic=compile_pattern(subject, "topics", path),
            thing_only=compile_pattern(
                rf"^\W*(?:{literal('topics.leads')})\s+(?P<thing>(?:(?:{literal('topics.articles')})(?:(?<=['’])|\s+))?"
                r"(?P<acronym>(?-i:[A-Z]{2,}s?)))\s*[?!.]*\s*$",
                "topics",
                path,
            ),
            topic_only=compile_pattern(
                rf"^(?![^?]*,)\W*(?:(?:{literal('topics.leads')})\s+)?(?P<topic>{subject})\s*[?!.]*\s*$", "topics", path
            ),
            acronym=pattern(data, "acronyms.written", path, flags=0),
            bracketed_acronym=pattern(data, "acronyms.bracketed", path, flags=0),
            bracketing_acronym=pattern(data, "acronyms.bracketing", path, flags=0),
            named_acronym=pattern(data, "acronyms.named", path, flags=0),
            shared_acronym=pattern(data, "acronyms.shared", path, flags=0),
            proper_name=pattern(data, "names.proper", path, flags=0),
            addressed_name=pattern(data, "names.addressed", path, flags=0),
            institution_name=pattern(data, "names.institution", path, flags=0),
            acronym_joiners=words(data, "acronyms.joiners", path),
            acronym_min_uses=count(data, "acronyms.min_uses", path),
            meaning=pattern(data, "acronyms.meaning", path),
            meaning_all=pattern(data, "acronyms.meaning_all", path),
            whole_fiche_other_words=count(data, "intents.whole_fiche_other_words", path),
            french_words=frozenset(words(data, "language.french", path)),
            english_words=frozenset(words(data, "language.english", path)),
            other_words=frozenset(words(data, "language.other", path)),
            language_min_words=count(data, "language.min_words", path),
            french_enough=count(data, "language.french_enough", path),
            inclusive=compile_pattern(inclusive, "inclusive.endings", path, flags=0, groups=("word", "plural")),
            glued=compile_pattern(
                rf"^(?P<head>{literal('elision.heads')})(?P<rest>[aeiouyh]\w*)$", "elision.heads", path, flags=0
            ),
            glued_min_rest=count(data, "elision.min_rest", path),
            glued_words=MappingProxyType(_string_table(data, "elision.words", path)),
        )


def _numbered(compiled: re.Pattern[str], key: str, path: Path) -> re.Pattern[str]:
    """A reference pattern must capture the number it refers to (group 1)."""
    if compiled.groups < 1:
        raise RulesError(f"{path.name} : « {key} » doit capturer le numéro (groupe 1)")
    return compiled


DEFINITION = "définition"  # the fact a question asking what a thing is asks (facts.toml)


@dataclass(frozen=True)
class FactKind:
    """A kind of fact: what a question asking for it says, what a sentence giving it holds."""

    name: str  # "montant", "durée", "contact", "fiscalité", "nombre", "définition"
    asks: re.Pattern[str]
    holds: re.Pattern[str] | str  # a template with "{term}" when the kind names what is asked
    strict: bool  # never written without its marks: missing, the answer is at most partial
    missing: str  # how a partial answer names what the documents do not give ("de montant")
    term_words: int = 0  # a named thing ("définition de la médiation en santé") has at most this many words
    term_stop: frozenset[str] = frozenset()  # words that show a clause, not a name ("qu'est-ce que je dois…")
    worded: bool = False  # given in common words ("conditions", "critères"), not marks: about the topic only
    titled: bool = False  # a section titled with the named thing ("Les conventions CIFRE") describes it: gives it
    term_head: re.Pattern[str] | None = None  # a word naming the kind of thing ("la méthode du …"), not the thing
    linking: frozenset[str] = frozenset()  # small words linking a name's words, written one way or another
    after_setting: str = ""  # the verbs that make a thing named after a setting the subject defined (a pattern)
    paid_for: re.Pattern[str] | None = None  # what a question asks the fact about (groups ``thing…``)
    vague: bool = False  # asked alone (« combien ? », « et au minimum ? »), stands for the kind asked before
    counted: re.Pattern[str] | None = None  # a vague kind naming what it counts (« combien de personnes ? »): itself
    measured_by: re.Pattern[str] | None = None  # words a bare « combien ? » measures this kind of (« indemnité »)

    def thing(self, question: str) -> str:
        """What the question asks the fact about, as it writes it (``paid_for``: « coordinateur » in « Qui paye le
        coordinateur de la CPTS ? »), "" when the kind says nothing of it or the question names it by a pronoun."""
        found = self.paid_for.search(question) if self.paid_for is not None else None
        return _first_group(found, "thing") if found else ""

    def term(self, question: str) -> str:
        """What the question names (the ``term…`` groups of ``asks``), "" when the kind names nothing or
        what it captured reads as a clause rather than a name."""
        found = self.asks.search(question)
        if found is None or not self.term_words:
            return ""
        term = _first_group(found, "term").strip(" «»\"'")
        words = re.findall(r"[^\W_]+", term.lower())
        if not words or len(words) > self.term_words or self.term_stop & set(words):
            return ""
        return term

    def names(self, term: str) -> tuple[str, ...]:
        """``term``, and what it names without a word for the kind of thing ("la méthode du patient traceur"
        → "patient traceur"): the documents may define the thing under its own name."""
        bare = self.term_head.sub("", term).strip() if self.term_head is not None else term
        return (term, bare) if bare and bare != term else (term,)

    @property
    def marked(self) -> re.Pattern[str] | None:
        """The pattern of a sentence giving this kind of fact when the kind is written with its marks (a sum, a date, a
        reference), None for a named thing's template (a definition)."""
        return self.holds if isinstance(self.holds, re.Pattern) else None

    def holds_for(self, term: str, aliases: Iterable[str] = ()) -> re.Pattern[str]:
        """The pattern of a sentence giving this fact (about ``term``, or a name the corpus gives as
        equivalent, when the kind names one); searched in the accent-folded, lower-cased sentence then."""
        if isinstance(self.holds, re.Pattern):
            return self.holds
        named = "|".join(_name_pattern(name, self.linking) for name in (term, *sorted(aliases)))
        return re.compile(self.holds.replace("{term}", f"(?:{named})"), re.IGNORECASE)


def _first_group(found: re.Match[str], prefix: str) -> str:
    """The first group named ``prefix…`` that matched (« term », « term2 »…: one per alternative of a pattern)."""
    return next((v for k, v in found.groupdict().items() if k.startswith(prefix) and v), "")


def _name_pattern(name: str, linking: frozenset[str] = frozenset()) -> str:
    """A name's words in order, with up to two words between them; a word of four letters or more by its
    stem, so that any inflection matches ("maison de santé participative" ~ "maisons de santé participatifs"); its
    small linking words left to the words between (« représentant d'usager » ~ « représentant des usagers »)."""
    parts = []
    words = re.findall(r"[^\W_]+", fold_accents(name.lower()))
    for word in [w for w in words if w not in linking] or words:
        stem = stem_of(word)
        if stem.endswith("al"):  # local / locaux, national / nationaux
            stem = stem[:-1]
        parts.append(re.escape(stem) + r"\w*" if len(word) >= 4 else re.escape(word) + r"s?")
    return r"\b" + r"[\W_]+(?:[^\W_]+[\W_]+){0,2}?".join(parts) + r"\b"


# the setting a sentence may open on before its subject: up to three short pieces, each ending with a comma
_SETTING = r"(?:[^,.;:«»]{1,60},\s*){0,3}"


def _spelled(letters: str, joiners: tuple[str, ...]) -> re.Pattern[str]:
    """Words whose initials are ``letters`` (folded), in order, with ``joiners`` (« de », « la »…) between them."""
    joiner = "|".join(map(re.escape, joiners))
    between = rf"[\s'’]+(?:(?:{joiner})[\s'’]+)*"
    words = [rf"(?!(?:{joiner})\b){re.escape(c)}[a-z0-9]{{2,}}" for c in letters]  # words of their own
    return re.compile(r"(?<![\w-])" + between.join(words) + r"(?![\w-])")


_STEMMER = Stemmer.Stemmer("french")


def _written_as(words: list[str]) -> re.Pattern[str]:
    """A phrase's words (folded) as a text may write them: a plural's « s » or « x » and a hyphen for a space aside."""
    return re.compile(
        r"(?<!\w)" + r"[\s'’-]+".join(re.escape(w.rstrip("sx") or w) + "[sx]?" for w in words) + r"(?!\w)"
    )


def phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    """A phrase as a folded text (accents and case folded) may write it: a plural's « s » or « x » and a hyphen for a
    space aside; None for a phrase without words."""
    words = re.findall(r"[^\W_]+", fold_accents(phrase.lower()))
    return _written_as(words) if words else None


def stem_of(word: str) -> str:
    """The Snowball stem of a French word (« professionnaliser », « professionnalisés » → « professionnalis »)."""
    return _STEMMER.stemWord(word)


def fold_name(name: str) -> str:
    """The key of a name: lower-cased, accent-folded words ("Démocratie  en santé" → "democratie en sante")."""
    return " ".join(re.findall(r"[^\W_]+", fold_accents(name.lower())))


_ARTICLES = frozenset({"le", "la", "les", "l", "un", "une", "des", "du", "de"})
# « X (ACR), … » or « X (ACR) » names X (a typographic convention: the acronym in brackets after the name)
_NAMING_TITLE = re.compile(r"^\s*([^()]+?)\s*\(\s*[A-ZÀ-Ý][A-ZÀ-Ý0-9-]+\s*\)\s*(?:,|$)")


def title_key(name: str) -> str:
    """The key of a name as a title writes it: without its article, each word in the singular ("Les
    conventions CIFRE" and "convention CIFRE" → "convention cifre"); a name given an acronym, without the acronym
    and what qualifies it ("Les maisons de santé pluriprofessionnelles (MSP), monosites ou multisites")."""
    named = _NAMING_TITLE.match(name)
    found = fold_name(named.group(1) if named else name).split()
    while found and found[0] in _ARTICLES:
        found = found[1:]
    return " ".join(w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in found)


# a statement ends with a mark (a slide's line without one, « Initie un ensemble de dispositions… », is a fragment)
_LIST_NUMBER = re.compile(r"^\s*\d{1,3}[.)]\s+")  # « 49. » before an entry of a numbered list of references
_STATEMENT_END = re.compile(r"[.!…][\s»\"”)\]]*$")  # not « ? »: a question describes nothing


def _folded_before(word: str, text: str) -> str | None:
    """The text before ``word``'s first occurrence in ``text``, both accent-folded and in lower case; None when
    ``text`` does not write it."""
    folded, text = fold_accents(word.lower()), fold_accents(text.lower())
    found = re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", text)
    return text[: found.start()] if found else None


@dataclass(frozen=True)
class FactRules:
    """The kinds of fact of ``facts.toml``, in the order they are tried, and the generic verb endings."""

    kinds: tuple[FactKind, ...]
    generic_form: re.Pattern[str]  # a folded word that is a verb form or participle
    aliases: re.Pattern[str] | None = None  # "X, plus communément appelée Y" (groups a and b)
    reference_only: re.Pattern[str] | None = None  # a sentence that is a legal reference alone (a footnote)
    public: tuple[str, ...] = ()  # « usagers », « personnes concernées »: one public in a thing's name
    pointer_note: re.Pattern[str] | None = None  # a footnote that only points elsewhere (« Voir la fiche n° 8 »)
    article_before: re.Pattern[str] | None = None  # an article or « de »: a noun follows if its ending says so
    noun_ending: re.Pattern[str] | None = None  # the endings of nouns among the generic ones (« -ment », « -ant »)
    measures: re.Pattern[str] | None = None  # words saying what is measured (« mois », « personnes »), not of what
    asking_words: frozenset[str] = frozenset()  # words a figure is asked with (« faut », « prend »), folded
    determiner_before: re.Pattern[str] | None = None  # a determiner (« le », « mon », « ce »…) right before a word

    def determined(self, word: str, text: str) -> bool:
        """Does a determiner stand right before ``word`` in ``text`` (« le numéro », « un métier »): a noun, maybe what
        is asked, not an everyday word of any question (« je dois », « bientôt »)?"""
        before = _folded_before(word, text)
        return self.determiner_before is not None and before is not None and bool(self.determiner_before.search(before))

    def shown_noun(self, word: str, text: str) -> bool:
        """Is ``word`` of ``text``, which ends as verb forms do (``generic_endings``: « refusent », « convaincre »), a
        noun the article or « de » before it and its ending show (« le consentement », « de restaurant »)?"""
        folded = fold_accents(word.lower())
        if self.article_before is None or self.noun_ending is None or not self.generic_form.search(folded):
            return False
        before = _folded_before(word, text)
        return before is not None and bool(self.noun_ending.search(folded) and self.article_before.search(before))

    def reference_alone(self, text: str) -> bool:
        """Is ``text`` a legal reference alone (``reference_only``), read after its note's or list's number
        (« Note 4 : Article L. 6323-3 du Code de la santé publique. », « 49. Arrêté du 24 juillet 2017 … »), or a
        note that only points elsewhere (``pointer_note``: « Note 25 : Voir l'avis du conseil… (non publié). »)?"""
        if number := footnote_label().match(text):
            said = text[number.end() :]
            if self.pointer_note is not None and self.pointer_note.match(said.lstrip()):
                return True
        else:
            said = _LIST_NUMBER.sub("", text)
        return self.reference_only is not None and bool(self.reference_only.search(said))

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path = DATA_DIR / "facts.toml") -> FactRules:
        data = read_rules(path)
        numbers = alternatives(words(data, "number_words", path))
        table: Any = value(data, "kinds", path)
        if not isinstance(table, dict) or not table:
            raise RulesError(f"{path.name} : « kinds » doit être une table de sortes de faits")

        def flag(name: str, key: str) -> bool:
            if key not in table[name]:
                return False
            found = value(data, f"kinds.{name}.{key}", path)
            if not isinstance(found, bool):
                raise RulesError(f"{path.name} : « kinds.{name}.{key} » doit valoir true ou false")
            return found

        def optional(name: str, key: str) -> re.Pattern[str] | None:
            if key not in table[name]:
                return None
            return compile_pattern(alternatives(words(data, f"kinds.{name}.{key}", path)), f"kinds.{name}.{key}", path)

        kinds = []
        for name in table:
            compiled = []
            for side in ("asks", "holds"):
                key = f"kinds.{name}.{side}"
                source = alternatives(words(data, key, path)).replace("{number_words}", numbers)
                compiled.append(compile_pattern(source, key, path))
            strict = value(data, f"kinds.{name}.strict", path)
            if not isinstance(strict, bool):
                raise RulesError(f"{path.name} : « kinds.{name}.strict » doit valoir true ou false")
            missing = text(data, f"kinds.{name}.missing", path)
            term_words = count(data, f"kinds.{name}.term_words", path) if "term_words" in table[name] else 0
            worded, titled = flag(name, "worded"), flag(name, "titled")
            if "{term}" in missing or term_words:  # the kind names what is asked: its sentence is a template
                stop = frozenset(words(data, f"kinds.{name}.term_stop", path))
                pattern = compiled[1].pattern
                head = None
                if "term_heads" in table[name]:
                    heads = alternatives(words(data, f"kinds.{name}.term_heads", path))
                    head = compile_pattern(rf"^(?:{heads})\b\s*", f"kinds.{name}.term_heads", path)
                linking = (
                    frozenset(words(data, f"kinds.{name}.linking_words", path))
                    if "linking_words" in table[name]
                    else frozenset()
                )
                after = ""
                if "after_setting" in table[name]:
                    after = alternatives(words(data, f"kinds.{name}.after_setting", path))
                    compile_pattern(after, f"kinds.{name}.after_setting", path)  # a bad pattern fails here
                kind = FactKind(
                    name, compiled[0], pattern, strict, missing, term_words, stop, worded, titled, head, linking, after
                )
            else:
                paid_for = optional(name, "paid_for")
                if paid_for is not None and not any(group.startswith("thing") for group in paid_for.groupindex):
                    key = f"kinds.{name}.paid_for"
                    raise RulesError(f"{path.name} : « {key} » doit capturer ce qui est payé (groupe « thing »)")
                kind = FactKind(name, *compiled, strict, missing, worded=worded, paid_for=paid_for)
            kinds.append(
                replace(
                    kind,
                    vague=flag(name, "vague"),
                    counted=optional(name, "counted"),
                    measured_by=optional(name, "measured_by"),
                )
            )
        endings = alternatives(words(data, "generic_endings", path), escape=True)
        generic = compile_pattern(rf"(?:{endings})$", "generic_endings", path, flags=0)
        aliases = reference = None
        if "aliases" in data:
            aliases = compile_pattern(alternatives(words(data, "aliases", path)), "aliases", path)
        if "reference_only" in data:
            reference = compile_pattern(alternatives(words(data, "reference_only", path)), "reference_only", path)
        public = tuple(fold_name(name) for name in words(data, "public", path)) if "public" in data else ()
        pointer = None
        if "pointer_note" in data:
            pointer = compile_pattern(alternatives(words(data, "pointer_note", path)), "pointer_note", path)
        article = ending = None
        if "noun_articles" in data and "noun_endings" in data:
            listed = alternatives(tuple(fold_accents(w) for w in words(data, "noun_articles", path)), escape=True)
            # not an object pronoun before a gerund (« en les remerciant »)
            article = compile_pattern(rf"(?<![\w'’-])(?<!en\s)(?:{listed})\s*$", "noun_articles", path, flags=0)
            endings = alternatives(words(data, "noun_endings", path), escape=True)
            ending = compile_pattern(rf"(?:{endings})$", "noun_endings", path, flags=0)
        measures = None
        if "measure_words" in data:
            listed = alternatives(words(data, "measure_words", path), escape=True)
            measures = compile_pattern(rf"(?<!\w)(?:{listed})(?!\w)", "measure_words", path)
        asking = (
            frozenset(fold_accents(w) for w in words(data, "asking_words", path))
            if "asking_words" in data
            else frozenset()
        )
        determiner = None
        if "determiners" in data:
            listed = alternatives(tuple(fold_accents(w) for w in words(data, "determiners", path)), escape=True)
            determiner = compile_pattern(rf"(?<![\w'’-])(?:{listed})\s*$", "determiners", path, flags=0)
        return cls(
            tuple(kinds), generic, aliases, reference, public, pointer, article, ending, measures, asking, determiner
        )

    def names_in(
        self, sentences: Iterable[str], titles: Iterable[str] = (), headings: Iterable[str] = ()
    ) -> CorpusNames:
        """The corpus's sentences, folded, the names they give as equivalent, the title of the section each
        sentence is in (``titles``, in the same order; none: no section describes a named thing) and the title
        standing alone just before it inside its section, if any (``headings``: « → Le mécénat d'entreprise »
        before « Ce type de mécénat consiste… »)."""
        texts = list(sentences)
        folded = tuple(fold_accents(sentence.lower()) for sentence in texts)
        # « Arrêté du 24 juillet 2017 portant approbation de l'accord … » defines nothing
        references = frozenset(i for i, text in enumerate(texts) if self.reference_alone(text))
        found: dict[str, set[str]] = {}
        for sentence in folded if self.aliases is not None else ():
            for match in self.aliases.finditer(sentence):  # type: ignore[union-attr]
                a, b = fold_name(match.group("a")), fold_name(match.group("b"))
                if a and b and a != b:
                    found.setdefault(a, set()).add(b)
                    found.setdefault(b, set()).add(a)
        keys: dict[str, str] = {"": ""}  # the key of each title, read once

        def key(title: str) -> str:
            if title not in keys:
                keys[title] = title_key(self._title_name(title))
            return keys[title]

        aliases = {name: frozenset(others) for name, others in found.items()}
        return CorpusNames(folded, aliases, tuple(map(key, titles)), tuple(map(key, headings)), references, self.public)

    def _title_name(self, title: str) -> str:
        """The thing a section title is about: the title (« Les conventions CIFRE »), or what it asks about
        (« Qui est le représentant associatif en CPTS ? », « Une CPTS, c'est quoi ? »)."""
        for kind in self.kinds:
            if kind.titled and (term := kind.term(title)):
                return term
        return title

    def asks_only(self, question: str, words: Callable[[str], list[str]]) -> bool:
        """Does ``question`` ask for a kind of fact and name nothing it is about (« combien de personnes faut-il ? »,
        « ça prend combien de temps ? », « sous quelles conditions ? »)? Its words are the fact's marks, what is
        measured (``measure_words``), the words it is asked with (``asking_words``) and stop words (``words``: a text's
        words without them, :meth:`ingest.lexical.FrenchAnalyzer.words`). In a conversation, it asks about what the
        question before asked."""
        kind, term = self.asked_with_term(question)
        if kind is None or term:
            return False
        rest = kind.asks.sub(" ", question)
        rest = self.measures.sub(" ", rest) if self.measures is not None else rest
        return all(fold_accents(word) in self.asking_words for word in words(rest))

    def asked_after(self, question: str, before: str, earlier: FactKind | None = None) -> FactKind | None:
        """The kind ``question``, asking only for a fact after ``before`` in a conversation, asks: a vague one
        (« combien ? », « et au minimum ? »: a count, said alone; not « combien de personnes ? » nor « quel
        pourcentage ? », which name what they count) stands for the figure ``before`` asked (``earlier``, when a
        follow-up took it from the question before it): a duration for « Quelle est la durée du mandat ? » + « et au
        minimum ? », a count of what it names for « Il faut combien de représentants indemnisés ? » + « et au maximum
        ? »; else for the kind whose ``measured_by`` words ``before`` writes (« … touche-t-il une indemnité ? » +
        « combien ? », « Combien est indemnisé un représentant ? » + « et au maximum ? »: a sum)."""
        kind = self.asked(question)
        if kind is None or not kind.vague or (kind.counted is not None and kind.counted.search(question)):
            return kind
        earlier = earlier or self.asked(before)
        if earlier is not None and earlier.measured_by is not None:
            return earlier
        if earlier is not None and earlier.vague and earlier.counted is not None and earlier.counted.search(before):
            return earlier  # a count of something named (« combien de représentants… ? »), money words or not
        folded = fold_accents(before.lower())  # « Combien dure le mandat ? », « Combien est indemnisé… ? »
        return next((k for k in self.kinds if k.measured_by is not None and k.measured_by.search(folded)), kind)

    def asked(self, question: str) -> FactKind | None:
        """The first kind whose ``asks`` pattern matches the question."""
        return self.asked_with_term(question)[0]

    def asked_with_term(self, question: str) -> tuple[FactKind | None, str]:
        """The first kind the question asks for, and what it names ("" for a kind that names nothing);
        a kind that names a thing counts only when what it captured is a name, not a clause."""
        for kind in self.kinds:
            if not kind.asks.search(question):
                continue
            term = kind.term(question)
            if term or not kind.term_words:
                return kind, term
        return None, ""

    def kind(self, name: str) -> FactKind:
        return next(kind for kind in self.kinds if kind.name == name)


@dataclass(frozen=True)
class CorpusNames:
    """What a fact about a named thing is checked against: every sentence of the corpus (accent-folded,
    lower-cased) and the names the corpus gives as equivalent ("X, plus communément appelée Y")."""

    folded: tuple[str, ...]
    aliases: dict[str, frozenset[str]]
    titles: tuple[str, ...] = ()  # the key (:func:`title_key`) of what each sentence's section title names
    headings: tuple[str, ...] = ()  # the same for the title standing alone just before it ("" when none)
    references: frozenset[int] = frozenset()  # the sentences that are a legal reference alone: they give no fact
    public: tuple[str, ...] = ()  # the names of the public one in a thing's name (``public`` of ``facts.toml``)
    giving: Callable[[FactKind, str], frozenset[int]] = field(init=False, repr=False, compare=False)
    spelling: Callable[[str, tuple[str, ...], int], str] = field(init=False, repr=False, compare=False)
    spelled_beside: Callable[[str, tuple[str, ...]], frozenset[int]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # one question asks whether X is defined (coverage), then which sentences define it (their order):
        # the corpus is scanned once; the cache is this object's own, so it goes with the index it reads
        object.__setattr__(self, "giving", lru_cache(maxsize=64)(self._giving))
        object.__setattr__(self, "spelling", lru_cache(maxsize=256)(self._spelling))
        object.__setattr__(self, "spelled_beside", lru_cache(maxsize=256)(self._spelled_beside))

    def writes(self, phrase: str) -> bool:
        """Whether some sentence of the corpus writes ``phrase``: case, accents, a plural's « s » and a hyphen for a
        space aside (« Structure Régionale d'Appui » is written « structures régionales d'appui »)."""
        written = phrase_pattern(phrase)
        if written is None:
            return False
        return any(written.search(sentence) for sentence in self.folded)

    def writes_by_initial(self, name: str) -> bool:
        """Whether the corpus writes a person's name (« Claire Compagnon ») as it cites people, the first name by its
        initial (« le rapport de C. Compagnon »)."""
        first, _, last = fold_accents(name.lower()).partition(" ")
        if not first or not last or " " in last:
            return False
        cited = re.compile(rf"(?<!\w){re.escape(first[0])}\.\s*{re.escape(last)}(?!\w)")
        return any(cited.search(sentence) for sentence in self.folded)

    def spelled_out(self, acronym: str, joiners: tuple[str, ...], min_uses: int = 1) -> str:
        """The corpus's phrase whose words' initials spell ``acronym`` (« établissements publics de coopération
        intercommunale » for EPCI; ``joiners`` may stand between them), the most used one, or ""."""
        return self.spelling(acronym.lower(), joiners, min_uses)

    def spelling_out(self, acronym: str, joiners: tuple[str, ...]) -> frozenset[int]:
        """The sentences that spell ``acronym`` out beside it in brackets: the words its letters begin, then the
        acronym (« les Équipes de Soins Primaires (ESP) »), or the acronym, then the words (« Une CPTS (Communauté
        Professionnelle Territoriale de Santé), c'est… »), the acronym maybe with a short qualifier (« l'URPS ML (Union
        Régionale des Professionnels de Santé Libéraux…) »). A run of words that spells it by chance is not beside
        it."""
        return self.spelled_beside(acronym.lower(), joiners)

    def spells(self, acronym: str, joiners: tuple[str, ...], text: str) -> bool:
        """Whether ``text`` writes the words ``acronym``'s letters begin (« équipes de soins primaires » for ESP)."""
        return bool(_spelled(acronym.lower(), joiners).search(fold_accents(text.lower())))

    def _spelled_beside(self, letters: str, joiners: tuple[str, ...]) -> frozenset[int]:
        words, own = _spelled(letters, joiners).pattern, rf"\b{re.escape(letters)}s?\b"
        own = rf"{own}(?:\s+[a-z]{{1,3}}\b)?"  # with a short qualifier: « l'URPS ML (Union Régionale des… ML) »
        beside = re.compile(rf"{words}\s*\(\s*{own}\s*\)|{own}\s*\(\s*{words}")
        return frozenset(i for i, sentence in enumerate(self.folded) if beside.search(sentence))

    def _spelling(self, letters: str, joiners: tuple[str, ...], min_uses: int) -> str:
        spelled = _spelled(letters, joiners)
        found: dict[str, int] = {}
        for sentence in self.folded:
            for match in spelled.finditer(sentence):
                found[match.group()] = found.get(match.group(), 0) + 1
        best = max(found.items(), key=lambda item: item[1], default=("", 0))
        return best[0] if best[1] >= min_uses else ""

    def gives(self, kind: FactKind, term: str) -> bool:
        """Whether some sentence of the corpus gives ``kind`` about ``term`` or one of its aliases: a
        definition found anywhere counts, so "the documents do not give one" is never said wrongly."""
        return bool(self.giving(kind, term))

    def opening(self, kind: FactKind, term: str) -> frozenset[int]:
        """Of the sentences that give ``kind`` about ``term`` (:meth:`giving`), those that open on it, its subject
        (« Une CPTS, c'est un réseau… », « Les CPTS constituent un espace… », or after the setting the sentence opens
        on, with a verb that defines: « Dans les secteurs social, médico-social et sanitaire, l'engagement des personnes
        concernées désigne… »), not those that name it on the way
        (« … la place des institutions au sein des projets de CPTS est un thème… »): a definition to open an
        answer with."""
        names = self._aliases(kind, term)
        subject = self._subject(kind, [*names, *self._public_names(names)])
        opening = frozenset(i for i in self.giving(kind, term) if subject.match(self.folded[i]))
        return opening or self._titled_openings(kind, term)

    @staticmethod
    def _subject(kind: FactKind, names: Iterable[str]) -> re.Pattern[str]:
        """A sentence that opens on one of ``names``, its subject: at once, or after its setting and before a verb
        that defines (``after_setting``)."""
        named = "|".join(_name_pattern(name, kind.linking) for name in names)
        article = r"(?:(?:le|la|les|un|une|des)\s+|l')?"
        after = rf"|^\W*{_SETTING}{article}(?:{named})\W+(?:{kind.after_setting})" if kind.after_setting else ""
        return re.compile(rf"^\W*{article}(?:{named}){after}")

    def _titled_openings(self, kind: FactKind, term: str) -> frozenset[int]:
        """The first statement of each section titled with ``term`` or an alias (« Ces maisons de santé ont été
        reconnues… » under « Les maisons de santé pluriprofessionnelles (MSP)… »): when no sentence opens on the
        thing's name, the section devoted to it opens on it, whatever words it calls it by."""
        if not kind.titled:
            return frozenset()
        return frozenset().union(*(self._section_openings.get(key, ()) for key in self._title_keys(kind, term)))

    def _title_keys(self, kind: FactKind, term: str) -> set[str]:
        """The keys (:func:`title_key`) of ``term`` and its aliases, as a section title would name them."""
        return {title_key(name) for name in self._aliases(kind, term)}

    @cached_property
    def _under(self) -> dict[str, frozenset[int]]:
        """For the key of each section title (and title standing alone), the sentences under it: read once."""
        found: dict[str, set[int]] = {}
        for titles in (self.titles, self.headings):
            for i, key in enumerate(titles):
                if key:
                    found.setdefault(key, set()).add(i)
        return {key: frozenset(ids) for key, ids in found.items()}

    @cached_property
    def _section_openings(self) -> dict[str, frozenset[int]]:
        """For the key of each section title (and title standing alone), the first statement under it: read once."""
        found: dict[str, set[int]] = {}
        for titles in (self.titles, self.headings):
            for i, key in enumerate(titles):
                if key and (i == 0 or titles[i - 1] != key):
                    first = next((j for j in range(i, len(titles)) if titles[j] != key or self._statement(j)), i)
                    if titles[first] == key and self._statement(first):
                        found.setdefault(key, set()).add(first)
        return {key: frozenset(ids) for key, ids in found.items()}

    def _statement(self, i: int) -> bool:
        return bool(_STATEMENT_END.search(self.folded[i])) and i not in self.references

    def _aliases(self, kind: FactKind, term: str) -> tuple[str, ...]:
        """``term``, then its other names: without a word for the kind of thing, what an abbreviation stands for
        (« RU »: « représentant des usagers », :meth:`Lexicon.named`), and as the corpus calls them too."""
        names = [*kind.names(term), *Lexicon.load().named(term)[1:]]
        others = {*names[1:]}.union(*(self.aliases.get(fold_name(name), frozenset()) for name in names))
        return (term, *sorted(others - {term}))

    def _public_names(self, names: Iterable[str]) -> list[str]:
        """``names`` (a term's, :meth:`_aliases`) with the public they name called by the documents' other names for it
        (« engagement des usagers »: « engagement des personnes concernées », « engagement des patients »), the first
        name of the public each holds."""
        found: list[str] = []
        for name in names:
            folded = fold_name(name)
            for word in self.public:
                if at := re.search(rf"\b{re.escape(word)}\b", folded):
                    head, tail = folded[: at.start()], folded[at.end() :]
                    found += [f"{head}{other}{tail}" for other in self.public if other != word]
                    break
        return found

    def _giving(self, kind: FactKind, term: str) -> frozenset[int]:
        """The sentences (indices in the corpus's order) that give ``kind`` about ``term`` or an alias
        (``giving``, cached); about ``term`` with the public called otherwise (:meth:`_public_names`), only those
        that open on it: « … les savoirs expérientiels des usagers sont des savoirs complémentaires », an item of a
        charter, does not define « le savoir expérientiel des patients »."""
        names = self._aliases(kind, term)
        holds = kind.holds_for(term, set(names[1:]))
        found = {i for i, sentence in enumerate(self.folded) if holds.search(sentence)}
        if public := self._public_names(names):
            holds, subject = kind.holds_for(public[0], public[1:]), self._subject(kind, public)
            found |= {i for i, sentence in enumerate(self.folded) if holds.search(sentence) and subject.match(sentence)}
        if kind.titled:  # a section devoted to the thing describes it, in whatever words: its statements do
            titled = frozenset().union(*(self._under.get(key, ()) for key in self._title_keys(kind, term)))
            found |= {i for i in titled if self._statement(i)}
        return frozenset(found - self.references)


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    """The settings at their default values (the environment is not read): for a caller that passes
    none, such as a unit test; the assistant passes its own."""
    return Settings.model_construct()
