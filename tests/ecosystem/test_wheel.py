"""The wheel is all a user needs: built once, installed into a fresh environment (what `pipx run`
and `uvx` do), and run from a folder that is not this checkout. It carries the licence and the
metadata an index page shows.

pip builds the wheel (`pip wheel`, hatchling in an isolated build environment) and installs it,
with its `testing` extra, and its dependencies from pip's cache; the fresh environment has no
pip of its own (`pip --python` installs into it), which keeps it quick.
"""

from __future__ import annotations

import email.parser
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.readme import code_block

pytestmark = pytest.mark.slow  # builds a wheel and installs it with its dependencies

ROOT = Path(__file__).resolve().parents[2]
URL = "https://github.com/your-org/connect-gitops"


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, ROOT, cwd=dist)
    [built] = dist.glob("connect_gitops-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed; its bin folder."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    python = venv / "bin" / "python"
    pip = (sys.executable, "-m", "pip", "--python", python)
    run(*pip, "install", "--quiet", f"{wheel}[testing]", cwd=venv.parent)
    return venv / "bin"


def clean_environment() -> dict[str, str]:
    """Nothing that could lead the installed command back to this checkout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p)
    return env


def test_the_wheel_carries_the_licence_the_metadata_and_no_tests(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        licence = archive.read(f"{info}/licenses/LICENSE").decode()
        metadata = email.parser.Parser().parsestr(archive.read(f"{info}/METADATA").decode())
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert licence.startswith("MIT License\n\nCopyright (c) 2026 connect-gitops contributors\n")
    assert licence == (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert metadata["Requires-Python"] == ">=3.11"
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    assert urls["Homepage"] == URL
    assert urls["Issues"] == f"{URL}/issues"
    assert all(u.startswith(URL) for u in urls.values())
    assert "commercetools" in (metadata["Keywords"] or "")
    classifiers = metadata.get_all("Classifier") or []
    assert "Framework :: Pytest" in classifiers
    assert "Typing :: Typed" in classifiers
    assert "connect-gitops = connect_gitops.cli:run" in entry_points
    assert "connect_gitops.testing = connect_gitops.testing" in entry_points
    assert "connect_gitops/py.typed" in names
    assert "connect_gitops/testing.py" in names
    assert not [n for n in names if n.startswith(("tests/", "src/", "benchmarks/"))]


def test_the_installed_command_runs_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "examples", elsewhere / "deploy")
    env = clean_environment()

    usage = run(installed / "connect-gitops", "validate", "--help", cwd=elsewhere, env=env)
    assert usage.startswith("Usage: connect-gitops validate [OPTIONS] [DIRECTORY]")

    found = run(
        installed / "python",
        "-c",
        "import connect_gitops, json; print(json.dumps(connect_gitops.__file__))",
        cwd=elsewhere,
        env=env,
    )
    assert Path(json.loads(found)).is_relative_to(installed.parent)

    valid = subprocess.run(
        [installed / "connect-gitops", "validate", "deploy"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert valid.returncode == 0, valid.stdout + valid.stderr

    schema = run(installed / "connect-gitops", "schema", cwd=elsewhere, env=env)
    assert schema == (ROOT / "schema" / "connector.schema.json").read_text(encoding="utf-8")


def test_another_project_gets_the_fixture_from_the_installed_wheel(
    installed: Path, tmp_path: Path
) -> None:
    """`pip install connect-gitops[testing]`, then pytest in a project with no conftest."""
    project = tmp_path / "their-project"
    project.mkdir()
    example = code_block("### Your own tests against it", "python")
    (project / "test_release_report.py").write_text(example, encoding="utf-8")
    env = clean_environment()
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run(
        [installed / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout
