"""The 19 update actions: accepted and refused values, versions, all-or-none (section 4)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.emulator_contract import Emu

pytestmark = pytest.mark.anyio

REPO = {"url": "https://github.com/example/payment.git", "tag": "v1.0.0"}


@pytest.mark.parametrize(
    ("action", "path", "expected"),
    [
        ({"action": "setName", "name": "New"}, "name", "New"),
        ({"action": "setDescription", "description": "D"}, "description", "D"),
        (
            {"action": "setDocumentationUrl", "documentationUrl": "https://d"},
            "documentationUrl",
            "https://d",
        ),
        (
            {"action": "setRepository", "url": "git@github.com:o/r.git", "tag": "v2"},
            "repository",
            {"url": "git@github.com:o/r.git", "tag": "v2"},
        ),
        ({"action": "setRepository", "tag": "v3"}, "repository", {**REPO, "tag": "v3"}),
        (
            {"action": "setSupportedRegions", "regions": ["us-east-2.aws"]},
            "supportedRegions",
            ["us-east-2.aws"],
        ),
        (
            {"action": "setIntegrationTypes", "integrationTypes": ["crm", "oms"]},
            "integrationTypes",
            ["crm", "oms"],
        ),
        ({"action": "setIntegrationTypes", "integrationTypes": []}, "integrationTypes", []),
        ({"action": "setCreatorName", "creatorName": "Ann"}, "creator.name", "Ann"),
        ({"action": "setCreatorTitle", "creatorTitle": "CTO"}, "creator.title", "CTO"),
        ({"action": "setCreatorEmail", "creatorEmail": "x@y.io"}, "creator.email", "x@y.io"),
        ({"action": "setCreatorCompany", "creatorCompany": "Co"}, "creator.company", "Co"),
        (
            {"action": "setCreatorNoOfContributors", "creatorNoOfContributors": 3},
            "creator.noOfContributors",
            3,
        ),
        (
            {"action": "setCreatorSupportUrl", "creatorSupportUrl": "https://s"},
            "creator.supportUrl",
            "https://s",
        ),
        (
            {"action": "setCreatorLogo", "logoUrl": "https://l.png"},
            "creator.logoUrl",
            "https://l.png",
        ),
        (
            {"action": "addPrivateProject", "privateProject": "us-east-2.aws:other"},
            "privateProjects",
            ["europe-west1.gcp:shop", "us-east-2.aws:other"],
        ),
        (
            {"action": "removePrivateProject", "privateProject": "europe-west1.gcp:shop"},
            "privateProjects",
            [],
        ),
        (
            {"action": "removePrivateProject", "privateProject": "eu:absent"},
            "privateProjects",
            ["europe-west1.gcp:shop"],
        ),
        ({"action": "updatePreviewable"}, "isPreviewable", "pending"),
        ({"action": "publish", "certification": False}, "status", "Processing"),
        ({"action": "unlist"}, "alreadyListed", False),
        (
            {"action": "addCertificationComment", "comment": "Hi"},
            "certificationInfo.comments.0.comment",
            "Hi",
        ),
    ],
)
async def test_action_is_applied_and_raises_version(
    emu: Emu, action: dict[str, Any], path: str, expected: Any
) -> None:
    created = await emu.create(privateProjects=["europe-west1.gcp:shop"])
    response = await emu.update(created, action)
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2
    value: Any = body
    for part in path.split("."):
        value = value[int(part)] if part.isdigit() else value[part]
    assert value == expected
    assert await emu.get(created) == body


async def test_optional_fields_are_removed_by_an_explicit_null(emu: Emu) -> None:
    created = await emu.create(description="D", creator={"email": "a@b.co", "name": "Ann"})
    response = await emu.update(
        created,
        {"action": "setDescription", "description": None},
        {"action": "setCreatorName", "creatorName": None},
    )
    body = response.json()
    assert "description" not in body
    assert body["creator"] == {"email": "a@b.co"}


@pytest.mark.parametrize(
    ("action", "detail"),
    [
        ({"action": "setName"}, "actions[0].name: Missing required value"),
        ({"action": "setName", "name": 5}, "actions[0].name: Invalid value 5"),
        (
            {"action": "setRepository", "url": "https://github.com/o/r.git"},
            "actions[0].tag: Missing",
        ),
        ({"action": "setRepository", "url": "ftp://x", "tag": "v1"}, "actions[0].url: Invalid"),
        ({"action": "setRepository", "tag": "-v1"}, "actions[0].tag: Invalid value '-v1'"),
        ({"action": "setSupportedRegions", "regions": []}, "actions[0].regions: Invalid value []"),
        (
            {"action": "setSupportedRegions", "regions": ["moon"]},
            "actions[0].regions: Invalid value 'moon'",
        ),
        (
            {"action": "setIntegrationTypes", "integrationTypes": ["cms"]},
            "actions[0].integrationTypes",
        ),
        ({"action": "setIntegrationTypes"}, "actions[0].integrationTypes: Missing"),
        ({"action": "setCreatorEmail", "creatorEmail": "x"}, "actions[0].creatorEmail: Invalid"),
        ({"action": "setCreatorEmail"}, "actions[0].creatorEmail: Missing"),
        (
            {"action": "setCreatorNoOfContributors", "creatorNoOfContributors": 0},
            "actions[0].creatorNo",
        ),
        (
            {"action": "setCreatorNoOfContributors", "creatorNoOfContributors": "2"},
            "actions[0].creatorNo",
        ),
        ({"action": "setCreatorName", "creatorName": 1}, "actions[0].creatorName: Invalid"),
        ({"action": "addPrivateProject", "privateProject": "shop"}, "actions[0].privateProject"),
        ({"action": "removePrivateProject"}, "actions[0].privateProject: Missing"),
        ({"action": "publish", "certification": "yes"}, "actions[0].certification: Invalid"),
        ({"action": "addCertificationComment"}, "actions[0].comment: Missing"),
        ({"action": "setKey", "key": "other"}, "actions[0].action: Unknown update action 'setKey'"),
        # Strict as the RAML: every field is required unless marked optional, none unknown.
        ({"action": "setDescription"}, "actions[0].description: Missing required value"),
        ({"action": "setDocumentationUrl"}, "actions[0].documentationUrl: Missing required"),
        ({"action": "setCreatorTitle"}, "actions[0].creatorTitle: Missing required value"),
        ({"action": "setCreatorLogo"}, "actions[0].logoUrl: Missing required value"),
        (
            {"action": "setCreatorLogo", "creatorLogoUrl": "https://l.png"},
            "actions[0].creatorLogoUrl: Unknown field",
        ),
        ({"action": "setName", "name": "x", "bogus": 1}, "actions[0].bogus: Unknown field"),
        (
            {"action": "setDocumentationUrl", "documentationUrl": 3},
            "actions[0].documentationUrl: Invalid value 3: expected a string",
        ),
        ({"action": "setDescription", "description": ["D"]}, "actions[0].description: Invalid"),
        ({"action": "publish"}, "actions[0].certification: Missing required value"),
        ({"action": "unlist", "reason": "old"}, "actions[0].reason: Unknown field"),
        ({"action": "updatePreviewable", "now": True}, "actions[0].now: Unknown field"),
        (
            {"action": "setRepository", "tag": "v2", "branch": "main"},
            "actions[0].branch: Unknown field",
        ),
        ({"action": "setRepository", "url": None, "tag": "v2"}, "actions[0].url: Missing required"),
        ({"name": "x"}, "actions[0].action: Unknown update action None"),
    ],
)
async def test_action_refuses_invalid_values(emu: Emu, action: dict[str, Any], detail: str) -> None:
    created = await emu.create()
    response = await emu.update(created, action)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "InvalidJsonInput"
    assert error["detailedErrorMessage"].startswith(detail)
    assert await emu.get(created) == created


async def test_actions_apply_all_or_none(emu: Emu) -> None:
    created = await emu.create()
    response = await emu.update(
        created,
        {"action": "setName", "name": "New"},
        {"action": "setCreatorEmail", "creatorEmail": "bad"},
    )
    assert response.status_code == 400
    assert await emu.get(created) == created


async def test_many_actions_raise_version_by_one(emu: Emu) -> None:
    created = await emu.create()
    response = await emu.update(
        created,
        {"action": "setName", "name": "A"},
        {"action": "setName", "name": "B"},
        {"action": "setDescription", "description": "C"},
    )
    body = response.json()
    assert (body["version"], body["name"], body["description"]) == (2, "B", "C")
    assert body["lastModifiedAt"] >= created["lastModifiedAt"]


async def test_no_actions_change_nothing(emu: Emu) -> None:
    created = await emu.create()
    response = await emu.update(created)
    assert response.status_code == 200
    assert response.json() == created


async def test_stale_version_is_a_concurrent_modification(emu: Emu) -> None:
    created = await emu.create()
    await emu.update(created, {"action": "setName", "name": "A"})
    response = await emu.update(created, {"action": "setName", "name": "B"})
    assert response.status_code == 409
    message = (
        f"Object {created['id']} has a different version than expected. Expected: 1 - Actual: 2."
    )
    assert response.json() == {
        "statusCode": 409,
        "message": message,
        "errors": [
            {
                "code": "ConcurrentModification",
                "message": message,
                "expectedVersion": 1,
                "currentVersion": 2,
            }
        ],
    }


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"actions": []}, "version: Missing required value"),
        ({"version": "1", "actions": []}, "version: expected an integer"),
        ({"version": 1}, "actions: Missing required value"),
        ({"version": 1, "actions": {}}, "actions: expected a list"),
        ({"version": 1, "actions": [], "dryRun": True}, "dryRun: Unknown field"),
    ],
)
async def test_update_body_is_checked(emu: Emu, body: dict[str, Any], detail: str) -> None:
    created = await emu.create()
    response = await emu.client.post(f"/connectors/drafts/{created['id']}", json=body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["detailedErrorMessage"] == detail


async def test_update_by_key(emu: Emu) -> None:
    await emu.create()
    response = await emu.client.post(
        "/connectors/drafts/key=payment",
        json={"version": 1, "actions": [{"action": "setName", "name": "By key"}]},
    )
    assert response.status_code == 200
    assert response.json()["name"] == "By key"


async def test_update_of_an_unknown_connector_is_404(emu: Emu) -> None:
    response = await emu.client.post(
        "/connectors/drafts/key=nope", json={"version": 1, "actions": []}
    )
    assert response.status_code == 404


async def test_update_status_code_setting(emu: Emu) -> None:
    await emu.settings(updateStatusCode=201)
    created = await emu.create()
    response = await emu.update(created, {"action": "setName", "name": "A"})
    assert response.status_code == 201


async def test_key_cannot_change(emu: Emu) -> None:
    created = await emu.create()
    response = await emu.update(created, {"action": "setKey", "key": "renamed"})
    assert response.status_code == 400
    assert (await emu.client.get("/connectors/drafts/key=renamed")).status_code == 404
