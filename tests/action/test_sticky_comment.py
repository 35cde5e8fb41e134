"""The sticky plan comment against a fake GitHub over a real socket."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

from tests.support.github import FakeGitHub

from connect_gitops.github.actions import ActionsEnvironment
from connect_gitops.github.comment import (
    DEFAULT_MARKER,
    CommentResult,
    post_plan_comment,
    post_sticky_comment,
)

REPO = "example/declarations"
PR = 7


def post(fake: FakeGitHub, markdown: str, *, token: str | None = None) -> CommentResult:
    return post_sticky_comment(
        markdown,
        api_url=fake.base_url,
        repository=REPO,
        pr_number=PR,
        token=fake.token if token is None else token,
    )


def marked(fake: FakeGitHub) -> list[dict[str, object]]:
    return [c for c in fake.comments.get(PR, []) if DEFAULT_MARKER in str(c["body"])]


def test_first_run_creates_the_comment_with_the_marker(fake_github: FakeGitHub) -> None:
    result = post(fake_github, "## Plan\n1 to create")

    assert result.action == "created"
    assert result.ok
    assert result.url == f"https://github.test/c/{result.comment_id}"
    assert fake_github.requests == [
        ("GET", f"/repos/{REPO}/issues/{PR}/comments"),
        ("POST", f"/repos/{REPO}/issues/{PR}/comments"),
    ]
    assert fake_github.comments[PR][0]["body"] == f"{DEFAULT_MARKER}\n## Plan\n1 to create"
    assert set(fake_github.authorizations) == {f"Bearer {fake_github.token}"}


def test_second_run_edits_the_same_comment(fake_github: FakeGitHub) -> None:
    first = post(fake_github, "## Plan\n1 to create")
    fake_github.add_comment(PR, "LGTM")
    second = post(fake_github, "## Plan\nNo changes.")

    assert second.action == "updated"
    assert second.comment_id == first.comment_id
    assert fake_github.requests[-1] == (
        "PATCH",
        f"/repos/{REPO}/issues/comments/{first.comment_id}",
    )
    assert [c["body"] for c in marked(fake_github)] == [f"{DEFAULT_MARKER}\n## Plan\nNo changes."]
    assert len(fake_github.comments[PR]) == 2


def test_the_marked_comment_is_found_on_a_later_page_and_the_last_one_wins(
    fake_github: FakeGitHub,
) -> None:
    for number in range(150):
        fake_github.add_comment(PR, f"chatter {number}")
    older = fake_github.add_comment(PR, f"{DEFAULT_MARKER}\nold plan", user="a-human")
    for number in range(60):
        fake_github.add_comment(PR, f"more chatter {number}")
    newest = fake_github.add_comment(PR, f"{DEFAULT_MARKER}\nolder plan by the bot")

    result = post(fake_github, "fresh plan")

    assert result.action == "updated"
    assert result.comment_id == newest
    gets = [r for r in fake_github.requests if r[0] == "GET"]
    assert len(gets) == 3  # 212 comments, 100 per page
    bodies = {c["id"]: c["body"] for c in fake_github.comments[PR]}
    assert bodies[newest] == f"{DEFAULT_MARKER}\nfresh plan"
    assert bodies[older] == f"{DEFAULT_MARKER}\nold plan"


def test_a_long_plan_is_truncated_with_a_pointer_to_the_step_summary(
    fake_github: FakeGitHub,
) -> None:
    post(fake_github, "| row |\n" * 20_000)

    body = str(fake_github.comments[PR][0]["body"])
    assert len(body) <= 65_000
    assert body.startswith(DEFAULT_MARKER)
    assert "step summary" in body[-300:]


def test_a_read_only_token_gives_a_warning_not_an_error(fake_github: FakeGitHub) -> None:
    fake_github.refuse = 403

    result = post(fake_github, "## Plan")

    assert result == CommentResult(
        "skipped",
        warning=(
            "plan comment not posted: could not list the pull request's comments: GitHub "
            "answered 403 Forbidden; the token may not write to pull requests: give the job "
            "`permissions: pull-requests: write` (a pull request from a fork only gets a "
            "read-only token)"
        ),
    )
    assert fake_github.token not in repr(result)


def test_a_refused_edit_gives_a_warning_and_keeps_the_comment(fake_github: FakeGitHub) -> None:
    fake_github.add_comment(PR, f"{DEFAULT_MARKER}\nold")
    fake_github.refuse, fake_github.refuse_method = 403, "PATCH"

    result = post(fake_github, "new")

    assert result.action == "skipped"
    assert result.warning is not None
    assert result.warning.startswith(
        "plan comment not posted: could not edit the comment: GitHub answered 403 Forbidden;"
    )
    assert fake_github.comments[PR][0]["body"] == f"{DEFAULT_MARKER}\nold"


def test_a_bad_token_is_a_warning_that_does_not_show_it(fake_github: FakeGitHub) -> None:
    result = post(fake_github, "new", token="ghs_wrong_token_456")

    assert result.warning == (
        "plan comment not posted: could not list the pull request's comments: GitHub answered "
        "401 Unauthorized; the token is not valid"
    )
    assert "ghs_wrong_token_456" not in repr(result)


def test_an_unreachable_api_gives_a_warning() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = post_sticky_comment(
        "plan", api_url=f"http://127.0.0.1:{port}", repository=REPO, pr_number=PR, token="secret-1"
    )

    assert result.action == "skipped"
    assert result.warning == (
        f"plan comment not posted: could not reach the GitHub API at http://127.0.0.1:{port}: "
        "ConnectError"
    )


def test_no_token_is_a_warning_without_any_request(fake_github: FakeGitHub) -> None:
    result = post(fake_github, "plan", token="")

    assert result.warning == (
        "plan comment not posted: no GitHub token: set the github-token input or GITHUB_TOKEN"
    )
    assert fake_github.requests == []


def _environment(
    tmp_path: Path, fake: FakeGitHub, event_name: str, event: object
) -> ActionsEnvironment:
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(event), encoding="utf-8")
    return ActionsEnvironment.from_environ(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_file),
            "GITHUB_API_URL": fake.base_url,
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_TOKEN": fake.token,
        },
        stream=io.StringIO(),
    )


def test_post_plan_comment_takes_everything_from_the_pull_request_event(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    actions = _environment(
        tmp_path, fake_github, "pull_request", {"number": PR, "pull_request": {"number": PR}}
    )

    assert post_plan_comment("## Plan", actions).action == "created"
    assert post_plan_comment("## Plan again", actions).action == "updated"
    assert [c["body"] for c in marked(fake_github)] == [f"{DEFAULT_MARKER}\n## Plan again"]


def test_post_plan_comment_on_a_push_event_is_skipped(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    actions = _environment(tmp_path, fake_github, "push", {"before": "0" * 40, "after": "a" * 40})

    result = post_plan_comment("## Plan", actions)

    assert result.warning == (
        "plan comment not posted: this run is not for a pull request "
        "(--pr-comment needs a pull_request event)"
    )
    assert fake_github.requests == []
