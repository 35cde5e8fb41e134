"""`GET /{projectKey}/deployments/{id or key=}/logs`: lines, filters, cursor and errors."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.emulator_contract import (
    PROJECT,
    Emu,
    deployable,
    deployed,
    deployment_draft,
)

pytestmark = pytest.mark.anyio

BASE = f"/{PROJECT}/deployments"


async def _built(emu: Emu, **draft: Any) -> dict[str, Any]:
    await deployable(emu, supportedRegions=[])
    body = await deployed(emu, deployment_draft(**draft))
    await emu.control("POST", "settle")
    return body


async def test_lines_follow_the_build_and_the_cursor_pages_them(emu: Emu) -> None:
    body = await _built(emu)
    everything = (await emu.client.get(f"{BASE}/{body['id']}/logs")).json()
    assert "next" not in everything
    lines = everything["data"]
    assert [(line["applicationName"], line["details"]["message"]) for line in lines] == [
        (
            "service",
            "Building application 'service' from "
            "https://github.com/example/payment.git at tag v1.0.0",
        ),
        (
            "order-sync",
            "Building application 'order-sync' from "
            "https://github.com/example/payment.git at tag v1.0.0",
        ),
        ("service", "Listening on port: 8080"),
        ("order-sync", "Deployed (job)"),
    ]
    assert {(line["type"], line["severity"], line["deploymentId"]) for line in lines} == {
        ("APPLICATION_TEXT", "INFO", body["id"])
    }
    await emu.settings(logPageSize=3)
    first = (await emu.client.get(f"{BASE}/key=payment-prod/logs")).json()
    assert first["data"] == lines[:3]
    second = await emu.client.get(
        f"{BASE}/key=payment-prod/logs", params={"pageToken": first["next"]}
    )
    assert second.json() == {"data": lines[3:]}


async def test_filters_by_application_and_dates(emu: Emu) -> None:
    body = await _built(emu)
    path = f"{BASE}/{body['id']}/logs"
    service = (await emu.client.get(path, params={"applicationName": "service"})).json()
    assert {line["applicationName"] for line in service["data"]} == {"service"}
    future = (datetime.now(UTC) + timedelta(seconds=5)).isoformat()
    later = (await emu.client.get(path, params={"startDate": future})).status_code
    assert later == 400
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    earlier = (await emu.client.get(path, params={"endDate": past})).json()
    assert earlier == {"data": []}
    recent = (datetime.fromtimestamp(time.time() - 60, UTC)).isoformat()
    assert len((await emu.client.get(path, params={"startDate": recent})).json()["data"]) == 4


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        (
            {"applicationName": "billing"},
            "DeploymentApplicationDoesNotExist",
            "Deployment does not have an application named billing.",
        ),
        ({"startDate": "yesterday"}, "DeploymentLogInvalidDate", "Invalid start/end date"),
        (
            {"startDate": (datetime.now(UTC) - timedelta(days=31)).isoformat()},
            "DeploymentLogInvalidDate",
            "Invalid start/end date",
        ),
        (
            {
                "startDate": "2026-01-02T00:00:00Z",
                "endDate": "2026-01-01T00:00:00Z",
            },
            "DeploymentLogInvalidDate",
            "Invalid start/end date",
        ),
        (
            {"pageToken": "garbage!"},
            "DeploymentLogInvalidPageToken",
            "Invalid page token: garbage!",
        ),
        ({"pageToken": "eyJkIjoieCIsIm8iOjF9"}, "DeploymentLogInvalidPageToken", "Invalid page"),
        ({"nextPageToken": "abc"}, "InvalidQueryParam", "Request query parameter is not valid."),
    ],
)
async def test_log_errors(emu: Emu, params: dict[str, str], code: str, message: str) -> None:
    body = await _built(emu)
    response = await emu.client.get(f"{BASE}/{body['id']}/logs", params=params)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert (error["code"], error["message"]) == (code, message) or (
        error["code"] == code and error["message"].startswith(message)
    )


async def test_an_aws_deployment_needs_the_application_name(emu: Emu) -> None:
    body = await _built(emu, region="eu-central-1.aws")
    response = await emu.client.get(f"{BASE}/{body['id']}/logs")
    assert response.json()["errors"][0] == {
        "code": "DeploymentLogMissingApplicationName",
        "message": "Missing application name when fetching deployment logs",
    }
    named = await emu.client.get(f"{BASE}/{body['id']}/logs", params={"applicationName": "service"})
    assert named.status_code == 200


async def test_logs_need_a_deployment_read_scope(emu: Emu) -> None:
    body = await _built(emu)
    await emu.login(f"view_connectors:{PROJECT}")
    response = await emu.client.get(f"{BASE}/{body['id']}/logs")
    assert response.status_code == 403
