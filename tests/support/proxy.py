"""A forwarding HTTP proxy on loopback that records everything it is shown: what a corporate
egress proxy would see of the CLI's requests. Plain http requests are forwarded to their origin;
``CONNECT`` (the tunnel of an https request) is recorded and refused."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authorization", "proxy-connection", "te", "upgrade"}
)


@dataclass(frozen=True)
class Seen:
    """One request as the proxy received it."""

    method: str
    target: str
    """The absolute URL of a forwarded request, ``host:port`` of a CONNECT."""
    headers: dict[str, str]
    body: bytes

    def raw(self) -> str:
        """Everything the proxy was shown, as text."""
        lines = [f"{self.method} {self.target}"] + [f"{k}: {v}" for k, v in self.headers.items()]
        return "\n".join(lines) + "\n\n" + self.body.decode("utf-8", "replace")


@dataclass
class RecordingProxy:
    url: str = ""
    seen: list[Seen] = field(default_factory=list)

    def forwarded(self) -> list[tuple[str, str]]:
        """(method, path) of every forwarded request, in order."""
        return [(s.method, urlsplit(s.target).path) for s in self.seen if s.method != "CONNECT"]


def _handler(proxy: RecordingProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _record(self) -> Seen:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen(self.command, self.path, dict(self.headers.items()), body)
            proxy.seen.append(seen)
            return seen

        def do_CONNECT(self) -> None:
            self._record()
            self.send_response(502, "tunnels refused by the test proxy")
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True

        def _forward(self) -> None:
            seen = self._record()
            target = urlsplit(seen.target)
            headers = {k: v for k, v in seen.headers.items() if k.lower() not in HOP_BY_HOP}
            upstream = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
            try:
                path = target.path + (f"?{target.query}" if target.query else "")
                upstream.request(self.command, path, body=seen.body or None, headers=headers)
                answer = upstream.getresponse()
                body = answer.read()
                self.send_response(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in HOP_BY_HOP | {"transfer-encoding", "content-length"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            finally:
                upstream.close()

        do_GET = _forward
        do_POST = _forward

    return Handler


@contextmanager
def recording_proxy() -> Iterator[RecordingProxy]:
    """The proxy served in a thread on a free loopback port."""
    proxy = RecordingProxy()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy))
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
