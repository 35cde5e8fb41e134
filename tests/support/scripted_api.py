"""A "Connect API" on loopback that answers exactly what a test scripts: the answers the
emulator never gives (a 200 of HTML, JSON cut short, a token endpoint that says come back
tomorrow), over a real socket, to the real CLI."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN_PATH = "/oauth/token"


@dataclass(frozen=True)
class Answer:
    """One scripted answer."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, value: Any, status: int = 200, **headers: str) -> Answer:
        return cls(
            status, json.dumps(value).encode(), {"Content-Type": "application/json", **headers}
        )


TOKEN = Answer.json(
    {"access_token": "scripted-token-value", "token_type": "Bearer", "expires_in": 3600}
)
EMPTY_PAGE = Answer.json({"limit": 500, "offset": 0, "count": 0, "total": 0, "results": []})


@dataclass
class ScriptedApi:
    """Answers by (method, path without the query); the token endpoint answers a token and a
    page of connectors is empty unless scripted otherwise."""

    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)

    def answer(self, method: str, path: str) -> Answer:
        self.requests.append((method, path))
        if (method, path) in self.answers:
            return self.answers[(method, path)]
        if (method, path) == ("POST", TOKEN_PATH):
            return TOKEN
        if (method, path) == ("GET", "/connectors/drafts"):
            return EMPTY_PAGE
        return Answer.json({"statusCode": 404, "message": "not found"}, status=404)


def _handler(api: ScriptedApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            answer = api.answer(self.command, self.path.partition("?")[0])
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            correlation = self.headers.get("X-Correlation-ID")
            if correlation is not None:
                self.send_header("X-Correlation-ID", correlation)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = _serve
        do_POST = _serve

    return Handler


@contextmanager
def scripted_api(api: ScriptedApi) -> Iterator[str]:
    """``api`` served in a thread on a free loopback port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
