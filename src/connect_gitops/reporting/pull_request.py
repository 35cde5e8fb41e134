"""The pull request comment's text: which plan it is, the plan within GitHub's size limit, and
where it came from; or, when the plan failed, that it failed and why.

A reviewer must be able to tell a fresh comment from a stale one: every comment names the commit
it planned and links the workflow run, and a failed plan replaces the last good plan instead of
leaving it standing. The plan is rendered to fit the comment (details for as many connectors as
fit); the run's step summary holds all of it. The comment names an artifact holding the JSON plan
only when the workflow says it uploads one: the CLI cannot see what later steps do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from connect_gitops.core.problems import Problem
from connect_gitops.reporting._format import plural, shorten
from connect_gitops.reporting.github import PLAN_MARKER, PR_COMMENT_LIMIT, pr_comment_body
from connect_gitops.reporting.markup import code, text
from connect_gitops.reporting.problems import render_problems

PlanRenderer = Callable[[int, str], str]
"""``(max_chars, title)`` to the plan in Markdown, at most ``max_chars`` characters long."""

ARTIFACT_NAME_LIMIT = 200
"""Characters of the artifact's name shown; a longer name is a mistake, not a name to print."""

MAX_PROBLEMS = 50
"""Problems listed in a failed plan's comment; the run's log has every one."""


def comment_marker(targets: Sequence[str] = (), folder: str = ".") -> str:
    """The hidden first line that finds this plan's comment again on the next run.

    One comment per declarations folder and target selection: the jobs of a matrix (one per
    target) each keep their own comment instead of overwriting each other's. The parts are
    percent-encoded, so no name can end the HTML comment.
    """
    parts = []
    if folder not in ("", "."):
        parts.append(f"folder={quote(folder, safe='/')}")
    if targets:
        parts.append("targets=" + ",".join(quote(t, safe="") for t in sorted(set(targets))))
    if not parts:
        return PLAN_MARKER
    return PLAN_MARKER.removesuffix(" -->") + " " + " ".join(parts) + " -->"


def comment_title(targets: Sequence[str] = ()) -> str:
    """``connect-gitops plan``, with the targets when the run chose some."""
    chosen = sorted(set(targets))
    return "connect-gitops plan" + (f": {', '.join(chosen)}" if chosen else "")


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a comment's plan came from. URLs are None when the runner did not say."""

    commit: str | None = None
    """The full SHA: for a pull request its head, the commit the reviewer sees."""
    commit_url: str | None = None
    run_url: str | None = None
    artifact: str | None = None
    """The artifact the workflow uploads the JSON plan as (the action's ``plan-artifact``
    input, ``CONNECT_GITOPS_PLAN_ARTIFACT``); None when it uploads none."""


def footer(provenance: Provenance, *, planned: bool = True) -> str:
    """The comment's last lines: the commit, the run, and where the whole plan is."""
    said = "Planned" if planned else "Failed"
    if provenance.commit is not None:
        short = code(provenance.commit[:7])
        shown = f"[{short}]({provenance.commit_url})" if provenance.commit_url else short
        said += f" at commit {shown}"
    if provenance.run_url:
        said += f" in [this workflow run]({provenance.run_url})"
    whole = ""
    if planned:
        whole = " The run's summary has the whole plan"
        if provenance.artifact:
            name = code(shorten(provenance.artifact, ARTIFACT_NAME_LIMIT))
            if provenance.run_url:
                name = f"[{name}]({provenance.run_url}#artifacts)"
            whole += f", and the plan in JSON is its artifact {name}"
        whole += "."
    return f"---\n{said}.{whole} This comment is edited on every push.\n"


def plan_comment(
    render: PlanRenderer,
    provenance: Provenance,
    *,
    marker: str = PLAN_MARKER,
    title: str = "connect-gitops plan",
    limit: int = PR_COMMENT_LIMIT,
) -> str:
    """The comment with the plan rendered to fit ``limit`` characters with its marker and
    footer."""
    tail = "\n\n" + footer(provenance)
    budget = limit - len(marker) - 1 - len(tail)
    markdown = render(budget, title).rstrip("\n") + tail
    return pr_comment_body(markdown, marker=marker, limit=limit)


def failure_comment(
    message: str,
    problems: Sequence[Problem],
    provenance: Provenance,
    *,
    folder: str = ".",
    marker: str = PLAN_MARKER,
    title: str = "connect-gitops plan",
    limit: int = PR_COMMENT_LIMIT,
) -> str:
    """The comment of a plan that failed: no plan is shown, so none can be mistaken for
    current. The problems are listed as ``file:line:col: field: message``."""
    where = f"the [workflow run]({provenance.run_url})" if provenance.run_url else "the run"
    body = (
        f"### {text(title)}\n\n**The plan failed**, so this comment shows no plan. "
        f"Why is below; {where} has the whole log.\n\n"
    )
    if message:
        body += f"{code(shorten(message, 1_000))}\n\n"
    if problems:
        lines = render_problems(problems, folder)
        body += "".join(f"- {code(shorten(line, 500))}\n" for line in lines[:MAX_PROBLEMS])
        if len(lines) > MAX_PROBLEMS:
            more = plural(len(lines) - MAX_PROBLEMS, "more problem")
            body += f"- … and {more}, in the run's log\n"
        body += "\n"
    return pr_comment_body(body + footer(provenance, planned=False), marker=marker, limit=limit)
