"""github.comment: the whole ``plan --pr-comment`` flow, which the plan command calls once."""

from __future__ import annotations

import io
import json
from pathlib import Path

from connect_gitops.github.actions import ActionsEnvironment
from connect_gitops.github.comment import PlanComment


def _markdown_never_rendered(size: int, title: str) -> str:
    raise AssertionError("the report was rendered although no comment is posted")


def test_outside_github_actions_nothing_is_posted_and_the_user_is_told() -> None:
    said: list[str] = []

    comment = PlanComment(ActionsEnvironment(active=False), say=said.append)
    result = comment.post_plan(_markdown_never_rendered)

    assert said == ["--pr-comment: not running in GitHub Actions; no comment posted"]
    assert (result.action, result.ok) == ("skipped", False)


def test_a_run_that_is_not_for_a_pull_request_warns_on_the_terminal_and_the_runner(
    tmp_path: Path,
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"ref": "refs/heads/main"}), encoding="utf-8")
    commands = io.StringIO()
    actions = ActionsEnvironment(
        active=True, event_file=event, event_name="push", repository="o/r", stream=commands
    )
    said: list[str] = []

    result = PlanComment(actions, say=said.append).post_plan(_markdown_never_rendered)

    warning = (
        "plan comment not posted: this run is not for a pull request "
        "(--pr-comment needs a pull_request event)"
    )
    assert result.warning == warning
    assert said == [f"warning: {warning}"]
    assert commands.getvalue() == f"::warning title=connect-gitops::{warning}\n"
