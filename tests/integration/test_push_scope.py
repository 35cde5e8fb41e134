"""Issue 6: a push that changes one declaration among 1,000 parses one file and reads one key.

The CLI runs in a child process against the emulator on a real socket; the requests come from
the emulator's journal. The number of files parsed is not printed by the CLI, so it is read from
`apply.scope.load_scope`, the function `apply` itself calls, on the same repository and revision.
"""

from __future__ import annotations

from pathlib import Path

from connect_gitops.apply.scope import Selection, load_scope
from tests.support.cli import cli, environment
from tests.support.declarations import (
    declaration,
    declared_fields,
    write_config,
    write_declarations,
)
from tests.support.emulator import clear_journal, create, journal
from tests.support.git import git

COUNT = 1_000
KEYS = [f"connector-{i:04d}" for i in range(COUNT)]
CHANGED = "connector-0417"


def one_file_push(tmp_path: Path, url: str) -> Path:
    """A repository of 1,000 declarations; the last commit changes one file's description."""
    folder = tmp_path / "repo"
    write_config(folder, url)
    write_declarations(folder, KEYS)
    git("init", "--quiet", "--initial-branch=main", cwd=folder)
    git("add", ".", cwd=folder)
    git("commit", "--quiet", "-m", "1,000 declarations", cwd=folder)
    changed = folder / "connectors" / f"{CHANGED}.yaml"
    changed.write_text(declaration(CHANGED, description="Changed by this push"), encoding="utf-8")
    git("commit", "--quiet", "-am", "change one declaration", cwd=folder)
    return folder


def create_live(url: str, key: str) -> None:
    """The connector as the previous push left it (the other 999 do not matter to this run)."""
    create(url, declared_fields(key, tag="v1.0.0", description="Managed in git"))
    clear_journal(url)


def test_a_one_file_push_parses_one_file(tmp_path: Path, emulator_url: str) -> None:
    folder = one_file_push(tmp_path, emulator_url)

    scope = load_scope(Selection(folder, changed_since="HEAD~1"), environment())

    assert scope.parsed_files == (f"connectors/{CHANGED}.yaml",)
    assert [d.key for d in scope.declarations] == [CHANGED]
    assert scope.whole_folder is False


def test_a_one_file_push_reads_at_most_three_times_before_its_write(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = one_file_push(tmp_path, emulator_url)
    create_live(emulator_url, CHANGED)

    done = cli("apply", str(folder), "--changed-since", "HEAD~1")

    assert done.returncode == 0, done.stderr
    entries = [(e["method"], e["path"].split("?")[0]) for e in journal(emulator_url)]
    first_write = next(
        i
        for i, (method, path) in enumerate(entries)
        if method != "GET" and path.startswith("/connectors/")
    )
    assert first_write <= 3, entries
    method, path = entries[first_write]
    assert (method, path.startswith("/connectors/drafts/")) == ("POST", True), entries
    assert entries[:first_write] == [
        ("POST", "/oauth/token"),
        ("GET", f"/connectors/drafts/key={CHANGED}"),
    ]
    assert ("GET", "/connectors/drafts") not in entries, "a scoped run never pages the live set"
