"""The client against the real emulator over a loopback socket: the contract end to end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from connect_gitops.client import (
    AmbiguousWrite,
    Conflict,
    ConnectClient,
    Forbidden,
    Invalid,
    NotFound,
    RequestRecord,
    RetryPolicy,
)
from tests.support.emulator import clear_journal, control, journal, set_faults
from tests.support.fake_api import FakeSleep

pytestmark = pytest.mark.anyio

PROJECT = "shop"
DRAFT = {
    "key": "payment-connector",
    "name": "Payment Connector",
    "creator": {"email": "team@example.com"},
    "repository": {"url": "git@github.com:example/payment-connector.git", "tag": "v1.0.0"},
}


def seed(url: str, n: int) -> None:
    """Load ``n`` connectors through the state API: far faster than n creates."""
    state = control(url, "GET", "state")
    connectors = [
        {
            **DRAFT,
            "id": f"00000000-0000-4000-8000-{i:012d}",
            "key": f"connector-{i:05d}",
            "version": 1,
            "integrationTypes": [],
            "supportedRegions": [],
            "privateProjects": [],
            "configurations": [],
            "private": True,
            "status": "Draft",
            "isPreviewable": "none",
            "hasChanges": True,
            "alreadyListed": False,
            "createdAt": f"2024-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}.{i // 3600:03d}Z",
            "lastModifiedAt": "2024-01-01T00:00:00.000Z",
        }
        for i in range(n)
    ]
    state["projects"] = {PROJECT: {"connectors": connectors, "meta": {}, "published": {}}}
    control(url, "PUT", "state", state)
    clear_journal(url)


def expire_tokens(url: str) -> None:
    control(url, "POST", "expire-tokens")


def faults(url: str, **settings: Any) -> None:
    set_faults(url, settings)


@pytest.fixture
async def client(
    emulator_url: str, sleep: FakeSleep, records: list[RequestRecord]
) -> AsyncIterator[ConnectClient]:
    async with ConnectClient(
        api_url=emulator_url,
        auth_url=emulator_url,
        project_key=PROJECT,
        client_id="ci",
        client_secret="not-a-real-secret",
        scopes=["manage_connectors"],
        retry=RetryPolicy(wait_base=0.01, wait_max=0.05, sleep=sleep),
        request_log=records.append,
    ) as connect:
        yield connect


async def test_create_read_update_and_conflict(client: ConnectClient) -> None:
    created = await client.create(DRAFT)
    assert (created.key, created.version, created.status) == ("payment-connector", 1, "Draft")
    assert await client.get_by_id(created.id) == await client.get_by_key(created.key)
    updated = await client.update(created.id, 1, [{"action": "setName", "name": "Pay"}])
    assert (updated.name, updated.version) == ("Pay", 2)
    again = await client.update_by_key(
        created.key, 2, [{"action": "setDescription", "description": "Cards"}]
    )
    assert (again.description, again.version) == ("Cards", 3)
    with pytest.raises(Conflict) as caught:
        await client.update_by_key(created.key, 2, [{"action": "setName", "name": "Late"}])
    assert (caught.value.expected_version, caught.value.current_version) == (2, 3)
    assert caught.value.correlation_id is not None
    assert caught.value.correlation_id.startswith("connect-gitops/")


async def test_absent_connectors(client: ConnectClient) -> None:
    assert await client.get_by_key("nobody") is None
    with pytest.raises(NotFound):
        await client.update_by_key("nobody", 1, [{"action": "setName", "name": "x"}])


async def test_an_invalid_draft_is_invalid_with_codes(client: ConnectClient) -> None:
    await client.create(DRAFT)
    with pytest.raises(Invalid) as caught:
        await client.create(DRAFT)
    assert caught.value.codes == ["DuplicateField"]


async def test_the_emulators_detailed_error_message_reaches_the_user(
    client: ConnectClient,
) -> None:
    created = await client.create(DRAFT)
    with pytest.raises(Invalid) as caught:
        await client.update(created.id, created.version, [{"action": "setDescription"}])

    assert caught.value.codes == ["InvalidJsonInput"]
    assert caught.value.message == (
        "Request body does not contain valid JSON. (actions[0].description: Missing required value)"
    )


async def test_1000_connectors_take_three_requests(
    client: ConnectClient, emulator_url: str
) -> None:
    seed(emulator_url, 1000)
    connectors = await client.query_all()
    assert sorted(c.key for c in connectors) == [f"connector-{i:05d}" for i in range(1000)]
    entries = journal(emulator_url)
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/oauth/token", 200),
        ("GET", "/connectors/drafts", 200),
        ("GET", "/connectors/drafts", 200),
    ]


async def test_correlation_ids_reach_the_server(
    client: ConnectClient, emulator_url: str, records: list[RequestRecord]
) -> None:
    await client.get_by_key("nobody")
    sent = [r.correlation_id for r in records]
    assert [e["correlationId"] for e in journal(emulator_url)] == sent


async def test_expired_tokens_are_refreshed_transparently(
    client: ConnectClient, emulator_url: str
) -> None:
    await client.create(DRAFT)
    expire_tokens(emulator_url)
    assert await client.get_by_key("payment-connector") is not None
    tokens = [e for e in journal(emulator_url) if e["path"] == "/oauth/token"]
    assert len(tokens) == 2


async def test_a_read_only_token_cannot_write(emulator_url: str, sleep: FakeSleep) -> None:
    async with ConnectClient(
        api_url=emulator_url,
        auth_url=emulator_url,
        project_key=PROJECT,
        client_id="ci",
        client_secret="not-a-real-secret",
        scopes=["view_connectors"],
        retry=RetryPolicy(sleep=sleep),
    ) as reader:
        assert await reader.query_all() == []
        with pytest.raises(Forbidden) as caught:
            await reader.create(DRAFT)
    assert caught.value.status == 403


async def test_rate_limits_are_waited_out(
    client: ConnectClient, emulator_url: str, sleep: FakeSleep
) -> None:
    seed(emulator_url, 3)
    faults(emulator_url, rateLimitEvery=2, retryAfterSeconds=1)
    for i in range(3):
        assert await client.get_by_key(f"connector-{i:05d}") is not None
    assert 1.0 in sleep.waits
    assert all(w == 1.0 for w in sleep.waits)


async def test_an_ambiguous_write_is_reported_and_a_reread_shows_it(
    client: ConnectClient, emulator_url: str
) -> None:
    created = await client.create(DRAFT)
    faults(emulator_url, ambiguousRate=1.0, seed=7)
    with pytest.raises(AmbiguousWrite):
        await client.update(created.id, 1, [{"action": "setName", "name": "Maybe"}])
    faults(emulator_url, ambiguousRate=0.0)
    reread = await client.get_by_id(created.id)
    assert reread is not None
    assert (reread.name, reread.version) == ("Maybe", 2)
