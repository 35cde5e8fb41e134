"""The emulator as a server on someone's machine (issue 15): foreign hosts, cross-site writes,
oversized bodies and malformed control input are refused before they touch the state."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from tests.support.emulator_contract import Emu

pytestmark = pytest.mark.anyio

MIB = 1024 * 1024


def _host(emu: Emu) -> str:
    return emu.client.base_url.netloc.decode()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8321", "10.0.0.1", "[::2]:80"])
async def test_a_foreign_host_is_refused(emu: Emu, host: str) -> None:
    """DNS rebinding: a page on a rebound name must not read the state or the journal."""
    await emu.create()
    for method, path in (("GET", "/_emulator/state"), ("GET", "/connectors/drafts")):
        response = await emu.client.request(method, path, headers={"Host": host})
        assert response.status_code == 403
        error = response.json()["errors"][0]
        assert error["code"] == "Forbidden"
        assert "loopback" in error["message"]
        assert "payment" not in response.text


async def test_loopback_hosts_are_accepted(emulator_app: Starlette) -> None:
    for base in (
        "http://127.0.0.1",
        "http://127.0.0.1:8321",
        "http://127.8.0.1:80",
        "http://localhost:8321",
        "http://LOCALHOST",
        "http://[::1]:8321",
    ):
        transport = httpx.ASGITransport(app=emulator_app)
        async with httpx.AsyncClient(transport=transport, base_url=base) as client:
            assert (await client.get("/_emulator/settings")).status_code == 200, base


async def test_a_missing_host_is_refused(emulator_app: Starlette) -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/_emulator/state",
        "raw_path": b"/_emulator/state",
        "query_string": b"",
        "headers": [],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 5000),
        "root_path": "",
    }
    await emulator_app(scope, receive, send)
    assert sent[0]["status"] == 403


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1:1"])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/_emulator/reset", None),
        ("PUT", "/_emulator/faults", {"errorRate": 1.0}),
        ("DELETE", "/_emulator/requests", None),
        ("POST", "/connectors/drafts", {"name": "x"}),
    ],
)
async def test_a_state_changing_request_from_a_foreign_origin_is_refused(
    emu: Emu, origin: str, method: str, path: str, body: Any
) -> None:
    """A web page the user visits must not wipe the emulator (or its --state file)."""
    created = await emu.create()
    response = await emu.client.request(method, path, json=body, headers={"Origin": origin})
    assert response.status_code == 403
    assert "Origin" in response.json()["errors"][0]["message"]
    assert await emu.get(created) == created
    assert (await emu.control("GET", "faults"))["errorRate"] == 0.0


async def test_same_origin_writes_and_cross_origin_reads_are_accepted(emu: Emu) -> None:
    same = f"http://{_host(emu)}"
    response = await emu.client.post("/_emulator/settle", headers={"Origin": same})
    assert response.status_code == 200
    read = await emu.client.get("/_emulator/settings", headers={"Origin": "https://evil.example"})
    assert read.status_code == 200
    assert "access-control-allow-origin" not in read.headers


@pytest.mark.parametrize(
    "path", ["/_emulator/faults", "/_emulator/settings", "/connectors/drafts", "/oauth/token"]
)
async def test_a_body_over_one_mebibyte_is_413(emu: Emu, path: str) -> None:
    body = json.dumps({"padding": "x" * MIB}).encode()
    method = "POST" if path in ("/connectors/drafts", "/oauth/token") else "PUT"
    response = await emu.client.request(method, path, content=body)
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "PayloadTooLarge"


async def test_a_streamed_body_is_cut_at_one_mebibyte(emu: Emu) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"padding": "'
        for _ in range(40):
            yield b"x" * 64 * 1024
        yield b'"}'

    response = await emu.client.put("/_emulator/faults", content=chunks())
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "PayloadTooLarge"
    assert (await emu.control("GET", "faults"))["errorRate"] == 0.0


async def test_a_large_state_can_still_be_loaded(emu: Emu) -> None:
    """PUT /_emulator/state carries whole projects (10,000 connectors are ~7 MB)."""
    state = await emu.control("GET", "state")
    state["padding"] = "x" * (2 * MIB)
    response = await emu.client.put("/_emulator/state", json=state)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"errorStatuses": [999]}, "errorStatuses.0"),
        ({"errorStatuses": [200]}, "errorStatuses.0"),
        ({"errorStatuses": ["503"]}, "errorStatuses.0"),
        ({"errorStatuses": 503}, "errorStatuses"),
        ({"latencyMs": True}, "latencyMs"),
        ({"latencyMs": 1.5}, "latencyMs"),
        ({"latencyMs": 10**9}, "latencyMs"),
        ({"errorRate": "0.5"}, "errorRate"),
        ({"seed": None}, "seed"),
        ({"retryAfterSeconds": -1}, "retryAfterSeconds"),
    ],
)
async def test_malformed_faults_are_refused_and_change_nothing(
    emu: Emu, body: dict[str, Any], field: str
) -> None:
    before = await emu.control("GET", "faults")
    response = await emu.client.put("/_emulator/faults", json=body)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "InvalidJsonInput"
    assert error["detailedErrorMessage"].startswith(f"{field}:")
    assert await emu.control("GET", "faults") == before
    assert (await emu.client.get("/connectors/drafts")).status_code == 200


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"previewSeconds": NaN}', "body"),
        (b'{"previewSeconds": Infinity}', "body"),
        (b'{"publishSeconds": 1e400}', "publishSeconds"),
        (b'{"updateStatusCode": "200"}', "updateStatusCode"),
        (b'{"lockWhileProcessing": "false"}', "lockWhileProcessing"),
        (b"[" * 100_000 + b"]" * 100_000, "body"),
    ],
)
async def test_malformed_settings_are_refused_cleanly(emu: Emu, raw: bytes, field: str) -> None:
    before = await emu.control("GET", "settings")
    response = await emu.client.put("/_emulator/settings", content=raw)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "InvalidJsonInput"
    assert error["detailedErrorMessage"].startswith(f"{field}:")
    assert await emu.control("GET", "settings") == before
