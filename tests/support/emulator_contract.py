"""Helpers for the emulator contract tests (imported by conftest and the tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

PROJECT = "shop"


def draft(key: str = "payment", **fields: Any) -> dict[str, Any]:
    """A valid ConnectorStagedDraft; keyword arguments replace fields."""
    body: dict[str, Any] = {
        "key": key,
        "name": "Payment",
        "creator": {"email": "team@example.com"},
        "repository": {"url": "https://github.com/example/payment.git", "tag": "v1.0.0"},
    }
    body.update(fields)
    return body


@dataclass
class Emu:
    """A client for one emulator, with a manage_connectors token for project `shop`."""

    client: httpx.AsyncClient
    mode: str

    async def token(self, scope: str | None = f"manage_connectors:{PROJECT}") -> str:
        data = {"grant_type": "client_credentials"}
        if scope is not None:
            data["scope"] = scope
        response = await self.client.post("/oauth/token", auth=("id", "secret"), data=data)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    async def login(self, scope: str = f"manage_connectors:{PROJECT}") -> None:
        self.client.headers["Authorization"] = f"Bearer {await self.token(scope)}"

    async def create(self, key: str = "payment", **fields: Any) -> dict[str, Any]:
        response = await self.client.post("/connectors/drafts", json=draft(key, **fields))
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def update(self, connector: dict[str, Any], *actions: dict[str, Any]) -> httpx.Response:
        body = {"version": connector["version"], "actions": list(actions)}
        return await self.client.post(f"/connectors/drafts/{connector['id']}", json=body)

    async def get(self, connector: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.get(f"/connectors/drafts/{connector['id']}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.client.request(method, f"/_emulator/{path}", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def settings(self, **values: Any) -> None:
        await self.control("PUT", "settings", values)

    async def faults(self, **values: Any) -> None:
        await self.control("PUT", "faults", values)


# --- deployments -------------------------------------------------------------------------------

DEPLOYER = f"manage_connectors:{PROJECT} manage_connectors_deployments:{PROJECT}"
REGION = "europe-west1.gcp"
CONNECT_YAML = """\
deployAs:
  - name: service
    applicationType: service
    endpoint: /service
    configuration:
      standardConfiguration:
        - {key: CTP_REGION, description: Region, required: true}
        - {key: LOG_LEVEL, description: Log level, required: true, default: info}
      securedConfiguration:
        - {key: API_SECRET, description: Secret, required: true}
  - name: order-sync
    applicationType: job
    endpoint: /job
    properties: {schedule: "0 0 * * *"}
    configuration:
      standardConfiguration:
        - {key: BATCH_SIZE, description: Batch size}
inheritAs:
  configuration:
    standardConfiguration:
      - {key: CURRENCY, description: Currency, required: true}
    securedConfiguration:
      - {key: SHARED_TOKEN, description: Token}
"""


def values(**pairs: str) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in pairs.items()]


def service(region: str = REGION, secret: str = "s3cr3t", **standard: str) -> dict[str, Any]:
    return {
        "applicationName": "service",
        "standardConfiguration": values(CTP_REGION=region, **standard),
        "securedConfiguration": values(API_SECRET=secret),
    }


def deployment_draft(key: str = "payment-prod", **fields: Any) -> dict[str, Any]:
    """A valid DeploymentDraft of the published connector `payment`."""
    body: dict[str, Any] = {
        "key": key,
        "connector": {"key": "payment"},
        "configurations": [service()],
        "globalConfiguration": {"standardConfiguration": values(CURRENCY="EUR")},
        "region": REGION,
    }
    body.update(fields)
    return body


async def deployable(
    emu: Emu,
    key: str = "payment",
    *,
    staged: bool = False,
    connect_yaml: str = CONNECT_YAML,
    **fields: Any,
) -> dict[str, Any]:
    """A connector this project may deploy: published, or previewable for `staged`."""
    await emu.login(DEPLOYER)
    url = f"https://github.com/example/{key}.git"
    current = (await emu.control("GET", "settings"))["connectYaml"]
    await emu.settings(connectYaml={**current, url: connect_yaml})
    fields.setdefault("privateProjects", [f"{REGION}:{PROJECT}"])
    connector = await emu.create(key, repository={"url": url, "tag": "v1.0.0"}, **fields)
    action = {"action": "updatePreviewable"} if staged else {"action": "publish"}
    if not staged:
        action["certification"] = False
    response = await emu.update(connector, action)
    assert response.status_code == 200, response.text
    await emu.control("POST", "settle")
    return await emu.get(connector)


async def deploy(emu: Emu, body: dict[str, Any]) -> httpx.Response:
    return await emu.client.post(f"/{PROJECT}/deployments", json=body)


async def deployed(emu: Emu, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await deploy(emu, body or deployment_draft())
    assert response.status_code == 201, response.text
    return dict(response.json())


async def redeploy(emu: Emu, deployment: dict[str, Any], **action: Any) -> httpx.Response:
    body = {"version": deployment["version"], "actions": [{"action": "redeploy", **action}]}
    return await emu.client.post(f"/{PROJECT}/deployments/{deployment['id']}", json=body)


async def current(emu: Emu, deployment: dict[str, Any]) -> dict[str, Any]:
    response = await emu.client.get(f"/{PROJECT}/deployments/{deployment['id']}")
    assert response.status_code == 200, response.text
    return dict(response.json())
