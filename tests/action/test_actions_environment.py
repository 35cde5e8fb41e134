"""The Actions edge: what a step writes to the runner's files and log."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from connect_gitops.core.outcomes import LifecycleOutcome, Outcome
from connect_gitops.core.problems import Problem
from connect_gitops.github.actions import ActionsEnvironment

ReadOutputs = Callable[[Path], dict[str, str]]


@pytest.fixture
def runner(tmp_path: Path) -> dict[str, str]:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (tmp_path / "temp").mkdir()
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "RUNNER_TEMP": str(tmp_path / "temp"),
        "GITHUB_TOKEN": "ghs_secret_token",
    }


def environment(environ: dict[str, str]) -> tuple[ActionsEnvironment, io.StringIO]:
    log = io.StringIO()
    return ActionsEnvironment.from_environ(environ, stream=log), log


def test_active_only_when_github_actions_is_true(runner: dict[str, str]) -> None:
    assert environment(runner)[0].active
    assert not environment({**runner, "GITHUB_ACTIONS": "false"})[0].active
    assert not environment({})[0].active


def test_outside_actions_nothing_is_written(runner: dict[str, str], tmp_path: Path) -> None:
    actions, log = environment({**runner, "GITHUB_ACTIONS": ""})

    actions.set_outputs({"has-changes": True})
    actions.append_summary("# Plan")
    actions.mask("secret")
    actions.annotate([Problem("a.yaml", 1, 1, "key", "bad")])

    assert log.getvalue() == ""
    assert not (tmp_path / "output").exists()
    assert not (tmp_path / "summary.md").exists()


def test_outputs_are_multiline_safe(runner: dict[str, str], read_outputs: ReadOutputs) -> None:
    actions, _ = environment(runner)
    forged = "line one\nexit-code=0\nplan-json<<EOF\n/etc/passwd\nEOF"

    actions.set_outputs({"has-changes": True, "drift-detected": False, "exit-code": 2})
    actions.set_outputs({"message": forged})

    assert read_outputs(Path(runner["GITHUB_OUTPUT"])) == {
        "has-changes": "true",
        "drift-detected": "false",
        "exit-code": "2",
        "message": forged,
    }


def test_summary_is_appended_not_replaced(runner: dict[str, str]) -> None:
    summary = Path(runner["GITHUB_STEP_SUMMARY"])
    summary.write_text("earlier step output\n", encoding="utf-8")
    actions, _ = environment(runner)

    actions.append_summary("## Plan\n\nNo changes.")
    actions.append_summary("## Apply\n\n1 created.")

    assert summary.read_text(encoding="utf-8") == (
        "earlier step output\n## Plan\n\nNo changes.\n## Apply\n\n1 created.\n"
    )


def test_summary_stays_under_one_mebibyte_with_what_is_already_there(
    runner: dict[str, str],
) -> None:
    summary = Path(runner["GITHUB_STEP_SUMMARY"])
    summary.write_text("x" * 400_000 + "\n", encoding="utf-8")
    actions, _ = environment(runner)

    actions.append_summary("| änderung |\n" * 100_000)

    size = summary.stat().st_size
    assert 900_000 < size < 1_048_576
    assert "truncated" in summary.read_text(encoding="utf-8")[-400:]


def test_annotations_are_relative_to_the_workspace(
    runner: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = Path(runner["GITHUB_WORKSPACE"])
    (workspace / "decl").mkdir()
    monkeypatch.chdir(workspace / "decl")
    actions, log = environment(runner)

    actions.annotate(
        [
            Problem(
                str(workspace / "decl/connectors/pay.yaml"), 3, 5, "creator.email", "not an email"
            ),
            Problem("connectors/tax.yaml", 1, 1, "", "key: 'a,b' is invalid: 100%"),
        ]
    )

    assert log.getvalue().splitlines() == [
        "::error file=decl/connectors/pay.yaml,line=3,col=5,title=connect-gitops%3A creator.email"
        "::creator.email: not an email",
        "::error file=decl/connectors/tax.yaml,line=1,col=1,title=connect-gitops"
        "::key: 'a,b' is invalid: 100%25",
    ]


def test_annotations_of_files_named_from_the_declarations_folder(
    runner: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = Path(runner["GITHUB_WORKSPACE"])
    monkeypatch.chdir(workspace)
    actions, log = environment(runner)

    actions.annotate([Problem("connectors/pay.yaml", 2, 3, "key", "bad")], folder="./infra/connect")

    assert log.getvalue() == (
        "::error file=infra/connect/connectors/pay.yaml,line=2,col=3,title=connect-gitops%3A key"
        "::key: bad\n"
    )


def test_a_path_outside_the_workspace_is_kept(runner: dict[str, str]) -> None:
    actions, _ = environment(runner)

    assert actions.workspace_relative("/elsewhere/x.yaml") == "/elsewhere/x.yaml"
    assert actions.workspace_relative(f"{runner['GITHUB_WORKSPACE']}/a/b.yaml") == "a/b.yaml"


def test_at_most_ten_annotations_then_a_summary_line(runner: dict[str, str]) -> None:
    actions, log = environment(runner)
    problems = [Problem(f"c{n:02}.yaml", n, 1, "name", "too long") for n in range(1, 13)]

    actions.annotate(problems)

    lines = log.getvalue().splitlines()
    assert len(lines) == 11
    assert all(line.startswith("::error file=c") for line in lines[:10])
    assert lines[10] == "::warning::2 more problems not annotated; see the step summary"


def test_failed_connectors_are_annotated_and_succeeded_ones_are_not(
    runner: dict[str, str],
) -> None:
    workspace = runner["GITHUB_WORKSPACE"]
    actions, log = environment(runner)

    actions.annotate(
        [
            Outcome(target="eu", key="ok-connector", kind="updated", actions=2),
            Outcome(
                target="eu",
                key="pay",
                kind="failed",
                file=f"{workspace}/connectors/pay.yaml",
                line=4,
                code="InvalidInput",
                message="bad tag",
                correlation_id="abc-1",
            ),
            Outcome(
                target="eu",
                key="tax",
                kind="updated",
                file=f"{workspace}/connectors/tax.yaml",
                line=1,
                lifecycle=[
                    LifecycleOutcome(step="preview", state="failed", message="no connect.yaml")
                ],
            ),
        ]
    )

    assert log.getvalue().splitlines() == [
        "::error file=connectors/pay.yaml,line=4,title=connect-gitops%3A pay failed"
        "::pay (eu) failed; InvalidInput: bad tag; correlation id abc-1",
        "::error file=connectors/tax.yaml,line=1,title=connect-gitops%3A tax updated"
        "::tax (eu) updated; preview failed: no connect.yaml",
    ]


def test_mask_hides_the_token(runner: dict[str, str]) -> None:
    actions, log = environment(runner)

    actions.mask("eyJ.access-token")
    actions.mask("")

    assert log.getvalue() == "::add-mask::eyJ.access-token\n"


def test_mask_hides_each_line_of_a_multiline_secret(runner: dict[str, str]) -> None:
    actions, log = environment(runner)

    actions.mask("first-line\nsecond-line\n")

    assert log.getvalue() == "::add-mask::first-line\n::add-mask::second-line\n"


def test_the_token_is_not_in_the_repr(runner: dict[str, str]) -> None:
    actions, _ = environment(runner)

    assert actions.token == "ghs_secret_token"
    assert "ghs_secret_token" not in repr(actions)


def test_warning_is_escaped(runner: dict[str, str]) -> None:
    actions, log = environment(runner)

    actions.warning("could not post: 403\nsee the docs")

    assert log.getvalue() == "::warning title=connect-gitops::could not post: 403%0Asee the docs\n"


def test_plan_json_is_saved_in_runner_temp(runner: dict[str, str]) -> None:
    actions, _ = environment(runner)

    first = actions.write_plan_json('{"formatVersion": 1}\n')
    second = actions.write_plan_json('{"formatVersion": 1, "mode": "drift"}\n')

    assert first.parent == Path(runner["RUNNER_TEMP"])
    assert first != second
    assert json.loads(first.read_text(encoding="utf-8")) == {"formatVersion": 1}


def write_event(tmp_path: Path, payload: object) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return str(path)


def test_pull_request_number_from_a_pull_request_event(
    runner: dict[str, str], tmp_path: Path
) -> None:
    event = {"action": "synchronize", "number": 42, "pull_request": {"number": 42}}
    actions, _ = environment(
        {
            **runner,
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": write_event(tmp_path, event),
        }
    )

    assert actions.event() == event
    assert actions.pull_request_number() == 42


def test_no_pull_request_number_on_a_push(runner: dict[str, str], tmp_path: Path) -> None:
    event = {"before": "0" * 40, "after": "f" * 40, "ref": "refs/heads/main"}
    actions, _ = environment(
        {**runner, "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": write_event(tmp_path, event)}
    )

    assert actions.event() == event
    assert actions.pull_request_number() is None


def test_an_unreadable_event_is_none(runner: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")

    assert environment({**runner, "GITHUB_EVENT_PATH": str(broken)})[0].event() is None
    assert (
        environment({**runner, "GITHUB_EVENT_PATH": str(tmp_path / "missing")})[0].event() is None
    )
    assert environment(runner)[0].pull_request_number() is None


def test_a_report_renderer_gets_all_the_room_left_in_the_summary(runner: dict[str, str]) -> None:
    summary = Path(runner["GITHUB_STEP_SUMMARY"])
    summary.write_text("x" * 300_000 + "\n", encoding="utf-8")
    actions, _ = environment(runner)
    asked: list[int] = []

    def render(max_chars: int) -> str:
        asked.append(max_chars)
        return "ü" * max_chars  # two bytes a character: asked again for fewer

    actions.append_summary(render)

    assert asked[0] == 1_000_000 - 300_001 - 1
    assert len(asked) > 1
    size = summary.stat().st_size
    assert 900_000 < size <= 1_000_000
    assert "truncated" not in summary.read_text(encoding="utf-8")


def test_an_error_annotation_without_a_file(runner: dict[str, str]) -> None:
    actions, log = environment(runner)

    actions.error("refusing to apply: 100% stale\nreally", title="connect-gitops: refused")

    assert log.getvalue() == (
        "::error title=connect-gitops%3A refused::refusing to apply: 100%25 stale%0Areally\n"
    )


def test_the_run_and_the_commit_a_reviewer_knows(runner: dict[str, str], tmp_path: Path) -> None:
    head = "c" * 40
    pull_request = {"number": 4, "pull_request": {"number": 4, "head": {"sha": head}}}
    base = {
        **runner,
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_RUN_ID": "99",
        "GITHUB_SHA": "m" * 40,  # not a SHA: a merge commit stand-in that must not be shown
    }
    on_pull_request, _ = environment(
        {
            **base,
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": write_event(tmp_path, pull_request),
        }
    )
    on_push, _ = environment({**base, "GITHUB_EVENT_NAME": "push", "GITHUB_SHA": "d" * 40})

    assert on_pull_request.planned_commit() == head
    assert on_pull_request.run_url() == "https://github.com/o/r/actions/runs/99"
    assert on_push.planned_commit() == "d" * 40
    assert environment({**base, "GITHUB_EVENT_NAME": "push"})[0].planned_commit() is None
    assert environment({**base, "GITHUB_RUN_ID": ""})[0].run_url() is None
