"""Declaration files that block on open or lead out of the folder: validate and plan never hang,
read only regular files inside the declarations folder, and name the file that was refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from connect_gitops.source import yamlsafe
from connect_gitops.source.config import load_config
from connect_gitops.source.loader import load_files
from tests.support.cli import cli, environment
from tests.support.declarations import declaration, write_config, write_declarations
from tests.support.emulator import journal
from tests.support.git import git

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")

TIMEOUT = 30
"""Seconds: far more than a run needs, far less than for ever."""

PIPE = "a named pipe, not a regular file: declarations must be plain files"
NOTHING_SENT = "Nothing was sent to any API: fix the problems above and run again."


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI with a standard input that stays open, as a terminal's or a CI step's would: a run
    that reads ``/dev/stdin`` waits for ever (here: until the timeout fails the test)."""
    reader, writer = os.pipe()
    try:
        return subprocess.run(
            [sys.executable, "-m", "connect_gitops", *args],
            stdin=reader,
            capture_output=True,
            text=True,
            env=environment(),
            timeout=TIMEOUT,
            check=False,
        )
    finally:
        os.close(reader)
        os.close(writer)


def folder_with(tmp_path: Path, url: str = "http://127.0.0.1:9") -> Path:
    folder = tmp_path / "declarations"
    write_config(folder, url)
    write_declarations(folder, ["good-connector"])
    return folder


def test_a_named_pipe_is_refused_by_validate(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    os.mkfifo(folder / "connectors" / "pipe.yaml")

    result = run("validate", str(folder))

    assert result.returncode == 1
    assert f"{folder}/connectors/pipe.yaml:1:1: {PIPE}" in result.stderr


def test_a_named_pipe_is_refused_by_plan_and_nothing_is_sent(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = folder_with(tmp_path, emulator_url)
    os.mkfifo(folder / "connectors" / "pipe.yaml")

    result = run("plan", str(folder))

    assert result.returncode == 1
    assert f"{folder}/connectors/pipe.yaml:1:1: {PIPE}" in result.stderr
    assert NOTHING_SENT in result.stderr
    assert journal(emulator_url) == []


def test_a_link_to_standard_input_is_refused_by_validate_and_plan(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = folder_with(tmp_path, emulator_url)
    (folder / "connectors" / "in.yaml").symlink_to("/dev/stdin")
    expected = (
        f"{folder}/connectors/in.yaml:1:1: symbolic link to /dev/stdin, outside the "
        "declarations folder: declarations must be files inside the folder"
    )

    validated = run("validate", str(folder))
    planned = run("plan", str(folder))

    assert validated.returncode == 1
    assert expected in validated.stderr
    assert planned.returncode == 1
    assert expected in planned.stderr
    assert journal(emulator_url) == []


def test_a_link_to_a_file_outside_the_folder_is_refused_and_not_read(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    secret = tmp_path / "outside.yaml"
    secret.write_text("key: [the contents of a file of the machine]\n", encoding="utf-8")
    (folder / "connectors" / "leak.yaml").symlink_to(secret)

    result = cli("validate", str(folder), timeout=TIMEOUT)

    assert result.returncode == 1
    assert (
        f"{folder}/connectors/leak.yaml:1:1: symbolic link to {secret}, outside the "
        "declarations folder"
    ) in result.stderr
    assert "the contents of a file" not in result.stderr


def test_a_link_inside_the_folder_is_read(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    shared = folder / "shared"
    shared.mkdir()
    (shared / "linked.yml").write_text(declaration("linked-connector"), encoding="utf-8")
    (folder / "connectors" / "linked.yaml").symlink_to("../shared/linked.yml")

    result = cli("validate", str(folder), timeout=TIMEOUT)

    assert result.returncode == 0, result.stderr
    assert "ok: 2 connectors in 2 files" in result.stderr


def test_a_linked_folder_that_leaves_the_declarations_folder_is_refused(tmp_path: Path) -> None:
    folder = folder_with(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "other.yaml").write_text(declaration("other-connector"), encoding="utf-8")
    (folder / "connectors" / "linked").symlink_to(elsewhere, target_is_directory=True)

    result = load_files(folder, ["connectors/linked/other.yaml"], load_config(folder, {}))

    assert [str(problem) for problem in result.problems] == [
        "connectors/linked/other.yaml:1:1: its folder is a symbolic link that leaves the "
        "declarations folder"
    ]


def test_a_configuration_that_is_a_named_pipe_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "declarations"
    write_declarations(folder, ["good-connector"])
    os.mkfifo(folder / "connect-gitops.yaml")

    result = run("validate", str(folder))

    assert result.returncode == 1
    assert f"connect-gitops.yaml:1:1: {PIPE}" in result.stderr


def test_a_configuration_linked_from_outside_the_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "declarations"
    write_declarations(folder, ["good-connector"])
    outside = write_config(tmp_path / "elsewhere", "http://127.0.0.1:9") / "connect-gitops.yaml"
    (folder / "connect-gitops.yaml").symlink_to(outside)

    result = cli("validate", str(folder), timeout=TIMEOUT)

    assert result.returncode == 1
    assert f"connect-gitops.yaml:1:1: symbolic link to {outside}, outside the" in result.stderr


def test_a_committed_link_to_standard_input_is_refused_with_changed_since(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = folder_with(tmp_path, emulator_url)
    git("init", "-q", "-b", "main", cwd=folder)
    git("add", ".", cwd=folder)
    git("commit", "-qm", "declarations", cwd=folder)
    (folder / "connectors" / "in.yaml").symlink_to("/dev/stdin")
    git("add", ".", cwd=folder)
    git("commit", "-qm", "a link", cwd=folder)

    result = run("plan", str(folder), "--changed-since", "HEAD~1")

    assert result.returncode == 1
    assert f"{folder}/connectors/in.yaml:1:1: symbolic link to /dev/stdin" in result.stderr
    assert journal(emulator_url) == []


def test_the_safe_reader_refuses_a_named_pipe_without_waiting(tmp_path: Path) -> None:
    """Every reader of YAML files (export reads the files it edits) opens without blocking."""
    os.mkfifo(tmp_path / "pipe.yaml")

    with pytest.raises(yamlsafe.YamlProblem, match="a named pipe, not a regular file"):
        yamlsafe.read_text(tmp_path / "pipe.yaml")
