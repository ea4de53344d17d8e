"""Text clean-up of extracted documents: characters, running headers/footers, broken lines.

The French words it relies on (function words, page-number lines, ordinals) are in
``ingest/data/cleaning.toml`` (:class:`ingest.rules.CleaningRules`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from ingest.lexical import fold_accents, french_folded, french_words
from ingest.models import Page
from ingest.rules import CleaningRules

_CHAR_MAP = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u200a": " ",
        "\u2002": " ",
        "\u2003": " ",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\ufeff": None,
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\r": None,
    }
)

_SENTENCE_ENDS = (".", "!", "?", "…", ":", ";")
CELL_SEPARATOR = " — "  # between the cells of a table row, once its tabs are read (ingest/structure.py)
_NUMBER_GOES_ON = re.compile(r"^\d[\d ,]*\s+[a-zà-ÿ]")  # a number then a lower-case word, not a list mark
_LAST_WORD = re.compile(r"^[^\W\d_][\w'-]*[.!?…]$")  # one word that ends a sentence
BULLET = re.compile(r"^\s*(?:[-–•▪●◦➢➤➔►→✓*]|\d{1,2}[.)-]\s|[a-z][.)]\s)")
ARROWS = "→➢➤➔►"  # the marks of a line that a document uses as a title or to lead its paragraph, as an item


_FOOTNOTE_START = re.compile(r"(?m)^[ \t]*([¹²³⁴⁵⁶⁷⁸⁹⁰]+)[ \t]+(?=\S)")  # a footnote: its number opens the line
_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUPERSCRIPT = re.compile(r"⁽?[¹²³⁴⁵⁶⁷⁸⁹⁰]+⁾?")  # a note mark, bracketed or not ("recommandation⁽¹⁾")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]*)\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_PARAGRAPH_BREAK = re.compile(r"</p> *<p[^>]*>", re.IGNORECASE)  # not across a tab: a table cell ends there
_HTML_TAG = re.compile(r"</?(?:p|i|b|em|strong|u|span|div|ul|ol|li|br|sup|sub|a|font|small)\b[^>]*>", re.IGNORECASE)
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=\S)\*(?![\w*])")


_FOOTNOTE = re.compile(r"^[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s")
# a footnote whose number a PDF glued to its first word ("1Usager·ère·s : aujourd'hui en santé…"): numbered as the
# other notes are (« Note 1 : Usager·ère·s… ») when its call was found before it, else the number goes
_GLUED_NOTE_NUMBER = re.compile(r"(?m)^[ \t]*(\d{1,2})(?=[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ·]{2,}\b)")
# its call, glued to the end of a word in lower case (« des usager·ère·s1 et invite… »): removed when the note of
# that number comes after it on the page; not in an address (« /fiche1.pdf ») nor after a unit (« km2 »)
_GLUED_CALL = re.compile(r"(?<![\w/.:@·-])([a-zà-öø-ÿ·]{3,})(\d{1,2})(?=[\s,.;:!?)…]|$)")
_URL_START = re.compile(r"^<?(?:https?://|www\.)")
# a call the text put between two commas (« de la démocratie sanitaire, (6), la première étape »): one comma is left
_CALL_BETWEEN_COMMAS = re.compile(r",[ \t]*,")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+.!|>~-])")  # Markdown's "\(" for a literal "("


def _paragraph_units(text: str) -> list[tuple[str, str]]:
    """Each paragraph with the separator before it: moving one moves the break that opens it."""
    parts = re.split(r"(\n[ \t]*\n)", text)
    return list(zip(["", *parts[1::2]], parts[0::2], strict=True))


def move_footnotes(text: str) -> str:
    """Put footnotes that a page break left inside a sentence ("… pour une" / "⁶ La santé communautaire…" /
    "meilleure coordination…") after the paragraph that ends the sentence, so that the sentence is whole
    and the footnote is not glued to its end; and footnotes left between the items of a list (one page break or
    several) after the list, so that the list is read whole from its introduction."""
    units = _paragraph_units(text)
    i = 1
    while i < len(units):
        j = i
        while j < len(units) and _is_note(units[j][1]):
            j += 1
        if j == i:
            i += 1
            continue
        before, after = units[i - 1][1].rstrip(), units[j][1].lstrip() if j < len(units) else ""
        end = j + 1 if after[:1].islower() and before and not before.endswith(_SENTENCE_ENDS) else j
        if marker := _item_marker(units, i - 1):  # the notes interrupt a list: the rest of its items come first
            while end < len(units) and (_is_note(units[end][1]) or _goes_on(units[end][1], marker)):
                end += 1
        moved = units[i:end]
        units[i:end] = [u for u in moved if not _is_note(u[1])] + [u for u in moved if _is_note(u[1])]
        i = max(end, j + 1)
    return "".join(sep + paragraph for sep, paragraph in units)


def notes_by_calls(text: str) -> str:
    """Put a footnote at the end of the section that calls it, before the next numbered title, when that title comes
    between the call and the note: a page break left the note at the foot of its page, under the next section's title
    (« 4.3. Les freins » for « … des gâteaux »¹⁴ in § 4.2.4), where it would be quoted and cited as that section's.
    Other notes stay where they are (moving every note next to its call changed one answer in three and cut
    passages in two between their paragraphs), as does a note whose call is not found before it."""
    units = _paragraph_units(text)
    for i in range(1, len(units)):
        note = _FOOTNOTE.match(units[i][1].lstrip())
        if not note:
            continue
        call = _call_pattern(note.group().strip())
        k = next((k for k in range(i - 1, -1, -1) if not _is_note(units[k][1]) and call.search(units[k][1])), i)
        title = next((t for t in range(k + 1, i) if _numbered_title(units, t)), None)
        if title is not None:
            units.insert(title, units.pop(i))
    return "".join(sep + paragraph for sep, paragraph in units)


# a numbered section's title: « 4.3. Les freins », « 6.7.2. Quels contenus ? »; one line, not ending as a sentence
_NUMBERED_TITLE = re.compile(r"(?P<number>\d{1,2}(?:\.\d{1,2})*)\.?[ \t]+[A-ZÀ-ÖØ-Þ][^\n]{0,200}(?<![.!;:…])\Z")


def _numbered_title(units: list[tuple[str, str]], t: int) -> bool:
    """Whether paragraph ``t`` is a numbered section's title, not an item of a numbered list: the first one after
    its introduction (« … les équipes : » / « 1. La formation commune »), or one right after an item numbered alike
    (« 2. Le temps partagé »; a title follows its section's text, or a title of another depth: « 1. » / « 1.1. »)."""
    found = _NUMBERED_TITLE.match(units[t][1].strip())
    if not found:
        return False
    before = units[t - 1][1].strip()
    alike = _NUMBERED_TITLE.match(before)
    return not before.endswith(":") and not (
        alike and alike.group("number").count(".") == found.group("number").count(".")
    )


def _call_pattern(number: str) -> re.Pattern[str]:
    """A call of note ``number`` inside a paragraph, not a longer number's digit (« ¹ » in « ¹⁴ ») nor a unit's power
    (« 300 m² »)."""
    unit = r"(?<!\bm)(?<!\bcm)(?<!\bkm)(?<!\bmm)"
    return re.compile(rf"(?<![¹²³⁴⁵⁶⁷⁸⁹⁰]){unit}(?<!^){re.escape(number)}(?![¹²³⁴⁵⁶⁷⁸⁹⁰])", re.MULTILINE)


_LIST_READ_BACK = 3  # paragraphs read back, over an item's run-on lines, for the item notes interrupt


def _is_note(paragraph: str) -> bool:
    return bool(_FOOTNOTE.match(paragraph.lstrip()))


def _marker(paragraph: str) -> str:
    """The kind of an item's mark: the bullet itself (« - », « ➔ »), or « 1. » / « a) » for numbered items."""
    found = BULLET.match(paragraph)
    if not found:
        return ""
    mark = found.group().strip()
    return "1." if mark[0].isdigit() else "a)" if mark[0].isalpha() else mark


def _item_marker(units: list[tuple[str, str]], k: int) -> str:
    """The mark of the list item that paragraph ``k`` is, or goes on (a line starting in lower case after it)."""
    for paragraph in (units[n][1] for n in range(k, max(k - _LIST_READ_BACK, 0) - 1, -1)):
        if mark := _marker(paragraph):
            return mark
        if _is_note(paragraph) or not paragraph.lstrip()[:1].islower():
            return ""
    return ""


def _goes_on(paragraph: str, marker: str) -> bool:
    """Whether a paragraph after a list item still belongs to its list: an item with the same kind of mark (a
    numbered one ending as a sentence does, not a heading « 2. Deuxième partie »), or a line going on in lower case."""
    if paragraph.lstrip()[:1].islower():
        return True
    if _marker(paragraph) != marker:
        return False
    return marker not in ("1.", "a)") or paragraph.rstrip().endswith(_SENTENCE_ENDS)


@lru_cache(maxsize=1)
def footnote_label() -> re.Pattern[str]:
    """The number :func:`strip_markup` gives a footnote at the start of its text (``footnote`` of
    ``cleaning.toml``: « Note 28 : »), to recognise a note in a passage."""
    return re.compile(re.escape(CleaningRules.load().footnote.strip()).replace(r"\{number\}", r"\d+"))


def alternative_question(before: str, question: str) -> bool:
    """Whether ``question`` is one more alternative of the question ``before`` ends on (« … un·e élu·e ? » then « Une
    personne non politisée? »): a question that asks nothing by itself (``interrogative`` of ``cleaning.toml``)."""
    rule = CleaningRules.load().interrogative
    asks_alone = rule is not None and rule.search(question) is not None
    return before.rstrip().endswith("?") and question.rstrip().endswith("?") and not asks_alone


def strip_markup(text: str) -> str:
    """Remove the HTML and Markdown left by PDF-to-text tools: tags, emphasis, links, footnote marks, calls into
    the list of references, spaces before a comma or a period."""
    text = notes_by_calls(move_footnotes(text))
    text = _AUTOLINK.sub(r"\1", text)
    text = _MD_LINK.sub(lambda m: m.group(1) if m.group(2) in ("", "#") else f"{m.group(1)} ({m.group(2)})", text)
    text = _PARAGRAPH_BREAK.sub(" ", text)
    text = _HTML_TAG.sub(" ", text)
    text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3), text)
    rules = CleaningRules.load()
    text = rules.ordinal.sub(r"\1\2", text)
    text = _FOOTNOTE_START.sub(lambda m: rules.footnote.format(number=m.group(1).translate(_DIGITS)), text)
    text = _SUPERSCRIPT.sub("", text)
    if rules.reference_call is not None:
        text = _CALL_BETWEEN_COMMAS.sub(",", _without_calls(rules.reference_call, text))
    called: set[str] = set()  # the glued notes whose call was found before them: numbered as the other notes are
    if notes := {m.group(1): m.start() for m in reversed(list(_GLUED_NOTE_NUMBER.finditer(text)))}:  # the first

        def uncalled(m: re.Match[str]) -> str:
            if m.start() < notes.get(m.group(2), -1):
                called.add(m.group(2))
                return m.group(1)
            return m.group()

        text = _GLUED_CALL.sub(uncalled, text)
    text = _GLUED_NOTE_NUMBER.sub(
        lambda m: rules.footnote.format(number=m.group(1)) if m.group(1) in called else "", text
    )
    text = _MD_ESCAPE.sub(r"\1", text)
    if rules.space_before_mark is not None:
        text = rules.space_before_mark.sub("", text)
    return re.sub(r"[ ]{2,}", " ", text)


# the end of a sentence, maybe closing a quotation, before a call (« examiner les réclamations…(6,19). », « … aux
# professionnels de terrain. » (35). »)
_ENDED = re.compile(r"[.…!?][ \t]*[»”]?[ \t]*$")


def _without_calls(call: re.Pattern[str], text: str) -> str:
    """``text`` without the calls into the list of references; the period after a call that follows the sentence's
    own end goes with it (« réclamations…. », « terrain. ». » otherwise)."""
    kept: list[str] = []
    last = 0
    for found in call.finditer(text):
        kept.append(text[last : found.start()])
        last = found.end()
        if text.startswith(".", last) and not text.startswith("..", last) and _ENDED.search(kept[-1]):
            last += 1
    return "".join(kept) + text[last:]


def normalize_chars(text: str) -> str:
    """NFC (the study stores accents decomposed), ligatures, exotic spaces, curly apostrophes."""
    return unicodedata.normalize("NFC", text).translate(_CHAR_MAP)


def _line_signature(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def strip_running_lines(pages: list[Page], edge: int = 3, min_share: float = 0.5) -> list[Page]:
    """Remove headers/footers: lines near a page edge that repeat on many pages, and page numbers."""
    if len(pages) < 3:
        return [Page(p.number, _drop_page_numbers(p.text)) for p in pages]
    counts: Counter[str] = Counter()
    for page in pages:
        lines = [ln for ln in page.text.split("\n") if ln.strip()]
        counts.update({_line_signature(ln) for ln in lines[:edge] + lines[-edge:]})
    threshold = max(3, int(len(pages) * min_share))
    running = {sig for sig, n in counts.items() if n >= threshold and len(sig) < 150}
    page_number_line = CleaningRules.load().page_number_line
    cleaned = []
    for page in pages:
        lines = page.text.split("\n")
        non_empty = [i for i, ln in enumerate(lines) if ln.strip()]
        edges = set(non_empty[:edge] + non_empty[-edge:])
        kept = [
            ln
            for i, ln in enumerate(lines)
            if not (i in edges and (_line_signature(ln) in running or page_number_line.match(ln)))
        ]
        cleaned.append(Page(page.number, "\n".join(kept)))
    return cleaned


def _drop_page_numbers(text: str) -> str:
    lines = text.split("\n")
    non_empty = [i for i, ln in enumerate(lines) if ln.strip()]
    if non_empty and CleaningRules.load().page_number_line.match(lines[non_empty[-1]]):
        del lines[non_empty[-1]]
    return "\n".join(lines)


def vocabulary(text: str) -> set[str]:
    """Lower-cased words of a text, used to decide how to undo hyphenation."""
    return set(re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text.lower()))


def dehyphenate(text: str, vocab: set[str]) -> str:
    """Join words cut by a hyphen at a line end: ``représen-\\ntants`` → ``représentants``; the slides leave a blank
    line between their lines (``celle-\\n\\nci``), which is no paragraph break after a hyphen.

    A hyphen is kept when the hyphenated form is a real word of the document (``pluri-\\nprofessionnel``
    written so elsewhere) and the joined form is not, and inside a web address, whose hyphens are its own
    (``https://www.france-assos-\\n\\nsante.org/…``).
    """

    out: list[str] = []
    run = ""  # the output's last run of text without a space: a second cut goes on the address the first one joined
    done = 0
    for match in _LINE_END_HYPHEN.finditer(text):
        left, right = match.group(1), match.group(2)
        out.append(text[done : match.start()])
        run = re.split(r"\s", run + out[-1] + left)[-1]
        joined, hyphenated = (left + right).lower(), f"{left}-{right}".lower()
        address = "://" in run or "www." in run
        out.append(f"{left}-{right}" if (hyphenated in vocab and joined not in vocab) or address else left + right)
        run += out[-1][len(left) :]
        done = match.end()
    return "".join(out) + text[done:]


_LINE_END_HYPHEN = re.compile(r"([^\W\d_]+)-[ \t]*\n(?:[ \t]*\n)?[ \t]*([a-zà-ÿœ][^\W\d_]*)")


def unglue(text: str) -> str:
    """Cut apart the words a PDF glued by dropping the spaces between them (« Sioui, il y a desconditions! » →
    « Si oui, il y a des conditions! »), as ``glued_*`` of ``cleaning.toml`` says. A glued word holds one of the
    small words (« des », « de », « si »…) or is a title in capitals (« FICHEMISSION »); a capitalised one opens its
    line; so does a capitalised small word glued to an acronym (« UneCPTS »). Compounds (« téléconsultation »), names
    in a sentence (« Delaporte », « LaREM »), inclusive forms (« Lesquel·le·s ») and web addresses are left
    as written."""
    rules = CleaningRules.load()
    french, folded = french_words(), french_folded()

    def cut(match: re.Match[str]) -> str:
        word, lower = match.group(), match.group().lower()
        line_start = text.rfind("\n", 0, match.start()) + 1  # the text before the word on its line: blank?
        opens_line = not text[line_start : match.start()].strip(" \t")
        cased = word.islower() or ((word.isupper() or word.istitle()) and opens_line)
        if not cased or lower in french or fold_accents(lower) in folded:
            return word
        pieces = _fewest_words(lower, rules.glued_small_words, rules.glued_min_letters, french)
        if len(pieces) < 2 or not (word.isupper() or rules.glued_small_words.intersection(pieces)):
            return word
        if word.isupper():
            return " ".join(p.upper() for p in pieces)
        return " ".join([pieces[0].capitalize() if word[0].isupper() else pieces[0], *pieces[1:]])

    def cut_acronym(match: re.Match[str]) -> str:  # « UneCPTS » → « Une CPTS »; « AVECsanté » is left as written
        small, acronym = match.groups()
        return f"{small} {acronym}" if small.strip().lower() in rules.glued_small_words else match.group()

    return _GLUED_ACRONYM.sub(cut_acronym, _GLUABLE.sub(cut, text))  # ``cut`` reads ``text`` at its matches


# a capitalised word glued to an acronym in capitals after it, opening its line (a title; « LaREM » in a sentence is
# a name)
_GLUED_ACRONYM = re.compile(r"(?m)^([ \t]*[A-ZÀ-Ý][a-zà-ÿ]+)([A-ZÀ-Ý]{2,})(?![\w·@-])")


def _fewest_words(word: str, small: frozenset[str], min_letters: int, french: frozenset[str]) -> list[str]:
    """``word`` as the fewest words (then the longest ones) that are ``small`` or French of ``min_letters``
    letters at least; [] when it cannot be cut so."""
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for start in range(len(word)):
        head = best[start]
        if head is None:
            continue
        for end in range(start + 1, len(word) + 1):
            piece = word[start:end]
            if piece in small or (len(piece) >= min_letters and piece in french):
                found, known = [*head, piece], best[end]
                if known is None or _fewer_longer(found) < _fewer_longer(known):
                    best[end] = found
    return best[-1] or []


def _fewer_longer(pieces: list[str]) -> tuple[int, int]:
    """The order of two cuts of a word: the fewest pieces, then the longest ones."""
    return len(pieces), -sum(len(piece) ** 2 for piece in pieces)


# a word of five letters or more, not inside a web address or an e-mail, nor beside « · » or « - »
_GLUABLE = re.compile(r"(?<![\w·./@-])[^\W\d_]{5,}(?![\w·@-]|\.\w)")


_NAME_END = re.compile(r"(?<![\w'’])[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+$")  # a line ending on a capitalised word ("Santé")


def one_line(raw: str) -> str:
    """A line as a passage holds it: runs of spaces and tabs as one space, no space at either end."""
    return re.sub(r"[ \t]+", " ", raw).strip()


def join_broken_lines(lines: list[str], width: int | None = None) -> list[str]:
    """Re-join lines of one paragraph that a PDF broke mid-sentence; keep bullets and real breaks.

    ``width``: the line width of a document whose paragraphs wrap (:func:`wrap_width`); a line that fills
    it without ending its sentence goes on, whatever the next line starts with ("la Commission" /
    "Nationale de l'Agrément")."""
    out: list[str] = []
    previous = ""
    joined = False  # the previous line carried on a sentence begun above it
    for raw in lines:
        line = one_line(raw)
        if not line:
            continue
        unended = not previous.endswith(_SENTENCE_ENDS)
        full = width is not None and len(previous) >= width and unended
        # a sentence already carried over a line break whose line ends on a capitalised word, without a mark,
        # goes on: a name cut in two ("… tels que les Maisons de Santé" / "Pluriprofessionnelles, … et les
        # Communautés" / "Professionnelles …"; "… entre France" / "Assos Santé, …")
        carried = joined and carries_name(previous)
        rows = CELL_SEPARATOR in previous and CELL_SEPARATOR in line  # two rows of a table, never one
        if out and not rows and (continues(out[-1], line) or ((full or carried) and not BULLET.match(line))):
            out[-1] = f"{out[-1]} {line}"
            joined = True
        else:
            out.append(line)
            joined = False
        previous = line
    return out


def carries_name(line: str) -> bool:
    """A line that ends on a capitalised word without a mark: in a sentence already carried over a line break, a
    name cut in two (« … entre France » / « Assos Santé, … »)."""
    return not line.endswith(_SENTENCE_ENDS) and bool(_NAME_END.search(line))


def wrap_width(lines: list[str]) -> int | None:
    """The length from which a line fills the width a document's paragraphs wrap at, when they do: most
    lines are nearly as long as the longest ones (a PDF text), not one paragraph per line nor short slide
    lines (``[wrap]`` of ``cleaning.toml``). None otherwise."""
    rules = CleaningRules.load().wrap
    lengths = sorted(len(line.strip()) for line in lines if line.strip())
    if len(lengths) < max(rules.min_lines, 1):
        return None
    median, top = lengths[len(lengths) // 2], lengths[int((len(lengths) - 1) * rules.top_rank)]
    if top > rules.max_width or median < rules.median_share * top:
        return None
    return int(rules.full_share * top)


def continues(previous: str, line: str) -> bool:
    """Does ``line`` carry on the sentence of ``previous`` (lower-case start, dangling function word…)?"""
    if BULLET.match(line):
        return False
    if _URL_START.match(line) and previous.endswith(_SENTENCE_ENDS):  # a footnote's address, not the sentence
        return False
    if line[0].islower() or line[0] in ",;:)»/":  # « … les URPS » / « / les fédérations… »
        return True
    if previous.endswith((",", "(", "«", "–", "-", "/")):
        return True
    if previous.count("(") > previous.count(")"):  # "une MSP (Maison de Santé" / "Pluriprofessionnelle)"
        return True
    if not previous.endswith(_SENTENCE_ENDS) and (
        line[0] == "(" or _LAST_WORD.match(line) or _NUMBER_GOES_ON.match(line)
    ):  # "(31).", "(LMSS) procède…", a sentence's last word alone ("Santé."), "2019 portant…" carry on
        return True
    last_word = previous.rsplit(" ", 1)[-1].lower()
    words = CleaningRules.load().continuation_words
    elided = re.split(r"['’]", last_word)[-1]  # "d'une", "qu'une": the word after the elision
    return last_word in words or elided in words or line[0] == "?"
