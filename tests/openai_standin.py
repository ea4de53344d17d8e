"""A deterministic OpenAI-compatible chat server on 127.0.0.1, for testing the real LLM client code.

``POST /v1/chat/completions``, with or without ``stream: true`` (server-sent events ending with
``data: [DONE]``), and the tool-calling protocol; also Ollama's ``POST /api/chat`` (JSON lines).
The requested *model name* picks the behaviour:

- ``good`` (and any name not listed here): answers from the numbered passages it was given: the first
  sentence of passage [1] cited [1], then the first sentence of the last passage cited with its number;
- ``bad_marker``: the same sentence, citing [99]; ``no_citation``: without any marker;
- ``garbage``: special tokens and symbols; ``hang``: sleeps ``hang_seconds`` before answering;
- ``trickle``: the good answer, streamed one word every 0.3 s (each chunk in time, the whole too slow);
- ``out_of_corpus``: ``HORS_CORPUS``;
- ``partial``: the line ``PARTIEL : …`` (what the passages do not give: :data:`PARTIAL_LINE`), then the
  good answer;
- ``unsupported``: a good sentence, then a claim that its cited passage does not make;
- ``wrong_passage``: the first sentence of passage [1], cited with the number of the last passage.
- ``markup``: a good cited sentence with HTML and a script around it (what a compromised or confused
  model could send to the browser).
- ``drop_early`` / ``drop_late``: the good answer, streamed until the server goes away (the connection
  is closed without a finish reason, ``[DONE]`` or Ollama's ``done: true``): after its first two words,
  or in the middle of its last sentence, after the first marker.

Whatever the mode, when tools are offered and no tool result has come back yet, it calls
``search_corpus`` with the user's question. It also answers the condensation prompt (``Question, à propos de :
previous question ?``) and the judge prompt (a JSON object). Every request is recorded.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PASSAGE = re.compile(r"Passage \[(\d+)\] — [^\n]*\n(.*?)(?=\n\nPassage \[|\n\nQuestion :|\Z)", re.DOTALL)
MARKUP = '<img src=x onerror="window.__xss=7"> <script>window.__xss=8</script>'
PARTIAL_LINE = "PARTIEL : les passages ne donnent pas le montant des indemnités [1]."
UNSUPPORTED_CLAIM = (
    "Les représentants des usagers reçoivent une prime annuelle de cinq mille euros versée par la mutuelle "
    "nationale des pharmaciens."
)


def dropped_after(model: str, pieces: list[str]) -> int | None:
    """How many pieces of the answer a ``drop_*`` mode sends before closing the connection (None: all)."""
    if model == "drop_early":
        return min(2, len(pieces))
    if model == "drop_late":
        return max(1, len(pieces) - 3)
    return None


def first_sentence(text: str) -> str:
    """The first sentence of a passage long enough to say something."""
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        sentence = sentence.strip(" -•➔")
        if len(sentence) >= 40 and sentence[-1] in ".!?":
            return sentence
    return text.strip().split("\n")[0]


def passages_in(messages: list[dict[str, Any]]) -> list[tuple[int, str]]:
    """The numbered passages found in the prompt and in the tool results."""
    found: list[tuple[int, str]] = []
    for message in messages:
        content = message.get("content") or ""
        if isinstance(content, list):
            content = " ".join(part.get("text", "") for part in content if isinstance(part, dict))
        found += [(int(n), text.strip()) for n, text in PASSAGE.findall(content)]
    return found


class StandIn:
    """The server: ``url`` for the client's ``base_url``, ``requests`` for what it received."""

    def __init__(self, hang_seconds: float = 5.0) -> None:
        self.hang_seconds = hang_seconds
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def ollama_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(entry)

    # --- what the model "says" ------------------------------------------------------------------------
    def reply(self, body: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """(content, tool calls) for a chat request."""
        messages = body.get("messages", [])
        mode = body.get("model", "good")
        last_user = next((m.get("content") or "" for m in reversed(messages) if m.get("role") == "user"), "")
        if mode == "hang":
            time.sleep(self.hang_seconds)
        if "Nouvelle question :" in last_user:
            previous = re.findall(r"^- (.+)$", last_user, flags=re.MULTILINE)
            question = last_user.split("Nouvelle question :", 1)[1].split("\n")[0].strip()
            question = question.rstrip(" ?")
            return f"{question[:1].upper()}{question[1:]}, à propos de : {previous[-1] if previous else ''}", []
        if "Tu évalues la réponse" in last_user:
            answer = last_user.split("Réponse de l'assistant :", 1)[-1]
            cited = 1.0 if re.search(r"\[\d+\]", answer) else 0.0
            return json.dumps({"fidelite": cited, "exactitude": 0.5}), []
        if body.get("tools") and not any(m.get("role") == "tool" for m in messages):
            question = next((m.get("content") or "" for m in messages if m.get("role") == "user"), "")
            return "", [{"name": "search_corpus", "arguments": json.dumps({"query": question}, ensure_ascii=False)}]
        passages = passages_in(messages)
        if mode == "out_of_corpus" or not passages:
            return "HORS_CORPUS", []
        first = first_sentence(passages[0][1])
        if mode == "garbage":
            return "<|im_start|> ::: ;;; ### {{}} 0x0F 0x0F [1] ??? <|im_end|>", []
        if mode == "bad_marker":
            return f"{first} [99]", []
        if mode == "no_citation":
            return first, []
        if mode == "unsupported":
            return f"{first} [1]\n\n{UNSUPPORTED_CLAIM} [1]", []
        if mode == "markup":
            return f'{MARKUP} {first} [1] <b onmouseover="window.__xss=9">gras</b>', []
        n, last = passages[-1]
        if mode == "wrong_passage":
            return f"{first} [{n}]", []
        extra = f" {first_sentence(last)} [{n}]" if n != passages[0][0] else ""
        good = f"D'après les documents : {first} [{passages[0][0]}]{extra}"
        return (f"{PARTIAL_LINE}\n{good}" if mode == "partial" else good), []


def _handler(standin: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            standin.record({"path": self.path, "authorization": self.headers.get("Authorization", ""), "body": body})
            if not self.path.rstrip("/").endswith(("/chat/completions", "/api/chat")):
                self.send_error(404)
                return
            content, calls = standin.reply(body)
            try:
                if self.path.startswith("/api/chat"):
                    self._ollama(body.get("model", ""), content, calls, stream=body.get("stream", True))
                elif body.get("stream"):
                    self._stream(body.get("model", ""), content, calls)
                else:
                    self._json(body.get("model", ""), content, calls)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                pass

        def _ollama(self, model: str, content: str, calls: list[dict[str, Any]], stream: bool) -> None:
            """Ollama's answer: JSON lines, the last one with ``done: true``."""
            tool_calls = [{"function": {**c, "arguments": json.loads(c["arguments"])}} for c in calls]
            pieces = re.findall(r"\S+\s*", content) if stream else [content]
            cut = dropped_after(model, pieces) if stream and not calls else None
            lines = [{"message": {"role": "assistant", "content": p}, "done": False} for p in pieces[:cut]]
            final: dict[str, Any] = {"message": {"role": "assistant", "content": ""}, "done": True}
            if not stream:
                final["message"]["content"], lines = content, []
            if tool_calls:
                final["message"]["tool_calls"] = tool_calls
            final |= {"done_reason": "stop", "prompt_eval_count": 1, "eval_count": 1}
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.end_headers()
            for line in lines if cut is not None else [*lines, final]:
                line |= {"model": model, "created_at": "2026-01-01T00:00:00Z"}
                self.wfile.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
                self.wfile.flush()
            if cut is not None:
                self._hang_up()

        def _hang_up(self) -> None:
            """The server goes away mid-answer: the connection is closed, nothing more is sent."""
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

        def _json(self, model: str, content: str, calls: list[dict[str, Any]]) -> None:
            message: dict[str, Any] = {"role": "assistant", "content": content or None}
            if calls:
                message["tool_calls"] = [
                    {"id": f"call_{i}", "type": "function", "function": c} for i, c in enumerate(calls)
                ]
            payload = {
                "id": "chatcmpl-standin",
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, model: str, content: str, calls: list[dict[str, Any]]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()

            def event(delta: dict[str, Any], finish: str | None = None) -> None:
                chunk = {
                    "id": "chatcmpl-standin",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                }
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

            event({"role": "assistant", "content": ""})
            pieces = re.findall(r"\S+\s*", content)
            cut = None if calls else dropped_after(model, pieces)
            for piece in pieces[:cut]:
                event({"content": piece})
                if model == "trickle":
                    time.sleep(0.3)
            if cut is not None:
                self._hang_up()
                return
            for i, call in enumerate(calls):
                event({"tool_calls": [{"index": i, "id": f"call_{i}", "type": "function", "function": call}]})
            event({}, "tool_calls" if calls else "stop")
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler
