"""The Gradio web app: its layout and the wiring of events to handlers; :func:`build_app`, :func:`launch`,
:func:`serve`.

The app is thin: handlers (:mod:`assistant.web.handlers` for the chat, :mod:`assistant.web.manage` for
documents, corpus and API) ask the assistant and render the typed answer (:mod:`assistant.web.render`).
:func:`launch` refuses to start on a malformed account setting and puts the request limits and the
login throttle (:mod:`assistant.web.limits`), then the JSON API ``/api/ask`` (:mod:`assistant.web.api`) in
front of Gradio, all the ways of asking sharing one budget of answers (:mod:`assistant.web.slots`).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from assistant.agent import Assistant
from assistant.web.api import Accounts, JsonApi
from assistant.web.assets import (
    CONVERSATION_JS,
    CSS,
    EXAMPLES,
    FEEDBACK_JS,
    LIBRARY_JS,
    PAGE_JS,
    PASSAGE_JS,
    READER_JS,
    ROLE_CHOICES,
    STORAGE_KEY,
    STORAGE_NOTE,
)
from assistant.web.auth import AuthConfigError, LoginThrottle, parse_auth
from assistant.web.documents import PASSAGE_PLACEHOLDER, READER_PLACEHOLDER
from assistant.web.evaluation import build_evaluation_tab
from assistant.web.handlers import ChatHandlers
from assistant.web.holder import AssistantHolder
from assistant.web.limits import RequestLimits
from assistant.web.manage import CorpusHandlers, keep_original_names
from assistant.web.render import conversation_html, esc
from assistant.web.slots import CONCURRENCY_ID, AnswerSlots, share_with_gradio
from assistant.web.wording import wording
from ingest.corpus_edit import listed_files
from ingest.settings import Settings

# System fonts: nothing to download, and the same glyphs for every weight. Teal 700/800 where teal is text
# or a background behind white text: 5.5:1 and more on white (teal 500 was 2.5:1, under RGAA's 4.5:1).
THEME = gr.themes.Default(
    primary_hue="teal",
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
).set(
    color_accent="*primary_700",
    color_accent_soft="*primary_50",
    button_primary_background_fill="*primary_700",
    button_primary_background_fill_hover="*primary_800",
    button_primary_text_color="white",
    button_primary_border_color="*primary_700",
    checkbox_background_color_selected="*primary_700",
    checkbox_border_color_selected="*primary_700",
    slider_color="*primary_700",
    loader_color="*primary_700",
    link_text_color="*primary_800",
    link_text_color_visited="*primary_800",
    body_text_color_subdued="*neutral_600",
    block_info_text_color="*neutral_600",
)


class FrenchPage:
    """ASGI middleware: the page Gradio serves says ``<html lang="en">``; say ``lang="fr"`` (RGAA 8.3), so
    that screen readers read it with a French voice."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        body: list[bytes] = []

        async def relay(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if headers.get(b"content-type", b"").startswith(b"text/html") and b"content-encoding" not in headers:
                    start.update(message)
                    return
                await send(message)
            elif start and message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                page = re.sub(rb'<html(\s+)lang="en"', rb'<html\1lang="fr"', b"".join(body), count=1)
                headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
                headers.append((b"content-length", str(len(page)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": page})
            else:
                await send(message)

        await self.app(scope, receive, relay)


class Components:
    """The components of the page, set while the layout is built (handlers read ``inputs``)."""

    inputs: list[gr.Button]

    def __getattr__(self, name: str) -> Any:  # only reached for a component not built yet
        raise AttributeError(f"composant absent : {name}")


class WebApp:
    """Builds the page and wires each event to its handler."""

    def __init__(self, settings: Settings, holder: AssistantHolder) -> None:
        self.settings = settings
        self.ui = Components()
        self.ui.inputs = []
        export_dir = Path(tempfile.mkdtemp(prefix="engagement-retours-"))
        self.chat = ChatHandlers(settings, holder, self.ui, export_dir)
        self.corpus = CorpusHandlers(settings, holder, self.chat.refresh)

    def build(self) -> gr.Blocks:
        ui = self.ui
        with gr.Blocks(title="Assistant — engagement des usagers", analytics_enabled=False) as app:
            ui.turns_state = gr.State([])
            ui.selected = gr.State(None)
            ui.feedback_turn = gr.State(-1)
            ui.conv_id = gr.State("")
            # The conversations stay in this browser (localStorage), never on the server; the "secret" only
            # scrambles them there (it is in the page), fixed so that they survive a restart of the server.
            ui.saved = gr.BrowserState(
                {"conversations": [], "current": ""}, storage_key=STORAGE_KEY, secret=STORAGE_KEY
            )
            gr.HTML(
                "<a class='skip-link' href='#question'>Aller à la question</a>"
                "<h1 class='app-title'>Assistant « Engagement des usagers en soins primaires »</h1>"
                "<p class='app-sub'>Réponses tirées uniquement des documents de référence (guide HAS 2023 et ses "
                "fiches ressources, fiche mission France Assos Santé, URPS Occitanie…), chaque phrase citée.</p>",
                js_on_load=None,
            )
            ui.status_view = gr.HTML(self.corpus.status(), elem_id="status", js_on_load=None)
            with gr.Tabs(elem_id="tabs") as ui.tabs:
                with gr.Tab("Questions", id="chat", elem_id="tab-chat"), gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=320):
                        self._chat_column()
                    with gr.Column(scale=2, min_width=300):
                        self._side_column()
                with gr.Tab("Documents", id="docs", elem_id="tab-docs"), gr.Row(equal_height=False):
                    with gr.Column(scale=1, min_width=260):
                        ui.library_view = gr.HTML(self.corpus.library(), elem_id="library", js_on_load=LIBRARY_JS)
                    with gr.Column(scale=2, min_width=320):
                        ui.reader_view = gr.HTML(READER_PLACEHOLDER, elem_id="reader", js_on_load=READER_JS)
                with gr.Tab("Corpus", id="corpus", elem_id="tab-corpus"):
                    self._corpus_tab()
                with gr.Tab("Évaluation", id="evaluation", elem_id="tab-evaluation"):
                    self.evaluation = build_evaluation_tab(self.settings, self.chat.holder)
            self._events(app)
        app.engagement_web = self  # type: ignore[attr-defined]  # what launch mounts the JSON API on
        return app

    def _chat_column(self) -> None:
        ui = self.ui
        words = wording(self.settings.prompts_dir)
        ui.conversation = gr.HTML(conversation_html([]), elem_id="conversation", js_on_load=CONVERSATION_JS)
        with gr.Row(equal_height=True):
            ui.question = gr.Textbox(
                label=words.ui("question_label"),
                show_label=False,
                placeholder=words.ui("question_placeholder"),
                lines=1,
                max_lines=6,
                scale=5,
                max_length=self.settings.max_question_chars * 4,
                elem_id="question",
            )
            ui.send = gr.Button("Envoyer", variant="primary", scale=1, min_width=90, elem_id="send")
        with gr.Row(equal_height=True):
            ui.role = gr.Radio(ROLE_CHOICES, value="", label="Je suis", elem_id="role", scale=4, min_width=240)
            ui.reset = gr.Button("Nouvelle conversation", scale=1, min_width=150, elem_id="reset")
        ui.doc_filter = gr.Dropdown(
            choices=self.corpus.document_choices(),
            value=[],
            multiselect=True,
            label=words.ui("filter_label"),
            info=words.ui("filter_info"),
            elem_id="doc-filter",
        )
        ui.examples = []
        with gr.Accordion("Exemples de questions", open=True, elem_id="examples"), gr.Row():
            for who, questions in EXAMPLES.items():
                with gr.Column(min_width=200):
                    gr.HTML(f"<p class='ex-who'><strong>{esc(who)}</strong></p>", js_on_load=None)
                    for text in questions:
                        ui.examples.append((gr.Button(text, size="sm", elem_classes=["example"]), text))
        with gr.Accordion(words.ui("saved_accordion"), open=False, elem_id="saved"):
            gr.Markdown(words.ui("saved_note"))
            ui.saved_list = gr.Dropdown(choices=[], value=None, label=words.ui("saved_label"), elem_id="saved-list")
            with gr.Row():
                ui.reopen = gr.Button(words.ui("reopen_button"), size="sm", elem_id="reopen")
                ui.delete = gr.Button(words.ui("delete_button"), size="sm", variant="stop", elem_id="delete")
            ui.export_conv = gr.Button(words.ui("export_button"), size="sm", elem_id="export-conversation")
            ui.export_conv_files = gr.File(
                label=words.ui("export_files"), file_count="multiple", visible=False, elem_id="conversation-files"
            )
            ui.export_conv_message = gr.HTML("", js_on_load=None, elem_id="export-message")

    def _side_column(self) -> None:
        ui = self.ui
        ui.passage = gr.HTML(PASSAGE_PLACEHOLDER, elem_id="passage", js_on_load=PASSAGE_JS)
        ui.read_button = gr.Button("Lire dans le document →", visible=False, size="sm", elem_id="read-in-doc")
        with gr.Group(visible=False, elem_id="feedback") as ui.feedback_box:
            ui.feedback_title = gr.HTML("", js_on_load=None, padding=True)
            ui.wrong_source = gr.Checkbox(
                label="La source citée n'est pas la bonne (mauvaise source)", elem_id="wrong-source"
            )
            ui.comment = gr.Textbox(label="Commentaire (facultatif)", lines=2, elem_id="comment")
            ui.save = gr.Button("Enregistrer", size="sm", elem_id="save-feedback")
            ui.feedback_message = gr.HTML("", js_on_load=None, elem_id="feedback-message", padding=True)
            ui.export_button = gr.Button(
                "Exporter comme ligne de jeu de test (JSONL)", size="sm", visible=False, elem_id="export"
            )
            ui.export_file = gr.File(label="Ligne de jeu de test", visible=False, elem_id="export-file")
            ui.export_code = gr.Code(language="json", label="Ligne JSONL", visible=False, elem_id="export-code")
        with gr.Accordion("Ce qui est enregistré", open=False, elem_id="storage-note"):
            gr.Markdown(STORAGE_NOTE.format(path=self.settings.feedback_db))

    def _corpus_tab(self) -> None:
        ui, can_manage, s = self.ui, self.corpus.can_manage, self.settings
        if can_manage:
            gr.Markdown(
                f"Ajoutez des documents (PDF, .txt ou .md, {s.max_upload_mb} Mo au plus par fichier, "
                f"{s.max_upload_files} fichiers au plus par envoi) : ils sont copiés dans le dossier du corpus et "
                "indexés (seuls les nouveaux passages sont vectorisés), puis l'assistant y répond aussitôt. Un "
                "fichier d'un autre type ou illisible (PDF corrompu, protégé, sans texte…) est refusé avec son "
                "motif." + (" Réservé aux comptes connectés." if self.corpus.auth_on else "")
            )
        else:
            gr.Markdown(
                "**Gestion du corpus désactivée** : l'application est accessible depuis le réseau sans "
                "authentification. Définissez des comptes (ENGAGEMENT_AUTH ou ENGAGEMENT_AUTH_FILE) pour l'activer."
            )
        # No ``file_types``: Gradio would refuse other types itself, in English and twice; the corpus
        # check refuses them once, in French, in the report below.
        ui.files = keep_original_names(
            gr.File(
                label="Documents à téléverser (PDF, .txt, .md)",
                file_count="multiple",
                type="filepath",
                interactive=can_manage,
                elem_id="upload",
            )
        )
        ui.add_button = gr.Button("Ajouter au corpus", variant="primary", interactive=can_manage, elem_id="add")
        with gr.Row():
            ui.to_remove = gr.Dropdown(
                choices=listed_files(s),
                value=None,
                label="Document à retirer",
                interactive=can_manage,
                elem_id="remove-choice",
            )
            ui.confirm = gr.Checkbox(
                label="Je confirme : retirer ce fichier du corpus et de l'index",
                interactive=can_manage,
                elem_id="remove-confirm",
            )
        ui.remove_button = gr.Button("Retirer du corpus", variant="stop", interactive=can_manage, elem_id="remove")
        ui.report = gr.HTML("", elem_id="ingest-report", js_on_load=None)

    def _events(self, app: gr.Blocks) -> None:
        ui, chat, corpus = self.ui, self.chat, self.corpus
        private: dict[str, Any] = {"api_visibility": "private"}
        quiet: dict[str, Any] = {"show_progress": "hidden", **private}  # the conversation shows its own status
        # Every way of asking (the page's and the API's) shares one limit of questions answered at once: an
        # answer is CPU work, and a limit per event would let each button add its own share on 2 cores.
        answering: dict[str, Any] = {"concurrency_id": CONCURRENCY_ID, **quiet}
        ui.inputs[:] = [ui.send, *(button for button, _ in ui.examples)]
        chat_out = [ui.conversation, ui.question, ui.turns_state, *ui.inputs]
        asked = [ui.question, ui.role, ui.turns_state, ui.doc_filter]
        kept = [ui.saved, ui.conv_id, ui.saved_list]
        keep_in = [ui.turns_state, ui.conv_id, ui.saved]
        ui.question.submit(chat.ask_stream, asked, chat_out, **answering).then(chat.keep, keep_in, kept, **quiet)
        ui.send.click(chat.ask_stream, asked, chat_out, **answering).then(chat.keep, keep_in, kept, **quiet)
        for button, text in ui.examples:
            button.click(
                chat.example_handler(text), [ui.role, ui.turns_state, ui.doc_filter], chat_out, **answering
            ).then(chat.keep, keep_in, kept, **quiet)
        # The conversation's script triggers one event per kind of button (see CONVERSATION_JS).
        ui.conversation.click(chat.open_citation, [ui.turns_state], [ui.passage, ui.selected, ui.read_button], **quiet)
        ui.conversation.submit(
            chat.ask_suggestion, [ui.role, ui.turns_state, ui.doc_filter], chat_out, **answering
        ).then(chat.keep, keep_in, kept, **quiet)
        form = [
            ui.feedback_box,
            ui.feedback_title,
            ui.comment,
            ui.wrong_source,
            ui.feedback_message,
            ui.export_button,
            ui.export_file,
            ui.export_code,
        ]
        ui.conversation.like(
            chat.rate, [ui.turns_state], [ui.conversation, ui.turns_state, ui.feedback_turn], **quiet
        ).then(chat.feedback_form, [ui.feedback_turn, ui.turns_state], form, **quiet).then(
            None, None, None, js=FEEDBACK_JS, **quiet
        ).then(chat.keep, keep_in, kept, **quiet)
        opinion = [ui.feedback_turn, ui.comment, ui.wrong_source, ui.turns_state]
        ui.save.click(chat.save_feedback, opinion, ui.feedback_message, **private)
        exported = [ui.export_file, ui.export_code, ui.feedback_message]
        ui.export_button.click(chat.export_feedback, opinion, exported, **private)
        cleared = [
            ui.conversation,
            ui.turns_state,
            ui.passage,
            ui.read_button,
            ui.feedback_box,
            ui.feedback_turn,
            ui.conv_id,
            ui.saved,
            ui.saved_list,
        ]
        ui.reset.click(chat.new_conversation, [ui.saved], cleared, **private)
        reopened = [ui.conversation, ui.turns_state, ui.conv_id, ui.saved, ui.passage]
        ui.reopen.click(chat.reopen, [ui.saved_list, ui.saved], reopened, **private)
        deleted = [ui.saved, ui.saved_list, ui.conversation, ui.turns_state, ui.conv_id]
        ui.delete.click(chat.delete, [ui.saved_list, ui.conv_id, ui.saved], deleted, **private)
        ui.export_conv.click(
            chat.export_conversation, [ui.turns_state], [ui.export_conv_files, ui.export_conv_message], **private
        )
        ui.read_button.click(corpus.open_cited, [ui.selected], [ui.tabs, ui.reader_view], **private)
        ui.library_view.click(corpus.on_library_click, None, ui.reader_view, **private)
        changed = [ui.report, ui.status_view, ui.library_view, ui.to_remove, ui.doc_filter]
        serial: dict[str, Any] = {"concurrency_limit": 1, "concurrency_id": "corpus", **private}
        ui.add_button.click(corpus.upload, [ui.files], [*changed, ui.files], **serial)
        ui.remove_button.click(corpus.remove, [ui.to_remove, ui.confirm], [*changed, ui.confirm], **serial)
        loaded = [ui.status_view, ui.library_view, ui.to_remove, ui.doc_filter]
        app.load(corpus.on_load, None, loaded, **quiet)
        app.load(chat.restore, [ui.saved], [ui.conversation, ui.turns_state, ui.conv_id, ui.saved_list], **quiet)
        gr.api(corpus.api_ask, api_name="ask", concurrency_id=CONCURRENCY_ID)


def build_app(settings: Settings, assistant: AssistantHolder | Assistant) -> gr.Blocks:
    """The Blocks of the web app on ``assistant`` (or a holder whose assistant is reloaded after uploads).

    Raises :class:`~assistant.web.auth.AuthConfigError` on a malformed account setting."""
    holder = assistant if isinstance(assistant, AssistantHolder) else AssistantHolder(settings, assistant)
    return WebApp(settings, holder).build()


def skip_monitoring_summary(app: gr.Blocks) -> None:
    """Gradio's queue summarises its last 10,000 events (a pandas table, percentiles) twice per event for a
    monitoring page that this app keeps closed (``enable_monitoring`` off): ~6 ms of processor per question
    at first, ~25 ms once 10,000 events were served. The summary stays empty."""
    queue = getattr(app, "_queue", None)
    if queue is not None and hasattr(queue, "compute_analytics_summary"):
        queue.compute_analytics_summary = lambda records: queue.cached_event_analytics_summary


def launch(app: gr.Blocks, settings: Settings, **overrides: Any) -> tuple[Any, str, str]:
    """Queue and launch ``app`` with the settings (address, accounts, limits); ``overrides`` go to launch.

    Raises :class:`~assistant.web.auth.AuthConfigError` on a malformed account setting."""
    accounts = parse_auth(settings)
    app.queue(default_concurrency_limit=settings.concurrency_limit, max_size=settings.max_queue)
    slots = AnswerSlots(settings.concurrency_limit, settings.max_queue)
    share_with_gradio(app._queue, slots)  # the page, the Gradio API and /api/ask: one budget of answers
    throttle = LoginThrottle.from_settings(settings) if accounts else None
    middleware = [
        Middleware(FrenchPage),
        Middleware(
            RequestLimits,
            max_body=settings.max_request_kb * 1024,
            max_upload_body=(settings.max_upload_mb * settings.max_upload_files + 1) * 1024 * 1024,
            throttle=throttle,
        ),
    ]
    web: WebApp | None = getattr(app, "engagement_web", None)
    if web is not None:
        middleware.append(
            Middleware(
                JsonApi,
                answer=web.corpus.answer,
                documents=web.corpus.document_ids,
                slots=slots,
                accounts=Accounts(dict(accounts), throttle, lambda: getattr(app, "server_app", None)),
                max_question_chars=settings.max_question_chars,
                threads=settings.concurrency_limit,
            )
        )
    options: dict[str, Any] = {
        "server_name": settings.host,
        "server_port": settings.port,
        "auth": accounts or None,
        "auth_message": "Assistant « Engagement des usagers » : connectez-vous." if accounts else None,
        "max_file_size": f"{settings.max_upload_mb}mb",
        "i18n": gr.I18n(fr=wording(settings.prompts_dir).gradio_fr),
        "app_kwargs": {"middleware": middleware},
        "css": CSS,
        "js": PAGE_JS,
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
    if not options["enable_monitoring"]:
        skip_monitoring_summary(app)
    return app.launch(**options)


def serve(settings: Settings) -> None:
    """Start the web app on ``settings.host:settings.port`` (blocks until interrupted); a malformed
    account setting stops it with its French message."""
    try:
        parse_auth(settings)
    except AuthConfigError as exc:
        print(f"Erreur de configuration des comptes : {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    holder = AssistantHolder(settings)
    _ = holder.assistant  # open (or build) the index before the first visitor
    launch(build_app(settings, holder), settings)
