"""Builds, failing builds, redeploy and its status rules, secured values (connect-api.md §9)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import httpx
import pytest

from tests.support.emulator_contract import (
    CONNECT_YAML,
    PROJECT,
    REGION,
    Emu,
    current,
    deployable,
    deployed,
    deployment_draft,
    redeploy,
    service,
    values,
)

pytestmark = pytest.mark.anyio

BASE = f"/{PROJECT}/deployments"


async def _settled(emu: Emu, deployment: dict[str, Any]) -> dict[str, Any]:
    await emu.control("POST", "settle")
    return await current(emu, deployment)


async def test_a_build_is_queued_then_deploying_then_deployed_on_reads(emu: Emu) -> None:
    await emu.settings(deploySeconds=1.0)
    await deployable(emu)
    queued = await deployed(emu)
    assert queued["status"] == "Queued"
    await asyncio.sleep(0.6)
    deploying = await current(emu, queued)
    assert deploying["status"] == "Deploying"
    await asyncio.sleep(0.5)
    done = await current(emu, queued)
    assert (done["status"], done["version"]) == ("Deployed", 1)
    assert done["details"] == queued["details"]
    service_app = done["applications"][0]
    assert service_app["url"] == (f"https://service-{done['id'][:8]}.{REGION}.commercetools.app")
    assert "url" not in done["applications"][1]


async def test_settle_finishes_builds_and_transitions_may_raise_the_version(emu: Emu) -> None:
    await emu.settings(deploySeconds=60, transitionsRaiseVersion=True)
    await deployable(emu)
    queued = await deployed(emu)
    assert await emu.control("POST", "settle") == {"settled": 1}
    done = await current(emu, queued)
    assert (done["status"], done["version"]) == ("Deployed", 3)


async def test_the_next_build_fails_with_a_report_and_error_logs(emu: Emu) -> None:
    await deployable(emu)
    await emu.faults(failNextBuilds=1, failingApplication="order-sync")
    assert (await emu.control("GET", "faults"))["failNextBuilds"] == 1
    failed = await _settled(emu, await deployed(emu))
    assert (await emu.control("GET", "faults"))["failNextBuilds"] == 0
    assert failed["status"] == "Failed"
    [entry] = failed["details"]["build"]["report"]["entries"]
    assert entry == {
        "type": "Error",
        "title": "Build failed",
        "application": "order-sync",
        "message": "Build failed: application 'order-sync'.",
        "createdAt": entry["createdAt"],
    }
    logs = await emu.client.get(
        f"{BASE}/{failed['id']}/logs", params={"applicationName": "order-sync"}
    )
    errors = [line for line in logs.json()["data"] if line["severity"] == "ERROR"]
    assert errors[-1]["details"]["message"] == (
        "Build of application 'order-sync' failed with exit code 1"
    )
    assert errors[-1]["deploymentId"] == failed["id"]
    again = await redeploy(emu, failed)
    assert again.status_code == 200, again.text
    assert (await _settled(emu, again.json()))["status"] == "Deployed"


async def test_every_build_fails_while_the_switch_is_on(emu: Emu) -> None:
    await deployable(emu)
    await emu.faults(failAllBuilds=True)
    first = await _settled(emu, await deployed(emu))
    second = await _settled(emu, (await redeploy(emu, first)).json())
    assert (first["status"], second["status"]) == ("Failed", "Failed")
    assert second["details"]["build"]["report"]["entries"][0]["application"] == "service"
    assert second["details"]["build"]["id"] != first["details"]["build"]["id"]


async def test_build_failure_rate_repeats_with_the_seed(emu: Emu) -> None:
    await deployable(emu)

    async def run() -> list[str]:
        await emu.control("POST", "reset")
        await deployable(emu)
        await emu.faults(buildFailureRate=0.5, seed=11)
        outcomes = []
        for index in range(8):
            body = await deployed(emu, deployment_draft(f"d-{index}"))
            outcomes.append((await _settled(emu, body))["status"])
        return outcomes

    first = await run()
    assert await run() == first
    assert set(first) == {"Deployed", "Failed"}


@pytest.mark.parametrize(("status", "word"), [("Queued", "queued"), ("Deploying", "deploying")])
async def test_redeploy_only_from_a_finished_state(emu: Emu, status: str, word: str) -> None:
    await emu.settings(deploySeconds=60)
    await deployable(emu)
    body = await deployed(emu)
    if status == "Deploying":
        state = await emu.control("GET", "state")
        state["projects"][PROJECT]["deployments"][0]["status"] = "Deploying"
        await emu.control("PUT", "state", state)
    response = await redeploy(emu, body)
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "code": "DeploymentInvalidStatusTransition",
        "message": f"Invalid status change: Already {word}",
    }


async def test_redeploy_replaces_an_applications_values(emu: Emu) -> None:
    await deployable(emu)
    body = await _settled(emu, await deployed(emu))
    response = await redeploy(
        emu,
        body,
        configurationValues=[service(region="us-central1.gcp", LOG_LEVEL="debug")],
        skipScripts=True,
    )
    assert response.status_code == 200, response.text
    moved = response.json()
    assert (moved["version"], moved["status"]) == (2, "Queued")
    assert moved["applications"][0]["standardConfiguration"] == values(
        CTP_REGION="us-central1.gcp", LOG_LEVEL="debug"
    )
    assert moved["details"]["build"]["id"] != body["details"]["build"]["id"]
    [entry] = moved["details"]["build"]["report"]["entries"]
    assert (entry["type"], entry["title"]) == (
        "Information",
        "postDeploy and preUndeploy scripts skipped",
    )
    dropped = await redeploy(
        emu,
        await _settled(emu, moved),
        configurationValues=[{**service(), "securedConfiguration": []}],
    )
    assert dropped.status_code == 400
    assert "secret configuration value for key API_SECRET" in dropped.text


async def test_redeploy_merges_values_when_set_to_merge(emu: Emu) -> None:
    await emu.settings(redeployConfigurationValues="merge")
    await deployable(emu)
    body = await _settled(emu, await deployed(emu))
    response = await redeploy(
        emu,
        body,
        configurationValues=[
            {
                "applicationName": "service",
                "standardConfiguration": values(LOG_LEVEL="debug"),
                "securedConfiguration": [],
            }
        ],
        globalConfiguration={"securedConfiguration": values(SHARED_TOKEN="t")},
    )
    assert response.status_code == 200, response.text
    merged = response.json()
    assert merged["applications"][0]["standardConfiguration"] == values(
        CTP_REGION=REGION, LOG_LEVEL="debug"
    )
    assert merged["applications"][0]["securedConfiguration"] == [
        {"key": "API_SECRET", "value": "****"}
    ]
    assert merged["globalConfiguration"] == {
        "standardConfiguration": values(CURRENCY="EUR"),
        "securedConfiguration": [{"key": "SHARED_TOKEN", "value": "****"}],
    }


@pytest.mark.parametrize(
    ("action", "code", "message"),
    [
        (
            {"configurationValues": [{**service(), "applicationName": "billing"}]},
            "DeploymentUnknownApplicationConfiguration",
            "application named 'billing'",
        ),
        (
            {"configurationValues": [service(NOPE="1")]},
            "DeploymentUnknownApplicationConfigurationKey",
            "standard configuration with key NOPE",
        ),
        (
            {"configurationValues": []},
            "DeploymentApplicationRequired",
            "A Deployment requires at least one application",
        ),
        (
            {"globalConfiguration": {"securedConfiguration": values(NOPE="x")}},
            "DeploymentUnknownGlobalConfigurationKey",
            "does not require secret with key NOPE.",
        ),
        (
            {"globalConfiguration": {"standardConfiguration": values(CURRENCY="")}},
            "DeploymentEmptyRequiredGlobalConfigurationKey",
            "standard global configuration with key CURRENCY.",
        ),
        (
            {"updateConnector": "yes"},
            "InvalidJsonInput",
            "Request body does not contain valid JSON.",
        ),
        ({"restart": True}, "InvalidJsonInput", "Request body does not contain valid JSON."),
    ],
)
async def test_redeploy_refusals(emu: Emu, action: dict[str, Any], code: str, message: str) -> None:
    await deployable(emu)
    body = await _settled(emu, await deployed(emu))
    response = await redeploy(emu, body, **action)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["code"] == code
    assert message in error["message"]
    assert await current(emu, body) == body


async def test_redeploy_body_is_checked(emu: Emu) -> None:
    await deployable(emu)
    body = await _settled(emu, await deployed(emu))
    path = f"{BASE}/{body['id']}"
    for sent, detail in (
        ({"actions": []}, "version: Missing required value"),
        ({"version": 1, "actions": [{"action": "setKey"}]}, "actions[0].action: Unknown update"),
        ({"version": 1, "actions": [], "force": True}, "force: Unknown field"),
    ):
        response = await emu.client.post(path, json=sent)
        assert response.json()["errors"][0]["detailedErrorMessage"].startswith(detail)
    unchanged = await emu.client.post(path, json={"version": 1, "actions": []})
    assert unchanged.json() == body
    stale = await emu.client.post(path, json={"version": 5, "actions": [{"action": "redeploy"}]})
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["currentVersion"] == 1
    by_key = await emu.client.post(
        f"{BASE}/key=payment-prod", json={"version": 1, "actions": [{"action": "redeploy"}]}
    )
    assert by_key.status_code == 200


async def test_update_connector_moves_to_the_latest_published_version(emu: Emu) -> None:
    connector = await deployable(emu)
    body = await _settled(emu, await deployed(emu))
    url = connector["repository"]["url"]
    with_app = CONNECT_YAML.replace(
        "inheritAs:", "  - {name: assets, applicationType: assets}\ninheritAs:"
    )
    settings = await emu.control("GET", "settings")
    await emu.settings(connectYaml={**settings["connectYaml"], f"{url}#v2": with_app})
    staged = await emu.get(connector)
    await emu.update(
        staged,
        {"action": "setRepository", "url": url, "tag": "v2"},
        {"action": "publish", "certification": False},
    )
    await emu.control("POST", "settle")
    assets = {"applicationName": "assets", "standardConfiguration": [], "securedConfiguration": []}
    refused = await redeploy(emu, body, configurationValues=[assets])
    assert refused.json()["errors"][0]["code"] == "DeploymentApplicationDoNotBelong"
    assert refused.json()["errors"][0]["message"] == (
        f"Deployment with id={body['id']} or key=payment-prod does not include application: assets"
    )
    moved = (await redeploy(emu, body, updateConnector=True)).json()
    assert (moved["connector"]["version"], moved["connector"]["repository"]["tag"]) == (2, "v2")
    assert [a["applicationName"] for a in moved["applications"]] == [
        "service",
        "order-sync",
        "assets",
    ]
    assert moved["applications"][0] == {
        **body["applications"][0],
        "url": body["applications"][0]["url"],
    }


async def test_update_connector_fails_when_the_staged_connector_is_no_longer_previewable(
    emu: Emu,
) -> None:
    connector = await deployable(emu, staged=True)
    draft = deployment_draft(connector={"key": "payment", "staged": True})
    body = await _settled(emu, await deployed(emu, draft))
    await emu.update(connector, {"action": "setRepository", "tag": "v3"})
    response = await redeploy(emu, body, updateConnector=True)
    error = response.json()["errors"][0]
    assert error["code"] == "DeploymentConnectorUpdateFailure"
    assert error["message"].startswith(
        f"Deployment with id={body['id']} or key=payment-prod failed while trying to update "
        f"Connector id={connector['id']} or key=payment (cause: "
    )


@pytest.mark.parametrize(
    ("mode", "shown"),
    [
        ("masked", [{"key": "API_SECRET", "value": "****"}]),
        ("keyOnly", [{"key": "API_SECRET"}]),
        ("hidden", []),
    ],
)
async def test_secured_values_never_come_back_in_clear(
    emu: Emu, mode: str, shown: list[dict[str, str]]
) -> None:
    await emu.settings(securedValues=mode)
    await deployable(emu)
    secret = "very-secret-value-42"
    body = await deployed(emu, deployment_draft(configurations=[service(secret=secret)]))
    listed = (await emu.client.get(BASE)).json()
    logs = await emu.client.get(f"{BASE}/{body['id']}/logs")
    state = await emu.control("GET", "state")
    for text in (json.dumps(body), json.dumps(listed), logs.text, json.dumps(state)):
        assert secret not in text
    assert body["applications"][0]["securedConfiguration"] == shown
    stored = state["projects"][PROJECT]["deployments"][0]["applications"][0]
    digest = hashlib.sha256(secret.encode()).hexdigest()
    assert stored["securedConfiguration"] == [{"key": "API_SECRET", "valueSha256": digest}]


async def test_reset_state_and_journal_cover_deployments(emu: Emu) -> None:
    await deployable(emu)
    body = await deployed(emu)
    journal = await emu.control("GET", "requests")
    assert (journal[-1]["method"], journal[-1]["path"], journal[-1]["status"]) == (
        "POST",
        BASE,
        201,
    )
    dumped = await emu.control("GET", "state")
    await emu.control("POST", "reset")
    await emu.control("PUT", "state", dumped)
    assert await current(emu, body) == body
    await emu.control("POST", "reset")
    await deployable(emu)
    assert (await emu.client.get(BASE)).json()["total"] == 0


async def test_faults_apply_to_deployment_endpoints(emu: Emu) -> None:
    await deployable(emu)
    body = await _settled(emu, await deployed(emu))
    await emu.faults(errorRate=1.0, errorStatuses=[502])
    assert (await emu.client.get(BASE)).status_code == 502
    await emu.faults(errorRate=0.0, conflictRate=1.0)
    conflict = await redeploy(emu, body)
    assert conflict.status_code == 409
    await emu.faults(conflictRate=0.0, ambiguousRate=1.0, seed=3)
    try:
        status: int | None = (
            await emu.client.post(BASE, json=deployment_draft("ambiguous"))
        ).status_code
    except httpx.RemoteProtocolError:  # the dropped-connection variant
        status = None
    assert status in (500, None)
    await emu.faults(ambiguousRate=0.0)
    assert (await emu.client.get(f"{BASE}/key=ambiguous")).status_code == 200
