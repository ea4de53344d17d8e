"""What happens when a user asks, opens a citation, follows a suggestion or rates an answer.

The handlers only ask the :class:`~assistant.agent.Assistant` and render what it returns. The question
runs in a worker thread so that the page can show how far the answer got; each event has its own small
set of outputs (the components live in :class:`~assistant.web.app.Components`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.answer import Answer, Block, BlockKind, Citation
from assistant.web.assets import ROLES, STREAM_DELAY, STREAM_STEPS
from assistant.web.documents import PASSAGE_PLACEHOLDER, citation_html
from assistant.web.feedback import FeedbackStore, qa_jsonl
from assistant.web.holder import AssistantHolder
from assistant.web.render import Turn, conversation_html, esc, reveal_steps
from ingest.settings import Settings

if TYPE_CHECKING:
    from assistant.web.app import Components

log = logging.getLogger(__name__)
Updates = tuple[Any, ...]


def event_data(evt: gr.EventData) -> dict[str, str]:
    """The ``data-*`` values a panel script passed to ``trigger``."""
    data = getattr(evt, "_data", None)
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def to_int(value: str, default: int = -1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class ChatHandlers:
    """Asking, citations, suggestions and opinions on answers."""

    def __init__(self, settings: Settings, holder: AssistantHolder, ui: Components, export_dir: Path) -> None:
        self.settings = settings
        self.holder = holder
        self.ui = ui
        self.store = FeedbackStore(settings.feedback_db)
        self.export_dir = export_dir

    def refresh(self) -> None:
        """Pick up an index rebuilt by another process (``python -m ingest``) before using it."""
        try:
            self.holder.refresh_if_stale()
        except Exception:  # keep serving the build already open
            log.exception("rechargement de l'index impossible")

    # --- asking ---------------------------------------------------------------------------------------
    def ask_stream(self, question: str, role: str, turns: list[Turn]) -> Iterator[Updates]:
        """Ask, then reveal the verified answer step by step; yields (conversation, question box, turns,
        send and example buttons). The inputs are disabled until the answer is complete, so that a second
        question from the same page cannot overwrite the first one's turn."""
        steps = self._ask_steps(question, role, turns)
        current = next(steps, None)
        first = True
        for following in steps:
            yield self._with_inputs(current, False if first else None)
            current, first = following, False
        if current is not None:
            yield self._with_inputs(current, True)

    def _with_inputs(self, update: Updates | None, enabled: bool | None) -> Updates:
        conversation, question, turns = update or (gr.skip(), gr.skip(), gr.skip())
        inputs = self.ui.inputs
        if enabled is None:
            return conversation, question, turns, *(gr.skip() for _ in inputs)
        if isinstance(question, str):
            question = gr.update(value=question, interactive=enabled)
        else:
            question = gr.update(interactive=enabled)
        return conversation, question, turns, *(gr.update(interactive=enabled) for _ in inputs)

    def _ask_steps(self, question: str, role: str, turns: list[Turn]) -> Iterator[Updates]:
        """(conversation, question box, turns) while the answer is searched, checked and revealed."""
        self.refresh()
        text = (question or "").strip()
        if not text:
            yield gr.skip(), gr.skip(), gr.skip()
            return
        role = role if role in ROLES else ""
        history = [t.question for t in turns if t.answer is not None]
        turns = [*turns, Turn(question=text, role=role or None, history=history)]
        yield conversation_html(turns, status="Recherche dans les documents…"), "", gr.skip()
        answer = yield from self._answer_while_waiting(text, history, role, turns)
        for blocks in reveal_steps(answer, STREAM_STEPS)[:-1]:
            yield conversation_html(turns, partial=blocks), gr.skip(), gr.skip()
            time.sleep(STREAM_DELAY)
        turns[-1].answer = answer
        yield conversation_html(turns), gr.skip(), turns

    def _answer_while_waiting(
        self, text: str, history: list[str], role: str, turns: list[Turn]
    ) -> Generator[Updates, None, Answer]:
        """Run ``ask`` in a thread; while an LLM drafts, show how far it got (its draft is not shown)."""
        result: dict[str, Any] = {}
        drafted = [0]
        assistant = self.holder.assistant

        def on_token(token: str) -> None:
            drafted[0] += len(token)

        def work() -> None:
            try:
                result["answer"] = assistant.ask(text, history=history, role=role or None, on_token=on_token)
            except Exception as exc:  # shown in the conversation, logged in full
                log.exception("question en échec : %r", text)
                result["error"] = exc

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        shown = 0
        while worker.is_alive():
            worker.join(0.15)
            if drafted[0] != shown:
                shown = drafted[0]
                status = f"Rédaction de la réponse ({shown} caractères), puis vérification des citations…"
                yield conversation_html(turns, status=status), gr.skip(), gr.skip()
        if "answer" in result:
            return result["answer"]
        message = f"Désolé, une erreur est survenue ({type(result.get('error')).__name__}). Réessayez ou reformulez."
        return Answer(
            question=text,
            blocks=[Block.phrase(BlockKind.NOTICE, message)],
            refused=True,
            backend=assistant.generator.name,
        )

    def example_handler(self, text: str) -> Any:
        """The handler of an example button: ask its question."""

        def handler(role: str, turns: list[Turn]) -> Iterator[Updates]:
            yield from self.ask_stream(text, role, turns)

        return handler

    def ask_suggestion(self, evt: gr.EventData, role: str, turns: list[Turn]) -> Iterator[Updates]:
        """A suggested fiche was clicked: ask what it says."""
        number = to_int(event_data(evt).get("number", ""))
        fiches = self.holder.assistant.fiche_list
        title = next((f["title"] for f in fiches if int(f["number"]) == number), "")
        if title:
            yield from self.ask_stream(f"Que dit la fiche ressource n° {number} « {title} » ?", role, turns)

    # --- citations ------------------------------------------------------------------------------------
    @staticmethod
    def citation_of(turns: list[Turn], turn: int, n: int) -> Citation | None:
        if not 0 <= turn < len(turns) or turns[turn].answer is None:
            return None
        answer = turns[turn].answer
        return next((c for c in answer.citations if c.n == n), None) if answer else None

    def open_citation(self, evt: gr.EventData, turns: list[Turn]) -> Updates:
        """A marker was clicked: (passage panel, selected passage, "read in the document" button)."""
        data = event_data(evt)
        citation = self.citation_of(turns, to_int(data.get("turn", "")), to_int(data.get("n", "")))
        if citation is None:
            return gr.skip(), gr.skip(), gr.skip()
        doc = self.holder.assistant.reader.documents.get(citation.doc_id)
        selected = {"doc_id": citation.doc_id, "start": citation.char_start, "end": citation.char_end}
        return citation_html(citation, doc), selected, gr.Button(visible=doc is not None)

    # --- opinions -------------------------------------------------------------------------------------
    def rate(self, evt: gr.EventData, turns: list[Turn]) -> Updates:
        """Useful / not useful: stored at once; returns (conversation, turns, rated turn)."""
        data = event_data(evt)
        rating, turn = data.get("action", ""), to_int(data.get("turn", ""))
        if rating not in ("like", "dislike") or not 0 <= turn < len(turns) or turns[turn].answer is None:
            return gr.skip(), gr.skip(), -1
        item = turns[turn]
        assert item.answer is not None
        if item.feedback_id is None:
            item.feedback_id = self.store.add(rating, item.answer, self.settings, item.history, item.role)
        else:
            self.store.update(item.feedback_id, rating=rating)
        item.rating = rating
        return conversation_html(turns), turns, turn

    def feedback_form(self, turn: int, turns: list[Turn]) -> Updates:
        """The form under the rated answer: what was stored, comment, wrong source, export (dislike)."""
        if not 0 <= turn < len(turns) or turns[turn].rating is None:
            return tuple(gr.skip() for _ in range(8))
        item = turns[turn]
        word = "utile" if item.rating == "like" else "pas utile"
        title = (
            f'<p class="fb-title">Merci ! Avis « {word} » enregistré pour la réponse à : '
            f"« {esc(item.question)} ». Sont conservés sur ce serveur : la question, la réponse, ses "
            "sources et votre avis (voir « Ce qui est enregistré »). Vous pouvez préciser ci-dessous.</p>"
        )
        return (
            gr.Group(visible=True),
            title,
            "",
            False,
            "",
            gr.Button(visible=item.rating == "dislike"),
            gr.File(value=None, visible=False),
            gr.Code(value="", visible=False),
        )

    def save_feedback(self, turn: int, comment: str, wrong: bool, turns: list[Turn]) -> str:
        """Add the comment and the "wrong source" choice to the stored opinion."""
        if not 0 <= turn < len(turns) or turns[turn].feedback_id is None:
            return "<p>Donnez d'abord un avis (Utile ou Pas utile) sur une réponse.</p>"
        row_id = turns[turn].feedback_id
        assert row_id is not None
        self.store.update(row_id, comment=comment or "", wrong_source=bool(wrong))
        return f'<p class="fb-saved">Précisions enregistrées (avis n° {row_id}).</p>'

    def export_feedback(self, turn: int, comment: str, wrong: bool, turns: list[Turn]) -> Updates:
        """The disliked answer as a QA test-set row: a JSONL file to download and the line itself."""
        if not 0 <= turn < len(turns) or turns[turn].feedback_id is None:
            return gr.skip(), gr.skip(), "<p>Aucun avis à exporter.</p>"
        row_id = turns[turn].feedback_id
        assert row_id is not None
        self.store.update(row_id, comment=comment or "", wrong_source=bool(wrong))
        row = self.store.get(row_id)
        assert row is not None
        line = qa_jsonl(row)
        path = self.export_dir / f"retour-{row.id}.jsonl"
        path.write_text(line + "\n", encoding="utf-8")
        message = (
            "<p>Ligne de jeu de test prête : complétez la réponse de référence (reference_answer) et les faits "
            "clés (key_facts), puis ajoutez-la au jeu de test (evals/sets/).</p>"
        )
        return gr.File(value=str(path), visible=True), gr.Code(value=line, visible=True), message

    @staticmethod
    def new_conversation() -> Updates:
        return conversation_html([]), [], PASSAGE_PLACEHOLDER, gr.Button(visible=False), gr.Group(visible=False), -1
