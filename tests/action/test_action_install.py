"""The action's install steps, run for real against a stand-in action checkout.

The stand-in checkout has the shape of this repository: a lock file, ``action-requirements.txt``,
that pins one small wheel built here with its hash, and a ``src/connect_gitops`` whose
``__main__`` reports what it imported. The wheels come from a local folder instead of an index
(``PIP_NO_INDEX`` and ``PIP_FIND_LINKS``), so nothing here needs the network; the download, the
virtual environment, the hash checks and the launcher are the action's own.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from action_runner import ActionRun, run_action

DEPENDENCY = "locked_dependency"

MAIN = f"""\
import sys
import {DEPENDENCY}
print("the action's connect_gitops, with", {DEPENDENCY}.ORIGIN, "args", sys.argv[1:])
"""


def build_wheel(folder: Path) -> Path:
    """A minimal pure-Python wheel, as a build backend would write it."""
    dist_info = f"{DEPENDENCY}-1.0.dist-info"
    files = {
        f"{DEPENDENCY}/__init__.py": b"ORIGIN = 'the locked wheel'\n",
        f"{dist_info}/METADATA": b"Metadata-Version: 2.1\nName: locked-dependency\nVersion: 1.0\n",
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = folder / f"{DEPENDENCY}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return wheel


@pytest.fixture
def index(tmp_path: Path) -> Path:
    """The folder pip downloads from: the one locked wheel."""
    folder = tmp_path / "index"
    folder.mkdir()
    build_wheel(folder)
    return folder


@pytest.fixture
def action_path(tmp_path: Path, index: Path) -> Path:
    checkout = tmp_path / "action"
    package = checkout / "src" / "connect_gitops"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "__main__.py").write_text(MAIN, encoding="utf-8")
    wheel = next(index.glob("*.whl"))
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    (checkout / "action-requirements.txt").write_text(
        f"locked-dependency==1.0 \\\n    --hash=sha256:{digest}\n", encoding="utf-8"
    )
    return checkout


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The declarations checkout, holding modules named like the action's own: a workflow's
    checkout is not trusted code, and must never be imported by the action."""
    folder = tmp_path / "workspace"
    (folder / "connect_gitops").mkdir(parents=True)
    shadow = "open('SHADOWED', 'w').write('imported from the workspace')\n"
    (folder / "connect_gitops" / "__init__.py").write_text(shadow, encoding="utf-8")
    (folder / f"{DEPENDENCY}.py").write_text(shadow, encoding="utf-8")
    return folder


def install_and_validate(
    workspace: Path, action_path: Path, index: Path, runner: Path
) -> ActionRun:
    return run_action(
        workspace,
        {"command": "validate"},
        skip_install=False,
        action_path=action_path,
        runner=runner,
        extra_env={
            "PIP_CONFIG_FILE": "/dev/null",
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(index),
        },
    )


def test_installs_the_lock_and_runs_the_actions_code_not_the_workspaces(
    workspace: Path, action_path: Path, index: Path, tmp_path: Path
) -> None:
    result = install_and_validate(workspace, action_path, index, tmp_path / "job")

    assert result.exit_code == 0, result.stdout + result.stderr
    assert "the action's connect_gitops, with the locked wheel args ['validate', '.']" in (
        result.stdout
    )
    assert not (workspace / "SHADOWED").exists()
    venv = Path(result.steps["prepare"]["venv"])
    assert result.steps["install"]["cli"] == str(venv / "bin" / "connect-gitops")
    assert venv.is_relative_to(tmp_path / "job" / "temp")
    # The job's own Python got nothing.
    assert DEPENDENCY not in {p.name for p in Path(sys.prefix).glob("lib/python*/site-packages/*")}


def test_a_second_use_in_the_same_job_installs_nothing(
    workspace: Path, action_path: Path, index: Path, tmp_path: Path
) -> None:
    first = install_and_validate(workspace, action_path, index, tmp_path / "job")
    shutil.rmtree(index)  # nothing left to download from

    second = install_and_validate(workspace, action_path, index, tmp_path / "job")

    assert (first.steps["prepare"]["install"], second.steps["prepare"]["install"]) == (
        "true",
        "false",
    )
    assert second.exit_code == 0, second.stdout + second.stderr
    assert "the action's connect_gitops, with the locked wheel" in second.stdout


def test_a_restored_wheel_cache_is_used_without_downloading(
    workspace: Path, action_path: Path, index: Path, tmp_path: Path
) -> None:
    first = install_and_validate(workspace, action_path, index, tmp_path / "job-1")
    wheels = Path(first.steps["prepare"]["wheels"])
    restored = tmp_path / "job-2" / "temp" / wheels.name  # what actions/cache puts back
    shutil.copytree(wheels, restored)
    shutil.rmtree(index)

    second = install_and_validate(workspace, action_path, index, tmp_path / "job-2")

    assert second.steps["prepare"]["wheels"] == str(restored)
    assert second.steps["prepare"]["key"] == first.steps["prepare"]["key"]
    assert second.exit_code == 0, second.stdout + second.stderr
    assert "downloading" not in second.stdout
    assert "the action's connect_gitops, with the locked wheel" in second.stdout


def test_a_tampered_wheel_in_the_cache_stops_the_install(
    workspace: Path, action_path: Path, index: Path, tmp_path: Path
) -> None:
    first = install_and_validate(workspace, action_path, index, tmp_path / "job-1")
    restored = tmp_path / "job-2" / "temp" / Path(first.steps["prepare"]["wheels"]).name
    shutil.copytree(Path(first.steps["prepare"]["wheels"]), restored)
    wheel = next(restored.glob("*.whl"))
    with zipfile.ZipFile(wheel, "a") as archive:
        archive.writestr(f"{DEPENDENCY}/extra.py", "print('not what the lock pinned')\n")
    shutil.rmtree(index)

    second = install_and_validate(workspace, action_path, index, tmp_path / "job-2")

    assert second.exit_code != 0
    assert "THESE PACKAGES DO NOT MATCH THE HASHES" in second.stderr
    assert "the action's connect_gitops" not in second.stdout
    assert "run" not in second.steps


def test_the_cache_key_changes_with_the_lock(
    workspace: Path, action_path: Path, index: Path, tmp_path: Path
) -> None:
    first = install_and_validate(workspace, action_path, index, tmp_path / "job-1")
    lock = action_path / "action-requirements.txt"
    lock.write_text(lock.read_text(encoding="utf-8") + "# a new pin\n", encoding="utf-8")

    second = install_and_validate(workspace, action_path, index, tmp_path / "job-2")

    assert second.exit_code == 0, second.stdout + second.stderr
    assert first.steps["prepare"]["key"] != second.steps["prepare"]["key"]
    assert first.steps["prepare"]["key"].startswith(
        f"connect-gitops-wheels-{sys.implementation.cache_tag}-"
    )
