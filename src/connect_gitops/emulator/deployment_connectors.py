"""Which connector a deployment names, whether this project may deploy it, and the copy of it
that the deployment keeps (the RAML's DeploymentConnector).

A reference is looked up in the deploying project first, then in every other project (the
creator's organisation need not be the client's project). Only projects named in the
connector's `privateProjects` may deploy a private connector or a previewable ConnectorStaged;
a certified (public) Connector is open to every project. `version`, when given, must be the
current one (of the ConnectorStaged for `staged`, else of the published Connector).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from connect_gitops.emulator.errors import ApiError, JsonObject, connect_error
from connect_gitops.emulator.store import Project, State

COPY_FIELDS = (
    "id",
    "key",
    "name",
    "description",
    "integrationTypes",
    "creator",
    "repository",
    "configurations",
    "globalConfiguration",
    "supportedRegions",
    "documentationUrl",
)


@dataclass(frozen=True)
class Target:
    """A connector a deployment may run: its copy, and the connector's apiClient request."""

    copy: JsonObject
    staged: bool
    api_client: JsonObject | None


def _named(reference: JsonObject) -> str:
    return str(reference.get("key") or reference.get("id"))


def _not_found(reference: JsonObject) -> ApiError:
    version = reference.get("version")
    suffix = "" if version is None else f" with version {version}"
    return connect_error(
        "ConnectorReferenceNotFound", f"Connector '{_named(reference)}'{suffix} not found"
    )


def _projects(state: State, own: str) -> list[Project]:
    first = state.projects.get(own)
    others = [p for name, p in state.projects.items() if name != own]
    return [first, *others] if first is not None else others


def _matches(connector: JsonObject, reference: JsonObject) -> bool:
    return all(
        reference.get(field) is None or connector.get(field) == reference[field]
        for field in ("id", "key")
    )


def _staged(state: State, own: str, reference: JsonObject) -> JsonObject | None:
    for project in _projects(state, own):
        found = project.find(id=reference.get("id"), key=reference.get("key"))
        if found is not None and _matches(found, reference):
            return found
    return None


def _published(state: State, own: str, reference: JsonObject) -> JsonObject | None:
    for project in _projects(state, own):
        staged = project.find(id=reference.get("id"), key=reference.get("key"))
        found = project.published.get(staged["id"]) if staged is not None else None
        if found is not None and _matches(found, reference):
            return found
    return None


def may_deploy(connector: JsonObject, project: str) -> bool:
    """A project named in `privateProjects` (as region:projectKey), or any, once certified."""
    listed = any(p.partition(":")[2] == project for p in connector.get("privateProjects", []))
    return listed or not connector.get("private", True)


def copy_of(connector: JsonObject) -> JsonObject:
    found = {name: copy.deepcopy(connector[name]) for name in COPY_FIELDS if name in connector}
    found["version"] = connector["version"]
    found["certified"] = not connector.get("private", True)
    return found


def _target(connector: JsonObject, staged: bool) -> Target:
    api_client = connector.get("apiClient")
    return Target(copy_of(connector), staged, copy.deepcopy(api_client) if api_client else None)


def resolve(state: State, project: str, reference: JsonObject) -> Target:
    """The connector of a DeploymentDraft, or the Connect error that refuses it."""
    version = reference.get("version")
    if reference["staged"]:
        staged = _staged(state, project, reference)
        if staged is None or (version is not None and staged["version"] != version):
            raise _not_found(reference)
        described = f"Connector id={staged['id']} or key={staged.get('key')}"
        if staged.get("isPreviewable") != "true":
            raise connect_error(
                "ConnectorStagedNotPreviewable",
                f"{described} with version {staged['version']} is not previewable",
            )
        if not may_deploy({**staged, "private": True}, project):
            raise connect_error(
                "ConnectorStagedNotPreviewable",
                f"{described} with version {staged['version']} is not previewable in project "
                f"'{project}': its privateProjects must name the project",
            )
        return _target(staged, staged=True)
    published = _published(state, project, reference)
    if published is None or not may_deploy(published, project):
        raise _not_found(reference)
    if version is not None and published["version"] != version:
        raise _not_found(reference)
    return _target(published, staged=False)


def latest(state: State, project: str, deployment: JsonObject) -> Target:
    """The connector's latest state for `updateConnector`: the published Connector's newest
    version, or the ConnectorStaged as it is now for a preview deployment."""
    current = deployment["connector"]
    reference = {"id": current["id"], "key": None, "version": None, "staged": deployment["preview"]}
    try:
        return resolve(state, project, reference)
    except ApiError as error:
        raise connect_error(
            "DeploymentConnectorUpdateFailure",
            f"Deployment with id={deployment['id']} or key={deployment.get('key')} failed "
            f"while trying to update Connector id={current['id']} or key={current.get('key')} "
            f"(cause: {error.message})",
        ) from None
