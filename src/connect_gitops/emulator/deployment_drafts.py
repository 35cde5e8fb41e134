"""The DeploymentDraft and the redeploy action, checked field by field as the RAML types them.

Shapes only: a missing required field, a wrong type or an unknown field is `InvalidJsonInput`
naming the field. Whether the values fit the connector is `deployment_configuration`'s job.
"""

from __future__ import annotations

from typing import Any

from connect_gitops.emulator import rules, validation
from connect_gitops.emulator.errors import JsonObject, invalid_json

DRAFT_FIELDS = frozenset(
    {"key", "type", "connector", "configurations", "globalConfiguration", "region"}
)
REFERENCE_FIELDS = frozenset({"id", "key", "staged", "version"})
APPLICATION_FIELDS = frozenset(
    {"applicationName", "standardConfiguration", "securedConfiguration", "schedule"}
)
VALUE_FIELDS = frozenset({"key", "value"})
GLOBAL_FIELDS = frozenset({"standardConfiguration", "securedConfiguration"})
UPDATE_FIELDS = frozenset({"version", "actions"})
REDEPLOY_FIELDS = frozenset(
    {"action", "configurationValues", "globalConfiguration", "updateConnector", "skipScripts"}
)
CRON_FIELDS = 5


def _object(value: Any, path: str, allowed: frozenset[str]) -> JsonObject:
    if value is None:
        raise validation.missing(path)
    if not isinstance(value, dict):
        raise validation.wrong(path, value, "an object")
    validation.known_fields(value, allowed, f"{path}." if path else "")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if value is None:
        raise validation.missing(path)
    if not isinstance(value, list):
        raise validation.wrong(path, value, "a list")
    return value


def _string(obj: JsonObject, field: str, path: str) -> str:
    value = obj.get(field)
    if value is None:
        raise validation.missing(path)
    if not isinstance(value, str):
        raise validation.wrong(path, value, "a string")
    return value


def _boolean(obj: JsonObject, field: str, path: str) -> bool:
    value = obj.get(field, False)
    if not isinstance(value, bool):
        raise validation.wrong(path, value, "true or false")
    return value


def values(value: Any, path: str) -> list[JsonObject]:
    """ConfigurationValue[]: `{key, value}` strings, each key once."""
    found: list[JsonObject] = []
    for index, item in enumerate(_list(value, path)):
        where = f"{path}[{index}]"
        item = _object(item, where, VALUE_FIELDS)
        pair = {"key": _string(item, "key", f"{where}.key")}
        pair["value"] = _string(item, "value", f"{where}.value")
        if any(p["key"] == pair["key"] for p in found):
            raise invalid_json(f"{where}.key: Duplicate value {pair['key']!r}")
        found.append(pair)
    return found


def _schedule(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.isprintable():
        raise validation.wrong(path, value, "a cron expression")
    if len(value.split()) != CRON_FIELDS:
        raise validation.wrong(path, value, "a cron expression of 5 fields")
    return value


def application(value: Any, path: str) -> JsonObject:
    """DeploymentConfigurationApplication; both value lists are required, `schedule` is not."""
    item = _object(value, path, APPLICATION_FIELDS)
    found: JsonObject = {
        "applicationName": _string(item, "applicationName", f"{path}.applicationName"),
        "standardConfiguration": values(
            item.get("standardConfiguration"), f"{path}.standardConfiguration"
        ),
        "securedConfiguration": values(
            item.get("securedConfiguration"), f"{path}.securedConfiguration"
        ),
    }
    if item.get("schedule") is not None:
        found["schedule"] = _schedule(item["schedule"], f"{path}.schedule")
    return found


def applications(value: Any, path: str) -> list[JsonObject]:
    found: list[JsonObject] = []
    for index, item in enumerate(_list(value, path)):
        app = application(item, f"{path}[{index}]")
        if any(a["applicationName"] == app["applicationName"] for a in found):
            raise invalid_json(
                f"{path}[{index}].applicationName: Duplicate value {app['applicationName']!r}"
            )
        found.append(app)
    return found


def global_configuration(value: Any, path: str) -> JsonObject | None:
    """DeploymentGlobalConfiguration: both lists optional."""
    if value is None:
        return None
    item = _object(value, path, GLOBAL_FIELDS)
    return {
        name: values(item[name], f"{path}.{name}") if item.get(name) is not None else []
        for name in ("standardConfiguration", "securedConfiguration")
    }


def reference(value: Any) -> JsonObject:
    """ConnectorReference: `id` or `key` (at least one), `staged`, `version`."""
    item = _object(value, "connector", REFERENCE_FIELDS)
    found: JsonObject = {"staged": _boolean(item, "staged", "connector.staged")}
    for field in ("id", "key"):
        if item.get(field) is not None:
            found[field] = _string(item, field, f"connector.{field}")
    if "id" not in found and "key" not in found:
        raise invalid_json("connector: Either id or key is required")
    version = item.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise validation.wrong("connector.version", version, "an integer")
    found["version"] = version
    return found


def draft(body: Any) -> JsonObject:
    """A DeploymentDraft: `connector`, `configurations` and `region` required."""
    if not isinstance(body, dict):
        raise invalid_json("body: expected a JSON object")
    validation.known_fields(body, DRAFT_FIELDS)
    item: JsonObject = body
    key = item.get("key")
    kind = item.get("type")
    if kind is not None and kind not in rules.DEPLOYMENT_TYPES:
        raise validation.wrong("type", kind, "one of " + ", ".join(sorted(rules.DEPLOYMENT_TYPES)))
    region = item.get("region")
    if region is None:
        raise validation.missing("region")
    if region not in rules.REGIONS:
        raise validation.wrong("region", region, "one of " + ", ".join(sorted(rules.REGIONS)))
    return {
        "key": None if key is None else validation.key(key, "key"),
        "type": kind,
        "connector": reference(item.get("connector")),
        "configurations": applications(item.get("configurations"), "configurations"),
        "globalConfiguration": global_configuration(
            item.get("globalConfiguration"), "globalConfiguration"
        ),
        "region": region,
    }


def redeploy(action: JsonObject, path: str) -> JsonObject:
    """DeploymentRedeployAction: every field optional. `globalConfiguration` takes values
    (`{key, value}`), as a redeploy means; the RAML types it ConnectorGlobalConfiguration."""
    validation.known_fields(action, REDEPLOY_FIELDS, f"{path}.")
    given = action.get("configurationValues")
    return {
        "configurationValues": None
        if given is None
        else applications(given, f"{path}.configurationValues"),
        "globalConfiguration": global_configuration(
            action.get("globalConfiguration"), f"{path}.globalConfiguration"
        ),
        "updateConnector": _boolean(action, "updateConnector", f"{path}.updateConnector"),
        "skipScripts": _boolean(action, "skipScripts", f"{path}.skipScripts"),
    }


def update(body: Any) -> tuple[int, list[JsonObject]]:
    """A DeploymentUpdate: the version and its redeploy actions."""
    if not isinstance(body, dict):
        raise invalid_json("body: expected a JSON object")
    validation.known_fields(body, UPDATE_FIELDS)
    version = body.get("version")
    if version is None:
        raise validation.missing("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise invalid_json("version: expected an integer")
    actions = body.get("actions")
    if actions is None:
        raise validation.missing("actions")
    if not isinstance(actions, list):
        raise invalid_json("actions: expected a list")
    found: list[JsonObject] = []
    for index, action in enumerate(actions):
        path = f"actions[{index}]"
        if not isinstance(action, dict):
            raise invalid_json(f"{path}: expected an object")
        if action.get("action") != "redeploy":
            raise invalid_json(f"{path}.action: Unknown update action {action.get('action')!r}")
        found.append(redeploy(action, path))
    return version, found
