"""Adopting live deployments: the declaration that describes a live deployment as it runs.

Pure, like :mod:`connect_gitops.core.adoption` for connectors: ``export`` reads and writes,
this decides what. A new declaration holds the deployment's identity (type, region, the
connector by key, staged for a preview), the connector version it runs (pinned: an unpinned
declaration would move a deployment that runs an older version to the latest on the next
apply, which adopting must never do by surprise), every standard value as read, and each
secured key as ``{fromEnv: KEY}`` (the values cannot be read back, so the plan never compares
them, and apply reads the variable of that name). Schedules are left out: a live schedule may
be connect.yaml's own, and declaring it would freeze it.

An existing declaration keeps its scope: only what it declares is set to the live value, a
declared standard value or schedule that live no longer has is removed, and secured values
are left as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from connect_gitops.core.adoption import NO_LIVE_VALUE, AdoptionError, FieldEdit
from connect_gitops.core.deployments.declarations import (
    ApplicationValues,
    DeploymentDeclaration,
    GlobalValues,
)
from connect_gitops.core.deployments.live import Deployment, SecuredKey

NO_KEY = "has no key, so no declaration can name it"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def variable_for(key: str) -> str:
    """The environment variable a secured key is read from: the key itself, when it can be a
    variable's name (a key may start with a digit; a variable may not)."""
    return key if _ENV_NAME.fullmatch(key) else f"_{key}"


def new_deployment_declaration(live: Deployment, *, target: str | None = None) -> dict[str, Any]:
    """The document of a new declaration file for ``live``, in the documented field order.

    ``target`` is written as ``reconcile.target`` (pass it when it is not the default target).
    Raises :class:`AdoptionError` when the live values do not make a valid declaration.
    """
    if live.key is None:
        raise AdoptionError(f"deployment {live.id} {NO_KEY}")
    kind = live.deployment_type
    connector: dict[str, Any] = (
        {"key": live.connector.key} if live.connector.key is not None else {"id": live.connector.id}
    )
    connector["staged"] = kind == "preview"
    if live.connector.version is not None:
        connector["version"] = live.connector.version
    document: dict[str, Any] = {
        "kind": "Deployment",
        "key": live.key,
        "connector": connector,
        "type": kind,
        "region": live.deployedRegion,
    }
    configurations = {
        application.applicationName: values
        for application in live.applications
        if (values := _values(application.standard(), application.securedConfiguration))
    }
    if configurations:
        document["configurations"] = configurations
    if live.globalConfiguration is not None:
        values = _values(
            live.globalConfiguration.standard(), live.globalConfiguration.securedConfiguration
        )
        if values:
            document["globalConfiguration"] = values
    if target is not None:
        document["reconcile"] = {"target": target}
    validate_deployment(document)
    return document


def _values(standard: Mapping[str, str], secured: Sequence[SecuredKey]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if standard:
        values["standardConfiguration"] = dict(standard)
    if secured:
        values["securedConfiguration"] = {
            entry.key: {"fromEnv": variable_for(entry.key)} for entry in secured
        }
    return values


def deployment_edits(declared: DeploymentDeclaration, live: Deployment) -> list[FieldEdit]:
    """The edits that make what ``declared`` declares match ``live``, its scope kept."""
    edits: list[FieldEdit] = []

    def differs(path: tuple[str, ...], wanted: Any, value: Any) -> None:
        if value is not None and wanted != value:
            edits.append(FieldEdit(path, wanted, value))

    kind = live.deployment_type
    differs(("type",), declared.type, kind)
    differs(("region",), declared.region, live.deployedRegion)
    ref = declared.connector
    if ref.key is not None:
        differs(("connector", "key"), ref.key, live.connector.key)
    else:
        differs(("connector", "id"), ref.id, live.connector.id)
    if kind is not None:
        differs(("connector", "staged"), ref.staged, kind == "preview")
    if ref.version is not None:
        differs(("connector", "version"), ref.version, live.connector.version)
    for name in declared.configurations:
        application = live.application(name)
        where = ("configurations", name)
        edits += _value_edits(
            where, declared.configurations[name], application.standard() if application else {}
        )
        schedule = declared.configurations[name].schedule
        live_schedule = application.schedule if application else None
        if schedule is not None and live_schedule is None:
            edits.append(FieldEdit((*where, "schedule"), schedule, None, NO_LIVE_VALUE))
        elif schedule is not None:
            differs((*where, "schedule"), schedule, live_schedule)
    if declared.globalConfiguration is not None:
        live_global = live.globalConfiguration.standard() if live.globalConfiguration else {}
        edits += _value_edits(("globalConfiguration",), declared.globalConfiguration, live_global)
    return edits


def _value_edits(
    where: tuple[str, ...], values: ApplicationValues | GlobalValues, live: Mapping[str, str]
) -> list[FieldEdit]:
    edits = []
    for key, value in values.standardConfiguration.items():
        path = (*where, "standardConfiguration", key)
        if key not in live:
            edits.append(FieldEdit(path, value, None, NO_LIVE_VALUE))
        elif live[key] != value:
            edits.append(FieldEdit(path, value, live[key]))
    return edits


def validate_deployment(document: Mapping[str, Any]) -> DeploymentDeclaration:
    """``document`` as a deployment declaration, or :class:`AdoptionError` naming each field."""
    try:
        return DeploymentDeclaration.model_validate(dict(document))
    except ValidationError as error:
        reasons = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'declaration'}: {item['msg']}"
            for item in error.errors(include_input=False)
        )
        raise AdoptionError(
            f"the live values of deployment {document.get('key')!r} are not a valid "
            f"declaration: {reasons}"
        ) from None
