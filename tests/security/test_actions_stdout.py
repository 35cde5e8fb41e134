"""Under GitHub Actions stdout carries exactly the report asked for, byte for byte the same as
outside: workflow commands (``::add-mask::`` of the access token, annotations) go to stderr,
which the runner reads for commands too. ``connect-gitops plan --format json > plan.json`` in a
workflow must give a plan file, and never one holding a bearer token.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from tests.support.cli import SECRET, cli
from tests.support.declarations import write_config, write_declarations
from tests.support.emulator import control, update

MASK = "::add-mask::"
KEYS = ["alpha-connector", "beta-connector"]


def actions_environment(tmp_path: Path) -> dict[str, str]:
    runner = tmp_path / "runner"
    runner.mkdir()
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "push",
        "GITHUB_OUTPUT": str(tmp_path / "github-output.txt"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary.md"),
        "GITHUB_WORKSPACE": str(tmp_path),
        "RUNNER_TEMP": str(runner),
    }


def masked_tokens(runs: list[subprocess.CompletedProcess[str]]) -> set[str]:
    return {
        line.removeprefix(MASK)
        for run in runs
        for line in run.stderr.splitlines()
        if line.startswith(MASK)
    }


def test_json_on_stdout_is_the_same_inside_actions_and_holds_no_token(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = tmp_path / "declarations"
    write_config(folder, emulator_url)
    write_declarations(folder, KEYS)
    assert cli("apply", str(folder)).returncode == 0
    update(emulator_url, "beta-connector", {"action": "setDescription", "description": "By hand"})
    env = actions_environment(tmp_path)
    commands = [
        ("plan", str(folder), "--format", "json"),
        ("drift", str(folder), "--format", "json"),
        ("targets", str(folder), "--format", "json"),
        ("plan", str(folder), "--format", "markdown"),
    ]

    outside = [cli(*command) for command in commands]
    inside = [cli(*command, **env) for command in commands]
    saved = tmp_path / "saved-plan.json"
    written = cli("plan", str(folder), "--out", str(saved), **env)
    applied = cli("apply", str(folder), "--format", "json", **env)

    assert [run.returncode for run in inside] == [0, 2, 0, 0]
    for before, run in zip(outside, inside, strict=True):
        assert run.stdout == before.stdout, run.args
    for run in [*inside[:3], applied]:
        json.loads(run.stdout)
    assert json.loads(applied.stdout)["summary"]["updated"] == 1, applied.stderr
    assert written.returncode == 0, written.stderr
    assert written.stdout == ""
    assert json.loads(saved.read_text(encoding="utf-8"))["formatVersion"] == 1

    runs = [*inside, written, applied]
    tokens = masked_tokens(runs)
    issued = set(control(emulator_url, "GET", "state")["tokens"])
    assert tokens
    assert {hashlib.sha256(t.encode()).hexdigest() for t in tokens} <= issued
    files = [
        path.read_text(encoding="utf-8", errors="replace")
        for path in tmp_path.rglob("*")
        if path.is_file() and folder not in path.parents
    ]
    assert len(files) >= 4  # the saved plan, $GITHUB_OUTPUT, the step summary, plan-json files
    for run in runs:
        assert all(not line.startswith("::") for line in run.stdout.splitlines()), run.args
        unmasked = [line for line in run.stderr.splitlines() if not line.startswith(MASK)]
        for secret in (*tokens, SECRET):
            assert secret not in run.stdout
            assert all(secret not in line for line in unmasked)
    for text in files:
        for secret in (*tokens, SECRET):
            assert secret not in text
        assert MASK not in text
