"""Preview, publish, certification and hasChanges (connect-api.md section 5)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.support.emulator_contract import Emu

pytestmark = pytest.mark.anyio

PUBLISH = {"action": "publish", "certification": False}
CERTIFY = {"action": "publish", "certification": True}


async def _updated(emu: Emu, connector: dict[str, Any], *actions: dict[str, Any]) -> dict[str, Any]:
    response = await emu.update(connector, *actions)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_preview_moves_from_pending_to_true_on_a_read_after_the_delay(emu: Emu) -> None:
    await emu.settings(previewSeconds=0.2)
    pending = await _updated(emu, await emu.create(), {"action": "updatePreviewable"})
    assert pending["isPreviewable"] == "pending"
    refused = await emu.update(pending, {"action": "updatePreviewable"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "ConnectorStagedPreviewRequestUnderProcess"
    assert (await emu.get(pending))["isPreviewable"] == "pending"
    await asyncio.sleep(0.25)
    done = await emu.get(pending)
    assert done["isPreviewable"] == "true"
    assert done["version"] == pending["version"]
    [entry] = done["previewableReport"]["entries"]
    assert (entry["type"], entry["title"]) == ("Information", "Connector is previewable")


@pytest.mark.parametrize(("outcome", "expected"), [("false", "false"), ("none", "none")])
async def test_preview_outcome_setting(emu: Emu, outcome: str, expected: str) -> None:
    await emu.settings(previewOutcome=outcome)
    pending = await _updated(emu, await emu.create(), {"action": "updatePreviewable"})
    await emu.control("POST", "settle")
    assert (await emu.get(pending))["isPreviewable"] == expected


async def test_new_repository_tag_resets_preview(emu: Emu) -> None:
    pending = await _updated(emu, await emu.create(), {"action": "updatePreviewable"})
    moved = await _updated(emu, pending, {"action": "setRepository", "tag": "v2"})
    assert moved["isPreviewable"] == "none"
    await emu.control("POST", "settle")
    assert (await emu.get(moved))["isPreviewable"] == "none"


async def test_preview_kept_when_reset_setting_is_off(emu: Emu) -> None:
    await emu.settings(resetPreviewOnRepositoryChange=False)
    pending = await _updated(emu, await emu.create(), {"action": "updatePreviewable"})
    moved = await _updated(emu, pending, {"action": "setRepository", "tag": "v2"})
    assert moved["isPreviewable"] == "pending"


async def test_publish_locks_then_publishes(emu: Emu) -> None:
    await emu.settings(publishSeconds=0.2)
    processing = await _updated(emu, await emu.create(), PUBLISH)
    assert processing["status"] == "Processing"
    refused = await emu.update(processing, {"action": "setName", "name": "x"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0] == {"code": "General", "message": "publish in progress"}
    assert (await emu.client.get(f"/connectors/{processing['id']}")).status_code == 404
    await asyncio.sleep(0.25)
    published = await emu.get(processing)
    assert (published["status"], published["hasChanges"]) == ("Published", False)
    assert published["version"] == processing["version"]
    assert published["publishingReport"]["entries"][0]["title"] == "Connector published"
    connector = (await emu.client.get("/connectors/key=payment")).json()
    assert (connector["id"], connector["name"], connector["version"]) == (
        processing["id"],
        "Payment",
        1,
    )
    changed = await _updated(emu, published, {"action": "setName", "name": "Renamed"})
    assert changed["hasChanges"] is True
    back = await _updated(emu, changed, {"action": "setName", "name": "Payment"})
    assert back["hasChanges"] is False


async def test_processing_lock_can_be_switched_off(emu: Emu) -> None:
    await emu.settings(lockWhileProcessing=False)
    processing = await _updated(emu, await emu.create(), PUBLISH)
    assert (await emu.update(processing, {"action": "setName", "name": "x"})).status_code == 200


async def test_publish_failure_and_transitions_raising_version(emu: Emu) -> None:
    await emu.settings(publishOutcome="Failed", transitionsRaiseVersion=True)
    processing = await _updated(emu, await emu.create(), PUBLISH)
    assert await emu.control("POST", "settle") == {"settled": 1}
    failed = await emu.get(processing)
    assert failed["status"] == "Failed"
    assert failed["version"] == processing["version"] + 1
    assert failed["publishingReport"]["entries"][0]["type"] == "Error"


async def test_has_changes_before_first_publish_setting(emu: Emu) -> None:
    await emu.settings(hasChangesBeforeFirstPublish=False)
    assert (await emu.create())["hasChanges"] is False


async def test_certification_lifecycle(emu: Emu) -> None:
    await emu.settings(publishSeconds=0.1)
    processing = await _updated(emu, await emu.create(), CERTIFY)
    await asyncio.sleep(0.12)
    ready = await emu.get(processing)
    assert ready["status"] == "ReadyForCertification"
    refused = await emu.update(ready, CERTIFY)
    assert refused.json()["errors"][0]["code"] == "ConnectorStagedInCertification"
    await asyncio.sleep(0.1)
    in_certification = await emu.get(ready)
    assert in_certification["status"] == "InCertification"
    locked = await emu.update(in_certification, {"action": "setName", "name": "x"})
    assert locked.status_code == 400
    assert locked.json()["errors"][0]["code"] == "ConnectorStagedInCertification"
    await emu.control("POST", "settle")
    assert (await emu.get(ready))["status"] == "InCertification"


async def test_certified_connector_is_public_listed_and_can_be_unlisted(emu: Emu) -> None:
    await emu.settings(certificationSeconds=0)
    processing = await _updated(emu, await emu.create(), CERTIFY)
    await emu.control("POST", "settle")
    certified = await emu.get(processing)
    assert (certified["status"], certified["private"], certified["alreadyListed"]) == (
        "Published",
        False,
        True,
    )
    again = await emu.update(certified, CERTIFY)
    assert again.json()["errors"][0]["code"] == "ConnectorAlreadyCertified"
    not_private = await emu.update(
        certified, {"action": "addPrivateProject", "privateProject": "europe-west1.gcp:x-y"}
    )
    assert not_private.status_code == 400
    assert not_private.json()["errors"][0]["code"] == "ConnectorStagedNotPrivate"
    unlisted = await _updated(emu, certified, {"action": "unlist"})
    assert unlisted["alreadyListed"] is False
    commented = await _updated(
        emu, unlisted, {"action": "addCertificationComment", "comment": "Looks good"}
    )
    [comment] = commented["certificationInfo"]["comments"]
    assert comment["comment"] == "Looks good"
    assert set(comment) == {"userId", "datetime", "comment"}


async def test_search_published_connectors(emu: Emu) -> None:
    for key, name in (("alpha", "Payments"), ("beta", "Tax rules"), ("gamma", "Unpublished")):
        created = await emu.create(key, name=name, integrationTypes=["psp"])
        if key != "gamma":
            await _updated(emu, created, PUBLISH)
    await emu.control("POST", "settle")
    found = (await emu.client.get("/connectors/search", params={"text": "tax"})).json()
    assert [c["key"] for c in found["results"]] == ["beta"]
    everything = (await emu.client.get("/connectors/search", params={"sort": "key desc"})).json()
    assert [c["key"] for c in everything["results"]] == ["beta", "alpha"]
    by_key = (await emu.client.get("/connectors/search", params={"key": "alpha"})).json()
    assert by_key["total"] == 1
    private = await emu.client.get("/connectors/search", params={"private": "false"})
    assert private.json()["total"] == 0
    typed = await emu.client.get("/connectors/search", params={"integrationTypes": "tax"})
    assert typed.json()["total"] == 0


async def _locked(emu: Emu, status: str) -> dict[str, Any]:
    """A connector in `status` (Processing or InCertification), held there."""
    if status == "Processing":
        await emu.settings(publishSeconds=60)
        return await _updated(emu, await emu.create(), PUBLISH)
    await emu.settings(publishSeconds=0)
    certifying = await _updated(emu, await emu.create(), CERTIFY)
    await emu.control("POST", "settle")
    locked = await emu.get(certifying)
    assert locked["status"] == "InCertification"
    return locked


@pytest.mark.parametrize(
    ("setting", "status", "expected"),
    [
        (None, "Processing", (400, "General", "publish in progress")),
        (
            None,
            "InCertification",
            (400, "ConnectorStagedInCertification", "is in certification and cannot be changed"),
        ),
        (
            "ConnectorStagedInCertification",
            "Processing",
            (400, "ConnectorStagedInCertification", "cannot be changed while it is Processing"),
        ),
        (
            "ConnectorStagedInCertification",
            "InCertification",
            (400, "ConnectorStagedInCertification", "is in certification and cannot be changed"),
        ),
        (
            "ConcurrentModification",
            "Processing",
            (409, "ConcurrentModification", "cannot be changed while it is Processing"),
        ),
        (
            "ConcurrentModification",
            "InCertification",
            (409, "ConcurrentModification", "cannot be changed while it is InCertification"),
        ),
    ],
)
async def test_locked_update_error_setting(
    emu: Emu, setting: str | None, status: str, expected: tuple[int, str, str]
) -> None:
    """The API does not document its answer to an update while a connector is locked."""
    if setting is not None:
        await emu.settings(lockedUpdateError=setting)
    locked = await _locked(emu, status)
    for response in (
        await emu.update(locked, {"action": "setName", "name": "x"}),
        await emu.client.delete(f"/connectors/drafts/{locked['id']}"),
    ):
        error = response.json()["errors"][0]
        assert (response.status_code, error["code"]) == expected[:2]
        assert expected[2] in error["message"]
        if response.status_code == 409:
            assert error["currentVersion"] == locked["version"]
    assert await emu.get(locked) == locked
