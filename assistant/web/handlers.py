"""What happens when a user asks, opens a citation, follows a suggestion or rates an answer.

The handlers only ask the :class:`~assistant.agent.Assistant` and render what it returns. The question
runs in a worker thread so that the page can show how far the answer got; each event has its own small
set of outputs (the components live in :class:`~assistant.web.app.Components`).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Generator, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.answer import Answer, Block, BlockKind, Citation
from assistant.web.assets import ROLES
from assistant.web.auth import parse_auth
from assistant.web.documents import PASSAGE_PLACEHOLDER, citation_html
from assistant.web.feedback import FeedbackStore, qa_jsonl, record_exchange
from assistant.web.holder import AssistantHolder
from assistant.web.render import (
    Turn,
    conversation_html,
    conversation_markdown,
    conversation_print_html,
    esc,
)
from assistant.web.wording import Wording, wording
from ingest.sections import without_numbering
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


# --- next questions -------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _mostly_in(text: str, other: str, share: float = 0.6) -> bool:
    """Whether most words of ``text`` are words of ``other``."""
    words, others = _fold(text).split(), set(_fold(other).split())
    return bool(words) and sum(w in others for w in words) >= share * len(words)


def next_questions(answer: Answer, assistant: Any, words: Wording | None = None, limit: int = 3) -> list[str]:
    """Two or three questions to ask next, drawn from what the answer cites, in this order: the guide's
    question table (a question of a row that sends to a cited fiche), the headings of the cited fiches or
    documents not cited yet, the fiches the table lists with a cited one, a cited heading that is itself a
    question, the whole cited fiche."""
    if answer.refused or not answer.citations:
        return []
    words = words or wording()
    fiches = list(dict.fromkeys(c.fiche for c in answer.citations if c.fiche))
    titles = {int(f["number"]): str(f["title"]) for f in getattr(assistant, "fiche_list", ())}
    links = list(getattr(getattr(assistant, "signals", None), "links", ()))
    cited = {(c.doc_id, c.section_number, c.section.rsplit(" > ", 1)[-1]) for c in answer.citations}
    table = [link.question.split("?")[0].strip() + " ?" for link in links if set(link.fiches) & set(fiches)]
    uncited: list[str] = []
    cited_questions: list[str] = []
    for doc_id in dict.fromkeys(c.doc_id for c in answer.citations):
        fiche = next((c.fiche for c in answer.citations if c.doc_id == doc_id), 0)
        seen: set[str] = set()
        for chunk in assistant.reader.chunks:
            if chunk.doc_id != doc_id or chunk.fiche != fiche or chunk.section_path in seen:
                continue
            seen.add(chunk.section_path)
            heading = without_numbering(chunk.section_title or "").strip().rstrip(".:! ")
            if (
                len(heading) < 6
                or "fiche ressource" in heading.lower()
                or _fold(heading) == _fold(titles.get(fiche, ""))
                or _mostly_in(heading, chunk.doc_title)  # the document's own title, its header
            ):
                continue
            is_cited = (doc_id, chunk.section_number, chunk.section_path.rsplit(" > ", 1)[-1]) in cited
            if heading.endswith("?"):
                (cited_questions if is_cited else uncited).append(heading)
            elif not is_cited:
                template = "followup_heading" if fiche else "followup_doc_heading"
                uncited.append(words.ui(template).format(number=fiche, heading=heading))
    related = [
        number for link in links if set(link.fiches) & set(fiches) for number in link.fiches if number not in fiches
    ]
    whole = [
        words.ui("followup_fiche").format(number=n, title=titles[n])
        for n in [*dict.fromkeys(related), *fiches]
        if n in titles
    ]
    asked = {_fold(answer.question), _fold(answer.standalone_question)}
    picked: list[str] = []
    for question in [*table[:1], *uncited[:2], *whole[:1], *cited_questions, *table[1:], *whole[1:]]:
        if len(question) > 10 and _fold(question) not in asked and question not in picked:
            picked.append(question)
    return picked[:limit]


# --- conversations kept in the browser ------------------------------------------------------------------
def stored_turns(turns: Sequence[Turn]) -> list[dict[str, Any]]:
    """The finished turns as the browser keeps them: :meth:`Turn.to_dict`, the answer's ranked passages
    (``contexts``, never shown) left out to keep the browser's storage small."""
    out = []
    for turn in turns:
        if turn.answer is None:
            continue
        data = turn.to_dict()
        data["answer"] = {k: v for k, v in data["answer"].items() if k != "contexts"}
        out.append(data)
    return out


def read_turns(data: Any) -> list[Turn]:
    """Turns read back from the browser; a malformed entry is left out (the browser's data is not trusted),
    and so is the number of a stored opinion: a page could otherwise change someone else's. Rating a
    reopened answer stores a new opinion."""
    turns = []
    for item in data if isinstance(data, list) else []:
        try:
            turn = Turn.from_dict(item)
            if turn.answer is not None:
                turn.feedback_id = None
                turns.append(turn)
        except (KeyError, TypeError, ValueError, AttributeError):
            log.warning("tour de conversation illisible ignoré")
    return turns


def saved_list(saved: Any) -> list[dict[str, Any]]:
    """The conversations of the browser's store, newest first (malformed ones left out)."""
    items = saved.get("conversations", []) if isinstance(saved, dict) else []
    good = [
        c for c in items if isinstance(c, dict) and isinstance(c.get("id"), str) and isinstance(c.get("turns"), list)
    ]
    return sorted(good, key=lambda c: str(c.get("updated", "")), reverse=True)


def saved_choices(saved: Any) -> list[tuple[str, str]]:
    """(label, id) of each kept conversation: its first question, its date and its number of questions."""
    words = wording()
    out = []
    for c in saved_list(saved):
        title = str(c.get("title") or words.ui("saved_untitled"))
        title = title if len(title) <= 70 else title[:69] + "…"
        when = str(c.get("updated", ""))[:16].replace("T", " ")
        out.append((f"{title} ({len(c['turns'])} q., {when})", c["id"]))
    return out


def keep_conversation(saved: Any, conv_id: str, turns: Sequence[Turn], budget: int, most: int = 30) -> dict[str, Any]:
    """The browser's store with this conversation saved (newest first), the oldest dropped beyond ``most``
    conversations or ``budget`` bytes of JSON, then the oldest questions of this one if it is still too long."""
    conversations = [c for c in saved_list(saved) if c["id"] != conv_id]
    kept = stored_turns(turns)
    if kept:
        conversations.insert(
            0,
            {
                "id": conv_id,
                "title": kept[0]["question"][:200],
                "updated": datetime.now().isoformat(timespec="seconds"),
                "turns": kept,
            },
        )
    conversations = conversations[:most]

    def size() -> int:
        return len(json.dumps(conversations, ensure_ascii=False).encode())

    while len(conversations) > 1 and size() > budget:
        conversations.pop()
    # a conversation too long by itself keeps its newest questions: past the budget, every event that
    # sends the store would be refused (request size limit)
    while conversations and len(conversations[0]["turns"]) > 1 and size() > budget:
        conversations[0]["turns"].pop(0)
    return {"conversations": conversations, "current": conv_id if kept else ""}


class ChatHandlers:
    """Asking, citations, suggestions and opinions on answers."""

    def __init__(self, settings: Settings, holder: AssistantHolder, ui: Components, export_dir: Path) -> None:
        self.settings = settings
        self.holder = holder
        self.ui = ui
        self.store = FeedbackStore(settings.feedback_db)
        self.export_dir = export_dir
        # With accounts, the browser may be shared (a structure's front-desk computer): nothing is kept in
        # it, so that one account never sees another's conversations there.
        self.keeps_conversations = not parse_auth(settings)

    def refresh(self) -> None:
        """Pick up an index rebuilt by another process (``python -m ingest``) before using it."""
        try:
            self.holder.refresh_if_stale()
        except Exception:  # keep serving the build already open
            log.exception("rechargement de l'index impossible")

    # --- asking ---------------------------------------------------------------------------------------
    def ask_stream(
        self, question: str, role: str, turns: list[Turn], documents: Sequence[str] | None = None
    ) -> Iterator[Updates]:
        """Ask (in the chosen ``documents`` only, when some are chosen), then show the verified answer as soon
        as it is ready; yields (conversation, question box, turns, send and example buttons). The inputs are
        disabled until the answer is complete, so that a second question from the same page cannot overwrite
        the first one's turn."""
        first = True
        for update, final in self._ask_steps(question, role, turns, documents):  # each shown as it comes
            yield self._with_inputs(update, True if final else False if first else None)
            first = False

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

    def _ask_steps(
        self, question: str, role: str, turns: list[Turn], documents: Sequence[str] | None = None
    ) -> Iterator[tuple[Updates, bool]]:
        """(conversation, question box, turns), and whether it is the last update: a status while the answer
        is searched and checked, then the whole answer as soon as it is ready (nothing is replayed or
        delayed)."""
        self.refresh()
        text = (question or "").strip()
        if not text:
            yield (gr.skip(), gr.skip(), gr.skip()), True
            return
        role = role if role in ROLES else ""
        history = [t.question for t in turns if t.answer is not None]
        turns = [*turns, Turn(question=text, role=role or None, history=history)]
        yield (conversation_html(turns, status="Recherche dans les documents…"), "", gr.skip()), False
        answer = yield from self._answer_while_waiting(text, history, role, turns, self.filters(documents))
        turns[-1].answer = answer
        try:
            turns[-1].followups = next_questions(answer, self.holder.assistant)
        except Exception:  # the answer is shown without next questions
            log.exception("questions suivantes impossibles")
        yield (conversation_html(turns), gr.skip(), turns), True

    def filters(self, documents: Sequence[str] | None) -> dict[str, Any] | None:
        """The search restricted to the chosen documents (``None``: all of them)."""
        known = self.holder.assistant.reader.documents
        chosen = [d for d in dict.fromkeys(documents or ()) if d in known]
        if not chosen or len(chosen) == len(known):
            return None
        return {"doc_id": chosen[0] if len(chosen) == 1 else chosen}

    def _answer_while_waiting(
        self, text: str, history: list[str], role: str, turns: list[Turn], filters: dict[str, Any] | None = None
    ) -> Generator[tuple[Updates, bool], None, Answer]:
        """Run ``ask`` in a thread; while an LLM drafts, show how far it got (its draft is not shown). The
        answer is shown as soon as it is ready: the thread records the exchange (a SQLite write, 15–55 ms
        under load) after that."""
        result: dict[str, Any] = {}
        drafted = [0]
        assistant = self.holder.assistant
        ready = threading.Event()

        def on_token(token: str) -> None:
            drafted[0] += len(token)

        def work() -> None:
            try:
                result["answer"] = assistant.ask(
                    text, history=history, role=role or None, filters=filters, on_token=on_token
                )
            except Exception as exc:  # shown in the conversation, logged in full
                log.exception("question en échec : %r", text)
                result["error"] = exc
            finally:
                ready.set()
            if "answer" in result:
                record_exchange(self.settings.feedback_db, result["answer"], role)

        threading.Thread(target=work, daemon=True).start()
        shown = 0
        while not ready.is_set():
            ready.wait(0.15)
            if drafted[0] != shown:
                shown = drafted[0]
                status = f"Rédaction de la réponse ({shown} caractères), puis vérification des citations…"
                yield (conversation_html(turns, status=status), gr.skip(), gr.skip()), False
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

        def handler(role: str, turns: list[Turn], documents: list[str] | None = None) -> Iterator[Updates]:
            yield from self.ask_stream(text, role, turns, documents)

        return handler

    def ask_suggestion(
        self, evt: gr.EventData, role: str, turns: list[Turn], documents: list[str] | None = None
    ) -> Iterator[Updates]:
        """A suggested fiche was clicked: ask what it says; a next question was clicked: ask it."""
        data = event_data(evt)
        if data.get("action") == "followup":
            turn, k = to_int(data.get("turn", "")), to_int(data.get("k", ""))
            if 0 <= turn < len(turns) and 0 <= k < len(turns[turn].followups):
                yield from self.ask_stream(turns[turn].followups[k], role, turns, documents)
            return
        number = to_int(data.get("number", ""))
        fiches = self.holder.assistant.fiche_list
        title = next((f["title"] for f in fiches if int(f["number"]) == number), "")
        if title:
            yield from self.ask_stream(f"Que dit la fiche ressource n° {number} « {title} » ?", role, turns, documents)

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

    def new_conversation(self, saved: Any) -> Updates:
        """An empty conversation (the previous one stays in the browser's list)."""
        store = {"conversations": saved_list(saved), "current": ""}
        return (
            conversation_html([]),
            [],
            PASSAGE_PLACEHOLDER,
            gr.Button(visible=False),
            gr.Group(visible=False),
            -1,
            "",
            store,
            gr.Dropdown(choices=saved_choices(store), value=None),
        )

    # --- conversations kept in the browser ------------------------------------------------------------
    def keep(self, turns: list[Turn], conv_id: str, saved: Any) -> Updates:
        """Save the conversation in the browser's store: (store, conversation id, list of conversations)."""
        if not self.keeps_conversations or not any(t.answer is not None for t in turns):
            return gr.skip(), gr.skip(), gr.skip()
        conv_id = conv_id or uuid.uuid4().hex[:12]
        store = keep_conversation(saved, conv_id, turns, budget=self.settings.max_request_kb * 1024 // 2)
        return store, conv_id, gr.Dropdown(choices=saved_choices(store), value=None)

    def restore(self, saved: Any) -> Updates:
        """On page load: the conversation that was open (from the browser's store) and the list of kept ones.
        Returns (conversation, turns, conversation id, list)."""
        if not self.keeps_conversations:
            return gr.skip(), gr.skip(), gr.skip(), gr.Dropdown(choices=[], value=None)
        listed = gr.Dropdown(choices=saved_choices(saved), value=None)
        current = str(saved.get("current", "")) if isinstance(saved, dict) else ""
        found = next((c for c in saved_list(saved) if current and c["id"] == current), None)
        turns = read_turns(found["turns"]) if found else []
        if not turns:
            return gr.skip(), gr.skip(), gr.skip(), listed
        return conversation_html(turns), turns, current, listed

    def reopen(self, chosen: str | None, saved: Any) -> Updates:
        """Open a kept conversation: (conversation, turns, id, store with it current, passage panel)."""
        found = next((c for c in saved_list(saved) if chosen and c["id"] == chosen), None)
        turns = read_turns(found["turns"]) if found else []
        if not turns:
            return (gr.skip(),) * 5
        store = {"conversations": saved_list(saved), "current": chosen}
        return conversation_html(turns), turns, chosen, store, PASSAGE_PLACEHOLDER

    def delete(self, chosen: str | None, conv_id: str, saved: Any) -> Updates:
        """Delete a kept conversation (and empty the page if it is the open one): (store, list,
        conversation, turns, id)."""
        if not chosen:
            return (gr.skip(),) * 5
        conversations = [c for c in saved_list(saved) if c["id"] != chosen]
        current = "" if chosen == conv_id else conv_id
        store = {"conversations": conversations, "current": current}
        listed = gr.Dropdown(choices=saved_choices(store), value=None)
        if chosen == conv_id:
            return store, listed, conversation_html([]), [], ""
        return store, listed, gr.skip(), gr.skip(), gr.skip()

    def export_conversation(self, turns: list[Turn]) -> Updates:
        """The conversation as Markdown and as printable HTML, with every source: (files, message)."""
        items = [(t.question, t.answer) for t in turns if t.answer is not None]
        if not items:
            return gr.File(value=None, visible=False), f"<p>{esc(wording().ui('export_empty'))}</p>"
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = self.export_dir / uuid.uuid4().hex[:8]
        folder.mkdir(parents=True, exist_ok=True)
        markdown = folder / f"conversation-{stamp}.md"
        printable = folder / f"conversation-{stamp}.html"
        markdown.write_text(conversation_markdown(items), encoding="utf-8")
        printable.write_text(conversation_print_html(items), encoding="utf-8")
        return gr.File(value=[str(markdown), str(printable)], visible=True), ""
