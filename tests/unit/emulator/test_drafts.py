"""ConnectorStaged create, read, delete and query (connect-api.md sections 2, 3 and 6)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.emulator_contract import Emu, draft

pytestmark = pytest.mark.anyio


async def test_create_returns_a_new_private_draft(emu: Emu) -> None:
    response = await emu.client.post(
        "/connectors/drafts",
        json=draft(
            description="Cards",
            integrationTypes=["psp"],
            supportedRegions=["europe-west1.gcp"],
            privateProjects=["europe-west1.gcp:shop-staging"],
            documentationUrl="https://example.com/docs",
        ),
    )
    assert response.status_code == 201
    body = response.json()
    uuid.UUID(body["id"])
    assert body["createdAt"] == body["lastModifiedAt"]
    assert body["createdAt"].endswith("Z")
    for generated in ("id", "createdAt", "lastModifiedAt"):
        del body[generated]
    assert body == {
        "version": 1,
        "key": "payment",
        "name": "Payment",
        "description": "Cards",
        "creator": {"email": "team@example.com"},
        "repository": {"url": "https://github.com/example/payment.git", "tag": "v1.0.0"},
        "integrationTypes": ["psp"],
        "supportedRegions": ["europe-west1.gcp"],
        "privateProjects": ["europe-west1.gcp:shop-staging"],
        "documentationUrl": "https://example.com/docs",
        "configurations": [],
        "private": True,
        "status": "Draft",
        "isPreviewable": "none",
        "hasChanges": True,
        "alreadyListed": False,
    }


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        ({"id": "mine"}, "id: Unknown field"),
        ({"version": 7}, "version: Unknown field"),
        ({"private": False}, "private: Unknown field"),
        ({"status": "Published"}, "status: Unknown field"),
        ({"isPreviewable": "true"}, "isPreviewable: Unknown field"),
        ({"bogus": 1}, "bogus: Unknown field"),
        (
            {"creator": {"email": "a@b.co", "noOfDevelopers": 3}},
            "creator.noOfDevelopers: Unknown field",
        ),
        (
            {"repository": {"url": "https://github.com/o/r.git", "tag": "v1", "branch": "main"}},
            "repository.branch: Unknown field",
        ),
    ],
)
async def test_create_refuses_unknown_and_read_only_fields(
    emu: Emu, fields: dict[str, Any], detail: str
) -> None:
    response = await emu.client.post("/connectors/drafts", json=draft(**fields))
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["code"], error["detailedErrorMessage"]) == ("InvalidJsonInput", detail)
    assert (await emu.client.get("/connectors/drafts")).json()["total"] == 0


async def test_create_with_an_existing_key_is_a_duplicate_field(emu: Emu) -> None:
    await emu.create()
    response = await emu.client.post("/connectors/drafts", json=draft())
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "message": "A duplicate value '\"payment\"' exists for field 'key'.",
        "errors": [
            {
                "code": "DuplicateField",
                "message": "A duplicate value '\"payment\"' exists for field 'key'.",
                "field": "key",
                "duplicateValue": "payment",
            }
        ],
    }


def _without(field: str) -> dict[str, Any]:
    body = draft()
    del body[field]
    return body


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (_without("name"), "name: Missing required value"),
        (draft(creator={}), "creator.email: Missing required value"),
        (_without("creator"), "creator: Missing required value"),
        (_without("repository"), "repository: Missing required value"),
        (draft(repository={"url": "https://github.com/o/r.git"}), "repository.tag: Missing"),
        (draft(key="x"), "key: Invalid value 'x'"),
        (draft(creator={"email": "nope"}), "creator.email: Invalid value 'nope'"),
        (draft(repository={"url": "http://gitlab.com/o/r", "tag": "v1"}), "repository.url"),
        (
            draft(repository={"url": "https://github.com/o/r.git", "tag": "v1..2"}),
            "repository.tag: Invalid value 'v1..2'",
        ),
        (draft(integrationTypes=["cms"]), "integrationTypes: Invalid value 'cms'"),
        (draft(supportedRegions=["mars"]), "supportedRegions: Invalid value 'mars'"),
        (draft(privateProjects=["shop"]), "privateProjects[0]: Invalid value 'shop'"),
        (draft(creator={"email": "a@b.co", "noOfContributors": 0}), "creator.noOfContributors"),
        ([1, 2], "body: expected a JSON object"),
        (draft(name=5), "name: Invalid value 5: expected a string"),
        (draft(description=["Cards"]), "description: Invalid value ['Cards']: expected a string"),
        (draft(integrationTypes="psp"), "integrationTypes: Invalid value 'psp'"),
        (draft(creator={"email": "a@b.co", "name": 1}), "creator.name: Invalid value 1"),
    ],
)
async def test_create_refuses_a_missing_or_malformed_field(
    emu: Emu, body: Any, detail: str
) -> None:
    response = await emu.client.post("/connectors/drafts", json=body)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "InvalidJsonInput"
    assert error["message"] == "Request body does not contain valid JSON."
    assert error["detailedErrorMessage"].startswith(detail)


@pytest.mark.parametrize("tag", ["v1.0.0+build.1", "release/2024.11@rc_1", "@"])
async def test_create_accepts_every_tag_git_accepts(emu: Emu, tag: str) -> None:
    body = draft(repository={"url": "https://github.com/o/r.git", "tag": tag})

    response = await emu.client.post("/connectors/drafts", json=body)

    assert response.status_code == 201, response.text
    assert response.json()["repository"]["tag"] == tag


async def test_create_refuses_a_body_that_is_not_json(emu: Emu) -> None:
    response = await emu.client.post("/connectors/drafts", content=b"{not json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidJsonInput"


async def test_get_by_id_and_by_key(emu: Emu) -> None:
    created = await emu.create()
    by_id = await emu.client.get(f"/connectors/drafts/{created['id']}")
    by_key = await emu.client.get("/connectors/drafts/key=payment")
    assert by_id.json() == by_key.json() == created


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/connectors/drafts/key=missing", "The Resource with key 'missing' was not found."),
        ("/connectors/drafts/0000", "The Resource with ID '0000' was not found."),
        ("/connectors/key=missing", "The Resource with key 'missing' was not found."),
        ("/connectors/0000", "The Resource with ID '0000' was not found."),
    ],
)
async def test_unknown_connector_is_404(emu: Emu, path: str, message: str) -> None:
    response = await emu.client.get(path)
    assert response.status_code == 404
    assert response.json() == {
        "statusCode": 404,
        "message": message,
        "errors": [{"code": "ResourceNotFound", "message": message}],
    }


@pytest.mark.parametrize("by", ["id", "key"])
async def test_delete_returns_the_deleted_connector(emu: Emu, by: str) -> None:
    created = await emu.create()
    path = f"/connectors/drafts/{created['id']}" if by == "id" else "/connectors/drafts/key=payment"
    response = await emu.client.delete(path)
    assert response.status_code == 200
    assert response.json() == created
    assert (await emu.client.get(path)).status_code == 404
    assert (await emu.client.delete(path)).status_code == 404


async def test_delete_with_a_stale_version_is_409(emu: Emu) -> None:
    created = await emu.create()
    response = await emu.client.delete(f"/connectors/drafts/{created['id']}?version=3")
    assert response.status_code == 409
    assert response.json()["errors"][0]["currentVersion"] == 1
    ok = await emu.client.delete(f"/connectors/drafts/{created['id']}?version=1")
    assert ok.status_code == 200


async def _create_many(emu: Emu, count: int) -> list[dict[str, Any]]:
    return [
        await emu.create(f"c-{index:02d}", integrationTypes=["psp" if index % 2 else "tax"])
        for index in range(count)
    ]


async def test_query_pages_in_creation_order(emu: Emu) -> None:
    created = await _create_many(emu, 5)
    page = (await emu.client.get("/connectors/drafts", params={"limit": 2, "offset": 3})).json()
    assert (page["limit"], page["offset"], page["count"], page["total"]) == (2, 3, 2, 5)
    assert page["results"] == created[3:5]
    default = (await emu.client.get("/connectors/drafts")).json()
    assert (default["limit"], default["offset"], default["count"]) == (20, 0, 5)


@pytest.mark.parametrize(
    ("params", "count"),
    [({"limit": 0}, 0), ({"limit": 500}, 5), ({"offset": 10000}, 0), ({"offset": 5}, 0)],
)
async def test_query_paging_edges(emu: Emu, params: dict[str, int], count: int) -> None:
    await _create_many(emu, 5)
    page = (await emu.client.get("/connectors/drafts", params=params)).json()
    assert page["count"] == count
    assert page["total"] == 5


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 501},
        {"limit": -1},
        {"limit": "many"},
        {"limit": "\u00b2"},
        {"offset": 10001},
        {"sort": "name asc"},
        {"sort": "key sideways"},
        {"isPrivate": "yes"},
        {"integrationTypes": "cms"},
    ],
)
async def test_query_refuses_invalid_parameters(emu: Emu, params: dict[str, Any]) -> None:
    response = await emu.client.get("/connectors/drafts", params=params)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == "InvalidQueryParam"
    assert error["detailedErrorMessage"].startswith(next(iter(params)))


async def test_query_sorts_by_repeated_sort_parameters(emu: Emu) -> None:
    created = await _create_many(emu, 4)
    keys = [c["key"] for c in created]
    by_key_desc = await emu.client.get("/connectors/drafts", params={"sort": "key desc"})
    assert [c["key"] for c in by_key_desc.json()["results"]] == keys[::-1]
    by_created = await emu.client.get("/connectors/drafts", params={"sort": "createdAt asc"})
    assert [c["key"] for c in by_created.json()["results"]] == keys
    await emu.update(created[0], {"action": "setName", "name": "Renamed"})
    multi = await emu.client.get(
        "/connectors/drafts", params=[("sort", "lastModifiedAt desc"), ("sort", "key asc")]
    )
    assert multi.json()["results"][0]["key"] == "c-00"


async def test_query_filters(emu: Emu) -> None:
    await _create_many(emu, 4)
    psp = await emu.client.get("/connectors/drafts", params={"integrationTypes": "psp"})
    assert [c["key"] for c in psp.json()["results"]] == ["c-01", "c-03"]
    both = await emu.client.get(
        "/connectors/drafts", params=[("integrationTypes", "psp"), ("integrationTypes", "tax")]
    )
    assert both.json()["total"] == 4
    public = await emu.client.get("/connectors/drafts", params={"isPrivate": "false"})
    assert public.json()["total"] == 0
    private = await emu.client.get("/connectors/drafts", params={"isPrivate": "true"})
    assert private.json()["total"] == 4


async def test_unknown_route_and_method_use_the_envelope(emu: Emu) -> None:
    response = await emu.client.get("/nowhere")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "ResourceNotFound"
    response = await emu.client.put("/connectors/drafts")
    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "MethodNotAllowed"
