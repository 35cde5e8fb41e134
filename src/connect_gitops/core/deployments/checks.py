"""Checks of a deployment declaration against the connector it deploys, before any write.

The API would refuse the same mistakes, but only at apply time and one at a time; here each
becomes a ``blocked`` change whose reason names every application and key at once, with the fix.
Pure: the caller gives the connector's facts (what its applications accept).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping
from typing import Literal

from connect_gitops.core.deployments.declarations import (
    ApplicationValues,
    DeploymentDeclaration,
    GlobalValues,
)
from connect_gitops.core.deployments.live import (
    ApplicationFacts,
    ConfigurationKey,
    ConnectorFacts,
    Deployment,
)

Sent = Literal["create", "redeploy"]
"""A create sends every application; a redeploy keeps the live values of what it leaves out."""


def type_mismatch(declaration: DeploymentDeclaration) -> str | None:
    """``staged`` and ``type`` must agree: a staged connector deploys as preview only."""
    staged = declaration.connector.staged
    if staged and declaration.type != "preview":
        return (
            f"type {declaration.type} needs the published connector: set connector.staged: "
            "false, or type: preview to deploy the staged connector"
        )
    if not staged and declaration.type == "preview":
        return (
            "type preview deploys the staged connector: set connector.staged: true, "
            "or type: sandbox / production to deploy the published connector"
        )
    return None


def deployable(declaration: DeploymentDeclaration, facts: ConnectorFacts) -> list[str]:
    """Region and previewability: what a create (or a move to the latest) needs."""
    problems: list[str] = []
    regions = facts.supportedRegions
    if regions and declaration.region not in regions:
        problems.append(
            f"region {declaration.region} is not among connector {_name(facts)}'s "
            f"supportedRegions ({', '.join(regions)}): deploy to one of them, or add it "
            "to the connector"
        )
    if declaration.connector.staged and facts.isPreviewable != "true":
        problems.append(
            f"connector {_name(facts)} is not previewable (isPreviewable: "
            f"{facts.isPreviewable or 'none'}): request a preview first (reconcile.preview "
            "on the connector, or apply --preview)"
        )
    return problems


def configuration_problems(
    declaration: DeploymentDeclaration,
    facts: ConnectorFacts,
    *,
    sent: Sent,
    live: Deployment | None = None,
) -> list[str]:
    """Unknown applications and keys, missing required keys, schedules on non-jobs; none when
    the connector's configurations are unknown (:attr:`ConnectorFacts.knows_configurations`)."""
    if not facts.knows_configurations:
        return []
    problems: list[str] = []
    known = [application.applicationName for application in facts.configurations]
    for name in sorted(declaration.configurations):
        application = facts.application(name)
        if application is None:
            problems.append(
                f"configurations.{name}: connector {_name(facts)} has no application "
                f"{name}{_hint(name, known)}"
            )
            continue
        values = declaration.configurations[name]
        problems += _application_problems(name, values, application)
    for application in facts.configurations:
        if sent == "create" or application.applicationName in declaration.configurations:
            problems += _missing_required(
                f"configurations.{application.applicationName}",
                declaration.configurations.get(application.applicationName),
                application.standardConfiguration,
                application.securedConfiguration,
                _live_keys(live, application.applicationName),
            )
    problems += _global_problems(declaration, facts, sent=sent, live=live)
    return problems


def _application_problems(
    name: str, values: ApplicationValues, facts: ApplicationFacts
) -> list[str]:
    where = f"configurations.{name}"
    problems = _unknown_keys(where, values, facts.standardConfiguration, facts.securedConfiguration)
    kind = facts.applicationType
    if values.schedule is not None and kind is not None and kind != "job":
        problems.append(
            f"{where}.schedule: only job applications have a schedule ({name} is a {kind}): "
            "remove it"
        )
    return problems


def _global_problems(
    declaration: DeploymentDeclaration,
    facts: ConnectorFacts,
    *,
    sent: Sent,
    live: Deployment | None,
) -> list[str]:
    declared = declaration.globalConfiguration
    known = facts.globalConfiguration
    standard = known.standardConfiguration if known else []
    secured = known.securedConfiguration if known else []
    problems = []
    if declared is not None:
        problems += _unknown_keys("globalConfiguration", declared, standard, secured)
    if sent == "create" or declared is not None:
        live_keys: set[str] = set()
        if live is not None and live.globalConfiguration is not None:
            live_keys = set(live.globalConfiguration.standard())
            live_keys |= {entry.key for entry in live.globalConfiguration.securedConfiguration}
        problems += _missing_required("globalConfiguration", declared, standard, secured, live_keys)
    return problems


def _secured_as_standard(where: str, key: str) -> str:
    return (
        f"{where}.standardConfiguration.{key}: {key} is a secured key: move it to "
        "securedConfiguration as {fromEnv: VARIABLE}"
    )


def misplaced_secrets(
    declaration: DeploymentDeclaration, secured: Mapping[str, Collection[str]]
) -> list[str]:
    """Standard values for keys the connector declares secured (``secured``, by where they are
    written): a secret in the wrong map, blocked even where nothing else can be checked."""
    maps: list[tuple[str, ApplicationValues | GlobalValues]] = []
    if declaration.globalConfiguration is not None:
        maps.append(("globalConfiguration", declaration.globalConfiguration))
    maps += [(f"configurations.{name}", v) for name, v in declaration.configurations.items()]
    return [
        _secured_as_standard(where, key)
        for where, values in sorted(maps, key=lambda pair: pair[0])
        for key in sorted(values.standardConfiguration)
        if key in secured.get(where, ())
    ]


def _unknown_keys(
    where: str,
    values: ApplicationValues | GlobalValues,
    standard: Iterable[ConfigurationKey],
    secured: Iterable[ConfigurationKey],
) -> list[str]:
    standard_keys = [entry.key for entry in standard]
    secured_keys = [entry.key for entry in secured]
    problems = []
    for key in sorted(values.standardConfiguration):
        if key in secured_keys:
            problems.append(_secured_as_standard(where, key))
        elif key not in standard_keys:
            problems.append(
                f"{where}.standardConfiguration.{key}: unknown key{_hint(key, standard_keys)}"
            )
    for key in sorted(values.securedConfiguration):
        if key in standard_keys:
            problems.append(
                f"{where}.securedConfiguration.{key}: {key} is a standard key: move it to "
                "standardConfiguration"
            )
        elif key not in secured_keys:
            problems.append(
                f"{where}.securedConfiguration.{key}: unknown key{_hint(key, secured_keys)}"
            )
    return problems


def _missing_required(
    where: str,
    values: ApplicationValues | GlobalValues | None,
    standard: Iterable[ConfigurationKey],
    secured: Iterable[ConfigurationKey],
    live_keys: set[str],
) -> list[str]:
    """Required keys without a default that neither the declaration nor the live state gives;
    a required standard value declared empty counts as missing too."""
    declared_standard: Mapping[str, str] = values.standardConfiguration if values else {}
    declared_secured = values.securedConfiguration if values else {}
    problems = []
    for entry in standard:
        given = declared_standard.get(entry.key)
        if entry.required and given == "":
            problems.append(
                f"{where}.standardConfiguration.{entry.key}: is required, so it cannot be empty"
            )
        elif entry.needs_value and given is None and entry.key not in live_keys:
            problems.append(
                f"{where}: required key {entry.key} is missing: add it to standardConfiguration"
            )
    for entry in secured:
        if entry.required and entry.key not in declared_secured and entry.key not in live_keys:
            problems.append(
                f"{where}: required key {entry.key} is missing: add it to securedConfiguration "
                "as {fromEnv: VARIABLE}"
            )
    return problems


def _live_keys(live: Deployment | None, application: str) -> set[str]:
    found = live.application(application) if live is not None else None
    if found is None:
        return set()
    return set(found.standard()) | {entry.key for entry in found.securedConfiguration}


def _hint(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if close:
        return f": did you mean {close[0]}?"
    if candidates:
        return f" (known: {', '.join(sorted(candidates))})"
    return " (it has none)"


def _name(facts: ConnectorFacts) -> str:
    return facts.key if facts.key is not None else f"id={facts.id}"


def undeclared_secrets(declaration: DeploymentDeclaration, live: Deployment) -> str | None:
    """Secured values set on the live deployment that the declaration does not declare.

    A redeploy sends every application with both of its lists, and the API replaces an
    application's values with the ones sent (it refuses a redeploy that leaves an application
    out). Secured values cannot be read back, so a redeploy would clear any that git does not
    hold: refuse, naming them, rather than take a running connector's secrets away.
    """
    unknown: list[str] = []
    if live.globalConfiguration is not None:
        declared_global = declaration.globalConfiguration
        known = set(declared_global.securedConfiguration) if declared_global else set()
        unknown += sorted(
            f"globalConfiguration.{s.key}"
            for s in live.globalConfiguration.securedConfiguration
            if s.key not in known
        )
    for application in sorted(live.applications, key=lambda a: a.applicationName):
        declared = declaration.configurations.get(application.applicationName)
        known = set(declared.securedConfiguration) if declared else set()
        unknown += sorted(
            f"{application.applicationName}.{s.key}"
            for s in application.securedConfiguration
            if s.key not in known
        )
    if not unknown:
        return None
    return (
        f"a redeploy would clear secured values git does not hold ({', '.join(unknown)}): "
        "declare each as {fromEnv: VARIABLE} (export writes them so)"
    )
