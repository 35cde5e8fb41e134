"""A connector whose connect.yaml the emulator could not read (github.com, no `connectYaml`
setting) has empty `configurations`: what it accepts is unknown, so a deployment may configure
any application and key. The reconciler's planner reads empty configurations the same way."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.emulator_contract import (
    DEPLOYER,
    PROJECT,
    REGION,
    Emu,
    current,
    deploy,
    redeploy,
    values,
)

pytestmark = pytest.mark.anyio

UNREAD = "https://github.com/example-retail/stripe-payment-connector.git"


async def _previewable_without_connect_yaml(emu: Emu) -> dict[str, Any]:
    await emu.login(DEPLOYER)
    connector = await emu.create(
        "stripe",
        repository={"url": UNREAD, "tag": "v2.3.1"},
        privateProjects=[f"{REGION}:{PROJECT}"],
    )
    response = await emu.update(connector, {"action": "updatePreviewable"})
    assert response.status_code == 200, response.text
    await emu.control("POST", "settle")
    previewed = await emu.get(connector)
    assert (previewed["isPreviewable"], previewed["configurations"]) == ("true", [])
    return previewed


def _draft(*applications: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": "stripe-preview",
        "type": "preview",
        "connector": {"key": "stripe", "staged": True},
        "region": REGION,
        "configurations": list(applications),
        "globalConfiguration": {"standardConfiguration": values(CURRENCY="EUR")},
    }


async def test_any_application_and_key_is_accepted_and_kept(emu: Emu) -> None:
    await _previewable_without_connect_yaml(emu)
    service = {
        "applicationName": "service",
        "standardConfiguration": values(LOG_LEVEL="debug"),
        "securedConfiguration": values(STRIPE_SECRET_KEY="sk_test_1"),
    }
    job = {
        "applicationName": "order-sync",
        "standardConfiguration": [],
        "securedConfiguration": [],
        "schedule": "*/10 * * * *",
    }
    response = await deploy(emu, _draft(service, job))
    assert response.status_code == 201, response.text
    await emu.control("POST", "settle")
    deployment = await current(emu, response.json())
    assert deployment["status"] == "Deployed"
    assert [
        (a["applicationName"], a["standardConfiguration"], a.get("schedule"))
        for a in deployment["applications"]
    ] == [
        ("service", [{"key": "LOG_LEVEL", "value": "debug"}], None),
        ("order-sync", [], "*/10 * * * *"),
    ]
    assert deployment["globalConfiguration"]["standardConfiguration"] == values(CURRENCY="EUR")


async def test_a_redeploy_changes_values_but_adds_no_application(emu: Emu) -> None:
    await _previewable_without_connect_yaml(emu)
    service = {
        "applicationName": "service",
        "standardConfiguration": values(LOG_LEVEL="debug"),
        "securedConfiguration": [],
    }
    created = (await deploy(emu, _draft(service))).json()
    await emu.control("POST", "settle")
    deployment = await current(emu, created)
    changed = await redeploy(
        emu,
        deployment,
        configurationValues=[{**service, "standardConfiguration": values(LOG_LEVEL="info")}],
        updateConnector=True,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["applications"][0]["standardConfiguration"] == values(LOG_LEVEL="info")
    await emu.control("POST", "settle")
    other = {"applicationName": "webhooks", "standardConfiguration": [], "securedConfiguration": []}
    refused = await redeploy(emu, await current(emu, created), configurationValues=[other])
    assert refused.json()["errors"][0]["code"] == "DeploymentApplicationDoNotBelong"
