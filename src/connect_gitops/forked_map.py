"""Map a pure function over many items on two cores: this process from the front, a forked
child from the back, meeting wherever they meet.

Parsing 1,000 declaration files is the biggest part of a plan's time and the machines that run
it have two cores. The child only computes: it touches no network, writes nothing but its answer
to a pipe, and leaves with ``os._exit``. Every item gets exactly the result it would get here:
what the child could not do (an exception, a warning it would print, a pickling failure, a
crash) this process does itself, in order. Without ``os.fork`` everything runs here.
"""

from __future__ import annotations

import mmap
import os
import pickle
import struct
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_SLOT: Final = struct.Struct("q")
_FRONT: Final = 0
"""Offset of the first index this process has not claimed yet."""
_BACK: Final = 8
"""Offset of the lowest index the child has claimed."""


def forked_map(
    work: Callable[[Item], Result], items: Sequence[Item], *, min_items: int = 200
) -> list[Result]:
    """``[work(item) for item in items]``, computed on two cores when there are many items.

    ``work`` must be deterministic and free of side effects other than reading files; its
    exceptions surface here, from this process, exactly as in the plain loop.
    """
    if len(items) < min_items or not hasattr(os, "fork"):
        return [work(item) for item in items]
    shared = mmap.mmap(-1, 16)
    _SLOT.pack_into(shared, _FRONT, 0)
    _SLOT.pack_into(shared, _BACK, len(items))
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return [work(item) for item in items]
    if pid == 0:  # pragma: no cover - the child; coverage cannot see it
        os.close(read_end)
        _child(work, items, shared, write_end)
    os.close(write_end)
    mine: dict[int, Result] = {}
    try:
        for index, item in enumerate(items):
            _SLOT.pack_into(shared, _FRONT, index + 1)
            if _SLOT.unpack_from(shared, _BACK)[0] <= index:
                break  # the child has this one and everything after it
            mine[index] = work(item)
    finally:
        theirs: dict[int, Result] = _collect(read_end, pid)
    return [
        mine[index] if index in mine else theirs[index] if index in theirs else work(item)
        for index, item in enumerate(items)
    ]


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


def _collect(read_end: int, pid: int) -> dict[int, Any]:
    """The child's results; nothing when it died or sent something unreadable."""
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    os.waitpid(pid, 0)
    try:
        done = pickle.loads(payload)  # noqa: S301 - written by our own child, just now
    except Exception:
        return {}
    return done if isinstance(done, dict) else {}
