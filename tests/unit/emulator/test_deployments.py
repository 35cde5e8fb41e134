"""Deployments: create, read, query, delete, versions and scopes (connect-api.md section 9)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.emulator_contract import (
    PROJECT,
    REGION,
    Emu,
    current,
    deploy,
    deployable,
    deployed,
    deployment_draft,
    service,
    values,
)

pytestmark = pytest.mark.anyio

BASE = f"/{PROJECT}/deployments"


async def test_create_answers_the_documented_shape(emu: Emu) -> None:
    connector = await deployable(emu)
    response = await deploy(emu, deployment_draft())
    assert response.status_code == 201, response.text
    body = response.json()
    uuid.UUID(body["id"])
    build_id = body["details"]["build"]["id"]
    app_id = body["applications"][0]["id"]
    assert body["createdAt"] == body["lastModifiedAt"]
    assert body == {
        "id": body["id"],
        "key": "payment-prod",
        "version": 1,
        "type": "sandbox",
        "connector": {
            "id": connector["id"],
            "key": "payment",
            "name": "Payment",
            "creator": {"email": "team@example.com"},
            "repository": {"url": "https://github.com/example/payment.git", "tag": "v1.0.0"},
            "integrationTypes": [],
            "supportedRegions": [],
            "configurations": connector["configurations"],
            "globalConfiguration": connector["globalConfiguration"],
            "version": 1,
            "certified": False,
        },
        "globalConfiguration": {
            "standardConfiguration": [{"key": "CURRENCY", "value": "EUR"}],
            "securedConfiguration": [],
        },
        "details": {"build": {"id": build_id, "report": {"entries": []}}},
        "deployedRegion": REGION,
        "applications": [
            {
                "id": app_id,
                "applicationName": "service",
                "standardConfiguration": [{"key": "CTP_REGION", "value": REGION}],
                "securedConfiguration": [{"key": "API_SECRET", "value": "****"}],
            },
            {
                "id": body["applications"][1]["id"],
                "applicationName": "order-sync",
                "standardConfiguration": [],
                "securedConfiguration": [],
                "schedule": "0 0 * * *",
            },
        ],
        "preview": False,
        "status": "Queued",
        "createdAt": body["createdAt"],
        "lastModifiedAt": body["createdAt"],
    }
    assert await current(emu, body) == body


async def test_preview_deployment_of_a_previewable_connector(emu: Emu) -> None:
    connector = await deployable(emu, staged=True)
    body = await deployed(emu, deployment_draft(connector={"key": "payment", "staged": True}))
    assert (body["type"], body["preview"]) == ("preview", True)
    assert (body["connector"]["id"], body["connector"]["version"]) == (
        connector["id"],
        connector["version"],
    )


async def test_get_by_key_and_unknown_deployment_is_404(emu: Emu) -> None:
    await deployable(emu)
    body = await deployed(emu)
    assert (await emu.client.get(f"{BASE}/key=payment-prod")).json() == body
    for path in (f"{BASE}/key=nope", f"{BASE}/0000", f"{BASE}/0000/logs"):
        response = await emu.client.get(path)
        assert response.status_code == 404
        assert response.json()["errors"][0]["code"] == "ResourceNotFound"


async def test_a_deployment_without_key_is_allowed(emu: Emu) -> None:
    """The RAML marks DeploymentDraft.key optional."""
    await deployable(emu)
    draft = deployment_draft()
    del draft["key"]
    body = await deployed(emu, draft)
    assert "key" not in body
    assert (await current(emu, body))["id"] == body["id"]


async def test_duplicate_key_is_a_duplicate_field(emu: Emu) -> None:
    await deployable(emu)
    await deployed(emu)
    response = await deploy(emu, deployment_draft())
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "code": "DuplicateField",
        "message": "A duplicate value '\"payment-prod\"' exists for field 'key'.",
        "field": "key",
        "duplicateValue": "payment-prod",
    }


async def _many(emu: Emu) -> list[dict[str, Any]]:
    await deployable(emu)
    await deployable(emu, "tax", staged=True)
    created = []
    for index in range(3):
        created.append(await deployed(emu, deployment_draft(f"sandbox-{index}")))
    preview = deployment_draft("preview-0", connector={"key": "tax", "staged": True})
    created.append(await deployed(emu, preview))
    return created


async def test_query_pages_sorts_and_filters(emu: Emu) -> None:
    created = await _many(emu)
    page = (await emu.client.get(BASE, params={"limit": 2, "offset": 1})).json()
    assert (page["limit"], page["offset"], page["count"], page["total"]) == (2, 1, 2, 4)
    assert [d["key"] for d in page["results"]] == ["sandbox-1", "sandbox-2"]
    assert page["results"][0]["applications"][0]["securedConfiguration"][0]["value"] == "****"
    by_key = (await emu.client.get(BASE, params={"sort": "key desc"})).json()["results"]
    assert [d["key"] for d in by_key] == sorted((d["key"] for d in created), reverse=True)
    previews = (await emu.client.get(BASE, params={"deploymentType": "preview"})).json()
    assert [d["key"] for d in previews["results"]] == ["preview-0"]
    sandboxes = (await emu.client.get(BASE, params={"deploymentType": "sandbox"})).json()
    assert sandboxes["total"] == 3


async def test_query_filters_by_the_connector_integration_types(emu: Emu) -> None:
    await deployable(emu)
    await deployed(emu)
    none = await emu.client.get(BASE, params={"integrationTypes": "psp"})
    assert none.json()["total"] == 0


@pytest.mark.parametrize(
    "params",
    [{"limit": 501}, {"offset": 10001}, {"sort": "name asc"}, {"deploymentType": "staging"}],
)
async def test_query_refuses_invalid_parameters(emu: Emu, params: dict[str, Any]) -> None:
    await deployable(emu)
    response = await emu.client.get(BASE, params=params)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "InvalidQueryParam"
    assert error["detailedErrorMessage"].startswith(next(iter(params)))


async def test_delete_undeploys_then_the_deployment_is_gone(emu: Emu) -> None:
    await emu.settings(deploySeconds=60)
    await deployable(emu)
    body = await deployed(emu)
    response = await emu.client.delete(f"{BASE}/key=payment-prod")
    assert response.status_code == 202
    undeploying = response.json()
    assert (undeploying["status"], undeploying["version"]) == ("Undeploying", 2)
    assert (await current(emu, body))["status"] == "Undeploying"
    again = await emu.client.delete(f"{BASE}/{body['id']}")
    assert again.json()["errors"][0] == {
        "code": "DeploymentInvalidStatusTransition",
        "message": "Invalid status change: Already undeploying",
    }
    taken = await deploy(emu, deployment_draft())
    assert taken.json()["errors"][0]["code"] == "DuplicateField"
    assert await emu.control("POST", "settle") == {"settled": 1}
    assert (await emu.client.get(f"{BASE}/{body['id']}")).status_code == 404
    assert (await deploy(emu, deployment_draft())).status_code == 201


async def test_delete_status_code_200_removes_at_once(emu: Emu) -> None:
    await emu.settings(deploymentDeleteStatusCode=200)
    await deployable(emu)
    body = await deployed(emu)
    response = await emu.client.delete(f"{BASE}/{body['id']}")
    assert response.status_code == 200
    assert response.json() == body
    assert (await emu.client.get(f"{BASE}/{body['id']}")).status_code == 404


async def test_delete_with_a_stale_version_is_409(emu: Emu) -> None:
    await deployable(emu)
    body = await deployed(emu)
    response = await emu.client.delete(f"{BASE}/{body['id']}?version=7")
    assert response.status_code == 409
    assert response.json()["errors"][0]["currentVersion"] == 1


@pytest.mark.parametrize(
    ("scope", "method", "status"),
    [
        (f"view_connectors_deployments:{PROJECT}", "GET", 200),
        (f"view_connectors_deployments:{PROJECT}", "POST", 403),
        (f"manage_connectors_deployments:{PROJECT}", "POST", 201),
        (f"manage_project:{PROJECT}", "POST", 201),
        (f"manage_connectors:{PROJECT}", "GET", 403),
        (f"view_connectors_deployments:{PROJECT}-other", "GET", 403),
    ],
)
async def test_deployment_scopes(emu: Emu, scope: str, method: str, status: int) -> None:
    await deployable(emu)
    await emu.login(scope)
    response = await (emu.client.get(BASE) if method == "GET" else deploy(emu, deployment_draft()))
    assert response.status_code == status, response.text
    if status == 403:
        error = response.json()["errors"][0]
        assert error["code"] == "insufficient_scope"
        assert f"_connectors_deployments:{PROJECT}" in error["message"]


async def test_connectors_cannot_be_written_with_a_deployment_scope(emu: Emu) -> None:
    await emu.login(f"manage_connectors_deployments:{PROJECT}")
    response = await emu.client.post("/connectors/drafts", json={})
    assert response.status_code == 403


async def test_a_connector_with_an_api_client_needs_manage_api_clients(emu: Emu) -> None:
    await deployable(
        emu,
        connect_yaml="deployAs:\n  - {name: service, applicationType: service, endpoint: /s}\n"
        "inheritAs:\n  apiClient: {scopes: [manage_orders]}\n",
    )
    draft = deployment_draft(
        configurations=[{"applicationName": "service", **_empty()}], globalConfiguration=None
    )
    refused = await deploy(emu, draft)
    assert refused.status_code == 403
    assert f"manage_api_clients:{PROJECT}" in refused.json()["errors"][0]["message"]
    await emu.login(f"manage_connectors_deployments:{PROJECT} manage_api_clients:{PROJECT}")
    body = await deployed(emu, draft)
    assert body["apiClient"] == {"name": "connect-payment-prod", "scopes": ["manage_orders"]}


def _empty() -> dict[str, Any]:
    return {"standardConfiguration": [], "securedConfiguration": []}


async def test_another_projects_private_connector_is_deployable_when_listed(emu: Emu) -> None:
    """The creator's project and the client's project need not be the same."""
    await emu.login("manage_connectors:creator manage_connectors_deployments:creator")
    url = "https://github.com/example/payment.git"
    from tests.support.emulator_contract import CONNECT_YAML

    await emu.settings(connectYaml={url: CONNECT_YAML})
    created = await emu.client.post(
        "/connectors/drafts",
        json={
            "key": "payment",
            "name": "Payment",
            "creator": {"email": "team@example.com"},
            "repository": {"url": url, "tag": "v1.0.0"},
            "privateProjects": [f"{REGION}:{PROJECT}"],
        },
    )
    connector = created.json()
    await emu.update(connector, {"action": "publish", "certification": False})
    await emu.control("POST", "settle")
    await emu.login(f"manage_connectors_deployments:{PROJECT}")
    body = await deployed(emu)
    assert body["connector"]["id"] == connector["id"]
    await emu.login(f"manage_connectors_deployments:{PROJECT}-elsewhere")
    elsewhere = await emu.client.post(f"/{PROJECT}-elsewhere/deployments", json=deployment_draft())
    assert elsewhere.json()["errors"][0]["code"] == "ConnectorReferenceNotFound"


async def test_values_are_given_per_application(emu: Emu) -> None:
    await deployable(emu)
    draft = deployment_draft(
        configurations=[
            service(LOG_LEVEL="debug"),
            {
                "applicationName": "order-sync",
                "standardConfiguration": values(BATCH_SIZE="50"),
                "securedConfiguration": [],
                "schedule": "*/10 * * * *",
            },
        ]
    )
    body = await deployed(emu, draft)
    service_app, job = body["applications"]
    assert service_app["standardConfiguration"] == values(CTP_REGION=REGION, LOG_LEVEL="debug")
    assert (job["standardConfiguration"], job["schedule"]) == (
        values(BATCH_SIZE="50"),
        "*/10 * * * *",
    )
