"""Understand a question before searching: clean it, spot what it asks for, expand its wording.

The French words and patterns it applies are data (``assistant/data/query.toml`` and ``lexicon.toml``,
read by :mod:`assistant.rules`); its thresholds are settings (``spell_*``, ``followup_max_words``…).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from assistant.antecedents import CorpusGrammar, completed_noun, of_phrase, opens_on_pronoun, resolve, to_phrase
from assistant.rules import DEFINITION, FactKind, FactRules, Lexicon, QueryRules, default_settings, stem_of
from ingest.cleaning import normalize_chars
from ingest.lexical import FrenchAnalyzer, fold_accents, french_accented, french_folded, french_word
from ingest.settings import Settings

__all__ = [
    "Lexicon",  # defined in assistant/rules.py, re-exported: the assistant builds it with the query tools
    "Query",
    "SpellFixer",
    "clean_input",
    "detect_language",
    "expand",
    "is_followup",
    "split_parts",
    "strip_injection",
    "understand",
    "words_of",
]

_SCRIPT = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>|<!--.*?-->", re.DOTALL)
# a link's target may hold one level of parentheses ("[lien](javascript:alert(1))" → "lien")
_MARKDOWN = re.compile(
    r"(\*\*|__|`{1,3}|^#{1,6}\s|!\[[^\]]*\]\((?:[^()]|\([^()]*\))*\)|\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\))",
    re.MULTILINE,
)


class SpellFixer:
    """Corrects misspelled words of a question against the corpus vocabulary (edit distance ≤ 1 or 2), and writes
    words typed without their accents or capitals as the corpus writes them (``written``: the corpus's words as
    written, accents and case kept)."""

    def __init__(
        self,
        word_counts: Counter[str],
        settings: Settings | None = None,
        written: Counter[str] | None = None,
        stopwords: Collection[str] = (),
    ) -> None:
        self.settings = settings or default_settings()
        self.counts = word_counts
        self.stopwords = frozenset(stopwords)  # never what a typo is corrected into (« mails » is no « mais »)
        forms = _written_forms(written or Counter(), self.settings.written_form_min_share)
        self._spelled, self._accented, self._acronyms, self._capitalised = forms
        if written:  # read once, at start-up rather than at the first question
            french_folded()
            french_accented()
        self._words = sorted(word_counts)
        self._by_length: dict[int, list[str]] = {}
        for word in self._words:
            self._by_length.setdefault(len(word), []).append(word)

    def fix(self, word: str) -> str | None:
        """The corpus word closest to ``word`` (folded, lower case), or None if it is known or too far.

        Conservative on purpose: a real word the corpus does not use ("douleur", "recette") must stay
        unknown, so only words of 5+ letters are fixed, keeping their first letter, at distance 1
        (2 from 9 letters): settings ``spell_min_length``, ``spell_long_word``, ``spell_candidates``."""
        s = self.settings
        if word in self.counts or len(word) < s.spell_min_length or not word.isalpha():
            return None
        limit = 1 if len(word) < s.spell_long_word else 2
        candidates = [
            w
            for n in range(len(word) - limit, len(word) + limit + 1)
            for w in self._by_length.get(n, [])
            if w[0] == word[0]
        ]
        # two letters swapped (« représnetant ») is one edit, the most common slip of typing
        best = process.extract(word, candidates, scorer=OSA.distance, limit=s.spell_candidates, score_cutoff=limit)
        if not best:
            return None
        # the smallest distance, two letters swapped rather than one replaced (« conrtat » is « contrat », not the more
        # frequent « constat »), then the most frequent word, then alphabetical (deterministic)
        best.sort(key=lambda item: (item[1], not _swapped(word, item[0]), -self.counts[item[0]], item[0]))
        return best[0][0]

    def french_swap(self, word: str) -> str | None:
        """The word of general French, as French writes it, that ``word`` (folded, lower case, of ``spell_long_word``
        letters or more) is with two neighbouring letters swapped back, when there is one only: « diffeernce » →
        « différence », a word the corpus never writes. A shorter word may be a name (« Curie » is no « cuire »)."""
        if len(word) < self.settings.spell_long_word or word in french_folded() or word in self.counts:
            return None
        swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
        found = sorted(w for w in swaps if w in french_folded())
        if len(found) != 1:
            return None
        return found[0] if french_word(found[0]) else french_accented().get(found[0])

    def unshouted(self, text: str, capitals: Mapping[str, str] | None = None) -> str:
        """``text`` typed in capitals (« QUI FINANCE LES CPTS EN OCCITANIE ? ») with its words as the corpus writes
        them, its first letter a capital (« Qui finance les CPTS en Occitanie ? »): a word the corpus writes with
        capitals keeps them (« CPTS », « Occitanie », « Besançon »: nearly always, or most often for a word that is no
        word of general French) or the ``capitals`` (folded → as written: the lexicon's acronyms), another is in
        lower case, with the accents typed. A text with a lower-case letter, or all of whose words the corpus writes in
        capitals (« CPTS ? »), is as typed."""
        if any(c.islower() for c in text):  # nearly every question: nothing to work out
            return text
        capitals = {**(capitals or {}), **self._capitalised}
        words = [fold_accents(word.lower()) for word in _WORD.findall(text)]
        if all(capitals.get(word, "").isupper() for word in words):
            return text

        def written(match: re.Match[str]) -> str:
            return capitals.get(fold_accents(match.group().lower())) or match.group().lower()

        lowered = _WORD.sub(written, text)
        return lowered[:1].upper() + lowered[1:]

    @property
    def acronyms(self) -> frozenset[str]:
        """The acronyms the corpus writes in capitals, folded (« sisa »)."""
        return frozenset(self._acronyms)

    def as_written(self, text: str, keep: Collection[str] = ()) -> tuple[str, dict[str, str]]:
        """``text`` (French) with its words as the corpus writes them:

        - a typo corrected when the correction is sure: two letters swapped (« représnetant » → « représentant »), or
          one letter off in a word of ``spell_long_word`` letters or more into a word that is no stop word. Never a
          French word, even typed without its accents (« mandat », « difference »), a word the correction would only
          inflect (« professionnaliser »), a word of ``keep`` (folded: the lexicon's, « kesako »), and a capitalised
          word (a name: « Simon », « Dupuis ») only when two of its letters are swapped. Swapped back, two letters
          may also give a word of French the corpus never writes (« difféernce » → « différence », :meth:`french_swap`);
        - a word typed without accents given them (« la sante des elus » → « la santé des élus ») when the corpus
          (nearly) always writes it so and French never writes it as typed (« impose », « forme », « cote » stay), or,
          for a word the corpus never writes, when French writes it one way only (« le benevole » → « le bénévole »:
          :func:`~ingest.lexical.french_accented`);
          capitals too when it is an acronym the lexicon knows or the corpus writes so ``acronym_restored_count`` times
          at least (« une sisa » → « une SISA », « les esp » → « les ESP »).

        Short words (« a », « ou ») and words with an accent or capitals are given no accents nor capitals; web and
        e-mail addresses and words between quotation marks (the way to keep a word as typed) stay as typed. Returns
        the text and its corrections (typed word → correction)."""
        s = self.settings
        corrections: dict[str, str] = {}
        kept = [m.span() for m in _AS_TYPED.finditer(text)]
        first = next((m.start() for m in _WORD.finditer(text)), 0)  # the question's first word may be capitalised

        def restore(match: re.Match[str]) -> str:
            word = match.group()
            if any(start <= match.start() < end for start, end in kept):
                return word
            folded = fold_accents(word.lower())
            fixed = None if folded in keep or folded in french_folded() else self.fix(folded)
            if fixed and not self._sure(word, folded, fixed):
                fixed = None
            french = None if fixed or folded in keep else self.french_swap(folded)
            elided = None if fixed or french or folded in keep else self.unglued(word, folded, match.start() == first)
            if elided:  # « dun » → « d'un », once no typo correction applies (« cordinateur »)
                corrections[word] = elided
                return elided
            if fixed or french:
                form = self._spelled.get(fixed, fixed) if fixed else french
                form = form[0].upper() + form[1:] if word[0].isupper() else form
                corrections[word] = form
                return form
            if len(word) < s.written_form_min_length or word[1:] != word[1:].lower() or fold_accents(word) != word:
                return word
            acronym, uses = self._acronyms.get(folded, ("", 0))
            form = acronym if acronym and (folded in keep or uses >= s.acronym_restored_count) else None
            form = form or self._accented.get(folded)
            if form is None and folded not in self.counts:  # « Denis »: as the corpus writes it, never « Dénis »
                form = french_accented().get(folded)
            if form is None:
                return word
            return form if form.isupper() else (form[0].upper() + form[1:] if word[0].isupper() else form)

        return _WORD.sub(restore, text), corrections

    def unglued(self, word: str, folded: str, first: bool) -> str | None:
        """``word`` with the apostrophe of its elision (« dun » → « d'un », « lheure » → « l'heure »), or None: a word
        of ``elision.words`` (``query.toml``), or a word neither the corpus nor French writes that, after its head
        (``elision.heads``), is a word of ``elision.min_rest`` letters or more the corpus writes, on a vowel or an h.
        Not an acronym (« JO »), nor a capitalised word unless it opens the question (``first``): else a name."""
        rules = QueryRules.load()
        if word.isupper() or (word[0].isupper() and not first):
            return None
        if written := rules.glued_words.get(folded):  # even one French writes (« dune »): the list says so
            return written[0].upper() + written[1:] if word[0].isupper() else written
        found = rules.glued.match(folded)
        if found is None or folded in self.counts or folded in french_folded():
            return None
        rest = found.group("rest")
        if len(rest) < rules.glued_min_rest or rest not in self.counts:
            return None
        cut = len(found.group("head"))
        return f"{word[:cut]}'{word[cut:]}"

    def _sure(self, word: str, folded: str, fixed: str) -> bool:
        """Is ``fixed`` surely what ``word`` meant, more than an inflection of it? Two letters swapped (« Comemnt »),
        or one letter off in a long word that is no name, into no stop word (« mails » is no « mais »)."""
        if stem_of(fixed) == stem_of(folded):
            return False
        if _swapped(folded, fixed):
            return True
        long = len(folded) >= self.settings.spell_long_word and OSA.distance(folded, fixed) == 1
        return long and not word[0].isupper() and fixed not in self.stopwords


def _swapped(typed: str, word: str) -> bool:
    """« represnetant » for « representant »: the same letters, two neighbours swapped."""
    diff = [i for i, (a, b) in enumerate(zip(typed, word, strict=False)) if a != b]
    return (
        len(typed) == len(word)
        and len(diff) == 2
        and diff[1] == diff[0] + 1
        and (typed[diff[0]], typed[diff[1]]) == (word[diff[1]], word[diff[0]])
    )


# web and e-mail addresses (« france-assos-sante.org » writes no word of the text)
ADDRESS = re.compile(r"\S*(?:://|www\.|@)\S*|\b[\w-]+(?:\.[\w-]+)*\.(?:fr|com|org|net|eu|info|gouv)\b\S*")
# addresses, and what a question puts between quotation marks: kept as typed
_AS_TYPED = re.compile(rf"{ADDRESS.pattern}|«[^»]*»|\"[^\"]*\"|“[^”]*”")
_WORD = re.compile(r"[^\W\d_]+")


def _written_forms(
    written: Counter[str], share: float
) -> tuple[dict[str, str], dict[str, str], dict[str, tuple[str, int]], dict[str, str]]:
    """How the corpus writes each word (folded, « sante »): the form it writes most (« santé », what a typo is
    corrected into); the form with accents it writes in at least ``share`` of its uses (« santé »: the addresses
    write « sante »), unless French writes the word as typed (« impose », « forme »: :func:`french_word`); apart,
    the acronyms it writes in capitals for ``share`` of their uses, with their number of uses (« sisa » →
    (« SISA », 4)); and the words it writes with capitals for ``share`` of their uses, or most often when they are
    no word of general French (« occitanie » → « Occitanie », « sisa » → « SISA »)."""

    def dominant(counts: Counter[str], at_least: float = share) -> str | None:
        count, form = min((-n, f) for f, n in counts.items())  # the most written; ties: alphabetical
        return form if -count >= at_least * counts.total() else None

    spellings: dict[str, Counter[str]] = {}  # "sante" → {"santé": 900, "sante": 12}
    cases: dict[str, Counter[str]] = {}  # "sisa" → {"SISA": 4}
    for form, count in written.items():
        lower = form.lower()
        spellings.setdefault(fold_accents(lower), Counter())[lower] += count
        cases.setdefault(lower, Counter())[form] += count
    most = {bare: dominant(counts, 0.0) or bare for bare, counts in spellings.items()}
    capitalised: dict[str, str] = {}  # « Occitanie », « CPTS »; not « Guide », « Enfin », heads of titles, sentences
    for bare, spelled in most.items():
        nearly_always = dominant(cases[spelled])
        cased = nearly_always or dominant(cases[spelled], 0.0)
        if cased and cased != spelled and (cased == nearly_always or not french_word(spelled)):
            capitalised[bare] = cased
    accented: dict[str, str] = {}
    acronyms: dict[str, tuple[str, int]] = {}
    for bare, counts in spellings.items():
        spelled = dominant(counts)
        if spelled is None or french_word(bare):
            continue
        if spelled != bare:
            accented[bare] = spelled
        cased = dominant(cases[spelled])
        if cased is not None and cased.isupper() and len(cased) > 1:
            acronyms[bare] = (cased, cases[spelled][cased])
    return most, accented, acronyms, capitalised


class Intent(StrEnum):
    """What a question asks for, which decides the route of its answer."""

    SEARCH = "search"
    EMPTY = "empty"  # nothing to search for: "quoi ?", "???"
    LIST_FICHES = "list_fiches"
    FICHE = "fiche"
    LIST_RECOMMENDATIONS = "list_recommendations"
    MISSING_FICHE = "missing_fiche"  # a fiche number the guide does not have
    MISSING_RECOMMENDATION = "missing_recommendation"
    MISSING_SECTION = "missing_section"


@dataclass
class Query:
    """A question, cleaned and understood."""

    raw: str
    text: str  # the question as the user meant it: no markup, injected instructions or greetings; its words as the
    # documents write them (inclusive writing, accents, sure typos: ``respelled``)
    search_text: str = ""  # text sent to BM25 (expanded with the lexicon, corrected)
    semantic_text: str = ""  # text embedded for the vector search (the question, in context)
    intent: Intent = Intent.SEARCH
    fiche: int | None = None
    recommendation: int | None = None
    section_ref: str = ""  # "12" for "chapitre 12", "IV" for "partie IV"
    parts: list[str] = field(default_factory=list)
    premise: str = ""  # what the question takes for granted ("puisque …"), or the question itself
    premise_explicit: bool = False
    language: str = "fr"
    injection: bool = False
    truncated: bool = False
    had_markup: bool = False
    followup: bool = False
    corrections: dict[str, str] = field(default_factory=dict)
    respelled: dict[str, str] = field(default_factory=dict)  # typos corrected in the text itself (said to the user)
    lexicon_words: set[str] = field(default_factory=set)  # words the domain lexicon explained
    # an acronym no document writes → the corpus's phrase whose initials spell it, searched with it (« EPCI »), or ""
    # when the question spells it out itself (« … d'intérêt collectif (Scic) »)
    spelled_out: dict[str, str] = field(default_factory=dict)
    rewritten: str = ""  # a follow-up rewritten as a whole question ("et dans une CPTS ?" → the previous one)
    leaning_on: str = ""  # a follow-up's previous question, as the follow-up reads it (its structure, its party)
    # a follow-up searched beside the question it leans on: its own words, searched too (Settings.weight_followup_own)
    own_search_text: str = ""
    own_semantic_text: str = ""
    # a follow-up asking only for a fact: the kind it asks, read with the question it leans on (« combien ? » after
    # « … touche-t-il une indemnité ? »: "montant"); "" when its own words say it
    asked_kind: str = ""

    def asked(self) -> tuple[FactKind | None, str]:
        """The kind of fact the question asks and what it names ("" for a kind that names nothing)."""
        facts = FactRules.load()
        return (facts.kind(self.asked_kind), "") if self.asked_kind else facts.asked_with_term(self.text)


def clean_input(raw: str, max_chars: int) -> tuple[str, bool, bool]:
    """Plain text of a question: markup removed, entities decoded, spaces collapsed, length capped."""
    text = (raw or "")[: max_chars * 4]  # what follows is linear at best: never feed it a whole book
    text = normalize_chars(text)  # accents composed (« santé » typed as « sante » + ◌́), typographic apostrophes
    had_markup = bool(_SCRIPT.search(text) or _TAG.search(text))
    text = _SCRIPT.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _TAG.sub(" ", _SCRIPT.sub(" ", text))  # markup that was entity-encoded
    text = _MARKDOWN.sub(lambda m: m.group(2) or " ", text)
    text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    text = re.sub(r"\s+", " ", text).strip()
    truncated = len(text) > max_chars
    if truncated:
        cut = text[:max_chars]
        text = cut[: cut.rfind(" ")] if " " in cut[max_chars // 2 :] else cut
    return text, truncated, had_markup


def strip_injection(text: str) -> tuple[str, bool]:
    """Remove instructions addressed to the assistant; report whether there were any."""
    rules = QueryRules.load()
    found = bool(rules.injection.search(text) or rules.injection_flag.search(text))
    if not rules.injection.search(text):
        return text, found
    cleaned = rules.injection.sub(" ", text)
    # a removal leaves a space before a comma or a full stop; French keeps its space before « : ; ? ! »
    cleaned = re.sub(r"\s+([,.])", r"\1", re.sub(r"\s+", " ", cleaned)).strip(" ,.:;-")
    return cleaned, True


def strip_courtesy(text: str) -> str:
    """The question without the greetings, thanks and « s'il vous plaît » around it ("" when that is all it holds:
    nothing is asked)."""
    cleaned = QueryRules.load().courtesy.sub(" ", text)
    return re.sub(r"\s+([,.])", r"\1", re.sub(r"\s+", " ", cleaned)).lstrip(" ,.;:!-").rstrip(" ,;-")


def detect_language(text: str) -> str:
    """ "fr", "en" or "other": the language whose frequent words the text uses most (short texts: "fr")."""
    rules = QueryRules.load()
    words = re.findall(r"[\w'é]+", text.lower())
    if len(words) < rules.language_min_words:
        return "fr"
    fr = sum(w in rules.french_words for w in words)
    en = sum(w in rules.english_words for w in words)
    other = sum(w in rules.other_words for w in words)
    if fr >= max(en, other) or fr >= rules.french_enough:
        return "fr"
    return "en" if en >= other else "other"


def split_parts(text: str, min_words: int | None = None) -> list[str]:
    """The sub-questions of a multi-part question (one item when it has a single part); a piece needs
    ``min_words`` words of 3+ letters (setting ``part_min_words``)."""
    if min_words is None:
        min_words = default_settings().part_min_words
    pieces = [p.strip(" ?,;") for p in QueryRules.load().part_split.split(text)]
    pieces = [p for p in pieces if len(re.findall(r"\w{3,}", p)) >= min_words]
    return pieces if len(pieces) > 1 else [text]


def as_statement(text: str) -> str:
    """The question without the question mark that ends it, as the vector search embeds it: the documents state
    things, and e5 finds their statements better from a question read as one (docs/evaluation.md); the confidence
    reads it as a question (:func:`as_question`)."""
    return _FINAL_MARK.sub("", text) or text


def as_question(text: str) -> str:
    """The question opening on a capital and ending on one question mark, as most are typed (« Qui peut être
    représentant ? »), whether it was typed so or not: the confidence reads every question the same way (« comment
    intégrer les usagers… » typed in lower case crossed the threshold its capitalised twin did not)."""
    text = as_statement(text)
    return f"{text[:1].upper()}{text[1:]} ?"


_FINAL_MARK = re.compile(r"\s*[?？][\s?？!»)\]]*$")  # « ? », « ?! », « ? » », « ?) », the full-width « ？ »


def written_words(text: str) -> list[str]:
    """Words as written, accents and case kept."""
    return _WORD.findall(unicodedata.normalize("NFC", text))


def words_of(text: str) -> list[str]:
    """Lower-case, accent-folded words (apostrophes split)."""
    return re.findall(r"[a-z0-9]+", fold_accents(text.lower()).replace("'", " "))


@dataclass
class Expansion:
    """A question as the two searches read it."""

    search_text: str  # BM25: the words, with what abbreviations, synonyms and spelling fixes mean
    semantic_text: str  # embedded: the question with its rare abbreviations spelled out (« un RU » → « un représentant
    # des usagers »: the embedding model never learnt them)
    corrections: dict[str, str]
    explained: set[str]  # the question's words the lexicon explained


def expand(text: str, lexicon: Lexicon, speller: SpellFixer | None, settings: Settings | None = None) -> Expansion:
    """Add what abbreviations, synonyms and spelling fixes mean to the question's own words."""
    kept_count = (settings or default_settings()).abbreviation_kept_count
    extra: list[str] = []
    corrections: dict[str, str] = {}
    explained: set[str] = set()
    replaced: set[str] = set()
    for word in words_of(text):
        if word in lexicon.abbreviations:
            explained.add(word)
            # an abbreviation the corpus itself uses (MSP, CPTS…) is searched as it is; a rare one
            # ("RU", "asso") is replaced by what it means, so its few literal uses do not dominate
            if speller is None or speller.counts.get(word, 0) < kept_count:
                extra.append(lexicon.abbreviations[word])
                replaced.add(word)
            continue
        meaning = lexicon.synonym(word, unwritten=speller is not None and word not in speller.counts)
        fixed = speller.fix(word) if speller and meaning is None else None  # « argent » is no typo
        if fixed:
            corrections[word] = fixed
            extra.append(fixed)
            meaning = lexicon.synonym(fixed)
        if meaning is not None:
            extra.append(meaning)
            explained.add(word)
    if reasons := lexicon.reasons_of(text):  # « Pourquoi faire participer ? »: the advantages the documents give
        extra.append(reasons)
    if start := lexicon.starts_of(text):  # « Par où commencer ? »: what the guide calls the first step
        extra.append(start)
    extra += lexicon.acronyms_of(text)  # « communauté professionnelle territoriale de santé »: the documents write CPTS
    semantic = text
    if replaced:
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(replaced)) + r")\b", re.IGNORECASE)
        semantic = pattern.sub(lambda m: _spelled_out(m.group(), lexicon), text)
        text = pattern.sub(" ", text)
    text = lexicon.keywords(text)  # « mettre en place » searched as keywords found « la place des usagers »
    return Expansion((f"{text} {' '.join(extra)}".strip() if extra else text), semantic, corrections, explained)


def _spelled_out(word: str, lexicon: Lexicon) -> str:
    """What an abbreviation typed in lower case or in capitals stands for (« RU », « ru »); a capitalised word is
    something else (« Pr Martin », a professor)."""
    if word[0].isupper() and not word.isupper():
        return word
    return lexicon.abbreviations[fold_accents(word.lower())]


def is_followup(text: str, max_words: int | None = None, points_back: bool = False) -> bool:
    """Does the question lean on the previous one ("et qui anime ces réunions ?", « Avec quelles conséquences ? »:
    a noun whose complement it does not name)? A short question
    (``max_words``, setting ``followup_max_words``) that points back ("ces", "cela") or narrows it ("même pour les
    petits trajets ?") does too, as does one whose pronoun stands for what the previous one named (``points_back``),
    unless it says it is another question."""
    rules = QueryRules.load()
    if max_words is None:
        max_words = default_settings().followup_max_words
    words = re.findall(r"\w+", text)
    if rules.new_question.search(text.lower()):  # « ok merci. autre question : … »
        return False
    starts = rules.followup_start.match(text.strip()) or rules.complement_missing.match(text.strip())
    return bool(starts or points_back or rules.next_fiche.search(text) or rules.previous_fiche.search(text)) or (
        len(words) <= max_words
        and bool(
            rules.narrows.match(text.strip()) or rules.anaphora.search(_topic_part(_without_repeated_subject(text)))
        )
    )


def _topic_part(text: str) -> str:
    """A question that sets a noun phrase before a comma and takes it up after (« Les facilitateurs, on en trouve où
    ? »): the phrase alone, where words pointing back still point at the question before (« Ces réunions, on en fait
    combien ? »); the question itself otherwise."""
    found = QueryRules.load().dislocated.match(text)
    return found.group("topic") if found else text


def _without_repeated_subject(text: str) -> str:
    """The question without an inverted pronoun that repeats its own subject: in "les usagers
    sont-ils tenus au secret ?" "ils" is "les usagers", not the previous question's subject; in
    "sont-ils rémunérés ?" or "comment sont-ils choisis ?" nothing comes before it and it points back."""
    rules = QueryRules.load()
    found = rules.inverted.search(text)
    if found is None:
        return text
    head = text[: found.start()]  # what comes before the pronoun: words, then the verb
    before = head.rsplit(" ", 1)[0] if " " in head else ""
    return text if rules.question_word_only.match(before) else head + text[found.end() :]


def understand(
    raw: str,
    max_chars: int,
    fiche_count: int,
    recommendation_count: int,
    lexicon: Lexicon,
    speller: SpellFixer | None,
    previous: Query | None = None,
    section_exists: Callable[[str], bool] | None = None,
    settings: Settings | None = None,
    grammar: CorpusGrammar | None = None,
) -> Query:
    """Turn a raw question (and the previous one, for follow-ups) into a :class:`Query` (``grammar``: what the
    documents tell of words, to read what a follow-up's pronoun stands for)."""
    settings = settings or default_settings()
    rules = QueryRules.load()
    text, truncated, had_markup = clean_input(raw, max_chars)
    text, injection = strip_injection(strip_courtesy(text))
    text = rules.masculine(text)  # « les usager·ère·s » read as the documents' usual « les usagers »
    language = detect_language(text)
    corrections: dict[str, str] = {}
    if speller is not None and language == "fr":  # « la sante des elus »: the words as the documents write them
        text, corrections = speller.as_written(text, keep=lexicon.words)
    query = Query(
        raw=raw, text=text, truncated=truncated, had_markup=had_markup, injection=injection, respelled=corrections
    )
    if len(re.findall(r"\w{2,}", text)) == 0:
        query.intent = Intent.EMPTY
        return query
    query.language = language
    resolved = None  # « ils sont payés ? » after « Comment recruter des représentants… ? »: the question it stands for
    said = speller.unshouted(text, lexicon.acronyms) if speller is not None else text  # as a rewrite quotes them
    before = _before(previous, speller, lexicon.acronyms) if previous is not None else ""  # the question leaned on
    if previous is not None and previous.intent is not Intent.EMPTY:  # « et pour les usagers ? », « ils sont payés ? »
        pronoun = False  # « est-ce qu'ils peuvent rester toute l'année… ? »: leans on it, told or not what « ils » is
        if len(re.findall(r"\w+", text)) <= settings.followup_pronoun_max_words:
            # after a follow-up that named nothing (« et combien de temps ? »), what the question it leaned on named
            resolved = resolve(before, said, grammar, previous.leaning_on)
            pronoun = resolved is not None or opens_on_pronoun(said, grammar)
        # « combien de personnes faut-il ? », « sous quelles conditions ? »: a kind of fact asked of nothing named, of
        # what the question before asked
        facts = FactRules.load()
        figure = len(re.findall(r"\w+", text)) <= settings.followup_max_words and facts.asks_only(
            text, _analyzer().words
        )
        query.followup = is_followup(text, settings.followup_max_words, points_back=pronoun or figure)
        if figure:  # « combien ? »: what the question before measured, kept along a chain of such follow-ups
            if previous.followup and not previous.rewritten and previous.leaning_on:
                # « … une indemnité ? » + « combien ? » + « et au maximum ? »: the third leans on the first too, as the
                # second did (searched with the second alone, « combien ? et au maximum ? » found nothing)
                before = f"{previous.leaning_on} {before}"
            earlier = facts.kind(previous.asked_kind) if previous.asked_kind else None
            kind = facts.asked_after(text, before, earlier)
            query.asked_kind = kind.name if kind is not None and kind is not facts.asked(text) else ""
    if match := rules.fiche_ref.search(text):
        query.fiche = int(match.group(1))
    elif query.followup and previous is not None and previous.fiche:
        step = 1 if rules.next_fiche.search(text) else (-1 if rules.previous_fiche.search(text) else 0)
        query.fiche = previous.fiche + step
    if match := rules.recommendation_ref.search(text):
        query.recommendation = int(match.group(1))
    if match := rules.section_ref.search(text):
        query.section_ref = match.group(1).upper()
    if premise := rules.premise.match(text):
        query.premise, query.premise_explicit = premise.group("premise").strip(), True
    else:
        query.premise = text  # an assertion inside the question ("la HAS impose…") is checked too
    query.parts = split_parts(premise.group("rest") if premise else text, settings.part_min_words)

    if query.fiche is not None and not 1 <= query.fiche <= fiche_count:
        query.intent = Intent.MISSING_FICHE
    elif query.recommendation is not None and not 1 <= query.recommendation <= recommendation_count:
        query.intent = Intent.MISSING_RECOMMENDATION
    elif query.section_ref and section_exists is not None and not section_exists(query.section_ref):
        query.intent = Intent.MISSING_SECTION
    elif (
        query.fiche is None and rules.list_fiches.search(text) and len(words_of(text)) <= settings.list_fiches_max_words
    ):
        query.intent = Intent.LIST_FICHES
    elif query.recommendation is None and rules.list_recommendations.search(text):
        query.intent = Intent.LIST_RECOMMENDATIONS
    elif query.fiche is not None and _asks_whole_fiche(text):
        query.intent = Intent.FICHE

    base = text
    if query.followup and previous is not None:
        named, swapped = before, before
        if resolved is None:  # a follow-up whose pronoun stands for a phrase is that question: nothing swapped in it
            named = _swap(rules.party, _swap(rules.structure, before, said), said)
            known = {*lexicon.abbreviations, *(speller.acronyms if speller is not None else ())}
            swapped = _new_topic(rules, named, said, known)
        if swapped != before:  # "et dans une CPTS ?", "et pour les usagers ?": the previous one, so asked
            # opening on the new name (« La MSP… » then « et les CPTS ? »), with the capital the question had
            query.rewritten = swapped[:1].upper() + swapped[1:] if before[:1].isupper() else swapped
        elif resolved is not None:  # « ils sont payés ? »: « Les représentants des usagers sont payés ? »
            query.rewritten = resolved
        query.leaning_on = swapped
        # searched with the follow-up's own words weighing in; a new subject is the question's whole subject; a
        # pronoun replaced by what it stands for makes a whole question, searched in the structure the conversation
        # is about (« … dans une CPTS ? » then « on peut leur confier des actions ? »)
        if resolved is not None:
            setting = rules.structure.search(before)
            base = resolved if setting is None or rules.structure.search(resolved) else f"{resolved} {setting['name']}"
        elif swapped != named:
            base = swapped
        else:  # searched beside the question it leans on, and alone when it asks about something of its own
            base = f"{swapped} {text}"
            if not opens_on_pronoun(said, grammar) and _asks_of_its_own(text):
                own = expand(text, lexicon, speller, settings)
                query.own_search_text, query.own_semantic_text = own.search_text, own.semantic_text
    expansion = expand(base, lexicon, speller, settings)
    query.search_text, query.semantic_text = expansion.search_text, expansion.semantic_text
    query.corrections, query.lexicon_words = {**corrections, **expansion.corrections}, expansion.explained
    return query


@lru_cache(maxsize=1)
def _analyzer() -> FrenchAnalyzer:
    """The search's reading of French words: its stop words name nothing a question is about."""
    return FrenchAnalyzer()


def _asks_of_its_own(text: str) -> bool:
    """Whether a follow-up may ask about something the question before does not name: not when it asks for a kind of
    fact (« ça dure combien de mois ? », « qui peut en bénéficier ? »: a duration, a condition of what was asked
    before; searched alone, its words find every passage that gives some duration, about anything, and the answer
    would quote one). A definition names what it asks about (« et l'ETP, c'est quoi ? »)."""
    fact = FactRules.load().asked(text)
    return fact is None or bool(fact.term_words)


def _before(previous: Query, speller: SpellFixer | None, capitals: Mapping[str, str]) -> str:
    """The question a follow-up leans on: a follow-up of a follow-up leans on the question it stood for; typed in
    capitals, as the corpus writes its words (:meth:`SpellFixer.unshouted`): its rewrite reads as one question."""
    text = previous.rewritten or previous.text
    return speller.unshouted(text, capitals) if speller is not None else text


_JOINED_BEFORE = re.compile(r"\b(?:(?P<de>d['’]|de\s+)|(?P<to>à\s+)|(?P<contracted>du|des|au|aux)\s+)$", re.IGNORECASE)


def _swap(kind: re.Pattern[str], previous: str, followup: str) -> str:
    """ "… la gouvernance d'une MSP ?" + "et dans un centre de santé ?" → "… la gouvernance d'un centre de
    santé ?", "… les avantages pour les pros ?" + "et pour les usagers ?" → "… pour les usagers ?": the previous
    question about the structure or the party (``kind``, with groups ``article`` and ``name``) the follow-up names
    instead. The new name takes the old one's article, or none; what comes before the article stays, « de » and « à »
    contracted with it (« les missions d'une CPTS ? » + « et pour les MSP ? » → « les missions des MSP ? »)."""
    new = kind.search(followup)
    old = kind.search(previous)
    if new is None or old is None or fold_accents(new.group("name").lower()) == fold_accents(old.group("name").lower()):
        return previous
    named = followup[new.start("article") if new.group("article") else new.start("name") : new.end()]

    out, last = [], 0
    for match in kind.finditer(previous):
        start = match.start("article") if match.group("article") else match.start("name")
        before = previous[last:start]
        name = named if match.group("article") else new.group("name")
        article = (match.group("article") or "").lower()
        # « de » or « à » before the old name, or in its article (« d'une CPTS », « du centre », « au centre », « rôle
        # des CPTS »): said with the new one (« des MSP », « à la CPTS »); not an indefinite « des » (« existe-t-il des
        # MSP ? »)
        joined = _JOINED_BEFORE.search(before)
        if joined and joined.group("contracted") and not article:
            article, name, before = joined.group("contracted").lower(), named, before[: joined.start()]
            joined = None
        head = before.split()  # the words before the article: « rôle » in « rôle des CPTS »
        if article == "du" or (article == "des" and head and completed_noun(head[-1])) or (joined and joined["de"]):
            before, name = before[: joined.start()] if joined else before, of_phrase(name)
        elif article in ("au", "aux") or (joined and joined["to"] and article):
            before, name = before[: joined.start()] if joined else before, to_phrase(name)
        out.append(before + name)
        last = match.end()
    return "".join(out) + previous[last:]


def _new_topic(rules: QueryRules, previous: str, followup: str, acronyms: Collection[str]) -> str:
    """ "Que dit le mémoire sur la formation des usagers ?" + "et sur le patient traceur ?" → "Que dit le mémoire sur
    le patient traceur ?": a follow-up that names only another subject asks the previous question about it; searched
    beside the previous one, the old subject's passages answered. "Qu'est-ce qu'une CPTS ?" + "et l'ETP ?" →
    "Qu'est-ce que l'ETP ?": after a question asking what a thing is, one that names only another of the ``acronyms``
    (folded: the lexicon's, the corpus's) asks what that one is. « et la fiche d'après ? » names the next fiche: not
    so."""
    if rules.next_fiche.search(followup) or rules.previous_fiche.search(followup):
        return previous
    new = rules.topic_only.match(followup)
    old = rules.topic.search(previous)
    if new is not None and old is not None:
        return previous[: old.start()] + new.group("topic").strip() + previous[old.end() :]
    thing = rules.thing_only.match(followup)
    acronym = fold_accents(thing.group("acronym").lower()) if thing is not None else ""
    if not {acronym, acronym.removesuffix("s")} & set(acronyms):  # « les ESPs »: the ESP
        return previous
    fact, term = FactRules.load().asked_with_term(previous)
    if fact is None or fact.name != DEFINITION or not term:
        return previous
    named = re.search(rf"(?:\b(?:{_ARTICLES})(?:(?<=['’])|\s+))?{re.escape(term)}", previous, re.IGNORECASE)
    if named is None:
        return previous
    head, new_thing = previous[: named.start()], thing.group("thing").strip()
    if elided := _ELIDED.search(head):  # « Qu'est-ce qu'une CPTS ? » + « et l'ETP ? »: « … que l'ETP ? »
        vowel = fold_accents(new_thing[:1].lower()) in "aeiouyh"
        head = head[: elided.start()] + elided.group("q") + ("u'" if vowel else "ue ")
    return head + new_thing + previous[named.end() :]


_ARTICLES = r"le|la|les|l'|l’|un|une|des|du"
_ELIDED = re.compile(r"\b(?P<q>[qQ])(?:u['’]|ue\s+)$")  # « que » / « qu' » before the thing asked


def _asks_whole_fiche(text: str) -> bool:
    """ "que dit la fiche 6 ?", "fiche ressource n°13", "résume la fiche 2" — not a precise question."""
    rules = QueryRules.load()
    rest = rules.fiche_ref.sub(" ", text)
    rest_words = [w for w in words_of(rest) if w not in rules.whole_fiche_words]
    return len(rest_words) <= rules.whole_fiche_other_words
