"""Hostile declaration file names: a name that holds a newline is refused with a clear error,
never skipped by ``--changed-since``, and can never forge a GitHub workflow command."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import cli
from tests.support.declarations import declaration, write_config, write_declarations
from tests.support.emulator import journal
from tests.support.git import git
from tests.support.github import parse_github_output

INJECTED = "x\n::warning title=Injected::fake\n.yaml"
ESCAPED = "x\\n::warning title=Injected::fake\\n.yaml"
REFUSED = (
    "the file name holds a control, line-break or text-direction character, which would show as "
    "something else in logs and GitHub: rename the file"
)


def hostile_folder(tmp_path: Path, url: str = "http://127.0.0.1:9") -> Path:
    folder = tmp_path / "declarations"
    write_config(folder, url)
    write_declarations(folder, ["good-connector"])
    (folder / "connectors" / INJECTED).write_text(
        declaration("injected-connector"), encoding="utf-8"
    )
    return folder


def actions_environment(tmp_path: Path) -> dict[str, str]:
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
    }


def test_validate_refuses_the_name_and_names_it_escaped(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)

    result = cli("validate", str(folder))

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{folder}/connectors/{ESCAPED}:1:1: {REFUSED}",
        "1 problem in 2 files",
    ]


def test_validate_verbose_in_github_actions_forges_no_workflow_command(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)

    result = cli("validate", str(folder), "--verbose", **actions_environment(tmp_path))

    assert result.returncode == 1
    lines = result.stdout.splitlines() + result.stderr.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert commands == [
        "::error file=declarations/connectors/x%0A%3A%3Awarning title=Injected%3A%3Afake%0A.yaml,"
        "line=1,col=1,title=connect-gitops::" + REFUSED
    ]
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "\n::" not in summary
    assert f"`connectors/{ESCAPED}:1:1`" in summary
    outputs = parse_github_output((tmp_path / "output.txt").read_text(encoding="utf-8"))
    assert outputs == {"exit-code": "1"}


@pytest.mark.parametrize("name", ["tab\there.yaml", "bell\a.yaml", "bidi\u202egpj.yaml"])
def test_other_control_characters_are_refused_too(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "declarations"
    write_declarations(folder, ["good-connector"])
    (folder / "connectors" / name).write_text(declaration("other-connector"), encoding="utf-8")

    result = cli("validate", str(folder))

    assert result.returncode == 1
    assert REFUSED in result.stderr


def test_changed_since_does_not_skip_a_changed_file_whose_name_holds_a_newline(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = tmp_path / "declarations"
    write_config(folder, emulator_url)
    write_declarations(folder, ["good-connector"])
    git("init", "-q", "-b", "main", cwd=folder)
    git("add", ".", cwd=folder)
    git("commit", "-qm", "declarations", cwd=folder)
    (folder / "connectors" / INJECTED).write_text(
        declaration("injected-connector"), encoding="utf-8"
    )
    git("add", ".", cwd=folder)
    git("commit", "-qm", "a hostile name", cwd=folder)

    result = cli("plan", str(folder), "--changed-since", "HEAD~1")

    assert result.returncode == 1
    assert f"{folder}/connectors/{ESCAPED}:1:1: {REFUSED}" in result.stderr
    assert journal(emulator_url) == []


def git_folder(tmp_path: Path, url: str) -> Path:
    folder = tmp_path / "declarations"
    write_config(folder, url)
    write_declarations(folder, ["good-connector"])
    git("init", "-q", "-b", "main", cwd=folder)
    git("add", ".", cwd=folder)
    git("commit", "-qm", "declarations", cwd=folder)
    write_declarations(folder, ["good-connector"], description="Changed")
    git("commit", "-qam", "change", cwd=folder)
    return folder


def test_an_unknown_previous_branch_is_a_clear_error(tmp_path: Path, emulator_url: str) -> None:
    folder = git_folder(tmp_path, emulator_url)

    result = cli("plan", str(folder), "--changed-since", "@{-1}")

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: --changed-since '@{-1}': git cannot resolve this to a commit of the repository; "
        "give a commit, branch or tag, e.g. HEAD~1 or origin/main"
    ]
    assert journal(emulator_url) == []


def test_a_reflog_date_is_a_revision_like_any_other(tmp_path: Path, emulator_url: str) -> None:
    folder = git_folder(tmp_path, emulator_url)

    result = cli("plan", str(folder), "--changed-since", "HEAD@{yesterday}", "--format", "json")

    assert result.returncode == 0, result.stderr
    assert '"key": "good-connector"' in result.stdout
