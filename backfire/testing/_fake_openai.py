"""A local OpenAI-compatible HTTP server for tests and benchmarks.

It answers ``POST /v1/chat/completions`` (OpenAI) and ``POST /v1/messages``
(Anthropic) with a small JSON agent reply, after a configurable latency, and
enforces a requests-per-window limit (``rpm`` per ``window_s``, a minute by
default) with ``429`` and a ``Retry-After`` header, like a real provider. It
counts every request it accepted by body hash, so a test can prove that no call
was paid for twice. With ``prefix_cache`` it caches prompt prefixes as the
providers do and reports the cached tokens in ``usage``: OpenAI-style
automatically (prompts of at least 1,024 tokens, in 128-token steps), Anthropic-
style only up to the ``cache_control`` breakpoints a request marks. Tokens are
counted as characters / 4. Loopback only.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAIServer:
    def __init__(
        self,
        latency_s: float = 0.0,
        rpm: int | None = None,
        fail_first: int = 0,
        reply: dict[str, Any] | None = None,
        model_id: str = "fake-model-2026-01-01",
        window_s: float = 60.0,
        prefix_cache: bool = False,
    ):
        self.latency_s, self.rpm, self.fail_first = latency_s, rpm, fail_first
        self.prefix_cache = prefix_cache
        self._cached: set[str] = set()  # hashes of cached prompt prefixes
        self.last_body: dict[str, Any] = {}
        self.reply = reply or {"speech": "I will not agree to that.", "thought": "I am worried."}
        self.model_id, self.window_s = model_id, window_s
        self.accepted: Counter[str] = Counter()
        self.rejected_429 = 0
        self.failed_500 = 0
        self._window: deque[float] = deque()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                data = json.dumps(server.stats()).encode()
                self.send_response(200 if self.path.rstrip("/").endswith("/stats") else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, headers, payload = server._handle(self.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def duplicate_calls(self) -> int:
        return sum(n - 1 for n in self.accepted.values() if n > 1)

    def stats(self) -> dict[str, int]:
        """Counters, also served at ``GET /v1/stats``."""
        with self._lock:
            return {
                "accepted": sum(self.accepted.values()),
                "duplicate_calls": self.duplicate_calls,
                "rejected_429": self.rejected_429,
                "failed_500": self.failed_500,
            }

    def _cached_chars(self, text: str, ends: list[int], write: list[int]) -> int:
        """Longest cached prefix of ``text`` ending at one of ``ends``; caches ``write``."""
        keys, h, done = {}, hashlib.sha256(), 0
        for n in sorted(set(ends) | set(write)):  # one pass over the text
            h.update(text[done:n].encode())
            keys[n], done = h.copy().hexdigest(), n
        with self._lock:
            hit = max((n for n in ends if keys[n] in self._cached), default=0)
            self._cached.update(keys[n] for n in write)
        return hit

    def _openai_usage(self, req: dict[str, Any], text: str) -> dict[str, Any]:
        prompt = "".join(f"{m.get('role')}:{m.get('content', '')}\n" for m in req["messages"])
        cached = 0
        if self.prefix_cache and len(prompt) >= 4096:  # 1,024 tokens
            steps = list(range(4096, len(prompt) + 1, 512))  # then every 128 tokens
            cached = self._cached_chars(prompt, steps, steps)
        return {
            "prompt_tokens": len(prompt) // 4 + 1,
            "completion_tokens": len(text) // 4 + 1,
            "total_tokens": len(prompt) // 4 + len(text) // 4 + 2,
            "prompt_tokens_details": {"cached_tokens": cached // 4},
        }

    def _anthropic_usage(self, req: dict[str, Any], text: str) -> dict[str, Any]:
        # the prompt as blocks (system, then each message's content blocks); a
        # block marked with cache_control is a breakpoint: the prefix up to its end
        # is cached, and a later request whose prompt starts with it reads it
        blocks: list[tuple[str, dict[str, Any]]] = []
        for role, content in [("system", req.get("system") or [])] + [
            (m["role"], m["content"]) for m in req.get("messages", [])
        ]:
            if isinstance(content, str):
                content = [{"type": "text", "text": content}]
            blocks += [(role, b) for b in content]
        prompt, ends, marks = "", [], []
        for role, b in blocks:
            prompt += f"{role}:{b.get('text', json.dumps(b, sort_keys=True))}\n"
            ends.append(len(prompt))
            if b.get("cache_control"):
                marks.append(len(prompt))
        cached = self._cached_chars(prompt, ends, marks) if self.prefix_cache else 0
        written = max(marks, default=0) - cached if self.prefix_cache else 0
        return {
            "input_tokens": (len(prompt) - cached - max(written, 0)) // 4 + 1,
            "output_tokens": len(text) // 4 + 1,
            "cache_read_input_tokens": cached // 4,
            "cache_creation_input_tokens": max(written, 0) // 4,
        }

    def _handle(self, path: str, body: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
        route = path.rstrip("/")
        if not route.endswith(("/chat/completions", "/messages")):
            return 404, {}, {"error": {"message": f"no route {path}"}}
        with self._lock:
            now = time.monotonic()
            if self.fail_first > 0:
                self.fail_first -= 1
                self.failed_500 += 1
                return (
                    500,
                    {},
                    {"error": {"message": "transient server error", "type": "server_error"}},
                )
            if self.rpm is not None:
                while self._window and now - self._window[0] >= self.window_s:
                    self._window.popleft()
                if len(self._window) >= self.rpm:
                    self.rejected_429 += 1
                    wait = self.window_s - (now - self._window[0])
                    return (
                        429,
                        {"Retry-After": f"{max(wait, 0.01):.3f}"},
                        {"error": {"message": "rate limit exceeded", "type": "rate_limit"}},
                    )
                self._window.append(now)
            self.accepted[hashlib.sha256(body).hexdigest()] += 1
        if self.latency_s:
            time.sleep(self.latency_s)
        req = json.loads(body or b"{}")
        self.last_body = req
        content = dict(self.reply)
        rf = req.get("response_format") or {}
        enum = (
            rf.get("json_schema", {})
            .get("schema", {})
            .get("properties", {})
            .get("vote", {})
            .get("enum")
        )
        if enum:
            content["vote"] = enum[1]
        text = json.dumps(content)
        if route.endswith("/messages"):
            return (
                200,
                {},
                {
                    "id": "msg_fake",
                    "type": "message",
                    "role": "assistant",
                    "model": self.model_id,
                    "content": [{"type": "text", "text": text}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": self._anthropic_usage(req, text),
                },
            )
        usage = self._openai_usage(req, text)
        return (
            200,
            {},
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": self.model_id,
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": text},
                    }
                ],
                "usage": usage,
            },
        )


def _serve(conn, kwargs: dict[str, Any]) -> None:  # noqa: ANN001
    with FakeOpenAIServer(**kwargs) as srv:
        conn.send(srv.base_url)
        conn.recv()  # block until told to stop


class FakeOpenAIProcess:
    """The same server in its own process, so its work does not share the client's
    interpreter (as with a real, remote provider). Counters via :meth:`stats`."""

    def __init__(self, **kwargs: Any):
        import multiprocessing as mp

        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, kwargs), daemon=True)
        self.base_url = ""

    def __enter__(self) -> FakeOpenAIProcess:
        self._proc.start()
        self.base_url = self._conn.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._proc.join(10)
        if self._proc.is_alive():
            self._proc.terminate()

    def stats(self) -> dict[str, int]:
        import urllib.request

        with urllib.request.urlopen(self.base_url + "/stats", timeout=10) as r:
            return json.loads(r.read())
