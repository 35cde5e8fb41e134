"""The emulator served on a socket, seen from outside: its control API (journal, faults, state)
and the Connect API used as a person in the Merchant Center would, with an admin client."""

from __future__ import annotations

from typing import Any

import httpx

PROJECT = "emulator-project"
ADMIN = ("admin", "admin-secret")


def control(url: str, method: str, path: str, body: Any = None) -> Any:
    """A call to the control API (``/_emulator/...``); its JSON answer, if any."""
    response = httpx.request(method, f"{url}/_emulator/{path}", json=body, timeout=30)
    response.raise_for_status()
    return response.json() if response.content else None


def journal(url: str) -> list[dict[str, Any]]:
    """Every request the emulator answered since the last reset, in order."""
    entries: list[dict[str, Any]] = control(url, "GET", "requests")
    return entries


def clear_journal(url: str) -> None:
    control(url, "DELETE", "requests")


def writes(url: str) -> list[dict[str, Any]]:
    """Journal entries that write ConnectorStaged: anything but a read of /connectors (the
    token request is not a write)."""
    return [e for e in journal(url) if e["method"] != "GET" and e["path"].startswith("/connectors")]


def set_faults(url: str, faults: dict[str, Any]) -> None:
    control(url, "PUT", "faults", faults)


def token(url: str, project: str = PROJECT, client: tuple[str, str] = ADMIN) -> str:
    """An access token with ``manage_connectors`` for ``project``."""
    response = httpx.post(
        f"{url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": f"manage_connectors:{project}"},
        auth=client,
    )
    response.raise_for_status()
    value: str = response.json()["access_token"]
    return value


def headers(url: str, project: str = PROJECT) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(url, project)}"}


def get(url: str, key: str) -> dict[str, Any]:
    """The connector with ``key``, as the API returns it."""
    response = httpx.get(f"{url}/connectors/drafts/key={key}", headers=headers(url))
    response.raise_for_status()
    found: dict[str, Any] = response.json()
    return found


def live(url: str) -> list[dict[str, Any]]:
    """Every ConnectorStaged of the project (up to 500), as the API returns them."""
    response = httpx.get(f"{url}/connectors/drafts", params={"limit": 500}, headers=headers(url))
    response.raise_for_status()
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def create(url: str, body: dict[str, Any], project: str = PROJECT) -> dict[str, Any]:
    """A connector created by hand."""
    response = httpx.post(f"{url}/connectors/drafts", json=body, headers=headers(url, project))
    response.raise_for_status()
    created: dict[str, Any] = response.json()
    return created


def update(url: str, key: str, *actions: dict[str, Any]) -> dict[str, Any]:
    """Someone edits a connector by hand (at its current version)."""
    auth = headers(url)
    path = f"{url}/connectors/drafts/key={key}"
    version = httpx.get(path, headers=auth).json()["version"]
    response = httpx.post(path, json={"version": version, "actions": list(actions)}, headers=auth)
    response.raise_for_status()
    updated: dict[str, Any] = response.json()
    return updated


def hold(
    url: str,
    key: str,
    status: str,
    *,
    publish_ends_in: float | None = None,
    project: str = PROJECT,
) -> None:
    """Put a connector into ``status`` behind the client's back, its version unchanged: a
    publish someone else started (``Processing``, ending after ``publish_ends_in`` seconds), or
    a certification that began (``InCertification``), as background transitions do."""
    import time

    state = control(url, "GET", "state")
    stored = state["projects"][project]
    [connector] = [c for c in stored["connectors"] if c.get("key") == key]
    connector["status"] = status
    if publish_ends_in is not None:
        due = time.time() + publish_ends_in
        stored["meta"][connector["id"]] = {"certification": False, "publishDueAt": due}
    control(url, "PUT", "state", state)
