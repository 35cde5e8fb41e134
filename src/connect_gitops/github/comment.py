"""The sticky pull-request comment: one plan comment per pull request and target selection,
edited on every run.

A hidden marker names the comment, but anyone can write a marker: a comment is ours only when
the identity of the token in use wrote it (``GET /user``'s login; an installation token such as
the workflow's default ``GITHUB_TOKEN`` cannot read ``/user`` and is the Actions bot,
``github-actions[bot]``). Every other comment is left alone; without one of ours a new comment is
posted. Posting is best-effort: a fork's read-only token, a missing permission or any API error
becomes a warning in the result, because a plan that succeeded must not fail for its comment.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from connect_gitops.core.problems import Problem
from connect_gitops.github.actions import ActionsEnvironment
from connect_gitops.github.api import GitHubAPI, GitHubError, rate_limited, refuse
from connect_gitops.reporting.github import PLAN_MARKER, commit_url, repository_name
from connect_gitops.reporting.pull_request import (
    PlanRenderer,
    Provenance,
    comment_marker,
    comment_title,
    failure_comment,
    plan_comment,
)

DEFAULT_MARKER = PLAN_MARKER
ACTIONS_BOT = "github-actions[bot]"
"""Who the workflow's default ``GITHUB_TOKEN`` writes as."""

CommentAction = Literal["created", "updated", "skipped"]
_WEB_URL = re.compile(r"https?://[!-~]+")

_HINTS = {
    401: "the token is not valid",
    403: (
        "the token may not write to pull requests: give the job `permissions: "
        "pull-requests: write` (a pull request from a fork only gets a read-only token)"
    ),
    404: "the repository or pull request was not found, or the token cannot see it",
    422: "GitHub rejected the comment body",
}


@dataclass(frozen=True, slots=True)
class CommentResult:
    """What happened to the comment; ``warning`` says why nothing was posted."""

    action: CommentAction
    comment_id: int | None = None
    url: str | None = None
    warning: str | None = None

    @property
    def ok(self) -> bool:
        return self.warning is None


def post_sticky_comment(
    body: str,
    *,
    api_url: str,
    repository: str,
    pr_number: int,
    token: str,
    marker: str = DEFAULT_MARKER,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 15.0,
) -> CommentResult:
    """Edit our comment that starts with ``marker`` on pull request ``pr_number`` of
    ``owner/name``, or post ``body`` as a new one. ``body`` starts with ``marker``.

    Never raises for API or network failures: they come back as a result with a warning.
    """
    if not token:
        return _skipped("no GitHub token: set the github-token input or GITHUB_TOKEN")
    if repository_name(repository) is None:
        return _skipped(f"GITHUB_REPOSITORY is not a repository name: {repository!r}")
    listing = f"/repos/{repository}/issues/{pr_number}/comments"
    try:
        with GitHubAPI(api_url, token, transport=transport, timeout=timeout) as api:
            author = token_login(api)
            existing = _find_own_comment(api, listing, marker, author)
            if existing is None:
                answer = _send(api, "POST", listing, body, doing="create the comment")
                return CommentResult(
                    "created", _int(answer.get("id")), _url(answer.get("html_url"))
                )
            edit = f"/repos/{repository}/issues/comments/{existing}"
            answer = _send(api, "PATCH", edit, body, doing="edit the comment")
            return CommentResult("updated", existing, _url(answer.get("html_url")))
    except GitHubError as error:
        return _skipped(str(error))


def token_login(api: GitHubAPI) -> str:
    """The login that comments written with this token carry.

    ``GET /user`` names the user of a personal access token; an installation token (the
    workflow's default ``GITHUB_TOKEN``) has no user and gets 403: it writes as the Actions bot.
    """
    doing = "ask GitHub who the token belongs to"
    response = api.request("GET", "/user", doing=doing)
    if response.status_code == 403 and not rate_limited(response):
        return ACTIONS_BOT
    refuse(response, doing=doing, hints=_HINTS)
    answer = api.json(response, doing=doing)
    login = answer.get("login") if isinstance(answer, dict) else None
    if not isinstance(login, str) or not login:
        raise GitHubError(f"could not {doing}: GitHub's answer names no login")
    return login


def _find_own_comment(api: GitHubAPI, listing: str, marker: str, author: str) -> int | None:
    """The id of the last comment that ``author`` wrote and that starts with the marker."""
    found: int | None = None
    for page in api.pages(listing, doing="list the pull request's comments", hints=_HINTS):
        for comment in page:
            if not isinstance(comment, dict):
                continue
            user = comment.get("user")
            login = user.get("login") if isinstance(user, dict) else None
            body = comment.get("body")
            if (
                isinstance(login, str)
                and login.casefold() == author.casefold()
                and isinstance(body, str)
                and (body == marker or body.startswith(marker + "\n"))
            ):
                found = _int(comment.get("id"))
    return found


def _send(api: GitHubAPI, method: str, path: str, body: str, *, doing: str) -> dict[str, Any]:
    response = api.request(method, path, doing=doing, body={"body": body})
    refuse(response, doing=doing, hints=_HINTS)
    answer = api.json(response, doing=doing)
    return answer if isinstance(answer, dict) else {}


def _skipped(message: str) -> CommentResult:
    return CommentResult("skipped", warning=f"plan comment not posted: {message}")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _url(value: Any) -> str | None:
    """A web URL from GitHub's answer, or None: it is printed and becomes an output, so a
    hostile answer must not bring a line break or a control character along."""
    if not isinstance(value, str) or not _WEB_URL.fullmatch(value):
        return None
    return value


@dataclass(frozen=True)
class PlanComment:
    """``plan --pr-comment``: the comment of this run's pull request, folder and targets.

    Everything else comes from the runner's environment (``$GITHUB_EVENT_PATH``,
    ``$GITHUB_API_URL``, ``$GITHUB_REPOSITORY``, ``$GITHUB_TOKEN``, the run and the commit),
    and the artifact of the JSON plan from ``$CONNECT_GITOPS_PLAN_ARTIFACT``.
    """

    actions: ActionsEnvironment
    say: Callable[[str], None]
    folder: str = "."
    targets: tuple[str, ...] = ()
    transport: httpx.BaseTransport | None = None

    @property
    def marker(self) -> str:
        return comment_marker(self.targets, self.folder)

    @property
    def title(self) -> str:
        return comment_title(self.targets)

    def provenance(self) -> Provenance:
        commit = self.actions.planned_commit()
        actions = self.actions
        return Provenance(
            commit=commit,
            commit_url=commit_url(actions.server_url, actions.repository, commit or ""),
            run_url=actions.run_url(),
            artifact=actions.plan_artifact or None,
        )

    def post_plan(self, render: PlanRenderer) -> CommentResult:
        """The plan, rendered (only when a comment is posted) to fit the comment."""
        return self._post(
            lambda: plan_comment(render, self.provenance(), marker=self.marker, title=self.title)
        )

    def post_failure(self, message: str, problems: Sequence[Problem]) -> CommentResult:
        """The plan failed: say so in the comment, with the problems, instead of leaving the
        last good plan standing."""
        return self._post(
            lambda: failure_comment(
                message,
                problems,
                self.provenance(),
                folder=self.folder,
                marker=self.marker,
                title=self.title,
            )
        )

    def _post(self, body: Callable[[], str]) -> CommentResult:
        actions = self.actions
        if not actions.active:
            self.say("--pr-comment: not running in GitHub Actions; no comment posted")
            return _skipped("not running in GitHub Actions")
        number = actions.pull_request_number()
        if number is None:
            posted = _skipped(
                "this run is not for a pull request (--pr-comment needs a pull_request event)"
            )
        elif not actions.repository:
            posted = _skipped("GITHUB_REPOSITORY is not set")
        else:
            posted = post_sticky_comment(
                body(),
                api_url=actions.api_url,
                repository=actions.repository,
                pr_number=number,
                token=actions.token,
                marker=self.marker,
                transport=self.transport,
            )
        if posted.ok:
            self.say(f"Plan comment {posted.action}: {posted.url or ''}".rstrip(": "))
            if posted.url:
                actions.set_outputs({"comment-url": posted.url})
        else:
            self.say(f"warning: {posted.warning}")
            actions.warning(posted.warning or "plan comment not posted")
        return posted
