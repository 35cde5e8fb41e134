"""A problem found in the user's files (where it is, which field, and what to do), and what
validating a whole declarations folder found."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from connect_gitops.core.declarations import DeclaredConnector


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One problem, rendered as ``file:line:col: field.path: message``.

    Ordered by file, line and column so reports are sorted and stable.
    """

    file: str
    line: int
    col: int
    path: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """What validating one declarations folder found."""

    declarations: tuple[DeclaredConnector, ...]
    problems: tuple[Problem, ...]
    files: tuple[str, ...]
    """Every declaration file read, relative to the folder."""
    config_valid: bool = True
    """False when ``connect-gitops.yaml`` itself is invalid (then no declaration was read)."""

    @property
    def ok(self) -> bool:
        return not any(problem.severity == "error" for problem in self.problems)

    def adding(self, problems: Iterable[Problem]) -> ValidationReport:
        """The same report with more problems (e.g. from ``--remote``), sorted."""
        return replace(self, problems=tuple(sorted((*self.problems, *problems))))
