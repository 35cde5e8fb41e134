"""github.checkout: is the checked-out commit still the tip of its branch? Against a fake GitHub
on a real socket."""

from __future__ import annotations

import pytest

from connect_gitops.github.actions import ActionsEnvironment
from connect_gitops.github.checkout import CheckoutCheck, check_checkout
from tests.support.github import FakeGitHub

REPO = "example/declarations"
OLD = "a" * 40
NEW = "b" * 40


def environment(fake: FakeGitHub, **changes: str) -> ActionsEnvironment:
    environ = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_API_URL": fake.base_url,
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_REF": "refs/heads/main",
        "GITHUB_SHA": OLD,
        "GITHUB_TOKEN": fake.token,
    }
    environ.update(changes)
    return ActionsEnvironment.from_environ({k: v for k, v in environ.items() if v})


def check(fake: FakeGitHub, **changes: str) -> tuple[CheckoutCheck, list[float]]:
    pauses: list[float] = []
    result = check_checkout(environment(fake, **changes), sleep=pauses.append)
    return result, pauses


def test_the_tip_is_applied(fake_github: FakeGitHub) -> None:
    fake_github.branches["main"] = OLD

    result, _ = check(fake_github)

    assert result == CheckoutCheck("tip", f"commit {OLD[:12]} is the tip of main")
    assert not result.refuses
    assert fake_github.requests == [("GET", f"/repos/{REPO}/git/ref/heads/main")]
    assert fake_github.authorizations == [f"Bearer {fake_github.token}"]


def test_an_older_commit_is_refused_naming_the_tip_and_the_ways_out(
    fake_github: FakeGitHub,
) -> None:
    fake_github.branches["main"] = NEW

    result, _ = check(fake_github)

    assert result.verdict == "stale"
    assert result.refuses
    assert result.message == (
        f"refusing to apply commit {OLD[:12]}: it is no longer the tip of main, which is now "
        f"{NEW[:12]} ({NEW}). This run was overtaken by a newer push, or it is a re-run of an "
        "older run: applying it would roll live connectors back to older declarations. To "
        "apply main as it is now, let the newer push's run apply it, run the workflow by hand "
        "(its workflow_dispatch trigger: Actions, Run workflow), or push again. To apply this "
        "older commit on purpose, use --allow-stale (the action's input allow-stale: true)."
    )


def test_a_branch_name_with_slashes_and_odd_characters(fake_github: FakeGitHub) -> None:
    fake_github.branches["release/2025#1"] = OLD

    result, _ = check(fake_github, GITHUB_REF="refs/heads/release/2025#1")

    assert result.verdict == "tip"
    assert fake_github.requests == [("GET", f"/repos/{REPO}/git/ref/heads/release/2025%231")]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"GITHUB_ACTIONS": ""}, ""),
        ({"GITHUB_REF": "refs/tags/v1.0.0"}, "refs/tags/v1.0.0 is not a branch: nothing to check"),
        (
            {"GITHUB_REF": "refs/pull/7/merge"},
            "refs/pull/7/merge is not a branch: nothing to check",
        ),
        (
            {"GITHUB_REF": ""},
            "GITHUB_REF or GITHUB_SHA is not set: not checking that the checked-out commit is "
            "the tip of its branch",
        ),
        (
            {"GITHUB_SHA": ""},
            "GITHUB_REF or GITHUB_SHA is not set: not checking that the checked-out commit is "
            "the tip of its branch",
        ),
    ],
)
def test_nothing_to_check(fake_github: FakeGitHub, changes: dict[str, str], message: str) -> None:
    result, _ = check(fake_github, **changes)

    assert result == CheckoutCheck("unchecked", message)
    assert fake_github.requests == []


SUBJECT = (
    "refusing to apply: cannot check that the checked-out commit "
    f"{OLD[:12]} is still the tip of main"
)
OVERRIDE = "--allow-stale (the action's input allow-stale: true) applies without this check."


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (401, "GitHub answered 401 Unauthorized; the token is not valid"),
        (
            403,
            "GitHub answered 403 Forbidden; the token may not read the repository: give the job "
            "`permissions: contents: read`",
        ),
        (
            404,
            "GitHub answered 404 Not Found; the branch no longer exists, or the token cannot see "
            "the repository",
        ),
    ],
)
def test_a_github_that_will_never_tell_refuses(
    fake_github: FakeGitHub, status: int, reason: str
) -> None:
    fake_github.ref_failures = [status]

    result, pauses = check(fake_github)

    assert result == CheckoutCheck(
        "unverifiable",
        f"{SUBJECT}: could not ask GitHub for the tip of the branch: {reason}. {OVERRIDE}",
    )
    assert pauses == []


def test_a_deleted_branch_refuses(fake_github: FakeGitHub) -> None:
    result, _ = check(fake_github)  # no branch main

    assert result.verdict == "unverifiable"
    assert "404 Not Found; the branch no longer exists" in result.message


def test_without_a_token_it_refuses_and_says_how_to_pass_one(fake_github: FakeGitHub) -> None:
    result, _ = check(fake_github, GITHUB_TOKEN="")

    assert result == CheckoutCheck(
        "unverifiable",
        f"{SUBJECT}: GITHUB_TOKEN is not set. The action passes its github-token input; a "
        "`run:` step needs `env: GITHUB_TOKEN: ${{ github.token }}`, and the job "
        f"`permissions: contents: read`. {OVERRIDE}",
    )
    assert fake_github.requests == []


def test_a_wrong_token_is_never_shown(fake_github: FakeGitHub) -> None:
    result, _ = check(fake_github, GITHUB_TOKEN="ghs_wrong_token_456")

    assert result.verdict == "unverifiable"
    assert "ghs_wrong_token_456" not in repr(result)


def test_an_outage_is_asked_again_then_applies_with_a_warning(fake_github: FakeGitHub) -> None:
    fake_github.ref_failures = [503, 502, 500]

    result, pauses = check(fake_github)

    assert result == CheckoutCheck(
        "unknown",
        f"could not check that commit {OLD[:12]} is still the tip of main (could not ask GitHub "
        "for the tip of the branch: GitHub answered 500 Internal Server Error; GitHub could "
        "not do it now; 3 attempts): applying it without that check",
    )
    assert not result.refuses
    assert pauses == [1.0, 3.0]


def test_a_passing_outage_is_waited_out(fake_github: FakeGitHub) -> None:
    fake_github.branches["main"] = NEW
    fake_github.ref_failures = [503]

    result, pauses = check(fake_github)

    assert result.verdict == "stale"
    assert pauses == [1.0]


def test_a_plain_http_api_elsewhere_never_gets_the_token(fake_github: FakeGitHub) -> None:
    result, _ = check(fake_github, GITHUB_API_URL="http://github.example.com")

    assert result.verdict == "unverifiable"
    assert "plain http is allowed only for loopback hosts" in result.message
