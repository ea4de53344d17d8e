"""An ASGI middleware in front of Gradio: request size limits and the login throttle.

- A request body larger than its limit is refused with 413 and a French message before the app reads
  it: ``Content-Length`` is checked first; other bodies (chunked) are read up to the limit and refused
  as soon as they pass it. Uploads (``…/upload``) have their own, larger limit.
- ``POST /login`` goes through :class:`~assistant.web.auth.LoginThrottle`, per account and per address:
  a locked key gets 429 with ``Retry-After``; Gradio's answer (200 or an error) is counted.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import orjson

from assistant.web.auth import LoginThrottle

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _size(size: int) -> str:
    """ "512 Ko", "1 Mo", "20,5 Mo"."""
    if size < 1024 * 1024:
        return f"{size // 1024} Ko"
    return f"{size / 1024 / 1024:.1f}".replace(".", ",").removesuffix(",0") + " Mo"


class RequestLimits:
    """Size limits on request bodies and the login throttle (see the module docstring)."""

    def __init__(self, app: ASGIApp, max_body: int, max_upload_body: int, throttle: LoginThrottle | None) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload_body = max_upload_body
        self.throttle = throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", "")).rstrip("/")
        upload = path.endswith("/upload")
        limit = self.max_upload_body if upload else self.max_body
        length = _content_length(scope)
        if length is not None and length > limit:
            await _too_large(send, limit)
            return
        if upload:  # large bodies streamed to Gradio, which checks each file's size
            await self.app(scope, receive, send)
            return
        body, more = b"", True
        while more:  # small bodies: read whole (up to the limit), then replayed
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = bool(message.get("more_body"))
            if len(body) > limit:
                await _too_large(send, limit)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        if self.throttle is not None and scope.get("method") == "POST" and path.endswith("/login"):
            await self._login(scope, body, replay, send)
        else:
            await self.app(scope, replay, send)

    async def _login(self, scope: Scope, body: bytes, receive: Receive, send: Send) -> None:
        assert self.throttle is not None
        form = parse_qs(body.decode("utf-8", "replace"))
        user = (form.get("username") or [""])[0].strip().lower()
        client = scope.get("client") or ("?", 0)
        account, keys = f"compte:{user}", [f"compte:{user}", f"adresse:{client[0]}"]
        wait = self.throttle.retry_after(keys)
        if wait > 0:
            seconds = math.ceil(wait)
            detail = f"Trop de tentatives de connexion : réessayez dans {seconds} s."
            await send_json(send, 429, {"detail": detail}, [(b"retry-after", str(seconds).encode())])
            return
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        await self.app(scope, receive, watch)
        if status and status[0] == 200:
            self.throttle.success(account)
        elif status and status[0] in (400, 401, 403):
            self.throttle.failure(keys)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, limit: int) -> None:
    detail = f"Requête trop volumineuse : {_size(limit)} au plus."
    await send_json(send, 413, {"detail": detail, "error": detail})


async def send_json(
    send: Send, status: int, payload: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """A JSON response (UTF-8, orjson; numpy numbers allowed), with its length and any extra headers."""
    body = orjson.dumps(payload, option=orjson.OPT_SERIALIZE_NUMPY)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
