"""An exclusive lock on a state file, held across processes and across this process's tasks.

`fcntl.flock` on a lock file beside the state file (the state file itself is replaced by rename
on every save, so it cannot carry the lock). The lock is taken without blocking the event loop:
a busy lock is polled; one held longer than `TIMEOUT_SECONDS` answers 503, which clients retry.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import anyio

from connect_gitops.emulator.errors import ApiError

POLL_SECONDS = 0.002
TIMEOUT_SECONDS = 30.0


class FileLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._tasks = anyio.Lock()

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        async with self._tasks:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            descriptor = _open_lock_file(self.path)
            try:
                await _acquire(descriptor, self.path)
                yield
            finally:
                os.close(descriptor)  # closing the descriptor releases the lock


def _open_lock_file(path: Path) -> int:
    """The lock file, created if need be; never through a symbolic link (one planted there
    would make the emulator create or open a file elsewhere)."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as error:
        if path.is_symlink():
            raise ApiError(
                500,
                "General",
                f"The emulator's lock file {path} is a symbolic link: remove it.",
            ) from None
        message = f"Cannot open the lock file {path}: {error.strerror}."
        raise ApiError(500, "General", message) from None


async def _acquire(descriptor: int, path: Path) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise ApiError(
                    503,
                    "ServiceUnavailable",
                    f"The emulator state file is locked by another process ({path}).",
                ) from None
            await anyio.sleep(POLL_SECONDS)
