"""Deployments made on a served emulator by hand, as someone clicking in the Merchant Center
would: a published (or previewable) connector, then deployments of it, their builds settled."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.emulator import ADMIN, PROJECT, control, create

DEPLOYER = "manage_connectors manage_connectors_deployments"
REGION = "europe-west1.gcp"


def deployer_headers(url: str, project: str = PROJECT) -> dict[str, str]:
    """A token that may manage connectors and deployments in ``project``."""
    scope = " ".join(f"{name}:{project}" for name in DEPLOYER.split())
    response = httpx.post(
        f"{url}/oauth/token", data={"grant_type": "client_credentials", "scope": scope}, auth=ADMIN
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def published_connector(url: str, key: str, project: str = PROJECT) -> dict[str, Any]:
    """A connector this project may deploy, published (its repository is on github.com, which
    the emulator does not read: any configuration is accepted)."""
    connector = create(
        url,
        {
            "key": key,
            "name": key.title(),
            "creator": {"email": "team@example.com"},
            "repository": {"url": f"git@github.com:example/{key}.git", "tag": "v1.0.0"},
            "privateProjects": [f"{REGION}:{project}"],
            "supportedRegions": [REGION],
        },
        project,
    )
    path = f"{url}/connectors/drafts/{connector['id']}"
    action = {"action": "publish", "certification": False}
    body = {"version": connector["version"], "actions": [action]}
    httpx.post(path, json=body, headers=deployer_headers(url, project)).raise_for_status()
    control(url, "POST", "settle")
    published: dict[str, Any] = httpx.get(path, headers=deployer_headers(url, project)).json()
    return published


def deployed(url: str, draft: dict[str, Any], project: str = PROJECT) -> dict[str, Any]:
    """A deployment created from ``draft`` and built (``Deployed``)."""
    response = httpx.post(
        f"{url}/{project}/deployments", json=draft, headers=deployer_headers(url, project)
    )
    response.raise_for_status()
    control(url, "POST", "settle")
    return live_deployment(url, response.json()["id"], project)


def live_deployment(url: str, id: str, project: str = PROJECT) -> dict[str, Any]:
    response = httpx.get(
        f"{url}/{project}/deployments/{id}", headers=deployer_headers(url, project)
    )
    response.raise_for_status()
    found: dict[str, Any] = response.json()
    return found


def redeployed(
    url: str, deployment: dict[str, Any], project: str = PROJECT, **action: Any
) -> dict[str, Any]:
    """``deployment`` redeployed with ``action``'s fields, and built again."""
    body = {"version": deployment["version"], "actions": [{"action": "redeploy", **action}]}
    response = httpx.post(
        f"{url}/{project}/deployments/{deployment['id']}",
        json=body,
        headers=deployer_headers(url, project),
    )
    response.raise_for_status()
    control(url, "POST", "settle")
    return live_deployment(url, deployment["id"], project)
