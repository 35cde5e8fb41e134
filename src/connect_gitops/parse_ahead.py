"""Parse the declaration files in a forked child while this process imports the rest.

A plan's first few hundred milliseconds go to importing pydantic, the models and the HTTP
client, on one core; the machines that run it have two. A child forked before those imports
parses the declaration files meanwhile (:class:`~connect_gitops.forked_map.ForkedMap`); when
loading asks for them, this process parses what the child has not reached yet, from the other
end. The child touches no network and writes no file.

The readings are exactly what :func:`~connect_gitops.declaration_files.read_declaration_file`
returns here. Which files to parse is guessed from ``connect-gitops.yaml`` before it is
validated; loading parses any file the guess missed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path

# Imported here, before the fork: the child starts parsing at once, and this process needs the
# YAML reader for the configuration anyway.
from connect_gitops.declaration_files import (
    Reading,
    discover_files,
    likely_globs,
    read_declaration_file,
)
from connect_gitops.forked_map import ForkedMap


class ParsedAhead:
    """The declaration files of one folder, being parsed in a forked child (or not at all)."""

    def __init__(
        self, root: Path, globs: tuple[str, ...] = (), names: list[str] | None = None
    ) -> None:
        self.root = root
        self._globs = globs
        self._names = names or []
        self._map = ForkedMap(partial(read_declaration_file, root), self._names)
        self._taken = False

    @classmethod
    def start(cls, root: Path) -> ParsedAhead:
        """Find the files and fork the child now (or later parse them here, if it cannot be)."""
        globs = likely_globs(root)
        return cls(root, globs, discover_files(root, globs))

    def files(self, root: Path, globs: Sequence[str]) -> list[str] | None:
        """The files found under ``root`` with ``globs``, if the guess was those very globs
        (then the folder is not walked twice); None otherwise."""
        if root != self.root or not self._globs or tuple(globs) != self._globs:
            return None
        return list(self._names)

    @classmethod
    def none(cls, root: Path) -> ParsedAhead:
        """Nothing parsed ahead: every file is parsed when it is loaded."""
        return cls(root)

    @property
    def forked(self) -> bool:
        return self._map.forked

    def take(self) -> Mapping[str, Reading]:
        """Every guessed file's reading by relative path: the child's, and what is left parsed
        here. Only a forked child's work is worth taking; without one this is empty.

        The readings are handed over, not kept: a second call returns nothing, and they are
        freed as soon as loading is done with them.
        """
        if self._taken or not self._map.forked:
            return {}
        self._taken = True
        return dict(zip(self._names, self._map.results(), strict=True))

    def close(self) -> None:
        """Stop the child if its readings were never taken, and reap it."""
        self._map.close()

    def __enter__(self) -> ParsedAhead:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
