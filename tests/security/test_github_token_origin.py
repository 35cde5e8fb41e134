"""The GitHub token goes to GITHUB_API_URL's origin and nowhere else (issue 15, item 1).

A listing of pull request comments whose ``Link: <…>; rel="next"`` points to another host, port
or scheme must not be followed: a trap listening there must never see a connection, let alone
the token. A plain-http GITHUB_API_URL off this machine gets no request at all.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from connect_gitops.github.comment import post_sticky_comment
from tests.support.github import FakeGitHub

REPO = "example/declarations"
PR = 7


@dataclass
class Trap:
    """A TCP listener that records every byte anyone sends it."""

    host: str
    port: int = 0
    received: list[bytes] = field(default_factory=list)


@pytest.fixture
def trap() -> Iterator[Trap]:
    listener = socket.socket()
    listener.bind(("127.0.0.2", 0))
    listener.listen()
    listener.settimeout(0.05)
    found = Trap("127.0.0.2", listener.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    found.received.append(connection.recv(65536))
                except OSError:
                    found.received.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield found
    stop.set()
    thread.join(timeout=5)
    listener.close()


def post(fake: FakeGitHub) -> str | None:
    result = post_sticky_comment(
        "<!-- connect-gitops:plan -->\nplan",
        api_url=fake.base_url,
        repository=REPO,
        pr_number=PR,
        token=fake.token,
    )
    assert result.action == "skipped"
    return result.warning


@pytest.mark.parametrize(
    "link",
    [
        "http://127.0.0.2:{trap}/steal?page=2",
        "https://127.0.0.2:{trap}/steal?page=2",
        "//127.0.0.2:{trap}/steal?page=2",
    ],
)
def test_a_next_page_on_another_host_never_gets_the_token(
    fake_github: FakeGitHub, trap: Trap, link: str
) -> None:
    fake_github.next_link = link.format(trap=trap.port)

    warning = post(fake_github)

    assert trap.received == []
    scheme = "https" if link.startswith("https") else "http"
    assert warning == (
        "plan comment not posted: could not list the pull request's comments: GitHub's "
        f"answer pointed to {scheme}://127.0.0.2:{trap.port}, which is not the GitHub API at "
        f"{fake_github.base_url}; the token is not sent there"
    )
    assert fake_github.comments == {}


def test_a_next_page_on_another_port_or_scheme_of_the_same_host_is_not_followed(
    fake_github: FakeGitHub,
) -> None:
    port = int(fake_github.base_url.rsplit(":", 1)[1])
    for link in (
        f"https://127.0.0.1:{port}/repos/{REPO}/issues/{PR}/comments?page=2",
        f"http://127.0.0.1:{port + 1}/repos/{REPO}/issues/{PR}/comments?page=2",
        f"http://localhost:{port}/repos/{REPO}/issues/{PR}/comments?page=2",
        f"http://user@127.0.0.1:{port}/repos/{REPO}/issues/{PR}/comments?page=2",
    ):
        fake_github.next_link = link
        fake_github.requests.clear()

        warning = post(fake_github)

        assert warning is not None, link
        assert "the token is not sent there" in warning, link
        assert fake_github.requests == [
            ("GET", "/user"),
            ("GET", f"/repos/{REPO}/issues/{PR}/comments"),
        ], link


def test_a_next_page_on_the_same_origin_is_followed(fake_github: FakeGitHub) -> None:
    for number in range(120):
        fake_github.add_comment(PR, f"chatter {number}")

    result = post_sticky_comment(
        "<!-- connect-gitops:plan -->\nplan",
        api_url=fake_github.base_url,
        repository=REPO,
        pr_number=PR,
        token=fake_github.token,
    )

    assert result.action == "created"
    lists = [r for r in fake_github.requests if r[1].endswith("/comments") and r[0] == "GET"]
    assert len(lists) == 2


def test_plain_http_to_a_github_api_off_this_machine_sends_nothing() -> None:
    result = post_sticky_comment(
        "<!-- connect-gitops:plan -->\nplan",
        api_url="http://github.example.com",
        repository=REPO,
        pr_number=PR,
        token="ghs_secret",
    )

    assert result.warning == (
        "plan comment not posted: GITHUB_API_URL: plain http is allowed only for loopback "
        "hosts (127.0.0.0/8, ::1, localhost), not 'github.example.com': use https"
    )
