"""One deadline per request: its attempts, its waits and its token share it; the token's retries
never run inside one attempt of the request, so they neither multiply nor get blamed on it."""

from __future__ import annotations

import httpx
import pytest

from connect_gitops.client import transport
from connect_gitops.client.api import ConnectClient
from connect_gitops.client.attempt import Answered, FailureKind, TransportFailure
from connect_gitops.client.errors import RateLimited, ServerError
from connect_gitops.client.retry import (
    Attempted,
    Deadline,
    Decision,
    RetryPolicy,
    classify,
    out_of_time,
)
from connect_gitops.client.transport import RequestRecord
from tests.support.fake_api import FakeApi, FakeSleep

pytestmark = pytest.mark.anyio


def at(now: float) -> Deadline:
    return Deadline(end=300.0, seconds=300.0, clock=lambda: now)


def test_a_retry_after_longer_than_the_time_left_is_not_waited() -> None:
    limited = Answered(429, retry_after=100_000.0)

    assert out_of_time(limited, 60.0, at(0.0)) == (
        "asked to retry after 100000 s (more than a day), longer than the 300 s left of the "
        "300 s a request may take; try again later"
    )
    assert out_of_time(Answered(429, retry_after=30.0), 30.0, at(0.0)) is None
    assert out_of_time(Answered(429, retry_after=30.0), 30.0, at(280.0)) == (
        "asked to retry after 30 s, longer than the 20 s left of the 300 s a request may take; "
        "try again later"
    )
    assert out_of_time(TransportFailure(FailureKind.NOT_SENT, "ConnectError"), 8.0, at(295.0)) == (
        "no time left for another attempt within the 300 s a request may take"
    )


def test_a_deadline_is_never_negative() -> None:
    assert at(1_000.0).remaining() == 0.0
    assert at(100.0).remaining() == 200.0


async def test_the_retry_loop_stops_when_the_next_wait_would_pass_the_deadline() -> None:
    now = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    calls: list[int] = []

    async def attempt() -> Attempted:
        calls.append(1)
        return Attempted(Answered(503), classify(False, Answered(503)))

    policy = RetryPolicy(wait_base=100.0, wait_max=1_000.0, sleep=sleep, clock=lambda: now[0])
    last = await policy.run(attempt)

    assert len(calls) == 2  # waited ~100 s, then the next ~200 s would end past 300 s
    assert len(waits) == 1
    assert last.decision is Decision.RETRY
    assert last.gave_up == "no time left for another attempt within the 300 s a request may take"


def client(api: FakeApi, retry: RetryPolicy, log: list[RequestRecord]) -> ConnectClient:
    return ConnectClient(
        api_url="https://connect.test",
        auth_url="https://auth.test",
        project_key="shop",
        client_id="id",
        client_secret="secret",
        scopes=["view_connectors"],
        transport=httpx.MockTransport(api.handler),
        retry=retry,
        request_log=log.append,
    )


async def test_a_token_429_beyond_the_deadline_fails_at_once(sleep: FakeSleep) -> None:
    api = FakeApi.with_items(1)
    api.token_answer = httpx.Response(
        429, json={"statusCode": 429, "message": "slow down"}, headers={"Retry-After": "100000"}
    )
    log: list[RequestRecord] = []

    async with client(api, RetryPolicy(sleep=sleep), log) as made:
        with pytest.raises(RateLimited) as caught:
            await made.get_by_key("connector-00000")

    assert sleep.waits == []
    assert len(api.token_requests) == 1
    assert api.requests == []
    assert str(caught.value).startswith(
        "429 on POST /oauth/token of the token endpoint https://auth.test: slow down; asked to "
        "retry after 100000 s (more than a day), longer than the 300 s left"
    )


async def test_the_tokens_retries_are_not_cut_by_one_attempts_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fetching the token takes longer than one attempt may: it is not an attempt, so the read
    is neither timed out nor repeated, and every token retry is logged as the token's."""
    monkeypatch.setattr(transport, "ATTEMPT_DEADLINE_SECONDS", 0.3)
    api = FakeApi.with_items(1)
    api.script(
        "POST", "/oauth/token", httpx.Response(503), httpx.Response(503), httpx.Response(503)
    )
    log: list[RequestRecord] = []

    async with client(api, RetryPolicy(wait_base=0.1, wait_max=0.2), log) as made:
        assert await made.get_by_key("connector-00000") is not None

    assert [(r.method, r.path, r.status, r.attempt) for r in log] == [
        ("POST", "/oauth/token", 503, 1),
        ("POST", "/oauth/token", 503, 2),
        ("POST", "/oauth/token", 503, 3),
        ("POST", "/oauth/token", 200, 4),
        ("GET", "/connectors/drafts/key=connector-00000", 200, 1),
    ]
    assert len({r.correlation_id for r in log if r.method == "POST"}) == 1  # one token fetch


async def test_a_failing_token_endpoint_is_tried_five_times_not_twenty_five(
    sleep: FakeSleep,
) -> None:
    api = FakeApi.with_items(1)
    api.token_answer = httpx.Response(503, json={"statusCode": 503, "message": "down"})
    log: list[RequestRecord] = []

    async with client(api, RetryPolicy(sleep=sleep), log) as made:
        with pytest.raises(ServerError, match=r"^503 on POST /oauth/token of the token endpoint"):
            await made.get_by_key("connector-00000")

    assert len(api.token_requests) == 5
    assert api.requests == []
