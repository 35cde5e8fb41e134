"""Waiting for the server: preview and publish move on long after the request returns
(minutes, sometimes much longer), and someone else's publish may hold a connector we must write.

:func:`wait_until` polls with a backoff whose schedule is tied to the time already waited, so
the outcome is noticed within 1.5 x the server's delay (or 2 s) while a long preview costs one
read every 30 s. The clock is injectable so that schedule and the timeout are tested without
sleeping. :class:`Waiter` carries what every wait of one connector shares.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import anyio

from connect_gitops.apply import WAIT_TIMEOUT
from connect_gitops.client.errors import ConnectError
from connect_gitops.core.live import ConnectorStaged, ConnectorStatus
from connect_gitops.reporting.progress import (
    NULL_PROGRESS,
    Progress,
    format_elapsed,
    publish_state,
)

DOCUMENTED_STATUSES = frozenset({401, 403, 404, 409, 429})
"""4xx answers whose meaning the API documents (and the client types): not a busy connector."""
DOCUMENTED_CODES = frozenset({"DuplicateField", "ConnectorStagedPreviewRequestUnderProcess"})
"""400 codes with a documented meaning that their callers handle themselves."""


class Clock(Protocol):
    """Monotonic time and sleeping; a fake one makes waiting testable without real sleeps."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class _RealClock:
    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


REAL_CLOCK: Clock = _RealClock()


class ConnectorApi(Protocol):
    """The part of :class:`connect_gitops.client.api.ConnectClient` that apply uses."""

    async def get_by_key(self, key: str) -> ConnectorStaged | None: ...

    async def get_by_id(self, id: str) -> ConnectorStaged | None: ...

    async def create(self, draft: Mapping[str, Any]) -> ConnectorStaged: ...

    async def update(
        self, id: str, version: int, actions: Sequence[Mapping[str, Any]]
    ) -> ConnectorStaged: ...


@dataclass(frozen=True, slots=True)
class Backoff:
    """When to read again, given how long we have waited so far.

    The first read comes ``first`` seconds after the request; after that the pause is
    ``growth - 1`` times the time already waited (at least ``floor``, at most ``cap``), so each
    read happens at most ``growth`` x the previous read's time. An outcome that arrives just
    after one read is therefore seen at most ``growth`` x its delay later: with 1.4 that keeps
    the design budget of 1.5 x (or 2 s) with room for the request's own latency. Fixed steps
    from 2 s (1, 2, 2, 3, 4.5, ...) would overshoot it: an outcome after 1.1 s would be seen at
    3 s. The schedule: 1, 1.5, 2.1, 2.94, 4.12, ..., then every 30 s from 75 s on.
    """

    first: float = 1.0
    growth: float = 1.4
    floor: float = 0.5
    cap: float = 30.0

    def delay(self, elapsed: float) -> float:
        if elapsed < self.first:
            return self.first - elapsed
        return min(self.cap, max(self.floor, elapsed * (self.growth - 1.0)))


BACKOFF = Backoff()

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Waited(Generic[T]):
    """The last value read, and whether the wait ended by timeout instead of settling."""

    value: T
    timed_out: bool
    elapsed: float


async def wait_until(
    read: Callable[[], Awaitable[T]],
    settled: Callable[[T], bool],
    *,
    current: T,
    timeout: float,  # noqa: ASYNC109 - measured on the injectable clock, not anyio's
    clock: Clock = REAL_CLOCK,
    backoff: Backoff = BACKOFF,
    on_poll: Callable[[T, float], None] | None = None,
) -> Waited[T]:
    """Read until ``settled`` holds or ``timeout`` seconds have passed.

    ``current`` is the value already known (a write's response), checked before any read. The
    last pause is cut short so that one final read happens exactly at the deadline.
    """
    start = clock.now()
    while True:
        elapsed = clock.now() - start
        if settled(current):
            return Waited(current, False, elapsed)
        if elapsed >= timeout:
            return Waited(current, True, elapsed)
        await clock.sleep(min(backoff.delay(elapsed), timeout - elapsed))
        current = await read()
        if on_poll is not None:
            on_poll(current, clock.now() - start)


class ConnectorGone(Exception):
    """The connector disappeared (404) while we were working on it."""

    def __init__(self, key: str) -> None:
        super().__init__(f"connector {key} was deleted while apply was working on it")
        self.key = key


async def read_connector(api: ConnectorApi, live: ConnectorStaged) -> ConnectorStaged:
    """The current state of ``live``, by id; :class:`ConnectorGone` when it was deleted."""
    found = await api.get_by_id(live.id)
    if found is None:
        raise ConnectorGone(live.label)
    return found


@dataclass(frozen=True, slots=True)
class Waiter:
    """Everything a wait needs besides the connector: shared by the executor and lifecycle."""

    target: str
    timeout: float = WAIT_TIMEOUT
    clock: Clock = REAL_CLOCK
    progress: Progress = NULL_PROGRESS
    backoff: Backoff = BACKOFF

    async def wait(
        self,
        api: ConnectorApi,
        live: ConnectorStaged,
        step: str,
        settled: Callable[[ConnectorStaged], bool],
        state: Callable[[ConnectorStaged], str],
    ) -> Waited[ConnectorStaged]:
        """Poll ``live`` until ``settled``, reporting ``state`` (in words) to the progress
        display."""

        def report(value: ConnectorStaged, elapsed: float) -> None:
            self.progress.changed(self.target, value.label, step, state(value))

        return await wait_until(
            lambda: read_connector(api, live),
            settled,
            current=live,
            timeout=self.timeout,
            clock=self.clock,
            backoff=self.backoff,
            on_poll=report,
        )

    def timeout_message(self, step: str, key: str, state: str) -> str:
        return (
            f"{step} of {key} still {state} after {format_elapsed(self.timeout)}; check the "
            "Merchant Center or re-run with a longer --timeout"
        )


def is_processing(live: ConnectorStaged) -> bool:
    """Whether a publish runs on the connector (ours or someone else's)."""
    return live.status == ConnectorStatus.PROCESSING


def may_be_busy(error: ConnectError) -> bool:
    """A refused write that may only mean "not now": a 4xx whose meaning the API does not
    document. The API documents neither the code nor the text of its answer to a write while a
    publish runs (``Processing``) or during certification (``InCertification``), so the caller
    re-reads the connector and decides by its ``status``, whatever the code or message said."""
    if error.status is None or not 400 <= error.status < 500:
        return False
    codes = {error.code, *(str(e.get("code")) for e in error.errors)}
    return error.status not in DOCUMENTED_STATUSES and not codes & DOCUMENTED_CODES


async def wait_while_processing(
    api: ConnectorApi, live: ConnectorStaged, waiter: Waiter
) -> Waited[ConnectorStaged]:
    """Wait for someone else's publish to end before we write to the connector."""
    if not is_processing(live):
        return Waited(live, False, 0.0)
    waiter.progress.started(waiter.target, live.label, "processing")
    waited = await waiter.wait(
        api, live, "processing", lambda c: not is_processing(c), lambda c: publish_state(c.status)
    )
    ended = publish_state(waited.value.status)
    waiter.progress.finished(
        waiter.target, live.label, "processing", ended, ok=not waited.timed_out
    )
    return waited


def describe_error(error: ConnectError) -> str:
    """An API error as one line: code, message and correlation id (never a header or body)."""
    code = f"{error.code}: " if error.code else ""
    correlation = f" (correlation id {error.correlation_id})" if error.correlation_id else ""
    return f"{code}{error.message}{correlation}"
