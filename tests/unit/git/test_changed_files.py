"""changed_declaration_files on real repositories: what a push or pull request touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from connect_gitops.git.changes import (
    ZERO_REV,
    ChangeSet,
    DeletedFile,
    changed_declaration_files,
)
from connect_gitops.git.errors import GitError
from connect_gitops.source.files import discover_files
from tests.support.git import git

GLOBS = ["connectors/**/*.yaml"]
PAY = "key: pay\nname: Pay\n"
TAX = "key: tax\nname: Tax\n"
SHIP = "key: ship\nname: Ship\n"
CONFIG = 'connectors: ["connectors/**/*.yaml"]\n'


def seed(work_repo) -> str:
    work_repo.write("connect-gitops.yaml", CONFIG)
    work_repo.write("connectors/pay.yaml", PAY)
    work_repo.write("connectors/eu/tax.yaml", TAX)
    work_repo.write("connectors/ship.yaml", SHIP)
    work_repo.write("README.md", "docs\n")
    return work_repo.commit("seed")


def test_modified_added_renamed_and_deleted_files(work_repo) -> None:
    base = seed(work_repo)
    work_repo.write("connectors/pay.yaml", PAY + "description: cards\n")
    work_repo.write("connectors/eu/new.yaml", "key: new\n")
    (work_repo.path / "connectors/ship.yaml").rename(work_repo.path / "connectors/shipping.yaml")
    (work_repo.path / "connectors/eu/tax.yaml").unlink()
    work_repo.commit("edit")

    result = changed_declaration_files(work_repo.path, base, patterns=GLOBS)

    assert result == ChangeSet(
        whole_folder=False,
        reason="",
        changed=["connectors/eu/new.yaml", "connectors/pay.yaml", "connectors/shipping.yaml"],
        deleted=[DeletedFile(path="connectors/eu/tax.yaml", content=TAX)],
    )


def test_nothing_changed_gives_an_empty_change_set(work_repo) -> None:
    base = seed(work_repo)
    work_repo.commit("empty")

    result = changed_declaration_files(work_repo.path, base, patterns=GLOBS)

    assert result == ChangeSet(whole_folder=False, changed=[], deleted=[])


def test_a_subfolder_is_the_declarations_folder(work_repo) -> None:
    work_repo.write("app/src/main.py", "print()\n")
    work_repo.write("deploy/connect-gitops.yaml", CONFIG)
    work_repo.write("deploy/connectors/pay.yaml", PAY)
    work_repo.write("deploy/connectors/tax.yaml", TAX)
    work_repo.write("connectors/elsewhere.yaml", SHIP)
    base = work_repo.commit("seed")
    work_repo.write("deploy/connectors/pay.yaml", PAY + "description: cards\n")
    (work_repo.path / "deploy/connectors/tax.yaml").unlink()
    work_repo.write("connectors/elsewhere.yaml", SHIP + "description: not ours\n")
    work_repo.write("app/src/main.py", "print('x')\n")
    work_repo.write("connect-gitops.yaml", "# a config outside the folder is not ours\n")
    work_repo.commit("edit")

    result = changed_declaration_files(work_repo.path / "deploy", base, patterns=GLOBS)

    assert result == ChangeSet(
        whole_folder=False,
        changed=["connectors/pay.yaml"],
        deleted=[DeletedFile(path="connectors/tax.yaml", content=TAX)],
    )


def test_files_outside_the_globs_are_ignored(work_repo) -> None:
    base = seed(work_repo)
    work_repo.write("README.md", "more docs\n")
    work_repo.write("connectors/notes.txt", "todo\n")
    work_repo.write("connectors/pay.yml", "key: yml\n")
    work_repo.write("other/pay.yaml", PAY)
    work_repo.write("connectorsX/pay.yaml", PAY)
    work_repo.commit("noise")

    result = changed_declaration_files(work_repo.path, base, patterns=GLOBS)

    assert result == ChangeSet(whole_folder=False, changed=[], deleted=[])


def test_every_glob_counts(work_repo) -> None:
    base = seed(work_repo)
    work_repo.write("connectors/pay.yml", "key: yml\n")
    work_repo.write("top.yaml", "key: top\n")
    work_repo.write("deep/top.yaml", "key: deep\n")
    work_repo.commit("more")

    result = changed_declaration_files(
        work_repo.path, base, patterns=["connectors/**/*.yml", "*.yaml"]
    )

    assert result.changed == ["connectors/pay.yml", "top.yaml"]


def test_renamed_out_of_the_globs_is_a_delete_and_into_them_a_change(work_repo) -> None:
    seed(work_repo)
    work_repo.write("archive/keep.txt", "x\n")
    work_repo.write("drafts/new.yaml", "key: drafted\n")
    work_repo.commit("drafts")
    middle = work_repo.repo.head.commit.hexsha
    (work_repo.path / "connectors/pay.yaml").rename(work_repo.path / "archive/pay.yaml")
    (work_repo.path / "drafts/new.yaml").rename(work_repo.path / "connectors/new.yaml")
    work_repo.commit("moves")

    result = changed_declaration_files(work_repo.path, middle, patterns=GLOBS)

    assert result == ChangeSet(
        whole_folder=False,
        changed=["connectors/new.yaml"],
        deleted=[DeletedFile(path="connectors/pay.yaml", content=PAY)],
    )


def test_a_config_change_means_the_whole_folder(work_repo) -> None:
    base = seed(work_repo)
    work_repo.write("connect-gitops.yaml", CONFIG + "defaultTarget: eu\n")
    work_repo.write("connectors/pay.yaml", PAY + "description: cards\n")
    work_repo.commit("config")

    result = changed_declaration_files(work_repo.path, base, patterns=GLOBS)

    assert result == ChangeSet(whole_folder=True, reason="connect-gitops.yaml changed")


def test_a_config_with_another_name(work_repo) -> None:
    base = seed(work_repo)
    work_repo.write("gitops.yml", "targets: {}\n")
    work_repo.commit("config")

    result = changed_declaration_files(
        work_repo.path, base, config_name="gitops.yml", patterns=GLOBS
    )

    assert result == ChangeSet(whole_folder=True, reason="gitops.yml changed")


def test_a_new_branch_has_no_previous_revision(work_repo) -> None:
    seed(work_repo)

    result = changed_declaration_files(work_repo.path, ZERO_REV, patterns=GLOBS)

    assert ZERO_REV == "0000000000000000000000000000000000000000"
    assert result == ChangeSet(whole_folder=True, reason="new branch: no previous revision")


def test_a_revision_missing_from_a_shallow_clone_means_the_whole_folder(
    work_repo, tmp_path: Path
) -> None:
    base = seed(work_repo)
    work_repo.write("connectors/pay.yaml", PAY + "description: cards\n")
    work_repo.commit("edit")
    clone = tmp_path / "shallow"
    git("clone", "--quiet", "--depth", "1", f"file://{work_repo.path}", str(clone), cwd=tmp_path)

    result = changed_declaration_files(clone, base, patterns=GLOBS)

    assert result == ChangeSet(
        whole_folder=True,
        reason=f"REV {base} is not in this clone (shallow clone?); checking the whole folder",
    )


def test_uncommitted_changes_are_not_counted(work_repo) -> None:
    base = seed(work_repo)
    work_repo.write("connectors/pay.yaml", PAY + "description: cards\n")
    work_repo.commit("edit")
    work_repo.write("connectors/tax.yaml", "key: dirty\n")
    work_repo.write("connect-gitops.yaml", "# dirty\n")
    work_repo.repo.git.add("connectors/tax.yaml")

    result = changed_declaration_files(work_repo.path, base, patterns=GLOBS)

    assert result == ChangeSet(whole_folder=False, changed=["connectors/pay.yaml"])


def test_a_symbolic_revision_works(work_repo) -> None:
    seed(work_repo)
    work_repo.write("connectors/pay.yaml", PAY + "description: cards\n")
    work_repo.commit("edit")

    result = changed_declaration_files(work_repo.path, "HEAD~1", patterns=GLOBS)

    assert result.changed == ["connectors/pay.yaml"]


def test_a_folder_outside_any_repository_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()

    with pytest.raises(GitError, match=r"plain is not inside a git repository"):
        changed_declaration_files(folder, "abc123", patterns=GLOBS)


def test_a_revision_that_looks_like_an_option_is_refused(work_repo) -> None:
    seed(work_repo)

    with pytest.raises(GitError, match=r"invalid revision '--output=/tmp/x'"):
        changed_declaration_files(work_repo.path, "--output=/tmp/x", patterns=GLOBS)


@pytest.mark.parametrize("patterns", [GLOBS, ["*.yaml"], ["**/*.yml", "connectors/*.yaml"]])
def test_the_changed_files_are_the_ones_the_loader_would_find(work_repo, patterns) -> None:
    base = work_repo.commit("empty")
    for name in [
        "top.yaml",
        "top.yml",
        "connectors/a.yaml",
        "connectors/eu/b.yaml",
        "connectors/eu/deep/c.yaml",
        "connectors/pay/d.yml",
        "connectors/.hidden.yaml",
        "connectors/.drafts/e.yaml",
        "other/f.yaml",
    ]:
        work_repo.write(name, "key: x\n")
    work_repo.commit("everything")

    result = changed_declaration_files(work_repo.path, base, patterns=patterns)

    assert result.changed == discover_files(work_repo.path, patterns)
    assert result.changed
