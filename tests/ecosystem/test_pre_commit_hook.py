"""The `connect-gitops-validate` pre-commit hook, run by pre-commit itself.

pre-commit installs the hook from a git repository at a revision. The hook repository here is
this working tree (its tracked and new files, as they are now) committed once into a temporary
repository, so the test runs the hook as it would be published, not the last commit.

Each `pre-commit try-repo` installs the hook into a new environment (pip, from its cache), so it
runs once; `pre-commit run` keeps its environment in a folder of this module's own, installed
once for the runs after it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

from tests.support.readme import code_block

pytestmark = pytest.mark.slow  # the first run installs connect-gitops into a new environment

ROOT = Path(__file__).resolve().parents[2]
HOOK = "connect-gitops-validate"
GOOD = """\
key: payment-connector
name: Payment Connector
repository:
  url: git@github.com:example/payment-connector.git
  tag: v1.4.0
"""
BAD = "key: tax-connector\nnmae: Tax Connector\n"
TYPO = "nmae: unknown field; did you mean 'name'?"


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def new_repository(path: Path, files: Mapping[str, str]) -> Path:
    path.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=path)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8")
    git("add", "-A", cwd=path)
    return path


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree as a hook repository, and the revision that holds it."""
    repo = tmp_path_factory.mktemp("hook-repository")
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the working tree is left out
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git("init", "-q", "-b", "main", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "the working tree", cwd=repo)
    return repo, git("rev-parse", "HEAD", cwd=repo)


@pytest.fixture(scope="module")
def pre_commit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_DIR", "GIT_INDEX"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("PRE_COMMIT", None)
    return env


def pre_commit(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def try_repo(
    hook_repository: tuple[Path, str], *args: str, cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    repo, revision = hook_repository
    return pre_commit("try-repo", str(repo), HOOK, "--ref", revision, *args, cwd=cwd, env=env)


def test_the_manifest_is_valid_and_the_hook_is_offline_and_takes_a_folder() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == HOOK
    assert hook["language"] == "python"
    assert hook["entry"] == "connect-gitops validate"  # never --remote: no network
    assert hook["pass_filenames"] is False
    assert hook["args"] == ["."]
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_try_repo_stops_a_bad_declaration_at_its_file_and_line(
    hook_repository: tuple[Path, str], pre_commit_env: dict[str, str], tmp_path: Path
) -> None:
    theirs = new_repository(
        tmp_path / "declarations",
        {"connectors/payment.yaml": GOOD, "connectors/tax.yaml": BAD, "README.md": "# ours\n"},
    )
    bad = try_repo(hook_repository, "--all-files", cwd=theirs, env=pre_commit_env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "connect-gitops validate" in bad.stdout
    assert "Failed" in bad.stdout
    assert f"connectors/tax.yaml:2:1: {TYPO}" in bad.stdout
    assert "payment.yaml" not in bad.stdout
    assert "1 problem in 2 files" in bad.stdout


def test_the_readme_config_validates_the_folder_its_args_name(
    hook_repository: tuple[Path, str], pre_commit_env: dict[str, str], tmp_path: Path
) -> None:
    repo, revision = hook_repository
    config = code_block("### pre-commit", "yaml")
    assert "https://github.com/your-org/connect-gitops" in config
    assert "rev: v0.1.0" in config
    config = config.replace("https://github.com/your-org/connect-gitops", str(repo))
    config = config.replace("rev: v0.1.0", f"rev: {revision}")
    theirs = new_repository(
        tmp_path / "service",
        {
            ".pre-commit-config.yaml": config,
            "deploy/connectors/payment.yaml": GOOD,
            "docker-compose.yml": "services:\n  web:\n    image: nginx\n",  # not a declaration
            "README.md": "# ours\n",
        },
    )
    good = pre_commit("run", "--all-files", cwd=theirs, env=pre_commit_env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "connect-gitops validate" in good.stdout
    assert "Passed" in good.stdout

    (theirs / "deploy" / "connectors" / "tax.yaml").write_text(BAD, encoding="utf-8")
    git("add", "-A", cwd=theirs)
    bad = pre_commit("run", "--all-files", cwd=theirs, env=pre_commit_env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert f"deploy/connectors/tax.yaml:2:1: {TYPO}" in bad.stdout
    assert "docker-compose.yml" not in bad.stdout
    assert "1 problem in 2 files" in bad.stdout

    untouched = pre_commit("run", "--files", "README.md", cwd=theirs, env=pre_commit_env)
    assert untouched.returncode == 0, untouched.stdout + untouched.stderr
    assert "Skipped" in untouched.stdout  # no YAML file in the commit: the hook does not run
