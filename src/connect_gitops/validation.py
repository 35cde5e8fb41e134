"""``connect-gitops validate``: the configuration and every declaration, all problems at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from connect_gitops.config import Config, ConfigError, load_config
from connect_gitops.core.declarations import DeclaredConnector
from connect_gitops.core.problems import Problem
from connect_gitops.loading import load_folder
from connect_gitops.reporting._format import clean


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """The outcome of validating one declarations folder."""

    config: Config | None
    """None when the configuration itself is invalid (then no declaration was read)."""
    declarations: tuple[DeclaredConnector, ...]
    problems: tuple[Problem, ...]
    files: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not any(problem.severity == "error" for problem in self.problems)


def validate_folder(root: Path, environ: Mapping[str, str]) -> ValidationReport:
    """Validate ``connect-gitops.yaml`` and then every declaration file it selects."""
    try:
        config = load_config(root, environ)
    except ConfigError as error:
        problems = error.problems or (Problem("connect-gitops.yaml", 1, 1, "", str(error)),)
        return ValidationReport(None, (), tuple(problems), ())
    loaded = load_folder(root, config)
    return ValidationReport(config, loaded.declarations, loaded.problems, loaded.files)


def render_problems(problems: Sequence[Problem], folder: str) -> list[str]:
    """One line per problem, ``folder/file:LINE:COL: field.path: message``, already sorted.

    File paths are shown from where the user ran the command (``folder`` as typed), so an editor
    or terminal can jump to them. Control characters (from file names or values) are shown
    escaped, so a hostile file cannot drive the terminal.
    """
    prefix = PurePosixPath(folder.replace("\\", "/"))
    lines = []
    for problem in problems:
        shown = problem.file if str(prefix) in ("", ".") else str(prefix / problem.file)
        line = clean(str(Problem(shown, problem.line, problem.col, problem.path, problem.message)))
        lines.append(line if problem.severity == "error" else f"{line} (warning)")
    return lines


def render_summary(report: ValidationReport, *, verbose: bool = False) -> list[str]:
    """The closing lines for a human: what was checked, and with --verbose each connector."""
    lines: list[str] = []
    if verbose:
        lines.extend(
            f"{item.file}:{item.line}: {item.key} -> target {item.target}"
            for item in report.declarations
        )
    errors = sum(problem.severity == "error" for problem in report.problems)
    files = f"{len(report.files)} file{'s' if len(report.files) != 1 else ''}"
    where = files if report.config is not None else "connect-gitops.yaml"
    if errors:
        lines.append(f"{errors} problem{'s' if errors != 1 else ''} in {where}")
    elif not report.files:
        lines.append("no declaration files found")
    else:
        count = len(report.declarations)
        lines.append(f"ok: {count} connector{'s' if count != 1 else ''} in {files}")
    return lines


def remote_problems(
    declarations: Sequence[DeclaredConnector], *, timeout: float = 60.0
) -> list[Problem]:
    """``--remote``: each declared repository's tag and connect.yaml, checked with git.

    Each (url, tag) is checked once, concurrently; a failure becomes a problem at the
    declaration that names that repository, so it reads like any other validation error.
    """
    from connect_gitops.git_remote import RemoteCheck, check_remotes

    wanted = [(d, d.declaration.repository) for d in declarations if d.declaration.repository]
    checks = sorted({RemoteCheck(repository.url, repository.tag) for _, repository in wanted})
    if not checks:
        return []
    results = check_remotes(checks, timeout=timeout)
    problems: list[Problem] = []
    for item, repository in wanted:
        result = results.get((repository.url, repository.tag))
        if result is not None and result.error is not None:
            problems.append(Problem(item.file, item.line, 1, "repository", result.error))
    return sorted(problems)
