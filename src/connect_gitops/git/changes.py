"""Which declaration files changed between a revision and HEAD (``--changed-since REV``).

Only committed history is compared: REV against the HEAD commit, never the working tree or the
index, so a plan in CI describes exactly what was pushed and a local run is not surprised by an
unsaved edit. Whenever the answer cannot be trusted (the config changed, REV is unknown, a new
branch) the result says "check the whole folder" and why, instead of guessing.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from connect_gitops.core.text import has_unsafe_characters
from connect_gitops.git.errors import GitError
from connect_gitops.source.files import is_declaration_path

if TYPE_CHECKING:
    # gitpython costs ~0.1 s to import; only --changed-since needs git itself, so it is
    # imported there.
    import git

ZERO_REV = "0" * 40
_HEX_REV = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")  # fullmatch: "$" passes a final "\n"


@dataclass(frozen=True, slots=True)
class DeletedFile:
    """A declaration file gone at HEAD, with its text at REV.

    The caller reads the keys it declared to report those connectors as orphans.
    """

    path: str
    content: str


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """The declaration files to look at, or the whole folder and why."""

    whole_folder: bool
    reason: str = ""
    changed: list[str] = field(default_factory=list)
    """Added, modified or renamed-to files that exist at HEAD, relative to the folder, posix."""
    deleted: list[DeletedFile] = field(default_factory=list)


def changed_declaration_files(
    folder: Path,
    rev: str,
    *,
    config_name: str = "connect-gitops.yaml",
    patterns: Sequence[str],
) -> ChangeSet:
    """The declaration files changed between ``rev`` and HEAD in ``folder``'s repository.

    ``folder`` may be a subfolder of the repository; ``patterns`` are the config's connector
    globs, relative to ``folder``, matched as
    :func:`connect_gitops.source.files.is_declaration_path` does. A rename counts as its new
    path changed (or as a delete when the new path matches no glob). Uncommitted changes are
    ignored.
    """
    if rev == ZERO_REV:
        return ChangeSet(whole_folder=True, reason="new branch: no previous revision")
    if not rev or rev.startswith("-") or has_unsafe_characters(rev):
        raise GitError(f"invalid revision {rev!r}")
    repo = _open_repository(folder)
    with repo:
        try:
            head = repo.head.commit.hexsha
        except ValueError as error:
            raise GitError(f"{folder} has no commit yet: nothing to compare with") from error
        base = _resolve(repo, rev)
        if base is None:
            return ChangeSet(
                whole_folder=True,
                reason=f"REV {rev} is not in this clone (shallow clone?); "
                "checking the whole folder",
            )
        prefix = _folder_prefix(folder, repo)
        diffs = parse_raw_diff(_raw_diff(repo, base, head, prefix))
        return _change_set(diffs, prefix, config_name, patterns, partial(_blob, repo))


_ABBREVIATED_ID = re.compile(r"[0-9a-fA-F]{4,64}")


def _resolve(repo: git.Repo, rev: str) -> str | None:
    """The commit id of ``rev``, read by git itself (every revision syntax git knows:
    ``HEAD~1``, ``origin/main``, ``@{-1}``, ``HEAD@{yesterday}``); None when it may be missing
    from this clone only (a commit id, or any revision in a shallow clone); GitError when this
    repository cannot have it."""
    import git

    try:
        resolved: str = repo.git.rev_parse(
            "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"
        )
    except git.GitCommandError:
        pass
    else:
        return resolved.strip()
    shallow = repo.git.rev_parse("--is-shallow-repository").strip() == "true"
    if shallow or _ABBREVIATED_ID.fullmatch(rev):
        return None
    raise GitError(
        f"--changed-since {rev!r}: git cannot resolve this to a commit of the repository; "
        "give a commit, branch or tag, e.g. HEAD~1 or origin/main"
    )


def _raw_diff(repo: git.Repo, base: str, head: str, prefix: str) -> bytes:
    """``git diff-tree --raw -z`` between two commits, limited to the folder: NUL-separated,
    so a path that holds a newline arrives whole (GitPython reads the output line by line)."""
    args = ["-r", "--raw", "-z", "-M", "--no-abbrev", "--no-color", base, head]
    if prefix:
        args += ["--", f":(literal){prefix.rstrip('/')}"]
    output: bytes = repo.git.diff_tree(*args, stdout_as_string=False, strip_newline_in_stdout=False)
    return output


def _blob(repo: git.Repo, blob_id: str) -> bytes:
    """The content of a blob of the repository."""
    data: bytes = repo.odb.stream(bytes.fromhex(blob_id)).read()
    return data


@dataclass(frozen=True, slots=True)
class DiffEntry:
    """One entry of a raw diff: its status letter, its paths, the blob it had before."""

    status: str
    """``A``dded, ``D``eleted, ``M``odified, ``R``enamed, ``T``ype changed, ..."""
    old_path: str | None
    """None for an added file."""
    new_path: str | None
    """None for a deleted file."""
    old_blob: str | None
    """The id of the blob before the change; None for an added file."""


def parse_raw_diff(output: bytes) -> list[DiffEntry]:
    """The entries of ``git diff-tree --raw -z`` output.

    Each entry is ``:MODE MODE OLD NEW STATUS`` then its path, NUL-terminated, and for renames
    and copies a second path. Paths are decoded as the file system would (bytes that are not
    UTF-8 survive as surrogates, which the loader refuses by name).
    """
    fields = output.split(b"\0")
    entries: list[DiffEntry] = []
    index = 0
    while index < len(fields) and fields[index].startswith(b":"):
        _, _, old_blob, _, status = fields[index][1:].decode("ascii").split(" ")
        letter = status[:1]
        first = os.fsdecode(fields[index + 1])
        if letter in ("R", "C"):
            second = os.fsdecode(fields[index + 2])
            index += 3
        else:
            second = first
            index += 2
        entries.append(
            DiffEntry(
                status=letter,
                old_path=None if letter == "A" else first,
                new_path=None if letter == "D" else second,
                old_blob=None if old_blob.strip("0") == "" else old_blob,
            )
        )
    return entries


def _change_set(
    diffs: Iterable[DiffEntry],
    prefix: str,
    config_name: str,
    patterns: Sequence[str],
    read_blob: Callable[[str], bytes],
) -> ChangeSet:
    """The declaration files that git's diff entries touch, inside ``prefix`` (the folder)."""
    config_path = f"{prefix}{config_name}"
    changed: set[str] = set()
    deleted: dict[str, DeletedFile] = {}
    for entry in diffs:
        old, new = entry.old_path, entry.new_path
        if config_path in (old, new):
            return ChangeSet(whole_folder=True, reason=f"{config_name} changed")
        if new is not None and _matches(new, prefix, patterns):
            changed.add(new[len(prefix) :])
        elif (
            old is not None
            and entry.old_blob is not None
            and entry.status in ("D", "R")
            and _matches(old, prefix, patterns)
        ):
            relative = old[len(prefix) :]
            text = read_blob(entry.old_blob).decode("utf-8", errors="replace")
            deleted[relative] = DeletedFile(path=relative, content=text)
    return ChangeSet(
        whole_folder=False,
        changed=sorted(changed),
        deleted=[deleted[path] for path in sorted(deleted)],
    )


def resolve_auto_rev(environ: Mapping[str, str]) -> str | None:
    """The REV of ``--changed-since auto``: what this GitHub event compares against.

    A push compares with ``before`` (all zeros for a new branch, which means the whole folder);
    a pull request with ``pull_request.base.sha`` (the first parent of the merge commit that
    actions/checkout checks out); a merge queue with ``merge_group.base_sha``. None, meaning
    the whole folder, outside GitHub Actions or for events without a previous revision
    (schedule, workflow_dispatch).
    """
    event_path = environ.get("GITHUB_EVENT_PATH")
    if not event_path:
        return None
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise GitError(f"cannot read the GitHub event file {event_path}: {error}") from error
    if not isinstance(event, dict):
        return None
    pull_request = event.get("pull_request")
    merge_group = event.get("merge_group")
    if isinstance(pull_request, dict):
        base = pull_request.get("base")
        rev = base.get("sha") if isinstance(base, dict) else None
    elif isinstance(merge_group, dict):
        rev = merge_group.get("base_sha")
    else:
        rev = event.get("before")
    if isinstance(rev, str) and _HEX_REV.fullmatch(rev):
        return rev
    return None


def _open_repository(folder: Path) -> git.Repo:
    import git

    try:
        return git.Repo(folder, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
        raise GitError(f"{folder} is not inside a git repository") from error


def _folder_prefix(folder: Path, repo: git.Repo) -> str:
    """The folder's path in the repository, '' for the root, else ending in '/'."""
    root = repo.working_tree_dir
    if root is None:
        raise GitError(f"{folder} is in a bare repository: no files to compare")
    relative = folder.resolve().relative_to(Path(root).resolve()).as_posix()
    return "" if relative == "." else f"{relative}/"


def _matches(path: str, prefix: str, patterns: Sequence[str]) -> bool:
    """Whether a repository path is a declaration file: inside the folder, as the loader sees it.

    The loader's own rule (globs, hidden folders, the config file) decides, so the changed files
    are always a subset of the files a full run would load.
    """
    return path.startswith(prefix) and is_declaration_path(path[len(prefix) :], patterns)
