"""What a follow-up's pronoun stands for: « Comment recruter des représentants des usagers dans notre MSP ? » then
« ils sont payés ? » is asked as « Les représentants des usagers sont payés ? ».

Without it the follow-up was searched glued to the question before it, whose words (recruiting) won the search; a
third turn leaned on the second's bare words and was declined. The rewrite is shown to the user, so it is made only
when the referent is certain: the previous question names exactly one phrase of the pronoun's number and gender
(the gender as the article, or the documents' own « le/un X », « la/une X », tell), the follow-up names no subject of
its own, and « il » is not impersonal (« il faut… »). Phrases are read with the rules of ``data/pronouns.toml``: an
article, a noun, the adjectives the documents write after that noun, complements joined by « de ». A subject (« ils… »,
« est-ce qu'ils… », « sont-ils… ») or an object before an infinitive (« comment les trouver ? », « combien faut-il en
recruter ? », « on peut leur demander… », « comment y siéger ? ») is replaced.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from assistant.rules import DATA_DIR, DEFINITION, FactRules
from assistant.scope import singular_word
from ingest.lexical import fold_text
from ingest.rules import RulesError, alternatives, count, read_rules, value, words

_TOKEN = re.compile(r"\b(?:qu|[ldjnsctm])['’]|\w+(?:-\w+)*|[^\w\s]", re.IGNORECASE)
_HYPHEN_PRONOUN = re.compile(r"-(?:t-)?(?:ils?|elles?|on|nous|vous|je|tu)$", re.IGNORECASE)
_VOWEL = "aeiouyàâéèêëîïôûAEIOUYÀÂÉÈÊËÎÏÔÛ"
# the number a pronoun tells (« en » and « y » tell none)
_PLURAL = {"les": True, "leur": True, "ils": True, "elles": True, "le": False, "la": False, "l'": False, "il": False,
           "elle": False}  # fmt: skip


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
    definite: frozenset[str]
    dislocated: frozenset[str]  # what comes before a subject named after the verb: « , », « quoi »
    counted: frozenset[str]
    joiners: frozenset[str]
    joined_articles: frozenset[str]
    stops: frozenset[str]
    people: frozenset[str]
    relational: frozenset[str]
    adjectives_at_most: int
    subject: re.Pattern[str]  # « ils sont payés ? »: groups pro, rest
    elided: re.Pattern[str]  # « est-ce qu'ils… », « s'ils… »: groups q, pro
    inverted: re.Pattern[str]  # « comment sont-ils choisis ? », « se réunit-elle ? »: groups before, verb, pro
    inverted_que: re.Pattern[str]  # « que font-ils ? »: groups verb, pro, rest
    object: re.Pattern[str]  # « comment les trouver ? »: groups pre, pro, verb
    conjugated: re.Pattern[str]  # « qui les forme ? », « on les paie ? »: groups pre, pro, verb
    auxiliaries: frozenset[str]  # « on les a recrutés »: the verb is not the one the object follows
    impersonal: re.Pattern[str]  # what follows an « il » that points at nothing
    impersonal_clause: re.Pattern[str]  # « … que », « … de recruter »: a clause an impersonal « il » opens
    generic: re.Pattern[str]  # « ils disent… »: people in general
    before_noun: frozenset[str]  # adjectives written before their noun (« une nouvelle patiente »)
    aspirated: frozenset[str]  # nouns whose « h » takes no « l' » (« le handicap »)
    prepositions_before: frozenset[str]  # a phrase after these is no subject (« il doit habiter sur le territoire »)
    leads: re.Pattern[str]
    prepositions: frozenset[str]
    idioms: frozenset[str]
    y_verbs: frozenset[str]
    amounts: frozenset[str]
    infinitive: re.Pattern[str]
    known_infinitives: frozenset[str]
    before_infinitive: frozenset[str]
    pronoun_articles: frozenset[str]
    clitic_after: frozenset[str]  # « qui », « on »…: a « la » or « les » after them is an object pronoun
    action: re.Pattern[str]  # « Comment établir le diagnostic… ? »: group action (« établir le diagnostic… »), verb
    action_stops: frozenset[str]  # « combien », « svp »: an action that holds them is another question
    not_actions: frozenset[str]  # infinitives « le faire » does not stand for (« être », « faire »…)
    of_persons: re.Pattern[str]  # « est payé », « est bénévole »: what only a person is (accents folded)
    persons_only: re.Pattern[str]  # « peuvent rester toute l'année », « habite »: what only a person does
    that: re.Pattern[str]  # « ça concerne aussi… ? »: groups before, rest
    de_verbs: frozenset[str]  # « bénéficier »: « en » before them is « de » and a thing
    about_verbs: frozenset[str]  # « discuter »: « en » before them is what was said
    agrees: frozenset[str]  # « est », « été »: what a feminine thing in place of « ça » would agree with
    frame: re.Pattern[str]  # « et sur la formation, »: a topic set before the question

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

        def folded(key: str) -> frozenset[str]:
            return frozenset(fold_text(w) for w in words(data, key, path))

        def listed(key: str) -> frozenset[str]:
            return frozenset(words(data, key, path))

        infinitive = rf"\w+(?:{literal('pronouns.infinitive_endings')})"
        pro = r"(?P<pro>ils|elles|il|elle)"
        # what may open a question before its subject: « comment », « quelles données », « combien de fiches »
        asking = (
            rf"(?:{literal('pronouns.question_words')}|quel(?:le)?s?\s+\w+|combien\s+(?:de\s+|d['’])\w+(?:\s+\w+)?)"
        )
        return cls(
            openers=openers,
            definite=listed("phrases.definite"),
            dislocated=listed("phrases.dislocated"),
            counted=listed("phrases.counted"),
            joiners=listed("phrases.joiners"),
            joined_articles=listed("phrases.joined_articles"),
            stops=listed("phrases.stops"),
            people=folded("phrases.people"),
            relational=folded("phrases.relational"),
            adjectives_at_most=count(data, "phrases.adjectives_at_most", path),
            subject=re.compile(rf"^(?P<before>{asking}\s+)?{pro}\s+(?P<rest>\S.*)$", re.IGNORECASE),
            elided=re.compile(rf"\b(?P<q>qu|lorsqu|puisqu|s)['’]{pro}\b", re.IGNORECASE),
            inverted=re.compile(
                rf"^(?P<before>{asking}\s+)?(?P<verb>(?:se\s+|s['’])?\w+)-(?:t-)?{pro}\b",
                re.IGNORECASE,
            ),
            inverted_que=re.compile(rf"^que\s+(?P<verb>\w+)-(?:t-)?{pro}\b(?P<rest>.*)$", re.IGNORECASE),
            object=re.compile(
                rf"(?:^|(?<=\s))(?P<pre>{literal('pronouns.before_object')})\s+"
                rf"(?P<pro>les|en|leur|y|la|le|l['’])(?:(?<=['’])|\s+)(?P<verb>{infinitive})\b",
                re.IGNORECASE,
            ),
            conjugated=re.compile(
                rf"(?:^|(?<=\s))(?P<pre>{literal('pronouns.before_conjugated')})\s+"
                rf"(?P<pro>les|leur|la|le|l['’])(?:(?<=['’])|\s+)(?P<verb>\w+)\b",
                re.IGNORECASE,
            ),
            auxiliaries=listed("pronouns.auxiliaries"),
            impersonal=re.compile(alternatives(words(data, "pronouns.impersonal", path)), re.IGNORECASE),
            impersonal_clause=re.compile(rf"\b(?:que|qu['’]|(?:de|d['’])\s*{infinitive}\b)", re.IGNORECASE),
            prepositions_before=listed("phrases.prepositions_before"),
            generic=re.compile(rf"^(?:{literal('pronouns.generic')})\b", re.IGNORECASE),
            before_noun=folded("phrases.before_noun"),
            aspirated=folded("phrases.aspirated"),
            leads=re.compile(rf"^(?:(?:{literal('pronouns.leads')})\s*,?\s+)+", re.IGNORECASE),
            prepositions=listed("pronouns.prepositions"),
            idioms=listed("pronouns.idioms"),
            y_verbs=listed("pronouns.y_verbs"),
            amounts=listed("pronouns.amounts"),
            infinitive=re.compile(rf"^{infinitive}$", re.IGNORECASE),
            known_infinitives=folded("pronouns.known_infinitives"),
            before_infinitive=folded("pronouns.before_infinitive"),
            pronoun_articles=listed("phrases.pronoun_articles"),
            clitic_after=listed("phrases.clitic_after"),
            action=re.compile(
                rf"^\W*(?:(?:{literal('pronouns.action_openers')})(?:\s+|(?<=['’])))*"
                rf"(?P<action>(?P<verb>[^\W\d_]+)\b[^?:;,.!]*)",
                re.IGNORECASE,
            ),
            action_stops=folded("pronouns.action_stops"),
            not_actions=folded("pronouns.not_actions"),
            of_persons=re.compile(alternatives(words(data, "pronouns.of_persons", path))),
            persons_only=re.compile(alternatives(words(data, "pronouns.persons_only", path))),
            that=re.compile(
                rf"^(?P<before>{asking}\s+)?(?:{literal('pronouns.that')})\s+"
                rf"(?P<rest>(?:ne\s+|n['’])?(?:{literal('pronouns.that_verbs')})(?![\w-]).*)$",
                re.IGNORECASE,
            ),
            de_verbs=folded("pronouns.de_verbs"),
            about_verbs=folded("pronouns.about_verbs"),
            agrees=listed("pronouns.agrees"),
            frame=re.compile(rf"^(?:et\s+)?(?:{literal('pronouns.frames')})\b[^,?]*,", re.IGNORECASE),
        )


@dataclass(frozen=True)
class CorpusGrammar:
    """What the documents' own text tells of words, accents folded, lower case: a noun's gender (« la CPTS », « un
    représentant »), the words written after a noun (« patient partenaire »: an adjective), the nouns a noun takes as
    complement (« représentants des usagers ») or after « en » (« démocratie en santé »), the words written after
    « un », « une », « du », « ce »… (nouns, adjectives), the words ending as an infinitive written after « de »,
    « pour », « peut »… (verbs). Without any document read (empty), the rules alone decide."""

    genders: Mapping[str, str] = field(default_factory=dict)
    pairs: frozenset[tuple[str, str]] = frozenset()
    joins: frozenset[tuple[str, str]] = frozenset()
    articled: frozenset[str] = frozenset()
    infinitives: frozenset[str] = frozenset()
    places: frozenset[tuple[str, str]] = frozenset()  # « démocratie en santé »: a noun and what « en » adds

    @classmethod
    def of(cls, texts: Iterable[str], rules: PronounRules | None = None) -> CorpusGrammar:
        """Read from the documents' passages. A gender is kept when one article's is at least twice the other's."""
        rules = rules or PronounRules.load()
        seen: defaultdict[str, Counter[str]] = defaultdict(Counter)
        pairs: set[tuple[str, str]] = set()
        joins: set[tuple[str, str]] = set()
        articled: set[str] = set()
        infinitives: set[str] = set()
        places: set[tuple[str, str]] = set()
        for text in texts:
            tokens = [t for t in map(fold_text, _TOKEN.findall(text)) if t]
            for k, (before, word) in enumerate(pairwise(tokens)):
                pairs.add((before, word))
                opener = rules.openers.get(before)
                if opener is not None and before not in rules.pronoun_articles:  # « la former »: a pronoun
                    articled.add(word)
                if opener is not None and opener.number == "s" and opener.gender != "?":
                    seen[word][opener.gender] += 1
                if before in rules.before_infinitive and rules.infinitive.match(word):
                    infinitives.add(word)
                if word == "en" and k + 2 < len(tokens):  # « démocratie en santé »
                    places.add((singular_word(before), singular_word(tokens[k + 2])))
                if word in rules.joiners and k + 2 < len(tokens):  # « représentants des [la] usagers »
                    after = tokens[k + 3] if tokens[k + 2] in rules.joined_articles and k + 3 < len(tokens) else None
                    joins.add((singular_word(before), singular_word(after or tokens[k + 2])))
        genders = {}
        for word, counts in seen.items():
            masculine, feminine = counts["m"], counts["f"]
            if masculine >= 2 * feminine and masculine:
                genders[word] = "m"
            elif feminine >= 2 * masculine and feminine:
                genders[word] = "f"
        return cls(
            genders, frozenset(pairs), frozenset(joins), frozenset(articled), frozenset(infinitives), frozenset(places)
        )

    def gender(self, noun: str) -> str:
        """« m », « f », or « ? » when the documents do not tell; a plural read as its singular."""
        word = fold_text(noun)
        for form in (word, singular_word(word)):
            if form in self.genders:
                return self.genders[form]
        return "?"

    def infinitive(self, word: str) -> bool:
        """Is ``word`` an infinitive: one the rules list, or the documents write after « de », « pour »… and never
        after « un », « une »… (« former », not « premier »)? Without documents, its ending says."""
        rules = PronounRules.load()
        folded = fold_text(word)
        if not rules.infinitive.match(folded):
            return False
        if folded in rules.known_infinitives or not self.pairs:
            return True
        return folded in self.infinitives and folded not in self.articled

    def joins_with(self, noun: str, complement: str) -> bool:
        """Do the documents write ``noun`` with ``complement`` after « de » (« représentants des usagers »)? Not « les
        médecins des comités », which a verb's « de » makes (« Que pensent les médecins des comités ? »)."""
        return not self.joins or (singular_word(fold_text(noun)), singular_word(fold_text(complement))) in self.joins

    def elides(self, noun: str) -> bool:
        """Does ``noun`` take « l' »: it opens on a vowel, or on an « h » neither aspirated (« le handicap ») nor
        written by the documents after « le », « la » or « du » (« l'hôpital »)?"""
        folded = fold_text(noun)
        if folded[:1] != "h" or noun.isupper() or singular_word(folded) in PronounRules.load().aspirated:
            return folded[:1] in "aeiouy"  # « l'ARS », « la HAS », « le handicap »
        return not any(
            (article, form) in self.pairs for article in ("le", "la", "du") for form in (folded, singular_word(folded))
        )


@dataclass(frozen=True)
class Phrase:
    """A noun phrase of a question: its opener, its noun, what follows the noun (adjectives, then complements), how
    many of those words are the noun's adjectives, its number and gender, and the phrase its first complement opens."""

    article: Opener
    noun: str
    after: tuple[str, ...]
    adjectives: int
    plural: bool
    gender: str
    complement: Phrase | None = None  # « le patient partenaire » of « le rôle du patient partenaire »
    written: str = ""  # the article as written: a « le » or « la » stays as written (« la HAS »)
    whole: bool = True  # False: it stops on a word it cannot take (« la nouvelle » of « une nouvelle patiente »)
    coordinated: bool = False  # one of « les jeunes et les personnes âgées »: a pronoun means both
    elides: bool = False  # its noun takes « l' » (« l'usager », « l'hôpital »; not « le handicap »)

    @property
    def writable(self) -> bool:
        """Can a rewrite write it: read whole, opened by an article that says a thing (not « leurs », « chaque »)?"""
        return self.whole and bool(self.article.known)

    def known(self, plural: bool) -> str:
        """The phrase with the article of a thing already named (« les représentants des usagers »), in the
        ``plural`` if asked (« un facilitateur » → « les facilitateurs »)."""
        if plural and not self.plural:
            return "les " + self.bare(plural=True)
        article = self.article.known
        if article in ("le", "la") and _low(self.written) not in ("le", "la") and self.elides:
            article = "l'"  # « un usager » → « l'usager »; « la HAS » stays
        return _joined([article, self.noun, *self.after])

    def bare(self, plural: bool) -> str:
        """The phrase without its article (« représentants des usagers »), in the plural if asked."""
        if not plural or self.plural:
            return _joined([self.noun, *self.after])
        head = [_plural(w) for w in (self.noun, *self.after[: self.adjectives])]
        return _joined([*head, *self.after[self.adjectives :]])


def phrases_of(text: str, grammar: CorpusGrammar | None = None, rules: PronounRules | None = None) -> list[Phrase]:
    """The noun phrases ``text`` opens with an article, a possessive, a demonstrative, « quel » or « combien de », in
    order. A phrase keeps the phrase its first complement opens (« le rôle du patient partenaire »)."""
    rules = rules or PronounRules.load()
    grammar = grammar or CorpusGrammar()
    tokens = [m.group() for m in _TOKEN.finditer(text)]
    found: list[Phrase] = []
    i = ended = 0
    while i < len(tokens):
        low = _low(tokens[i])
        opener = rules.openers.get(low)
        if low in rules.joiners and i and i != ended and _noun_before(tokens[i - 1], rules):
            opener = None  # « représentant des usagers »: a complement of a noun written without its article
        if low in rules.pronoun_articles and i and _low(tokens[i - 1]) in rules.clitic_after:
            opener = None  # « Qui la signe ? », « on les paie »: an object pronoun
        if low in ("de", "d'") and i and _low(tokens[i - 1]) in rules.counted:
            opener = Opener("les", "p", "?")  # « combien de représentants »
        read = _phrase(tokens, i, opener, grammar, rules) if opener is not None else None
        if read is None and i and tokens[i][:1].isupper() and _word(tokens[i], rules) and tokens[i - 1] != "(":
            read = _name(tokens, i)  # « France Assos Santé », « Sherry Arnstein »: a name without an article
        if read is None:
            i += 1
            continue
        phrase = read[0]
        if found and i >= 2 and ended == i - 1 and _low(tokens[i - 1]) in ("et", "ou"):
            found[-1] = replace(found[-1], coordinated=True)  # « les jeunes et les personnes âgées »
            phrase = replace(phrase, coordinated=True)
        found.append(phrase)
        i = ended = read[1]  # « les médecins | des comités »: a « des » the noun did not take opens a phrase
    return found


def _name(tokens: list[str], i: int) -> tuple[Phrase, int]:
    """A run of capitalised words: a name, of a gender not told, never written in a rewrite (no article)."""
    j = i + 1
    while j < len(tokens) and tokens[j][:1].isupper():
        j += 1
    name = Phrase(article=Opener("", "s", "?"), noun=tokens[i], after=tuple(tokens[i + 1 : j]), adjectives=0,
                  plural=False, gender="?")  # fmt: skip
    return name, j


def _phrase(
    tokens: list[str], i: int, opener: Opener, grammar: CorpusGrammar, rules: PronounRules
) -> tuple[Phrase, int] | None:
    if i + 1 >= len(tokens) or not _word(tokens[i + 1], rules):
        return None
    noun, low_opener = tokens[i + 1], _low(tokens[i])
    plural = opener.number == "p" or (opener.number == "?" and noun.lower().endswith(("s", "x")))
    if plural and not (noun.lower().endswith(("s", "x", "z")) or noun.isupper()):
        return None  # « les trouver »: an object pronoun and its verb; « plus de place »: no count
    if plural and not noun.isupper() and fold_text(noun) in grammar.genders and low_opener in ("de", "d'"):
        return None  # « combien de temps »: a noun the documents write after « le »: no count
    if low_opener in rules.pronoun_articles and grammar.infinitive(noun):
        return None  # « comment la créer ? »: an object pronoun and its verb
    after: list[str] = []
    adjectives, here, last, complement, j = 0, 0, noun, None, i + 2  # here: adjectives of the last noun
    while j < len(tokens):
        word, low = tokens[j], _low(tokens[j])
        if low in rules.joiners and j + 1 < len(tokens):  # « des usagers », « de la santé », « d'un coordinateur »
            k = j + 1
            if _low(tokens[k]) in rules.joined_articles and k + 1 < len(tokens):
                k += 1
            if not _word(tokens[k], rules) or (_is_person(last, rules) and not grammar.joins_with(last, tokens[k])):
                break  # « Que pensent les médecins des comités ? »: a person the documents never write so completed
            if complement is None and not after:  # the phrase the noun's first complement opens
                inner_opener = rules.openers.get(low) or rules.openers.get(_low(tokens[j + 1]))
                start = j if low in rules.openers else j + 1
                inner = _phrase(tokens, start, inner_opener, grammar, rules) if inner_opener is not None else None
                complement = inner[0] if inner is not None else None
            after += tokens[j : k + 1]
            here, last, j = 0, tokens[k], k + 1
            continue
        if (
            low == "en"
            and j + 1 < len(tokens)
            and _word(tokens[j + 1], rules)
            and _in_place(last, tokens[j + 1], grammar)
        ):
            after += tokens[j : j + 2]  # « le représentant en CPTS », « la démocratie en santé »
            here, last, j = rules.adjectives_at_most, tokens[j + 1], j + 2
            continue
        if not _word(word, rules) or low in rules.openers:
            break
        if word.isdigit() or (last[:1].isupper() and word[:1].isupper()):  # « la fiche 5 », « Petits Frères »
            after.append(word)
        elif here < rules.adjectives_at_most and (fold_text(last), fold_text(word)) in grammar.pairs:
            after.append(word)  # an adjective the documents write after this noun (« patient partenaire »)
            adjectives += len(after) == adjectives + 1
            here += 1
        else:
            break
        j += 1
    stop = _low(tokens[j]) if j < len(tokens) else ""  # a noun or adjective it cannot take: read in part
    whole = not stop or not _word(tokens[j], rules) or stop in rules.openers or stop in rules.joiners
    whole = whole or fold_text(stop) not in grammar.articled
    if stop == "en" and j + 1 < len(tokens) and _word(tokens[j + 1], rules) and not _is_person(noun, rules):
        whole = False  # « la démocratie en … » read without what follows; « le médiateur » is the person still
    if fold_text(noun) in rules.before_noun and j < len(tokens) and _word(tokens[j], rules):
        whole = False  # « une nouvelle patiente »: an adjective read as the noun
    if fold_text(noun) in rules.relational and complement is None and j < len(tokens) and _word(tokens[j], rules):
        whole = False  # « le role dun patient »: whose role is not read
    gender = opener.gender if opener.gender != "?" else grammar.gender(noun)
    phrase = Phrase(
        article=opener,
        noun=noun,
        after=tuple(after),
        adjectives=adjectives,
        plural=plural,
        gender=gender,
        complement=complement,
        written=tokens[i],
        whole=whole,
        elides=grammar.elides(noun),
    )
    return phrase, j


def resolve(previous: str, followup: str, grammar: CorpusGrammar | None = None, leaned_on: str = "") -> str | None:
    """``followup`` as a whole question, its pronoun replaced by what it stands for in ``previous`` or, when that names
    nothing (« et combien de temps ? »), in ``leaned_on`` (the question ``previous`` leaned on); None when it has no
    such pronoun, names its own subject, or the referent is not certain."""
    rules = PronounRules.load()
    body = rules.leads.sub("", followup.strip()).strip()
    if not body:
        return None
    phrases = phrases_of(previous, grammar, rules) or (phrases_of(leaned_on, grammar, rules) if leaned_on else [])
    candidates = [c for p in phrases for c in _meant(p, rules)]
    grammar = grammar or CorpusGrammar()
    asked = FactRules.load().asked(previous)
    defines = asked is not None and asked.name == DEFINITION  # « Qu'est-ce que le secret professionnel ? »
    rewritten = (
        _done(body, previous, rules, grammar)
        or (_that(body, phrases, rules) if defines else None)
        or _subject(body, candidates, rules, grammar)
        or _elided(body, candidates, rules, grammar)
        or _inverted(body, candidates, rules, grammar)
        or _object(body, candidates, rules, grammar, defines)
    )
    return rewritten[:1].upper() + rewritten[1:] if rewritten else None


def _done(body: str, previous: str, rules: PronounRules, grammar: CorpusGrammar) -> str | None:
    """« le faire » replaced by the action the previous question asks about (« Comment établir le diagnostic du
    territoire ? » + « on peut le faire avec un questionnaire en ligne ? » → « on peut établir le diagnostic du
    territoire avec un questionnaire en ligne ? »). None when the follow-up has no such « le faire » (« le
    faire-part », « le faire participer »); when the previous question asks no action (« Qu'est-ce qu'un
    diagnostic ? », « Qui contacter ? »), one of ``not_actions``, an action of one word or followed by another
    (« recruter, puis former »), or one that holds another question (« recruter combien d'usagers »)."""
    found = next((m for m in rules.object.finditer(body) if _low(m.group("verb")) == "faire"), None)
    asked = rules.action.match(previous.strip())
    if found is None or asked is None or _low(found.group("pro")) not in ("le", "l'"):
        return None
    rest = body[found.end() :]
    after = _TOKEN.findall(rest)
    if rest.startswith("-") or (after and (grammar.infinitive(after[0]) or rules.infinitive.match(after[0]))):
        return None  # « le faire-valoir »; « comment le faire participer ? »: a person made to take part
    verb, action = asked.group("verb"), asked.group("action").rstrip()
    if fold_text(verb) in rules.not_actions or not grammar.infinitive(verb):
        return None
    words = _TOKEN.findall(action)
    if len(words) < 2 or any(fold_text(word) in rules.action_stops for word in words):
        return None  # « Faut-il recruter, puis former… ? »: « recruter » alone is not what was asked
    if re.match(r"\s*,\s*(?:puis|et|ou|mais|ensuite)\b", previous.strip()[asked.end("action") :], re.IGNORECASE):
        return None  # « recruter des usagers, puis les former »: two actions
    if not (len(verb) > 1 and verb.isupper()):
        action = action[:1].lower() + action[1:]  # « Recruter des usagers : comment ? » → « … recruter des usagers »
    pre = _before_verb(found.group("pre"), action)
    rewritten = body[: found.start("pre")] + pre + ("" if pre.endswith("'") else " ") + action + rest
    return None if _points_back(rewritten, rules) or _points_back(action, rules) else rewritten


def _before_verb(pre: str, verb: str) -> str:
    """What comes before an object pronoun, said before ``verb`` once the pronoun is gone: « de » elided before a vowel
    (« obligé de l'évaluer » → « obligé d'évaluer le comité »)."""
    if _low(pre).endswith((" de", " d'")) or _low(pre) in ("de", "d'"):
        head = pre.rsplit(" ", 1)[0] + " " if " " in pre else ""
        return head + ("d'" if verb[:1] in _VOWEL + "hH" else "de")  # « d'habiliter »
    return pre


def _that(body: str, phrases: list[Phrase], rules: PronounRules) -> str | None:
    """« ça » (« cela », « ceci ») as the subject of a verb of ``that_verbs``, after a question asking what one thing
    is (the caller tells): that thing (« Qu'est-ce que le secret professionnel ? » + « ça concerne aussi la
    secrétaire ? » → « Le secret professionnel concerne aussi la secrétaire ? »). Before another verb (« ça marche »,
    « ça vient d'où ? »), it stands for what was said or answered, and there is no rewrite."""
    found = rules.that.match(body)
    if found is None or len(phrases) != 1:
        return None  # the thing defined, whole (« la participation des usagers »)
    phrase = phrases[0]
    if phrase.plural or not phrase.writable or phrase.coordinated or _person(phrase, rules):
        return None  # a person is no « ça »
    if phrase.gender != "m" and any(_low(t) in rules.agrees for t in _TOKEN.findall(found.group("rest"))):
        return None  # « ça » agrees in the masculine: « ça a été créé », not « La CPTS a été créé »
    rewritten = f"{found.group('before') or ''}{phrase.known(plural=False)} {found.group('rest')}"
    return None if _points_back(rewritten, rules) else rewritten


def _meant(phrase: Phrase, rules: PronounRules) -> list[Phrase]:
    """What a pronoun may mean of a phrase: the phrase, and the complement of a noun that says something of it
    (« le rôle du patient partenaire »: the role, or the patient partenaire, both candidates)."""
    inner = phrase.complement
    return [phrase, inner] if inner is not None and fold_text(phrase.noun) in rules.relational else [phrase]


def _subject(body: str, candidates: list[Phrase], rules: PronounRules, grammar: CorpusGrammar) -> str | None:
    found = rules.subject.match(body)
    if found is None or _impersonal(found.group("pro"), body[found.end("pro") :], rules):
        return None
    if re.match(r"(?:et|ou)\s+(?:ils|elles|iels)\b", found.group("rest"), re.IGNORECASE):
        return None  # « ils et elles sont payés ? »: two pronouns
    if found.group("pro").lower() == "ils" and rules.generic.match(found.group("rest")):
        return None  # « ils disent que c'est obligatoire » : people in general
    phrase = _named(found.group("pro"), candidates, body, found.group("rest"), rules, grammar)
    return f"{found.group('before') or ''}{phrase} {found.group('rest')}" if phrase else None


def _elided(body: str, candidates: list[Phrase], rules: PronounRules, grammar: CorpusGrammar) -> str | None:
    found = rules.elided.search(body)
    if found is None or _impersonal(found.group("pro"), body[found.end() :], rules):
        return None
    if found.group("q").lower() == "s" and re.match(r"\s+(?:vous|te)\s+pla", body[found.end() :]):
        return None  # « s'il vous plaît »
    if _names_before(body, found.start(), found.group("pro"), rules, grammar):
        return None
    phrase = _named(found.group("pro"), candidates, body, body[found.end() :], rules, grammar)
    if not phrase:
        return None
    q = found.group("q")
    joined = "si " if q.lower() == "s" else q + "e "
    return body[: found.start()] + joined + phrase + body[found.end() :]


def _inverted(body: str, candidates: list[Phrase], rules: PronounRules, grammar: CorpusGrammar) -> str | None:
    if que := rules.inverted_que.match(body):  # « que font-ils ? » → « que font les représentants… ? »
        verb, pro, rest = que.group("verb"), que.group("pro"), que.group("rest")
        if _impersonal(pro, f"{verb}{rest}", rules):
            return None
        phrase = _named(pro, candidates, body, rest, rules, grammar)
        if not phrase:
            return None
        if then := re.match(r"\s*(\w+)", rest):  # « que doit-elle contenir ? » → « que doit contenir la charte ? »
            if grammar.infinitive(then.group(1)):
                return f"que {verb} {then.group(1)} {phrase}{rest[then.end() :]}"
            if rules.infinitive.match(then.group(1)):
                return None  # an infinitive not sure: the word order is not sure either
        return f"que {verb} {phrase}{rest}"
    found = rules.inverted.match(body)
    if found is None or _impersonal(found.group("pro"), found.group("verb") + body[found.end() :], rules):
        return None
    phrase = _named(found.group("pro"), candidates, body, body[found.end() :], rules, grammar)
    if not phrase:
        return None
    before, verb = found.group("before") or "", body[found.start("verb") :]
    if not (verb.split("-", 1)[0].isupper() and len(verb.split("-", 1)[0]) > 1):  # « Peut-il… », « A-t-il… »
        verb = verb[:1].lower() + verb[1:]
    return f"{before}{phrase} {verb}"


def _object(
    body: str, candidates: list[Phrase], rules: PronounRules, grammar: CorpusGrammar, defines: bool = False
) -> str | None:
    """An object pronoun before its verb replaced by what it stands for (« comment les trouver ? » → « comment trouver
    les représentants des usagers ? »). ``defines``: the previous question asks what one thing is, so that « en »
    before « parler » is « de » and that thing."""
    found = rules.object.search(body)
    conjugated = None if found is not None else rules.conjugated.search(body)
    if conjugated is not None:  # « qui les forme ? » → « qui forme les représentants… ? »
        verb = conjugated.group("verb")
        if not _word(verb, rules) or _low(verb) in rules.auxiliaries or rules.infinitive.match(verb):
            return None  # « on les a recrutés », « on le sait »: another order, or an idiom
        if not verb.islower() or fold_text(verb) in grammar.articled or _is_person(verb, rules):
            return None  # « Qui la HAS… », « qui les usagers… »: an article and its noun
        found = conjugated
    if found is None or _names_before(body, found.start(), found.group("pro"), rules, grammar):
        return None
    pro, verb, pre = _low(found.group("pro")), found.group("verb"), found.group("pre")
    infinitive = conjugated is not None or grammar.infinitive(verb)
    if _low(verb) in rules.idioms or not infinitive or (pro == "y" and _low(verb) not in rules.y_verbs):
        return None  # « comment y arriver ? »; « pour leur premier mandat »: « premier » is no infinitive
    if pro == "leur" and _low(pre) in rules.prepositions:
        return None  # « de leur quartier »: a possessive
    rest = [_low(t) for t in _TOKEN.findall(body[found.end() :])]
    about = fold_text(verb) in rules.about_verbs
    if pro == "en" and ((rest and rest[0] in rules.amounts) or (about and not defines)):
        return None  # « on peut en recruter combien ? »; « on peut en discuter ? »: of what was said
    of = pro == "en" and (fold_text(verb) in rules.de_verbs or about)  # « en bénéficier »: « de » and the thing
    if of:
        sole = candidates[0] if len(candidates) == 1 else None
        phrase = sole if sole is not None and sole.writable and not sole.coordinated else None
        if any(word in rules.amounts and word not in ("un", "une") for word in rest):
            return None  # « on peut en bénéficier de combien ? »; « pour un projet » is no amount
    elif pro == "y":  # a place or a thing: « comment on fait pour y siéger ? » → « … siéger aux Conseils… ? »
        things = [p for p in candidates if not _person(p, rules)]
        phrase = things[0] if len(things) == 1 else None
    else:
        phrase = _antecedent(pro, candidates, rules)
    if phrase is None or _names_after(pro, body[found.end() :], rules, grammar):
        return None
    pre = _before_verb(pre, verb)  # « de indemniser » → « d'indemniser »
    if pro == "les":
        thing = f"{verb} {phrase.known(plural=True)}"
    elif pro in ("le", "la", "l'"):  # « comment la créer ? » → « comment créer la CPTS ? »
        thing = f"{verb} {phrase.known(plural=False)}"
    elif pro in ("leur", "y"):
        thing = f"{verb} {to_phrase(phrase.known(plural=pro == 'leur' or phrase.plural))}"
    elif of:
        thing = f"{verb} {of_phrase(phrase.known(plural=phrase.plural))}"
    else:  # « en »: « combien faut-il recruter de représentants ? », « comment trouver des représentants ? »
        bare = phrase.bare(plural=True)
        counted = any(w in rules.counted for w in map(_low, _TOKEN.findall(body[: found.start("pro")])))
        article = ("d'" if phrase.elides else "de ") if counted else "des "
        thing = f"{verb} {article}{bare}"
    rewritten = body[: found.start("pre")] + pre + ("" if pre.endswith("'") else " ") + thing + body[found.end() :]
    return None if _points_back(rewritten, rules) else rewritten


def opens_on_pronoun(text: str, grammar: CorpusGrammar | None = None) -> bool:
    """Does the question open on a subject pronoun that points back (« est-ce qu'ils peuvent rester toute l'année… ? »,
    « peuvent-ils siéger… ? »), whatever its length? Then it leans on the question before, even when what the pronoun
    stands for cannot be told (no rewrite). An impersonal « il » does not (« il faut être adhérent… ? »), nor a
    pronoun whose subject the question names (« Les représentants peuvent-ils… ? », « Ils sont payés, les
    représentants ? »)."""
    rules = PronounRules.load()
    body = rules.leads.sub("", text.strip()).strip()
    if not body:
        return False
    found = rules.subject.match(body) or rules.inverted.match(body)
    if found is None:  # « est-ce qu'ils… », « Pourquoi est-ce qu'elle… »: not « … s'il rejoint une CPTS ? »
        found = rules.elided.search(body)
        if found is None or not _OPENING_ELISION.match(body[: found.start()]):
            return False
    pronoun = found.group("pro")
    after = (found.group("verb") if "verb" in found.groupdict() else "") + body[found.end("pro") :]
    if _impersonal(pronoun, after, rules):  # « Il faut un comité, mais qu'est-ce qu'il fait ? »: it opens on none
        return False
    if pronoun.lower() == "ils" and rules.generic.match(body[found.end("pro") :].strip()):
        return False  # « Ils disent que la CPTS doit… ? »: people in general
    grammar = grammar or CorpusGrammar()
    return not (
        _names_after(pronoun, body[found.end("pro") :], rules, grammar)
        or _names_before(body, found.start("pro"), pronoun, rules, grammar)
    )


# what may come before an elided pronoun that opens a question: nothing, or « est-ce » after a question word
_OPENING_ELISION = re.compile(r"^\W*(?:(?:[^\W\d_]+\s+)?(?:qu['’])?est-ce\s+)?$", re.IGNORECASE)


def _points_back(text: str, rules: PronounRules) -> bool:
    """Is a subject pronoun left that points back (« il doit signer la fiche mission ? »)? Then the rewrite is no
    whole question. An impersonal « il » is not one (« il faudrait payer les représentants ? »)."""
    found = rules.subject.match(text)
    if found is not None and not _impersonal(found.group("pro"), text[found.end("pro") :], rules):
        return True
    found = rules.inverted.match(text)
    if found is not None and not _impersonal(found.group("pro"), found.group("verb") + text[found.end() :], rules):
        return True
    found = rules.elided.search(text)
    return found is not None and not _impersonal(found.group("pro"), text[found.end() :], rules)


def of_phrase(known: str) -> str:
    """« de » before a phrase: « des représentants », « du mécénat », « de la CPTS », « de l'ARS », « d'une MSP »
    (« des MSP », « du centre » stay: « de » is in them)."""
    article, _, rest = known.partition(" ")
    de = "d'" if known[:1] in _VOWEL + "hH" else "de "
    contracted = {"les": "des", "des": "des", "le": "du", "du": "du"}.get(article.lower())
    return f"{contracted} {rest}" if contracted and rest else de + known


def to_phrase(known: str) -> str:
    """« à » before a phrase: « aux représentants », « au comité », « à la CPTS », « à notre MSP »."""
    article, _, rest = known.partition(" ")
    contracted = {"les": "aux", "des": "aux", "le": "au", "du": "au"}.get(article.lower())
    return f"{contracted} {rest}" if contracted and rest else "à " + known


def _named(
    pronoun: str, candidates: list[Phrase], body: str, said: str, rules: PronounRules, grammar: CorpusGrammar
) -> str | None:
    """What a subject pronoun stands for, as the rewrite writes it (« les représentants des usagers »), read with what
    is ``said`` of it (the follow-up after the pronoun: « est payé », « peuvent rester toute l'année »); None when the
    follow-up names a subject of the pronoun's number itself (« ils servent à quoi, les comités d'usagers ? »)."""
    if _names_after(pronoun, body, rules, grammar):
        return None
    after = fold_text(said)
    person = rules.of_persons.search(after) is not None
    phrase = _antecedent(pronoun, candidates, rules, person=person)
    if phrase is None or (rules.persons_only.search(after) and not _person(phrase, rules)):
        return None  # « Les objectifs du service sanitaire peuvent rester toute l'année ? »: no person named
    return phrase.known(pronoun.lower().endswith("s"))


def _antecedent(pronoun: str, candidates: list[Phrase], rules: PronounRules, person: bool = False) -> Phrase | None:
    """The one phrase of the pronoun's number that may have its gender (« ils »: masculine or not told; « il »,
    « elle », « elles »: the gender told, a phrase whose gender is not told making the choice uncertain). « ils » or
    « elles » after a question that names one person only, in the singular, stand for people of that kind (« un
    facilitateur » → « les facilitateurs »). With ``person`` (the follow-up says what only a person is or does: « il
    est payé ? »), the one person among phrases that fit (« le rôle du patient partenaire »: the patient). Two phrases
    that fit, or one that cannot be written: no referent."""
    pronoun = _low(pronoun)
    plural = _PLURAL.get(pronoun, pronoun == "en")  # « en » stands for some of them
    told = {"il": "m", "ils": "m", "le": "m", "elle": "f", "elles": "f", "la": "f"}.get(pronoun)
    fits = [p for p in candidates if p.gender in (told, "?") or told is None]
    same = [p for p in fits if p.plural == plural]
    if person and len(same) > 1:  # « il est payé ? » after « le rôle du patient partenaire »: the patient
        same = [p for p in same if _person(p, rules)] or same
    if same:
        chosen = same[0] if len(same) == 1 else None
    else:
        people = [p for p in fits if _person(p, rules)]
        chosen = people[0] if plural and len(people) == 1 else None
    if chosen is None or not chosen.writable or chosen.coordinated:
        return None
    if told is not None and pronoun != "ils" and chosen.gender != told:
        return None
    if pronoun in ("le", "la", "l'") and chosen.plural:
        return None
    return chosen


def _names_before(body: str, at: int, pronoun: str, rules: PronounRules, grammar: CorpusGrammar) -> bool:
    """Does the follow-up name its own subject before the pronoun (« les patients, comment les trouver ? », « côté
    pros, est-ce qu'ils ont des craintes ? »)? « concrètement, … » names nothing, nor a topic set before the question
    that has no phrase of the pronoun's number (« et sur la formation, on les forme… ? »)."""
    before = body[:at]
    phrases = phrases_of(before, grammar, rules)
    plural = _PLURAL.get(_low(pronoun))  # « en », « y »: either
    if rules.frame.match(before) and phrases and plural is not None and all(p.plural != plural for p in phrases):
        return False
    if any(_low(p.written) in rules.definite for p in phrases):
        return True
    topic = before.rsplit(",", 1)[0] if "," in before else ""
    return any(_word(token, rules) for token in _TOKEN.findall(topic))


def _names_after(pronoun: str, after: str, rules: PronounRules, grammar: CorpusGrammar) -> bool:
    """Does the follow-up name, after its pronoun, a subject of the pronoun's number and gender: after a comma or a
    question word (« ils servent à quoi, les comités d'usagers ? », « il gagne combien un patient partenaire ? »), or
    ending the question, not after a preposition (« ils sont payés les RU ? »)? Then that is what it means."""
    pronoun = _low(pronoun)
    plural = _PLURAL.get(pronoun, pronoun == "en")
    told = {"il": "m", "ils": "m", "elle": "f", "elles": "f"}.get(pronoun)
    tokens = _TOKEN.findall(after)
    for i in range(1, len(tokens)):
        opener = rules.openers.get(_low(tokens[i]))
        if _low(tokens[i]) in ("de", "d'") and _low(tokens[i - 1]) in rules.counted:
            opener = Opener("les", "p", "?")  # « ils sont combien de RU ? »
        read = _phrase(tokens, i, opener, grammar, rules) if opener is not None else None
        if read is None or read[0].plural != plural or (told is not None and read[0].gender not in (told, "?")):
            continue
        dislocated = _low(tokens[i - 1]) in rules.dislocated
        ending = read[1] >= len(tokens) or tokens[read[1]] in ("?", "!", ".")
        # « du quartier », « au bureau »: a preposition and an article, then the noun
        joined = _low(tokens[i]) in rules.joiners or _low(tokens[i]) in rules.prepositions_before
        prepositional = _low(tokens[i - 1]) in rules.prepositions_before or joined
        if dislocated or (ending and not prepositional):
            return True
    return False


def _impersonal(pronoun: str, after: str, rules: PronounRules) -> bool:
    """« il faut… », « qu'il y a… », « est-il possible de… », « il se passe quoi… », « il est recommandé d'associer… »:
    an « il » that points at nothing (``after``: what follows it, or its verb and what follows it when inverted). An
    « il » whose clause goes on to « que » or to « de » and an infinitive is taken to be one too."""
    if pronoun.lower() != "il":
        return False
    clause = re.split(r"[,?!;:]", after.strip(), maxsplit=1)[0]
    return bool(rules.impersonal.match(after.strip()) or rules.impersonal_clause.search(clause))


def _in_place(noun: str, place: str, grammar: CorpusGrammar) -> bool:
    """Is « en » and ``place`` part of the phrase of ``noun``: a name (« en CPTS »), or words the documents write so
    (« démocratie en santé »)?"""
    return place[:1].isupper() or (singular_word(fold_text(noun)), singular_word(fold_text(place))) in grammar.places


def completed_noun(token: str) -> bool:
    """Is ``token`` a noun that « des » or « du » after it completes (« rôle des CPTS »), not a verb (« recruter des
    usagers », « existe-t-il des MSP »)?"""
    return _noun_before(token, PronounRules.load())


def _noun_before(token: str, rules: PronounRules) -> bool:
    """Is ``token`` a noun that « des » or « du » completes (« représentant des usagers »), not a verb (« recruter des
    représentants », « accueillent des étudiants »)?"""
    low = _low(token)
    verb = rules.infinitive.match(low) or low.endswith(("ent", "ont")) or _HYPHEN_PRONOUN.search(low)
    return _word(token, rules) and not verb


def _person(phrase: Phrase, rules: PronounRules) -> bool:
    return _is_person(phrase.noun, rules)


def _is_person(noun: str, rules: PronounRules) -> bool:
    folded = fold_text(noun)
    return folded in rules.people or singular_word(folded) in rules.people


def _word(token: str, rules: PronounRules) -> bool:
    return token[:1].isalnum() and _low(token) not in rules.stops and not _HYPHEN_PRONOUN.search(token)


def _low(token: str) -> str:
    return token.lower().replace("’", "'")


def _joined(tokens: Iterable[str]) -> str:
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
