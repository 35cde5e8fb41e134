"""Concurrent calls whose first failure is raised as itself.

anyio's task groups raise an ``ExceptionGroup`` even for a single failure; callers branch on the
client's typed errors (a 404 is "absent", a ConnectError becomes a message), so the group is
unwrapped here, once, for every caller.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import anyio

T = TypeVar("T")


async def gather(calls: Sequence[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    """Run ``calls`` concurrently, at most ``limit`` at a time; results in call order.

    The first failure cancels the rest and is raised as itself, not inside an ExceptionGroup.
    """
    results: dict[int, T] = {}
    limiter = anyio.CapacityLimiter(max(1, limit))

    async def run(index: int, call: Callable[[], Awaitable[T]]) -> None:
        async with limiter:
            results[index] = await call()

    try:
        async with anyio.create_task_group() as group:
            for index, call in enumerate(calls):
                group.start_soon(run, index, call)
    except ExceptionGroup as failed:
        raise first_error(failed) from None
    return [results[i] for i in range(len(calls))]


def first_error(group: BaseExceptionGroup[Exception]) -> Exception:
    """The first leaf exception of a (possibly nested) exception group."""
    first: Exception | BaseExceptionGroup[Exception] = group
    while isinstance(first, BaseExceptionGroup):
        first = first.exceptions[0]
    return first
