"""The sticky pull-request comment: one plan comment per pull request, edited on every run.

A hidden marker finds our comment among the others, so later runs edit it instead of adding
another. Posting is best-effort: a fork's read-only token, a missing permission or any API error
becomes a warning in the result, because a plan that succeeded must not fail for its comment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from connect_gitops.core.redaction import Secrets
from connect_gitops.github.actions import ActionsEnvironment
from connect_gitops.reporting.github import PLAN_MARKER, pr_comment_body

DEFAULT_MARKER = PLAN_MARKER
PAGE_SIZE = 100
MAX_PAGES = 50
"""A bound on pagination (5,000 comments), so a misbehaving server cannot loop us forever."""

_API_VERSION = "2022-11-28"
_USER_AGENT = "connect-gitops"

CommentAction = Literal["created", "updated", "skipped"]


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


class _GitHubRefused(Exception):
    """An API answer that stops posting; carries a message safe to show (no token)."""


def post_sticky_comment(
    markdown: str,
    *,
    api_url: str,
    repository: str,
    pr_number: int,
    token: str,
    marker: str = DEFAULT_MARKER,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 15.0,
) -> CommentResult:
    """Create or edit the plan comment on pull request ``pr_number`` of ``owner/name``.

    Never raises for API or network failures: they come back as a result with a warning.
    """
    if not token:
        return _skipped("no GitHub token: set the github-token input or GITHUB_TOKEN")
    body = pr_comment_body(markdown, marker=marker)
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": _API_VERSION,
        "User-Agent": _USER_AGENT,
    }
    base = api_url.rstrip("/")
    try:
        with httpx.Client(
            base_url=base, headers=headers, timeout=timeout, transport=transport
        ) as http:
            existing = _find_marked_comment(http, repository, pr_number, marker)
            if existing is None:
                answer = _send(
                    http, "POST", f"/repos/{repository}/issues/{pr_number}/comments", body
                )
                return CommentResult(
                    "created", _int(answer.get("id")), _str(answer.get("html_url"))
                )
            answer = _send(http, "PATCH", f"/repos/{repository}/issues/comments/{existing}", body)
            return CommentResult("updated", existing, _str(answer.get("html_url")))
    except _GitHubRefused as refusal:
        return _skipped(Secrets([token]).redact(str(refusal)))
    except httpx.HTTPError as error:
        reason = f"could not reach the GitHub API at {base}: {type(error).__name__}"
        return _skipped(Secrets([token]).redact(reason))
    except ValueError:
        return _skipped(f"the GitHub API at {base} did not answer with JSON")


def _find_marked_comment(
    http: httpx.Client, repository: str, pr_number: int, marker: str
) -> int | None:
    """The id of the last comment that carries the marker (whoever wrote it), or None."""
    found: int | None = None
    url: str | None = f"/repos/{repository}/issues/{pr_number}/comments"
    params: dict[str, int] | None = {"per_page": PAGE_SIZE}
    for _ in range(MAX_PAGES):
        if url is None:
            break
        response = http.get(url, params=params)
        _raise_for_refusal(response, "list the pull request's comments")
        comments = response.json()
        if not isinstance(comments, list):
            raise _GitHubRefused("unexpected answer listing the pull request's comments")
        for comment in comments:
            if isinstance(comment, dict) and marker in str(comment.get("body") or ""):
                found = _int(comment.get("id"))
        url = response.links.get("next", {}).get("url")
        params = None  # the next link carries its own query
    return found


def _send(http: httpx.Client, method: str, url: str, body: str) -> dict[str, Any]:
    response = http.request(method, url, json={"body": body})
    _raise_for_refusal(response, "create the comment" if method == "POST" else "edit the comment")
    answer = response.json()
    return answer if isinstance(answer, dict) else {}


def _raise_for_refusal(response: httpx.Response, doing: str) -> None:
    if response.is_success:
        return
    status = response.status_code
    hint = {
        401: "the token is not valid",
        403: (
            "the token may not write to pull requests: give the job `permissions: "
            "pull-requests: write` (a pull request from a fork only gets a read-only token)"
        ),
        404: "the repository or pull request was not found, or the token cannot see it",
        422: "GitHub rejected the comment body",
    }.get(status, "GitHub could not do it now")
    raise _GitHubRefused(
        f"could not {doing}: GitHub answered {status} {response.reason_phrase}; {hint}"
    )


def _skipped(message: str) -> CommentResult:
    return CommentResult("skipped", warning=f"plan comment not posted: {message}")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def post_plan_comment(
    markdown: str,
    actions: ActionsEnvironment,
    *,
    marker: str = DEFAULT_MARKER,
    transport: httpx.BaseTransport | None = None,
) -> CommentResult:
    """``plan --pr-comment``: the sticky comment on the pull request this run is for.

    Everything comes from the runner's environment (``$GITHUB_EVENT_PATH``, ``$GITHUB_API_URL``,
    ``$GITHUB_REPOSITORY``, ``$GITHUB_TOKEN``); a run that is not for a pull request is skipped
    with a warning.
    """
    number = actions.pull_request_number()
    if number is None:
        return _skipped(
            "this run is not for a pull request (--pr-comment needs a pull_request event)"
        )
    if not actions.repository:
        return _skipped("GITHUB_REPOSITORY is not set")
    return post_sticky_comment(
        markdown,
        api_url=actions.api_url,
        repository=actions.repository,
        pr_number=number,
        token=actions.token,
        marker=marker,
        transport=transport,
    )


def comment_on_pull_request(
    markdown: Callable[[], str],
    actions: ActionsEnvironment,
    *,
    say: Callable[[str], None],
    transport: httpx.BaseTransport | None = None,
) -> CommentResult:
    """``plan --pr-comment``, all of it: post the sticky comment when running in GitHub Actions,
    and tell the user what happened (a warning annotation too when it was not posted).

    ``markdown`` renders the plan report; it is called only when a comment is posted.
    """
    if not actions.active:
        say("--pr-comment: not running in GitHub Actions; no comment posted")
        return _skipped("not running in GitHub Actions")
    posted = post_plan_comment(markdown(), actions, transport=transport)
    if posted.ok:
        say(f"Plan comment {posted.action}: {posted.url or ''}".rstrip(": "))
    else:
        say(f"warning: {posted.warning}")
        actions.warning(posted.warning or "plan comment not posted")
    return posted
