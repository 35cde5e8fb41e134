"""The error of the git side, on its own so that catching it costs no import of git code."""

from __future__ import annotations


class GitError(Exception):
    """git cannot answer: not a repository, no commit yet, an unreadable event file."""
