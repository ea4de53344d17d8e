"""Accounts, the login throttle and the request size limits of the web app (no Gradio server: the
middleware runs in front of a tiny stand-in app that plays Gradio's login route)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.web.auth import AuthConfigError, LoginThrottle, management_enabled, parse_auth
from assistant.web.limits import RequestLimits
from ingest.settings import Settings

pytestmark = pytest.mark.fast


def run_apart(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine in its own thread and event loop (an earlier test may leave a loop running here)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_well_formed_accounts_are_read_from_the_setting_and_the_file(tmp_path: Path) -> None:
    accounts = tmp_path / "comptes.txt"
    accounts.write_text("# comptes\nbob:mot:de:passe\n\n", encoding="utf-8")
    assert parse_auth(Settings(auth="alice:secret, carol:x,")) == [("alice", "secret"), ("carol", "x")]
    assert parse_auth(Settings(auth_file=accounts)) == [("bob", "mot:de:passe")]
    assert parse_auth(Settings()) == []
    assert management_enabled(Settings(host="127.0.0.1"))
    assert not management_enabled(Settings(host="0.0.0.0"))
    assert management_enabled(Settings(host="0.0.0.0", auth="alice:secret"))


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("alice", "entrée n° 1"),
        ("alice=motdepasse-secret", "entrée n° 1"),
        ("alice:ok,bob:", "entrée n° 2 « bob »"),
        (":motdepasse-secret", "nom d'utilisateur vide"),
        ("alice:ok,alice:motdepasse-secret", "« alice » défini deux fois"),
    ],
)
def test_a_malformed_account_refuses_to_start_naming_the_entry_not_the_password(value: str, named: str) -> None:
    with pytest.raises(AuthConfigError) as error:
        parse_auth(Settings(auth=value))
    message = str(error.value)
    assert named in message
    assert "motdepasse-secret" not in message and "secret" not in message


def test_a_malformed_line_of_the_accounts_file_is_named_by_its_line(tmp_path: Path) -> None:
    accounts = tmp_path / "comptes.txt"
    accounts.write_text("bob:ok\n# commentaire\ncarol motdepasse-secret\n", encoding="utf-8")
    with pytest.raises(AuthConfigError, match="ligne 3") as error:
        parse_auth(Settings(auth_file=accounts))
    assert "motdepasse-secret" not in str(error.value)
    with pytest.raises(AuthConfigError, match="illisible"):
        parse_auth(Settings(auth_file=tmp_path / "absent.txt"))
    with pytest.raises(AuthConfigError):  # the app cannot be built open by mistake
        management_enabled(Settings(host="0.0.0.0", auth="alice"))


def test_the_throttle_locks_after_five_failures_for_a_growing_delay() -> None:
    throttle = LoginThrottle(max_failures=5, window=60, lockout=30)
    keys = ["compte:alice", "adresse:10.0.0.1"]
    for t in range(4):
        throttle.failure(keys, now=t)
    assert throttle.retry_after(keys, now=4) == 0
    throttle.failure(keys, now=4)
    assert throttle.retry_after(keys, now=5) == pytest.approx(29)
    assert throttle.retry_after(["compte:bob", "adresse:10.0.0.1"], now=5) > 0  # same address, other account
    assert throttle.retry_after(["compte:bob", "adresse:10.0.0.2"], now=5) == 0
    assert throttle.retry_after(keys, now=35) == 0
    for t in range(35, 40):
        throttle.failure(keys, now=t)
    assert throttle.retry_after(keys, now=40) == pytest.approx(59)  # second lockout: twice as long
    slow = LoginThrottle(max_failures=5, window=60, lockout=30)
    for t in range(0, 500, 100):  # failures far apart never lock
        slow.failure(keys, now=t)
    assert slow.retry_after(keys, now=401) == 0


PASSWORD = "bon-mot-de-passe"


async def stand_in(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Gradio's login route (200 for the right password, 400 otherwise); other routes echo the body size."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    right = f"password={PASSWORD}".encode() in body
    status = 400 if scope["path"] == "/login" and not right else 200
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": str(len(body)).encode()})


def client(address: str = "10.0.0.1", throttle: LoginThrottle | None = None) -> httpx.AsyncClient:
    app = RequestLimits(stand_in, max_body=1024 * 1024, max_upload_body=4 * 1024 * 1024, throttle=throttle)
    transport = httpx.ASGITransport(app=app, client=(address, 5000))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")


def test_a_fifty_megabyte_question_is_refused_early_with_413() -> None:
    async def run() -> list[httpx.Response]:
        big = b"q" * (50 * 1024 * 1024)

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: refused once past the limit
            for _ in range(50):
                yield b"q" * (1024 * 1024)

        async with client() as http:
            return [
                await http.post("/gradio_api/call/ask", content=big),
                await http.post("/gradio_api/queue/join", content=chunks()),
                await http.post("/gradio_api/call/ask", content=b'{"data": ["secret ?"]}'),
                await http.post("/gradio_api/upload", content=b"x" * (2 * 1024 * 1024)),
            ]

    whole, streamed, small, upload = run_apart(run())
    for refused in (whole, streamed):
        assert refused.status_code == 413
        assert refused.json()["detail"] == "Requête trop volumineuse : 1 Mo au plus."
    assert small.status_code == 200 and small.text == "22"
    assert upload.status_code == 200  # uploads have their own, larger limit


def test_login_is_throttled_per_account_and_per_address() -> None:
    async def run() -> dict[str, Any]:
        throttle = LoginThrottle(max_failures=5, window=60, lockout=30)
        seen: dict[str, Any] = {}
        async with client("10.0.0.1", throttle) as attacker, client("10.0.0.2", throttle) as other:
            codes = [
                (await attacker.post("/login", data={"username": "alice", "password": f"faux{k}"})).status_code
                for k in range(6)
            ]
            seen["codes"] = codes
            locked = await attacker.post("/login", data={"username": "alice", "password": PASSWORD})
            seen["locked"] = locked
            seen["same_address_other_account"] = (
                await attacker.post("/login", data={"username": "bob", "password": PASSWORD})
            ).status_code
            seen["other_address_same_account"] = (
                await other.post("/login", data={"username": "alice", "password": PASSWORD})
            ).status_code
            seen["other_address_other_account"] = (
                await other.post("/login", data={"username": "bob", "password": PASSWORD})
            ).status_code
        return seen

    seen = run_apart(run())
    assert seen["codes"] == [400, 400, 400, 400, 400, 429]
    locked = seen["locked"]
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0  # even the right password waits
    assert locked.json()["detail"].startswith("Trop de tentatives de connexion : réessayez dans")
    assert seen["same_address_other_account"] == 429
    assert seen["other_address_same_account"] == 429
    assert seen["other_address_other_account"] == 200


@pytest.mark.fast
def test_serve_with_a_malformed_account_stops_at_once_with_one_french_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before any index is opened or built (the index folder stays empty), not after minutes of building."""
    from assistant.__main__ import main

    monkeypatch.setenv("ENGAGEMENT_AUTH", "alice")
    monkeypatch.setenv("ENGAGEMENT_INDEX_DIR", str(tmp_path / "index"))
    assert main(["serve", "--port", "9"]) == 2
    err = " ".join(capsys.readouterr().err.split())  # one message, wrapped to the terminal's width
    assert err.startswith("Erreur : ENGAGEMENT_AUTH, entrée n° 1") and "Traceback" not in err
    assert not (tmp_path / "index").exists()
