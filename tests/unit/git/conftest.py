"""Real git repositories in tmp_path, isolated from the user's own git configuration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.git import WorkRepo


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No global or system config, a fixed identity, no insteadOf unless a test sets one."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.com")
    for name in ("GIT_CONFIG_COUNT", "GIT_SSH_COMMAND", "GIT_SSH", "GIT_TRACE", "GIT_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def work_repo(tmp_path: Path) -> Iterator[WorkRepo]:
    repo = WorkRepo(tmp_path / "work")
    yield repo
    repo.close()
