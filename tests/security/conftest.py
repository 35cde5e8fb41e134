"""Fixtures of the security tests: a fake GitHub API for the PR comment, on a real socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.github import FakeGitHub, serve


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """The fake served over a real socket, in a thread."""
    with serve(FakeGitHub()) as fake:
        yield fake
