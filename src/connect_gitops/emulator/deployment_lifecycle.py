"""Queued -> Deploying -> Deployed or Failed, and Undeploying -> gone, lazily on the next read.

As previews and publishes do for connectors, each step records when it is due in the
deployment's meta and `advance` catches up with every step whose time has passed: no background
tasks, so it works in-process and across processes sharing a state file. A build's outcome is
decided when it is queued (from the faults), so the same seed fails the same builds again.
"""

from __future__ import annotations

import uuid

from connect_gitops.emulator import deployment_logs
from connect_gitops.emulator.context import Context
from connect_gitops.emulator.errors import JsonObject
from connect_gitops.emulator.store import Project, timestamp

DUE_KEYS = ("deployingAt", "finishAt", "removeAt")


def report_entry(kind: str, title: str, at: float, application: str | None = None) -> JsonObject:
    """A DeploymentReportEntry: type Information, Warning or Error."""
    found: JsonObject = {"type": kind, "title": title}
    if application is not None:
        found["application"] = application
        found["message"] = f"{title}: application '{application}'."
    found["createdAt"] = timestamp(at)
    return found


def queue(
    deployment: JsonObject,
    meta: JsonObject,
    context: Context,
    failing: str | None,
    skip_scripts: bool,
) -> None:
    """A new build: Queued, a new build id and report; `failing` names the application whose
    build will fail, if any."""
    entries = (
        [report_entry("Information", "postDeploy and preUndeploy scripts skipped", context.now)]
        if skip_scripts
        else []
    )
    deployment["status"] = "Queued"
    deployment["details"] = {"build": {"id": str(uuid.uuid4()), "report": {"entries": entries}}}
    half = context.settings.deploySeconds / 2
    meta.update(deployingAt=context.now + half, finishAt=context.now + 2 * half, failing=failing)
    meta.pop("removeAt", None)


def undeploy(deployment: JsonObject, meta: JsonObject, context: Context) -> None:
    """Undeploying now; gone after `deploySeconds`."""
    deployment["status"] = "Undeploying"
    for name in ("deployingAt", "finishAt", "failing"):
        meta.pop(name, None)
    meta["removeAt"] = context.now + context.settings.deploySeconds


def _types(deployment: JsonObject) -> dict[str, str]:
    configurations = deployment["connector"].get("configurations") or []
    return {c["applicationName"]: c.get("applicationType", "") for c in configurations}


def _deploying(deployment: JsonObject, meta: JsonObject, at: float) -> None:
    deployment["status"] = "Deploying"
    repository = deployment["connector"]["repository"]
    for app in deployment["applications"]:
        name = app["applicationName"]
        deployment_logs.append(
            meta,
            deployment["id"],
            name,
            "INFO",
            f"Building application '{name}' from {repository['url']} at tag {repository['tag']}",
            at,
        )


def _finish(deployment: JsonObject, meta: JsonObject, at: float) -> None:
    failing = meta.pop("failing", None)
    entries: list[JsonObject] = deployment["details"]["build"]["report"]["entries"]
    if failing is not None:
        deployment["status"] = "Failed"
        entries.append(report_entry("Error", "Build failed", at, failing))
        for message in (
            "npm ERR! code ELIFECYCLE",
            "npm ERR! errno 1",
            f"Build of application '{failing}' failed with exit code 1",
        ):
            deployment_logs.append(meta, deployment["id"], failing, "ERROR", message, at)
        return
    deployment["status"] = "Deployed"
    types = _types(deployment)
    short = deployment["id"][:8]
    region = deployment["deployedRegion"]
    for app in deployment["applications"]:
        name = app["applicationName"]
        kind = types.get(name)
        if kind == "service":
            app["url"] = f"https://{name.lower()}-{short}.{region}.commercetools.app"
        if kind == "event":
            app["topic"] = f"connect-{name.lower()}-{short}"
        message = "Listening on port: 8080" if kind == "service" else f"Deployed ({kind})"
        deployment_logs.append(meta, deployment["id"], name, "INFO", message, at)


def is_due(meta: JsonObject, now: float) -> bool:
    return any(meta.get(name) is not None and meta[name] <= now for name in DUE_KEYS)


def advance(project: Project, id: str, context: Context) -> bool:
    """Apply every due step of one deployment, oldest first; True when anything changed."""
    meta = project.deployment_meta.get(id)
    changed = False
    while meta is not None and id in project.deployments and is_due(meta, context.now):
        step = min((n for n in DUE_KEYS if meta.get(n) is not None), key=lambda n: meta[n])
        at = meta.pop(step)
        deployment = project.deployments[id]
        changed = True
        if step == "removeAt":
            project.remove_deployment(deployment)
            break
        if step == "deployingAt":
            _deploying(deployment, meta, at)
        else:
            _finish(deployment, meta, at)
        if context.settings.transitionsRaiseVersion:
            deployment["version"] += 1
            deployment["lastModifiedAt"] = timestamp(at)
    return changed


def advance_all(project: Project, context: Context) -> bool:
    due = [id for id, meta in project.deployment_meta.items() if is_due(meta, context.now)]
    for id in due:
        advance(project, id, context)
    return bool(due)


def settle(project: Project, context: Context) -> int:
    """Finish every pending build and undeploy now; the number of deployments moved."""
    moved = 0
    for id, meta in list(project.deployment_meta.items()):
        pending = [name for name in DUE_KEYS if meta.get(name) is not None]
        if not pending:
            continue
        for name in pending:
            meta[name] = min(meta[name], context.now)
        advance(project, id, context)
        moved += 1
    return moved
