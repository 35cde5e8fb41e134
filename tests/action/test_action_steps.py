"""The action's own ``run:`` steps, executed with bash as the runner would execute them
(``action_runner``). Two kinds of tests: the argument mapping against a stand-in
``connect-gitops`` that records its arguments, and whole runs of the real CLI against the
embedded emulator.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from action_runner import ACTION, GITHUB_TOKEN, REPOSITORY, ActionRun, run_action
from tests.support.github import FakeGitHub

# ---------------------------------------------------------------------------------------------
# The action's text


def test_no_expression_is_interpolated_into_a_script() -> None:
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]


def test_it_is_a_composite_action_with_the_documented_inputs_and_outputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {
        "command", "path", "target", "changed-since", "remote", "allow-stale", "preview",
        "publish", "certification", "pr-comment", "plan-artifact", "fail-on-drift", "timeout",
        "python-version", "github-token",
    }  # fmt: skip
    assert ACTION["inputs"]["fail-on-drift"]["default"] == "true"
    assert ACTION["inputs"]["allow-stale"]["default"] == "false"
    assert ACTION["inputs"]["changed-since"]["default"] == ""
    assert ACTION["inputs"]["plan-artifact"]["default"] == ""
    assert ACTION["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert set(ACTION["outputs"]) == {
        "exit-code", "has-changes", "drift-detected", "to-create", "to-update", "blocked",
        "orphans", "plan-json", "comment-url", "targets",
    }  # fmt: skip


def test_every_output_is_what_the_run_step_writes() -> None:
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == f"${{{{ steps.run.outputs.{name} }}}}", name


def test_the_callers_python_is_left_alone() -> None:
    setup = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "python")
    assert setup["with"]["update-environment"] is False


# ---------------------------------------------------------------------------------------------
# The argument mapping, against a stand-in CLI that records what it was called with

STAND_IN = """\
#!/usr/bin/env python3
import json, os, sys
with open(os.environ["ARGS_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if sys.argv[1:2] == ["targets"]:
    print(json.dumps(["eu", "us"]))
with open(os.environ["GITHUB_OUTPUT"], "a") as outputs:
    outputs.write(os.environ.get("STAND_IN_OUTPUTS", ""))
sys.exit(int(os.environ.get("STAND_IN_EXIT", "0")))
"""


@pytest.fixture
def stand_in(tmp_path: Path) -> tuple[Path, Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    cli = bin_dir / "connect-gitops"
    cli.write_text(STAND_IN.replace("python3", sys.executable, 1), encoding="utf-8")
    cli.chmod(cli.stat().st_mode | stat.S_IXUSR)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    return bin_dir, workspace


def run_stand_in(
    stand_in: tuple[Path, Path],
    inputs: dict[str, str],
    exit_code: int = 0,
    *,
    outputs: str = "",
    event_name: str = "push",
    event: dict[str, Any] | None = None,
) -> tuple[ActionRun, list[list[str]]]:
    """The action run with ``inputs``; the stand-in exits ``exit_code`` after writing
    ``outputs`` to $GITHUB_OUTPUT, as the CLI does."""
    bin_dir, workspace = stand_in
    log = workspace.parent / "args.log"
    log.write_text("", encoding="utf-8")
    result = run_action(
        workspace,
        inputs,
        bin_dir=bin_dir,
        event_name=event_name,
        event=event,
        extra_env={
            "ARGS_LOG": str(log),
            "STAND_IN_EXIT": str(exit_code),
            "STAND_IN_OUTPUTS": outputs,
        },
    )
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return result, calls


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({"command": "validate"}, ["validate", "."]),
        ({"command": "validate", "remote": "true", "target": "eu"}, ["validate", ".", "--remote"]),
        (
            {"command": "plan", "path": "decl dir", "target": "eu, us\nasia"},
            [
                "plan", "decl dir", "--target", "eu", "--target", "us", "--target", "asia",
                "--detailed-exitcode",
            ],
        ),
        (
            {"command": "plan", "changed-since": "HEAD~1", "pr-comment": "true"},
            ["plan", ".", "--changed-since", "HEAD~1", "--detailed-exitcode", "--pr-comment"],
        ),
        # Level-triggered by default: apply checks the whole folder at the checked-out commit.
        ({"command": "apply"}, ["apply", "."]),
        ({"command": "apply", "changed-since": "all"}, ["apply", "."]),
        ({"command": "apply", "changed-since": "auto"}, ["apply", ".", "--changed-since", "auto"]),
        ({"command": "apply", "remote": "true"}, ["apply", ".", "--remote"]),
        ({"command": "apply", "allow-stale": "true"}, ["apply", ".", "--allow-stale"]),
        ({"command": "apply", "allow-stale": "false", "remote": "false"}, ["apply", "."]),
        (
            {
                "command": "apply",
                "target": "eu",
                "preview": "false",
                "publish": "true",
                "certification": "true",
                "timeout": "600",
            },
            [
                "apply", ".", "--target", "eu", "--no-preview", "--publish", "--certification",
                "--timeout", "600",
            ],
        ),
        ({"command": "drift", "target": "*"}, ["drift", ".", "--target", "*"]),
    ],
)  # fmt: skip
def test_inputs_become_arguments(
    stand_in: tuple[Path, Path], inputs: dict[str, str], expected: list[str]
) -> None:
    result, calls = run_stand_in(stand_in, inputs)

    assert calls == [expected]
    assert result.exit_code == 0
    assert result.outputs == {"exit-code": "0"}
    assert "::warning" not in result.stdout


@pytest.mark.parametrize(
    ("inputs", "expected", "warning"),
    [
        (
            {"command": "plan", "remote": "true"},
            ["plan", ".", "--detailed-exitcode"],
            "remote only applies to validate and apply",
        ),
        (
            {"command": "drift", "remote": "true"},
            ["drift", "."],
            "remote only applies to validate and apply",
        ),
        (
            {"command": "plan", "allow-stale": "true"},
            ["plan", ".", "--detailed-exitcode"],
            "allow-stale only applies to apply",
        ),
        (
            {"command": "drift", "changed-since": "auto"},
            ["drift", "."],
            "changed-since is ignored by drift",
        ),
        (
            {"command": "plan", "plan-artifact": "connect-gitops-plan"},
            ["plan", ".", "--detailed-exitcode"],
            "plan-artifact only applies to plan with pr-comment",
        ),
    ],
)
def test_an_input_the_command_does_not_take_is_a_warning_not_silence(
    stand_in: tuple[Path, Path], inputs: dict[str, str], expected: list[str], warning: str
) -> None:
    result, calls = run_stand_in(stand_in, inputs)

    assert calls == [expected]
    assert result.exit_code == 0
    assert f"::warning title=connect-gitops input::{warning}" in result.stdout.splitlines()


@pytest.mark.parametrize(
    ("cli_exit", "step_exit"),
    [(0, 0), (2, 0), (1, 1)],
)
def test_plan_with_changes_exits_2_in_the_output_and_the_step_succeeds(
    stand_in: tuple[Path, Path], cli_exit: int, step_exit: int
) -> None:
    result, calls = run_stand_in(stand_in, {"command": "plan"}, exit_code=cli_exit)

    assert calls == [["plan", ".", "--detailed-exitcode"]]
    assert result.exit_code == step_exit
    assert result.outputs["exit-code"] == str(cli_exit)


@pytest.mark.parametrize("command", ["validate", "apply"])
def test_exit_code_2_fails_the_step_of_other_commands(
    stand_in: tuple[Path, Path], command: str
) -> None:
    result, _ = run_stand_in(stand_in, {"command": command}, exit_code=2)

    assert result.exit_code == 2
    assert result.outputs["exit-code"] == "2"


def test_the_outputs_the_cli_writes_are_the_actions_outputs(stand_in: tuple[Path, Path]) -> None:
    written = (
        "has-changes=true\nto-create=1\nto-update=2\nblocked=3\norphans=4\n"
        "plan-json=/tmp/plan.json\ncomment-url=https://github.test/c/7\nexit-code=2\n"
    )

    result, _ = run_stand_in(
        stand_in, {"command": "plan", "pr-comment": "true"}, exit_code=2, outputs=written
    )

    assert result.exit_code == 0
    assert result.outputs == {
        "exit-code": "2",
        "has-changes": "true",
        "to-create": "1",
        "to-update": "2",
        "blocked": "3",
        "orphans": "4",
        "plan-json": "/tmp/plan.json",
        "comment-url": "https://github.test/c/7",
    }


# ---------------------------------------------------------------------------------------------
# Pull requests from forks: no secrets, so validate instead of plan, and do not fail

FORK_NOTE = "A plan needs a branch of this repository"


def pull_request(head_repository: str | None) -> dict[str, Any]:
    head = {"repo": {"full_name": head_repository}} if head_repository else {"repo": None}
    return {
        "number": 5,
        "pull_request": {
            "number": 5,
            "head": head,
            "base": {"repo": {"full_name": REPOSITORY}},
        },
    }


@pytest.mark.parametrize("head", ["someone/declarations", None])
def test_a_plan_for_a_fork_validates_and_says_why(
    stand_in: tuple[Path, Path], head: str | None
) -> None:
    result, calls = run_stand_in(
        stand_in,
        {"command": "plan", "pr-comment": "true", "target": "eu", "remote": "true"},
        event_name="pull_request",
        event=pull_request(head),
    )

    assert calls == [["validate", "."]]
    assert result.exit_code == 0
    assert result.outputs == {"exit-code": "0"}
    assert "### connect-gitops: no plan for a pull request from a fork" in result.summary
    assert FORK_NOTE in result.summary
    notices = [line for line in result.stdout.splitlines() if line.startswith("::notice")]
    assert len(notices) == 1
    assert FORK_NOTE in notices[0]


def test_a_fork_whose_declarations_are_invalid_fails(stand_in: tuple[Path, Path]) -> None:
    result, calls = run_stand_in(
        stand_in,
        {"command": "plan"},
        exit_code=1,
        event_name="pull_request",
        event=pull_request("someone/declarations"),
    )

    assert calls == [["validate", "."]]
    assert result.exit_code == 1
    assert result.outputs == {"exit-code": "1"}


def test_a_branch_of_this_repository_is_planned(stand_in: tuple[Path, Path]) -> None:
    result, calls = run_stand_in(
        stand_in,
        {"command": "plan", "pr-comment": "true"},
        event_name="pull_request",
        event=pull_request(REPOSITORY),
    )

    assert calls == [["plan", ".", "--detailed-exitcode", "--pr-comment"]]
    assert FORK_NOTE not in result.summary + result.stdout


@pytest.mark.parametrize("command", ["validate", "apply", "drift"])
def test_only_plan_takes_the_fork_path(stand_in: tuple[Path, Path], command: str) -> None:
    _, calls = run_stand_in(
        stand_in,
        {"command": command},
        event_name="pull_request",
        event=pull_request("someone/declarations"),
    )

    assert calls[0][0] == command


def test_a_hostile_input_stays_one_argument(stand_in: tuple[Path, Path]) -> None:
    path = '$(touch pwned) `id` "; exit 3'
    _, calls = run_stand_in(stand_in, {"command": "validate", "path": path})

    assert calls == [["validate", path]]
    assert not (stand_in[1] / "pwned").exists()


def test_targets_output_is_the_json_list(stand_in: tuple[Path, Path]) -> None:
    result, calls = run_stand_in(stand_in, {"command": "targets", "path": "decl"})

    assert calls == [["targets", "decl", "--format", "json"]]
    assert json.loads(result.outputs["targets"]) == ["eu", "us"]
    assert result.outputs["exit-code"] == "0"


@pytest.mark.parametrize(
    ("fail_on_drift", "cli_exit", "step_exit"),
    [("true", 2, 2), ("false", 2, 0), ("false", 1, 1), ("false", 0, 0)],
)
def test_fail_on_drift(
    stand_in: tuple[Path, Path], fail_on_drift: str, cli_exit: int, step_exit: int
) -> None:
    result, _ = run_stand_in(
        stand_in, {"command": "drift", "fail-on-drift": fail_on_drift}, exit_code=cli_exit
    )

    assert result.exit_code == step_exit
    assert result.outputs["exit-code"] == str(cli_exit)


def test_a_failing_command_still_sets_exit_code(stand_in: tuple[Path, Path]) -> None:
    result, _ = run_stand_in(stand_in, {"command": "apply"}, exit_code=1)

    assert result.exit_code == 1
    assert result.outputs == {"exit-code": "1"}


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            {"command": "destroy"},
            "::error title=connect-gitops input::input 'command' must be one of: validate, plan, "
            "apply, drift, targets",
        ),
        (
            {"command": "apply", "publish": "yes"},
            "::error title=connect-gitops input::input 'publish' must be true or false",
        ),
        (
            {"command": "apply", "timeout": "10m"},
            "::error title=connect-gitops input::input 'timeout' must be a whole number of seconds",
        ),
    ],
)
def test_invalid_inputs_fail_before_running_anything(
    stand_in: tuple[Path, Path], inputs: dict[str, str], message: str
) -> None:
    result, calls = run_stand_in(stand_in, inputs)

    assert result.exit_code == 1
    assert calls == []
    assert message in result.stdout.splitlines()


def test_pr_comment_outside_plan_is_a_warning(stand_in: tuple[Path, Path]) -> None:
    result, calls = run_stand_in(stand_in, {"command": "drift", "pr-comment": "true"})

    assert calls == [["drift", "."]]
    assert "::warning title=connect-gitops input::pr-comment only applies to plan" in (
        result.stdout.splitlines()
    )


# ---------------------------------------------------------------------------------------------
# Whole runs of the real CLI against the embedded emulator


CONFIG = """\
connectors: ["connectors/**/*.yaml"]
defaultTarget: local
targets:
  local:
    emulator: .connect-gitops/emulator.json
"""

PAYMENT = """\
key: payment-connector
name: Payment Connector
description: Card payments for the shop
integrationTypes: [psp]
creator:
  email: team@example.com
  company: Example Ltd
repository:
  url: https://github.com/example/payment-connector.git
  tag: v1.4.0
supportedRegions: [europe-west1.gcp]
reconcile:
  preview: false
  publish: false
"""


def git(workspace: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=workspace,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def declarations(tmp_path: Path) -> Path:
    """A checked-out declarations repository, as actions/checkout leaves it."""
    workspace = tmp_path / "workspace"
    (workspace / "connectors").mkdir(parents=True)
    (workspace / "connect-gitops.yaml").write_text(CONFIG, encoding="utf-8")
    (workspace / "connectors" / "payment.yaml").write_text(PAYMENT, encoding="utf-8")
    (workspace / ".gitignore").write_text(".connect-gitops/\n", encoding="utf-8")
    git(workspace, "init", "-q", "-b", "main")
    git(workspace, "add", ".")
    git(workspace, "commit", "-q", "-m", "declarations")
    return workspace


def test_targets_lists_the_configured_targets(declarations: Path) -> None:
    result = run_action(declarations, {"command": "targets"})

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.outputs["targets"]) == ["local"]


def test_plan_apply_plan(declarations: Path) -> None:
    plan = run_action(declarations, {"command": "plan"})

    assert plan.exit_code == 0, plan.stderr
    assert plan.outputs["exit-code"] == "2"
    assert plan.outputs["has-changes"] == "true"
    assert (plan.outputs["to-create"], plan.outputs["to-update"]) == ("1", "0")
    assert (plan.outputs["blocked"], plan.outputs["orphans"]) == ("0", "0")
    document = json.loads(Path(plan.outputs["plan-json"]).read_text(encoding="utf-8"))
    assert [(c["key"], c["kind"]) for c in document["changes"]] == [("payment-connector", "create")]
    assert "payment-connector" in plan.summary

    applied = run_action(
        declarations,
        {"command": "apply", "target": "local"},
        event={"before": "0" * 40, "after": "f" * 40},
    )

    assert applied.exit_code == 0, applied.stderr
    assert applied.outputs["exit-code"] == "0"
    assert applied.outputs["has-changes"] == "true"
    assert "payment-connector" in applied.summary
    counts = {
        name: applied.outputs[name] for name in ("to-create", "to-update", "blocked", "orphans")
    }
    assert counts == {"to-create": "1", "to-update": "0", "blocked": "0", "orphans": "0"}

    again = run_action(declarations, {"command": "plan"})

    assert again.exit_code == 0, again.stderr
    assert again.outputs["exit-code"] == "0"
    assert again.outputs["has-changes"] == "false"


def head(workspace: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=workspace, capture_output=True, text=True, check=True
    ).stdout.strip()


def push(workspace: Path, message: str, **files: str) -> tuple[str, str]:
    """Commit ``files`` (name below connectors/: text) as one push; its before and after."""
    before = head(workspace)
    for name, text in files.items():
        (workspace / "connectors" / name).write_text(text, encoding="utf-8")
    git(workspace, "add", ".")
    git(workspace, "commit", "-q", "-m", message)
    return before, head(workspace)


TAX = PAYMENT.replace("payment-connector", "tax-connector").replace("Payment", "Tax")


@pytest.mark.parametrize(
    ("changed_since", "left_behind"),
    [("", []), ("auto", [("tax-connector", "create")])],
)
def test_a_push_whose_run_never_ran_is_applied_by_the_next_run(
    declarations: Path, changed_since: str, left_behind: list[tuple[str, str]]
) -> None:
    """GitHub keeps one pending run per concurrency group and cancels the one before: push B's
    run never happens, push C's run does. Level-triggered (the default), C's run applies B's
    change too; with --changed-since auto it applies only its own diff (what that costs)."""
    first = run_action(declarations, {"command": "apply"})
    assert first.exit_code == 0, first.stderr
    push(declarations, "B: add the tax connector", **{"tax.yaml": TAX})
    before, after = push(
        declarations,
        "C: describe the payment connector anew",
        **{"payment.yaml": PAYMENT.replace("Card payments", "Card and wallet payments")},
    )

    applied = run_action(
        declarations,
        {"command": "apply", "changed-since": changed_since},
        event={"before": before, "after": after},
    )
    assert applied.exit_code == 0, applied.stderr

    plan = run_action(declarations, {"command": "plan"})
    document = json.loads(Path(plan.outputs["plan-json"]).read_text(encoding="utf-8"))
    changes = [(c["key"], c["kind"]) for c in document["changes"] if c["kind"] != "noop"]
    assert changes == left_behind
    assert plan.outputs["exit-code"] == ("2" if left_behind else "0")


API_CONFIG = """\
connectors: ["connectors/**/*.yaml"]
defaultTarget: shop
targets:
  shop:
    region: europe-west1.gcp
    projectKey: shop-prod
    apiUrl: {url}
    authUrl: {url}
"""


def test_the_access_token_is_masked_as_soon_as_it_is_fetched(declarations: Path) -> None:
    from connect_gitops.emulator.server import running_emulator

    secret = "client-secret-never-shown"
    with running_emulator() as url:
        (declarations / "connect-gitops.yaml").write_text(API_CONFIG.format(url=url), "utf-8")
        result = run_action(
            declarations,
            {"command": "plan"},
            extra_env={"CTP_CLIENT_ID": "client-1", "CTP_CLIENT_SECRET": secret},
        )

    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()  # commands on stderr: stdout is only the report
    masks = [line for line in lines if line.startswith("::add-mask::")]
    assert len(masks) == 1, result.stderr
    token = masks[0].removeprefix("::add-mask::")
    assert len(token) >= 16
    assert [line for line in lines if token in line] == masks
    assert token not in result.stdout + result.summary
    assert secret not in result.stdout + result.stderr + result.summary


def test_drift_sets_drift_detected_and_fail_on_drift_decides(declarations: Path) -> None:
    applied = run_action(declarations, {"command": "apply", "changed-since": "all"})
    assert applied.exit_code == 0, applied.stderr
    payment = declarations / "connectors" / "payment.yaml"
    payment.write_text(PAYMENT.replace("Card payments", "Card and wallet payments"), "utf-8")

    tolerant = run_action(declarations, {"command": "drift", "fail-on-drift": "false"})
    strict = run_action(declarations, {"command": "drift"})

    assert tolerant.exit_code == 0, tolerant.stderr
    assert tolerant.outputs["exit-code"] == "2"
    assert tolerant.outputs["drift-detected"] == "true"
    assert strict.exit_code == 2
    assert strict.outputs["drift-detected"] == "true"
    assert "description" in tolerant.summary
    assert (tolerant.outputs["to-create"], tolerant.outputs["to-update"]) == ("0", "1")


def test_validate_annotates_at_most_ten_problems(declarations: Path) -> None:
    broken = "\n---\n".join(f"key: broken-{n}\ncreator:\n  email: not-an-email" for n in range(12))
    (declarations / "connectors" / "broken.yaml").write_text(broken, encoding="utf-8")

    result = run_action(declarations, {"command": "validate"})

    assert result.exit_code == 1
    assert result.outputs["exit-code"] == "1"
    errors = [line for line in result.stderr.splitlines() if line.startswith("::error ")]
    assert len(errors) == 10
    assert all(line.startswith("::error file=connectors/broken.yaml,line=") for line in errors)
    assert "::warning::2 more problems not annotated; see the step summary" in result.stderr


def test_a_fork_is_validated_without_credentials_or_a_comment(
    declarations: Path, fake_github: FakeGitHub
) -> None:
    (declarations / "connect-gitops.yaml").write_text(
        API_CONFIG.format(url="http://127.0.0.1:9"), "utf-8"
    )

    result = run_action(
        declarations,
        {"command": "plan", "pr-comment": "true"},
        event_name="pull_request",
        event=pull_request("someone/declarations"),
        extra_env={"GITHUB_API_URL": fake_github.base_url},
    )

    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.outputs == {"exit-code": "0"}
    assert FORK_NOTE in result.summary
    assert fake_github.requests == []


def test_a_fork_with_an_invalid_declaration_fails_with_its_annotation(declarations: Path) -> None:
    broken = "key: broken\ncreator:\n  email: not-an-email\n"
    (declarations / "connectors" / "broken.yaml").write_text(broken, encoding="utf-8")

    result = run_action(
        declarations,
        {"command": "plan"},
        event_name="pull_request",
        event=pull_request("someone/declarations"),
    )

    assert result.exit_code == 1
    assert result.outputs == {"exit-code": "1"}
    assert "::error file=connectors/broken.yaml,line=3," in result.stderr
    assert FORK_NOTE in result.summary


def test_plan_comments_on_the_pull_request_once(
    declarations: Path, fake_github: FakeGitHub
) -> None:
    github = {"GITHUB_API_URL": fake_github.base_url, "GITHUB_RUN_ID": "777"}
    event = pull_request(REPOSITORY)
    event["pull_request"]["head"]["sha"] = head(declarations)
    inputs = {"command": "plan", "pr-comment": "true", "target": "local"}

    first = run_action(
        declarations, inputs, event_name="pull_request", event=event, extra_env=github
    )
    second = run_action(
        declarations, inputs, event_name="pull_request", event=event, extra_env=github
    )

    assert (first.exit_code, second.exit_code) == (0, 0), first.stderr + second.stderr
    assert [m for m, _ in fake_github.requests] == ["GET", "GET", "POST", "GET", "GET", "PATCH"]
    assert len(fake_github.comments[5]) == 1
    comment = fake_github.comments[5][0]
    body = comment["body"]
    assert body.startswith("<!-- connect-gitops:plan targets=local -->\n")
    assert "### connect-gitops plan: local" in body
    assert "payment-connector" in body
    assert f"Planned at commit [`{head(declarations)[:7]}`]" in body
    assert f"[this workflow run](https://github.com/{REPOSITORY}/actions/runs/777)" in body
    assert "artifact" not in body  # plan-artifact not given: the workflow uploads none
    assert second.outputs["comment-url"] == f"https://github.test/c/{comment['id']}"


def test_the_plan_artifact_input_reaches_the_comment(
    declarations: Path, fake_github: FakeGitHub
) -> None:
    github = {"GITHUB_API_URL": fake_github.base_url, "GITHUB_RUN_ID": "777"}
    event = pull_request(REPOSITORY)
    inputs = {"command": "plan", "pr-comment": "true", "plan-artifact": "connect-gitops-plan-local"}

    result = run_action(
        declarations, inputs, event_name="pull_request", event=event, extra_env=github
    )

    assert result.exit_code == 0, result.stderr
    assert "::warning" not in result.stdout + result.stderr
    run = f"https://github.com/{REPOSITORY}/actions/runs/777"
    assert fake_github.comments[5][0]["body"].endswith(
        f"[this workflow run]({run}). The run's summary has the whole plan, and the plan in JSON "
        f"is its artifact [`connect-gitops-plan-local`]({run}#artifacts). This comment is edited "
        "on every push.\n"
    )


def test_a_failed_plan_replaces_the_comment_with_the_failure(
    declarations: Path, fake_github: FakeGitHub
) -> None:
    github = {"GITHUB_API_URL": fake_github.base_url}
    event = pull_request(REPOSITORY)
    inputs = {"command": "plan", "pr-comment": "true"}
    planned = run_action(
        declarations, inputs, event_name="pull_request", event=event, extra_env=github
    )
    assert planned.exit_code == 0, planned.stderr
    broken = "key: broken\ncreator:\n  email: not-an-email\n"
    (declarations / "connectors" / "broken.yaml").write_text(broken, encoding="utf-8")

    failed = run_action(
        declarations, inputs, event_name="pull_request", event=event, extra_env=github
    )

    assert failed.exit_code == 1
    assert failed.outputs["exit-code"] == "1"
    assert [m for m, _ in fake_github.requests][-1] == "PATCH"
    body = fake_github.comments[5][0]["body"]
    assert len(fake_github.comments[5]) == 1
    assert "**The plan failed**, so this comment shows no plan." in body
    assert "- `connectors/broken.yaml:3:10: creator.email: " in body
    assert "payment-connector" not in body
    assert failed.outputs["comment-url"].startswith("https://github.test/c/")


def test_a_read_only_token_warns_and_the_plan_succeeds(
    declarations: Path, fake_github: FakeGitHub
) -> None:
    fake_github.refuse = 403

    result = run_action(
        declarations,
        {"command": "plan", "pr-comment": "true"},
        event_name="pull_request",
        event=pull_request(REPOSITORY),
        extra_env={"GITHUB_API_URL": fake_github.base_url},
    )

    assert result.exit_code == 0, result.stderr
    assert result.outputs["exit-code"] == "2"
    warnings = [line for line in result.stderr.splitlines() if line.startswith("::warning")]
    assert any("403 Forbidden" in line for line in warnings), result.stderr
    assert GITHUB_TOKEN not in result.stdout + result.stderr


# ---------------------------------------------------------------------------------------------
# Apply refuses a commit that is no longer the tip of its branch


def apply_at(workspace: Path, sha: str, fake: FakeGitHub, **inputs: str) -> ActionRun:
    """The apply job of the push whose run checked out ``sha`` (a re-run checks it out again);
    the workspace is back on main afterwards."""
    git(workspace, "checkout", "-q", sha)
    try:
        return run_action(
            workspace,
            {"command": "apply", **inputs},
            event={"before": "0" * 40, "after": sha},
            extra_env={
                "GITHUB_API_URL": fake.base_url,
                "GITHUB_REF": "refs/heads/main",
                "GITHUB_SHA": sha,
            },
        )
    finally:
        git(workspace, "checkout", "-q", "main")


def test_a_rerun_of_an_old_run_is_refused_and_live_state_is_unchanged(
    declarations: Path, fake_github: FakeGitHub
) -> None:
    old = head(declarations)
    fake_github.branches["main"] = old
    assert apply_at(declarations, old, fake_github).exit_code == 0
    _, new = push(declarations, "C: describe anew", **{"payment.yaml": NEW_DESCRIPTION})
    fake_github.branches["main"] = new
    applied = apply_at(declarations, new, fake_github)
    assert applied.exit_code == 0, applied.stderr
    state = declarations / ".connect-gitops" / "emulator.json"
    live = state.read_bytes()

    rerun = apply_at(declarations, old, fake_github)

    assert rerun.exit_code == 1
    assert rerun.outputs == {"exit-code": "1"}
    log = rerun.stdout + rerun.stderr
    assert (
        f"error: refusing to apply commit {old[:12]}: it is no longer the tip of main, "
        f"which is now {new[:12]} ({new})." in log
    )
    assert "run the workflow by hand (its workflow_dispatch trigger" in log
    assert "::error title=connect-gitops%3A apply refused::refusing to apply commit" in log
    assert "### connect-gitops apply refused" in rerun.summary
    assert state.read_bytes() == live
    assert [path for _, path in fake_github.requests] == [
        "/repos/example/declarations/git/ref/heads/main"
    ] * 3

    plan = run_action(declarations, {"command": "plan"})
    assert plan.outputs["exit-code"] == "0", plan.stderr


def test_allow_stale_applies_an_old_commit_on_purpose(
    declarations: Path, fake_github: FakeGitHub
) -> None:
    old = head(declarations)
    _, new = push(declarations, "C: describe anew", **{"payment.yaml": NEW_DESCRIPTION})
    fake_github.branches["main"] = new
    assert apply_at(declarations, new, fake_github).exit_code == 0

    rolled_back = apply_at(declarations, old, fake_github, **{"allow-stale": "true"})

    assert rolled_back.exit_code == 0, rolled_back.stderr
    assert "--allow-stale: not checking that this commit is the tip of its branch" in (
        rolled_back.stderr
    )
    assert rolled_back.outputs["to-update"] == "1"
    plan = run_action(declarations, {"command": "plan"})
    assert (plan.outputs["exit-code"], plan.outputs["to-update"]) == ("2", "1")


NEW_DESCRIPTION = PAYMENT.replace("Card payments", "Card and wallet payments")
