"""ConnectorStaged and Connector operations on one project: the API's rules, no HTTP.

The app parses requests and renders responses; everything a client could observe about
connectors (defaults, versions, locks, paging) is decided here.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from connect_gitops.emulator import actions, rules, validation
from connect_gitops.emulator.errors import (
    ApiError,
    JsonObject,
    concurrent_modification,
    connect_error,
    invalid_json,
    invalid_query,
    not_found,
)
from connect_gitops.emulator.lifecycle import Context, advance, has_changes
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
    check = context.repositories.check(**fields["repository"])
    actions.refuse_invalid_repository(check, context)
    created = timestamp(context.now)
    connector: JsonObject = {"id": str(uuid.uuid4()), "version": 1, **fields}
    actions.apply_specification(connector, check)
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
        if not version.isdigit():
            raise invalid_query(f"version: {version!r} is not an integer")
        _check_version(connector, int(version))
    _check_unlocked(connector, context)
    project.remove(connector)
    return connector


def _integer(params: Mapping[str, str], name: str, default: int, maximum: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) > maximum:
        raise invalid_query(f"{name}: {raw!r} must be an integer from 0 to {maximum}")
    return int(raw)


def _boolean(params: Mapping[str, str], name: str) -> bool | None:
    raw = params.get(name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise invalid_query(f"{name}: {raw!r} must be true or false")
    return raw == "true"


def _sort_key(name: str) -> Callable[[JsonObject], str]:
    return lambda connector: str(connector.get(name) or "")


def _sorted(
    items: list[JsonObject], sorts: Sequence[str], fields: frozenset[str]
) -> list[JsonObject]:
    """Stable multi-key sort: the first `sort` parameter is the primary key."""
    parsed: list[tuple[str, bool]] = []
    for sort in sorts:
        parts = sort.split()
        direction = parts[1].lower() if len(parts) == 2 else "asc"
        if not 1 <= len(parts) <= 2 or parts[0] not in fields or direction not in ("asc", "desc"):
            raise invalid_query(
                f"sort: {sort!r} must be '<field> asc' or '<field> desc' with field one of "
                + ", ".join(sorted(fields))
            )
        parsed.append((parts[0], direction == "desc"))
    for name, descending in reversed(parsed):
        items = sorted(items, key=_sort_key(name), reverse=descending)
    return items


def page(
    items: list[JsonObject], params: Mapping[str, str], sorts: Sequence[str], fields: frozenset[str]
) -> JsonObject:
    """A paged result; the stored dicts themselves, not copies (the caller serialises once)."""
    limit = _integer(params, "limit", rules.DEFAULT_LIMIT, rules.MAX_LIMIT)
    offset = _integer(params, "offset", 0, rules.MAX_OFFSET)
    ordered = _sorted(items, sorts, fields) if sorts else items
    results = ordered[offset : offset + limit]
    return {
        "limit": limit,
        "offset": offset,
        "count": len(results),
        "total": len(items),
        "results": results,
    }


def _types_filter(types: Sequence[str]) -> set[str]:
    for item in types:
        if item not in rules.INTEGRATION_TYPES:
            raise invalid_query(f"integrationTypes: {item!r} is not an integration type")
    return set(types)


def query(
    project: Project, params: Mapping[str, str], sorts: Sequence[str], types: Sequence[str]
) -> JsonObject:
    """GET /connectors/drafts: filters `isPrivate` and `integrationTypes` (any of), paging, sort."""
    is_private = _boolean(params, "isPrivate")
    wanted = _types_filter(types)
    items: list[JsonObject] = list(project.connectors.values())
    if is_private is not None:
        items = [c for c in items if c["private"] is is_private]
    if wanted:
        items = [c for c in items if wanted.intersection(c["integrationTypes"])]
    return page(items, params, sorts, rules.SORT_FIELDS)


def search(
    project: Project, params: Mapping[str, str], sorts: Sequence[str], types: Sequence[str]
) -> JsonObject:
    """GET /connectors/search over published Connectors: text, private, key, id, types."""
    private = _boolean(params, "private")
    wanted = _types_filter(types)
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
    return page(items, params, sorts, rules.SORT_FIELDS)


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
