"""Is the commit this run checked out still the tip of the branch it runs for?

The push workflow applies the declarations of the commit it checked out. A re-run of an old
run, or a run that a newer push overtook, would apply older declarations and roll live
connectors back. So under GitHub Actions ``apply`` first asks GitHub for the branch's tip
(``GET /repos/{owner}/{repo}/git/ref/heads/{branch}``) and refuses when it is another commit.

When GitHub cannot tell, the answer depends on why:

- It never will (no token; 401, 403 or 404: the token may not read the repository, or the
  branch is gone): refuse, and say what to fix. A setting that is wrong stays wrong, and
  turning the check off without a word would leave nobody protected.
- It does not now (no connection, a timeout, a rate limit, a server error, an answer that is
  not JSON), three times: apply, with a warning. An outage of GitHub's API must not stop every
  apply, while a stale run needs both an outage and an old run at that very moment.

Nothing is checked outside GitHub Actions, for a ref that is not a branch (a tag, a pull
request's merge ref), or when the runner did not say which ref and commit (``GITHUB_REF``,
``GITHUB_SHA``: every real run has them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

import httpx

from connect_gitops.github.actions import ActionsEnvironment
from connect_gitops.github.api import GitHubAPI, GitHubError, refuse
from connect_gitops.reporting.github import commit_sha, repository_name

Verdict = Literal["unchecked", "tip", "stale", "unverifiable", "unknown"]
PAUSES = (1.0, 3.0)
"""Seconds between the attempts to ask GitHub (three attempts in all)."""
BRANCH_PREFIX = "refs/heads/"
OVERRIDE = "--allow-stale (the action's input allow-stale: true)"

_HINTS = {
    401: "the token is not valid",
    403: "the token may not read the repository: give the job `permissions: contents: read`",
    404: "the branch no longer exists, or the token cannot see the repository",
}


@dataclass(frozen=True, slots=True)
class CheckoutCheck:
    """The verdict, and what to tell the user about it."""

    verdict: Verdict
    message: str = ""

    @property
    def refuses(self) -> bool:
        """Apply must stop: the commit is stale, or GitHub cannot be asked as configured."""
        return self.verdict in ("stale", "unverifiable")


def check_checkout(
    actions: ActionsEnvironment,
    *,
    transport: httpx.BaseTransport | None = None,
    pauses: Sequence[float] = PAUSES,
    sleep: Callable[[float], None] = time.sleep,
) -> CheckoutCheck:
    """Compare ``GITHUB_SHA`` with the tip of the branch of ``GITHUB_REF``."""
    if not actions.active:
        return CheckoutCheck("unchecked")
    if not actions.ref.startswith(BRANCH_PREFIX) or not actions.sha:
        if actions.ref and not actions.ref.startswith(BRANCH_PREFIX):
            return CheckoutCheck("unchecked", f"{actions.ref} is not a branch: nothing to check")
        return CheckoutCheck(
            "unchecked",
            "GITHUB_REF or GITHUB_SHA is not set: not checking that the checked-out commit is "
            "the tip of its branch",
        )
    branch = actions.ref.removeprefix(BRANCH_PREFIX)
    checked_out = commit_sha(actions.sha)
    cannot = "refusing to apply: cannot check that the checked-out commit"
    if checked_out is None:
        return CheckoutCheck(
            "unverifiable", f"{cannot} is the tip of {branch}: GITHUB_SHA is not a commit SHA"
        )
    subject = f"{cannot} {checked_out[:12]} is still the tip of {branch}"
    if repository_name(actions.repository) is None:
        return CheckoutCheck("unverifiable", f"{subject}: GITHUB_REPOSITORY is not owner/name")
    if not actions.token:
        return CheckoutCheck(
            "unverifiable",
            f"{subject}: GITHUB_TOKEN is not set. The action passes its github-token input; "
            "a `run:` step needs `env: GITHUB_TOKEN: ${{ github.token }}`, and the job "
            f"`permissions: contents: read`. {OVERRIDE} applies without this check.",
        )
    path = f"/repos/{actions.repository}/git/ref/heads/{quote(branch, safe='/')}"
    for attempt in range(len(pauses) + 1):
        try:
            tip = _tip(actions, path, transport)
        except GitHubError as error:
            if not error.transient:
                return CheckoutCheck(
                    "unverifiable", f"{subject}: {error}. {OVERRIDE} applies without this check."
                )
            if attempt == len(pauses):
                return CheckoutCheck(
                    "unknown",
                    f"could not check that commit {checked_out[:12]} is still the tip of "
                    f"{branch} ({error}; {attempt + 1} attempts): applying it without that "
                    "check",
                )
            sleep(pauses[attempt])
            continue
        if tip == checked_out:
            return CheckoutCheck("tip", f"commit {checked_out[:12]} is the tip of {branch}")
        return CheckoutCheck("stale", _stale_message(branch, checked_out, tip))
    raise AssertionError("unreachable")  # pragma: no cover


def _tip(actions: ActionsEnvironment, path: str, transport: httpx.BaseTransport | None) -> str:
    doing = "ask GitHub for the tip of the branch"
    with GitHubAPI(actions.api_url, actions.token, transport=transport, timeout=10.0) as api:
        response = api.request("GET", path, doing=doing)
        refuse(response, doing=doing, hints=_HINTS)
        answer = api.json(response, doing=doing)
    target = answer.get("object") if isinstance(answer, dict) else None
    tip = commit_sha(target.get("sha") if isinstance(target, dict) else None)
    if tip is None:
        raise GitHubError(f"could not {doing}: GitHub's answer names no commit", transient=True)
    return tip


def _stale_message(branch: str, checked_out: str, tip: str) -> str:
    return (
        f"refusing to apply commit {checked_out[:12]}: it is no longer the tip of {branch}, "
        f"which is now {tip[:12]} ({tip}). This run was overtaken by a newer push, or it is a "
        "re-run of an older run: applying it would roll live connectors back to older "
        f"declarations. To apply {branch} as it is now, let the newer push's run apply it, run "
        "the workflow by hand (its workflow_dispatch trigger: Actions, Run workflow), or push "
        f"again. To apply this older commit on purpose, use {OVERRIDE}."
    )
