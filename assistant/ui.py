"""The Gradio web app: chat with verifiable sources, the fiche and document browser, corpus management.

The app is thin: it asks the :class:`~assistant.agent.Assistant` and renders the :class:`Answer` it
returns (HTML built in :mod:`assistant.ui_render`, everything escaped). :func:`build_app` makes the
Blocks, :func:`launch` starts them with the settings (queue, accounts, upload size), :func:`serve` does
both for ``python -m assistant serve``. The named API endpoint ``ask`` returns the answer as JSON.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.agent import Assistant
from assistant.answer import Answer, Citation
from assistant.feedback import FeedbackStore, qa_jsonl
from assistant.ui_assets import (
    CONVERSATION_JS,
    CSS,
    EXAMPLES,
    LIBRARY_JS,
    LOOPBACK_HOSTS,
    PASSAGE_JS,
    READER_JS,
    ROLE_CHOICES,
    ROLES,
    STORAGE_NOTE,
    STREAM_DELAY,
    STREAM_STEPS,
)
from assistant.ui_corpus import CorpusChange, add_files, listed_files, remove_file
from assistant.ui_render import (
    PASSAGE_PLACEHOLDER,
    READER_PLACEHOLDER,
    Turn,
    citation_html,
    conversation_html,
    document_html,
    esc,
    fiche_heading_start,
    ingest_report_html,
    library_html,
    reveal_steps,
    split_sources,
    status_html,
)
from ingest.index import current_build
from ingest.settings import Settings

log = logging.getLogger(__name__)
# System fonts: nothing to download, and the same glyphs for every weight.
THEME = gr.themes.Default(
    primary_hue="teal",
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
)
Updates = tuple[Any, ...]


def parse_auth(settings: Settings) -> list[tuple[str, str]]:
    """Accounts from ``settings.auth`` ("user:pass,user2:pass2") and ``settings.auth_file`` (one per line)."""
    entries = settings.auth.split(",")
    if settings.auth_file:
        text = Path(settings.auth_file).read_text(encoding="utf-8")
        entries += [line for line in text.splitlines() if not line.strip().startswith("#")]
    accounts = []
    for entry in entries:
        user, sep, password = entry.strip().partition(":")
        if sep and user.strip() and password:
            accounts.append((user.strip(), password))
    return accounts


def management_enabled(settings: Settings) -> bool:
    """Corpus management is offered when accounts are required, or when only this machine can connect."""
    return bool(parse_auth(settings)) or settings.host in LOOPBACK_HOSTS


class AssistantHolder:
    """The live assistant; replaced after the corpus changes (questions under way finish on the old one)."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self._assistant = assistant
        self._lock = threading.Lock()
        self._reload_lock = threading.Lock()

    @property
    def assistant(self) -> Assistant:
        if self._assistant is None:
            with self._lock:
                if self._assistant is None:
                    self._assistant = Assistant.from_settings(self.settings)
        return self._assistant

    def reload(self) -> Assistant:
        """Open the current index again (after an ingestion)."""
        fresh = Assistant.from_settings(self.settings, build_if_missing=False)
        with self._lock:
            self._assistant = fresh
        return fresh

    def refresh_if_stale(self) -> None:
        """Reload when another process (``python -m ingest``) made a newer build live (once, however
        many requests notice it at the same time)."""
        if not self._stale():
            return
        with self._reload_lock:
            if self._stale():
                self.reload()

    def _stale(self) -> bool:
        live = current_build(self.settings)
        return live is not None and live.resolve() != self.assistant.reader.build_dir.resolve()


def status_line(holder: AssistantHolder) -> str:
    """The backend and the health of the index, as HTML."""
    assistant = holder.assistant
    reader = assistant.reader
    live = current_build(holder.settings)
    if live is None:
        health, ok = "index introuvable sur le disque", False
    elif live.resolve() != reader.build_dir.resolve():
        health, ok = "une version plus récente de l'index existe : rechargez la page", False
    else:
        health, ok = f"à jour (version {reader.manifest.build_id[:8]})", True
    return status_html(
        assistant.generator.name,
        assistant.generator is assistant.extractive,
        len(reader.manifest.documents),
        len(reader.chunks),
        len(assistant.fiche_list),
        health,
        ok,
    )


def answer_json(answer: Answer) -> dict[str, Any]:
    """What the API returns: the answer text, whether it was declined, its citations and the backend."""
    data = answer.to_dict()
    return {
        "text": answer.text,
        "refused": answer.refused,
        "citations": data["citations"],
        "backend": answer.backend,
        "suggestions": data["suggestions"],
    }


def _event_data(evt: gr.EventData) -> dict[str, str]:
    data = getattr(evt, "_data", None)
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _int(value: str, default: int = -1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class WebApp:
    """The handlers of the app and its layout; :meth:`build` returns the Blocks."""

    def __init__(self, settings: Settings, holder: AssistantHolder) -> None:
        self.settings = settings
        self.holder = holder
        self.store = FeedbackStore(settings.feedback_db)
        self.export_dir = Path(tempfile.mkdtemp(prefix="engagement-retours-"))
        self.auth_on = bool(parse_auth(settings))
        self.can_manage = management_enabled(settings)
        self.ingest_lock = threading.Lock()

    @property
    def assistant(self) -> Assistant:
        return self.holder.assistant

    # --- chat -------------------------------------------------------------------------------------------
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
        if enabled is None:
            return conversation, question, turns, *(gr.skip() for _ in self.inputs)
        if isinstance(question, str):
            question = gr.update(value=question, interactive=enabled)
        else:
            question = gr.update(interactive=enabled)
        return conversation, question, turns, *(gr.update(interactive=enabled) for _ in self.inputs)

    def _ask_steps(self, question: str, role: str, turns: list[Turn]) -> Iterator[Updates]:
        """(conversation, question box, turns) while the answer is searched, checked and revealed."""
        self._refresh()
        text = (question or "").strip()
        if not text:
            yield gr.skip(), gr.skip(), gr.skip()
            return
        role = role if role in ROLES else ""
        history = [t.question for t in turns if t.answer is not None]
        turns = [*turns, Turn(question=text, role=role or None, history=history)]
        yield conversation_html(turns, status="Recherche dans les documents…"), "", gr.skip()
        answer = yield from self._answer_while_waiting(text, history, role, turns)
        for prefix in reveal_steps(split_sources(answer.text), STREAM_STEPS)[:-1]:
            yield conversation_html(turns, partial=prefix), gr.skip(), gr.skip()
            time.sleep(STREAM_DELAY)
        turns[-1].answer = answer
        yield conversation_html(turns), gr.skip(), turns

    def _answer_while_waiting(
        self, text: str, history: list[str], role: str, turns: list[Turn]
    ) -> Generator[Updates, None, Answer]:
        """Run ``ask`` in a thread; while an LLM drafts, show how far it got (its draft is not shown)."""
        result: dict[str, Any] = {}
        drafted = [0]
        assistant = self.assistant

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
        return Answer(
            question=text,
            text=f"Désolé, une erreur est survenue ({type(result.get('error')).__name__}). Réessayez ou reformulez.",
            refused=True,
            backend=assistant.generator.name,
        )

    def example_handler(self, text: str) -> Callable[[str, list[Turn]], Iterator[Updates]]:
        """The handler of an example button: ask its question."""

        def handler(role: str, turns: list[Turn]) -> Iterator[Updates]:
            yield from self.ask_stream(text, role, turns)

        return handler

    def ask_pending(self, pending: str, role: str, turns: list[Turn]) -> Iterator[Updates]:
        """Ask the question chosen by a click (a suggested fiche), if any."""
        yield from self.ask_stream(pending, role, turns)

    @staticmethod
    def citation_of(turns: list[Turn], turn: int, n: int) -> Citation | None:
        if not 0 <= turn < len(turns) or turns[turn].answer is None:
            return None
        answer = turns[turn].answer
        return next((c for c in answer.citations if c.n == n), None) if answer else None

    def on_conversation_click(self, evt: gr.EventData, turns: list[Turn]) -> dict[Any, Any]:
        """A marker (open the passage), a suggested fiche (ask about it), or a like/dislike (store it)."""
        data = _event_data(evt)
        action, turn = data.get("action", ""), _int(data.get("turn", ""))
        updates: dict[Any, Any] = {self.pending: ""}
        if action == "cite":
            citation = self.citation_of(turns, turn, _int(data.get("n", "")))
            if citation is not None:
                doc = self.assistant.reader.documents.get(citation.doc_id)
                updates[self.passage] = citation_html(citation, doc)
                updates[self.selected] = {
                    "doc_id": citation.doc_id,
                    "start": citation.char_start,
                    "end": citation.char_end,
                }
                updates[self.read_button] = gr.Button(visible=doc is not None)
        elif action == "suggest":
            number = _int(data.get("number", ""))
            title = next((f["title"] for f in self.assistant.fiche_list if int(f["number"]) == number), "")
            if title:
                updates[self.pending] = f"Que dit la fiche ressource n° {number} « {title} » ?"
        elif action in ("like", "dislike") and 0 <= turn < len(turns) and turns[turn].answer is not None:
            updates.update(self._rate(turns, turn, action))
        return updates

    def _rate(self, turns: list[Turn], turn: int, rating: str) -> dict[Any, Any]:
        item = turns[turn]
        assert item.answer is not None
        if item.feedback_id is None:
            item.feedback_id = self.store.add(rating, item.answer, self.settings, item.history, item.role)
        else:
            self.store.update(item.feedback_id, rating=rating)
        item.rating = rating
        word = "utile" if rating == "like" else "pas utile"
        return {
            self.conversation: conversation_html(turns),
            self.turns_state: turns,
            self.feedback_turn: turn,
            self.feedback_box: gr.Group(visible=True),
            self.feedback_title: (
                f'<p class="fb-title">Merci ! Avis « {word} » enregistré pour la réponse à : '
                f"« {esc(item.question)} ». Sont conservés sur ce serveur : la question, la réponse, ses "
                "sources et votre avis (voir « Ce qui est enregistré »). Vous pouvez préciser ci-dessous.</p>"
            ),
            self.comment: "",
            self.wrong_source: False,
            self.feedback_message: "",
            self.export_button: gr.Button(visible=rating == "dislike"),
            self.export_file: gr.File(value=None, visible=False),
            self.export_code: gr.Code(value="", visible=False),
        }

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

    # --- documents --------------------------------------------------------------------------------------
    def library(self) -> str:
        return library_html(self.assistant.reader.manifest.documents, self.assistant.fiche_list)

    def open_cited(self, target: dict[str, Any] | None) -> Updates:
        """Switch to the documents tab, with the cited passage marked and in view."""
        if not target:
            return gr.skip(), gr.skip()
        doc = self.assistant.reader.documents.get(str(target.get("doc_id", "")))
        if doc is None:
            return gr.skip(), "<p>Ce document n'est plus dans le corpus.</p>"
        span = (int(target.get("start", 0)), int(target.get("end", 0)))
        return gr.Tabs(selected="docs"), document_html(doc, target=span if span[1] > span[0] else None)

    def on_library_click(self, evt: gr.EventData) -> str:
        """Open a document (at its fiche's heading when a fiche was chosen)."""
        data = _event_data(evt)
        doc = self.assistant.reader.documents.get(data.get("doc", ""))
        if doc is None:
            return READER_PLACEHOLDER
        number = _int(data.get("number", ""))
        return document_html(doc, anchor=fiche_heading_start(doc, number) if number > 0 else None)

    # --- corpus management ------------------------------------------------------------------------------
    def check_access(self, request: gr.Request | None) -> None:
        if not self.can_manage:
            raise gr.Error("Gestion du corpus désactivée : définissez des comptes (ENGAGEMENT_AUTH).")
        if self.auth_on and not (request is not None and getattr(request, "username", None)):
            raise gr.Error("Connexion requise pour modifier le corpus.")

    def after_change(self) -> Updates:
        return self.status(), self.library(), gr.Dropdown(choices=listed_files(self.settings), value=None)

    def status(self) -> str:
        return status_line(self.holder)

    @staticmethod
    def refused(message: str) -> Updates:
        return ingest_report_html([], message, False), gr.skip(), gr.skip(), gr.skip(), gr.skip()

    def upload(
        self,
        files: list[str] | None,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio injects the progress tracker)
    ) -> Updates:
        """Copy the uploaded files into the corpus, ingest them, reload the assistant."""
        self.check_access(request)
        if not files:
            return self.refused("Choisissez d'abord un ou plusieurs fichiers.")
        progress(0, desc="Vérification des fichiers")
        uploads = [(Path(f), Path(f).name) for f in files]
        return self._change_corpus(
            lambda: add_files(self.settings, uploads, _progress(progress)), "le corpus est inchangé.", progress, None
        )

    def remove(
        self,
        name: str | None,
        confirmed: bool,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio injects the progress tracker)
    ) -> Updates:
        """Delete a corpus file, ingest again, reload the assistant."""
        self.check_access(request)
        if not name:
            return self.refused("Choisissez le document à retirer.")
        if not confirmed:
            return self.refused("Cochez la case de confirmation pour retirer le document.")
        return self._change_corpus(
            lambda: remove_file(self.settings, name, _progress(progress)), "le document est conservé.", progress, False
        )

    def _change_corpus(
        self, apply: Callable[[], CorpusChange], kept: str, progress: gr.Progress, reset: Any
    ) -> Updates:
        """Run one corpus change under the ingestion lock and reload the assistant if the index changed.

        Returns the report, the refreshed status and lists, and ``reset`` for the form. An error of the
        index itself (the corpus was put back) is reported with ``kept``, the form left as it was."""
        with self.ingest_lock:
            try:
                change = apply()
            except Exception as exc:
                log.exception("modification du corpus en échec")
                return self.refused(f"Échec de l'indexation ({type(exc).__name__}) : {kept}")
            if change.changed:
                progress(1, desc="Rechargement de l'assistant")
                self.holder.reload()
        return ingest_report_html(change.rows, change.summary, change.ok), *self.after_change(), reset

    def on_load(self) -> Updates:
        """Each page load: pick up an index rebuilt by another process, refresh status and lists."""
        self._refresh()
        return self.after_change()

    def _refresh(self) -> None:
        """Pick up an index rebuilt by another process (``python -m ingest``) before using it."""
        try:
            self.holder.refresh_if_stale()
        except Exception:  # keep serving the build already open
            log.exception("rechargement de l'index impossible")

    # --- API --------------------------------------------------------------------------------------------
    def api_ask(self, question: str, role: str = "", history: list[str] | None = None) -> dict[str, Any]:
        """Answer a question from the documents, with numbered citations.

        Args:
            question: the question, in French.
            role: "professionnel", "representant" or "" (not given).
            history: the previous questions of the conversation, oldest first.
        Returns:
            {text, refused, citations, backend, suggestions}
        """
        if not isinstance(question, str) or not question.strip():
            raise gr.Error("question vide")
        if role and role not in ROLES:
            raise gr.Error(f"rôle inconnu : {role!r} (professionnel, representant ou vide)")
        past = [str(q)[: self.settings.max_question_chars] for q in (history or []) if str(q).strip()][-20:]
        self._refresh()
        return answer_json(self.assistant.ask(question, history=past, role=role or None))

    # --- layout -----------------------------------------------------------------------------------------
    def build(self) -> gr.Blocks:
        with gr.Blocks(title="Assistant — engagement des usagers", analytics_enabled=False) as app:
            self.turns_state = gr.State([])
            self.pending = gr.State("")
            self.selected = gr.State(None)
            self.feedback_turn = gr.State(-1)
            gr.HTML(
                "<h1 class='app-title'>Assistant « Engagement des usagers en soins primaires »</h1>"
                "<p class='app-sub'>Réponses tirées uniquement des documents de référence (guide HAS 2023 et ses "
                "fiches ressources, fiche mission France Assos Santé, URPS Occitanie…), chaque phrase citée.</p>",
                js_on_load=None,
            )
            self.status_view = gr.HTML(self.status(), elem_id="status", js_on_load=None)
            with gr.Tabs(elem_id="tabs") as self.tabs:
                with gr.Tab("Questions", id="chat", elem_id="tab-chat"), gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=320):
                        self._chat_column()
                    with gr.Column(scale=2, min_width=300):
                        self._side_column()
                with gr.Tab("Documents", id="docs", elem_id="tab-docs"), gr.Row(equal_height=False):
                    with gr.Column(scale=1, min_width=260):
                        self.library_view = gr.HTML(self.library(), elem_id="library", js_on_load=LIBRARY_JS)
                    with gr.Column(scale=2, min_width=320):
                        self.reader_view = gr.HTML(READER_PLACEHOLDER, elem_id="reader", js_on_load=READER_JS)
                with gr.Tab("Corpus", id="corpus", elem_id="tab-corpus"):
                    self._corpus_tab()
            self._events(app)
        return app

    def _chat_column(self) -> None:
        self.conversation = gr.HTML(
            conversation_html([]), elem_id="conversation", js_on_load=CONVERSATION_JS, autoscroll=True
        )
        with gr.Row(equal_height=True):
            self.question = gr.Textbox(
                show_label=False,
                placeholder="Posez votre question (Entrée pour envoyer)…",
                lines=1,
                max_lines=6,
                scale=5,
                max_length=self.settings.max_question_chars * 4,
                elem_id="question",
            )
            self.send = gr.Button("Envoyer", variant="primary", scale=1, min_width=90, elem_id="send")
        with gr.Row(equal_height=True):
            self.role = gr.Radio(ROLE_CHOICES, value="", label="Je suis", elem_id="role", scale=4, min_width=240)
            self.reset = gr.Button("Nouvelle conversation", scale=1, min_width=150, elem_id="reset")
        self.examples: list[tuple[gr.Button, str]] = []
        with gr.Accordion("Exemples de questions", open=True, elem_id="examples"), gr.Row():
            for who, questions in EXAMPLES.items():
                with gr.Column(min_width=200):
                    gr.HTML(f"<p class='ex-who'><strong>{esc(who)}</strong></p>", js_on_load=None)
                    for text in questions:
                        self.examples.append((gr.Button(text, size="sm", elem_classes=["example"]), text))

    def _side_column(self) -> None:
        self.passage = gr.HTML(PASSAGE_PLACEHOLDER, elem_id="passage", js_on_load=PASSAGE_JS)
        self.read_button = gr.Button("Lire dans le document →", visible=False, size="sm", elem_id="read-in-doc")
        with gr.Group(visible=False, elem_id="feedback") as self.feedback_box:
            self.feedback_title = gr.HTML("", js_on_load=None, padding=True)
            self.wrong_source = gr.Checkbox(
                label="La source citée n'est pas la bonne (mauvaise source)", elem_id="wrong-source"
            )
            self.comment = gr.Textbox(label="Commentaire (facultatif)", lines=2, elem_id="comment")
            self.save = gr.Button("Enregistrer", size="sm", elem_id="save-feedback")
            self.feedback_message = gr.HTML("", js_on_load=None, elem_id="feedback-message", padding=True)
            self.export_button = gr.Button(
                "Exporter comme ligne de jeu de test (JSONL)", size="sm", visible=False, elem_id="export"
            )
            self.export_file = gr.File(label="Ligne de jeu de test", visible=False, elem_id="export-file")
            self.export_code = gr.Code(language="json", label="Ligne JSONL", visible=False, elem_id="export-code")
        with gr.Accordion("Ce qui est enregistré", open=False, elem_id="storage-note"):
            gr.Markdown(STORAGE_NOTE.format(path=self.settings.feedback_db))

    def _corpus_tab(self) -> None:
        if self.can_manage:
            gr.Markdown(
                f"Ajoutez des documents (PDF, .txt ou .md, {self.settings.max_upload_mb} Mo au plus par fichier) : "
                "ils sont copiés dans le dossier du corpus et indexés (seuls les nouveaux passages sont "
                "vectorisés), puis l'assistant y répond aussitôt. Un fichier illisible (PDF corrompu, protégé, "
                "sans texte…) est refusé avec son motif." + (" Réservé aux comptes connectés." if self.auth_on else "")
            )
        else:
            gr.Markdown(
                "**Gestion du corpus désactivée** : l'application est accessible depuis le réseau sans "
                "authentification. Définissez des comptes (ENGAGEMENT_AUTH ou ENGAGEMENT_AUTH_FILE) pour l'activer."
            )
        self.files = gr.File(
            label="Documents à ajouter",
            file_count="multiple",
            file_types=[".pdf", ".txt", ".md"],
            type="filepath",
            interactive=self.can_manage,
            elem_id="upload",
        )
        self.add_button = gr.Button("Ajouter au corpus", variant="primary", interactive=self.can_manage, elem_id="add")
        with gr.Row():
            self.to_remove = gr.Dropdown(
                choices=listed_files(self.settings),
                value=None,
                label="Document à retirer",
                interactive=self.can_manage,
                elem_id="remove-choice",
            )
            self.confirm = gr.Checkbox(
                label="Je confirme : retirer ce fichier du corpus et de l'index",
                interactive=self.can_manage,
                elem_id="remove-confirm",
            )
        self.remove_button = gr.Button(
            "Retirer du corpus", variant="stop", interactive=self.can_manage, elem_id="remove"
        )
        self.report = gr.HTML("", elem_id="ingest-report", js_on_load=None)

    def _events(self, app: gr.Blocks) -> None:
        private: dict[str, Any] = {"api_visibility": "private"}
        quiet: dict[str, Any] = {"show_progress": "hidden", **private}  # the conversation shows its own status
        self.inputs = [self.send, *(button for button, _ in self.examples)]
        chat = [self.conversation, self.question, self.turns_state, *self.inputs]
        asked = [self.question, self.role, self.turns_state]
        self.question.submit(self.ask_stream, asked, chat, **quiet)
        self.send.click(self.ask_stream, asked, chat, **quiet)
        for button, text in self.examples:
            button.click(self.example_handler(text), [self.role, self.turns_state], chat, **quiet)
        clicked = [
            self.pending,
            self.passage,
            self.selected,
            self.read_button,
            self.conversation,
            self.turns_state,
            self.feedback_turn,
            self.feedback_box,
            self.feedback_title,
            self.comment,
            self.wrong_source,
            self.feedback_message,
            self.export_button,
            self.export_file,
            self.export_code,
        ]
        self.conversation.click(self.on_conversation_click, [self.turns_state], clicked, **quiet).then(
            self.ask_pending, [self.pending, self.role, self.turns_state], chat, **quiet
        )
        opinion = [self.feedback_turn, self.comment, self.wrong_source, self.turns_state]
        self.save.click(self.save_feedback, opinion, self.feedback_message, **private)
        exported = [self.export_file, self.export_code, self.feedback_message]
        self.export_button.click(self.export_feedback, opinion, exported, **private)
        cleared = [
            self.conversation,
            self.turns_state,
            self.passage,
            self.read_button,
            self.feedback_box,
            self.feedback_turn,
        ]
        self.reset.click(self.new_conversation, None, cleared, **private)
        self.read_button.click(self.open_cited, [self.selected], [self.tabs, self.reader_view], **private)
        self.library_view.click(self.on_library_click, None, self.reader_view, **private)
        changed = [self.report, self.status_view, self.library_view, self.to_remove]
        serial: dict[str, Any] = {"concurrency_limit": 1, "concurrency_id": "corpus", **private}
        self.add_button.click(self.upload, [self.files], [*changed, self.files], **serial)
        self.remove_button.click(self.remove, [self.to_remove, self.confirm], [*changed, self.confirm], **serial)
        app.load(self.on_load, None, [self.status_view, self.library_view, self.to_remove], **private)
        gr.api(self.api_ask, api_name="ask")


def _progress(progress: gr.Progress) -> Callable[[str, int, int], None]:
    """The ingestion's (stage, done, total) reports shown on Gradio's progress bar."""

    def report(stage: str, done: int, total: int) -> None:
        progress((done, max(total, 1)), desc=f"Indexation : {stage}", unit="étapes")

    return report


def build_app(settings: Settings, assistant: AssistantHolder | Assistant) -> gr.Blocks:
    """The Blocks of the web app on ``assistant`` (or a holder whose assistant is reloaded after uploads)."""
    holder = assistant if isinstance(assistant, AssistantHolder) else AssistantHolder(settings, assistant)
    return WebApp(settings, holder).build()


def launch(app: gr.Blocks, settings: Settings, **overrides: Any) -> tuple[Any, str, str]:
    """Queue and launch ``app`` with the settings (address, accounts, limits); ``overrides`` go to launch."""
    app.queue(default_concurrency_limit=settings.concurrency_limit, max_size=settings.max_queue)
    accounts = parse_auth(settings)
    options: dict[str, Any] = {
        "server_name": settings.host,
        "server_port": settings.port,
        "auth": accounts or None,
        "auth_message": "Assistant « Engagement des usagers » : connectez-vous." if accounts else None,
        "max_file_size": f"{settings.max_upload_mb}mb",
        "css": CSS,
        "theme": THEME,
        "footer_links": ["api"],
        "run_history": False,
        "enable_monitoring": False,
        "ssr_mode": False,
        "mcp_server": False,
        "pwa": False,
        "show_error": True,
    }
    options.update(overrides)
    return app.launch(**options)


def serve(settings: Settings) -> None:
    """Start the web app on ``settings.host:settings.port`` (blocks until interrupted)."""
    holder = AssistantHolder(settings)
    _ = holder.assistant  # open (or build) the index before the first visitor
    launch(build_app(settings, holder), settings)
