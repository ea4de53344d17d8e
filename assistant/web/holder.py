"""The live assistant of the web app, reloaded after the corpus changes, and the status line it shows."""

from __future__ import annotations

import gc
import threading

from assistant.agent import Assistant
from assistant.web.documents import status_html
from ingest.index import current_build
from ingest.settings import Settings


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
        """Open the current index again (after an ingestion), keeping the query model already loaded."""
        embedder = self._assistant.embedder if self._assistant is not None else None
        fresh = Assistant.from_settings(self.settings, build_if_missing=False, embedder=embedder)
        with self._lock:
            self._assistant = fresh
        # An assistant is held in reference cycles (its corpus view calls back into it), so a replaced
        # one is freed by the cyclic collector only; in a busy app with a large heap that pass is rare
        # and the old readers, their Chroma clients and open files piled up (seen in the soak test).
        gc.collect()
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
