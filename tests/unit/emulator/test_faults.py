"""Injected faults: latency, errors, 429, drops, ambiguous writes, concurrent writers, seeds."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.emulator_contract import Emu, draft

pytestmark = pytest.mark.anyio


async def _journal(emu: Emu) -> list[dict[str, object]]:
    return list(await emu.control("GET", "requests"))


async def test_latency_delays_api_requests_only(emu: Emu) -> None:
    await emu.faults(latencyMs=150)
    started = time.perf_counter()
    await emu.client.get("/connectors/drafts")
    assert time.perf_counter() - started >= 0.15
    started = time.perf_counter()
    await emu.control("GET", "requests")
    assert time.perf_counter() - started < 0.15


async def test_error_rate_answers_without_doing_the_request(emu: Emu) -> None:
    await emu.faults(errorRate=1.0, errorStatuses=[502])
    response = await emu.client.post("/connectors/drafts", json=draft())
    assert response.status_code == 502
    assert response.json() == {
        "statusCode": 502,
        "message": "Bad gateway.",
        "errors": [{"code": "BadGateway", "message": "Bad gateway."}],
    }
    await emu.faults(errorRate=0.0)
    assert (await emu.client.get("/connectors/drafts")).json()["total"] == 0


async def test_rate_limit_every_nth_request(emu: Emu) -> None:
    await emu.faults(rateLimitEvery=2, retryAfterSeconds=3)
    statuses = []
    for _ in range(4):
        response = await emu.client.get("/connectors/drafts")
        statuses.append(response.status_code)
    assert statuses == [200, 429, 200, 429]
    assert response.headers["Retry-After"] == "3"
    assert response.json()["errors"][0]["code"] == "TooManyRequests"


async def test_dropped_connection_gives_no_response(emu: Emu) -> None:
    await emu.faults(dropRate=1.0)
    with pytest.raises(httpx.RemoteProtocolError):
        await emu.client.get("/connectors/drafts")
    entry = (await _journal(emu))[-1]
    assert (entry["path"], entry["status"]) == ("/connectors/drafts", None)


async def test_ambiguous_write_happens_but_its_answer_is_lost(emu: Emu) -> None:
    await emu.faults(ambiguousRate=1.0, seed=1)
    outcomes = []
    for index in range(8):
        try:
            response = await emu.client.post("/connectors/drafts", json=draft(f"k-{index}"))
            outcomes.append(response.status_code)
        except httpx.RemoteProtocolError:
            outcomes.append(None)
    assert set(outcomes) == {500, None}
    await emu.faults(ambiguousRate=0.0)
    assert (await emu.client.get("/connectors/drafts")).json()["total"] == 8
    reads = await emu.client.get("/connectors/drafts")
    assert reads.status_code == 200


async def test_conflict_rate_injects_a_concurrent_writer(emu: Emu) -> None:
    created = await emu.create()
    await emu.faults(conflictRate=1.0)
    response = await emu.update(created, {"action": "setName", "name": "Mine"})
    assert response.status_code == 409
    assert response.json()["errors"][0]["currentVersion"] == 2
    await emu.faults(conflictRate=0.0)
    current = await emu.get(created)
    assert (current["version"], current["name"]) == (2, "Payment")


async def test_same_seed_repeats_the_same_failures(emu: Emu) -> None:
    async def run() -> list[int]:
        await emu.faults(errorRate=0.5, errorStatuses=[500, 503], seed=42)
        return [(await emu.client.get("/connectors/drafts")).status_code for _ in range(12)]

    first = await run()
    assert await run() == first
    assert {200, 500, 503} <= set(first) | {500, 503}
    assert 200 in first
    assert set(first) - {200}


async def test_control_calls_are_never_faulted(emu: Emu) -> None:
    await emu.faults(errorRate=1.0, dropRate=1.0)
    assert (await emu.control("GET", "faults"))["dropRate"] == 1.0
    assert await emu.control("POST", "settle") == {"settled": 0}


async def test_fault_fields_left_out_keep_their_value(emu: Emu) -> None:
    await emu.faults(latencyMs=5, seed=3)
    faults = await emu.control("PUT", "faults", {"errorRate": 0.25})
    assert faults == {
        "latencyMs": 5,
        "errorRate": 0.25,
        "errorStatuses": [503],
        "rateLimitEvery": 0,
        "retryAfterSeconds": 1,
        "dropRate": 0.0,
        "ambiguousRate": 0.0,
        "conflictRate": 0.0,
        "seed": 3,
        "failNextBuilds": 0,
        "failAllBuilds": False,
        "buildFailureRate": 0.0,
        "failingApplication": None,
    }


@pytest.mark.parametrize("body", [{"errorRate": 2}, {"nope": 1}, {"errorStatuses": []}, [1]])
async def test_invalid_faults_are_refused(emu: Emu, body: object) -> None:
    response = await emu.client.put("/_emulator/faults", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidJsonInput"
