"""The GitHub side of the action tests: a runner-faithful reader of $GITHUB_OUTPUT and a small
fake of the GitHub REST endpoints the CLI uses: the token's user, a branch's tip, and the
comments of pull requests."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


def parse_github_output(text: str) -> dict[str, str]:
    """Read a $GITHUB_OUTPUT file the way the runner does: ``name=value`` or heredoc form."""
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value: list[str] = []
            while lines[index] != delimiter:
                value.append(lines[index])
                index += 1
            index += 1
            outputs[name] = "\n".join(value)
        else:
            name, value_text = line.split("=", 1)
            outputs[name] = value_text
    return outputs


ACTIONS_BOT = "github-actions[bot]"


@dataclass
class FakeGitHub:
    """Issue comments of pull requests and branch tips, kept in memory; ``refuse`` answers
    every call with it."""

    base_url: str = ""
    token: str = "ghs_fake_token_123"
    login: str | None = None
    """The user of ``token`` (a personal access token); None: an installation token, which
    ``GET /user`` refuses with 403 and which writes as the Actions bot."""
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    """Branch name to the SHA of its tip (``GET /repos/o/r/git/ref/heads/NAME``)."""
    ref_failures: list[int] = field(default_factory=list)
    """Statuses to answer the next branch-tip requests with, one each, before answering."""
    next_link: str | None = None
    """Sent as the ``rel="next"`` link of every page of comments instead of the real one."""
    comment_url: str = "https://github.test/c/{id}"
    """The ``html_url`` of a created or edited comment (``{id}``: its id)."""
    requests: list[tuple[str, str]] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    refuse: int | None = None
    refuse_method: str | None = None
    """With ``refuse``: refuse only this method (e.g. PATCH), answer the others."""
    next_id: int = 1000

    @property
    def author(self) -> str:
        """Who comments written with ``token`` are by."""
        return self.login or ACTIONS_BOT

    def add_comment(self, pr: int, body: str, user: str = "someone") -> int:
        self.next_id += 1
        self.comments.setdefault(pr, []).append(
            {"id": self.next_id, "body": body, "user": {"login": user}}
        )
        return self.next_id


_LIST = re.compile(r"^/repos/([^/]+)/([^/]+)/issues/(\d+)/comments$")
_EDIT = re.compile(r"^/repos/([^/]+)/([^/]+)/issues/comments/(\d+)$")
_BRANCH = re.compile(r"^/repos/([^/]+)/([^/]+)/git/ref/heads/(.+)$")


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _start(self) -> tuple[str, dict[str, list[str]]] | None:
            url = urlsplit(self.path)
            fake.requests.append((self.command, url.path))
            fake.authorizations.append(self.headers.get("Authorization", ""))
            if self.headers.get("Authorization") != f"Bearer {fake.token}":
                self._answer(401, {"message": "Bad credentials"})
                return None
            if fake.refuse is not None and fake.refuse_method in (None, self.command):
                self._answer(fake.refuse, {"message": "Resource not accessible by integration"})
                return None
            return url.path, parse_qs(url.query)

        def _json_body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length", "0"))
            loaded = json.loads(self.rfile.read(length) or b"{}")
            assert isinstance(loaded, dict)
            return loaded

        def do_GET(self) -> None:
            started = self._start()
            if started is None:
                return
            path, query = started
            if path == "/user":
                if fake.login is None:
                    self._answer(403, {"message": "Resource not accessible by integration"})
                else:
                    self._answer(200, {"login": fake.login, "type": "User"})
                return
            branch = _BRANCH.match(path)
            if branch:
                self._branch(unquote(branch.group(3)))
                return
            match = _LIST.match(path)
            if not match:
                self._answer(404, {"message": "Not Found"})
                return
            pr = int(match.group(3))
            per_page = int(query.get("per_page", ["30"])[0])
            page = int(query.get("page", ["1"])[0])
            everything = fake.comments.get(pr, [])
            chunk = everything[(page - 1) * per_page : page * per_page]
            headers = {}
            if page * per_page < len(everything):
                following = f"{fake.base_url}{path}?per_page={per_page}&page={page + 1}"
                headers["Link"] = f'<{following}>; rel="next"'
            if fake.next_link is not None:
                headers["Link"] = f'<{fake.next_link}>; rel="next"'
            self._answer(200, chunk, headers)

        def _branch(self, name: str) -> None:
            if fake.ref_failures:
                self._answer(fake.ref_failures.pop(0), {"message": "Server Error"})
            elif name in fake.branches:
                sha = fake.branches[name]
                self._answer(
                    200, {"ref": f"refs/heads/{name}", "object": {"sha": sha, "type": "commit"}}
                )
            else:
                self._answer(404, {"message": "Not Found"})

        def do_POST(self) -> None:
            started = self._start()
            if started is None:
                return
            match = _LIST.match(started[0])
            if not match:
                self._answer(404, {"message": "Not Found"})
                return
            pr = int(match.group(3))
            comment_id = fake.add_comment(pr, self._json_body()["body"], user=fake.author)
            self._answer(
                201, {"id": comment_id, "html_url": fake.comment_url.format(id=comment_id)}
            )

        def do_PATCH(self) -> None:
            started = self._start()
            if started is None:
                return
            match = _EDIT.match(started[0])
            comment_id = int(match.group(3)) if match else -1
            for comments in fake.comments.values():
                for comment in comments:
                    if comment["id"] == comment_id:
                        comment["body"] = self._json_body()["body"]
                        self._answer(
                            200,
                            {"id": comment_id, "html_url": fake.comment_url.format(id=comment_id)},
                        )
                        return
            self._answer(404, {"message": "Not Found"})

    return Handler


@contextmanager
def serve(fake: FakeGitHub, host: str = "127.0.0.1") -> Iterator[FakeGitHub]:
    """``fake`` served on ``host`` (port chosen by the system) from a thread, while in use."""
    server = ThreadingHTTPServer((host, 0), _handler(fake))
    fake.base_url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
