"""Run the real `connect-gitops` CLI against the emulator on a real socket.

A declarations folder points a target at the emulator's URL; credentials are dummy values in
the environment. Helpers read the emulator's journal and state through its control API.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

PROJECT = "emulator-project"
SECRET = "s3cr3t-client-secret-value"
WRITE_METHODS = {"POST", "DELETE"}


def write_config(folder: Path, url: str, *, target: str = "emu", more_targets: str = "") -> Path:
    """connect-gitops.yaml whose default target is the emulator at ``url`` (``more_targets``:
    further entries of ``targets``, as YAML lines)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "connect-gitops.yaml").write_text(
        f"""connectors: ["connectors/**/*.yaml"]
defaultTarget: {target}
targets:
  {target}:
    region: europe-west1.gcp
    projectKey: {PROJECT}
    apiUrl: {url}
    authUrl: {url}
"""
        + more_targets,
        encoding="utf-8",
    )
    return folder


def declaration(key: str, *, tag: str = "v1.0.0", description: str = "Managed in git") -> str:
    return f"""key: {key}
name: Connector {key}
description: {description}
integrationTypes: [other]
creator:
  email: team@example.com
  noOfContributors: 2
repository:
  url: git@github.com:example/{key}.git
  tag: {tag}
supportedRegions: [europe-west1.gcp]
"""


def write_declarations(folder: Path, keys: list[str], **fields: Any) -> None:
    connectors = folder / "connectors"
    connectors.mkdir(parents=True, exist_ok=True)
    for key in keys:
        (connectors / f"{key}.yaml").write_text(declaration(key, **fields), encoding="utf-8")


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CTP_"))}
    env.update(
        CTP_CLIENT_ID="cli-tests",
        CTP_CLIENT_SECRET=SECRET,
        NO_COLOR="1",
        CI="true",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def cli(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed CLI in a child process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "connect_gitops", *args],
        capture_output=True,
        text=True,
        env=environment(**env),
        cwd=cwd,
        timeout=120,
    )


def journal(url: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{url}/_emulator/requests")
    response.raise_for_status()
    entries: list[dict[str, Any]] = response.json()
    return entries


def clear_journal(url: str) -> None:
    httpx.delete(f"{url}/_emulator/requests").raise_for_status()


def writes(url: str) -> list[dict[str, Any]]:
    """Journal entries that write ConnectorStaged (the token request is not a write)."""
    return [
        e
        for e in journal(url)
        if e["method"] in WRITE_METHODS and e["path"].startswith("/connectors")
    ]


def token(url: str) -> str:
    response = httpx.post(
        f"{url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": f"manage_connectors:{PROJECT}"},
        auth=("tests", "tests"),
    )
    response.raise_for_status()
    value: str = response.json()["access_token"]
    return value


def live(url: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{url}/connectors/drafts",
        params={"limit": 500},
        headers={"Authorization": f"Bearer {token(url)}"},
    )
    response.raise_for_status()
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def update_behind_our_back(url: str, key: str, actions: list[dict[str, Any]]) -> None:
    """Someone edits a connector by hand in the Merchant Center."""
    headers = {"Authorization": f"Bearer {token(url)}"}
    current = httpx.get(f"{url}/connectors/drafts/key={key}", headers=headers).json()
    httpx.post(
        f"{url}/connectors/drafts/key={key}",
        json={"version": current["version"], "actions": actions},
        headers=headers,
    ).raise_for_status()
