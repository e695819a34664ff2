"""A local HTTP server standing in for WeCom and an SMS gateway: it records every request it
receives and answers from a script (then with success), so channel tests need no network."""

from __future__ import annotations

import contextlib
import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    json: dict
    headers: dict[str, str]


@dataclass
class FakeProvider:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    # (status, JSON answer) for the next requests, in order; afterwards the default answers.
    script: deque = field(default_factory=deque)
    token: str = "TOKEN-1"

    def to(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    def answer(self, path: str) -> tuple[int, dict]:
        if self.script:
            return self.script.popleft()
        if path.endswith("/gettoken"):
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": self.token, "expires_in": 7200}
        return 200, {"errcode": 0, "errmsg": "ok"}


@contextlib.contextmanager
def fake_provider() -> Iterator[FakeProvider]:
    provider = FakeProvider()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            provider.received.append(
                Received(
                    method=self.command,
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    json=json.loads(raw) if raw else {},
                    headers=dict(self.headers),
                )
            )
            status, answer = provider.answer(parts.path)
            body = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _handle

        def log_message(self, *args) -> None:  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
