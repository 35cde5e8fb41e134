"""GitHub Actions workflow commands and files, rendered as text; the CLI writes them.

Every escape follows the runner's own rules (actions/toolkit ``command.ts``), because a message
that contains ``%``, a newline, ``:`` or ``,`` would otherwise be cut short or read as another
property. Nothing here reads the environment or writes a file.

(No ``from __future__ import annotations`` here: it would shadow :func:`annotations`.)
"""

import os
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePath, PurePosixPath
from typing import Any, Literal

from connect_gitops.core.outcomes import Outcome
from connect_gitops.core.plan import Plan
from connect_gitops.core.problems import Problem
from connect_gitops.core.urls import check_service_url
from connect_gitops.reporting.summary import drifted, missing

ANNOTATION_LIMIT = 10
"""GitHub shows at most 10 error annotations per step; the rest go to the step summary."""

STEP_SUMMARY_LIMIT = 1_000_000
"""Bytes; GitHub refuses step summaries over 1 MiB, so we stay a little under it."""

PR_COMMENT_LIMIT = 65_000
"""Characters; GitHub refuses comment bodies over 65,536, so we stay a little under it."""

PLAN_MARKER = "<!-- connect-gitops:plan -->"

Relativiser = Callable[[str], str]


def escape_data(value: str) -> str:
    """Escape a workflow command's message (``%``, CR, LF)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow command's property value (also ``:`` and ``,``)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _relativiser(workspace_relative: Relativiser | str | os.PathLike[str] | None) -> Relativiser:
    """A function from a file path to the path GitHub expects, relative to GITHUB_WORKSPACE."""
    if workspace_relative is None:
        return lambda path: path
    if callable(workspace_relative):
        return workspace_relative
    base = PurePath(os.fspath(workspace_relative))

    def relative(path: str) -> str:
        pure = PurePath(path)
        if pure.is_absolute() and pure.is_relative_to(base):
            return PurePosixPath(*pure.relative_to(base).parts).as_posix()
        return path

    return relative


def _command(
    level: Literal["error", "warning", "notice"],
    message: str,
    properties: Mapping[str, str | int | None],
) -> str:
    props = ",".join(
        f"{name}={escape_property(str(value))}"
        for name, value in properties.items()
        if value is not None and value != ""
    )
    return f"::{level}{' ' + props if props else ''}::{escape_data(message)}"


def _problem_annotation(problem: Problem, relative: Relativiser) -> str:
    return _command(
        problem.severity,
        f"{problem.path}: {problem.message}" if problem.path else problem.message,
        {
            "file": relative(problem.file) if problem.file else None,
            "line": problem.line,
            "col": problem.col,
            "title": f"connect-gitops: {problem.path}" if problem.path else "connect-gitops",
        },
    )


def _outcome_message(outcome: Outcome) -> str:
    parts = [f"{outcome.key} ({outcome.target}) {outcome.kind}"]
    detail = f"{outcome.code}: {outcome.message}" if outcome.code else outcome.message
    if detail:
        parts.append(detail)
    for step in outcome.lifecycle:
        if step.state in ("failed", "timed_out"):
            entries = "; ".join(
                ": ".join(str(entry[k]) for k in ("type", "title", "message") if entry.get(k))
                for entry in step.entries
            )
            text = f"{step.step} {step.state.replace('_', ' ')}"
            parts.append(": ".join(p for p in (text, step.message, entries) if p))
    if outcome.correlation_id:
        parts.append(f"correlation id {outcome.correlation_id}")
    return "; ".join(parts)


def _outcome_annotation(outcome: Outcome, relative: Relativiser) -> str:
    return _command(
        "error",
        _outcome_message(outcome),
        {
            "file": relative(outcome.file) if outcome.file else None,
            "line": outcome.line if outcome.file else None,
            "title": f"connect-gitops: {outcome.key} {outcome.kind}",
        },
    )


def annotations(
    items: Iterable[Problem | Outcome],
    *,
    workspace_relative: Relativiser | str | os.PathLike[str] | None = None,
    limit: int = ANNOTATION_LIMIT,
) -> list[str]:
    """``::error file=…,line=…,col=…,title=…::message`` lines for problems and failed connectors.

    Outcomes that succeeded are skipped. At most ``limit`` annotations are written, then one
    warning says how many more there are, since GitHub would silently drop them.
    """
    relative = _relativiser(workspace_relative)
    lines: list[str] = []
    for item in items:
        if isinstance(item, Problem):
            lines.append(_problem_annotation(item, relative))
        elif not item.ok:
            lines.append(_outcome_annotation(item, relative))
    if len(lines) <= limit:
        return lines
    hidden = len(lines) - limit
    noun = "problem" if hidden == 1 else "problems"
    return [*lines[:limit], f"::warning::{hidden} more {noun} not annotated; see the step summary"]


def mask(value: str) -> str:
    """``::add-mask::value``: the runner hides ``value`` in every later log line."""
    return f"::add-mask::{escape_data(value)}"


def plan_counts(plan: Plan) -> dict[str, int]:
    """The ``to-create``, ``to-update``, ``blocked`` and ``orphans`` outputs of a plan.

    Connectors and deployments alike: a deployment's ``redeploy`` or ``replace`` is one more
    thing to update. A drift report counts what its headline counts: missing and drifted.
    """
    summary = plan.summary
    if plan.mode == "drift":
        to_create, to_update = len(missing(plan)), len(drifted(plan))
    else:
        to_create = summary.create
        to_update = summary.update + summary.redeploy + summary.replace
    return {
        "to-create": to_create,
        "to-update": to_update,
        "blocked": summary.blocked,
        "orphans": summary.orphans,
    }


_COMMIT_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


def commit_sha(value: Any) -> str | None:
    """``value`` as a full commit SHA (lower case), or None when it is not one."""
    if not isinstance(value, str) or not _COMMIT_SHA.fullmatch(value.lower()):
        return None
    return value.lower()


def repository_name(value: str) -> str | None:
    """``owner/name`` as GitHub spells repositories, or None (never a path to anything else)."""
    if not _REPOSITORY.fullmatch(value) or {".", ".."} & set(value.split("/")):
        return None
    return value


def _page(server_url: str, repository: str, path: str) -> str | None:
    try:
        server = check_service_url(server_url)
    except ValueError:
        return None
    name = repository_name(repository)
    return f"{server}/{name}/{path}" if name else None


def run_url(server_url: str, repository: str, run_id: str) -> str | None:
    """The page of workflow run ``run_id``; None unless every part is what GitHub gives."""
    if not (run_id.isascii() and run_id.isdigit()):
        return None
    return _page(server_url, repository, f"actions/runs/{run_id}")


def commit_url(server_url: str, repository: str, sha: str) -> str | None:
    """The page of a commit; None unless every part is what GitHub gives."""
    full = commit_sha(sha)
    return _page(server_url, repository, f"commit/{full}") if full else None


def fit_bytes(render: Callable[[int], str], limit: int) -> str:
    """``render(max_chars)`` within ``limit`` UTF-8 bytes: a renderer counts characters, and a
    character outside ASCII takes more than one byte, so it is asked again for fewer."""
    budget = limit
    text = render(budget)
    for _ in range(4):
        size = len(text.encode("utf-8"))
        if size <= limit:
            break
        budget = max(budget * limit // size - 1_000, 0)
        text = render(budget)
    return text


def _random_delimiter() -> str:
    return f"ghadelimiter_{secrets.token_hex(16)}"


def output_lines(
    outputs: Mapping[str, str],
    *,
    new_delimiter: Callable[[], str] = _random_delimiter,
) -> str:
    """The text to append to ``$GITHUB_OUTPUT``: ``name<<DELIM``, value, ``DELIM`` per output.

    The heredoc form is used for every value so that a newline in a value (the plan JSON) can
    never start a forged output; the delimiter is random and never occurs in the value.
    """
    chunks = []
    for name, value in outputs.items():
        if not name or "\n" in name or "\r" in name or "<<" in name or "=" in name:
            raise ValueError(f"invalid output name: {name!r}")
        delimiter = new_delimiter()
        while delimiter in value or delimiter in name:
            delimiter = new_delimiter()
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(chunks)


def _close_details(text: str) -> str:
    """Close ``<details>`` blocks that a cut left open, so the rest of the page renders."""
    unclosed = text.count("<details") - text.count("</details>")
    return text + "\n</details>" * max(unclosed, 0)


def _cut_at_line(text: str, max_chars: int) -> str:
    cut = text[:max_chars]
    newline = cut.rfind("\n")
    return cut[: newline + 1] if newline > max_chars // 2 else cut


STEP_SUMMARY_NOTE = (
    "\n\n> [!NOTE]\n> This summary was truncated to stay under GitHub's step summary size "
    "limit. The complete plan is in the JSON plan (`--format json`).\n"
)


def step_summary(markdown: str, limit: int = STEP_SUMMARY_LIMIT) -> str:
    """``markdown`` for ``$GITHUB_STEP_SUMMARY``, cut with a note to stay under ``limit`` bytes."""
    if len(markdown.encode("utf-8")) <= limit:
        return markdown
    budget = limit - len(STEP_SUMMARY_NOTE.encode("utf-8")) - 200  # room for closing tags
    if budget <= 0:
        raise ValueError(f"limit {limit} is too small for the truncation note")
    head = markdown.encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    text = _close_details(_cut_at_line(head, len(head))) + STEP_SUMMARY_NOTE
    while len(text.encode("utf-8")) > limit:  # only with pathological <details> counts
        head = head[: len(head) // 2]
        text = _close_details(_cut_at_line(head, len(head))) + STEP_SUMMARY_NOTE
    return text


PR_COMMENT_NOTE = (
    "\n\n> [!NOTE]\n> This comment was truncated to fit GitHub's comment size limit. "
    "The complete plan is in the step summary of the workflow run.\n"
)


def pr_comment_body(
    markdown: str, *, marker: str = PLAN_MARKER, limit: int = PR_COMMENT_LIMIT
) -> str:
    """The pull request comment: the hidden marker that finds it again, then the text.

    Over ``limit`` characters the text is cut with a pointer to the step summary: the last
    resort, for text that was not rendered to fit (:mod:`.pull_request` renders to fit).
    """
    body = f"{marker}\n{markdown}"
    if len(body) <= limit:
        return body
    budget = limit - len(PR_COMMENT_NOTE) - 200 - len(marker) - 1
    if budget <= 0:
        raise ValueError(f"limit {limit} is too small for the truncation note")
    head = markdown[:budget]
    text = f"{marker}\n{_close_details(_cut_at_line(head, len(head)))}{PR_COMMENT_NOTE}"
    while len(text) > limit:
        head = head[: len(head) // 2]
        text = f"{marker}\n{_close_details(_cut_at_line(head, len(head)))}{PR_COMMENT_NOTE}"
    return text
