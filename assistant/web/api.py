"""The plain JSON API beside the page: ``POST /api/ask`` with ``{"question", "role", "history", "filters"}``
gives the typed answer as JSON (:func:`answer_json`: :meth:`Answer.to_dict` and its text), the same dict
as the Gradio endpoint ``ask``.

:class:`JsonApi` is an ASGI middleware in front of Gradio (behind :class:`~assistant.web.limits.RequestLimits`,
so the request size limit holds): it answers ``/api/ask`` itself and passes every other request on. No
queue join, no event stream, no session: one request, one answer. It counts in the one budget of answers
(:class:`~assistant.web.slots.AnswerSlots`, shared with the page and the Gradio API) and, when accounts
are set, asks for one (HTTP Basic, through the login throttle, or the session cookie of a logged-in page).
Refusals are JSON with a French message (``{"error": …, "detail": …}``) and their status: 400, 401, 405,
429, 503; an answer that fails is a 500 with its exception's name only (the trace goes to the log).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import math
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

import orjson

from assistant.answer import Answer
from assistant.web.assets import ROLES
from assistant.web.auth import LoginThrottle
from assistant.web.limits import ASGIApp, Receive, Scope, Send, send_json
from assistant.web.render import plain_text
from assistant.web.slots import AnswerSlots

log = logging.getLogger(__name__)
PATH = "/api/ask"
FIELDS = ("question", "role", "history", "filters")
FILTERS = ("doc_id", "fiche")
MAX_HISTORY = 20
USAGE = 'POST /api/ask, corps JSON {"question": "…", "role": "", "history": [], "filters": {}}'


class ApiError(Exception):
    """A request the API refuses: its HTTP status, French message and extra headers."""

    def __init__(self, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or []


@dataclass
class AskRequest:
    """A question as the API received it, checked."""

    question: str
    role: str = ""
    history: tuple[str, ...] = ()
    filters: dict[str, Any] | None = None


def answer_json(answer: Answer) -> dict[str, Any]:
    """What the API returns: :meth:`Answer.to_dict` and the answer as text (``text``, as the CLI prints it)."""
    return {**answer.to_dict(), "text": plain_text(answer)}


def checked_history(history: Any, max_chars: int) -> tuple[str, ...]:
    """The previous questions, oldest first: each cut to ``max_chars``, blank ones left out, the last
    :data:`MAX_HISTORY` kept."""
    if history is None:
        return ()
    if not isinstance(history, list) or not all(isinstance(q, str) for q in history):
        raise ApiError(400, "« history » doit être une liste de questions (textes), la plus ancienne d'abord.")
    return tuple(q[:max_chars] for q in history if q.strip())[-MAX_HISTORY:]


def checked_role(role: Any) -> str:
    if role is None:
        return ""
    if not isinstance(role, str) or role not in ROLES:
        raise ApiError(400, f"rôle inconnu : {role!r} (professionnel, representant ou vide)")
    return role


def checked_filters(filters: Any, documents: set[str]) -> dict[str, Any] | None:
    """The search restricted to some documents (``doc_id``: one id or a list) or fiches (``fiche``: one
    number or a list); ``None`` or ``{}``: everything."""
    if filters is None:
        return None
    if not isinstance(filters, dict):
        raise ApiError(400, '« filters » doit être un objet, par exemple {"doc_id": ["has-guide"]}.')
    unknown = [k for k in filters if k not in FILTERS]
    if unknown:
        raise ApiError(400, f"filtre inconnu : « {unknown[0]} » (doc_id ou fiche).")
    where: dict[str, Any] = {}
    if (doc := filters.get("doc_id")) not in (None, "", []):
        ids = doc if isinstance(doc, list) else [doc]
        if not all(isinstance(d, str) for d in ids):
            raise ApiError(400, "« doc_id » doit être l'identifiant d'un document ou une liste d'identifiants.")
        missing = [d for d in ids if d not in documents]
        if missing:
            raise ApiError(400, f"document inconnu : « {missing[0]} » ({', '.join(sorted(documents))}).")
        chosen = list(dict.fromkeys(ids))
        where["doc_id"] = chosen[0] if len(chosen) == 1 else chosen
    if (fiche := filters.get("fiche")) not in (None, []):
        numbers = fiche if isinstance(fiche, list) else [fiche]
        if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in numbers):
            raise ApiError(400, "« fiche » doit être un numéro de fiche (entier) ou une liste de numéros.")
        chosen_fiches = list(dict.fromkeys(numbers))
        where["fiche"] = chosen_fiches[0] if len(chosen_fiches) == 1 else chosen_fiches
    return where or None


def read_request(body: bytes, documents: set[str], max_chars: int) -> AskRequest:
    """The checked question of a request's JSON body; raises :class:`ApiError` (400) with a French message."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ApiError(400, f"Corps de requête illisible : JSON attendu ({USAGE}).") from None
    if not isinstance(data, dict):
        raise ApiError(400, f"Objet JSON attendu ({USAGE}).")
    unknown = [k for k in data if k not in FIELDS]
    if unknown:
        raise ApiError(400, f"champ inconnu : « {unknown[0]} » ({', '.join(FIELDS)}).")
    question = data.get("question")
    if question is None:
        raise ApiError(400, f"champ « question » manquant ({USAGE}).")
    if not isinstance(question, str):
        raise ApiError(400, "« question » doit être un texte.")
    if not question.strip():
        raise ApiError(400, "question vide")
    return AskRequest(
        question=question,
        role=checked_role(data.get("role")),
        history=checked_history(data.get("history"), max_chars),
        filters=checked_filters(data.get("filters"), documents),
    )


@dataclass
class Accounts:
    """Who may ask when accounts are set: HTTP Basic credentials (counted by the login throttle) or the
    session cookie of a page logged in to Gradio (``gradio_app``: Gradio's server app, once launched)."""

    accounts: dict[str, str]
    throttle: LoginThrottle | None
    gradio_app: Callable[[], Any]

    def user(self, scope: Scope) -> str:
        """The account of the request (``""`` when no account is set); raises :class:`ApiError` (401, 429)."""
        if not self.accounts:
            return ""
        headers = dict(scope.get("headers", ()))
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        if authorization[:6].lower() == "basic ":
            return self._basic(authorization[6:].strip(), scope)
        user = self._session(headers.get(b"cookie", b"").decode("latin-1"))
        if user:
            return user
        raise _unauthorized("Authentification requise : identifiants d'un compte (HTTP Basic : curl -u nom:mot).")

    def _basic(self, encoded: str, scope: Scope) -> str:
        try:
            user, sep, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            sep = ""
        if not sep:
            raise _unauthorized("Identifiants HTTP Basic illisibles : « nom:mot de passe » en base64 attendu.")
        user = user.strip()
        client = scope.get("client") or ("?", 0)
        account, keys = f"compte:{user.lower()}", [f"compte:{user.lower()}", f"adresse:{client[0]}"]
        if self.throttle is not None and (wait := self.throttle.retry_after(keys)) > 0:
            seconds = math.ceil(wait)
            detail = f"Trop de tentatives de connexion : réessayez dans {seconds} s."
            raise ApiError(429, detail, [(b"retry-after", str(seconds).encode())])
        expected = self.accounts.get(user)
        if expected is not None and secrets.compare_digest(password.encode(), expected.encode()):
            if self.throttle is not None:
                self.throttle.success(account)
            return user
        if self.throttle is not None:
            self.throttle.failure(keys)
        raise _unauthorized("Identifiants incorrects.")

    def _session(self, cookie_header: str) -> str | None:
        app = self.gradio_app()
        if app is None or not cookie_header:
            return None
        try:
            cookies = SimpleCookie(cookie_header)
        except CookieError:
            return None
        for name in (f"access-token-{app.cookie_id}", f"access-token-unsecure-{app.cookie_id}"):
            if name in cookies and (user := app.tokens.get(cookies[name].value)):
                return str(user)
        return None


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, message, [(b"www-authenticate", b'Basic realm="Assistant engagement", charset="UTF-8"')])


class JsonApi:
    """ASGI middleware: ``/api/ask`` answered here (see the module docstring), every other path passed on.

    ``answer`` computes the answer's JSON (in one of ``threads`` worker threads), ``documents`` gives the
    ids of the indexed documents (for ``filters``)."""

    def __init__(
        self,
        app: ASGIApp,
        answer: Callable[[AskRequest], dict[str, Any]],
        documents: Callable[[], set[str]],
        slots: AnswerSlots,
        accounts: Accounts,
        max_question_chars: int,
        threads: int,
    ) -> None:
        self.app = app
        self.answer = answer
        self.documents = documents
        self.slots = slots
        self.accounts = accounts
        self.max_question_chars = max_question_chars
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="api-ask")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _route(scope) != PATH:
            await self.app(scope, receive, send)
            return
        try:
            if scope.get("method") != "POST":
                raise ApiError(405, f"Méthode non permise : {USAGE}.", [(b"allow", b"POST")])
            self.accounts.user(scope)
            body = await _body(receive)
            if body is None:
                return  # the client left
            request = read_request(body, self.documents(), self.max_question_chars)
            if self.slots.full():
                raise ApiError(503, "File d'attente pleine : réessayez dans un instant.", [(b"retry-after", b"1")])
            result = await self._answer(request, receive)
            if result is None:
                return  # the client left while its question waited
        except ApiError as refused:
            await send_json(
                send, refused.status, {"error": refused.message, "detail": refused.message}, refused.headers
            )
            return
        except Exception as exc:  # logged with its trace; the client sees its name only
            log.exception("question de l'API en échec")
            detail = f"Erreur interne ({type(exc).__name__}) : réessayez ou reformulez la question."
            await send_json(send, 500, {"error": detail, "detail": detail})
            return
        await send_json(send, 200, result)

    async def _answer(self, request: AskRequest, receive: Receive) -> dict[str, Any] | None:
        """Take a slot (waiting for one; ``None`` if the client leaves meanwhile), then answer in a worker
        thread."""
        if not self.slots.try_acquire():
            slot = asyncio.ensure_future(self.slots.acquire())
            gone = asyncio.ensure_future(_disconnected(receive))
            await asyncio.wait((slot, gone), return_when=asyncio.FIRST_COMPLETED)
            gone.cancel()
            if not slot.done():
                slot.cancel()
                await asyncio.gather(slot, return_exceptions=True)
                return None
            await slot
        try:
            return await asyncio.get_running_loop().run_in_executor(self.pool, self.answer, request)
        finally:
            self.slots.release()


def _route(scope: Scope) -> str:
    """The request's path without the app's root path and a final ``/``."""
    path = str(scope.get("path", ""))
    root = str(scope.get("root_path", "") or "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path.rstrip("/") or "/"


async def _body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
