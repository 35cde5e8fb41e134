"""The control API: reset, journal, settings, settle, state; correlation ids (design.md 8)."""

from __future__ import annotations

import pytest

from tests.support.emulator_contract import Emu

pytestmark = pytest.mark.anyio


async def test_correlation_id_is_echoed_or_generated(emu: Emu) -> None:
    echoed = await emu.client.get("/connectors/drafts", headers={"X-Correlation-ID": "abc-123"})
    assert echoed.headers["X-Correlation-ID"] == "abc-123"
    failed = await emu.client.get("/connectors/drafts/key=zz", headers={"X-Correlation-ID": "e-1"})
    assert failed.headers["X-Correlation-ID"] == "e-1"
    generated = await emu.client.get("/connectors/drafts")
    assert len(generated.headers["X-Correlation-ID"]) == 36


async def test_journal_records_api_requests_but_not_control_calls(emu: Emu) -> None:
    await emu.client.get("/connectors/drafts?limit=5", headers={"X-Correlation-ID": "c-1"})
    await emu.control("GET", "settings")
    journal = await emu.control("GET", "requests")
    assert [e["path"] for e in journal] == ["/oauth/token", "/connectors/drafts"]
    assert journal[1] == {
        "method": "GET",
        "path": "/connectors/drafts",
        "query": "limit=5",
        "status": 200,
        "correlationId": "c-1",
    }
    assert await emu.control("DELETE", "requests") == {"cleared": 2}
    assert await emu.control("GET", "requests") == []


async def test_reset_forgets_everything(emu: Emu) -> None:
    await emu.create()
    await emu.settings(previewSeconds=9)
    await emu.faults(latencyMs=1)
    assert await emu.control("POST", "reset") == {"reset": True}
    assert await emu.control("GET", "requests") == []
    assert (await emu.client.get("/connectors/drafts")).status_code == 401
    assert (await emu.control("GET", "settings"))["previewSeconds"] == 2.0
    assert (await emu.control("GET", "faults"))["latencyMs"] == 0
    await emu.login()
    assert (await emu.client.get("/connectors/drafts")).json()["total"] == 0


async def test_settings_defaults_and_partial_update(emu: Emu) -> None:
    assert await emu.control("GET", "settings") == {
        "updateStatusCode": 200,
        "previewSeconds": 2.0,
        "publishSeconds": 2.0,
        "certificationSeconds": None,
        "lockWhileProcessing": True,
        "lockedUpdateError": "General",
        "resetPreviewOnRepositoryChange": True,
        "hasChangesBeforeFirstPublish": True,
        "transitionsRaiseVersion": False,
        "validateRepositoryOnWrite": False,
        "previewOutcome": "auto",
        "publishOutcome": "auto",
        "tokenLifetimeSeconds": 172800,
        "gitTimeoutSeconds": 10.0,
        "connectYaml": {},
        "deploySeconds": 2.0,
        "productionProjects": None,
        "deploymentDeleteStatusCode": 202,
        "securedValues": "masked",
        "redeployConfigurationValues": "replace",
        "logPageSize": 100,
    }
    updated = await emu.control("PUT", "settings", {"publishSeconds": 0.5})
    assert (updated["publishSeconds"], updated["previewSeconds"]) == (0.5, 2.0)


@pytest.mark.parametrize(
    "body", [{"updateStatusCode": 204}, {"unknown": True}, {"previewSeconds": -1}]
)
async def test_invalid_settings_are_refused(emu: Emu, body: object) -> None:
    response = await emu.client.put("/_emulator/settings", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidJsonInput"


async def test_state_dump_and_load_round_trip(emu: Emu) -> None:
    created = await emu.create()
    await emu.update(created, {"action": "updatePreviewable"})
    dumped = await emu.control("GET", "state")
    assert dumped["formatVersion"] == 1
    await emu.control("POST", "reset")
    loaded = await emu.control("PUT", "state", dumped)
    assert loaded == dumped
    await emu.login()
    assert await emu.control("POST", "settle") == {"settled": 1}
    assert (await emu.client.get("/connectors/drafts/key=payment")).json()[
        "isPreviewable"
    ] == "true"


@pytest.mark.parametrize("body", [[], {"projects": {"p": {"connectors": [{"no": "id"}]}}}])
async def test_invalid_state_is_refused(emu: Emu, body: object) -> None:
    response = await emu.client.put("/_emulator/state", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidJsonInput"
