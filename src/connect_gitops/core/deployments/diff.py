"""What differs between a deployment declaration and the live deployment, as plan fields.

Paths are the declaration's own (``configurations.service.standardConfiguration.LOG_LEVEL``), so
reports point at what to edit. Only declared values are compared: undeclared applications and
keys are not managed, and secured values cannot be read back, so they are never compared.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from connect_gitops.core.deployments.declarations import DeploymentDeclaration
from connect_gitops.core.deployments.live import ConnectorFacts, Deployment
from connect_gitops.core.plan import FieldChange

SECURED_KEY_VALUE = "(not shown: the connector declares this key secured)"
"""Stands for a value written under ``standardConfiguration`` for a key the connector declares
secured: probably a secret in the wrong map. The change is blocked, and no report repeats it."""
_STANDARD = ".standardConfiguration."


def immutable_differences(
    declaration: DeploymentDeclaration, live: Deployment
) -> list[FieldChange]:
    """Type, region and connector: what no update action changes. Unknown live ones match."""
    pairs = [
        ("type", live.deployment_type, declaration.type),
        ("region", live.deployedRegion, declaration.region),
        ("connector.key", live.connector.key, declaration.connector.key),
        ("connector.id", live.connector.id, declaration.connector.id),
    ]
    return [
        FieldChange(path=path, before=before, after=after)
        for path, before, after in pairs
        if before is not None and after is not None and before != after
    ]


def value_differences(declaration: DeploymentDeclaration, live: Deployment) -> list[FieldChange]:
    """Each declared standard value and schedule that differs from the live one."""
    fields: list[FieldChange] = []
    if declaration.globalConfiguration is not None:
        live_global = live.globalConfiguration.standard() if live.globalConfiguration else {}
        fields += _differences(
            "globalConfiguration",
            declaration.globalConfiguration.standardConfiguration,
            live_global,
        )
    for name in sorted(declaration.configurations):
        values = declaration.configurations[name]
        application = live.application(name)
        live_values = application.standard() if application else {}
        fields += _differences(f"configurations.{name}", values.standardConfiguration, live_values)
        live_schedule = application.schedule if application else None
        if values.schedule is not None and values.schedule != live_schedule:
            path = f"configurations.{name}.schedule"
            fields.append(FieldChange(path=path, before=live_schedule, after=values.schedule))
    return fields


def _differences(
    where: str, declared: Mapping[str, str], live: Mapping[str, str]
) -> list[FieldChange]:
    return [
        FieldChange(
            path=f"{where}.standardConfiguration.{key}", before=live.get(key), after=declared[key]
        )
        for key in sorted(declared)
        if live.get(key) != declared[key]
    ]


def declared_fields(declaration: DeploymentDeclaration, *, immutable: bool) -> list[FieldChange]:
    """What a create sets, for reports: identity fields, then every declared value."""
    ref = declaration.connector
    pairs: list[tuple[str, Any]] = []
    if immutable:
        pairs += [("type", declaration.type), ("region", declaration.region)]
        pairs += [("connector.key", ref.key), ("connector.id", ref.id)]
    pairs.append(("connector.version", ref.version))
    fields = [FieldChange(path=p, after=v) for p, v in pairs if v is not None]
    empty: Mapping[str, str] = {}
    if declaration.globalConfiguration is not None:
        standard = declaration.globalConfiguration.standardConfiguration
        fields += _differences("globalConfiguration", standard, empty)
    for name in sorted(declaration.configurations):
        values = declaration.configurations[name]
        fields += _differences(f"configurations.{name}", values.standardConfiguration, empty)
        if values.schedule is not None:
            fields.append(
                FieldChange(path=f"configurations.{name}.schedule", after=values.schedule)
            )
    return fields


def without_secured_values(
    fields: list[FieldChange], secured: Mapping[str, Collection[str]]
) -> list[FieldChange]:
    """``fields`` with the values of standard keys that are ``secured`` (by where a declaration
    writes them, :func:`secured_keys`) replaced by :data:`SECURED_KEY_VALUE`, before and after."""
    shown: list[FieldChange] = []
    for field in fields:
        where, standard, key = field.path.rpartition(_STANDARD)
        if standard and key in secured.get(where, ()):
            hidden = {"after": SECURED_KEY_VALUE}
            if field.before is not None:
                hidden["before"] = SECURED_KEY_VALUE
            field = field.model_copy(update=hidden)
        shown.append(field)
    return shown


def secured_keys(*facts: ConnectorFacts | None) -> dict[str, set[str]]:
    """Every key any of ``facts`` declares secured, by where a declaration writes it."""
    merged: dict[str, set[str]] = {}
    for known in facts:
        if known is not None:
            for where, keys in known.secured_keys().items():
                merged.setdefault(where, set()).update(keys)
    return merged
