"""The HTML renderer of the typed answer, on answers built by hand: no index, no server, no browser.

Each test reads the HTML a user would see: what is a button, what is flagged, what is only text.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from assistant.answer import Answer, Block, BlockKind, Citation, Route, Span, SpanSource, Suggestion
from assistant.web.documents import ingest_report_html, library_html
from assistant.web.render import (
    Turn,
    answer_html,
    conversation_html,
    conversation_markdown,
    conversation_print_html,
    followup_shown,
    reads_as_question,
)
from assistant.web.wording import wording

pytestmark = pytest.mark.fast


class Tags(HTMLParser):
    """The tags and the visible text of an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]


def citation(n: int, label: str = "HAS 2023 — Fiche ressource n° 6, § 6.6.2, p. 41") -> Citation:
    return Citation(
        n=n,
        chunk_id=f"c{n}",
        doc_id="has-guide",
        file="guide.pdf",
        doc_title="Guide",
        publisher="HAS",
        fiche=6,
        fiche_title="Respect de la vie privée",
        section="6.6.2",
        section_number="6.6.2",
        page=41,
        page_source="pdf",
        quote="",
        label=label,
    )


def quoted(text: str, *markers: int) -> Span:
    return Span(text, markers, SpanSource.CORPUS)


def test_a_quoted_paragraph_with_two_markers_makes_two_citation_buttons_and_a_sources_list() -> None:
    answer = Answer(
        question="les usagers sont-ils tenus au secret ?",
        blocks=[
            Block.phrase(BlockKind.LEAD, "D'après la fiche ressource n° 6 :"),
            Block(BlockKind.PARAGRAPH, (quoted("Les usagers sont tenus au secret.", 1), quoted("Ils signent.", 2))),
        ],
        citations=[citation(1), citation(2, "HAS 2023 — § 6.6.3")],
    )
    page = Tags(answer_html(answer, 0))
    cites = [a for a in page.named("button") if a.get("data-action") == "cite"]
    assert [(c["data-n"], c["data-turn"]) for c in cites] == [("1", "0"), ("2", "0"), ("1", "0"), ("2", "0")]
    html = answer_html(answer, 0)
    paragraph = re.search(r"<p>(.*?)</p>", html, re.S)
    assert paragraph and paragraph.group(1).count('class="cite"') == 2  # both markers in the paragraph
    assert '<p class="lead">D&#x27;après la fiche ressource n° 6 :</p>' in html
    assert f'<p class="sources-title">{wording().sources_heading}</p>' in html
    assert "HAS 2023 — § 6.6.3" in "".join(page.text)


def test_list_items_are_one_list_and_a_marker_without_citation_stays_text() -> None:
    answer = Answer(
        question="q ?",
        blocks=[
            Block.phrase(BlockKind.LEAD, "Les recommandations sont :"),
            Block(BlockKind.LIST_ITEM, (quoted("Informer", 1),)),
            Block(BlockKind.LIST_ITEM, (quoted("Consulter", 9),)),
            Block(BlockKind.PART_HEADING, (Span("Sur « la CPTS » :"),)),
            Block(BlockKind.NOTICE, (Span("Attention : non confirmé."),)),
            Block(BlockKind.FURTHER, (Span("Autres passages proches :"),)),
        ],
        citations=[citation(1)],
    )
    html = answer_html(answer, 3)
    assert html.count("<ul>") == 2 and html.count("<li>") == 3  # one list of two items, one list of sources
    assert "Consulter [9]" in html and 'data-n="9"' not in html
    assert '<p class="part-heading"><strong>Sur « la CPTS » :</strong></p>' in html
    assert '<p class="further"><strong>Autres passages proches :</strong></p>' in html
    assert 'class="notice" role="note"' in html


def test_a_refusal_shows_its_suggestions_as_buttons_and_no_sources() -> None:
    answer = Answer(
        question="dose de paracétamol ?",
        blocks=[Block.phrase(BlockKind.LEAD, "Les documents de référence ne traitent pas de cette question.")],
        refused=True,
        route=Route.OUT_OF_SCOPE,
        suggestions=[Suggestion(4, "Mobiliser les usagers"), Suggestion(6, "Vie privée")],
    )
    html = answer_html(answer, 1)
    buttons = [b for b in Tags(html).named("button") if b.get("data-action") == "suggest"]
    assert [b["data-number"] for b in buttons] == ["4", "6"]
    assert "Fiche ressource n° 4 « Mobiliser les usagers »</button>" in html
    assert wording().suggestions_heading in html
    assert 'class="sources"' not in html and 'class="answer refused"' in html


def test_the_list_of_all_fiches_is_not_repeated_as_suggestion_buttons() -> None:
    answer = Answer(
        question="quelles sont les fiches ?",
        blocks=[Block(BlockKind.LIST_ITEM, (Span("Fiche ressource n° 1 – Diagnostic"),))],
        route=Route.LIST_FICHES,
        suggestions=[Suggestion(1, "Diagnostic")],
    )
    assert 'data-action="suggest"' not in answer_html(answer, 0)


def test_notes_come_first_from_their_field() -> None:
    answer = Answer(
        question="<b>x</b> secret ?",
        notes=["Le balisage (HTML, script) de la question a été retiré."],
        blocks=[Block(BlockKind.PARAGRAPH, (quoted("Texte.", 1),))],
        citations=[citation(1)],
    )
    html = answer_html(answer, 0)
    assert html.index('class="note"') < html.index("<p>Texte.")
    assert "Le balisage (HTML, script) de la question a été retiré." in html


def test_a_model_sentence_its_passage_does_not_support_is_flagged_visibly() -> None:
    answer = Answer(
        question="q ?",
        blocks=[
            Block(
                BlockKind.PARAGRAPH,
                (
                    Span("Les usagers votent le budget.", (1,), SpanSource.MODEL, supported=False),
                    Span("Ils sont consultés.", (1,), SpanSource.MODEL, supported=True),
                ),
            )
        ],
        citations=[citation(1)],
    )
    html = answer_html(answer, 0)
    assert html.count('class="flag"') == 1
    assert '<span class="unsupported">Les usagers votent le budget.</span>' in html
    assert wording().unsupported in html


def test_hostile_text_is_shown_whole_as_text() -> None:
    link = "[lien](javascript:alert(1))"
    payload = f'<img src=x onerror="alert(1)"> <script>alert(2)</script> {link}'
    answer = Answer(
        question=payload,
        blocks=[Block(BlockKind.PARAGRAPH, (Span(payload, (1,), SpanSource.MODEL),))],
        notes=[payload],
        suggestions=[Suggestion(2, payload)],
        citations=[citation(1, label=payload)],
        refused=False,
    )
    html = conversation_html([Turn(question=payload, answer=answer)])
    page = Tags(html)
    assert not page.named("img") and not page.named("script") and not page.named("a")
    assert all(not k.startswith("on") for _, attrs in page.tags for k in attrs)
    assert "javascript:" not in " ".join(str(v) for _, attrs in page.tags for v in attrs.values())
    visible = "".join(page.text)
    assert visible.count(link) >= 5  # question, note, paragraph, suggestion, source: each time whole
    assert visible.count(payload) >= 3


def test_the_follow_up_rewrite_is_shown_only_when_it_is_a_sound_condensation() -> None:
    sound = Answer(
        question="et dans une CPTS ?", details={"condensed_question": "Comment recruter des usagers dans une CPTS ?"}
    )
    assert followup_shown(sound) == "Comment recruter des usagers dans une CPTS ?"
    assert "Question recherchée : « Comment recruter des usagers dans une CPTS ? »" in answer_html(sound, 0)
    garbled = Answer(
        question="et dans une CPTS ?",
        details={"condensed_question": "Comment recruter des usagers dans notre une CPTS ? et dans une CPTS ?"},
    )
    assert followup_shown(garbled) is None and "Question recherchée" not in answer_html(garbled, 0)
    cleaned_only = Answer(question="<b>secret</b> ?", standalone_question="secret usagers")
    assert "Question recherchée" not in answer_html(cleaned_only, 0)  # not a condensation: not shown
    assert not reads_as_question("dans notre une CPTS ?") and not reads_as_question("recruter recruter des usagers ?")
    assert reads_as_question("Quel est le rôle d'un représentant des usagers en CPTS ?")


def test_document_kinds_and_report_are_in_french() -> None:
    from ingest.index import DocumentStats

    docs = [
        DocumentStats("a", "a.pdf", "Fiche URPS", "URPS", "advice sheet", "2022-10", "", 1, True, "", 2, 3),
        DocumentStats("b", "b.pdf", "Présentation", "X", "slides", "", "", 1, True, "", None, 3),
        DocumentStats("c", "c.pdf", "Mémoire", "X", "study", "", "", 1, True, "", None, 3),
    ]
    text = "".join(Tags(library_html(docs, [])).text)
    assert "fiche conseil" in text and "diaporama" in text and "étude" in text
    assert not re.search(r"advice sheet|slides|study", text)
    assert wording().contents(1) == "Sommaire (1 titre)" and wording().contents(3) == "Sommaire (3 titres)"
    report = ingest_report_html(
        [
            {
                "file": "evil.txt",
                "status": "new",
                "reason": "nom modifié : « ../../evil.txt » enregistré sous « evil.txt »",
            }
        ],
        "1 fichier(s) ajouté(s).",
        True,
    )
    assert "ajouté" in report and "« ../../evil.txt » enregistré sous « evil.txt »" in report


def test_a_rated_answer_is_stored_as_text_with_its_sources_and_no_secret(tmp_path: Path) -> None:
    from assistant.web.feedback import FeedbackStore, qa_row
    from ingest.settings import Settings

    answer = Answer(
        question="les usagers sont-ils tenus au secret ?",
        blocks=[Block(BlockKind.PARAGRAPH, (quoted("Les usagers sont tenus au secret.", 1),))],
        citations=[citation(1)],
    )
    store = FeedbackStore(tmp_path / "avis.sqlite")
    settings = Settings(auth="alice:motdepasse-secret")
    row_id = store.add("dislike", answer, settings, history=["avant ?"], role="representant")
    store.update(row_id, comment="mauvaise fiche", wrong_source=True)
    row = store.get(row_id)
    assert row is not None and row.rating == "dislike" and row.comment == "mauvaise fiche"
    assert "Les usagers sont tenus au secret." in row.answer and "HAS 2023 — Fiche ressource n° 6" in row.answer
    assert row.citations[0]["fiche"] == 6 and "motdepasse-secret" not in json.dumps(row.settings)
    assert qa_row(row)["expected_sources"] == [] and "mauvaise-source" in qa_row(row)["tags"]


def exported_answer() -> Answer:
    quote = "Les usagers sont tenus au secret [sic] *comme* les professionnels."
    cited = replace(citation(1), quote=quote, section="6.6 Secret > 6.6.2. Obligation de secret des usagers")
    return Answer(
        question="les usagers sont-ils tenus au secret ?",
        blocks=[
            Block.phrase(BlockKind.LEAD, "D'après la fiche ressource n° 6 :"),
            Block(BlockKind.PARAGRAPH, (quoted(quote, 1),)),
            Block.phrase(BlockKind.NOTICE, "<script>alert(1)</script>"),
        ],
        citations=[cited],
    )


def test_the_exported_conversation_gives_every_source_in_markdown_and_printable_html() -> None:
    items = [("les usagers sont-ils tenus au secret ?", exported_answer())]
    markdown = conversation_markdown(items)
    assert "## Question 1 : les usagers sont-ils tenus au secret ?" in markdown
    assert "### Sources" in markdown
    source = next(line for line in markdown.splitlines() if line.startswith("1. "))
    for part in ("Document : Guide (HAS)", "Fiche ressource : n° 6 « Respect de la vie privée »", "Page : 41"):
        assert part in source
    assert "6.6.2. Obligation de secret des usagers" in source
    assert "> Les usagers sont tenus au secret \\[sic\\] \\*comme\\* les professionnels." in markdown
    assert "D'après la fiche ressource n° 6 : " not in markdown and "\\[1\\]" in markdown  # the marker, as text
    page = conversation_print_html(items)
    assert page.startswith("<!doctype html>") and '<html lang="fr">' in page
    tags = Tags(page)
    assert not tags.named("script") and not tags.named("button") and "<script>alert(1)</script>" in "".join(tags.text)
    text = "".join(tags.text)
    assert "Respect de la vie privée" in text and "41" in text and "6.6.2. Obligation de secret des usagers" in text
    assert "Les usagers sont tenus au secret [sic] *comme* les professionnels." in text


def test_next_questions_are_buttons_under_the_answer_and_a_turn_survives_its_round_trip() -> None:
    turn = Turn(
        question="les usagers sont-ils tenus au secret ?",
        answer=exported_answer(),
        rating="dislike",
        feedback_id=3,
        history=["avant ?"],
        followups=["Comment recruter des usagers ?", "Que dit la fiche ressource n° 6 sur « <b>Charte</b> » ?"],
    )
    page = Tags(conversation_html([turn]))
    buttons = [a for a in page.named("button") if a.get("data-action") == "followup"]
    assert [(b["data-turn"], b["data-k"]) for b in buttons] == [("0", "0"), ("0", "1")]
    assert "Que dit la fiche ressource n° 6 sur « <b>Charte</b> » ?" in "".join(page.text)
    assert not page.named("b")
    back = Turn.from_dict(json.loads(json.dumps(turn.to_dict())))
    assert back == turn
    assert conversation_html([back]) == conversation_html([turn])


def test_the_browser_keeps_the_newest_conversations_within_its_budget() -> None:
    from assistant.web.handlers import keep_conversation, read_turns, saved_choices

    turn = Turn(question="les usagers sont-ils tenus au secret ?", answer=exported_answer())
    store: dict[str, object] = {"conversations": [], "current": ""}
    for k in range(5):
        store = keep_conversation(store, f"c{k}", [turn], budget=10_000_000, most=3)
    assert [c["id"] for c in store["conversations"]] == ["c4", "c3", "c2"] and store["current"] == "c4"  # type: ignore[index]
    one = len(json.dumps(store["conversations"][0], ensure_ascii=False).encode())  # type: ignore[index]
    small = keep_conversation(store, "c5", [turn], budget=one * 2 + 10)
    assert [c["id"] for c in small["conversations"]] == ["c5", "c4"]
    assert "contexts" not in small["conversations"][0]["turns"][0]["answer"]
    long = [replace(turn, question=f"question {k} ?") for k in range(6)]
    alone = keep_conversation(small, "c6", long, budget=one * 3)  # too long by itself: its newest questions
    questions = [t["question"] for t in alone["conversations"][0]["turns"]]
    assert 1 <= len(questions) < 6 and questions == [f"question {k} ?" for k in range(6 - len(questions), 6)]
    assert len(json.dumps(alone["conversations"], ensure_ascii=False).encode()) <= one * 3
    assert saved_choices(small)[0][0].startswith("les usagers sont-ils tenus au secret ? (1 q.")
    assert read_turns([{"question": 1}, "x", turn.to_dict()]) == [turn]  # a malformed entry is left out
    forged = {**turn.to_dict(), "feedback_id": 1, "rating": "like"}
    assert read_turns([forged])[0].feedback_id is None  # another user's stored opinion cannot be reached
    # what comes back from the browser is checked like any input: a citation number carrying markup is
    # refused (it was written unescaped into the page and the printable export), a "2" becomes 2
    stored = turn.to_dict()
    stored["answer"]["citations"][0]["n"] = '1"><img src=x onerror=alert(1)>'
    assert read_turns([stored]) == []
    stored["answer"]["citations"][0]["n"] = "2"
    assert read_turns([stored])[0].answer.citations[0].n == 2  # type: ignore[union-attr]


def test_with_accounts_no_conversation_is_kept_in_a_browser_that_may_be_shared(tmp_path: Path) -> None:
    from assistant.web.handlers import ChatHandlers, keep_conversation
    from assistant.web.holder import AssistantHolder
    from ingest.settings import Settings

    turn = Turn(question="les usagers sont-ils tenus au secret ?", answer=exported_answer())
    earlier = keep_conversation({}, "c1", [turn], budget=10_000_000)  # kept before accounts were set
    for auth, kept in (("", True), ("alice:secret", False)):
        settings = Settings(auth=auth, feedback_db=tmp_path / f"fb{bool(auth)}.sqlite", index_dir=tmp_path / "i")
        chat = ChatHandlers(settings, AssistantHolder(settings), None, tmp_path)  # type: ignore[arg-type]
        store, _, _ = chat.keep([turn], "", {})
        assert ("conversations" in store) is kept  # else nothing is written to the browser
        shown = chat.restore(earlier)
        assert (shown[1] == [turn]) is kept  # the conversation left open is reopened, or not
        assert bool(shown[3].choices) is kept  # the list of past conversations is offered, or empty
