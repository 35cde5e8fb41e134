"""Map a pure function over many items on two cores: a forked child from the back, this process
from the front, meeting wherever they meet.

Parsing 1,000 declaration files is the biggest part of a plan's work and the machines that run
it have two cores. The child may start long before this process joins (:class:`ForkedMap`):
while this process imports the models, the child parses; when it asks for the results, it
takes what is left from the front. The child only computes: it touches no network, writes its
results a batch at a time to an unnamed file (so it never holds many, nor waits for a reader),
and leaves with ``os._exit``.

Every item gets exactly the result it would get here: what the child could not do (an
exception, a warning it would print, a pickling failure, a crash, no answer in time) this
process does itself, in order. Without ``os.fork``, with few items, or while other threads run
(a forked child of a threaded process may deadlock on a lock it inherited), everything runs here.
"""

from __future__ import annotations

import contextlib
import gc
import mmap
import os
import pickle
import select
import signal
import struct
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_SLOT: Final = struct.Struct("q")
_FRONT: Final = 0
"""Offset of the first index this process has not claimed yet."""
_BACK: Final = 8
"""Offset of the lowest index the child has claimed."""

WAIT_SECONDS: Final = 120.0
"""How long to wait for the child's answer before computing its share here instead."""


def forked_map(
    work: Callable[[Item], Result], items: Sequence[Item], *, min_items: int = 200
) -> list[Result]:
    """``[work(item) for item in items]``, computed on two cores when there are many items.

    ``work`` must be deterministic and free of side effects other than reading files; its
    exceptions surface here, from this process, exactly as in the plain loop.
    """
    return ForkedMap(work, items, min_items=min_items).results()


class ForkedMap(Generic[Item, Result]):
    """``[work(item) for item in items]``, started now in a forked child, finished by
    :meth:`results`; :meth:`close` stops a child whose results are not wanted."""

    def __init__(
        self, work: Callable[[Item], Result], items: Sequence[Item], *, min_items: int = 200
    ) -> None:
        self._work = work
        self._items = items
        self._pid: int | None = None
        self._done: int | None = None
        """Read end of a pipe that the child closes when it has written everything."""
        self._store: int | None = None
        """An unnamed file holding the child's results, a batch at a time."""
        self._shared: mmap.mmap | None = None
        if len(items) >= min_items and hasattr(os, "fork") and threading.active_count() == 1:
            self._fork()

    @property
    def forked(self) -> bool:
        return self._pid is not None

    def _fork(self) -> None:
        shared = mmap.mmap(-1, 16)
        _SLOT.pack_into(shared, _FRONT, 0)
        _SLOT.pack_into(shared, _BACK, len(self._items))
        store = _unnamed_file()
        done, finished = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (store, done, finished):
                os.close(fd)
            return
        if pid == 0:  # pragma: no cover - the child; coverage cannot see it
            # What the child inherited is kept out of its collections: walking it would copy,
            # page by page, the memory it shares with this process.
            gc.freeze()
            os.close(done)
            _child(self._work, self._items, shared, store, finished)
        os.close(finished)
        self._pid, self._done, self._store, self._shared = pid, done, store, shared

    def results(self) -> list[Result]:
        """Every item's result, in order: this process works from the front until it meets
        the child, then takes the child's results."""
        work, items = self._work, self._items
        mine: dict[int, Result] = {}
        theirs: dict[int, Result] = {}
        if self._shared is not None:
            shared = self._shared
            try:
                for index, item in enumerate(items):
                    _SLOT.pack_into(shared, _FRONT, index + 1)
                    if _SLOT.unpack_from(shared, _BACK)[0] <= index:
                        break  # the child has this one and everything after it
                    mine[index] = work(item)
            finally:
                theirs = self._collect()
        return [
            mine[index] if index in mine else theirs[index] if index in theirs else work(item)
            for index, item in enumerate(items)
        ]

    def _collect(self) -> dict[int, Any]:
        """The child's results, once it has finished: every whole batch it wrote (all of them,
        unless it died or took too long)."""
        if self._done is None or self._store is None:
            return {}
        finished = _wait_for_end(self._done, deadline=time.monotonic() + WAIT_SECONDS)
        found: dict[int, Any] = {}
        if finished:
            for batch in _batches(_read_from_start(self._store)):
                found.update(batch)
        self.close()
        return found

    def close(self) -> None:
        """Stop the child if it still runs, reap it, and let go of what it wrote."""
        if self._pid is None or self._done is None:
            return
        for fd in (self._done, self._store):
            if fd is not None:
                os.close(fd)
        self._done = self._store = None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)
        if self._shared is not None:
            self._shared.close()
            self._shared = None


_BATCH: Final = 100
"""Results per batch: the child holds no more than this many at once."""
_LENGTH: Final = struct.Struct("<Q")


def _child(
    work: Callable[[Item], object],
    items: Sequence[Item],
    shared: mmap.mmap,
    store: int,
    finished: int,
) -> None:  # pragma: no cover - runs in the forked child
    """Claim items from the back until meeting the parent, writing the results a batch at a
    time; close ``finished`` and exit, without running any exit handler."""
    try:
        done: dict[int, object] = {}
        for index in range(len(items) - 1, -1, -1):
            _SLOT.pack_into(shared, _BACK, index)
            if _SLOT.unpack_from(shared, _FRONT)[0] > index:
                break
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    result = work(items[index])
                    failed = False
                except Exception:
                    failed = True  # the parent raises it itself, in order
                # anything else (Ctrl-C) ends the child: the parent does what is left
            if not failed and not caught:  # a warning is the parent's to print
                done[index] = result
            if len(done) >= _BATCH:
                _write_batch(store, done)
                done = {}
        _write_batch(store, done)
    finally:
        os._exit(0)


def _write_batch(store: int, batch: dict[int, object]) -> None:  # pragma: no cover - child
    payload = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_LENGTH.pack(len(payload)) + payload)
    while view:
        view = view[os.write(store, view) :]


def _batches(data: bytes) -> Iterator[dict[int, Any]]:
    """The whole batches in ``data``; a batch cut short (a child that died writing) ends it."""
    view = memoryview(data)
    offset = 0
    while offset + _LENGTH.size <= len(view):
        (size,) = _LENGTH.unpack_from(view, offset)
        start = offset + _LENGTH.size
        if start + size > len(view):
            return
        try:
            batch = pickle.loads(view[start : start + size])  # noqa: S301 - our own child's
        except Exception:
            return
        if isinstance(batch, dict):
            yield batch
        offset = start + size


def _unnamed_file() -> int:
    """A file without a name, for the child to write to and this process to read back; in
    memory where the system offers that (Linux), else in the temporary folder."""
    if hasattr(os, "memfd_create"):
        with contextlib.suppress(OSError):
            return os.memfd_create("connect-gitops-results", os.MFD_CLOEXEC)
    import tempfile

    with tempfile.TemporaryFile() as file:  # unlinked at once
        return os.dup(file.fileno())


def _wait_for_end(fd: int, *, deadline: float) -> bool:
    """Whether the other end of the pipe closed (the child finished) before the deadline."""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return False
        if not os.read(fd, 1 << 16):
            return True


def _read_from_start(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks: list[bytes] = []
    while chunk := os.read(fd, 1 << 22):
        chunks.append(chunk)
    return b"".join(chunks)
