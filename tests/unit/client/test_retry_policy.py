"""The retry decision, backoff and Retry-After handling, tested as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from connect_gitops.client.attempt import (
    Answered,
    FailureKind,
    TransportFailure,
    failure_from_exception,
    parse_retry_after,
)
from connect_gitops.client.retry import Attempted, Decision, RetryPolicy, classify

R, F, S, A = Decision.RETRY, Decision.FAIL, Decision.SUCCEED, Decision.AMBIGUOUS


@pytest.mark.parametrize(
    ("status", "read", "write"),
    [
        (200, S, S),
        (201, S, S),
        (400, F, F),
        (401, F, F),
        (403, F, F),
        (404, F, F),
        (409, F, F),
        (429, R, R),
        (500, R, A),
        (502, R, A),
        (503, R, R),
        (504, R, A),
        (501, F, F),
    ],
)
def test_answers_are_classified_by_status_and_method(
    status: int, read: Decision, write: Decision
) -> None:
    assert classify(False, Answered(status)) is read
    assert classify(True, Answered(status)) is write


@pytest.mark.parametrize(
    ("exc", "kind", "read", "write"),
    [
        (httpx.ConnectError("refused"), FailureKind.NOT_SENT, R, R),
        (httpx.ConnectTimeout("slow connect"), FailureKind.NOT_SENT, R, R),
        (httpx.PoolTimeout("pool"), FailureKind.NOT_SENT, R, R),
        (httpx.ReadTimeout("slow read"), FailureKind.TIMEOUT, R, A),
        (httpx.WriteTimeout("slow write"), FailureKind.TIMEOUT, R, A),
        (httpx.RemoteProtocolError("closed"), FailureKind.DROPPED, R, A),
        (httpx.ReadError("reset"), FailureKind.DROPPED, R, A),
        (httpx.WriteError("broken pipe"), FailureKind.DROPPED, R, A),
        (httpx.UnsupportedProtocol("gopher"), FailureKind.FATAL, F, F),
        (httpx.LocalProtocolError("bad"), FailureKind.FATAL, F, F),
    ],
)
def test_transport_failures_are_classified_by_how_far_the_request_got(
    exc: httpx.TransportError, kind: FailureKind, read: Decision, write: Decision
) -> None:
    failure = failure_from_exception(exc)
    assert failure == TransportFailure(kind=kind, error_name=type(exc).__name__, detail=str(exc))
    assert classify(False, failure) is read
    assert classify(True, failure) is write


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), (" 2.5 ", 2.5), ("0", 0.0), ("-4", 0.0), ("soon", None), ("", None), (None, None)],
)
def test_retry_after_seconds(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header) == seconds


def test_retry_after_http_date() -> None:
    now = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 01 May 2024 12:00:07 GMT", now=now) == 7.0
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now=now) == 0.0


def test_wait_honours_retry_after_on_429_and_caps_it() -> None:
    policy = RetryPolicy(retry_after_cap=60.0)
    assert policy.wait_seconds(1, Answered(429, retry_after=3.0)) == 3.0
    assert policy.wait_seconds(1, Answered(429, retry_after=600.0)) == 60.0


def test_wait_is_exponential_with_jitter_and_bounded() -> None:
    policy = RetryPolicy(wait_base=1.0, wait_max=5.0)
    for attempt, low in [(1, 1.0), (2, 2.0), (3, 4.0)]:
        for _ in range(50):
            wait = policy.wait_seconds(attempt, Answered(503))
            assert low <= wait <= min(low + 1.0, 5.0)
    assert policy.wait_seconds(10, Answered(503)) == 5.0
    assert policy.wait_seconds(1_000, Answered(429)) == 5.0  # no Retry-After: plain backoff


def _scripted(*outcomes: Answered | TransportFailure, write: bool = False):  # type: ignore[no-untyped-def]
    calls: list[int] = []

    async def attempt() -> Attempted:
        outcome = outcomes[min(len(calls), len(outcomes) - 1)]
        calls.append(1)
        return Attempted(outcome, classify(write, outcome))

    return attempt, calls


@pytest.mark.anyio
async def test_run_stops_after_five_attempts_and_returns_the_last() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    attempt, calls = _scripted(Answered(503))
    last = await RetryPolicy(wait_base=0.01, wait_max=0.02, sleep=sleep).run(attempt)
    assert last == Attempted(Answered(503), Decision.RETRY)
    assert len(calls) == 5
    assert len(waits) == 4


@pytest.mark.anyio
async def test_run_returns_at_once_on_success_failure_or_ambiguity() -> None:
    async def sleep(seconds: float) -> None:
        raise AssertionError("must not wait")

    policy = RetryPolicy(sleep=sleep)
    for outcome, write in [(Answered(200), False), (Answered(404), False), (Answered(500), True)]:
        attempt, calls = _scripted(outcome, write=write)
        await policy.run(attempt)
        assert len(calls) == 1
