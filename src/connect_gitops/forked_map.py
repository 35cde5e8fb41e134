"""Map a pure function over many items on two cores: a forked child from the back, this process
from the front, meeting wherever they meet.

Parsing 1,000 declaration files is the biggest part of a plan's work and the machines that run
it have two cores. The child may start long before this process joins (:class:`ForkedMap`):
while this process imports the models, the child parses; when it asks for the results, it
takes what is left from the front. The child only computes: it touches no network, writes
nothing but its answer to a pipe, and leaves with ``os._exit``.

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
from collections.abc import Callable, Sequence
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
        self._read_end: int | None = None
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
        read_end, write_end = os.pipe()
        # What exists now lives as long as the process: kept out of every later collection, so
        # that neither process walks (and so copies, page by page) the memory they share.
        gc.freeze()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:  # pragma: no cover - the child; coverage cannot see it
            os.close(read_end)
            _child(self._work, self._items, shared, write_end)
        os.close(write_end)
        self._pid, self._read_end, self._shared = pid, read_end, shared

    def results(self) -> list[Result]:
        """Every item's result, in order: this process works from the front until it meets
        the child, then takes the child's answer."""
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
        """The child's results; nothing when it died, sent something unreadable or took too
        long."""
        if self._read_end is None:
            return {}
        payload = _read_all(self._read_end, deadline=time.monotonic() + WAIT_SECONDS)
        self.close()
        try:
            done = pickle.loads(payload) if payload else {}  # noqa: S301 - our own child's
        except Exception:
            return {}
        return done if isinstance(done, dict) else {}

    def close(self) -> None:
        """Stop the child if it still runs, and reap it."""
        if self._read_end is None or self._pid is None:
            return
        os.close(self._read_end)
        self._read_end = None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)
        if self._shared is not None:
            self._shared.close()
            self._shared = None


def _child(
    work: Callable[[Item], object], items: Sequence[Item], shared: mmap.mmap, write_end: int
) -> None:  # pragma: no cover - runs in the forked child
    """Claim items from the back until meeting this process; send what was computed; exit."""
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
                except BaseException:
                    failed = True  # the parent raises it itself, in order
            if not failed and not caught:  # a warning is the parent's to print
                done[index] = result
        payload = pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    finally:
        os._exit(0)


def _read_all(fd: int, *, deadline: float) -> bytearray:
    """Everything up to end of file (in one buffer, never two copies), or nothing if the
    deadline passes first."""
    received = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            return bytearray()
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return received
        received += chunk
