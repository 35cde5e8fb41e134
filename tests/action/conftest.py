"""Fixtures of the action tests: the runner's output file reader and a fake GitHub."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.support.github import FakeGitHub, parse_github_output, serve


@pytest.fixture
def read_outputs() -> Callable[[Path], dict[str, str]]:
    return lambda path: parse_github_output(path.read_text(encoding="utf-8"))


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    """The fake served over a real socket, in a thread."""
    with serve(FakeGitHub()) as fake:
        yield fake
