"""A deployment's request bodies: the DeploymentDraft and the ``redeploy`` action, in wire form.

Planned bodies never hold a secured value: the plan lists the variables' names
(:class:`~connect_gitops.core.plan.SecuredValue`), and :func:`draft_with_secrets` /
:func:`actions_with_secrets` merge the values in just before apply sends them.

A redeploy carries every application of the deployment (the API refuses one that leaves an
application out) and, for each, the live standard values of the keys the declaration does not
manage: whether the API merges or replaces an application's values, the unmanaged ones stay.
Planned actions carry no ``securedConfiguration``; the request sent does, on every application
(the declared values, else an empty list), because the RAML's DeploymentConfigurationApplication
requires both lists.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from connect_gitops.core.actions import (
    ApplicationConfiguration,
    ConfigurationValue,
    GlobalConfiguration,
    Redeploy,
    to_wire,
)
from connect_gitops.core.deployments.declarations import DeploymentDeclaration
from connect_gitops.core.deployments.live import ConfigurationKey, ConnectorFacts, Deployment
from connect_gitops.core.plan import Change, SecuredValue

_WIRE = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class DraftConnector(BaseModel):
    """ConnectorReference: by key or id, staged or published, at a version."""

    model_config = _WIRE
    key: str | None = None
    id: str | None = None
    staged: bool = False
    version: int | None = None


class DeploymentDraft(BaseModel):
    """The body of a create; ``model_dump(mode="json", exclude_none=True)`` is the wire form."""

    model_config = _WIRE
    key: str
    type: str
    connector: DraftConnector
    region: str
    configurations: list[ApplicationConfiguration]
    globalConfiguration: GlobalConfiguration | None = None


class MissingVariables(ValueError):
    """Secured values whose environment variables are not set; names only, never values."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = sorted(set(names))
        listed = ", ".join(self.names)
        plural = "s" if len(self.names) != 1 else ""
        super().__init__(f"environment variable{plural} {listed} not set: not sent")


def secured_values(declaration: DeploymentDeclaration) -> list[SecuredValue]:
    """Every declared secured value by name: the global block first, then by application."""
    found: list[SecuredValue] = []
    if declaration.globalConfiguration is not None:
        secured = declaration.globalConfiguration.securedConfiguration
        found += [
            SecuredValue(application=None, key=k, fromEnv=secured[k].fromEnv)
            for k in sorted(secured)
        ]
    for name in sorted(declaration.configurations):
        secured = declaration.configurations[name].securedConfiguration
        found += [
            SecuredValue(application=name, key=k, fromEnv=secured[k].fromEnv)
            for k in sorted(secured)
        ]
    return found


def deployment_draft(
    declaration: DeploymentDeclaration, facts: ConnectorFacts | None, *, version: int | None
) -> dict[str, Any]:
    """The DeploymentDraft: every application of the connector (the declared ones with their
    values), the connector as declared, at ``version`` (``None``: the latest when applied)."""
    ref = declaration.connector
    names = set(declaration.configurations)
    if facts is not None:
        names |= {application.applicationName for application in facts.configurations}
    applications = []
    for name in sorted(names):
        declared = declaration.configurations.get(name)
        applications.append(
            ApplicationConfiguration(
                applicationName=name,
                standardConfiguration=_values(declared.standardConfiguration if declared else {}),
                securedConfiguration=[],
                schedule=declared.schedule if declared else None,
            )
        )
    global_values = None
    if declaration.globalConfiguration is not None:
        global_values = GlobalConfiguration(
            standardConfiguration=_values(declaration.globalConfiguration.standardConfiguration),
            securedConfiguration=[],
        )
    body = DeploymentDraft(
        key=declaration.key,
        type=declaration.type,
        connector=DraftConnector(key=ref.key, id=ref.id, staged=ref.staged, version=version),
        region=declaration.region,
        configurations=applications,
        globalConfiguration=global_values,
    )
    return body.model_dump(mode="json", exclude_none=True)


def redeploy_action(
    declaration: DeploymentDeclaration,
    live: Deployment,
    accepted: ConnectorFacts | None,
    *,
    update_connector: bool,
) -> Redeploy:
    """The redeploy action: declared values over the live ones, for every application.

    ``accepted``: the latest connector when the redeploy moves to it; live values of keys it no
    longer knows are dropped. ``None`` keeps every live value (the running version took them).
    """
    names = {application.applicationName for application in live.applications}
    names |= {n for n in declaration.configurations if accepted is None or accepted.application(n)}
    applications = []
    for name in sorted(names):
        live_application = live.application(name)
        values = live_application.standard() if live_application else {}
        facts = accepted.application(name) if accepted else None
        if accepted is not None:
            values = _known(values, facts.standardConfiguration if facts else [])
        declared = declaration.configurations.get(name)
        if declared is not None:
            values |= declared.standardConfiguration
        applications.append(
            ApplicationConfiguration(
                applicationName=name,
                standardConfiguration=_values(values),
                schedule=declared.schedule if declared else None,
            )
        )
    return Redeploy(
        configurationValues=applications,
        globalConfiguration=_redeploy_global(declaration, live, accepted),
        updateConnector=True if update_connector else None,
    )


def _redeploy_global(
    declaration: DeploymentDeclaration, live: Deployment, accepted: ConnectorFacts | None
) -> GlobalConfiguration | None:
    """Only when declared: the declared global values over the live ones."""
    if declaration.globalConfiguration is None:
        return None
    values = live.globalConfiguration.standard() if live.globalConfiguration else {}
    if accepted is not None:
        known = accepted.globalConfiguration
        values = _known(values, known.standardConfiguration if known else [])
    values |= declaration.globalConfiguration.standardConfiguration
    return GlobalConfiguration(standardConfiguration=_values(values))


def _known(values: Mapping[str, str], keys: Iterable[ConfigurationKey]) -> dict[str, str]:
    accepted = {entry.key for entry in keys}
    return {key: value for key, value in values.items() if key in accepted}


def _values(values: Mapping[str, str]) -> list[ConfigurationValue]:
    return [ConfigurationValue(key=key, value=values[key]) for key in sorted(values)]


def draft_with_secrets(change: Change, values: Mapping[str, str]) -> dict[str, Any]:
    """The change's draft with its secured values from ``values`` (variable name -> value).

    Raises :class:`MissingVariables` when one is absent. The change itself is left as it was.
    """
    if change.draft is None:
        raise ValueError(f"{change.kind} of {change.key} has no draft")
    body = copy.deepcopy(change.draft)
    _merge(body, "configurations", body.get("globalConfiguration"), change.secured, values)
    return body


def actions_with_secrets(change: Change, values: Mapping[str, str]) -> list[dict[str, Any]]:
    """The change's actions in wire form, with the secured values merged into its redeploy;
    every application carries ``securedConfiguration`` (empty when none is declared): the API
    requires the list."""
    actions = to_wire(change.actions)
    for action in actions:
        if action.get("action") == "redeploy":
            merge_into = action.get("globalConfiguration")
            _merge(action, "configurationValues", merge_into, change.secured, values)
            for application in action["configurationValues"]:
                application.setdefault("securedConfiguration", [])
    return actions


def _merge(
    body: dict[str, Any],
    applications_field: str,
    global_block: dict[str, Any] | None,
    secured: Iterable[SecuredValue],
    values: Mapping[str, str],
) -> None:
    """Put each secured value into its application's (or the global) ``securedConfiguration``."""
    refs = list(secured)
    missing = [ref.fromEnv for ref in refs if ref.fromEnv not in values]
    if missing:
        raise MissingVariables(missing)
    applications = body.setdefault(applications_field, [])
    for ref in refs:
        entry = {"key": ref.key, "value": values[ref.fromEnv]}
        if ref.application is None:
            if global_block is None:
                global_block = body.setdefault("globalConfiguration", {})
            global_block.setdefault("securedConfiguration", []).append(entry)
            continue
        target = next((a for a in applications if a["applicationName"] == ref.application), None)
        if target is None:
            target = {"applicationName": ref.application, "standardConfiguration": []}
            applications.append(target)
        target.setdefault("securedConfiguration", []).append(entry)
