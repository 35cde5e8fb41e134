"""Transport safety and secrecy: https only (loopback aside), no secret in any error or log."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

import httpx
import pytest

from connect_gitops.client import ConnectClient, ConnectError, RequestRecord
from tests.support.fake_api import CLIENT_ID, SECRET, FakeApi, envelope

MakeClient = Callable[..., ConnectClient]
KEY_PATH = "/connectors/drafts/key=connector-00000"


def _client(api_url: str, auth_url: str = "https://auth.test") -> ConnectClient:
    return ConnectClient(
        api_url=api_url,
        auth_url=auth_url,
        project_key="shop",
        client_id=CLIENT_ID,
        client_secret=SECRET,
        scopes=["view_connectors"],
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://connect.europe-west1.gcp.commercetools.com",
        "http://127.0.0.1:8321",
        "http://127.9.9.9",
        "http://localhost:8000/",
        "http://[::1]:8000",
    ],
)
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    _client(url, auth_url=url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "http://connect.example.com",
            "API URL: plain http is allowed only for loopback hosts (127.0.0.0/8, ::1, "
            "localhost), not 'connect.example.com': use https",
        ),
        (
            "http://10.0.0.1:8000",
            "API URL: plain http is allowed only for loopback hosts (127.0.0.0/8, ::1, "
            "localhost), not '10.0.0.1': use https",
        ),
        (
            "ftp://connect.example.com",
            "API URL: invalid URL 'ftp://connect.example.com': use https://HOST",
        ),
        (
            "https://user:pw@connect.example.com",
            "API URL: the URL must not contain credentials",
        ),
        ("https://", "API URL: invalid URL 'https://': use https://HOST"),
    ],
)
def test_other_urls_are_refused_at_construction(url: str, message: str) -> None:
    with pytest.raises(ValueError, match="URL") as caught:
        _client(url)
    assert str(caught.value) == message


def test_the_auth_url_is_checked_too() -> None:
    with pytest.raises(ValueError, match=r"^auth URL: plain http .* not 'auth.example.com'"):
        _client("https://connect.test", auth_url="http://auth.example.com")


def test_repr_of_the_client_names_no_secret() -> None:
    client = _client("https://connect.test")
    assert repr(client) == "ConnectClient(api_url='https://connect.test', project_key='shop')"


def _frames(tb: TracebackType | None) -> list[dict[str, object]]:
    """Locals of every frame the error passed through, except this test file's own."""
    found = []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename != __file__:
            found.append(dict(tb.tb_frame.f_locals))
        tb = tb.tb_next
    return found


def _assert_clean(error: BaseException, secrets: list[str]) -> None:
    assert isinstance(error, ConnectError)
    texts = [str(error), repr(error), repr(vars(error))]
    for secret in secrets:
        for text in texts:
            assert secret not in text
    assert error.__cause__ is None
    assert error.__suppress_context__ or error.__context__ is None
    frames = _frames(error.__traceback__)
    assert frames  # the client's own frames are inspected, not just this test's
    for local_vars in frames:
        for value in local_vars.values():
            assert not isinstance(value, httpx.Request | httpx.Response)


@pytest.mark.anyio
@pytest.mark.parametrize(
    "answer",
    [
        envelope(
            400, "InvalidJsonInput", "echo: Bearer tok3n-value-1 and s3cr3t-client-secret-value"
        ),
        envelope(401, "invalid_token", "invalid_token"),
        envelope(409, "ConcurrentModification", "v", expectedVersion=1, currentVersion=2),
        envelope(500, "General", "tok3n-value-1"),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("closed"),
        httpx.ConnectError("refused"),
    ],
)
async def test_no_secret_or_request_in_any_error(
    make_client: MakeClient, records: list[RequestRecord], answer: httpx.Response | Exception
) -> None:
    api = FakeApi.with_items(1)
    api.script("POST", KEY_PATH, *[answer] * 5)
    async with make_client(api) as client:
        with pytest.raises(ConnectError) as caught:
            await client.update_by_key("connector-00000", 1, [])
    secrets = [SECRET, *api.issued]
    _assert_clean(caught.value, secrets)
    for record in records:
        assert all(s not in repr(record) for s in secrets)


@pytest.mark.anyio
async def test_echoed_secrets_are_redacted(make_client: MakeClient) -> None:
    api = FakeApi.with_items(1)
    api.script(
        "POST", KEY_PATH, envelope(400, "InvalidJsonInput", f"saw {SECRET} and tok3n-value-1")
    )
    async with make_client(api) as client:
        with pytest.raises(ConnectError) as caught:
            await client.update_by_key("connector-00000", 1, [])
    assert caught.value.message == "saw [redacted] and [redacted]"
    assert caught.value.errors[0]["message"] == "saw [redacted] and [redacted]"


@pytest.mark.anyio
async def test_token_refusal_during_a_refresh_drops_the_request_frames(
    make_client: MakeClient,
) -> None:
    api = FakeApi.with_items(1)
    async with make_client(api) as client:
        await client.get_by_key("connector-00000")
        api.expire_tokens()
        api.token_answer = httpx.Response(401, json={"error": "invalid_client"})
        with pytest.raises(ConnectError) as caught:
            await client.get_by_key("connector-00000")
    assert str(caught.value).startswith("could not obtain a token from https://auth.test: 401")
    _assert_clean(caught.value, [SECRET, *api.issued])
