"""Which files are declarations, and reading one of them into plain data.

Nothing here needs pydantic or the models, so git can match changed paths without loading
them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from connect_gitops.core.problems import Problem
from connect_gitops.source import yamlsafe

CONFIG_FILE: Final = "connect-gitops.yaml"
DEFAULT_CONNECTOR_GLOBS: Final = ("**/*.yaml", "**/*.yml")

Reading = tuple[str, list[yamlsafe.Document]] | Problem
"""A file's text and documents, or the problem that stopped reading it (plain, picklable data)."""


def glob_matcher(patterns: Sequence[str]) -> Callable[[str], bool]:
    """Match '/'-separated relative paths against globs: ``*``, ``?``, ``**/`` for any folders."""
    regexes = [re.compile(_glob_to_regex(pattern)) for pattern in patterns]
    return lambda path: any(regex.fullmatch(path) for regex in regexes)


def _glob_to_regex(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def is_declaration_path(path: str, globs: Sequence[str]) -> bool:
    """Whether a relative path is a declaration file under these globs (not hidden, not config)."""
    parts = path.split("/")
    if path == CONFIG_FILE or any(part.startswith(".") for part in parts[:-1]):
        return False
    return glob_matcher(globs)(path)


def discover_files(root: Path, globs: Sequence[str]) -> list[str]:
    """Declaration files under ``root``: matching ``globs``, outside hidden folders, sorted."""
    matches = glob_matcher(globs)
    found: list[str] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        relative = Path(folder).relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        for name in files:
            path = prefix + name
            if path != CONFIG_FILE and matches(path):
                found.append(path)
    return sorted(found)


def read_declaration_file(root: Path, name: str) -> Reading:
    """Read and parse one file: its text and documents, or the problem that stopped it."""
    try:
        text = yamlsafe.read_text(root / name)
        return text, yamlsafe.parse_documents(text)
    except yamlsafe.YamlProblem as problem:
        return Problem(name, problem.line, problem.col, "", problem.message)
    except OSError as error:
        return Problem(name, 1, 1, "", f"cannot read: {error.strerror}")
