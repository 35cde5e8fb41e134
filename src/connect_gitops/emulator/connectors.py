"""ConnectorStaged and Connector operations on one project: the API's rules, no HTTP.

The app parses requests and renders responses; everything a client could observe about
connectors (defaults, versions, locks, paging) is decided here.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from connect_gitops.emulator import actions, paging, rules, validation
from connect_gitops.emulator.context import Context
from connect_gitops.emulator.errors import (
    ApiError,
    JsonObject,
    concurrent_modification,
    connect_error,
    invalid_json,
    invalid_query,
    not_found,
)
from connect_gitops.emulator.lifecycle import advance, has_changes
from connect_gitops.emulator.store import Project, timestamp

PUBLISH_IN_PROGRESS = "publish in progress"
UPDATE_FIELDS = frozenset({"version", "actions"})


def find(project: Project, *, id: str | None = None, key: str | None = None) -> JsonObject:
    connector = project.find(id=id, key=key)
    if connector is None:
        raise not_found(f"key '{key}'" if key is not None else f"ID '{id}'")
    return connector


def create(project: Project, body: Any, context: Context) -> JsonObject:
    """A new ConnectorStaged from a draft: private, version 1, Draft, not previewable."""
    fields = validation.draft(body)
    if fields.get("key") is not None and fields["key"] in project.by_key:
        raise ApiError(
            400,
            "DuplicateField",
            f"A duplicate value '\"{fields['key']}\"' exists for field 'key'.",
            extra={"field": "key", "duplicateValue": fields["key"]},
        )
    check = context.check_repository(**fields["repository"])
    actions.refuse_invalid_repository(check, context)
    created = timestamp(context.now)
    connector: JsonObject = {"id": str(uuid.uuid4()), "version": 1, **fields}
    check.apply_to(connector)
    connector.update(
        {
            "private": True,
            "status": "Draft",
            "isPreviewable": "none",
            "hasChanges": has_changes(connector, None, context.settings),
            "alreadyListed": False,
            "createdAt": created,
            "lastModifiedAt": created,
        }
    )
    project.store(connector)
    return connector


def _check_version(connector: JsonObject, version: Any) -> None:
    if isinstance(version, bool) or not isinstance(version, int):
        raise invalid_json(
            "version: Missing required value" if version is None else "version: expected an integer"
        )
    if version != connector["version"]:
        raise concurrent_modification(connector["id"], version, connector["version"])


def _check_unlocked(connector: JsonObject, context: Context, version: int | None = None) -> None:
    """Refuse a change while a publish is processed or the connector is in certification.

    The API does not document this answer, so `lockedUpdateError` chooses it: "General" (400
    General "publish in progress" while Processing, 400 ConnectorStagedInCertification while
    InCertification), "ConnectorStagedInCertification" (that code for both) or
    "ConcurrentModification" (409 for both), so a client can be tested against each.
    """
    status = connector["status"]
    locked = status == "InCertification" or (
        status == "Processing" and context.settings.lockWhileProcessing
    )
    if not locked:
        return
    choice = context.settings.lockedUpdateError
    if choice == "ConcurrentModification":
        current = connector["version"]
        raise ApiError(
            409,
            "ConcurrentModification",
            f"Connector '{connector['id']}' cannot be changed while it is {status}.",
            extra={"expectedVersion": version or current, "currentVersion": current},
        )
    if status == "InCertification":
        raise connect_error(
            "ConnectorStagedInCertification",
            f"Connector '{connector['id']}' is in certification and cannot be changed.",
        )
    if choice == "ConnectorStagedInCertification":
        raise connect_error(
            "ConnectorStagedInCertification",
            f"Connector '{connector['id']}' cannot be changed while it is Processing.",
        )
    raise ApiError(400, "General", PUBLISH_IN_PROGRESS)


def update(project: Project, connector: JsonObject, body: Any, context: Context) -> JsonObject:
    """Apply a request's actions all or none; a request that changes anything raises version."""
    if not isinstance(body, dict):
        raise invalid_json("body: expected a JSON object")
    validation.known_fields(body, UPDATE_FIELDS)
    advance(project, connector["id"], context)
    _check_version(connector, body.get("version"))
    request_actions = body.get("actions")
    if request_actions == []:
        return connector
    _check_unlocked(connector, context, body["version"])
    working = copy.deepcopy(connector)
    meta = copy.deepcopy(project.meta.get(connector["id"], {}))
    actions.apply(working, meta, request_actions, context)
    working["hasChanges"] = has_changes(
        working, project.published.get(working["id"]), context.settings
    )
    working["version"] = connector["version"] + 1
    working["lastModifiedAt"] = timestamp(context.now)
    project.store(working)
    if meta:
        project.meta[working["id"]] = meta
    else:
        project.meta.pop(working["id"], None)
    return working


def delete(
    project: Project, connector: JsonObject, version: str | None, context: Context
) -> JsonObject:
    """Remove a connector (and its published form); `version`, when given, must match."""
    if version is not None:
        if not (version.isascii() and version.isdigit()):
            raise invalid_query(f"version: {version!r} is not an integer")
        _check_version(connector, int(version))
    _check_unlocked(connector, context)
    project.remove(connector)
    return connector


def query(
    project: Project, params: Mapping[str, str], sorts: Sequence[str], types: Sequence[str]
) -> JsonObject:
    """GET /connectors/drafts: filters `isPrivate` and `integrationTypes` (any of), paging, sort."""
    is_private = paging.boolean(params, "isPrivate")
    wanted = paging.types_filter(types)
    items: list[JsonObject] = list(project.connectors.values())
    if is_private is not None:
        items = [c for c in items if c["private"] is is_private]
    if wanted:
        items = [c for c in items if wanted.intersection(c["integrationTypes"])]
    return paging.page(items, params, sorts, rules.SORT_FIELDS)


def search(
    project: Project, params: Mapping[str, str], sorts: Sequence[str], types: Sequence[str]
) -> JsonObject:
    """GET /connectors/search over published Connectors: text, private, key, id, types."""
    private = paging.boolean(params, "private")
    wanted = paging.types_filter(types)
    text = params.get("text", "").lower()
    items = list(project.published.values())
    if private is not None:
        items = [c for c in items if c["private"] is private]
    if wanted:
        items = [c for c in items if wanted.intersection(c.get("integrationTypes", []))]
    for name in ("key", "id"):
        if params.get(name) is not None:
            items = [c for c in items if c.get(name) == params[name]]
    if text:
        items = [
            c
            for c in items
            if any(text in str(c.get(f) or "").lower() for f in ("key", "name", "description"))
        ]
    return paging.page(items, params, sorts, rules.SORT_FIELDS)


def published(project: Project, *, id: str | None = None, key: str | None = None) -> JsonObject:
    found_id = project.by_key.get(key) if key is not None else id
    found = project.published.get(found_id or "")
    if found is None:
        raise not_found(f"key '{key}'" if key is not None else f"ID '{id}'")
    return found


def bump_version(connector: JsonObject, context: Context) -> None:
    """A concurrent writer's change, injected by the `conflictRate` fault."""
    connector["version"] += 1
    connector["lastModifiedAt"] = timestamp(context.now)
