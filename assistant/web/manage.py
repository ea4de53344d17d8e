"""The documents tab, corpus management (upload, removal) and the answers of the APIs (Gradio's named
endpoint ``ask``, :mod:`assistant.web.api`'s ``/api/ask``).

Corpus editing itself is :mod:`ingest.corpus_edit` (no Gradio there); this module checks who may do
it, runs one change at a time, reloads the assistant and renders the report.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import gradio as gr
from gradio.data_classes import FileData, ListFiles

from assistant.web.api import ApiError, AskRequest, answer_json, checked_history, checked_role
from assistant.web.auth import management_enabled, parse_auth
from assistant.web.documents import (
    READER_PLACEHOLDER,
    document_html,
    fiche_heading_start,
    ingest_report_html,
    library_html,
)
from assistant.web.feedback import record_exchange
from assistant.web.holder import AssistantHolder, status_line
from ingest.corpus_edit import CorpusChange, add_files, listed_files, remove_file
from ingest.settings import Settings

log = logging.getLogger(__name__)
Updates = tuple[Any, ...]


def keep_original_names(component: gr.File) -> gr.File:
    """Make a multiple ``gr.File`` give (path, name chosen by the user) pairs, so that the corpus can tell
    when it changed a name (``../../evil.txt`` saved as ``evil.txt``). Set on the instance: a subclass of
    a Gradio component makes Gradio write a ``.pyi`` stub next to this module at import."""
    single = component._process_single_file

    def preprocess(payload: ListFiles | FileData | None) -> list[tuple[str, str]] | None:
        if payload is None:
            return None
        files = list(payload.root) if isinstance(payload, ListFiles) else [payload]
        return [(str(single(f)), f.orig_name or Path(f.path).name) for f in files]

    component.preprocess = preprocess  # type: ignore[method-assign]
    return component


def _progress(progress: gr.Progress) -> Callable[[str, int, int], None]:
    """The ingestion's (stage, done, total) reports shown on Gradio's progress bar."""

    def report(stage: str, done: int, total: int) -> None:
        progress((done, max(total, 1)), desc=f"Indexation : {stage}", unit="étapes")

    return report


class CorpusHandlers:
    """Reading documents, changing the corpus, and the API."""

    def __init__(self, settings: Settings, holder: AssistantHolder, refresh: Callable[[], None]) -> None:
        self.settings = settings
        self.holder = holder
        self.refresh = refresh
        self.auth_on = bool(parse_auth(settings))
        self.can_manage = management_enabled(settings)
        self.ingest_lock = threading.Lock()
        # the APIs' questions are counted and kept as the page's are, one write at a time, after the answer
        self._recorder = ThreadPoolExecutor(1, thread_name_prefix="api-record")

    # --- documents ------------------------------------------------------------------------------------
    def library(self) -> str:
        assistant = self.holder.assistant
        return library_html(assistant.reader.manifest.documents, assistant.fiche_list)

    def open_cited(self, target: dict[str, Any] | None) -> Updates:
        """Switch to the documents tab, with the cited passage marked and in view."""
        if not target:
            return gr.skip(), gr.skip()
        doc = self.holder.assistant.reader.documents.get(str(target.get("doc_id", "")))
        if doc is None:
            return gr.skip(), "<p>Ce document n'est plus dans le corpus.</p>"
        span = (int(target.get("start", 0)), int(target.get("end", 0)))
        return gr.Tabs(selected="docs"), document_html(doc, target=span if span[1] > span[0] else None)

    def on_library_click(self, evt: gr.EventData) -> str:
        """Open a document (at its fiche's heading when a fiche was chosen)."""
        data = getattr(evt, "_data", None) or {}
        doc = self.holder.assistant.reader.documents.get(str(data.get("doc", "")))
        if doc is None:
            return READER_PLACEHOLDER
        try:
            number = int(data.get("number", ""))
        except (TypeError, ValueError):
            number = -1
        return document_html(doc, anchor=fiche_heading_start(doc, number) if number > 0 else None)

    # --- corpus management ----------------------------------------------------------------------------
    def check_access(self, request: gr.Request | None) -> None:
        if not self.can_manage:
            raise gr.Error("Gestion du corpus désactivée : définissez des comptes (ENGAGEMENT_AUTH).")
        if self.auth_on and not (request is not None and getattr(request, "username", None)):
            raise gr.Error("Connexion requise pour modifier le corpus.")

    def status(self) -> str:
        return status_line(self.holder)

    def document_choices(self) -> list[tuple[str, str]]:
        """(title, id) of each document of the index, for the document filter."""
        documents = self.holder.assistant.reader.manifest.documents
        return [(d.title, d.doc_id) for d in sorted(documents, key=lambda d: (not d.in_manifest, d.title.lower()))]

    def after_change(self) -> Updates:
        return (
            self.status(),
            self.library(),
            gr.Dropdown(choices=listed_files(self.settings), value=None),
            gr.Dropdown(choices=self.document_choices()),
        )

    @staticmethod
    def refused(message: str) -> Updates:
        return ingest_report_html([], message, False), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()

    def upload(
        self,
        files: list[tuple[str, str]] | None,
        request: gr.Request,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 (Gradio injects the progress tracker)
    ) -> Updates:
        """Place the uploaded files in the corpus, ingest them, reload the assistant."""
        self.check_access(request)
        if not files:
            return self.refused("Choisissez d'abord un ou plusieurs fichiers.")
        if len(files) > self.settings.max_upload_files:
            return self.refused(f"Trop de fichiers en un envoi : {self.settings.max_upload_files} au plus.")
        progress(0, desc="Vérification des fichiers")
        uploads = [(Path(path), name) for path, name in files]
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
        self.refresh()
        return self.after_change()

    # --- API ------------------------------------------------------------------------------------------
    def api_ask(self, question: str, role: str = "", history: list[str] | None = None) -> dict[str, Any]:
        """Answer a question from the documents, with numbered citations.

        Args:
            question: the question, in French.
            role: "professionnel", "representant" or "" (not given).
            history: the previous questions of the conversation, oldest first.
        Returns:
            the typed answer (Answer.to_dict: schema_version, blocks, notes, suggestions, citations, …) and
            its text as the command line prints it ("text").
        """
        if not isinstance(question, str) or not question.strip():
            raise gr.Error("question vide")
        try:
            request = AskRequest(
                question=question,
                role=checked_role(role or None),
                history=checked_history([str(q) for q in history or []], self.settings.max_question_chars),
            )
        except ApiError as refused:
            raise gr.Error(refused.message) from None
        return self.answer(request)

    def answer(self, request: AskRequest) -> dict[str, Any]:
        """The JSON of the answer to a checked API question (both APIs: Gradio's ``ask`` and ``/api/ask``)."""
        self.refresh()
        answer = self.holder.assistant.ask(
            request.question, history=list(request.history), role=request.role or None, filters=request.filters
        )
        self._recorder.submit(record_exchange, self.settings.feedback_db, answer, request.role or None)
        return answer_json(answer)

    def document_ids(self) -> set[str]:
        """The ids of the indexed documents (what ``filters`` may name)."""
        return set(self.holder.assistant.reader.documents)
