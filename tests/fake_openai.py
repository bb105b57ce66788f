"""A small OpenAI-compatible chat-completions server for tests.

``FakeOpenAI`` listens on 127.0.0.1 (an ephemeral port) in a background thread, records the
JSON body of every request, and answers ``POST /v1/chat/completions`` in the wire format the
``openai`` client expects: a ``chat.completion`` object, or with ``"stream": true`` Server-Sent
Events carrying ``chat.completion.chunk`` objects and a final ``data: [DONE]``. Streams use
chunked transfer encoding, so a stream cut short is an error on the client side (as with a
real server that dies), not a quietly shorter reply.

Behaviours (one per server):

- ``echo-cite``: the scripted ``reply``, streamed word by word.
- ``invent-citations``: a reply citing the valid ``[1]`` and the invented ``[7]`` and ``[9]``.
- ``die-mid-stream``: a couple of chunks, then the connection is closed without ``[DONE]``.
- ``garbage``: HTTP 200 whose body is not JSON (``garbage_body``).
- ``empty``: a well-formed reply with no text.
- ``slow``: waits ``delay_s`` before answering (longer than the client's timeout).
- ``http-500``: an OpenAI-style error object with status 500.

Requests whose system message is ``prompts.REWRITE_SYSTEM`` get ``rewrite_reply`` (when set)
whatever the behaviour, so a conversation's follow-up rewrite can be scripted separately.
``reply`` may also be a function of the request body.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from assistant.prompts import REWRITE_SYSTEM

BEHAVIOURS = ("echo-cite", "invent-citations", "die-mid-stream", "garbage", "empty", "slow",
              "http-500")  # fmt: skip
DEFAULT_REPLY = (
    "The Port Calder City Council approved the Harrow Point desalination plant on "
    "14 March 2021 [1]."
)
INVENTED_REPLY = (
    "The Port Calder City Council approved the Harrow Point desalination plant on "
    "14 March 2021 [1][7]. The plant was later sold to a private operator [9]."
)
Body = dict[str, Any]
Reply = str | Callable[[Body], str]


def words(text: str) -> list[str]:
    """``text`` in word-sized pieces that join back to exactly ``text``."""
    pieces = text.split(" ")
    return [p + " " for p in pieces[:-1]] + [pieces[-1]] if text else []


class FakeOpenAI:
    """Context manager: ``with FakeOpenAI("echo-cite", reply=...) as server: server.url``."""

    def __init__(
        self,
        behaviour: str = "echo-cite",
        *,
        reply: Reply = DEFAULT_REPLY,
        rewrite_reply: str | None = None,
        delay_s: float = 3.0,
        garbage_body: str = "<html><body>502 Bad Gateway</body></html>",
        model: str = "fake",
    ) -> None:
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behaviour!r}: choose {', '.join(BEHAVIOURS)}")
        self.behaviour = behaviour
        self.reply = INVENTED_REPLY if behaviour == "invent-citations" else reply
        self.rewrite_reply = rewrite_reply
        self.delay_s = delay_s
        self.garbage_body = garbage_body
        self.model = model
        self.requests: list[Body] = []  # parsed JSON bodies, in arrival order
        self.paths: list[str] = []  # "METHOD /path" of every request
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes a "slow" handler
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "the server is not running"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL to give a client, ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    # -- what the tests look at ------------------------------------------------------------

    def record(self, method: str, path: str, body: Body | None) -> None:
        with self._lock:
            self.paths.append(f"{method} {path}")
            if body is not None:
                self.requests.append(body)

    def chat_requests(self, system: str | None = None) -> list[Body]:
        """Chat requests received, optionally only those with this system message."""
        with self._lock:
            reqs = list(self.requests)
        return [r for r in reqs if system is None or system_message(r) == system]

    def reply_for(self, body: Body) -> str:
        if self.rewrite_reply is not None and system_message(body) == REWRITE_SYSTEM:
            return self.rewrite_reply
        if self.behaviour == "empty":
            return ""
        return self.reply(body) if callable(self.reply) else self.reply

    def is_rewrite(self, body: Body) -> bool:
        return self.rewrite_reply is not None and system_message(body) == REWRITE_SYSTEM


def system_message(body: Body) -> str:
    for m in body.get("messages") or []:
        if isinstance(m, dict) and m.get("role") == "system":
            return str(m.get("content", ""))
    return ""


def user_message(body: Body) -> str:
    users = [m for m in body.get("messages") or [] if m.get("role") == "user"]
    return str(users[-1].get("content", "")) if users else ""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # chunked streams, so a cut stream is detectably incomplete
    server_fake: FakeOpenAI

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    # -- routes ----------------------------------------------------------------------------

    def do_GET(self) -> None:
        fake = self.server_fake
        path = self.path.split("?")[0].rstrip("/")
        fake.record("GET", path, None)
        if path in ("/v1/models", "/models"):
            data = [{"id": fake.model, "object": "model", "created": 0, "owned_by": "fake"}]
            self._json(200, {"object": "list", "data": data})
        else:
            self._error(404, f"no route GET {path}", "not_found_error")

    def do_POST(self) -> None:
        fake = self.server_fake
        path = self.path.split("?")[0].rstrip("/")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            fake.record("POST", path, None)
            self._error(400, "the request body is not JSON", "invalid_request_error")
            return
        fake.record("POST", path, body)
        if path not in ("/v1/chat/completions", "/chat/completions"):
            self._error(404, f"no route POST {path}", "not_found_error")
            return
        behaviour = "echo-cite" if fake.is_rewrite(body) else fake.behaviour
        stream = bool(body.get("stream"))
        if behaviour == "slow":
            if fake._stopping.wait(fake.delay_s):
                return  # the fixture ended: give up quietly
            behaviour = "echo-cite"
        if behaviour == "http-500":
            self._error(500, "the fake server fell over", "server_error")
            return
        if behaviour == "garbage":
            self._raw(200, fake.garbage_body.encode(), "text/html; charset=utf-8")
            return
        text = fake.reply_for(body)
        model = str(body.get("model") or fake.model)
        if not stream:
            self._json(200, completion(text, model))
            return
        self._stream(
            stream_chunks(text, model), die_after=3 if behaviour == "die-mid-stream" else None
        )

    # -- writers ---------------------------------------------------------------------------

    def _raw(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def _json(self, status: int, obj: object) -> None:
        self._raw(status, json.dumps(obj).encode(), "application/json")

    def _error(self, status: int, message: str, kind: str) -> None:
        self._json(status, {"error": {"message": message, "type": kind, "param": None,
                                      "code": None}})  # fmt: skip

    def _stream(self, chunks: Iterator[Body], die_after: int | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for sent, chunk in enumerate(chunks):
            if die_after is not None and sent >= die_after:
                self.wfile.flush()
                return  # no [DONE], no terminating chunk: the connection just closes
            self._event(json.dumps(chunk))
        self._event("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _event(self, data: str) -> None:
        payload = f"data: {data}\n\n".encode()
        self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
        self.wfile.flush()


def _ids() -> tuple[str, int]:
    return f"chatcmpl-fake{time.monotonic_ns()}", int(time.time())


def completion(text: str, model: str) -> Body:
    """A non-streaming ``chat.completion`` object."""
    cid, created = _ids()
    n = len(text.split())
    return {
        "id": cid, "object": "chat.completion", "created": created, "model": model,
        "system_fingerprint": None,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": n, "total_tokens": 10 + n},
    }  # fmt: skip


def stream_chunks(text: str, model: str) -> Iterator[Body]:
    """``chat.completion.chunk`` objects: the role, the text word by word, the finish."""
    cid, created = _ids()

    def chunk(delta: dict[str, str], finish: str | None = None) -> Body:
        return {
            "id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
            "system_fingerprint": None,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }  # fmt: skip

    yield chunk({"role": "assistant", "content": ""})
    for piece in words(text):
        yield chunk({"content": piece})
    yield chunk({}, "stop")
