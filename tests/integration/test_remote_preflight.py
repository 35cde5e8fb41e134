"""`validate --remote` and `apply --remote`: repository tags and connect.yaml checked with git.

The declared URLs are GitHub SSH URLs; git's own `url.<base>.insteadOf`, given through
`GIT_CONFIG_COUNT` variables, rewrites them to bare repositories in tmp_path, as a mirror would.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.cli import cli
from tests.support.declarations import write_config, write_declarations
from tests.support.emulator import writes
from tests.support.git import git

CONNECT_YAML = """deployAs:
  - name: service
    applicationType: service
    endpoint: /service
    configuration:
      standardConfiguration:
        - key: CTP_REGION
          description: commercetools region
"""


def make_remote(root: Path, name: str) -> None:
    """A bare repository `name.git`: tag v1.0.0 has connect.yaml, v2.0.0 does not."""
    work = root / f"{name}-work"
    work.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=work)
    (work / "connect.yaml").write_text(CONNECT_YAML, encoding="utf-8")
    git("add", ".", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@e.x", "commit", "-qm", "one", cwd=work)
    git("tag", "v1.0.0", cwd=work)
    git("rm", "-q", "connect.yaml", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@e.x", "commit", "-qm", "two", cwd=work)
    git("tag", "v2.0.0", cwd=work)
    git("clone", "-q", "--bare", str(work), str(root / f"{name}.git"), cwd=root)


def rewrite(root: Path) -> dict[str, str]:
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.file://{root}/.insteadOf",
        "GIT_CONFIG_VALUE_0": "git@github.com:example/",
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def test_validate_remote_accepts_a_good_tag(tmp_path: Path, emulator_url: str) -> None:
    make_remote(tmp_path / "remotes", "alpha-connector")
    folder = tmp_path / "decl"
    write_config(folder, emulator_url)
    write_declarations(folder, ["alpha-connector"], tag="v1.0.0")

    result = cli("validate", str(folder), "--remote", **rewrite(tmp_path / "remotes"))

    assert result.returncode == 0, result.stderr
    assert "ok: 1 connector in 1 file" in result.stderr


def test_validate_remote_names_the_missing_tag_and_the_missing_file(
    tmp_path: Path, emulator_url: str
) -> None:
    remotes = tmp_path / "remotes"
    make_remote(remotes, "alpha-connector")
    make_remote(remotes, "beta-connector")
    folder = tmp_path / "decl"
    write_config(folder, emulator_url)
    write_declarations(folder, ["alpha-connector"], tag="v9.9.9")
    write_declarations(folder, ["beta-connector"], tag="v2.0.0")

    result = cli("validate", str(folder), "--remote", **rewrite(remotes))

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert (
        f"{folder}/connectors/alpha-connector.yaml:1:1: repository: tag v9.9.9 not found in "
        "git@github.com:example/alpha-connector.git"
    ) in lines
    assert (
        f"{folder}/connectors/beta-connector.yaml:1:1: repository: connect.yaml not found at "
        "tag v2.0.0"
    ) in lines


def test_apply_remote_stops_before_any_write(tmp_path: Path, emulator_url: str) -> None:
    remotes = tmp_path / "remotes"
    make_remote(remotes, "alpha-connector")
    folder = tmp_path / "decl"
    write_config(folder, emulator_url)
    write_declarations(folder, ["alpha-connector"], tag="v2.0.0")

    result = cli("apply", str(folder), "--remote", **rewrite(remotes))

    assert result.returncode == 1
    assert "connect.yaml not found at tag v2.0.0" in result.stderr
    assert "Nothing was sent to any API" in result.stderr
    assert writes(emulator_url) == []

    write_declarations(folder, ["alpha-connector"], tag="v1.0.0")
    fixed = cli("apply", str(folder), "--remote", **rewrite(remotes))
    assert fixed.returncode == 0, fixed.stderr
    assert [w["status"] for w in writes(emulator_url)] == [201]
