"""Accounts of the web app and the login throttle.

:func:`parse_auth` reads ``ENGAGEMENT_AUTH`` ("user:pass,user2:pass2") and ``ENGAGEMENT_AUTH_FILE`` (one
``user:pass`` per line, ``#`` comments) and refuses a malformed value with :class:`AuthConfigError`: an
app that was meant to be protected never starts open. Its message names the bad entry (place, user
name or first letters) and never a password. :class:`LoginThrottle` counts failed logins per account and
per address and refuses further attempts for a growing delay.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from ingest.settings import Settings

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class AuthConfigError(ValueError):
    """A malformed account setting; the message is French and shows no password."""


def _shown(entry: str) -> str:
    """What the error may show of a malformed entry: the user name, or its first three characters."""
    user, sep, _ = entry.partition(":")
    if sep:
        return f"« {user.strip()} »" if user.strip() else "(nom d'utilisateur vide)"
    return f"« {entry[:3]}… »" if len(entry) > 3 else "« … »"


def _parse_entry(entry: str, where: str) -> tuple[str, str]:
    user, sep, password = entry.strip().partition(":")
    user = user.strip()
    if not sep:
        raise AuthConfigError(
            f"{where} {_shown(entry.strip())} : deux-points manquant, format attendu « utilisateur:motdepasse »."
        )
    if not user or any(c.isspace() for c in user):
        raise AuthConfigError(f"{where} {_shown(entry.strip())} : nom d'utilisateur vide ou contenant une espace.")
    if not password:
        raise AuthConfigError(f"{where} {_shown(entry.strip())} : mot de passe vide.")
    return user, password


def parse_auth(settings: Settings) -> list[tuple[str, str]]:
    """The accounts of ``settings.auth`` and ``settings.auth_file``; [] when neither is set.

    Raises :class:`AuthConfigError` on a malformed entry, a missing file or an account defined twice."""
    accounts: list[tuple[str, str]] = []
    for k, entry in enumerate(settings.auth.split(","), start=1):
        if entry.strip():
            accounts.append(_parse_entry(entry, f"ENGAGEMENT_AUTH, entrée n° {k}"))
    if settings.auth_file:
        try:
            text = settings.auth_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AuthConfigError(
                f"ENGAGEMENT_AUTH_FILE : fichier de comptes illisible ({settings.auth_file}) : {type(exc).__name__}."
            ) from exc
        for k, line in enumerate(text.splitlines(), start=1):
            if line.strip() and not line.strip().startswith("#"):
                accounts.append(_parse_entry(line, f"ENGAGEMENT_AUTH_FILE ({settings.auth_file}), ligne {k}"))
    seen: set[str] = set()
    for user, _ in accounts:
        if user in seen:
            raise AuthConfigError(f"Compte « {user} » défini deux fois (ENGAGEMENT_AUTH / ENGAGEMENT_AUTH_FILE).")
        seen.add(user)
    return accounts


def management_enabled(settings: Settings) -> bool:
    """Corpus management is offered when accounts are required, or when only this machine can connect."""
    return bool(parse_auth(settings)) or settings.host in LOOPBACK_HOSTS


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0
    strikes: int = 0


class LoginThrottle:
    """Failed logins counted per key (``"compte:alice"``, ``"adresse:10.0.0.7"``): after ``max_failures``
    within ``window`` seconds a key is refused for ``lockout`` seconds, doubled at each new lockout
    (capped at an hour). A success clears the account's count, not the address's."""

    def __init__(self, max_failures: int = 5, window: float = 60.0, lockout: float = 30.0) -> None:
        self.max_failures = max_failures
        self.window = window
        self.lockout = lockout
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginThrottle:
        return cls(settings.login_max_failures, settings.login_window_s, settings.login_lockout_s)

    def retry_after(self, keys: Iterable[str], now: float | None = None) -> float:
        """Seconds before any of ``keys`` may try again (0: allowed now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            waits = [r.locked_until - now for k in keys if (r := self._records.get(k)) is not None]
        return max([0.0, *waits])

    def failure(self, keys: Iterable[str], now: float | None = None) -> None:
        """Count a failed login for each key; lock the keys that reached the limit."""
        now = time.monotonic() if now is None else now
        with self._lock:
            for key in keys:
                record = self._records.setdefault(key, _Record())
                record.failures = [t for t in record.failures if now - t < self.window] + [now]
                if len(record.failures) >= self.max_failures:
                    record.locked_until = now + min(self.lockout * 2**record.strikes, 3600.0)
                    record.strikes += 1
                    record.failures = []

    def success(self, key: str) -> None:
        """A successful login clears ``key`` (the account)."""
        with self._lock:
            self._records.pop(key, None)
