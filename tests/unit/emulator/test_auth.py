"""Token endpoint, bearer tokens, scopes and projects (connect-api.md section 1)."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.emulator_contract import Emu

pytestmark = pytest.mark.anyio

INVALID_TOKEN = {
    "statusCode": 401,
    "message": "invalid_token",
    "errors": [{"code": "invalid_token", "message": "invalid_token"}],
    "error": "invalid_token",
}


async def test_token_from_form_body(emu: Emu) -> None:
    response = await emu.client.post(
        "/oauth/token",
        auth=("any-id", "any-secret"),
        data={"grant_type": "client_credentials", "scope": "view_connectors:shop-prod"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 172800
    assert body["scope"] == "view_connectors:shop-prod"
    assert len(body["access_token"]) >= 32


async def test_token_from_query_parameters(emu: Emu) -> None:
    response = await emu.client.post(
        "/oauth/token?grant_type=client_credentials&scope=manage_connectors:a-b manage_project:a-b",
        auth=("id", "secret"),
    )
    assert response.status_code == 200
    assert response.json()["scope"] == "manage_connectors:a-b manage_project:a-b"


async def test_project_defaults_to_emulator_project(emu: Emu) -> None:
    response = await emu.client.post(
        "/oauth/token", auth=("id", "secret"), data={"grant_type": "client_credentials"}
    )
    assert response.json()["scope"] == "manage_project:emulator-project"


@pytest.mark.parametrize(
    ("auth", "data", "status", "code"),
    [
        (None, {"grant_type": "client_credentials"}, 401, "invalid_client"),
        (("id", "s"), {"grant_type": "password"}, 400, "unsupported_grant_type"),
        (
            ("id", "s"),
            {"grant_type": "client_credentials", "scope": "nope:shop"},
            400,
            "invalid_scope",
        ),
        (
            ("id", "s"),
            {"grant_type": "client_credentials", "scope": "view_connectors:a view_connectors:b"},
            400,
            "invalid_scope",
        ),
    ],
)
async def test_token_errors(
    emu: Emu, auth: tuple[str, str] | None, data: dict[str, str], status: int, code: str
) -> None:
    response = await emu.client.post("/oauth/token", auth=auth, data=data)
    assert response.status_code == status
    body = response.json()
    assert body["errors"][0]["code"] == code
    assert body["error"] == code


@pytest.mark.parametrize("header", [None, "Bearer unknown-token", "Basic abc"])
async def test_missing_or_unknown_token_is_401(emu: Emu, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    emu.client.headers.pop("Authorization")
    response = await emu.client.get("/connectors/drafts", headers=headers)
    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN


async def test_expired_token_is_401(emu: Emu) -> None:
    await emu.settings(tokenLifetimeSeconds=1)
    token = await emu.token()
    response = await emu.client.get(
        "/connectors/drafts", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    await asyncio.sleep(1.05)
    response = await emu.client.get(
        "/connectors/drafts", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN


async def test_expire_tokens_invalidates_every_token(emu: Emu) -> None:
    assert await emu.control("POST", "expire-tokens") == {"expired": 1}
    response = await emu.client.get("/connectors/drafts")
    assert response.status_code == 401


async def test_view_token_reads_but_cannot_write(emu: Emu) -> None:
    await emu.create()
    await emu.login("view_connectors:shop")
    assert (await emu.client.get("/connectors/drafts")).json()["total"] == 1
    response = await emu.client.post("/connectors/drafts", json={"name": "x"})
    assert response.status_code == 403
    assert response.json() == {
        "statusCode": 403,
        "message": "Insufficient scope. One of the following scopes is missing: manage_connectors",
        "errors": [
            {
                "code": "insufficient_scope",
                "message": "Insufficient scope. One of the following scopes is missing: "
                "manage_connectors",
            }
        ],
        "error": "insufficient_scope",
    }


async def test_deployment_scope_cannot_read_connectors(emu: Emu) -> None:
    await emu.login("view_connectors_deployments:shop")
    response = await emu.client.get("/connectors/drafts")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "insufficient_scope"


async def test_projects_are_separate(emu: Emu) -> None:
    await emu.create()
    await emu.login("manage_connectors:other")
    assert (await emu.client.get("/connectors/drafts")).json()["total"] == 0
    assert (await emu.client.get("/connectors/drafts/key=payment")).status_code == 404


async def test_configured_clients_are_checked(emu: Emu) -> None:
    state = await emu.control("GET", "state")
    state["clients"] = [
        {"clientId": "ci", "clientSecret": "s3cret", "scopes": ["manage_connectors:shop"]}
    ]
    dumped = await emu.control("PUT", "state", state)
    assert "s3cret" not in str(dumped)
    data = {"grant_type": "client_credentials", "scope": "manage_connectors:shop"}
    wrong = await emu.client.post("/oauth/token", auth=("ci", "wrong"), data=data)
    assert wrong.status_code == 401
    assert wrong.json()["errors"][0]["code"] == "invalid_client"
    right = await emu.client.post("/oauth/token", auth=("ci", "s3cret"), data=data)
    assert right.status_code == 200
    other = await emu.client.post(
        "/oauth/token", auth=("ci", "s3cret"), data={**data, "scope": "manage_project:shop"}
    )
    assert other.status_code == 400
    assert other.json()["errors"][0]["code"] == "invalid_scope"


async def test_state_dump_holds_no_token(emu: Emu) -> None:
    token = emu.client.headers["Authorization"].removeprefix("Bearer ")
    dumped = await emu.control("GET", "state")
    assert token not in str(dumped)
    assert len(dumped["tokens"]) == 1
