"""A local OpenAI-compatible HTTP server for tests: the real `openai` client talks to it over HTTP.

Speaks `POST /v1/chat/completions` (plain, streamed as SSE, structured output) and `POST /v1/embeddings`.
Tests script it:
  - `fake.chat_responder = fn(body) -> str` decides the assistant's content (default: a fixed sentence);
  - `fake.fail(Fault(...), times=n)` queues failures consumed by the next requests, in order:
    an HTTP status (429 with Retry-After, 5xx), a hang (no answer until the client gives up), or
    `content=` that replaces the model's reply (schema-breaking output);
  - `fake.requests` records every request (path, JSON body, headers, arrival time).
Runs in a thread (ThreadingHTTPServer), so sync and async clients, jobs and the sidecar can all use it.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

EMBEDDING_DIMENSIONS = 8
API_KEY = "sk-test-fake"


@dataclass(frozen=True)
class Fault:
    status: int | None = None  # answer this HTTP status with an OpenAI error body
    retry_after: str | None = None  # Retry-After header value, with status 429/503
    hang: bool = False  # hold the request until the client times out (or the server stops)
    content: str | None = None  # reply normally, but with this assistant content (e.g. broken JSON)
    cut_after: int | None = None  # streams: break the connection after this many content chunks
    path: str | None = None  # only for requests to this path ("/v1/chat/completions", "/v1/embeddings")


@dataclass
class Recorded:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival


@dataclass
class FakeOpenAI:
    chat_responder: Callable[[dict[str, Any]], str] = lambda _body: "Hello from the fake model."
    requests: list[Recorded] = field(default_factory=list)
    _faults: deque[Fault] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def fail(self, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._faults.extend([fault] * times)

    def requests_to(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path in (None, path):
                    self._faults.remove(fault)
                    return fault
        return None


def _completion(model: str, content: str, prompt_tokens: int) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": _usage(prompt_tokens, len(content.split())),
    }


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _chunk(model: str, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }


def fake_embedding(text: str) -> list[float]:
    """Deterministic unit-ish vector from the text (tests compare it with what was stored)."""
    digest = hashlib.sha256(text.encode()).digest()
    return [round((b - 128) / 128, 6) for b in digest[:EMBEDDING_DIMENSIONS]]


def _prompt_tokens(body: dict[str, Any]) -> int:
    return sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI  # set on the subclass per server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        fake = self.fake
        fake.requests.append(Recorded(self.path, body, dict(self.headers.items()), time.monotonic()))
        if self.headers.get("authorization") != f"Bearer {API_KEY}":
            return self._error(401, "invalid_api_key")
        fault = fake.take_fault(self.path)
        if fault is not None and fault.hang:
            fake._stopping.wait(30)
            # By now the client has usually given up and closed the socket: that is the point of a hang.
            with suppress(BrokenPipeError, ConnectionResetError):
                self._error(504, "hung")
            return None
        if fault is not None and fault.status is not None:
            return self._error(fault.status, "fault", fault.retry_after)
        if self.path == "/v1/embeddings":
            return self._embeddings(body)
        if self.path == "/v1/chat/completions":
            content = fault.content if fault is not None and fault.content is not None else fake.chat_responder(body)
            if body.get("stream"):
                return self._stream(body, content, fault.cut_after if fault is not None else None)
            return self._json(200, _completion(body.get("model", ""), content, _prompt_tokens(body)))
        return self._error(404, "not_found")

    def _embeddings(self, body: dict[str, Any]) -> None:
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [{"object": "embedding", "index": i, "embedding": fake_embedding(t)} for i, t in enumerate(inputs)]
        tokens = sum(len(t.split()) for t in inputs)
        reply = {"object": "list", "data": data, "model": body.get("model"), "usage": _usage(tokens, 0)}
        self._json(200, reply)

    def _stream(self, body: dict[str, Any], content: str, cut_after: int | None) -> None:
        """SSE over chunked transfer encoding, as OpenAI sends it; a cut stream ends without the last chunk."""
        model = body.get("model", "")
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        words = content.split(" ")
        events = [_chunk(model, {"role": "assistant", "content": ""}, None)]
        events += [_chunk(model, {"content": w if i == 0 else " " + w}, None) for i, w in enumerate(words)]
        events.append(_chunk(model, {}, "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            events.append({**_chunk(model, {}, None), "choices": [], "usage": _usage(_prompt_tokens(body), len(words))})
        lines = [f"data: {json.dumps(event)}\n\n".encode() for event in events] + [b"data: [DONE]\n\n"]
        if cut_after is not None:
            lines = lines[: cut_after + 1]
        for line in lines:
            self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
            self.wfile.flush()
        if cut_after is None:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        self.close_connection = True

    def _error(self, status: int, kind: str, retry_after: str | None = None) -> None:
        payload = {"error": {"message": f"fake {kind} ({status})", "type": kind, "param": None, "code": kind}}
        self._json(status, payload, {"retry-after": retry_after} if retry_after else {})

    def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)


@contextmanager
def running_fake_openai() -> Iterator[FakeOpenAI]:
    """Start the fake on a free loopback port; `fake.url` is the base URL (ends in /v1)."""
    fake = FakeOpenAI()
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="fake-openai", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake._stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()
