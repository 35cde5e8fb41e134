"""Fixtures of the security tests: a fake GitHub API for the PR comment, on a real socket."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.action.github_fakes import FakeGitHub, serve


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    server = serve(fake)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
