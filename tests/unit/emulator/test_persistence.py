"""`--state FILE` persistence, the served entry points, and the query speed budget."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from connect_gitops.emulator.app import create_app
from connect_gitops.emulator.server import running_emulator, serve
from connect_gitops.emulator.store import StateFileError

BASIC = ("client", "secret")
DRAFT = {
    "key": "kept",
    "name": "Kept",
    "creator": {"email": "a@b.co"},
    "repository": {"url": "https://github.com/o/r.git", "tag": "v1"},
}


def _token(client: httpx.Client) -> dict[str, str]:
    response = client.post("/oauth/token", auth=BASIC, data={"grant_type": "client_credentials"})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_state_persists_across_servers_and_is_written_atomically(tmp_path: Path) -> None:
    state_file = tmp_path / "state" / "emulator.json"
    with running_emulator(state_file=state_file) as url, httpx.Client(base_url=url) as client:
        headers = _token(client)
        assert client.post("/connectors/drafts", json=DRAFT, headers=headers).status_code == 201
        client.put("/_emulator/settings", json={"publishSeconds": 7})
    assert sorted(p.name for p in state_file.parent.iterdir()) == [
        ".emulator.json.lock",
        "emulator.json",
    ]
    saved = json.loads(state_file.read_text())
    assert [c["key"] for c in saved["projects"]["emulator-project"]["connectors"]] == ["kept"]
    with running_emulator(state_file=state_file) as url, httpx.Client(base_url=url) as client:
        headers = _token(client)
        assert client.get("/connectors/drafts/key=kept", headers=headers).json()["name"] == "Kept"
        assert client.get("/_emulator/settings").json()["publishSeconds"] == 7


@pytest.mark.parametrize("text", ["{not json", "[]", '{"settings": {"nope": 1}}'])
def test_corrupt_state_file_is_a_clear_error_and_left_alone(tmp_path: Path, text: str) -> None:
    state_file = tmp_path / "emulator.json"
    state_file.write_text(text)
    with pytest.raises(StateFileError, match=r"emulator state file .*emulator\.json"):
        create_app(state_file)
    assert state_file.read_text() == text


@pytest.mark.anyio
async def test_in_process_app_shares_state_through_the_file(tmp_path: Path) -> None:
    state_file = tmp_path / "emulator.json"
    for expected in (201, 400):
        transport = httpx.ASGITransport(app=create_app(state_file))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            token = await client.post(
                "/oauth/token", auth=BASIC, data={"grant_type": "client_credentials"}
            )
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            response = await client.post("/connectors/drafts", json=DRAFT, headers=headers)
            assert response.status_code == expected


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com"])
def test_serve_refuses_a_non_loopback_host(host: str) -> None:
    with pytest.raises(ValueError, match="only listens on loopback addresses"):
        serve(host=host)


def test_serve_reports_ready_and_stops_on_sigterm(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from connect_gitops.emulator.server import serve\n"
        "serve(port=0, on_ready=lambda url: print(url, flush=True))\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{url}/_emulator/settings").status_code == 200
    finally:
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def _connector(index: int) -> dict[str, Any]:
    stamp = "2026-01-01T00:00:00.000Z"
    return {
        "id": f"id-{index:05d}",
        "version": 1,
        "key": f"connector-{index:05d}",
        "name": f"Connector {index}",
        "creator": {"email": "team@example.com", "company": "Example"},
        "repository": {"url": "https://github.com/example/c.git", "tag": "v1.0.0"},
        "integrationTypes": ["psp"],
        "supportedRegions": ["europe-west1.gcp"],
        "privateProjects": [],
        "configurations": [],
        "private": True,
        "status": "Draft",
        "isPreviewable": "none",
        "hasChanges": True,
        "alreadyListed": False,
        "createdAt": stamp,
        "lastModifiedAt": stamp,
    }


def test_query_of_500_among_10000_connectors_is_fast(emulator_url: str) -> None:
    connectors = [_connector(index) for index in range(10_000)]
    state = {"projects": {"emulator-project": {"connectors": connectors}}}
    with httpx.Client(base_url=emulator_url) as client:
        assert client.put("/_emulator/state", json=state).status_code == 200
        headers = _token(client)
        started = time.perf_counter()
        for offset in range(0, 2000, 500):
            page = client.get(
                "/connectors/drafts", params={"limit": 500, "offset": offset}, headers=headers
            ).json()
            assert page["count"] == 500
        elapsed = (time.perf_counter() - started) / 4
        sorted_page = client.get(
            "/connectors/drafts", params={"limit": 500, "sort": "key desc"}, headers=headers
        ).json()
    assert page["total"] == 10_000
    assert sorted_page["results"][0]["key"] == "connector-09999"
    assert elapsed < 0.25, f"a page of 500 took {elapsed:.3f}s"
