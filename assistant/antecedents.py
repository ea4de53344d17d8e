"""What a follow-up's pronoun stands for: « Comment recruter des représentants des usagers dans notre MSP ? » then
« ils sont payés ? » is asked as « Les représentants des usagers sont payés ? ».

Without it the follow-up was searched glued to the question before it, whose words (recruiting) won the search; a
third turn leaned on the second's bare words and was declined. The previous question's noun phrases are read with
the rules of ``data/pronouns.toml`` (an article, a noun, at most two adjectives, complements joined by « de »);
the pronoun takes the first one of its number and gender: a subject (« ils… », « est-ce qu'ils… », « sont-ils… »)
or an object before an infinitive (« comment les trouver ? », « combien faut-il en recruter ? », « on peut leur
demander… »). A follow-up that names its own subject, or whose pronoun matches no phrase, is left as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from assistant.rules import DATA_DIR
from ingest.rules import RulesError, alternatives, count, read_rules, value, words

_TOKEN = re.compile(r"\b(?:qu|[ldjnsctm])['’]|\w+(?:-\w+)*|[^\w\s]", re.IGNORECASE)
_HYPHEN_PRONOUN = re.compile(r"-(?:t-)?(?:ils?|elles?|on|nous|vous|je|tu)$", re.IGNORECASE)
_VOWEL = "aeiouyhàâéèêëîïôûAEIOUYHÀÂÉÈÊËÎÏÔÛ"


@dataclass(frozen=True)
class Opener:
    """A word that opens a noun phrase: the article the phrase takes once known, its number and gender."""

    known: str  # « des » → « les », « un » → « le »
    number: str  # "p", "s" or "?" (read from the noun)
    gender: str  # "m", "f" or "?"


@dataclass(frozen=True)
class PronounRules:
    """The word lists and patterns of ``pronouns.toml`` (see the comments of that file)."""

    openers: dict[str, Opener]
    counted: frozenset[str]
    joiners: frozenset[str]
    joined_articles: frozenset[str]
    stops: frozenset[str]
    people: frozenset[str]  # nouns of persons, singular (« représentant », « RU »): what « ils » most likely means
    adjectives_at_most: int
    subject: re.Pattern[str]  # « ils sont payés ? »: groups pro, rest
    elided: re.Pattern[str]  # « est-ce qu'ils… », « s'ils… »: groups q, pro
    inverted: re.Pattern[str]  # « comment sont-ils choisis ? »: groups before, verb, pro
    inverted_que: re.Pattern[str]  # « que font-ils ? »: groups verb, pro, rest
    object: re.Pattern[str]  # « comment les trouver ? »: groups pre, pro, verb
    impersonal: re.Pattern[str]  # « il faut… »: what follows « il » when it points at nothing
    leads: re.Pattern[str]

    @classmethod
    @lru_cache(maxsize=2)
    def load(cls, path: Path = DATA_DIR / "pronouns.toml") -> PronounRules:
        data = read_rules(path)
        openers = {}
        for entry in value(data, "phrases.openers", path):
            if not (isinstance(entry, list) and len(entry) == 4 and all(isinstance(w, str) for w in entry)):
                raise RulesError(f"{path.name} : « phrases.openers » : [mot, article, nombre, genre] attendu")
            openers[entry[0]] = Opener(entry[1], entry[2], entry[3])

        def literal(key: str) -> str:
            return alternatives(tuple(sorted(words(data, key, path), key=len, reverse=True)), escape=True)

        infinitive = rf"\w+(?:{literal('pronouns.infinitive_endings')})"
        pro = r"(?P<pro>ils|elles|il|elle)"
        return cls(
            openers=openers,
            counted=frozenset(words(data, "phrases.counted", path)),
            joiners=frozenset(words(data, "phrases.joiners", path)),
            joined_articles=frozenset(words(data, "phrases.joined_articles", path)),
            stops=frozenset(words(data, "phrases.stops", path)),
            people=frozenset(w.lower() for w in words(data, "phrases.people", path)),
            adjectives_at_most=count(data, "phrases.adjectives_at_most", path),
            subject=re.compile(rf"^{pro}\s+(?P<rest>\S.*)$", re.IGNORECASE),
            elided=re.compile(rf"\b(?P<q>qu|lorsqu|puisqu|s)['’]{pro}\b", re.IGNORECASE),
            inverted=re.compile(
                rf"^(?P<before>(?:{literal('pronouns.question_words')})\s+)?(?P<verb>(?:se\s+|s['’])?\w+)-(?:t-)?{pro}\b",
                re.IGNORECASE,
            ),
            inverted_que=re.compile(rf"^que\s+(?P<verb>\w+)-(?:t-)?{pro}\b(?P<rest>.*)$", re.IGNORECASE),
            object=re.compile(
                rf"(?:^|(?<=\s))(?P<pre>{literal('pronouns.before_object')})\s+(?P<pro>les|en|leur)\s+"
                rf"(?P<verb>{infinitive})\b",
                re.IGNORECASE,
            ),
            impersonal=re.compile(rf"^\s*(?:{literal('pronouns.impersonal')})\b", re.IGNORECASE),
            leads=re.compile(rf"^(?:(?:{literal('pronouns.leads')})\s*,?\s+)+", re.IGNORECASE),
        )


@dataclass(frozen=True)
class Phrase:
    """A noun phrase of a question: its article as written, its noun, what follows the noun (adjectives, then
    complements), how many of those words are the noun's adjectives, its number and gender."""

    article: Opener
    written: str  # the article as the question writes it
    noun: str
    after: tuple[str, ...]
    adjectives: int
    plural: bool
    gender: str
    start: int  # where it starts in the question
    subject: bool = False  # the question's subject: only a question word before it (« Comment des professionnels… »)
    complement: bool = False  # a complement of another phrase (« des usagers » in « les représentants des usagers »)

    def known(self, plural: bool) -> str:
        """The phrase with the article of a thing already named (« les représentants des usagers »), in the
        ``plural`` if asked (« un facilitateur » → « les facilitateurs »)."""
        if plural and not self.plural:
            return "les " + self.bare(plural=True)
        article = self.article.known
        if article in ("le", "la") and self.noun[:1] in _VOWEL:
            article = "l'"
        return _joined([article, self.noun, *self.after])

    def bare(self, plural: bool) -> str:
        """The phrase without its article (« représentants des usagers »), in the plural if asked."""
        if not plural or self.plural:
            return _joined([self.noun, *self.after])
        head = [_plural(w) for w in (self.noun, *self.after[: self.adjectives])]
        return _joined([*head, *self.after[self.adjectives :]])


def phrases_of(text: str, rules: PronounRules | None = None) -> list[Phrase]:
    """The noun phrases ``text`` opens with an article, a possessive or a demonstrative, in order, each followed by
    those its complements open (« le rôle du patient partenaire », then « le patient partenaire »)."""
    rules = rules or PronounRules.load()
    tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(text)]
    found: list[Phrase] = []
    i = 0
    while i < len(tokens):
        low = _low(tokens[i][0])
        opener = rules.openers.get(low)
        if opener is None and low in rules.joiners and any(_low(t) in rules.counted for t, _ in tokens[:i]):
            opener = Opener("les", "?", "?")  # « combien de représentants », « combien faut-il recruter de… »
        phrase = _phrase(tokens, i, opener, rules) if opener is not None else None
        if phrase is None:
            i += 1
            continue
        ahead = [t for t, _ in tokens[:i] if t[:1].isalnum()]
        found.append(replace(phrase[0], subject=not found and all(_low(t) in rules.stops for t in ahead)))
        for k in range(i + 1, phrase[1]):  # its complements: « du patient », « des usagers », « de la CPTS »
            opened = rules.openers.get(_low(tokens[k][0])) if _low(tokens[k - 1][0]) in rules.joiners else None
            if _low(tokens[k][0]) in ("des", "du"):
                opened = rules.openers[_low(tokens[k][0])]
            inner = _phrase(tokens, k, opened, rules) if opened is not None else None
            if inner is not None:
                found.append(replace(inner[0], complement=True))
        i = phrase[1]
    return found


def _phrase(tokens: list[tuple[str, int]], i: int, opener: Opener, rules: PronounRules) -> tuple[Phrase, int] | None:
    if i + 1 >= len(tokens) or not _word(tokens[i + 1][0], rules):
        return None
    noun = tokens[i + 1][0]
    plural = opener.number == "p" or (opener.number == "?" and noun.lower().endswith(("s", "x")))
    if plural and not (noun.lower().endswith(("s", "x", "z")) or noun.isupper()):
        return None  # « les trouver »: an object pronoun and its verb
    after: list[str] = []
    adjectives, here, last_plural, j = 0, 0, plural, i + 2  # here: adjectives of the last noun, noun or complement
    while j < len(tokens):
        word, low = tokens[j][0], _low(tokens[j][0])
        if low in rules.joiners and j + 1 < len(tokens):  # « des usagers », « de la santé »
            k = j + 1
            joined = [word]
            if _low(tokens[k][0]) in rules.joined_articles and k + 1 < len(tokens):
                joined.append(tokens[k][0])
                k += 1
            if not _word(tokens[k][0], rules):
                break
            after += [*joined, tokens[k][0]]
            last_plural = low == "des" or _low(tokens[k][0]).endswith(("s", "x"))
            here, j = 0, k + 1
            continue
        if not _word(word, rules):
            break
        if word.isdigit():  # « la fiche 5 »
            after.append(word)
        elif here < rules.adjectives_at_most and (not last_plural or low.endswith(("s", "x")) or word.isupper()):
            after.append(word)  # not a verb after a plural noun (« les usagers participent »)
            adjectives += len(after) == adjectives + 1
            here += 1
        else:
            break
        j += 1
    written = tokens[i][0]
    return Phrase(opener, written, noun, tuple(after), adjectives, plural, opener.gender, tokens[i][1]), j


def resolve(previous: str, followup: str) -> str | None:
    """``followup`` as a whole question, its pronoun replaced by what it stands for in ``previous``; None when it
    has no such pronoun, names its own subject, or the pronoun matches no phrase of ``previous``."""
    rules = PronounRules.load()
    text = followup.strip()
    body = rules.leads.sub("", text).strip()
    if not body:
        return None
    candidates = phrases_of(previous, rules)
    for rewrite in (_subject, _elided, _inverted, _object):
        rewritten = rewrite(body, candidates, rules)
        if rewritten is not None:
            return rewritten[:1].upper() + rewritten[1:]
    return None


def _subject(body: str, candidates: list[Phrase], rules: PronounRules) -> str | None:
    found = rules.subject.match(body)
    if found is None or _impersonal(found.group("pro"), body[found.end("pro") :], rules):
        return None
    phrase = _named(found.group("pro"), candidates)
    return f"{phrase} {found.group('rest')}" if phrase else None


def _elided(body: str, candidates: list[Phrase], rules: PronounRules) -> str | None:
    found = rules.elided.search(body)
    if found is None or _impersonal(found.group("pro"), body[found.end() :], rules):
        return None
    if _names_own(body, found.start(), rules):
        return None
    phrase = _named(found.group("pro"), candidates)
    if not phrase:
        return None
    q = found.group("q")
    joined = "si " if q.lower() == "s" else q + "e "
    return body[: found.start()] + joined + phrase + body[found.end() :]


def _inverted(body: str, candidates: list[Phrase], rules: PronounRules) -> str | None:
    if que := rules.inverted_que.match(body):  # « que font-ils ? » → « que font les représentants… ? »
        if _impersonal(que.group("pro"), que.group("verb") + que.group("rest"), rules):
            return None
        phrase = _named(que.group("pro"), candidates)
        return f"que {que.group('verb')} {phrase}{que.group('rest')}" if phrase else None
    found = rules.inverted.match(body)
    if found is None or _impersonal(found.group("pro"), found.group("verb") + body[found.end() :], rules):
        return None
    phrase = _named(found.group("pro"), candidates)
    if not phrase:
        return None
    before = found.group("before") or ""
    return f"{before}{phrase} {body[found.start('verb') :]}"


def _object(body: str, candidates: list[Phrase], rules: PronounRules) -> str | None:
    found = rules.object.search(body)
    if found is None or _names_own(body, found.start(), rules):
        return None
    phrase = _antecedent(found.group("pro"), candidates)
    if phrase is None:
        return None
    pro, verb, pre = found.group("pro").lower(), found.group("verb"), found.group("pre")
    if _low(pre).endswith((" de", " d'")) or _low(pre) in ("de", "d'"):  # « de indemniser » → « d'indemniser »
        pre = pre.rsplit(" ", 1)[0] + " " if " " in pre else ""
        pre += "d'" if verb[:1] in _VOWEL else "de"
    if pro == "les":
        thing = f"{verb} {phrase.known(plural=True)}"
    elif pro == "leur":
        known = phrase.known(plural=True)
        thing = f"{verb} " + ("aux " + known[4:] if known.startswith("les ") else "à " + known)
    else:  # « en »: « combien faut-il recruter de représentants ? », « comment trouver des représentants ? »
        bare = phrase.bare(plural=True)
        counted = any(w in rules.counted for w in map(_low, _TOKEN.findall(body[: found.start("pro")])))
        article = ("d'" if bare[:1] in _VOWEL else "de ") if counted else "des "
        thing = f"{verb} {article}{bare}"
    head = body[: found.start("pre")] + pre + ("" if pre.endswith("'") else " ")
    return head + thing + body[found.end() :]


def _antecedent(pronoun: str, candidates: list[Phrase]) -> Phrase | None:
    """The phrase the pronoun stands for, with its known article. Of its gender, in this order: a person the
    question names (not in a complement), of its number, or for « ils »/« elles » one person put in the plural
    (« un facilitateur » → « les facilitateurs »); a person in a complement (« le rôle du patient partenaire »: « il »
    is the patient); any phrase of its number; for « ils »/« elles », a person in a complement put in the plural."""
    rules = PronounRules.load()
    pronoun = pronoun.lower()  # « ils », « elle »…, or an object: « les », « en », « leur » (plural, any gender)
    plural = pronoun.endswith("s") or pronoun in ("en", "leur")
    gender = "f" if pronoun.startswith("elle") else "m" if pronoun.startswith("il") else ""
    fits = [p for p in candidates if not gender or p.gender in (gender, "?")]
    if not gender:  # an object (« comment les impliquer ? »): what the previous question did something to first
        fits = [p for p in fits if not p.subject] + [p for p in fits if p.subject]
    ranked = [
        [p for p in fits if not p.complement and _person(p, rules) and p.plural == plural],
        [p for p in fits if not p.complement and _person(p, rules) and plural],
        [p for p in fits if p.complement and _person(p, rules) and p.plural == plural],
        [p for p in fits if not p.complement and p.plural == plural],
        [p for p in fits if p.plural == plural],
        [p for p in fits if _person(p, rules) and plural],
    ]
    return next((group[0] for group in ranked if group), None)


def _named(pronoun: str, candidates: list[Phrase]) -> str | None:
    """What a subject pronoun stands for, as the rewrite writes it (« les représentants des usagers »)."""
    phrase = _antecedent(pronoun, candidates)
    return phrase.known(pronoun.lower().endswith("s")) if phrase is not None else None


def _person(phrase: Phrase, rules: PronounRules) -> bool:
    noun = _low(phrase.noun)
    return noun in rules.people or noun.removesuffix("s").removesuffix("x") in rules.people


def _impersonal(pronoun: str, after: str, rules: PronounRules) -> bool:
    """« il faut… », « qu'il y a… », « est-il possible de… »: an « il » that points at nothing (``after``: what
    follows it, or its verb and what follows it when inverted)."""
    return pronoun.lower() == "il" and bool(rules.impersonal.match(after))


def _names_own(body: str, at: int, rules: PronounRules) -> bool:
    """Does the follow-up name its own subject before the pronoun (« les patients, comment les trouver ? », « côté
    pros, est-ce qu'ils ont des craintes ? »)? « concrètement, … » names nothing."""
    before = body[:at]
    if phrases_of(before, rules):
        return True
    topic = before.rsplit(",", 1)[0] if "," in before else ""
    return any(_word(token, rules) for token in _TOKEN.findall(topic))


def _word(token: str, rules: PronounRules) -> bool:
    low = _low(token)
    return token[:1].isalnum() and low not in rules.stops and not _HYPHEN_PRONOUN.search(token)


def _low(token: str) -> str:
    return token.lower().replace("’", "'")


def _joined(tokens: list[str]) -> str:
    out = ""
    for token in tokens:
        out += token if not out or out.endswith(("'", "’")) else " " + token
    return out


def _plural(word: str) -> str:
    """A noun or adjective in the plural: « facilitateur » → « facilitateurs », « local » → « locaux »."""
    if word.isupper() or word.isdigit() or word.lower().endswith(("s", "x", "z")):
        return word
    if word.endswith("al"):
        return word[:-2] + "aux"
    if word.endswith(("eau", "eu")):
        return word + "x"
    return word + "s"
