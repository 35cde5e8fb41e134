"""The one retry policy of the client: what to retry, how long to wait, when to stop.

``classify`` is the whole decision and is pure. Reads retry every transient failure, a ``500``
included (a read has no effect, so asking again is safe and the API's ``General`` error is
usually passing). Writes retry
only where the write certainly did not happen (nothing sent, 429, 503); where it may have happened
(timeout after sending, dropped connection, 500/502/504) they stop at once as AMBIGUOUS so the
caller re-reads instead of writing twice (design.md section 5).
"""

from __future__ import annotations

import enum
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio

from connect_gitops.client.attempt import Answered, AttemptResult, FailureKind

Sleep = Callable[[float], Awaitable[None]]

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

    def wait_seconds(self, attempt_number: int, result: AttemptResult) -> float:
        """Seconds to wait after attempt number ``attempt_number`` produced ``result``."""
        hint = result.retry_after if isinstance(result, Answered) else None
        if hint is not None and isinstance(result, Answered) and result.status == 429:
            return min(hint, self.retry_after_cap)
        exponent = min(attempt_number - 1, 32)  # no overflow however long the loop
        backoff: float = self.wait_base * 2**exponent + random.uniform(0, self.wait_base)
        return min(backoff, self.wait_max)

    async def run(self, attempt: Callable[[], Awaitable[Attempted]]) -> Attempted:
        """Call ``attempt`` until it succeeds, fails for good, or attempts run out.

        Returns the last Attempted (the caller raises the matching error); exceptions raised by
        ``attempt`` itself propagate unchanged and are never retried.
        """
        first = await attempt()
        if first.decision is not Decision.RETRY or self.max_attempts < 2:
            return first  # the common case: answered at once, tenacity not even imported
        await self.sleep(self.wait_seconds(1, first.result))
        return await self._retry(attempt)

    async def _retry(self, attempt: Callable[[], Awaitable[Attempted]]) -> Attempted:
        """Attempts 2 to ``max_attempts``, with tenacity."""
        from tenacity import AsyncRetrying, RetryCallState, retry_if_result, stop_after_attempt

        def wait(state: RetryCallState) -> float:
            assert state.outcome is not None
            last: Attempted = state.outcome.result()
            return self.wait_seconds(state.attempt_number + 1, last.result)

        def last_result(state: RetryCallState) -> Attempted:
            assert state.outcome is not None
            result: Attempted = state.outcome.result()
            return result

        retrying = AsyncRetrying(
            sleep=self.sleep,
            stop=stop_after_attempt(self.max_attempts - 1),
            wait=wait,
            retry=retry_if_result(lambda a: a.decision is Decision.RETRY),
            retry_error_callback=last_result,
            reraise=True,
        )
        result: Attempted = await retrying(attempt)
        return result


DEFAULT_RETRY = RetryPolicy()
