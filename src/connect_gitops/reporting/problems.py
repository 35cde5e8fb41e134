"""Problems in the user's files, rendered: one line each for the terminal, the closing summary
of ``validate``, and the step summary's Markdown list."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from connect_gitops.core.declarations import ValidationReport
from connect_gitops.core.problems import Problem
from connect_gitops.reporting._format import clean, plural


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
            clean(f"{item.file}:{item.line}: {item.key} -> target {item.target}")
            for item in report.declarations
        )
        lines.extend(
            clean(f"{item.file}:{item.line}: deployment {item.key} -> target {item.target}")
            for item in report.deployments
        )
    errors = sum(problem.severity == "error" for problem in report.problems)
    files = f"{len(report.files)} file{'s' if len(report.files) != 1 else ''}"
    where = files if report.config_valid else "connect-gitops.yaml"
    if errors:
        lines.append(f"{errors} problem{'s' if errors != 1 else ''} in {where}")
    elif not report.files:
        lines.append("no declaration files found")
    else:
        count = len(report.declarations)
        found = f"{count} connector{'s' if count != 1 else ''}"
        if report.deployments:
            deployments = len(report.deployments)
            found += f" and {deployments} deployment{'s' if deployments != 1 else ''}"
        lines.append(f"ok: {found} in {files}")
    return lines


def problems_markdown(problems: Sequence[Problem]) -> str:
    """``validate``'s step summary: a heading and a table row per problem.

    File names, field names and messages come from the user's files (an unknown field's name is
    whatever the YAML says), so every cell goes through the plan report's own escaping: a
    backtick cannot close a code span, and no HTML, link or mention renders.
    """
    from connect_gitops.reporting.markup import code, text

    rows = "".join(
        f"| {code(f'{p.file}:{p.line}:{p.col}')} | {code(p.path) if p.path else ''} | "
        f"{text(p.message)}{' (warning)' if p.severity == 'warning' else ''} |\n"
        for p in problems
    )
    return (
        f"## connect-gitops validate\n\n{plural(len(problems), 'problem')}\n\n"
        f"| where | field | problem |\n| --- | --- | --- |\n{rows}"
    )
