"""``connect-gitops validate``: exit codes, one line per problem on stderr, no heavy imports."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from connect_gitops.cli import main
from tests.support.cli import cli
from tests.support.fresh_python import run_python
from tests.support.paths import EXAMPLES


def test_examples_are_valid() -> None:
    result = CliRunner().invoke(main, ["validate", str(EXAMPLES)])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "ok: 3 connectors and 2 deployments in 5 files\n"


def test_verbose_lists_connectors(tmp_path: Path) -> None:
    (tmp_path / "pay.yaml").write_text("# c\nkey: pay\n")
    result = CliRunner().invoke(main, ["validate", str(tmp_path), "--verbose"])
    assert result.exit_code == 0
    assert result.stderr == "pay.yaml:2: pay -> target default\nok: 1 connector in 1 file\n"


def test_problems_exit_1_with_sorted_lines(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text("key: bb\ncreator:\n  emial: x@y.z\n")
    (tmp_path / "a.yaml").write_text("key: aa\ntag: !Ref x\n")
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{tmp_path.as_posix()}/a.yaml:2:6: tag '!Ref' is not allowed: plain YAML only",
        f"{tmp_path.as_posix()}/b.yaml:3:3: creator.emial: unknown field; did you mean 'email'?",
        "2 problems in 2 files",
    ]


def test_relative_dir_is_shown_as_typed(tmp_path: Path) -> None:
    folder = tmp_path / "decl"
    folder.mkdir()
    (folder / "a.yaml").write_text("key: a\n")
    result = run_python(
        "from connect_gitops.cli import main; main()", "validate", "decl", cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "decl/a.yaml:1:6: key: invalid key 'a': use 2 to 256 characters of letters, digits, "
        "'-' or '_'"
    )


def test_config_problems_are_reported(tmp_path: Path) -> None:
    (tmp_path / "connect-gitops.yaml").write_text("targets:\n  eu: {region: mars}\n")
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "1 problem in connect-gitops.yaml"


def test_missing_dir_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nope")])
    assert result.exit_code == 1  # 2 means "changes" or "drift" here
    assert "does not exist" in result.stderr


def test_validate_imports_no_http_emulator_or_rich() -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from connect_gitops.cli import main\n"
        f"r = CliRunner().invoke(main, ['validate', {str(EXAMPLES)!r}])\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = sorted(m for m in ('httpx', 'starlette', 'rich', 'uvicorn', 'anyio', 'git')"
        " if m in sys.modules)\n"
        "print(heavy)\n"
    )
    result = run_python(code, cwd=EXAMPLES)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "[]\n"


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == "connect-gitops, version 0.1.0\n"


def test_yaml_library_warnings_never_reach_the_user(tmp_path: Path) -> None:
    """ruamel warns about YAML 1.1 floats such as 1e3; the user sees only our own problem."""
    (tmp_path / "connector.yaml").write_text(
        "key: abc\ncreator:\n  email: a@b.co\n  noOfContributors: 1e3\n", encoding="utf-8"
    )

    result = cli("validate", str(tmp_path))

    assert result.returncode == 1
    assert "Warning" not in result.stderr
    assert result.stderr.splitlines()[0].endswith(
        "connector.yaml:4:21: creator.noOfContributors: expected a whole number, "
        "got the number 1000.0"
    )


def test_control_characters_in_problems_are_shown_escaped(tmp_path: Path) -> None:
    """A hostile file name or value cannot drive the terminal (colours, cursor moves)."""
    (tmp_path / "evil\x1b[31m.yaml").write_text("key: ok-key\nnmae: x\n", encoding="utf-8")

    result = CliRunner().invoke(main, ["validate", str(tmp_path)])

    assert result.exit_code == 1
    assert "\x1b" not in result.stderr
    assert "evil\\x1b[31m.yaml:2:1: nmae: unknown field" in result.stderr
