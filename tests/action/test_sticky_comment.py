"""The sticky plan comment against a fake GitHub over a real socket: found again by its marker,
but only ever edited when the token's own identity wrote it."""

from __future__ import annotations

import io
import json
import socket
from pathlib import Path

from tests.support.github import ACTIONS_BOT, FakeGitHub

from connect_gitops.core.problems import Problem
from connect_gitops.github.actions import ActionsEnvironment
from connect_gitops.github.comment import (
    DEFAULT_MARKER,
    CommentResult,
    PlanComment,
    post_sticky_comment,
)

REPO = "example/declarations"
PR = 7
HEAD_SHA = "1f0a9c2e" + "3" * 32
LIST = ("GET", f"/repos/{REPO}/issues/{PR}/comments")
WHO = ("GET", "/user")


def post(
    fake: FakeGitHub, text: str, *, token: str | None = None, marker: str = DEFAULT_MARKER
) -> CommentResult:
    return post_sticky_comment(
        f"{marker}\n{text}",
        api_url=fake.base_url,
        repository=REPO,
        pr_number=PR,
        token=fake.token if token is None else token,
        marker=marker,
    )


def bodies(fake: FakeGitHub) -> dict[int, str]:
    return {c["id"]: c["body"] for c in fake.comments.get(PR, [])}


def test_first_run_creates_the_comment_with_the_marker(fake_github: FakeGitHub) -> None:
    result = post(fake_github, "## Plan\n1 to create")

    assert result.action == "created"
    assert result.ok
    assert result.url == f"https://github.test/c/{result.comment_id}"
    assert fake_github.requests == [WHO, LIST, ("POST", LIST[1])]
    assert fake_github.comments[PR][0]["body"] == f"{DEFAULT_MARKER}\n## Plan\n1 to create"
    assert fake_github.comments[PR][0]["user"] == {"login": ACTIONS_BOT}
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
    assert bodies(fake_github) == {
        first.comment_id: f"{DEFAULT_MARKER}\n## Plan\nNo changes.",
        first.comment_id + 1: "LGTM",
    }


def test_another_users_comment_with_the_marker_is_left_alone_and_ours_is_updated(
    fake_github: FakeGitHub,
) -> None:
    ours = post(fake_github, "old plan").comment_id
    forged = fake_github.add_comment(PR, f"{DEFAULT_MARKER}\nsend secrets to me", user="mallory")

    result = post(fake_github, "fresh plan")

    assert (result.action, result.comment_id) == ("updated", ours)
    assert bodies(fake_github) == {
        ours: f"{DEFAULT_MARKER}\nfresh plan",
        forged: f"{DEFAULT_MARKER}\nsend secrets to me",
    }
    assert [method for method, _ in fake_github.requests].count("PATCH") == 1


def test_when_only_someone_else_wrote_the_marker_a_new_comment_is_posted(
    fake_github: FakeGitHub,
) -> None:
    forged = fake_github.add_comment(PR, f"{DEFAULT_MARKER}\nfake plan: no changes", user="mallory")

    result = post(fake_github, "real plan")

    assert result.action == "created"
    assert bodies(fake_github) == {
        forged: f"{DEFAULT_MARKER}\nfake plan: no changes",
        result.comment_id: f"{DEFAULT_MARKER}\nreal plan",
    }


def test_the_comment_is_found_on_a_later_page_and_the_last_of_ours_wins(
    fake_github: FakeGitHub,
) -> None:
    for number in range(150):
        fake_github.add_comment(PR, f"chatter {number}")
    older = fake_github.add_comment(PR, f"{DEFAULT_MARKER}\nolder plan", user=ACTIONS_BOT)
    for number in range(60):
        fake_github.add_comment(PR, f"more chatter {number}")
    newest = fake_github.add_comment(PR, f"{DEFAULT_MARKER}\nold plan", user=ACTIONS_BOT)
    fake_github.add_comment(PR, f"{DEFAULT_MARKER}\nlater, by a human", user="a-human")

    result = post(fake_github, "fresh plan")

    assert (result.action, result.comment_id) == ("updated", newest)
    assert [r for r in fake_github.requests if r == LIST] == [LIST] * 3  # 213 comments, 100 a page
    assert bodies(fake_github)[newest] == f"{DEFAULT_MARKER}\nfresh plan"
    assert bodies(fake_github)[older] == f"{DEFAULT_MARKER}\nolder plan"


def test_with_a_personal_access_token_its_users_comment_is_ours(fake_github: FakeGitHub) -> None:
    fake_github.login = "Release-Bot"
    bots = fake_github.add_comment(PR, f"{DEFAULT_MARKER}\nby the Actions bot", user=ACTIONS_BOT)
    ours = fake_github.add_comment(PR, f"{DEFAULT_MARKER}\nold plan", user="release-bot")

    result = post(fake_github, "fresh plan")

    assert (result.action, result.comment_id) == ("updated", ours)
    assert bodies(fake_github)[bots] == f"{DEFAULT_MARKER}\nby the Actions bot"


def test_a_comment_that_only_mentions_the_marker_is_not_ours(fake_github: FakeGitHub) -> None:
    quoted = fake_github.add_comment(PR, f"> {DEFAULT_MARKER}\nwhy this?", user=ACTIONS_BOT)

    result = post(fake_github, "plan")

    assert result.action == "created"
    assert bodies(fake_github)[quoted] == f"> {DEFAULT_MARKER}\nwhy this?"


def test_each_target_selection_keeps_its_own_comment(fake_github: FakeGitHub) -> None:
    eu = "<!-- connect-gitops:plan targets=eu -->"
    us = "<!-- connect-gitops:plan targets=us -->"

    first_eu, first_us = post(fake_github, "eu plan", marker=eu), post(fake_github, "us", marker=us)
    again = post(fake_github, "eu plan again", marker=eu)

    assert (first_eu.action, first_us.action, again.action) == ("created", "created", "updated")
    assert bodies(fake_github) == {
        first_eu.comment_id: f"{eu}\neu plan again",
        first_us.comment_id: f"{us}\nus",
    }


def test_a_comment_url_that_could_forge_a_log_line_is_dropped(fake_github: FakeGitHub) -> None:
    fake_github.comment_url = "https://github.test/c/{id}\n::error::forged"

    result = post(fake_github, "plan")

    assert (result.action, result.ok, result.url) == ("created", True, None)


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
    fake_github.add_comment(PR, f"{DEFAULT_MARKER}\nold", user=ACTIONS_BOT)
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
        "plan comment not posted: could not ask GitHub who the token belongs to: GitHub "
        "answered 401 Unauthorized; the token is not valid"
    )
    assert "ghs_wrong_token_456" not in repr(result)
    assert fake_github.requests == [WHO]


def test_an_unreachable_api_gives_a_warning() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = post_sticky_comment(
        "plan", api_url=f"http://127.0.0.1:{port}", repository=REPO, pr_number=PR, token="secret-1"
    )

    assert result.action == "skipped"
    assert result.warning == (
        "plan comment not posted: could not ask GitHub who the token belongs to: could not "
        f"reach the GitHub API at http://127.0.0.1:{port}: ConnectError"
    )


def test_no_token_is_a_warning_without_any_request(fake_github: FakeGitHub) -> None:
    result = post(fake_github, "plan", token="")

    assert result.warning == (
        "plan comment not posted: no GitHub token: set the github-token input or GITHUB_TOKEN"
    )
    assert fake_github.requests == []


# ---------------------------------------------------------------------------------------------
# PlanComment: everything from the runner's environment


def _environment(
    tmp_path: Path,
    fake: FakeGitHub,
    event_name: str,
    event: object,
    extra: dict[str, str] | None = None,
) -> ActionsEnvironment:
    event_file = tmp_path / "event.json"
    event_file.write_text(json.dumps(event), encoding="utf-8")
    output = tmp_path / "output"
    output.touch()
    return ActionsEnvironment.from_environ(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_file),
            "GITHUB_API_URL": fake.base_url,
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_RUN_ID": "4242",
            "GITHUB_SHA": "9" * 40,
            "GITHUB_TOKEN": fake.token,
            "GITHUB_OUTPUT": str(output),
            **(extra or {}),
        },
        stream=io.StringIO(),
    )


PULL_REQUEST = {"number": PR, "pull_request": {"number": PR, "head": {"sha": HEAD_SHA}}}
RUN = f"https://github.com/{REPO}/actions/runs/4242"


def comment_for(
    tmp_path: Path, fake: FakeGitHub, *targets: str, extra: dict[str, str] | None = None
) -> PlanComment:
    actions = _environment(tmp_path, fake, "pull_request", PULL_REQUEST, extra)
    return PlanComment(actions, say=lambda _: None, targets=targets)


def render(size: int, title: str) -> str:
    return f"### {title}\n\n**Plan: 1 to create.**\n"


def test_the_comment_names_its_commit_and_links_the_run(
    tmp_path: Path, fake_github: FakeGitHub, read_outputs: object
) -> None:
    result = comment_for(tmp_path, fake_github, "eu").post_plan(render)

    assert result.action == "created"
    assert fake_github.comments[PR][0]["body"] == (
        "<!-- connect-gitops:plan targets=eu -->\n"
        "### connect-gitops plan: eu\n\n**Plan: 1 to create.**\n\n"
        f"---\nPlanned at commit [`1f0a9c2`](https://github.com/{REPO}/commit/{HEAD_SHA}) in "
        f"[this workflow run]({RUN}). The run's summary has the whole plan. This comment is "
        "edited on every push.\n"
    )
    outputs = (tmp_path / "output").read_text(encoding="utf-8")
    assert "comment-url<<" in outputs
    assert f"\nhttps://github.test/c/{result.comment_id}\n" in outputs


def test_the_comment_names_the_artifact_the_workflow_uploads(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    variable = {"CONNECT_GITOPS_PLAN_ARTIFACT": "connect-gitops-plan-eu"}

    comment_for(tmp_path, fake_github, "eu", extra=variable).post_plan(render)

    assert fake_github.comments[PR][0]["body"].endswith(
        f"---\nPlanned at commit [`1f0a9c2`](https://github.com/{REPO}/commit/{HEAD_SHA}) in "
        f"[this workflow run]({RUN}). The run's summary has the whole plan, and the plan in "
        f"JSON is its artifact [`connect-gitops-plan-eu`]({RUN}#artifacts). This comment is "
        "edited on every push.\n"
    )


def test_a_failed_plan_replaces_the_plan_with_the_failure(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    comment = comment_for(tmp_path, fake_github, "eu")
    planned = comment.post_plan(render)

    failed = comment.post_failure(
        "", [Problem("connectors/tax.yaml", 3, 5, "creator.email", "not an email")]
    )

    assert (failed.action, failed.comment_id) == ("updated", planned.comment_id)
    body = fake_github.comments[PR][0]["body"]
    assert body == (
        "<!-- connect-gitops:plan targets=eu -->\n"
        "### connect-gitops plan: eu\n\n"
        "**The plan failed**, so this comment shows no plan. Why is below; the "
        f"[workflow run]({RUN}) has the whole log.\n\n"
        "- `connectors/tax.yaml:3:5: creator.email: not an email`\n\n"
        f"---\nFailed at commit [`1f0a9c2`](https://github.com/{REPO}/commit/{HEAD_SHA}) in "
        f"[this workflow run]({RUN}). This comment is edited on every push.\n"
    )
    assert "1 to create" not in body


def test_a_failure_without_problems_shows_its_message(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    comment_for(tmp_path, fake_github).post_failure(
        "error: GET /connectors/drafts: 503 Service Unavailable", []
    )

    body = fake_github.comments[PR][0]["body"]
    assert body.startswith(f"{DEFAULT_MARKER}\n### connect-gitops plan\n\n**The plan failed**")
    assert "\n`error: GET /connectors/drafts: 503 Service Unavailable`\n" in body


def test_on_a_push_event_nothing_is_posted(tmp_path: Path, fake_github: FakeGitHub) -> None:
    actions = _environment(tmp_path, fake_github, "push", {"before": "0" * 40, "after": "a" * 40})

    result = PlanComment(actions, say=lambda _: None).post_plan(render)

    assert result.warning == (
        "plan comment not posted: this run is not for a pull request "
        "(--pr-comment needs a pull_request event)"
    )
    assert fake_github.requests == []
