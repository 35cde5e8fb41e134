"""Parsing ahead in a forked child gives exactly what parsing here gives, or nothing.

A process forks only while it runs one thread, and the test session serves its emulator from a
thread, so what needs a real child runs in a fresh interpreter (:func:`_in_fresh_process`).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from tests.fresh_python import python_json

from connect_gitops import loading
from connect_gitops.declaration_files import (
    DEFAULT_CONNECTOR_GLOBS,
    discover_files,
    read_declaration_file,
)
from connect_gitops.loading import load_folder
from connect_gitops.parse_ahead import ParsedAhead

MANY = 230
"""Valid declarations per folder: enough for a child to be worth forking (200 or more files)."""
ALL = MANY + 5
"""Every declaration file of a folder (the valid ones and five others)."""

VALID = """\
key: ahead-{n}
name: Ahead {n}
description: Parsed ahead.
"""


def _folder(root: Path, config: str = "") -> Path:
    """Declarations of every kind the loader meets: valid, invalid, unreadable, hidden."""
    (root / "connectors" / "nested").mkdir(parents=True)
    (root / ".hidden").mkdir()
    if config:
        (root / "connect-gitops.yaml").write_text(config, encoding="utf-8")
    for n in range(MANY):
        (root / "connectors" / f"c{n:03d}.yaml").write_text(VALID.format(n=n), encoding="utf-8")
    (root / "connectors" / "nested" / "two.yml").write_text(
        VALID.format(n=100) + "---\n" + VALID.format(n=101), encoding="utf-8"
    )
    (root / "connectors" / "broken.yaml").write_text("key: [unclosed\n", encoding="utf-8")
    (root / "connectors" / "latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    (root / "connectors" / "duplicate.yaml").write_text("key: a\nkey: b\n", encoding="utf-8")
    (root / "connectors" / "invalid.yaml").write_text("key: x\nname: 5\n", encoding="utf-8")
    (root / ".hidden" / "skipped.yaml").write_text(VALID.format(n=999), encoding="utf-8")
    return root


COMPARE = """
    import json, os
    from pathlib import Path
    from connect_gitops.declaration_files import discover_files, read_declaration_file
    from connect_gitops.config import load_config
    from connect_gitops.parse_ahead import ParsedAhead

    root = Path(".")
    ahead = ParsedAhead.start(root)
    forked = ahead.forked
    readings = dict(ahead.take())
    globs = load_config(root, os.environ).connector_globs
    wanted = discover_files(root, globs)
    print(json.dumps({
        "forked": forked,
        "parsed": sorted(readings),
        "wanted": wanted,
        "different": [n for n in readings if readings[n] != read_declaration_file(root, n)],
    }))
"""


def test_the_child_parses_every_file_as_this_process_would(tmp_path: Path) -> None:
    result = python_json(COMPARE, cwd=_folder(tmp_path))

    assert result["forked"] is True
    assert result["parsed"] == result["wanted"]
    assert len(result["parsed"]) == ALL  # type: ignore[arg-type]
    assert "connectors/broken.yaml" in result["parsed"]  # type: ignore[operator]
    assert result["different"] == []


def test_the_child_follows_the_configured_globs(tmp_path: Path) -> None:
    config = 'connectors: ["connectors/c*.yaml"]\n'
    result = python_json(COMPARE, cwd=_folder(tmp_path, config))

    assert result["forked"] is True
    assert result["parsed"] == result["wanted"]
    assert len(result["parsed"]) == MANY  # type: ignore[arg-type]


def test_few_files_are_not_worth_a_child(tmp_path: Path) -> None:
    config = 'connectors: ["connectors/nested/*.yml"]\n'
    result = python_json(COMPARE, cwd=_folder(tmp_path, config))

    assert result["forked"] is False
    assert result["parsed"] == []
    assert result["wanted"] == ["connectors/nested/two.yml"]


LOAD_BOTH_WAYS = """
    import json, os
    from pathlib import Path
    from connect_gitops.config import load_config
    from connect_gitops.loading import load_folder
    from connect_gitops.parse_ahead import ParsedAhead

    root = Path(".")
    ahead = ParsedAhead.start(root)
    if os.environ.get("KILL_THE_CHILD"):
        os.kill(ahead._map._pid, 9)
    config = load_config(root, os.environ)
    handed_over = []
    take = ahead.take
    def counted_take():
        readings = take()
        handed_over.append(len(readings))
        return readings
    ahead.take = counted_take
    with ahead:
        loaded_ahead = load_folder(root, config, ahead=ahead)
        again = len(take())
    taken = handed_over[0]
    loaded_here = load_folder(root, config)
    print(json.dumps({
        "forked": ahead.forked,
        "taken": taken,
        "taken again": again,
        "same": loaded_ahead == loaded_here,
        "problems": [str(p) for p in loaded_ahead.problems],
        "files": len(loaded_ahead.files),
    }))
"""


def test_loading_with_the_child_gives_the_same_result_as_without(tmp_path: Path) -> None:
    result = python_json(LOAD_BOTH_WAYS, cwd=_folder(tmp_path))

    assert result["forked"] is True
    assert result["taken"] == ALL
    assert result["taken again"] == 0  # handed over once, then freed with the load
    assert result["same"] is True
    assert result["files"] == ALL
    problems = result["problems"]
    assert isinstance(problems, list)
    assert (
        'connectors/invalid.yaml:2:7: name: expected text, got the number 5: quote it ("5")'
        in problems
    )


def test_files_the_child_did_not_guess_are_parsed_here(tmp_path: Path) -> None:
    # The child guesses the globs from connect-gitops.yaml (the valid files); the configuration
    # the load uses selects every YAML file: the five the child lacks are parsed here.
    folder = _folder(tmp_path, 'connectors: ["connectors/c*.yaml"]\n')
    (folder / "elsewhere").mkdir()
    code = LOAD_BOTH_WAYS.replace(
        "config = load_config(root, os.environ)",
        "config = load_config(Path('elsewhere'), os.environ)",
    )
    result = python_json(code, cwd=folder)

    assert result["taken"] == MANY
    assert result["same"] is True
    assert result["files"] == ALL


def test_a_child_that_died_leaves_all_the_parsing_here(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    result = python_json(LOAD_BOTH_WAYS, cwd=folder, env={**os.environ, "KILL_THE_CHILD": "1"})

    assert result["taken"] == ALL  # parsed here instead
    assert result["same"] is True
    assert result["files"] == ALL


def test_nothing_is_forked_while_other_threads_run(tmp_path: Path) -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        ahead = ParsedAhead.start(_folder(tmp_path))
    finally:
        release.set()
        other.join()

    assert not ahead.forked
    assert ahead.take() == {}
    assert load_folder(tmp_path, ahead=ahead) == load_folder(tmp_path)


def test_readings_of_another_folder_are_not_used(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "one")
    other = tmp_path / "two"
    other.mkdir()

    class Wrong(ParsedAhead):
        def take(self) -> dict[str, object]:  # type: ignore[override]
            raise AssertionError("the readings of another folder were taken")

    assert load_folder(folder, ahead=Wrong(other)) == load_folder(folder)


REAP = """
    import json, os
    from pathlib import Path
    from connect_gitops.parse_ahead import ParsedAhead

    with ParsedAhead.start(Path(".")) as ahead:
        pid = ahead._map._pid
    try:
        os.waitpid(pid, os.WNOHANG)
        reaped = False
    except ChildProcessError:
        reaped = True
    print(json.dumps({"forked": ahead.forked, "reaped": reaped}))
"""


def test_leaving_without_taking_stops_and_reaps_the_child(tmp_path: Path) -> None:
    result = python_json(REAP, cwd=_folder(tmp_path))

    assert result == {"forked": True, "reaped": True}


@pytest.mark.parametrize("changed_since", ["HEAD~1", "auto"])
def test_a_scoped_run_parses_nothing_ahead(tmp_path: Path, changed_since: str) -> None:
    from connect_gitops.cli import _parse_ahead

    with _parse_ahead(_folder(tmp_path), changed_since) as ahead:
        assert not ahead.forked


def test_a_saved_plan_parses_nothing_ahead(tmp_path: Path) -> None:
    from connect_gitops.cli import _parse_ahead

    plan = tmp_path / "plan.json"
    plan.write_text("{}", encoding="utf-8")
    with _parse_ahead(plan, None) as ahead:
        assert not ahead.forked


def test_reading_a_file_gives_plain_data(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID.format(n=1), encoding="utf-8")

    text, documents = read_declaration_file(tmp_path, "a.yaml")  # type: ignore[misc]

    assert text == VALID.format(n=1)
    assert documents[0].data == {
        "key": "ahead-1",
        "name": "Ahead 1",
        "description": "Parsed ahead.",
    }


def test_the_folder_is_not_walked_again_when_the_guess_was_right(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path)  # no connect-gitops.yaml: the default globs
    expected = load_folder(folder)
    guessed = ParsedAhead(folder, DEFAULT_CONNECTOR_GLOBS, discover_files(folder, ("*.yaml",)))
    walks: list[Path] = []

    def walk(root: Path, globs: tuple[str, ...]) -> list[str]:
        walks.append(root)
        return discover_files(root, globs)

    monkeypatch.setattr(loading, "discover_files", walk)

    assert load_folder(folder, ahead=guessed).files == ()  # the guess's list, used as it is
    assert walks == []
    other = ParsedAhead(folder, ("connectors/nested/*.yml",), [])
    assert load_folder(folder, ahead=other) == expected
    assert walks == [folder]
