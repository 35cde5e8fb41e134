"""changed_declaration_files with hostile input: file names that hold newlines, and revisions in
every syntax git knows (or does not), on real repositories."""

from __future__ import annotations

import pytest

from connect_gitops.git.changes import (
    ChangeSet,
    DeletedFile,
    DiffEntry,
    changed_declaration_files,
    parse_raw_diff,
)
from connect_gitops.git.errors import GitError
from tests.support.git import WorkRepo, git

GLOBS = ["connectors/**/*.yaml"]
PAY = "key: pay\nname: Pay\n"
NEWLINE_NAME = "connectors/x\n::warning title=Injected::fake\n.yaml"


def seed(work_repo: WorkRepo) -> str:
    work_repo.write("connect-gitops.yaml", 'connectors: ["connectors/**/*.yaml"]\n')
    work_repo.write("connectors/pay.yaml", PAY)
    return work_repo.commit("seed")


def test_a_changed_file_whose_name_holds_a_newline_is_not_skipped(work_repo: WorkRepo) -> None:
    base = seed(work_repo)
    work_repo.write(NEWLINE_NAME, "key: injected\n")
    work_repo.write("connectors/line\n.yaml", "key: other\n")
    work_repo.commit("hostile names")

    result = changed_declaration_files(work_repo.path, base, patterns=GLOBS)

    assert result == ChangeSet(
        whole_folder=False, changed=["connectors/line\n.yaml", NEWLINE_NAME], deleted=[]
    )


def test_a_deleted_file_whose_name_holds_a_newline_is_reported_with_its_content(
    work_repo: WorkRepo,
) -> None:
    work_repo.write(NEWLINE_NAME, "key: injected\n")
    base = seed(work_repo)
    (work_repo.path / NEWLINE_NAME).unlink()
    work_repo.commit("delete")

    result = changed_declaration_files(work_repo.path, base, patterns=GLOBS)

    assert result.deleted == [DeletedFile(path=NEWLINE_NAME, content="key: injected\n")]


def test_raw_diff_entries_keep_every_byte_of_their_paths() -> None:
    old, new = "a" * 40, "b" * 40
    output = (
        f":000000 100644 {'0' * 40} {new} A\0connectors/a\nb.yaml\0"
        f":100644 000000 {old} {'0' * 40} D\0gone.yaml\0"
        f":100644 100644 {old} {new} R087\0old name.yaml\0new\tname.yaml\0"
    ).encode()

    assert parse_raw_diff(output) == [
        DiffEntry("A", None, "connectors/a\nb.yaml", None),
        DiffEntry("D", "gone.yaml", None, old),
        DiffEntry("R", "old name.yaml", "new\tname.yaml", old),
    ]
    assert parse_raw_diff(b"") == []


def test_a_folder_with_pathspec_characters_is_taken_literally(work_repo: WorkRepo) -> None:
    work_repo.write("deploy[1]/connectors/pay.yaml", PAY)
    work_repo.write("deploy1/connectors/pay.yaml", PAY)
    base = work_repo.commit("seed")
    work_repo.write("deploy[1]/connectors/pay.yaml", PAY + "description: x\n")
    work_repo.write("deploy1/connectors/pay.yaml", PAY + "description: y\n")
    work_repo.commit("edit")

    result = changed_declaration_files(work_repo.path / "deploy[1]", base, patterns=GLOBS)

    assert result.changed == ["connectors/pay.yaml"]


def test_the_previous_branch_revision_is_resolved_by_git(work_repo: WorkRepo) -> None:
    base = seed(work_repo)
    git("checkout", "-q", "-b", "feature", cwd=work_repo.path)
    work_repo.write("connectors/pay.yaml", PAY + "description: cards\n")
    work_repo.commit("edit")
    git("checkout", "-q", "main", cwd=work_repo.path)
    git("checkout", "-q", "feature", cwd=work_repo.path)

    result = changed_declaration_files(work_repo.path, "@{-1}", patterns=GLOBS)

    assert git("rev-parse", "@{-1}", cwd=work_repo.path) == base
    assert result == ChangeSet(whole_folder=False, changed=["connectors/pay.yaml"], deleted=[])


def test_a_previous_branch_that_does_not_exist_is_a_clear_error(work_repo: WorkRepo) -> None:
    seed(work_repo)

    with pytest.raises(GitError) as caught:
        changed_declaration_files(work_repo.path, "@{-1}", patterns=GLOBS)

    assert str(caught.value) == (
        "--changed-since '@{-1}': git cannot resolve this to a commit of the repository; "
        "give a commit, branch or tag, e.g. HEAD~1 or origin/main"
    )


def test_a_reflog_date_is_resolved_by_git(work_repo: WorkRepo) -> None:
    seed(work_repo)
    work_repo.write("connectors/pay.yaml", PAY + "description: cards\n")
    work_repo.commit("edit")

    result = changed_declaration_files(work_repo.path, "HEAD@{1}", patterns=GLOBS)
    dated = changed_declaration_files(work_repo.path, "HEAD@{yesterday}", patterns=GLOBS)

    assert result == ChangeSet(whole_folder=False, changed=["connectors/pay.yaml"], deleted=[])
    # The reflog starts with the first commit: git answers with its oldest entry.
    assert dated == result


@pytest.mark.parametrize("rev", ["HEAD@{", "no-such-branch", "HEAD~99", "main:connectors"])
def test_revisions_git_cannot_resolve_are_clear_errors(work_repo: WorkRepo, rev: str) -> None:
    seed(work_repo)

    with pytest.raises(GitError, match="git cannot resolve this to a commit of the repository"):
        changed_declaration_files(work_repo.path, rev, patterns=GLOBS)


def test_a_commit_id_missing_from_a_full_clone_still_means_the_whole_folder(
    work_repo: WorkRepo,
) -> None:
    """A force push leaves ``before`` out of every clone: the whole folder is the safe answer."""
    seed(work_repo)
    missing = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"

    result = changed_declaration_files(work_repo.path, missing, patterns=GLOBS)

    assert result.whole_folder


def test_a_revision_with_a_line_break_is_refused_before_git_sees_it(work_repo: WorkRepo) -> None:
    """Its notices would otherwise print the line break, and a forged workflow command after it."""
    seed(work_repo)

    with pytest.raises(GitError, match=r"^invalid revision 'HEAD\\n::warning::forged'$"):
        changed_declaration_files(work_repo.path, "HEAD\n::warning::forged", patterns=GLOBS)
