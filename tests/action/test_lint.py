"""action.yml and the example workflows are valid and pass zizmor's security audits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / "examples" / "workflows").glob("*.yml"))


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


def test_there_are_the_three_example_workflows() -> None:
    assert [w.name for w in WORKFLOWS] == [
        "apply-on-push.yml",
        "drift-nightly.yml",
        "plan-on-pull-request.yml",
    ]


def test_action_yml_is_valid() -> None:
    result = run(
        str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-actions", "action.yml"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_are_valid() -> None:
    result = run(
        str(BIN / "check-jsonschema"),
        "--builtin-schema",
        "vendor.github-workflows",
        *(str(w) for w in WORKFLOWS),
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_finds_nothing(persona: str) -> None:
    # Files are named one by one: given a folder, zizmor only looks for .github/workflows in it.
    result = run(
        str(BIN / "zizmor"),
        "--offline",
        "--no-progress",
        f"--persona={persona}",
        "action.yml",
        *(str(w.relative_to(ROOT)) for w in WORKFLOWS),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr
    assert "suppressed" not in result.stdout + result.stderr
