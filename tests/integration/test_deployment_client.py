"""The client's Deployments endpoints and connector facts against the emulator on a socket."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from connect_gitops.apply.runs import read_facts
from connect_gitops.client import (
    AmbiguousWrite,
    Conflict,
    ConnectClient,
    Forbidden,
    Invalid,
    RequestRecord,
    RetryPolicy,
)
from connect_gitops.core.deployments.inputs import ConnectorLookup
from tests.support.deploying import (
    CONNECTOR,
    REGION,
    SECRET_VALUE,
    deployable,
    seed_connectors,
    settings,
    settle,
    sha256,
    stored,
)
from tests.support.emulator import PROJECT, clear_journal, control, journal, set_faults
from tests.support.fake_api import FakeSleep

pytestmark = pytest.mark.anyio

BASE = f"/{PROJECT}/deployments"


def draft(key: str = "payments", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "key": key,
        "type": "production",
        "connector": {"key": CONNECTOR, "staged": False},
        "region": REGION,
        "configurations": [
            {
                "applicationName": "service",
                "standardConfiguration": [{"key": "CTP_REGION", "value": REGION}],
                "securedConfiguration": [{"key": "STRIPE_SECRET_KEY", "value": SECRET_VALUE}],
            }
        ],
    }
    return body | fields


def client_for(
    url: str, scopes: list[str], sleep: FakeSleep, records: list[RequestRecord] | None = None
) -> ConnectClient:
    return ConnectClient(
        api_url=url,
        auth_url=url,
        project_key=PROJECT,
        client_id="ci",
        client_secret="not-a-real-secret",
        scopes=scopes,
        retry=RetryPolicy(wait_base=0.01, wait_max=0.05, sleep=sleep),
        request_log=records.append if records is not None else None,
    )


@pytest.fixture
async def client(
    emulator_url: str, sleep: FakeSleep, records: list[RequestRecord]
) -> AsyncIterator[ConnectClient]:
    scopes = ["manage_connectors", "manage_connectors_deployments"]
    async with client_for(emulator_url, scopes, sleep, records) as connect:
        yield connect


async def test_create_read_redeploy_conflict_and_delete(
    client: ConnectClient, emulator_url: str
) -> None:
    deployable(emulator_url)
    settings(emulator_url, deploySeconds=60)
    api = client.deployments

    created = await api.create(draft())
    assert (created.key, created.version, created.status, created.type) == (
        "payments",
        1,
        "Queued",
        "production",
    )
    assert await api.get_by_key("payments") == await api.get_by_id(created.id)
    [listed] = await api.query_all()
    assert listed.id == created.id
    assert "STRIPE_SECRET_KEY" in [s.key for s in created.applications[0].securedConfiguration]
    assert SECRET_VALUE not in created.model_dump_json()
    assert stored(emulator_url, "payments")["applications"][0]["securedConfiguration"] == [
        {"key": "STRIPE_SECRET_KEY", "valueSha256": sha256(SECRET_VALUE)}
    ]

    settle(emulator_url)
    redeploy = {
        "action": "redeploy",
        "configurationValues": [
            {
                "applicationName": "service",
                "standardConfiguration": [
                    {"key": "CTP_REGION", "value": REGION},
                    {"key": "LOG_LEVEL", "value": "debug"},
                ],
                "securedConfiguration": [{"key": "STRIPE_SECRET_KEY", "value": SECRET_VALUE}],
            }
        ],
    }
    redeployed = await api.update(created.id, 1, [redeploy])
    assert (redeployed.version, redeployed.status) == (2, "Queued")
    assert redeployed.application("service") is not None
    with pytest.raises(Conflict) as caught:
        await api.update(created.id, 1, [redeploy])
    assert (caught.value.expected_version, caught.value.current_version) == (1, 2)

    with pytest.raises(Conflict):
        await api.delete(created.id, version=1)
    settle(emulator_url)
    undeploying = await api.delete(created.id, version=2)
    assert undeploying is not None
    assert undeploying.status == "Undeploying"
    assert (await api.get_by_key("payments")) is not None  # the key stays taken meanwhile
    settle(emulator_url)
    assert await api.get_by_key("payments") is None
    assert await api.get_by_id(created.id) is None
    assert await api.delete(created.id) is None  # already gone: nothing to do


async def test_a_refused_draft_is_invalid_with_the_api_code(client: ConnectClient) -> None:
    """No connector was published: the API's own code reaches the caller."""
    with pytest.raises(Invalid) as caught:
        await client.deployments.create(draft())
    assert caught.value.codes == ["ConnectorReferenceNotFound"]
    assert SECRET_VALUE not in str(caught.value)


async def test_an_error_echoing_a_secret_it_was_told_about_is_redacted(
    client: ConnectClient, emulator_url: str
) -> None:
    deployable(emulator_url)
    client.remember_secret(SECRET_VALUE)
    body = draft(key=SECRET_VALUE)  # the API names a bad key in its message
    with pytest.raises(Invalid) as caught:
        await client.deployments.create(body | {"key": f"{SECRET_VALUE}!"})
    assert SECRET_VALUE not in str(caught.value)
    assert SECRET_VALUE not in repr(caught.value.errors)


async def test_1000_deployments_take_a_token_and_two_pages(
    client: ConnectClient, emulator_url: str
) -> None:
    from tests.support.deploying import seed_deployments

    seed_deployments(emulator_url, 1000)
    found = await client.deployments.query_all()
    assert sorted(d.key or "" for d in found) == [f"deployment-{i:05d}" for i in range(1000)]
    assert [(e["method"], e["path"], e["query"]) for e in journal(emulator_url)] == [
        ("POST", "/oauth/token", ""),
        ("GET", BASE, "limit=500&offset=0&sort=createdAt+asc"),
        ("GET", BASE, "limit=500&offset=500&sort=createdAt+asc"),
    ]


async def test_logs_follow_the_cursor_to_the_last_lines(
    client: ConnectClient, emulator_url: str
) -> None:
    deployable(emulator_url)
    settings(emulator_url, logPageSize=2)
    set_faults(emulator_url, {"failNextBuilds": 1})
    created = await client.deployments.create(draft())
    settle(emulator_url)
    failed = await client.deployments.get_by_id(created.id)
    assert failed is not None
    assert failed.status == "Failed"
    [entry] = [e for e in failed.report_entries() if e.type == "Error"]
    assert (entry.application, entry.title) == ("service", "Build failed")

    first = await client.deployments.logs(created.id, application="service")
    assert len(first.data) == 2
    assert first.next is not None
    clear_journal(emulator_url)
    last = await client.deployments.last_log_lines(created.id, application="service", lines=3)
    assert [line.message for line in last] == [
        "npm ERR! code ELIFECYCLE",
        "npm ERR! errno 1",
        "Build of application 'service' failed with exit code 1",
    ]
    assert [line.severity for line in last] == ["ERROR"] * 3
    queries = [e["query"] for e in journal(emulator_url)]
    assert queries[0] == "applicationName=service"
    assert all("pageToken=" in q for q in queries[1:])
    assert len(queries) == 2  # 4 lines, 2 a page: the cursor of page 1 leads to the last


async def test_connector_facts_published_and_staged_by_key_and_id(
    client: ConnectClient, emulator_url: str
) -> None:
    published = deployable(emulator_url)
    staged = deployable(emulator_url, "staged-connector", staged=True)
    api = client.deployments

    by_key = await api.connector_facts(staged=False, key=CONNECTOR)
    assert by_key is not None
    assert by_key == await api.connector_facts(staged=False, id=published["id"])
    # the published Connector's own version (its first publish), not the ConnectorStaged's
    assert (by_key.id, by_key.key, by_key.version, by_key.staged) == (
        published["id"],
        CONNECTOR,
        1,
        False,
    )
    assert [a.applicationName for a in by_key.configurations] == ["service", "order-sync"]
    assert by_key.supportedRegions == [REGION, "us-central1.gcp"]

    facts = await api.connector_facts(staged=True, key="staged-connector")
    assert facts is not None
    assert (facts.id, facts.staged, facts.isPreviewable) == (staged["id"], True, "true")
    assert facts.privateProjects == [f"{REGION}:{PROJECT}"]

    assert await api.connector_facts(staged=False, key="staged-connector") is None  # unpublished
    assert await api.connector_facts(staged=True, id="no-such-id") is None
    with pytest.raises(ValueError, match="exactly one"):
        await api.connector_facts(staged=True)


async def test_facts_read_from_pages_equal_those_read_by_key(
    client: ConnectClient, emulator_url: str
) -> None:
    keys = seed_connectors(emulator_url, 25)  # published, so their drafts are there too
    state = control(emulator_url, "GET", "state")
    project = state["projects"][PROJECT]
    broken = {**project["published"][next(iter(project["published"]))], "id": "broken"}
    del broken["version"]  # a published connector nobody asks about, unreadable as facts
    project["published"]["broken"] = broken | {"key": "broken"}
    control(emulator_url, "PUT", "state", state)
    published = [ConnectorLookup("emu", False, key) for key in [*keys, "no-such-connector"]]
    staged = [ConnectorLookup("emu", True, key) for key in [*keys, "no-such-connector"]]
    by_id = ConnectorLookup("emu", False, id=project["connectors"][1]["id"])
    lookups = [*published, by_id, *staged]
    api = client.deployments
    expected = {
        lookup: facts
        for lookup in lookups
        if (facts := await api.connector_facts(staged=lookup.staged, key=lookup.key, id=lookup.id))
    }
    clear_journal(emulator_url)

    found = await read_facts(lookups, {"emu": client})

    assert found == expected
    assert len(found) == 2 * 25 + 1
    assert sorted(e["path"] for e in journal(emulator_url)) == [
        "/connectors/drafts",
        "/connectors/drafts/key=no-such-connector",
        "/connectors/key=no-such-connector",
        "/connectors/search",
    ]


async def test_a_view_token_reads_deployments_but_cannot_write(
    emulator_url: str, sleep: FakeSleep
) -> None:
    deployable(emulator_url)
    scopes = ["view_connectors", "view_connectors_deployments"]
    async with client_for(emulator_url, scopes, sleep) as reader:
        assert await reader.deployments.query_all() == []
        with pytest.raises(Forbidden):
            await reader.deployments.create(draft())
    async with client_for(emulator_url, ["view_connectors"], sleep) as connectors_only:
        with pytest.raises(Forbidden):
            await connectors_only.deployments.query_all()


async def test_an_ambiguous_create_is_reported_and_a_lookup_by_key_finds_it(
    client: ConnectClient, emulator_url: str
) -> None:
    deployable(emulator_url)
    set_faults(emulator_url, {"ambiguousRate": 1.0, "seed": 3})
    with pytest.raises(AmbiguousWrite):
        await client.deployments.create(draft())
    set_faults(emulator_url, {"ambiguousRate": 0.0})
    found = await client.deployments.get_by_key("payments")
    assert found is not None
    assert len(control(emulator_url, "GET", "state")["projects"][PROJECT]["deployments"]) == 1


async def test_rate_limits_are_waited_out_for_deployments(
    client: ConnectClient, emulator_url: str, sleep: FakeSleep
) -> None:
    deployable(emulator_url)
    set_faults(emulator_url, {"rateLimitEvery": 2, "retryAfterSeconds": 1})
    for _ in range(3):
        assert await client.deployments.get_by_key("nothing") is None
    assert sleep.waits
    assert all(wait == 1.0 for wait in sleep.waits)
