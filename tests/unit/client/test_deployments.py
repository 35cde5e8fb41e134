"""The Deployments endpoints' error handling: answers that do not parse, retries, unknown
outcomes and tolerant reading (the contract itself: integration/test_deployment_client.py)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from connect_gitops.client import (
    AmbiguousWrite,
    Conflict,
    ConnectClient,
    ConnectError,
    RequestRecord,
    scopes_for,
)
from tests.support.fake_api import FakeApi, FakeSleep, envelope

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., ConnectClient]
BASE = "/shop/deployments"
MINIMAL = {
    "id": "d-1",
    "key": "payments",
    "version": 3,
    "connector": {"id": "c-1"},
    "status": "SomethingNew",
    "futureField": {"deep": [1, 2]},
}


async def test_a_deployment_with_unknown_fields_and_statuses_reads(
    make_client: MakeClient,
) -> None:
    api = FakeApi()
    api.script("GET", f"{BASE}/key=payments", httpx.Response(200, json=MINIMAL))
    async with make_client(api) as client:
        found = await client.deployments.get_by_key("payments")
    assert found is not None
    assert (found.id, found.status, found.type, found.applications) == (
        "d-1",
        "SomethingNew",
        None,
        [],
    )


async def test_a_200_that_is_not_a_deployment_is_a_clear_error(
    make_client: MakeClient,
) -> None:
    api = FakeApi()
    html = httpx.Response(200, text="<html>proxy login</html>")
    api.script("GET", f"{BASE}/key=payments", html)
    api.script("GET", BASE, httpx.Response(200, json={"results": [{"id": 1}]}))
    async with make_client(api) as client:
        with pytest.raises(ConnectError) as one:
            await client.deployments.get_by_key("payments")
        with pytest.raises(ConnectError) as page:
            await client.deployments.query_all()
    assert str(one.value).startswith(
        f"200 on GET {BASE}/key=payments: the answer is not a deployment"
    )
    assert "proxy login" not in str(one.value)
    assert "the answer is not a page of deployments" in str(page.value)


async def test_reads_are_retried_and_a_500_on_create_is_an_unknown_outcome(
    make_client: MakeClient, sleep: FakeSleep, records: list[RequestRecord]
) -> None:
    api = FakeApi()
    busy = envelope(503, "ServiceUnavailable", "busy")
    api.script("GET", f"{BASE}/d-1", busy, httpx.Response(200, json=MINIMAL))
    api.script("POST", BASE, envelope(500, "General", "oops"))
    async with make_client(api) as client:
        assert await client.deployments.get_by_id("d-1") is not None
        with pytest.raises(AmbiguousWrite) as caught:
            await client.deployments.create({"key": "payments"})
    assert len(sleep.waits) == 1
    assert [r.attempt for r in records if r.method == "POST" and r.path == BASE] == [1]
    assert "re-read before writing again" in str(caught.value)


async def test_a_conflict_carries_both_versions(make_client: MakeClient) -> None:
    api = FakeApi()
    conflict = envelope(409, "ConcurrentModification", "moved", expectedVersion=3, currentVersion=4)
    api.script("POST", f"{BASE}/d-1", conflict)
    async with make_client(api) as client:
        with pytest.raises(Conflict) as caught:
            await client.deployments.update("d-1", 3, [{"action": "redeploy"}])
    assert (caught.value.expected_version, caught.value.current_version) == (3, 4)
    [sent] = api.api_requests("POST", f"{BASE}/d-1")
    assert sent.read() == b'{"version":3,"actions":[{"action":"redeploy"}]}'


async def test_delete_sends_the_version_and_a_404_means_gone(make_client: MakeClient) -> None:
    api = FakeApi()
    undeploy = httpx.Response(202, json=MINIMAL | {"status": "Undeploying"})
    api.script("DELETE", f"{BASE}/d-1", undeploy, envelope(404, "ResourceNotFound", "gone"))
    async with make_client(api) as client:
        undeploying = await client.deployments.delete("d-1", version=3)
        gone = await client.deployments.delete("d-1")
    assert undeploying is not None
    assert undeploying.status == "Undeploying"
    assert gone is None
    first = api.api_requests("DELETE")[0]
    assert first.url.params["version"] == "3"
    assert "version" not in api.api_requests("DELETE")[1].url.params


async def test_keys_and_ids_are_quoted_in_paths(make_client: MakeClient) -> None:
    api = FakeApi()
    async with make_client(api, project_key="my shop") as client:
        with pytest.raises(ConnectError):
            await client.deployments.get_by_key("a/b?c")
    [sent] = api.api_requests("GET")
    assert sent.url.raw_path == b"/my%20shop/deployments/key=a%2Fb%3Fc"


def test_scopes_add_the_deployment_scope_only_when_asked() -> None:
    assert scopes_for("shop", write=False) == ["view_connectors:shop"]
    assert scopes_for("shop", write=True, deployments=True) == [
        "manage_connectors:shop",
        "manage_connectors_deployments:shop",
    ]
    assert scopes_for("shop", write=False, deployments=True) == [
        "view_connectors:shop",
        "view_connectors_deployments:shop",
    ]
