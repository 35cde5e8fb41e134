"""ConnectClient reads and writes: paging, updates, correlation ids and the request log."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from connect_gitops.client import (
    ConnectClient,
    Forbidden,
    Invalid,
    RequestRecord,
    RetryPolicy,
    TooManyConnectors,
)
from connect_gitops.core.live import ConnectorStaged
from tests.support.fake_api import FakeApi, FakeSleep, envelope, make_item

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., ConnectClient]
QUERY = "/connectors/drafts"


@pytest.mark.parametrize(("n", "pages"), [(0, 1), (1, 1), (500, 1), (501, 2), (1000, 2)])
async def test_query_all_reads_every_connector_in_the_fewest_pages(
    make_client: MakeClient, records: list[RequestRecord], n: int, pages: int
) -> None:
    api = FakeApi.with_items(n)
    async with make_client(api) as client:
        connectors = await client.query_all()
    assert [c.id for c in connectors] == [f"id-{i:05d}" for i in range(n)]
    assert len(api.api_requests("GET", QUERY)) == pages
    assert len(records) == 1 + pages  # the token, then the pages: nothing else
    first = api.api_requests("GET", QUERY)[0].url.params
    assert (first["limit"], first["offset"], first.get_list("sort")) == (
        "500",
        "0",
        ["createdAt asc"],
    )


async def test_1000_connectors_take_a_token_and_two_page_requests(
    make_client: MakeClient, records: list[RequestRecord]
) -> None:
    api = FakeApi.with_items(1000)
    async with make_client(api) as client:
        connectors = await client.query_all()
    assert len(connectors) == 1000
    assert [(r.method, r.path, r.status) for r in records] == [
        ("POST", "/oauth/token", 200),
        ("GET", "/connectors/drafts?limit=500&offset=0&sort=createdAt+asc", 200),
        ("GET", "/connectors/drafts?limit=500&offset=500&sort=createdAt+asc", 200),
    ]


async def test_remaining_pages_are_fetched_concurrently(make_client: MakeClient) -> None:
    api = FakeApi.with_items(3000, page_latency=0.02)
    async with make_client(api) as client:
        assert len(await client.query_all()) == 3000
    assert api.max_in_flight == 5  # pages 2 to 6 at once, after the first


async def test_more_than_10000_connectors_use_the_sort_trick(make_client: MakeClient) -> None:
    api = FakeApi.with_items(10_777)
    async with make_client(api) as client:
        ids = [c.id async for c in client.iter_all()]
    assert len(ids) == 10_777
    assert set(ids) == {f"id-{i:05d}" for i in range(10_777)}
    queries = api.api_requests("GET", QUERY)
    assert max(int(r.url.params["offset"]) for r in queries) == 10_000
    sorts = {tuple(r.url.params.get_list("sort")) for r in queries[1:]}
    assert sorts == {("createdAt asc", "key asc"), ("createdAt desc", "key desc")}
    assert len(queries) == 1 + 21 + 1


async def test_beyond_what_paging_reaches_is_a_clear_error(make_client: MakeClient) -> None:
    api = FakeApi.with_items(21_001)
    async with make_client(api) as client:
        with pytest.raises(TooManyConnectors) as caught:
            await client.query_all()
    assert str(caught.value) == (
        "GET /connectors/drafts: the project holds 21001 connectors; paging reaches at most 21000"
    )


async def test_unknown_fields_are_ignored_and_connectors_parsed(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    async with make_client(api) as client:
        connector = await client.get_by_key("connector-00000")
        same = await client.get_by_id("id-00000")
    assert connector == same
    assert isinstance(connector, ConnectorStaged)
    assert (connector.id, connector.key, connector.version, connector.name) == (
        "id-00000",
        "connector-00000",
        1,
        "Connector 0",
    )


async def test_get_many_by_key_returns_the_existing_ones(make_client: MakeClient) -> None:
    api = FakeApi.with_items(5)
    async with make_client(api) as client:
        found = await client.get_many_by_key(["connector-00001", "nope", "connector-00003"])
    assert sorted(found) == ["connector-00001", "connector-00003"]
    assert found["connector-00003"].id == "id-00003"


async def test_keys_are_escaped_in_paths(make_client: MakeClient) -> None:
    api = FakeApi.with_items(0)
    async with make_client(api) as client:
        assert await client.get_by_key("a/b?c") is None
    assert api.requests[0].url.raw_path == b"/connectors/drafts/key=a%2Fb%3Fc"


async def test_create_posts_the_draft(make_client: MakeClient) -> None:
    api = FakeApi.with_items(0)
    draft = {"key": "pay", "name": "Pay", "creator": {"email": "a@b.co"}}
    async with make_client(api) as client:
        created = await client.create(draft)
    assert (created.key, created.version, created.creator.email) == ("pay", 1, "a@b.co")
    assert json.loads(api.requests[0].content) == draft


@pytest.mark.parametrize("status", [200, 201])
async def test_update_sends_version_and_actions_and_accepts_200_and_201(
    make_client: MakeClient, status: int
) -> None:
    api = FakeApi.with_items(1, update_status=status)
    actions = [{"action": "setName", "name": "Renamed"}]
    async with make_client(api) as client:
        by_id = await client.update("id-00000", 1, actions)
        by_key = await client.update_by_key("connector-00000", 2, actions)
    assert (by_id.version, by_key.version, by_key.name) == (2, 3, "Renamed")
    assert json.loads(api.requests[0].content) == {"version": 1, "actions": actions}
    assert api.requests[0].url.path == "/connectors/drafts/id-00000"


async def test_every_request_carries_a_correlation_id_kept_across_retries(
    make_client: MakeClient, records: list[RequestRecord]
) -> None:
    api = FakeApi.with_items(1)
    api.script("GET", "/connectors/drafts/key=connector-00000", envelope(503, "Busy", "busy"))
    async with make_client(api) as client:
        await client.get_by_key("connector-00000")
        await client.get_by_key("connector-00000")
    ids = [r.headers["X-Correlation-ID"] for r in api.requests]
    assert all(i.startswith("connect-gitops/") and len(i) == 51 for i in ids)
    assert ids[0] == ids[1] != ids[2]
    assert api.token_requests[0].headers["X-Correlation-ID"].startswith("connect-gitops/")
    assert [r.correlation_id for r in records[1:]] == ids
    assert [r.attempt for r in records[1:]] == [1, 2, 1]


async def test_errors_keep_the_servers_correlation_id(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    answer = envelope(404, "ResourceNotFound", "gone")
    answer.headers["X-Correlation-ID"] = "server-side-id"
    api.script("POST", "/connectors/drafts/id-00000", answer)
    async with make_client(api) as client:
        with pytest.raises(Exception, match=r"\(correlation id server-side-id\)$"):
            await client.update("id-00000", 1, [])


async def test_retry_after_is_honoured(make_client: MakeClient, sleep: FakeSleep) -> None:
    api = FakeApi.with_items(1)
    busy = envelope(429, "TooManyRequests", "slow down")
    busy.headers["Retry-After"] = "3"
    api.script("GET", QUERY, busy)
    async with make_client(api) as client:
        assert len(await client.query_all()) == 1
    assert sleep.waits == [3.0]


async def test_reads_retry_with_growing_waits(make_client: MakeClient, sleep: FakeSleep) -> None:
    api = FakeApi.with_items(1)
    api.script(
        "GET",
        QUERY,
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("t"),
        envelope(502, "BadGateway", "bad"),
        envelope(504, "GatewayTimeout", "late"),
    )
    policy = RetryPolicy(wait_base=1.0, wait_max=100.0, sleep=sleep)
    async with make_client(api, retry=policy) as client:
        assert len(await client.query_all()) == 1
    assert len(api.api_requests("GET", QUERY)) == 5
    assert [int(w) for w in sleep.waits] == [1, 2, 4, 8]


async def test_request_log_records_each_attempt_without_headers_or_bodies(
    make_client: MakeClient, records: list[RequestRecord]
) -> None:
    api = FakeApi.with_items(1)
    api.script("GET", "/connectors/drafts/key=connector-00000", httpx.ConnectError("refused"))
    async with make_client(api) as client:
        await client.get_by_key("connector-00000")
    failed, succeeded = records[1], records[2]
    assert (failed.status, failed.error, failed.attempt) == (None, "ConnectError", 1)
    assert (succeeded.status, succeeded.error, succeeded.attempt) == (200, None, 2)
    assert succeeded.elapsed_ms >= 0
    assert set(RequestRecord.__dataclass_fields__) == {
        "method",
        "path",
        "status",
        "correlation_id",
        "elapsed_ms",
        "attempt",
        "error",
    }


async def test_without_a_log_nothing_is_recorded(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    async with make_client(api, request_log=None) as client:
        assert await client.get_by_key("connector-00000") is not None


def test_default_item_shape_is_a_valid_connector() -> None:
    assert ConnectorStaged.model_validate(make_item(7)).key == "connector-00007"


async def test_a_failing_lookup_among_many_raises_its_own_error(make_client: MakeClient) -> None:
    api = FakeApi.with_items(5)
    api.script(
        "GET", "/connectors/drafts/key=connector-00002", envelope(403, "insufficient_scope", "no")
    )
    async with make_client(api) as client:
        with pytest.raises(Forbidden) as caught:
            await client.get_many_by_key([f"connector-{i:05d}" for i in range(5)])
    assert caught.value.path == "/connectors/drafts/key=connector-00002"


async def test_a_failing_page_raises_its_own_error(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1200)
    api.script("GET", QUERY, httpx.Response(200, json={"total": 1200, "results": []}))
    api.script("GET", QUERY, envelope(400, "InvalidQueryParam", "bad sort"))
    async with make_client(api) as client:
        with pytest.raises(Invalid, match="400 InvalidQueryParam on GET /connectors/drafts"):
            await client.query_all()


async def test_the_default_policy_really_sleeps_briefly() -> None:
    await RetryPolicy().sleep(0)
