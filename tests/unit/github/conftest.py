"""A fake GitHub API on a real socket, for the GitHub edge's own tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.github import FakeGitHub, serve


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """The fake served over a real socket, in a thread."""
    with serve(FakeGitHub()) as fake:
        yield fake
