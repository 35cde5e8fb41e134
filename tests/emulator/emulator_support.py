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
