"""Real git repositories in temporary folders, never a mocked subprocess."""

from __future__ import annotations

import subprocess
from pathlib import Path

import git as gitpython


def git(*args: str, cwd: Path) -> str:
    """Run git in ``cwd`` with a fixed identity; its stdout, stripped."""
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@e.x", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


class WorkRepo:
    """A working repository that tests write files into and commit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.repo = gitpython.Repo.init(path, initial_branch="main")

    def write(self, relative: str, text: str) -> None:
        file = self.path / relative
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")

    def commit(self, message: str = "change") -> str:
        self.repo.git.add("--all")
        self.repo.git.commit("--quiet", "--allow-empty", "-m", message)
        return self.repo.head.commit.hexsha

    def close(self) -> None:
        self.repo.close()
