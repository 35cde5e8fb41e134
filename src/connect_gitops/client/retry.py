"""The one retry policy of the client: what to retry, how long to wait, when to stop.

``classify`` is the whole decision and is pure. Reads retry every transient failure, a ``500``
included (a read has no effect, so asking again is safe and the API's ``General`` error is
usually passing). Writes retry
only where the write certainly did not happen (nothing sent, 429, 503); where it may have happened
(timeout after sending, dropped connection, 500/502/504) they stop at once as AMBIGUOUS so the
caller re-reads instead of writing twice (design.md section 5).

Every request has one :class:`Deadline` (:data:`REQUEST_DEADLINE`): its attempts, the waits
between them and the token it needs share it, and a wait that would end after it (a
``Retry-After`` of a day) is not waited: the request fails at once, saying why.
"""

from __future__ import annotations

import enum
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

import anyio

from connect_gitops.client.attempt import Answered, AttemptResult, FailureKind

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

REQUEST_DEADLINE = 300.0
"""Seconds one request may take with all its retries and the token it needs. A deadline per
request, not per command: apply legitimately runs for as long as its previews and publishes take
(``--timeout`` bounds each of those waits), so a command-wide bound would either cut a healthy
rollout or be too long to protect anything. Five minutes is far beyond any healthy answer and
beyond the longest run of retries (four waits of at most a minute)."""

RETRY_READ_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_WRITE_STATUSES = frozenset({429, 503})
AMBIGUOUS_WRITE_STATUSES = frozenset({500, 502, 504})


class Decision(enum.Enum):
    """What to do with one attempt's outcome."""

    SUCCEED = "succeed"
    RETRY = "retry"
    FAIL = "fail"
    AMBIGUOUS = "ambiguous"  # a write that may have happened: re-read, never repeat blindly


def classify(method_is_write: bool, result: AttemptResult) -> Decision:
    """Decide the fate of one attempt from its outcome alone."""
    if isinstance(result, Answered):
        status = result.status
        if 200 <= status < 300:
            return Decision.SUCCEED
        if not method_is_write:
            return Decision.RETRY if status in RETRY_READ_STATUSES else Decision.FAIL
        if status in RETRY_WRITE_STATUSES:
            return Decision.RETRY
        if status in AMBIGUOUS_WRITE_STATUSES:
            return Decision.AMBIGUOUS
        return Decision.FAIL
    if result.kind is FailureKind.FATAL:
        return Decision.FAIL
    if result.kind is FailureKind.NOT_SENT or not method_is_write:
        return Decision.RETRY
    return Decision.AMBIGUOUS


@dataclass(frozen=True, slots=True)
class Attempted:
    """One attempt's result with its decision: the value the retry loop works on."""

    result: AttemptResult
    decision: Decision
    gave_up: str | None = None
    """Why no further attempt was made although the decision was RETRY (out of time)."""


@dataclass(frozen=True, slots=True)
class Deadline:
    """When one request must be over: its attempts, its waits and its token share it."""

    end: float
    seconds: float
    clock: Clock = time.monotonic

    @classmethod
    def after(cls, seconds: float, clock: Clock = time.monotonic) -> Deadline:
        return cls(clock() + seconds, seconds, clock)

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.end - self.clock())


def _duration(seconds: float) -> str:
    """``100000 s (more than a day)``: a wait as people read it."""
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 2 * 3600:
        return f"{seconds:g} s ({seconds / 60:.0f} min)"
    if seconds < 86_400:
        return f"{seconds:g} s ({seconds / 3600:.0f} h)"
    return f"{seconds:g} s (more than a day)"


def out_of_time(result: AttemptResult, wait: float, deadline: Deadline) -> str | None:
    """Why the wait before the next attempt cannot be afforded, or None when it can."""
    left = deadline.remaining()
    hint = result.retry_after if isinstance(result, Answered) and result.status == 429 else None
    limit = f"the {deadline.seconds:g} s a request may take"
    if hint is not None and hint >= left:
        return (
            f"asked to retry after {_duration(hint)}, longer than the {left:.0f} s left of "
            f"{limit}; try again later"
        )
    if wait >= left:
        return f"no time left for another attempt within {limit}"
    return None


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter, at most ``max_attempts``, Retry-After honoured on 429.

    ``sleep`` is injectable so tests record the waits instead of sleeping.
    """

    max_attempts: int = 5
    wait_base: float = 0.5
    wait_max: float = 30.0
    retry_after_cap: float = 60.0
    sleep: Sleep = anyio.sleep
    deadline_seconds: float = REQUEST_DEADLINE
    clock: Clock = time.monotonic

    def deadline(self) -> Deadline:
        """A new request's deadline."""
        return Deadline.after(self.deadline_seconds, self.clock)

    def wait_seconds(self, attempt_number: int, result: AttemptResult) -> float:
        """Seconds to wait after attempt number ``attempt_number`` produced ``result``."""
        hint = result.retry_after if isinstance(result, Answered) else None
        if hint is not None and isinstance(result, Answered) and result.status == 429:
            return min(hint, self.retry_after_cap)
        exponent = min(attempt_number - 1, 32)  # no overflow however long the loop
        backoff: float = self.wait_base * 2**exponent + random.uniform(0, self.wait_base)
        return min(backoff, self.wait_max)

    async def run(
        self, attempt: Callable[[], Awaitable[Attempted]], deadline: Deadline | None = None
    ) -> Attempted:
        """Call ``attempt`` until it succeeds, fails for good, attempts run out, or the next
        wait would end after ``deadline`` (a new one of :attr:`deadline_seconds` if None).

        Returns the last Attempted (the caller raises the matching error; ``gave_up`` says why
        when time ran out); exceptions raised by ``attempt`` itself propagate unchanged and are
        never retried.
        """
        deadline = deadline or self.deadline()
        first = await attempt()
        if first.decision is not Decision.RETRY or self.max_attempts < 2:
            return first  # the common case: answered at once, tenacity not even imported
        wait = self.wait_seconds(1, first.result)
        reason = out_of_time(first.result, wait, deadline)
        if reason is not None:
            return replace(first, gave_up=reason)
        await self.sleep(wait)
        return await self._retry(attempt, deadline)

    async def _retry(
        self, attempt: Callable[[], Awaitable[Attempted]], deadline: Deadline
    ) -> Attempted:
        """Attempts 2 to ``max_attempts``, with tenacity; it stops early when the next wait
        cannot end within ``deadline`` (tenacity computes the wait before asking to stop)."""
        from tenacity import AsyncRetrying, RetryCallState, retry_if_result, stop_after_attempt
        from tenacity.stop import stop_base

        def wait(state: RetryCallState) -> float:
            assert state.outcome is not None
            last: Attempted = state.outcome.result()
            return self.wait_seconds(state.attempt_number + 1, last.result)

        def why_stop(state: RetryCallState) -> str | None:
            assert state.outcome is not None
            last: Attempted = state.outcome.result()
            return out_of_time(last.result, state.upcoming_sleep, deadline)

        class OutOfTime(stop_base):
            def __call__(self, state: RetryCallState) -> bool:
                return why_stop(state) is not None

        def last_result(state: RetryCallState) -> Attempted:
            assert state.outcome is not None
            result: Attempted = state.outcome.result()
            if state.attempt_number < self.max_attempts - 1:
                return replace(result, gave_up=why_stop(state))
            return result

        retrying = AsyncRetrying(
            sleep=self.sleep,
            stop=stop_after_attempt(self.max_attempts - 1) | OutOfTime(),
            wait=wait,
            retry=retry_if_result(lambda a: a.decision is Decision.RETRY),
            retry_error_callback=last_result,
            reraise=True,
        )
        result: Attempted = await retrying(attempt)
        return result


DEFAULT_RETRY = RetryPolicy()
