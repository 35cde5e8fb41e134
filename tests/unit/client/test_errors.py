"""Each failure the API can produce arrives as the right typed error with a readable message."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from connect_gitops.client import (
    AmbiguousWrite,
    Conflict,
    ConnectClient,
    ConnectError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
)
from tests.support.fake_api import FakeApi, FakeSleep, envelope

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., ConnectClient]
KEY_PATH = "/connectors/drafts/key=connector-00000"
SET_NAME = [{"action": "setName", "name": "New"}]


async def test_409_is_a_conflict_with_both_versions(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    async with make_client(api) as client:
        with pytest.raises(Conflict) as caught:
            await client.update_by_key("connector-00000", 3, SET_NAME)
    error = caught.value
    cid = api.requests[-1].headers["X-Correlation-ID"]
    assert (error.status, error.code) == (409, "ConcurrentModification")
    assert (error.expected_version, error.current_version) == (3, 1)
    assert (error.method, error.path, error.correlation_id) == ("POST", KEY_PATH, cid)
    assert error.errors[0]["currentVersion"] == 1
    assert str(error) == (
        f"409 ConcurrentModification on POST {KEY_PATH}: expected version 3, current 1 "
        f"(correlation id {cid})"
    )


async def test_400_is_invalid_with_every_code(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    body = {
        "statusCode": 400,
        "message": "first",
        "errors": [
            {"code": "InvalidJsonInput", "message": "first", "detailedErrorMessage": "x"},
            {"code": "DuplicateField", "message": "second", "field": "key"},
        ],
    }
    api.script("POST", "/connectors/drafts", httpx.Response(400, json=body))
    async with make_client(api) as client:
        with pytest.raises(Invalid) as caught:
            await client.create({"key": "k", "name": "n"})
    error = caught.value
    assert error.codes == ["InvalidJsonInput", "DuplicateField"]
    assert error.code == "InvalidJsonInput"
    assert str(error).startswith(
        "400 InvalidJsonInput on POST /connectors/drafts: first (x); second (correlation id "
    )


async def test_the_detailed_error_message_is_shown(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    detail = "actions[0].description: Missing required value"
    body = {
        "statusCode": 400,
        "message": "Request body does not contain valid JSON.",
        "errors": [
            {
                "code": "InvalidJsonInput",
                "message": "Request body does not contain valid JSON.",
                "detailedErrorMessage": detail,
            }
        ],
    }
    api.script("POST", KEY_PATH, httpx.Response(400, json=body))
    async with make_client(api) as client:
        with pytest.raises(Invalid) as caught:
            await client.update_by_key("connector-00000", 1, [{"action": "setDescription"}])

    assert caught.value.message == f"Request body does not contain valid JSON. ({detail})"
    assert f"InvalidJsonInput on POST {KEY_PATH}: Request body does not contain valid JSON. " in (
        str(caught.value)
    )
    assert detail in str(caught.value)


async def test_404_on_a_write_is_not_found_and_none_on_a_read(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    async with make_client(api) as client:
        assert await client.get_by_key("missing") is None
        assert await client.get_by_id("missing-id") is None
        with pytest.raises(NotFound) as caught:
            await client.update("missing-id", 1, SET_NAME)
    assert caught.value.status == 404
    assert caught.value.code == "ResourceNotFound"
    assert caught.value.path == "/connectors/drafts/missing-id"


async def test_403_is_forbidden(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    api.script("POST", KEY_PATH, envelope(403, "insufficient_scope", "insufficient_scope"))
    async with make_client(api) as client:
        with pytest.raises(Forbidden) as caught:
            await client.update_by_key("connector-00000", 1, SET_NAME)
    assert str(caught.value).startswith(
        f"403 insufficient_scope on POST {KEY_PATH}: insufficient_scope (correlation id "
    )


async def test_401_after_refresh_is_unauthorized(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1, reject_tokens=True)
    async with make_client(api) as client:
        with pytest.raises(Unauthorized) as caught:
            await client.get_by_key("connector-00000")
    assert (caught.value.status, caught.value.code) == (401, "invalid_token")


async def test_429_exhausted_is_rate_limited_with_the_hint(
    make_client: MakeClient, sleep: FakeSleep
) -> None:
    api = FakeApi.with_items(1)
    busy = envelope(429, "TooManyRequests", "slow down")
    busy.headers["Retry-After"] = "2"
    api.script("GET", KEY_PATH, *[busy] * 5)
    async with make_client(api) as client:
        with pytest.raises(RateLimited) as caught:
            await client.get_by_key("connector-00000")
    assert caught.value.retry_after == 2.0
    assert sleep.waits == [2.0, 2.0, 2.0, 2.0]
    assert len(api.api_requests("GET", KEY_PATH)) == 5


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_5xx_on_a_read_is_a_server_error(make_client: MakeClient, status: int) -> None:
    api = FakeApi.with_items(1)
    api.script("GET", KEY_PATH, *[envelope(status, "General", "boom")] * 5)
    async with make_client(api) as client:
        with pytest.raises(ServerError) as caught:
            await client.get_by_key("connector-00000")
    assert caught.value.status == status
    assert len(api.api_requests("GET", KEY_PATH)) == 5


async def test_non_json_error_body_uses_the_reason_phrase(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    html = httpx.Response(502, content=b"<html>proxy error</html>")
    api.script("GET", KEY_PATH, *[html] * 5)
    async with make_client(api) as client:
        with pytest.raises(ServerError) as caught:
            await client.get_by_key("connector-00000")
    assert caught.value.message == "Bad Gateway"
    assert caught.value.code is None
    assert str(caught.value).startswith(f"502 on GET {KEY_PATH}: Bad Gateway (correlation id ")


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError("connection refused"), httpx.ReadTimeout("timed out")]
)
async def test_no_answer_on_a_read_is_a_transport_error(
    make_client: MakeClient, exc: httpx.TransportError
) -> None:
    api = FakeApi.with_items(1)
    api.script("GET", KEY_PATH, *[exc] * 5)
    async with make_client(api) as client:
        with pytest.raises(TransportError) as caught:
            await client.get_by_key("connector-00000")
    error = caught.value
    assert error.error_name == type(exc).__name__
    assert error.status is None
    assert str(error) == (
        f"GET {KEY_PATH}: {type(exc).__name__}: {exc} (correlation id {error.correlation_id})"
    )
    assert len(api.api_requests("GET", KEY_PATH)) == 5


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (envelope(500, "General", "oops"), "500 General: oops"),
        (envelope(502, "BadGateway", "bad gateway"), "502 BadGateway: bad gateway"),
        (envelope(504, "GatewayTimeout", "late"), "504 GatewayTimeout: late"),
        (httpx.ReadTimeout("timed out"), "ReadTimeout (timed out after sending)"),
        (httpx.RemoteProtocolError("closed"), "RemoteProtocolError (connection dropped)"),
        (httpx.ReadError("reset"), "ReadError (connection dropped)"),
    ],
)
async def test_writes_that_may_have_happened_are_ambiguous_at_once(
    make_client: MakeClient, sleep: FakeSleep, answer: httpx.Response | Exception, reason: str
) -> None:
    api = FakeApi.with_items(1)
    api.script("POST", KEY_PATH, answer)
    async with make_client(api) as client:
        with pytest.raises(AmbiguousWrite) as caught:
            await client.update_by_key("connector-00000", 1, SET_NAME)
    error = caught.value
    assert len(api.api_requests("POST", KEY_PATH)) == 1
    assert sleep.waits == []
    assert str(error) == (
        f"outcome unknown of POST {KEY_PATH}: {reason}; re-read before writing again "
        f"(correlation id {error.correlation_id})"
    )
    assert isinstance(error, ConnectError)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow"),
        envelope(503, "ServiceUnavailable", "busy"),
        envelope(429, "TooManyRequests", "slow down"),
    ],
)
async def test_writes_that_certainly_did_not_happen_are_retried(
    make_client: MakeClient, answer: httpx.Response | Exception
) -> None:
    api = FakeApi.with_items(1)
    api.script("POST", KEY_PATH, answer, answer)
    async with make_client(api) as client:
        updated = await client.update_by_key("connector-00000", 1, SET_NAME)
    assert (updated.name, updated.version) == ("New", 2)
    assert len(api.api_requests("POST", KEY_PATH)) == 3


async def test_503_on_a_write_exhausted_is_a_server_error(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    api.script("POST", KEY_PATH, *[envelope(503, "ServiceUnavailable", "busy")] * 5)
    async with make_client(api) as client:
        with pytest.raises(ServerError):
            await client.update_by_key("connector-00000", 1, SET_NAME)
    assert len(api.api_requests("POST", KEY_PATH)) == 5
    assert api.items[0]["version"] == 1
