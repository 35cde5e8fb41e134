"""A deployment's configuration values against the connector's `configurations` and
`globalConfiguration` (derived from connect.yaml): the Deployment* error codes of the RAML.

Secured values are hashed on the way in (`valueSha256`); the emulator never keeps them in clear.
A required key is satisfied by a non-empty value or by its connect.yaml default. The RAML names
no code for a missing required application key: the emulator answers InvalidJsonInput naming it.

Every connect.yaml deploys at least one application, and Connect lists each one in
`configurations`, so a connector whose `configurations` is empty never had its connect.yaml read
(a repository the emulator cannot reach, such as github.com, without a `connectYaml` setting).
What it accepts is unknown: a deployment of it may configure any application and key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from connect_gitops.emulator.errors import ApiError, JsonObject, connect_error, invalid_json

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
KINDS = (("standardConfiguration", "standard"), ("securedConfiguration", "secret"))


def hashed(values: list[JsonObject]) -> list[JsonObject]:
    """Secured values as stored: the key and a hash of the value."""
    return [
        {"key": v["key"], "valueSha256": hashlib.sha256(v["value"].encode()).hexdigest()}
        for v in values
    ]


def configurations_known(connector: JsonObject) -> bool:
    """Whether the connector's configurations were read from its connect.yaml (see above)."""
    return bool(connector.get("configurations"))


def _spec(connector: JsonObject, name: str) -> JsonObject | None:
    return next(
        (a for a in connector.get("configurations") or [] if a["applicationName"] == name), None
    )


def _names(deployment: JsonObject) -> set[str]:
    return {a["applicationName"] for a in deployment.get("applications", [])}


def _keys(entries: Iterable[JsonObject]) -> set[str]:
    return {entry["key"] for entry in entries}


def _not_included(deployment: JsonObject, name: str) -> ApiError:
    return connect_error(
        "DeploymentApplicationDoNotBelong",
        f"Deployment with id={deployment['id']} or key={deployment.get('key')} does not "
        f"include application: {name}",
    )


def check_application(
    connector: JsonObject,
    given: JsonObject,
    deployment: JsonObject | None = None,
    newer: JsonObject | None = None,
) -> None:
    """One application's values: the application and every key must be the connector's.

    On a redeploy (`deployment`), an application of the connector's newer version (`newer`)
    that the deployment does not run yet is DeploymentApplicationDoNotBelong: it joins only
    with `updateConnector`.
    """
    name = given["applicationName"]
    spec = _spec(connector, name)
    read = configurations_known(connector)
    exists = not read or spec is not None or (newer is not None and _spec(newer, name))
    if deployment is not None and exists and name not in _names(deployment):
        raise _not_included(deployment, name)
    if not read:
        return
    if spec is None:
        raise connect_error(
            "DeploymentUnknownApplicationConfiguration",
            f"Deployment does not require configuration for application named '{name}'.",
        )
    for field, kind in KINDS:
        known = _keys(spec.get(field, []))
        for entry in given[field]:
            if entry["key"] not in known:
                raise connect_error(
                    "DeploymentUnknownApplicationConfigurationKey",
                    f"Deployment does not require {kind} configuration with key "
                    f"{entry['key']} for application named {name}.",
                )
    if "schedule" in given and spec.get("applicationType") != "job":
        raise invalid_json(
            f"configurations: application {name!r} is a {spec.get('applicationType')} "
            "application: only job applications take a schedule"
        )


def _required(entries: Iterable[JsonObject]) -> list[str]:
    return [e["key"] for e in entries if e.get("required") and not e.get("default")]


def _filled(values: list[JsonObject]) -> set[str]:
    """Keys with a non-empty value: a clear one, or a hash that is not the hash of ""."""
    return {
        v["key"]
        for v in values
        if v.get("value", "") != "" or v.get("valueSha256", EMPTY_SHA256) != EMPTY_SHA256
    }


def check_required(connector: JsonObject, applications: list[JsonObject]) -> None:
    """Every required key of every application has a value (or a default)."""
    by_name = {a["applicationName"]: a for a in applications}
    for spec in connector.get("configurations") or []:
        app = by_name.get(spec["applicationName"], {})
        for field, kind in KINDS:
            present = _filled(app.get(field, []))
            for key in _required(spec.get(field, [])):
                if key not in present:
                    raise invalid_json(
                        f"configurations: application '{spec['applicationName']}' requires a "
                        f"non-empty {kind} configuration value for key {key}"
                    )


def check_global(connector: JsonObject, given: JsonObject) -> None:
    """Global values: every key must be one of the connector's global keys (when known)."""
    if not configurations_known(connector):
        return
    spec = connector.get("globalConfiguration") or {}
    for field, kind in KINDS:
        known = _keys(spec.get(field) or [])
        for entry in given[field]:
            if entry["key"] not in known:
                raise connect_error(
                    "DeploymentUnknownGlobalConfigurationKey",
                    f"Deployment global configuration does not require {kind} with key "
                    f"{entry['key']}.",
                )


def check_global_required(connector: JsonObject, values: JsonObject | None) -> None:
    """Required global keys: missing and empty are two different errors."""
    spec = connector.get("globalConfiguration") or {}
    for field, kind in KINDS:
        entries = (values or {}).get(field, [])
        present = _keys(entries)
        filled = _filled(entries)
        for key in _required(spec.get(field) or []):
            if key not in present:
                raise connect_error(
                    "DeploymentMissingGlobalConfigurationKey",
                    f"Deployment global configuration requires {kind} with key {key}.",
                )
            if key not in filled:
                raise connect_error(
                    "DeploymentEmptyRequiredGlobalConfigurationKey",
                    f"Deployment requires a non empty value for {kind} global configuration "
                    f"with key {key}.",
                )


def merged(
    current: list[JsonObject], given: list[JsonObject], *, replace: bool
) -> list[JsonObject]:
    """The values after a redeploy: the given list, or the current one updated key by key."""
    if replace:
        return list(given)
    by_key = {v["key"]: v for v in current}
    by_key.update({v["key"]: v for v in given})
    return list(by_key.values())


def known_only(values: list[JsonObject], spec_entries: Iterable[JsonObject]) -> list[JsonObject]:
    """Values whose keys the (new) connector still has; used when a redeploy moves versions."""
    known = _keys(spec_entries)
    return [v for v in values if v["key"] in known]
