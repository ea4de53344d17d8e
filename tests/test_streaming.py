"""What the page receives while a question is answered, through the chat handler (no browser): a short
status, then the whole verified answer as soon as it is ready (no timed replay); with an LLM, the
draft's progress as its tokens arrive."""

from __future__ import annotations

import html
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.answer import Answer, Block, BlockKind
from assistant.web.handlers import ChatHandlers
from assistant.web.holder import AssistantHolder
from ingest.settings import Settings


def handlers(settings: Settings, assistant: Any, tmp_path: Path) -> ChatHandlers:
    """The chat handlers of a page with a send button and two example buttons."""
    settings = settings.model_copy(update={"feedback_db": tmp_path / "feedback.sqlite"})
    ui: Any = SimpleNamespace(inputs=["send", "example 1", "example 2"])
    return ChatHandlers(settings, AssistantHolder(settings, assistant), ui, tmp_path)


def inputs_enabled(update: tuple[Any, ...]) -> list[Any]:
    """Whether each of the send and example buttons is made usable (True), unusable (False) or left as is."""
    return [u.get("interactive") if isinstance(u, dict) else None for u in update[3:]]


def forbid_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    def sleep(seconds: float) -> None:
        raise AssertionError(f"attente de {seconds} s pendant la réponse")

    monkeypatch.setattr(time, "sleep", sleep)


@pytest.mark.slow
def test_the_offline_answer_is_shown_whole_as_soon_as_it_is_ready(
    assistant: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = handlers(assistant.settings, assistant, tmp_path)
    forbid_sleep(monkeypatch)
    updates = list(chat.ask_stream("les usagers sont-ils tenus au secret ?", "", []))

    assert len(updates) == 2, "un état, puis la réponse entière : pas de réponse rejouée pas à pas"
    waiting, done = updates
    assert "Recherche dans les documents" in waiting[0] and 'class="answer pending"' in waiting[0]
    assert inputs_enabled(waiting) == [False] * 3, "pas de seconde question pendant la réponse"
    assert "Fiche ressource n° 6" in done[0] and 'class="actions"' in done[0]
    assert inputs_enabled(done) == [True] * 3
    turns = done[2]
    assert len(turns) == 1 and turns[0].answer is not None and turns[0].answer.citations
    assert "streaming" not in waiting[0] + done[0]


@pytest.mark.slow
def test_a_question_the_chosen_documents_do_not_treat_is_shown_declined_with_where_it_is_treated(
    assistant: Any, tmp_path: Path
) -> None:
    """The page's « Limiter la recherche aux documents » on the slides, asked what the patient traceur is: declined
    for them, the guide's section named, shown as a declined answer."""
    chat = handlers(assistant.settings, assistant, tmp_path)
    *_, done = chat.ask_stream("Qu'est-ce que le patient traceur ?", "", [], ["slides"])
    page = html.unescape(done[0])
    assert 'class="answer refused"' in page and "choisi comme filtre, ne traite pas de cette question" in page
    assert "§ 7.3.2 « Sur le recueil de l'expérience patient »" in page


class DraftingAssistant:
    """An assistant whose LLM sends its draft in two tokens, then waits until the page has shown how far
    the draft got before giving its checked answer."""

    def __init__(self) -> None:
        self.generator = SimpleNamespace(name="llm:test")
        self.reader = SimpleNamespace(documents={})
        self.progress_shown = threading.Event()
        self.shown_while_drafting = False

    def ask(self, question: str, on_token: Any = None, **_: Any) -> Answer:
        on_token("Ils signent ")
        on_token("un engagement.")
        self.shown_while_drafting = self.progress_shown.wait(30)  # bounded: never hangs the suite
        return Answer(question=question, blocks=[Block.phrase(BlockKind.PARAGRAPH, "Réponse vérifiée.")])


@pytest.mark.fast
def test_an_llm_draft_shows_its_progress_as_tokens_arrive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drafting = DraftingAssistant()
    chat = handlers(Settings(index_dir=tmp_path / "index"), drafting, tmp_path)
    forbid_sleep(monkeypatch)
    shown: list[str] = []
    for update in chat.ask_stream("les usagers sont-ils tenus au secret ?", "", []):
        shown.append(update[0])
        if "Rédaction de la réponse (26 caractères)" in update[0]:
            drafting.progress_shown.set()

    assert drafting.shown_while_drafting, f"progression montrée seulement après la réponse : {shown}"
    assert all("signent" not in html for html in shown), "le brouillon non vérifié n'est pas montré"
    assert "Réponse vérifiée." in shown[-1]


@pytest.mark.fast
def test_each_update_of_a_long_conversation_renders_without_reading_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assistant.web.render import Turn, conversation_html

    answer = Answer(question="q ?", blocks=[Block.phrase(BlockKind.PARAGRAPH, "Réponse vérifiée.")])
    conversation_html([Turn(question="q ?", answer=answer)])  # the text renderer's words, read once

    def settings(*_: Any, **__: Any) -> None:
        raise AssertionError("réglages relus à chaque rendu (~15 ms par tour affiché)")

    monkeypatch.setattr(Settings, "__init__", settings)
    html = conversation_html([Turn(question=f"q{n} ?", answer=answer) for n in range(10)])
    assert html.count("Réponse vérifiée.") == 20  # shown, and kept as text for "Copier"
