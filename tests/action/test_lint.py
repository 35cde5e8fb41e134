"""action.yml and the example workflows are valid, pass actionlint's checks (through
jactionlint, which also checks composite actions, with shellcheck over every ``run:`` script) and
zizmor's security audits."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / "examples" / "workflows").glob("*.yml"))


def run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


def actionlint(*files: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """jactionlint's default rules (actionlint's and more), no network, no ignore comments, and
    the shellcheck of the dev extra: a missing shellcheck is an error, not a skipped check."""
    return run(
        str(BIN / "jactionlint"),
        "--no-online",
        "--no-ignores",
        "--no-color",
        f"--shellcheck={BIN / 'shellcheck'}",
        *files,
        cwd=cwd,
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


def test_actionlint_finds_nothing() -> None:
    result = actionlint("action.yml", *(str(w.relative_to(ROOT)) for w in WORKFLOWS))

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_actionlint_would_find_an_unquoted_variable_and_an_unknown_input(tmp_path: Path) -> None:
    """The check above can fail: the same action with two mistakes in its install step."""
    broken = (ROOT / "action.yml").read_text(encoding="utf-8")
    broken = broken.replace('rm -rf "$VENV"', "rm -rf $VENV\n          echo ${{ inputs.nope }}", 1)
    (tmp_path / "action.yml").write_text(broken, encoding="utf-8")

    result = actionlint("action.yml", cwd=tmp_path)

    assert result.returncode == 1
    assert "SC2086" in result.stdout  # from shellcheck
    assert 'property "nope" is not defined' in result.stdout


PINNED_ACTION = "your-org/connect-gitops@0000000000000000000000000000000000000000 # v0.1.0"


def repository_using_this_action(folder: Path, edit: tuple[str, str] = ("", "")) -> Path:
    """The example workflows in a repository whose root is this action, using it as ``./``:
    actionlint then checks each ``with:`` and ``steps.<id>.outputs`` against action.yml."""
    (folder / ".github" / "workflows").mkdir(parents=True)
    # `./` is read from the root of the git repository: without one nothing would be checked.
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    shutil.copy(ROOT / "action.yml", folder / "action.yml")
    for workflow in WORKFLOWS:
        text = workflow.read_text(encoding="utf-8")
        assert PINNED_ACTION in text, workflow.name
        text = text.replace(PINNED_ACTION, "./").replace(*edit)
        (folder / ".github" / "workflows" / workflow.name).write_text(text, encoding="utf-8")
    return folder


def test_the_workflows_use_only_inputs_and_outputs_the_action_declares(tmp_path: Path) -> None:
    repository = repository_using_this_action(tmp_path)

    result = actionlint(*(f".github/workflows/{w.name}" for w in WORKFLOWS), cwd=repository)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_a_misspelt_output_of_the_action_would_be_found(tmp_path: Path) -> None:
    repository = repository_using_this_action(
        tmp_path, ("steps.drift.outputs.drift-detected", "steps.drift.outputs.drift-found")
    )

    result = actionlint(".github/workflows/drift-nightly.yml", cwd=repository)

    assert result.returncode == 1
    assert 'property "drift-found" is not defined' in result.stdout
