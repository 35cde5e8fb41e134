"""Client credentials: one token, cached, refreshed once on a 401, refusals explained."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs

import anyio
import httpx
import pytest

from connect_gitops.client import ConnectClient, Unauthorized, scopes_for
from connect_gitops.client.auth import Token, TokenProvider, qualify_scopes, refresh_time
from tests.support.fake_api import CLIENT_ID, SECRET, FakeApi, basic_credentials

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., ConnectClient]


async def test_token_request_uses_basic_auth_and_the_project_scope(
    make_client: MakeClient,
) -> None:
    api = FakeApi.with_items(1)
    async with make_client(api, scopes=["view_connectors"]) as client:
        await client.get_by_key("connector-00000")
    [token_request] = api.token_requests
    assert str(token_request.url) == "https://auth.test/oauth/token"
    assert basic_credentials(token_request) == f"{CLIENT_ID}:{SECRET}"
    assert parse_qs(token_request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "scope": ["view_connectors:shop"],
    }
    assert api.requests[0].headers["Authorization"] == "Bearer tok3n-value-1"


def test_scope_helpers() -> None:
    assert scopes_for("shop", write=True) == ["manage_connectors:shop"]
    assert scopes_for("shop", write=False) == ["view_connectors:shop"]
    assert qualify_scopes(["manage_connectors", "view_connectors:other"], "shop") == [
        "manage_connectors:shop",
        "view_connectors:other",
    ]


async def test_token_is_cached_across_requests(make_client: MakeClient) -> None:
    api = FakeApi.with_items(3)
    async with make_client(api) as client:
        for key in ("connector-00000", "connector-00001", "connector-00002"):
            await client.get_by_key(key)
    assert len(api.token_requests) == 1


async def test_one_token_for_20_concurrent_requests(make_client: MakeClient) -> None:
    api = FakeApi.with_items(20, token_latency=0.02)
    async with make_client(api) as client:
        found = await client.get_many_by_key([f"connector-{i:05d}" for i in range(20)])
    assert len(found) == 20
    assert len(api.token_requests) == 1
    assert len(api.requests) == 20


async def test_a_401_refreshes_once_and_retries_once(
    make_client: MakeClient, records: list[object]
) -> None:
    api = FakeApi.with_items(1)
    async with make_client(api) as client:
        await client.get_by_key("connector-00000")
        api.expire_tokens()
        connector = await client.get_by_key("connector-00000")
    assert connector is not None
    assert len(api.token_requests) == 2
    assert [(r.method, r.path, r.status) for r in records] == [  # type: ignore[attr-defined]
        ("POST", "/oauth/token", 200),
        ("GET", "/connectors/drafts/key=connector-00000", 200),
        ("GET", "/connectors/drafts/key=connector-00000", 401),
        ("POST", "/oauth/token", 200),
        ("GET", "/connectors/drafts/key=connector-00000", 200),
    ]


async def test_20_concurrent_401s_cause_one_refresh(make_client: MakeClient) -> None:
    api = FakeApi.with_items(20, token_latency=0.02)
    keys = [f"connector-{i:05d}" for i in range(20)]
    async with make_client(api) as client:
        await client.get_many_by_key(keys)
        api.expire_tokens()
        found = await client.get_many_by_key(keys)
    assert len(found) == 20
    assert len(api.token_requests) == 2


async def test_a_rejected_refreshed_token_is_not_retried_again(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1, reject_tokens=True)
    async with make_client(api) as client:
        with pytest.raises(Unauthorized):
            await client.get_by_key("connector-00000")
    assert len(api.token_requests) == 2
    assert len(api.requests) == 2


async def test_refused_credentials_explain_what_to_check(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    api.token_answer = httpx.Response(
        401, json={"error": "invalid_client", "error_description": "Bad client credentials"}
    )
    async with make_client(api) as client:
        with pytest.raises(Unauthorized) as caught:
            await client.get_by_key("connector-00000")
    assert str(caught.value) == (
        "could not obtain a token from https://auth.test: 401 invalid_client; "
        "check CTP_CLIENT_ID/CTP_CLIENT_SECRET"
    )
    assert caught.value.path == "/oauth/token"
    assert SECRET not in repr(caught.value)
    assert api.requests == []  # nothing reached the API without a token


async def test_credential_names_come_from_the_target(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    api.token_answer = httpx.Response(400, json={"error": "invalid_scope"})
    async with make_client(api, credential_names=("EU_ID", "EU_SECRET")) as client:
        with pytest.raises(Unauthorized, match=r"400 invalid_scope; check EU_ID/EU_SECRET$"):
            await client.get_by_key("connector-00000")


async def test_token_endpoint_outage_is_retried(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    api.script("POST", "/oauth/token", httpx.Response(503), httpx.ConnectError("refused"))
    async with make_client(api) as client:
        assert await client.get_by_key("connector-00000") is not None
    assert len(api.token_requests) == 3


async def test_on_token_sees_each_fetched_token(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    seen: list[str] = []
    async with make_client(api, on_token=seen.append) as client:
        await client.get_by_key("connector-00000")
        await client.get_by_key("connector-00000")
        api.expire_tokens()
        await client.get_by_key("connector-00000")
    assert seen == ["tok3n-value-1", "tok3n-value-2"]


def test_refresh_margin_is_ten_percent_at_most_five_minutes() -> None:
    assert refresh_time(1000.0, 100.0) == 1090.0
    assert refresh_time(0.0, 172800.0) == 172500.0


async def test_provider_fetches_again_only_after_the_refresh_time() -> None:
    now = [0.0]
    fetched: list[int] = []

    async def fetch(deadline: object) -> Token:
        fetched.append(1)
        return Token(value=f"t{len(fetched)}", refresh_at=now[0] + 90.0)

    tokens = TokenProvider(fetch, clock=lambda: now[0])
    assert await tokens.token() == "t1"
    now[0] = 89.9
    assert await tokens.token() == "t1"
    now[0] = 90.0
    assert await tokens.token() == "t2"
    assert await tokens.refresh("t1") == "t2"  # someone else already replaced the stale one
    assert await tokens.refresh("t2") == "t3"
    assert "t3" not in repr(Token(value="t3", refresh_at=1.0))


async def test_provider_serialises_concurrent_fetches() -> None:
    fetched: list[int] = []

    async def fetch(deadline: object) -> Token:
        fetched.append(1)
        await anyio.sleep(0.01)
        return Token(value="t", refresh_at=float("inf"))

    tokens = TokenProvider(fetch)
    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(tokens.token)
    assert fetched == [1]
