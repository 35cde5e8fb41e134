"""action.yml's own ``run:`` steps, executed with bash as the runner would execute them.

The steps are taken from action.yml; their ``env:`` is evaluated from the inputs, the event and
the earlier steps' outputs the way the runner evaluates ``${{ ... }}``; ``uses:`` steps
(setup-python, the wheel cache) are skipped. By default the install steps are skipped too,
through the action's internal CONNECT_GITOPS_SKIP_INSTALL switch, and the ``connect-gitops``
found on PATH runs; with ``skip_install=False`` they run for real, with the test's own Python
standing in for setup-python's.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from tests.support.github import parse_github_output

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
ACTION: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
GITHUB_TOKEN = "ghs_fake_token_123"
REPOSITORY = "example/declarations"
EXPRESSION = re.compile(r"^\$\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}$")


@dataclass
class ActionRun:
    """What a workflow would see after the action ran."""

    exit_code: int
    outputs: dict[str, str]
    stdout: str
    stderr: str
    summary: str
    steps: dict[str, dict[str, str]] = field(default_factory=dict)
    """The outputs of each step that has an id, as later steps saw them."""


@dataclass
class Context:
    """What ``${{ }}`` expressions of action.yml can see."""

    inputs: dict[str, str]
    event: dict[str, Any]
    action_path: Path
    step_outputs: dict[str, dict[str, str]]


def evaluate(value: str, context: Context) -> str:
    """The few expressions action.yml may use; anything else fails the test."""
    match = EXPRESSION.match(str(value))
    if match is None:
        assert "${{" not in str(value), f"unexpected expression in {value!r}"
        return str(value)
    name = match.group(1)
    if name == "github.action_path":
        return str(context.action_path)
    if name == "github.token":
        return GITHUB_TOKEN
    if name.startswith("github.event."):
        found: Any = context.event
        for part in name.removeprefix("github.event.").split("."):
            found = found.get(part) if isinstance(found, dict) else None
        return "" if found is None else str(found)
    if name.startswith("inputs."):
        key = name.removeprefix("inputs.")
        assert key in ACTION["inputs"], f"action.yml uses an undeclared input {key}"
        given = context.inputs.get(key, ACTION["inputs"][key].get("default", ""))
        return evaluate(str(given), context)
    parts = name.split(".")
    if len(parts) == 4 and parts[0] == "steps" and parts[2] == "outputs":
        return context.step_outputs.get(parts[1], {}).get(parts[3], "")
    raise AssertionError(f"unexpected expression {value!r}")


def run_action(
    workspace: Path,
    inputs: dict[str, str],
    *,
    event_name: str = "push",
    event: dict[str, Any] | None = None,
    extra_env: dict[str, str] | None = None,
    bin_dir: Path = VENV_BIN,
    skip_install: bool = True,
    action_path: Path = ROOT,
    runner: Path | None = None,
) -> ActionRun:
    """Run the action's steps in ``workspace``; ``runner`` (a folder) is the job: two runs
    given the same one share its ``RUNNER_TEMP``, as two uses of the action in one job do."""
    if runner is None:
        runner = workspace.parent / f"runner-{len(list(workspace.parent.glob('runner-*')))}"
    (runner / "temp").mkdir(parents=True, exist_ok=True)
    attempt = len(list(runner.glob("event-*.json")))
    event_file = runner / f"event-{attempt}.json"
    event = event if event is not None else {"before": "0" * 40}
    event_file.write_text(json.dumps(event), encoding="utf-8")
    summary = runner / f"summary-{attempt}.md"
    base_env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(runner),
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_file),
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_API_URL": "http://127.0.0.1:9",
        "RUNNER_TEMP": str(runner / "temp"),
        "NO_COLOR": "1",
        **({"CONNECT_GITOPS_SKIP_INSTALL": "true"} if skip_install else {}),
        **(extra_env or {}),
    }
    # setup-python's output: the test's own interpreter stands in for the one it installs.
    context = Context(inputs, event, action_path, {"python": {"python-path": sys.executable}})
    stdout, stderr, code = "", "", 0
    for index, step in enumerate(ACTION["runs"]["steps"]):
        if "uses" in step:
            continue
        assert step["shell"] == "bash"
        assert "if" not in step, "run: steps decide in bash; only uses: steps may have an if"
        output_file = runner / f"output-{attempt}-{index}"
        output_file.touch()
        script = runner / f"step-{attempt}-{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        env = {
            **base_env,
            "GITHUB_OUTPUT": str(output_file),
            **{k: evaluate(v, context) for k, v in step.get("env", {}).items()},
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
            written = parse_github_output(output_file.read_text(encoding="utf-8"))
            context.step_outputs[step["id"]] = written
        if code != 0:
            break
    outputs = {name: evaluate(spec["value"], context) for name, spec in ACTION["outputs"].items()}
    return ActionRun(
        code,
        {k: v for k, v in outputs.items() if v != ""},
        stdout,
        stderr,
        summary.read_text(encoding="utf-8") if summary.exists() else "",
        context.step_outputs,
    )
