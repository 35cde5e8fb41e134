"""Fixtures for the client's unit tests: a fake API, a recording sleep, a client factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from connect_gitops.client import ConnectClient, RequestRecord, RetryPolicy
from tests.support.fake_api import CLIENT_ID, SECRET, FakeApi, FakeSleep


@pytest.fixture
async def make_client(
    sleep: FakeSleep, records: list[RequestRecord]
) -> AsyncIterator[Callable[..., ConnectClient]]:
    clients: list[ConnectClient] = []

    def make(api: FakeApi, **overrides: Any) -> ConnectClient:
        kwargs: dict[str, Any] = {
            "api_url": "https://connect.test",
            "auth_url": "https://auth.test",
            "project_key": "shop",
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
            "scopes": ["manage_connectors"],
            "transport": httpx.MockTransport(api.handler),
            "retry": RetryPolicy(wait_base=0.01, wait_max=0.05, sleep=sleep),
            "request_log": records.append,
        }
        kwargs.update(overrides)
        client = ConnectClient(**kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
