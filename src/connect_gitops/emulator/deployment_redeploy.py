"""The one deployment update action, `redeploy`, with its status rules (connect-api.md §9).

Allowed from Draft, Deployed, Failed and UndeployFailed. `configurationValues` replace or merge
an application's values (setting `redeployConfigurationValues`); `updateConnector` moves the
deployment to the connector's latest state first; every redeploy queues a new build.
"""

from __future__ import annotations

import copy
from typing import Any

from connect_gitops.emulator import deployment_configuration as config
from connect_gitops.emulator import deployment_connectors, deployment_drafts
from connect_gitops.emulator.context import Context
from connect_gitops.emulator.deployment_lifecycle import queue
from connect_gitops.emulator.deployments import (
    FailingApplication,
    application,
    check_version,
    hashed_global,
    names,
)
from connect_gitops.emulator.errors import ApiError, JsonObject, connect_error
from connect_gitops.emulator.store import State, timestamp

REDEPLOYABLE = frozenset({"Draft", "Deployed", "Failed", "UndeployFailed"})
ALREADY = {"Queued": "queued", "Deploying": "deploying", "Undeploying": "undeploying"}


def _moved(applications: list[JsonObject], connector: JsonObject) -> list[JsonObject]:
    """The applications after `updateConnector`: the new connector's, keeping the values of
    keys it still has; applications it dropped are gone, new ones start empty. A connector
    whose configurations are unknown (connect.yaml not read) keeps them as they are."""
    if not config.configurations_known(connector):
        return applications
    current = {a["applicationName"]: a for a in applications}
    moved: list[JsonObject] = []
    for spec in connector.get("configurations") or []:
        app = current.get(spec["applicationName"])
        if app is None:
            moved.append(application(spec, None, {}))
            continue
        kept = dict(app)
        for field, _ in config.KINDS:
            kept[field] = config.known_only(app[field], spec.get(field, []))
        moved.append(kept)
    return moved


def _newer(state: State, project: str, deployment: JsonObject) -> JsonObject | None:
    """The connector's latest state, if it can still be deployed (to tell an application that
    is not part of the deployment yet from one that does not exist)."""
    try:
        return deployment_connectors.latest(state, project, deployment).copy
    except ApiError:
        return None


def _redeploy(
    state: State,
    project: str,
    working: JsonObject,
    meta: JsonObject,
    action: JsonObject,
    context: Context,
    failing: FailingApplication,
) -> None:
    status = working["status"]
    if status not in REDEPLOYABLE:
        raise connect_error(
            "DeploymentInvalidStatusTransition",
            f"Invalid status change: Already {ALREADY.get(status, status.lower())}",
        )
    if action["updateConnector"]:
        target = deployment_connectors.latest(state, project, working)
        working["connector"] = target.copy
        working["applications"] = _moved(working["applications"], target.copy)
    connector = working["connector"]
    replace = context.settings.redeployConfigurationValues == "replace"
    given_apps = action["configurationValues"]
    if given_apps is not None and not given_apps:
        raise connect_error(
            "DeploymentApplicationRequired", "A Deployment requires at least one application"
        )
    newer = None if action["updateConnector"] or not given_apps else _newer(state, project, working)
    for given in given_apps or []:
        config.check_application(connector, given, working, newer)
        app = next(
            a for a in working["applications"] if a["applicationName"] == given["applicationName"]
        )
        app["standardConfiguration"] = config.merged(
            app["standardConfiguration"], given["standardConfiguration"], replace=replace
        )
        app["securedConfiguration"] = config.merged(
            app["securedConfiguration"],
            config.hashed(given["securedConfiguration"]),
            replace=replace,
        )
        if "schedule" in given:
            app["schedule"] = given["schedule"]
    config.check_required(connector, working["applications"])
    given_global = action["globalConfiguration"]
    if given_global is not None:
        config.check_global(connector, given_global)
        current = working.get("globalConfiguration") or {
            "standardConfiguration": [],
            "securedConfiguration": [],
        }
        new = hashed_global(given_global)
        working["globalConfiguration"] = {
            field: config.merged(current[field], new[field], replace=replace)
            for field, _ in config.KINDS
        }
    config.check_global_required(connector, working.get("globalConfiguration"))
    queue(working, meta, context, failing(names(working)), action["skipScripts"])


def update(
    state: State,
    project_name: str,
    deployment: JsonObject,
    body: Any,
    context: Context,
    failing: FailingApplication,
) -> JsonObject:
    """Apply a request's redeploy actions, all or none; a change raises the version by one."""
    version, actions = deployment_drafts.update(body)
    check_version(deployment, version)
    if not actions:
        return deployment
    project = state.project(project_name)
    working = copy.deepcopy(deployment)
    meta = copy.deepcopy(project.deployment_meta.get(deployment["id"], {}))
    for action in actions:
        _redeploy(state, project_name, working, meta, action, context, failing)
    working["version"] = deployment["version"] + 1
    working["lastModifiedAt"] = timestamp(context.now)
    project.store_deployment(working)
    project.deployment_meta[working["id"]] = meta
    return working
