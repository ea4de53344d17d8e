"""How far the documents cover what was asked: "full", or "partial" when only the neighbourhood is covered."""

from __future__ import annotations

from assistant.guard import Assessment


def partial_notice(assessment: Assessment, phrases: dict[str, str]) -> str | None:
    """The notice that opens a partly covered answer (what the documents do not give), or None."""
    return None
