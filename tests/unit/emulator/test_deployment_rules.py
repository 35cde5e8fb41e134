"""A DeploymentDraft refused with the RAML's codes (connect-api.md section 9), nothing stored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.emulator_contract import (
    PROJECT,
    REGION,
    Emu,
    deploy,
    deployable,
    deployed,
    deployment_draft,
    service,
    values,
)

pytestmark = pytest.mark.anyio


def _without(field: str) -> dict[str, Any]:
    body = deployment_draft()
    del body[field]
    return body


def _service(**changes: Any) -> dict[str, Any]:
    return {**service(), **changes}


INVALID_JSON = "InvalidJsonInput"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ([1], "body: expected a JSON object"),
        (deployment_draft(bogus=1), "bogus: Unknown field"),
        (deployment_draft(id="mine"), "id: Unknown field"),
        (_without("region"), "region: Missing required value"),
        (deployment_draft(region="mars"), "region: Invalid value 'mars'"),
        (_without("connector"), "connector: Missing required value"),
        (deployment_draft(connector={}), "connector: Either id or key is required"),
        (deployment_draft(connector={"key": "payment", "tag": "v1"}), "connector.tag: Unknown"),
        (deployment_draft(connector={"key": "payment", "version": "1"}), "connector.version"),
        (deployment_draft(connector={"key": "payment", "staged": "no"}), "connector.staged"),
        (_without("configurations"), "configurations: Missing required value"),
        (deployment_draft(configurations={}), "configurations: Invalid value {}"),
        (
            deployment_draft(configurations=[{"applicationName": "service"}]),
            "configurations[0].standardConfiguration: Missing required value",
        ),
        (
            deployment_draft(
                configurations=[_service(standardConfiguration=[{"key": "CTP_REGION"}])]
            ),
            "configurations[0].standardConfiguration[0].value: Missing required value",
        ),
        (
            deployment_draft(
                configurations=[_service(securedConfiguration=[{"key": "A", "value": 1}])]
            ),
            "configurations[0].securedConfiguration[0].value: Invalid value 1",
        ),
        (
            deployment_draft(configurations=[_service(standardConfiguration=values(A="1") * 2)]),
            "configurations[0].standardConfiguration[1].key: Duplicate value 'A'",
        ),
        (
            deployment_draft(configurations=[service(), service()]),
            "configurations[1].applicationName: Duplicate value 'service'",
        ),
        (
            deployment_draft(configurations=[_service(url="https://x")]),
            "configurations[0].url: Unknown field",
        ),
        (
            deployment_draft(configurations=[_service(schedule="daily")]),
            "configurations[0].schedule: Invalid value 'daily'",
        ),
        (deployment_draft(type="staging"), "type: Invalid value 'staging'"),
        (deployment_draft(key="x"), "key: Invalid value 'x'"),
        (deployment_draft(key="payment-prod\n"), "key: Invalid value"),
        (
            deployment_draft(globalConfiguration={"standardConfiguration": {}}),
            "globalConfiguration.standardConfiguration: Invalid value {}",
        ),
    ],
)
async def test_malformed_drafts_are_invalid_json_naming_the_field(
    emu: Emu, body: Any, detail: str
) -> None:
    await deployable(emu)
    response = await deploy(emu, body)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert (error["code"], error["message"]) == (
        INVALID_JSON,
        "Request body does not contain valid JSON.",
    )
    assert error["detailedErrorMessage"].startswith(detail)
    assert (await emu.client.get(f"/{PROJECT}/deployments")).json()["total"] == 0


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (
            deployment_draft(connector={"key": "nope"}),
            "ConnectorReferenceNotFound",
            "Connector 'nope' not found",
        ),
        (
            deployment_draft(connector={"key": "payment", "version": 9}),
            "ConnectorReferenceNotFound",
            "Connector 'payment' with version 9 not found",
        ),
        (
            deployment_draft(type="preview"),
            "DeploymentInvalidType",
            "cannot be deployed as a 'preview' type. Only 'sandbox, production' types are allowed.",
        ),
        (
            deployment_draft(region="us-central1.gcp"),
            "DeploymentUnsupportedRegion",
            "Deployment unsupported region us-central1.gcp",
        ),
        (
            deployment_draft(configurations=[]),
            "DeploymentApplicationRequired",
            "A Deployment requires at least one application",
        ),
        (
            deployment_draft(configurations=[{**service(), "applicationName": "billing"}]),
            "DeploymentUnknownApplicationConfiguration",
            "Deployment does not require configuration for application named 'billing'.",
        ),
        (
            deployment_draft(configurations=[service(NOPE="1")]),
            "DeploymentUnknownApplicationConfigurationKey",
            "Deployment does not require standard configuration with key NOPE for application "
            "named service.",
        ),
        (
            deployment_draft(
                configurations=[_service(securedConfiguration=values(API_SECRET="s", X="y"))]
            ),
            "DeploymentUnknownApplicationConfigurationKey",
            "Deployment does not require secret configuration with key X for application named "
            "service.",
        ),
        (
            deployment_draft(globalConfiguration={"standardConfiguration": values(NOPE="1")}),
            "DeploymentUnknownGlobalConfigurationKey",
            "Deployment global configuration does not require standard with key NOPE.",
        ),
        (
            deployment_draft(globalConfiguration=None),
            "DeploymentMissingGlobalConfigurationKey",
            "Deployment global configuration requires standard with key CURRENCY.",
        ),
        (
            deployment_draft(globalConfiguration={"standardConfiguration": values(CURRENCY="")}),
            "DeploymentEmptyRequiredGlobalConfigurationKey",
            "Deployment requires a non empty value for standard global configuration with key "
            "CURRENCY.",
        ),
    ],
)
async def test_drafts_that_do_not_fit_the_connector_get_connect_codes(
    emu: Emu, body: dict[str, Any], code: str, message: str
) -> None:
    await deployable(emu, supportedRegions=[REGION, "eu-central-1.aws"])
    response = await deploy(emu, body)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["code"] == code
    assert message in error["message"]
    assert (await emu.client.get(f"/{PROJECT}/deployments")).json()["total"] == 0


@pytest.mark.parametrize(
    ("configurations", "detail"),
    [
        (
            [{**service(), "standardConfiguration": []}],
            "configurations: application 'service' requires a non-empty standard configuration "
            "value for key CTP_REGION",
        ),
        (
            [service(secret="")],
            "configurations: application 'service' requires a non-empty secret configuration "
            "value for key API_SECRET",
        ),
        (
            [
                {
                    "applicationName": "order-sync",
                    "standardConfiguration": [],
                    "securedConfiguration": [],
                }
            ],
            "configurations: application 'service' requires a non-empty standard",
        ),
        (
            [_service(schedule="0 * * * *")],
            "configurations: application 'service' is a service application: only job",
        ),
    ],
)
async def test_missing_required_values_name_the_key(
    emu: Emu, configurations: list[dict[str, Any]], detail: str
) -> None:
    """The RAML names no code for a missing required application key: InvalidJsonInput."""
    await deployable(emu)
    response = await deploy(emu, deployment_draft(configurations=configurations))
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == INVALID_JSON
    assert error["detailedErrorMessage"].startswith(detail)


async def test_a_staged_reference_needs_a_previewable_connector(emu: Emu) -> None:
    await deployable(emu)
    draft = deployment_draft(connector={"key": "payment", "staged": True})
    response = await deploy(emu, draft)
    error = response.json()["errors"][0]
    assert error["code"] == "ConnectorStagedNotPreviewable"
    assert error["message"].endswith("with version 2 is not previewable")
    await emu.client.post(
        "/connectors/drafts/key=payment",
        json={"version": 2, "actions": [{"action": "updatePreviewable"}]},
    )
    await emu.control("POST", "settle")
    sandbox = await deploy(emu, {**draft, "type": "sandbox"})
    assert sandbox.json()["errors"][0]["code"] == "DeploymentInvalidType"
    assert (await deploy(emu, draft)).status_code == 201


async def test_a_staged_reference_needs_the_project_in_private_projects(emu: Emu) -> None:
    await deployable(emu, staged=True, privateProjects=[f"{REGION}:other-project"])
    response = await deploy(emu, deployment_draft(connector={"key": "payment", "staged": True}))
    error = response.json()["errors"][0]
    assert error["code"] == "ConnectorStagedNotPreviewable"
    assert f"not previewable in project '{PROJECT}'" in error["message"]


async def test_production_projects_setting(emu: Emu) -> None:
    await deployable(emu)
    await emu.settings(productionProjects=[])
    refused = await deploy(emu, deployment_draft(type="production"))
    assert refused.json()["errors"][0] == {
        "code": "DeploymentProductionDeactivated",
        "message": "Deployments to production are disabled for this Project. "
        "Please contact support to enable production deployments.",
    }
    await emu.settings(productionProjects=[PROJECT])
    body = await deployed(emu, deployment_draft(type="production"))
    assert (body["type"], body["preview"]) == ("production", False)


@pytest.mark.parametrize("setting", [["shop\n"], ["x"], "shop"])
async def test_production_projects_setting_is_checked(emu: Emu, setting: Any) -> None:
    response = await emu.client.put("/_emulator/settings", json={"productionProjects": setting})
    assert response.status_code == 400
