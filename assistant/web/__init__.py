"""The web app (Gradio): layout (:mod:`.app`), handlers (:mod:`.handlers`, :mod:`.manage`), the HTML
renderer of the typed answer (:mod:`.render`, :mod:`.documents`), accounts and limits (:mod:`.auth`,
:mod:`.limits`), feedback (:mod:`.feedback`).

``build_app``, ``launch`` and ``serve`` are imported on first use, so that the renderer can be used (and
tested) without loading Gradio.
"""

from __future__ import annotations

from typing import Any

__all__ = ["build_app", "launch", "serve"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from assistant.web import app

        return getattr(app, name)
    raise AttributeError(name)
