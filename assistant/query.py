"""Understand a question before searching: clean it, spot what it asks for, expand its wording."""

from __future__ import annotations

import html
import re
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ingest.lexical import fold_accents

LEXICON_PATH = Path(__file__).parent / "data" / "lexicon.toml"

_SCRIPT = re.compile(r"<(script|style)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>|<!--.*?-->", re.DOTALL)
_MARKDOWN = re.compile(r"(\*\*|__|`{1,3}|^#{1,6}\s|!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\))", re.MULTILINE)
_INJECTION = re.compile(
    r"(?:oublie|ignore|ignorez|oubliez|ne tiens pas compte|ne tenez pas compte|fais abstraction|sans tenir compte)"
    r"[^.?!:\n]*?(?:document|instruction|consigne|règle|regle|corpus|source|contexte|précédent|precedent)s?"
    r"|(?:r[ée]ponds?|r[ée]pondez)\s+(?:librement|sans (?:citer |les |tes |aucune )*(?:documents?|sources?|limites?))"
    r"|tu es (?:maintenant|désormais|desormais)[^.?!\n]*|vous êtes (?:maintenant|désormais)[^.?!\n]*"
    r"|(?:^|\s)(?:system|système|systeme|assistant)\s*:\s*|\bprompt\b[^.?!\n]*|jailbreak|mode développeur"
    r"|ignore (?:all |the )?(?:previous|above) instructions|act as\b[^.?!\n]*"
    r"|\[?mode (?:admin|expert|libre)[^\]]*\]?",
    re.IGNORECASE,
)
_FICHE_REF = re.compile(
    r"\bfiches?\s*(?:ressources?\s*)?(?:n\s*°|n°|no\.?|num(?:é|e)ro|nr|#)?\s*(\d{1,3})\b", re.IGNORECASE
)
_RECO_REF = re.compile(r"\brecomm?andations?\s*(?:n\s*°|n°|no\.?|num(?:é|e)ro|#)?\s*(\d{1,2})\b", re.IGNORECASE)
_FICHE_LIST = re.compile(
    r"(?:liste|quelles? sont|c'?est quoi|lesquelles|combien|toutes? les|les \d+|énumère|enumere|donne)"
    r"[^?]*\bfiches\b|\bfiches\s+ressources?\s*\??$",
    re.IGNORECASE,
)
_RECO_LIST = re.compile(
    r"(?:liste|quelles? sont|c'?est quoi|lesquelles|combien|toutes? les|les \d+|énumère|donne)"
    r"[^?]*\brecomm?andations\b.*\burps\b|\burps\b.*(?:quelles? sont|liste|toutes?)[^?]*recomm?andations",
    re.IGNORECASE,
)
_SECTION_REF = re.compile(r"\b(?:chapitre|chap\.?|partie)\s+(\d{1,2}|[IVX]{1,4})\b", re.IGNORECASE)
_NEXT_FICHE = re.compile(r"\bfiche\s+(?:suivante|d'après|d'apres|d'après)|\bla suivante\b", re.IGNORECASE)
_PREV_FICHE = re.compile(r"\bfiche\s+(?:précédente|precedente|d'avant)|\bla précédente\b", re.IGNORECASE)
_PREMISE = re.compile(
    r"^(?:mais\s+)?(?:puisque|puisqu'|vu que|étant donné que|etant donne que|sachant que|comme|"
    r"du moment que|dès lors que|des lors que|alors que)\s*(?P<premise>[^,?]{8,}?)\s*,\s*(?P<rest>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_PART_SPLIT = re.compile(
    r"\s*(?:\?\s+|;\s+|,?\s+et\s+(?=(?:comment|qui|quand|pourquoi|quels?|quelles?|combien|où|ou est|que|qu'|"
    r"est-ce|à quoi|a quoi|avec quoi|dans quel)\b))",
    re.IGNORECASE,
)
_FOLLOWUP_START = re.compile(
    r"^(?:et|mais|aussi|ok|d'accord|alors|du coup|dans ce cas|et pour|et si|et dans|et chez|et en|et les|"
    r"et le|et la|et qui|et comment|et quand|et combien|et pourquoi)\b",
    re.IGNORECASE,
)
_ANAPHORA = re.compile(
    r"\b(?:ces|cette|celle-ci|celui-ci|celles-ci|ceux-ci|ça|ca|cela|là-dessus|la-dessus|ils|elles|eux|"
    r"le faire|en faire|y aller|la suivante|d'après|d'apres)\b",
    re.IGNORECASE,
)
_FR_WORDS = {
    "le", "la", "les", "des", "une", "un", "et", "est", "dans", "pour", "que", "qui", "quoi", "comment",
    "quel", "quelle", "quels", "quelles", "du", "de", "en", "sur", "avec", "je", "on", "nous", "vous",
    "il", "elle", "peut", "faut", "sont", "pas", "ce", "cette", "au", "aux", "mon", "ma", "mes", "c'est",
}  # fmt: skip
_EN_WORDS = {
    "the", "what", "how", "who", "is", "are", "do", "does", "can", "should", "of", "and", "in", "to",
    "for", "with", "which", "why", "when", "where", "my", "our", "users", "patients", "health", "care",
}  # fmt: skip
_OTHER_WORDS = {
    "el", "los", "las", "qué", "cómo", "cuál", "der", "die", "das", "und", "wie", "was", "ist", "nicht",
    "como", "o", "os", "uma", "é", "il", "che", "gli", "sono", "della",
}  # fmt: skip


@dataclass
class Lexicon:
    """Abbreviations and synonyms of the domain (``assistant/data/lexicon.toml``)."""

    abbreviations: dict[str, str]
    synonyms: dict[str, str]

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, path: Path = LEXICON_PATH) -> Lexicon:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(data.get("abbreviations", {}), data.get("synonyms", {}))


class SpellFixer:
    """Corrects misspelled words of a question against the corpus vocabulary (edit distance ≤ 1 or 2)."""

    def __init__(self, word_counts: Counter[str]) -> None:
        self.counts = word_counts
        self._words = sorted(word_counts)
        self._by_length: dict[int, list[str]] = {}
        for word in self._words:
            self._by_length.setdefault(len(word), []).append(word)

    def fix(self, word: str) -> str | None:
        """The corpus word closest to ``word`` (folded, lower case), or None if it is known or too far.

        Conservative on purpose: a real word the corpus does not use ("douleur", "recette") must stay
        unknown, so only words of 5+ letters are fixed, keeping their first letter, at distance 1
        (2 from 9 letters)."""
        if word in self.counts or len(word) < 5 or not word.isalpha():
            return None
        limit = 1 if len(word) < 9 else 2
        candidates = [
            w
            for n in range(len(word) - limit, len(word) + limit + 1)
            for w in self._by_length.get(n, [])
            if w[0] == word[0]
        ]
        best = process.extract(word, candidates, scorer=Levenshtein.distance, limit=5, score_cutoff=limit)
        if not best:
            return None
        # the smallest distance, then the most frequent word, then alphabetical (deterministic)
        best.sort(key=lambda item: (item[1], -self.counts[item[0]], item[0]))
        return best[0][0]


@dataclass
class Query:
    """A question, cleaned and understood."""

    raw: str
    text: str  # cleaned question (no markup, no injected instructions), as the user meant it
    search_text: str = ""  # text sent to BM25 (expanded with the lexicon, corrected)
    semantic_text: str = ""  # text embedded for the vector search (the question, in context)
    # search | empty | list_fiches | fiche | list_recommendations | missing_fiche | missing_recommendation
    # | missing_section
    intent: str = "search"
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
    lexicon_words: set[str] = field(default_factory=set)  # words the domain lexicon explained


def clean_input(raw: str, max_chars: int) -> tuple[str, bool, bool]:
    """Plain text of a question: markup removed, entities decoded, spaces collapsed, length capped."""
    text = (raw or "")[: max_chars * 4]  # what follows is linear at best: never feed it a whole book
    text = text.replace("\u2019", "'").replace("\u2018", "'")  # typographic apostrophes (d’années)
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


_INJECTION_FLAG = re.compile(r"\binvente[rz]?\b|\bimagine[rz]?\b|print your|system prompt", re.IGNORECASE)


def strip_injection(text: str) -> tuple[str, bool]:
    """Remove instructions addressed to the assistant; report whether there were any."""
    found = bool(_INJECTION.search(text) or _INJECTION_FLAG.search(text))
    if not _INJECTION.search(text):
        return text, found
    cleaned = _INJECTION.sub(" ", text)
    cleaned = re.sub(r"\s+([,.:;?!])", r"\1", re.sub(r"\s+", " ", cleaned)).strip(" ,.:;-")
    return cleaned, True


def detect_language(text: str) -> str:
    words = re.findall(r"[\w'é]+", text.lower())
    if len(words) < 3:
        return "fr"
    fr = sum(w in _FR_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    other = sum(w in _OTHER_WORDS for w in words)
    if fr >= max(en, other) or fr >= 2:
        return "fr"
    return "en" if en >= other else "other"


def split_parts(text: str) -> list[str]:
    """The sub-questions of a multi-part question (one item when it has a single part)."""
    pieces = [p.strip(" ?,;") for p in _PART_SPLIT.split(text)]
    pieces = [p for p in pieces if len(re.findall(r"\w{3,}", p)) >= 2]
    return pieces if len(pieces) > 1 else [text]


def words_of(text: str) -> list[str]:
    """Lower-case, accent-folded words (apostrophes split)."""
    return re.findall(r"[a-z0-9]+", fold_accents(text.lower()).replace("'", " "))


def expand(text: str, lexicon: Lexicon, speller: SpellFixer | None) -> tuple[str, dict[str, str], set[str]]:
    """Add what abbreviations, synonyms and spelling fixes mean to the question's own words."""
    extra: list[str] = []
    corrections: dict[str, str] = {}
    explained: set[str] = set()
    replaced: set[str] = set()
    for word in words_of(text):
        if word in lexicon.abbreviations:
            explained.add(word)
            # an abbreviation the corpus itself uses (MSP, CPTS…) is searched as it is; a rare one
            # ("RU", "asso") is replaced by what it means, so its few literal uses do not dominate
            if speller is None or speller.counts.get(word, 0) < 10:
                extra.append(lexicon.abbreviations[word])
                replaced.add(word)
            continue
        fixed = speller.fix(word) if speller else None
        if fixed:
            corrections[word] = fixed
            extra.append(fixed)
        key = fixed or word
        if key in lexicon.synonyms:
            extra.append(lexicon.synonyms[key])
            explained.add(word)
    if replaced:
        pattern = r"\b(?:" + "|".join(re.escape(w) for w in sorted(replaced)) + r")\b"
        text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    return (f"{text} {' '.join(extra)}".strip() if extra else text), corrections, explained


def is_followup(text: str) -> bool:
    """Does the question lean on the previous one ("et qui anime ces réunions ?")?"""
    words = re.findall(r"\w+", text)
    return bool(_FOLLOWUP_START.match(text.strip()) or _NEXT_FICHE.search(text) or _PREV_FICHE.search(text)) or (
        len(words) <= 7 and bool(_ANAPHORA.search(text))
    )


def understand(
    raw: str,
    max_chars: int,
    fiche_count: int,
    recommendation_count: int,
    lexicon: Lexicon,
    speller: SpellFixer | None,
    previous: Query | None = None,
    section_exists: Callable[[str], bool] | None = None,
) -> Query:
    """Turn a raw question (and the previous one, for follow-ups) into a :class:`Query`."""
    text, truncated, had_markup = clean_input(raw, max_chars)
    text, injection = strip_injection(text)
    query = Query(raw=raw, text=text, truncated=truncated, had_markup=had_markup, injection=injection)
    if len(re.findall(r"\w{2,}", text)) == 0:
        query.intent = "empty"
        return query
    query.language = detect_language(text)
    if previous is not None and previous.intent != "empty" and is_followup(text):
        query.followup = True
    if match := _FICHE_REF.search(text):
        query.fiche = int(match.group(1))
    elif query.followup and previous is not None and previous.fiche:
        step = 1 if _NEXT_FICHE.search(text) else (-1 if _PREV_FICHE.search(text) else 0)
        query.fiche = previous.fiche + step
    if match := _RECO_REF.search(text):
        query.recommendation = int(match.group(1))
    if match := _SECTION_REF.search(text):
        query.section_ref = match.group(1).upper()
    if premise := _PREMISE.match(text):
        query.premise, query.premise_explicit = premise.group("premise").strip(), True
    else:
        query.premise = text  # an assertion inside the question ("la HAS impose…") is checked too
    query.parts = split_parts(premise.group("rest") if premise else text)

    if query.fiche is not None and not 1 <= query.fiche <= fiche_count:
        query.intent = "missing_fiche"
    elif query.recommendation is not None and not 1 <= query.recommendation <= recommendation_count:
        query.intent = "missing_recommendation"
    elif query.section_ref and section_exists is not None and not section_exists(query.section_ref):
        query.intent = "missing_section"
    elif query.fiche is None and _FICHE_LIST.search(text) and len(words_of(text)) <= 14:
        query.intent = "list_fiches"
    elif query.recommendation is None and _RECO_LIST.search(text):
        query.intent = "list_recommendations"
    elif query.fiche is not None and _asks_whole_fiche(text):
        query.intent = "fiche"

    base = text
    if query.followup and previous is not None:
        base = f"{_swap_structure(previous.text, text)} {text}"
    query.semantic_text = base
    query.search_text, query.corrections, query.lexicon_words = expand(base, lexicon, speller)
    return query


_STRUCTURE = re.compile(
    r"\b(?:(?:un|une|le|la|les|des|l'|d'|du)\s*)?(?:maisons? de santé(?: pluriprofessionnelles?)?|MSP|"
    r"centres? de santé|CPTS|communautés? professionnelles? territoriales? de santé|hôpita(?:l|ux)|"
    r"établissements? de santé)\b",
    re.IGNORECASE,
)


def _swap_structure(previous: str, followup: str) -> str:
    """ "… la gouvernance d'une MSP ?" + "et dans un centre de santé ?" → "… la gouvernance d'un centre de
    santé ?": the previous question about the structure the follow-up names instead."""
    new = _STRUCTURE.search(followup)
    old = _STRUCTURE.search(previous)
    if new is None or old is None or fold_accents(new.group(0).lower()) == fold_accents(old.group(0).lower()):
        return previous
    return _STRUCTURE.sub(new.group(0), previous)


def _asks_whole_fiche(text: str) -> bool:
    """ "que dit la fiche 6 ?", "fiche ressource n°13", "résume la fiche 2" — not a precise question."""
    rest = _FICHE_REF.sub(" ", text)
    rest_words = [w for w in words_of(rest) if w not in _WHOLE_FICHE_WORDS]
    return len(rest_words) <= 1


_WHOLE_FICHE_WORDS = {
    "que", "dit", "la", "le", "de", "du", "des", "quoi", "parle", "contient", "resume", "resumer", "resumez",
    "c", "est", "ce", "qu", "il", "y", "a", "dans", "sur", "moi", "montre", "montrer", "affiche", "afficher",
    "voir", "lire", "ouvre", "ouvrir", "donne", "guide", "has", "ressource", "ressources", "contenu", "en",
    "bref", "synthese", "explique", "expliquer", "presente", "presenter", "svp", "stp", "merci", "l", "d",
    "et", "suivante", "precedente", "apres", "avant", "concerne", "traite", "porte", "son", "sujet",
}  # fmt: skip
