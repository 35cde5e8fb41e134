"""Which files are declarations, which of them may be read, and writing any file atomically.

Nothing here needs pydantic or the models, so git can match changed paths without loading
them.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

CONFIG_FILE: Final = "connect-gitops.yaml"
DEFAULT_CONNECTOR_GLOBS: Final = ("**/*.yaml", "**/*.yml")


def glob_matcher(patterns: Sequence[str]) -> Callable[[str], bool]:
    """Match '/'-separated relative paths against globs: ``*``, ``?``, ``**/`` for any folders."""
    regexes = [re.compile(_glob_to_regex(pattern)) for pattern in patterns]
    return lambda path: any(regex.fullmatch(path) for regex in regexes)


def _glob_to_regex(pattern: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def is_declaration_path(path: str, globs: Sequence[str]) -> bool:
    """Whether a relative path is a declaration file under these globs (not hidden, not config)."""
    parts = path.split("/")
    if path == CONFIG_FILE or any(part.startswith(".") for part in parts[:-1]):
        return False
    return glob_matcher(globs)(path)


def discover_files(root: Path, globs: Sequence[str]) -> list[str]:
    """Declaration files under ``root``: matching ``globs``, outside hidden folders, sorted."""
    matches = glob_matcher(globs)
    found: list[str] = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        relative = Path(folder).relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        for name in files:
            path = prefix + name
            if path != CONFIG_FILE and matches(path):
                found.append(path)
    return sorted(found)


class UnsafeFile(Exception):
    """A file in the declarations folder that is not read: what it is, and what to do."""


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, for messages."""
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def _inside(path: str, folder: str) -> bool:
    return os.path.commonpath([path, folder]) == folder


class Folder:
    """The declarations folder, guarding which of its files may be read.

    Only regular files are read: opening a named pipe, or a link to ``/dev/stdin``, would block
    for ever. A symbolic link may point to another file of the folder; one that leaves it is
    refused, so that a declaration committed as a link cannot make the CLI read (and quote in its
    messages) a file of the machine it runs on. Links are resolved only where there are links:
    one ``lstat`` per file, one ``realpath`` per folder.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.real = os.path.realpath(root)
        self._folders: dict[str, bool] = {}

    def file(self, name: str) -> Path:
        """The path to read for ``name`` ('/'-separated, relative to the folder): the file
        itself, or the file of the folder that it links to. :class:`UnsafeFile` says why
        neither is possible; OSError when it does not exist."""
        path = self.root / name
        parent = os.path.dirname(name)
        if parent and not self._folder_inside(parent):
            raise UnsafeFile("its folder is a symbolic link that leaves the declarations folder")
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            real = os.path.realpath(path)
            if not _inside(real, self.real):
                raise UnsafeFile(
                    f"symbolic link to {os.readlink(path)}, outside the declarations folder: "
                    "declarations must be files inside the folder"
                )
            info = os.stat(real)
            path = Path(real)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile(
                f"{file_kind(info.st_mode)}, not a regular file: declarations must be plain files"
            )
        return path

    def _folder_inside(self, relative: str) -> bool:
        known = self._folders.get(relative)
        if known is None:
            known = _inside(os.path.realpath(self.root / relative), self.real)
            self._folders[relative] = known
        return known


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` so that a reader never sees half of
    it: into a new temporary file beside it, then renamed over it.

    The temporary file is created exclusively, under a random name (``tempfile.mkstemp``), so a
    file or symbolic link that someone planted at a predictable name cannot redirect the write.
    It gets the permissions a new file would get (or those of the file it replaces).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".partial", dir=path.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            os.fchmod(file.fileno(), _mode_for(path))
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _mode_for(path: Path) -> int:
    """The permissions of the file at ``path``, or those a new file gets under the umask."""
    with contextlib.suppress(OSError):
        found = os.lstat(path)
        if stat.S_ISREG(found.st_mode):
            return stat.S_IMODE(found.st_mode)
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask
