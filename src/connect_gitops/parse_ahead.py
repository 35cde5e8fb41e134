"""Parse the declaration files in a forked child while this process imports the rest.

A plan's first few hundred milliseconds go to importing pydantic, the models and the HTTP
client, on one core; the machines that run it have two. A child forked before those imports
finds and parses every declaration file meanwhile, writes the plain results (text and documents,
or the problem) to a pipe, and leaves with ``os._exit``. It touches no network and writes no file.

The results are exactly what :func:`connect_gitops.declaration_files.read_declaration_file`
returns here: what the child could not do (an exception, a warning it would print, a crash, a
file it did not guess) this process does itself, as it would without a child. Nothing is forked
without ``os.fork`` or while other threads run (a child of a threaded process may deadlock).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import signal
import threading
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from connect_gitops.declaration_files import Reading

WAIT_SECONDS: Final = 120.0
"""How long to wait for the child's answer before parsing here instead."""


class ParsedAhead:
    """A forked child parsing the declaration files of one folder (or none: :meth:`none`)."""

    def __init__(self, root: Path, pid: int | None = None, read_end: int | None = None) -> None:
        self.root = root
        self._pid = pid
        self._read_end = read_end
        self._readings: dict[str, Reading] = {}

    @classmethod
    def start(cls, root: Path) -> ParsedAhead:
        """Fork the child now; without one where forking is not possible or not safe."""
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return cls(root)
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return cls(root)
        if pid == 0:  # pragma: no cover - the child; coverage cannot see it
            os.close(read_end)
            _child(root, write_end)
        os.close(write_end)
        return cls(root, pid, read_end)

    @classmethod
    def none(cls, root: Path) -> ParsedAhead:
        """Nothing parsed ahead: every file is parsed when it is loaded."""
        return cls(root)

    @property
    def forked(self) -> bool:
        return self._pid is not None

    def take(self) -> Mapping[str, Reading]:
        """The child's readings by relative path (waits for them); empty if it failed."""
        if self._read_end is not None:
            payload = _read_all(self._read_end, deadline=time.monotonic() + WAIT_SECONDS)
            self.close()
            try:
                found = pickle.loads(payload) if payload else {}  # noqa: S301 - our own child
            except Exception:
                found = {}
            self._readings = found if isinstance(found, dict) else {}
        return self._readings

    def close(self) -> None:
        """Stop the child if it still runs, and reap it."""
        if self._read_end is None or self._pid is None:
            return
        os.close(self._read_end)
        self._read_end = None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)

    def __enter__(self) -> ParsedAhead:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _child(root: Path, write_end: int) -> None:  # pragma: no cover - runs in the forked child
    """Find and parse the files, send the readings, exit without running any exit handler."""
    # A short life: collecting garbage would only walk (and so copy, page by page) the memory
    # shared with the parent.
    gc.disable()
    try:
        from connect_gitops.declaration_files import (
            discover_files,
            likely_globs,
            read_declaration_file,
        )

        done: dict[str, Reading] = {}
        for name in discover_files(root, likely_globs(root)):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                reading: Reading | None
                try:
                    reading = read_declaration_file(root, name)
                except BaseException:
                    reading = None  # the parent raises it itself, in order
            if reading is not None and not caught:  # a warning is the parent's to print
                done[name] = reading
        payload = pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    finally:
        os._exit(0)


def _read_all(fd: int, *, deadline: float) -> bytes:
    """Everything up to end of file, or nothing if the deadline passes first."""
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return b""
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
