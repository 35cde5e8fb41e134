"""The action's own ``run:`` steps, executed with bash as the runner would execute them.

The steps are taken from action.yml; their ``env:`` is evaluated from the inputs the way the
runner evaluates ``${{ inputs.* }}``; ``uses:`` steps (setup-python) are skipped and the install
step is skipped through its internal CONNECT_GITOPS_SKIP_INSTALL switch, with the project's
virtualenv on PATH. Two kinds of tests: the argument mapping against a stand-in ``connect-gitops``
that records its arguments, and whole runs of the real CLI against the embedded emulator.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.support.github import FakeGitHub, parse_github_output

from connect_gitops.github.comment import DEFAULT_MARKER

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
GITHUB_TOKEN = "ghs_fake_token_123"
EXPRESSION = re.compile(r"^\$\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}$")


@dataclass
class ActionRun:
    """What a workflow would see after the action ran."""

    exit_code: int
    outputs: dict[str, str]
    stdout: str
    stderr: str
    summary: str


def _evaluate(value: str, inputs: dict[str, str], step_outputs: dict[str, dict[str, str]]) -> str:
    """The few expressions action.yml may use; anything else fails the test."""
    match = EXPRESSION.match(str(value))
    if match is None:
        assert "${{" not in str(value), f"unexpected expression in {value!r}"
        return str(value)
    name = match.group(1)
    if name == "github.action_path":
        return str(ROOT)
    if name == "github.token":
        return GITHUB_TOKEN
    if name.startswith("inputs."):
        key = name.removeprefix("inputs.")
        assert key in ACTION["inputs"], f"action.yml uses an undeclared input {key}"
        given = inputs.get(key, ACTION["inputs"][key].get("default", ""))
        return _evaluate(str(given), inputs, step_outputs)
    parts = name.split(".")
    if len(parts) == 4 and parts[0] == "steps" and parts[2] == "outputs":
        return step_outputs.get(parts[1], {}).get(parts[3], "")
    raise AssertionError(f"unexpected expression {value!r}")


def run_action(
    workspace: Path,
    inputs: dict[str, str],
    *,
    event_name: str = "push",
    event: dict[str, Any] | None = None,
    extra_env: dict[str, str] | None = None,
    bin_dir: Path = VENV_BIN,
) -> ActionRun:
    runner = workspace.parent / f"runner-{len(list(workspace.parent.glob('runner-*')))}"
    (runner / "temp").mkdir(parents=True)
    event_file = runner / "event.json"
    event_file.write_text(json.dumps(event or {"before": "0" * 40}), encoding="utf-8")
    summary = runner / "summary.md"
    base_env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(runner),
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_file),
        "GITHUB_REPOSITORY": "example/declarations",
        "GITHUB_API_URL": "http://127.0.0.1:9",
        "RUNNER_TEMP": str(runner / "temp"),
        "CONNECT_GITOPS_SKIP_INSTALL": "true",
        "NO_COLOR": "1",
        **(extra_env or {}),
    }
    step_outputs: dict[str, dict[str, str]] = {}
    stdout, stderr, code = "", "", 0
    for index, step in enumerate(ACTION["runs"]["steps"]):
        if "uses" in step:
            continue
        assert step["shell"] == "bash"
        output_file = runner / f"output-{index}"
        output_file.touch()
        script = runner / f"step-{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        env = {
            **base_env,
            "GITHUB_OUTPUT": str(output_file),
            **{k: _evaluate(v, inputs, step_outputs) for k, v in step.get("env", {}).items()},
        }
        # The runner's own command line for `shell: bash`.
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        stdout, stderr, code = stdout + done.stdout, stderr + done.stderr, done.returncode
        if "id" in step:
            step_outputs[step["id"]] = parse_github_output(output_file.read_text(encoding="utf-8"))
        if code != 0:
            break
    outputs = {
        name: _evaluate(spec["value"], inputs, step_outputs)
        for name, spec in ACTION["outputs"].items()
    }
    return ActionRun(
        code,
        {k: v for k, v in outputs.items() if v != ""},
        stdout,
        stderr,
        summary.read_text(encoding="utf-8") if summary.exists() else "",
    )


# ---------------------------------------------------------------------------------------------
# The action's text


def test_no_expression_is_interpolated_into_a_script() -> None:
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]


def test_it_is_a_composite_action_with_the_documented_inputs_and_outputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) == {
        "command", "path", "target", "changed-since", "remote", "preview", "publish",
        "certification", "pr-comment", "fail-on-drift", "timeout", "python-version",
        "github-token",
    }  # fmt: skip
    assert ACTION["inputs"]["fail-on-drift"]["default"] == "true"
    assert ACTION["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert set(ACTION["outputs"]) == {
        "exit-code", "has-changes", "drift-detected", "plan-json", "targets",
    }  # fmt: skip


# ---------------------------------------------------------------------------------------------
# The argument mapping, against a stand-in CLI that records what it was called with

STAND_IN = """\
#!/usr/bin/env python3
import json, os, sys
with open(os.environ["ARGS_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if sys.argv[1:2] == ["targets"]:
    print(json.dumps(["eu", "us"]))
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
    stand_in: tuple[Path, Path], inputs: dict[str, str], exit_code: int = 0
) -> tuple[ActionRun, list[list[str]]]:
    bin_dir, workspace = stand_in
    log = workspace.parent / "args.log"
    log.write_text("", encoding="utf-8")
    result = run_action(
        workspace,
        inputs,
        bin_dir=bin_dir,
        extra_env={"ARGS_LOG": str(log), "STAND_IN_EXIT": str(exit_code)},
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
            ["plan", "decl dir", "--target", "eu", "--target", "us", "--target", "asia"],
        ),
        (
            {"command": "plan", "changed-since": "HEAD~1", "pr-comment": "true"},
            ["plan", ".", "--changed-since", "HEAD~1", "--pr-comment"],
        ),
        ({"command": "apply"}, ["apply", ".", "--changed-since", "auto"]),
        ({"command": "apply", "changed-since": "all"}, ["apply", "."]),
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
                "apply",
                ".",
                "--target",
                "eu",
                "--changed-since",
                "auto",
                "--no-preview",
                "--publish",
                "--certification",
                "--timeout",
                "600",
            ],
        ),
        ({"command": "drift", "target": "*"}, ["drift", ".", "--target", "*"]),
    ],
)
def test_inputs_become_arguments(
    stand_in: tuple[Path, Path], inputs: dict[str, str], expected: list[str]
) -> None:
    result, calls = run_stand_in(stand_in, inputs)

    assert calls == [expected]
    assert result.exit_code == 0
    assert result.outputs == {"exit-code": "0"}


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
    assert plan.outputs["exit-code"] == "0"
    assert plan.outputs["has-changes"] == "true"
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

    again = run_action(declarations, {"command": "plan"})

    assert again.exit_code == 0, again.stderr
    assert again.outputs["has-changes"] == "false"


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
    lines = result.stdout.splitlines()
    masks = [line for line in lines if line.startswith("::add-mask::")]
    assert len(masks) == 1, result.stdout
    token = masks[0].removeprefix("::add-mask::")
    assert len(token) >= 16
    assert [line for line in lines if token in line] == masks
    assert token not in result.stderr + result.summary
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


def test_validate_annotates_at_most_ten_problems(declarations: Path) -> None:
    broken = "\n---\n".join(f"key: broken-{n}\ncreator:\n  email: not-an-email" for n in range(12))
    (declarations / "connectors" / "broken.yaml").write_text(broken, encoding="utf-8")

    result = run_action(declarations, {"command": "validate"})

    assert result.exit_code == 1
    assert result.outputs["exit-code"] == "1"
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(errors) == 10
    assert all(line.startswith("::error file=connectors/broken.yaml,line=") for line in errors)
    assert "::warning::2 more problems not annotated; see the step summary" in result.stdout


def test_plan_comments_on_the_pull_request_once(
    declarations: Path, fake_github: FakeGitHub
) -> None:
    github = {"GITHUB_API_URL": fake_github.base_url}
    event = {"number": 5, "pull_request": {"number": 5}}
    inputs = {"command": "plan", "pr-comment": "true"}

    first = run_action(
        declarations, inputs, event_name="pull_request", event=event, extra_env=github
    )
    second = run_action(
        declarations, inputs, event_name="pull_request", event=event, extra_env=github
    )

    assert (first.exit_code, second.exit_code) == (0, 0), first.stderr + second.stderr
    assert [m for m, _ in fake_github.requests] == ["GET", "POST", "GET", "PATCH"]
    assert len(fake_github.comments[5]) == 1
    body = fake_github.comments[5][0]["body"]
    assert body.startswith(DEFAULT_MARKER)
    assert "payment-connector" in body


def test_a_read_only_token_warns_and_the_plan_succeeds(
    declarations: Path, fake_github: FakeGitHub
) -> None:
    fake_github.refuse = 403

    result = run_action(
        declarations,
        {"command": "plan", "pr-comment": "true"},
        event_name="pull_request",
        event={"number": 5, "pull_request": {"number": 5}},
        extra_env={"GITHUB_API_URL": fake_github.base_url},
    )

    assert result.exit_code == 0, result.stderr
    assert result.outputs["exit-code"] == "0"
    warnings = [line for line in result.stdout.splitlines() if line.startswith("::warning")]
    assert any("403 Forbidden" in line for line in warnings), result.stdout
    assert GITHUB_TOKEN not in result.stdout + result.stderr
