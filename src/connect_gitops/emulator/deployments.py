"""Deployment create, query and delete on one project: the API's rules, no HTTP (section 9).

Stored deployments keep secured values as hashes; `deployment_view.render` makes the wire form.
A deployment runs every application of its connector: those the draft leaves out run with no
values (allowed when they have no required key without a default). Redeploy is in
`deployment_redeploy`.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from connect_gitops.emulator import deployment_configuration as config
from connect_gitops.emulator import deployment_connectors, deployment_drafts, paging, rules
from connect_gitops.emulator.auth import Grant
from connect_gitops.emulator.context import Context
from connect_gitops.emulator.deployment_lifecycle import queue, undeploy
from connect_gitops.emulator.errors import (
    ApiError,
    JsonObject,
    concurrent_modification,
    connect_error,
    insufficient_scope,
    invalid_query,
    not_found,
)
from connect_gitops.emulator.store import Project, State, timestamp

FailingApplication = Callable[[list[str]], str | None]
"""Given a build's application names, the one whose build fails (from the faults), or None."""


def find(project: Project, *, id: str | None = None, key: str | None = None) -> JsonObject:
    found = project.find_deployment(id=id, key=key)
    if found is None:
        raise not_found(f"key '{key}'" if key is not None else f"ID '{id}'")
    return found


def names(deployment: JsonObject) -> list[str]:
    return [a["applicationName"] for a in deployment["applications"]]


def _type(
    draft: JsonObject, target: deployment_connectors.Target, project: str, context: Context
) -> str:
    kind: str = draft["type"] or ("preview" if target.staged else "sandbox")
    allowed = ("preview",) if target.staged else ("sandbox", "production")
    if kind not in allowed:
        raise connect_error(
            "DeploymentInvalidType",
            f"The Connector id={target.copy['id']} or key={target.copy.get('key')} cannot be "
            f"deployed as a '{kind}' type. Only '{', '.join(allowed)}' types are allowed.",
        )
    production = context.settings.productionProjects
    if kind == "production" and production is not None and project not in production:
        raise connect_error(
            "DeploymentProductionDeactivated",
            "Deployments to production are disabled for this Project. "
            "Please contact support to enable production deployments.",
        )
    return kind


def application(
    spec: JsonObject, given: JsonObject | None, schedules: Mapping[str, str]
) -> JsonObject:
    name = spec["applicationName"]
    app: JsonObject = {
        "id": str(uuid.uuid4()),
        "applicationName": name,
        "standardConfiguration": list(given["standardConfiguration"]) if given else [],
        "securedConfiguration": config.hashed(given["securedConfiguration"]) if given else [],
    }
    schedule = (given or {}).get("schedule") or schedules.get(name)
    # A job, or an application of unknown type (connect.yaml not read) given a schedule.
    if spec.get("applicationType", "job") == "job" and schedule is not None:
        app["schedule"] = schedule
    return app


def hashed_global(given: JsonObject) -> JsonObject:
    return {
        "standardConfiguration": list(given["standardConfiguration"]),
        "securedConfiguration": config.hashed(given["securedConfiguration"]),
    }


def create(
    state: State,
    grant: Grant,
    body: Any,
    context: Context,
    failing: FailingApplication,
) -> JsonObject:
    """A new deployment from a DeploymentDraft: version 1, Queued."""
    draft = deployment_drafts.draft(body)
    project = state.project(grant.project)
    key = draft["key"]
    if key is not None and key in project.deployment_keys:
        raise ApiError(
            400,
            "DuplicateField",
            f"A duplicate value '\"{key}\"' exists for field 'key'.",
            extra={"field": "key", "duplicateValue": key},
        )
    target = deployment_connectors.resolve(state, grant.project, draft["connector"])
    connector = target.copy
    kind = _type(draft, target, grant.project, context)
    region = draft["region"]
    if connector.get("supportedRegions") and region not in connector["supportedRegions"]:
        raise connect_error(
            "DeploymentUnsupportedRegion", f"Deployment unsupported region {region}"
        )
    if target.api_client is not None and not grant.allows(rules.API_CLIENT_SCOPES):
        raise insufficient_scope(f"manage_api_clients:{grant.project}")
    if not draft["configurations"]:
        raise connect_error(
            "DeploymentApplicationRequired", "A Deployment requires at least one application"
        )
    for given in draft["configurations"]:
        config.check_application(connector, given)
    given_by_name = {a["applicationName"]: a for a in draft["configurations"]}
    schedules = context.check_repository(**connector["repository"]).specification.schedules
    # Unknown configurations (connect.yaml not read): the deployment runs what the draft names.
    known = config.configurations_known(connector)
    specs = connector["configurations"] if known else draft["configurations"]
    applications = [
        application(spec, given_by_name.get(spec["applicationName"]), schedules) for spec in specs
    ]
    config.check_required(connector, applications)
    global_values = draft["globalConfiguration"]
    if global_values is not None:
        config.check_global(connector, global_values)
    stored_global = hashed_global(global_values) if global_values is not None else None
    config.check_global_required(connector, stored_global)
    created = timestamp(context.now)
    id = str(uuid.uuid4())
    deployment: JsonObject = {"id": id}
    if key is not None:
        deployment["key"] = key
    deployment.update(version=1, type=kind, connector=connector)
    if stored_global is not None:
        deployment["globalConfiguration"] = stored_global
    if target.api_client is not None:
        deployment["apiClient"] = {"name": f"connect-{key or id}", **target.api_client}
    deployment.update(
        details={},
        deployedRegion=region,
        applications=applications,
        preview=kind == "preview",
        status="Queued",
        createdAt=created,
        lastModifiedAt=created,
    )
    meta: JsonObject = {}
    queue(deployment, meta, context, failing(names(deployment)), skip_scripts=False)
    project.store_deployment(deployment)
    project.deployment_meta[id] = meta
    return deployment


def check_version(deployment: JsonObject, version: int) -> None:
    if version != deployment["version"]:
        raise concurrent_modification(deployment["id"], version, deployment["version"])


def delete(
    project: Project, deployment: JsonObject, version: str | None, context: Context
) -> JsonObject:
    """Undeploy: with status code 202 the deployment is Undeploying and gone after
    `deploySeconds` (its key stays taken until then); with 200 it is gone at once."""
    if version is not None:
        if not (version.isascii() and version.isdigit()):
            raise invalid_query(f"version: {version!r} is not an integer")
        check_version(deployment, int(version))
    if deployment["status"] == "Undeploying":
        raise connect_error(
            "DeploymentInvalidStatusTransition", "Invalid status change: Already undeploying"
        )
    if context.settings.deploymentDeleteStatusCode == 200:
        project.remove_deployment(deployment)
        return deployment
    working = copy.deepcopy(deployment)
    meta = project.deployment_meta.setdefault(working["id"], {})
    undeploy(working, meta, context)
    working["version"] += 1
    working["lastModifiedAt"] = timestamp(context.now)
    project.store_deployment(working)
    return working


def query(
    project: Project,
    params: Mapping[str, str],
    sorts: Sequence[str],
    types: Sequence[str],
) -> JsonObject:
    """GET /{projectKey}/deployments: filters `deploymentType` and `integrationTypes` (any of),
    paging, sort."""
    wanted = paging.types_filter(types)
    kind = params.get("deploymentType")
    if kind is not None and kind not in rules.DEPLOYMENT_TYPES:
        raise invalid_query(
            f"deploymentType: {kind!r} must be one of " + ", ".join(sorted(rules.DEPLOYMENT_TYPES))
        )
    items = list(project.deployments.values())
    if kind is not None:
        items = [d for d in items if d["type"] == kind]
    if wanted:
        items = [
            d for d in items if wanted.intersection(d["connector"].get("integrationTypes", []))
        ]
    return paging.page(items, params, sorts, rules.DEPLOYMENT_SORT_FIELDS)


def bump_version(deployment: JsonObject, context: Context) -> None:
    """A concurrent writer's change, injected by the `conflictRate` fault."""
    deployment["version"] += 1
    deployment["lastModifiedAt"] = timestamp(context.now)
