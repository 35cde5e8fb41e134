"""Preview, publish and certification, moved to their outcome lazily on the next read.

There are no background tasks: each lifecycle step records when it is due in the connector's
meta, and `advance` catches up with every step whose time has passed. That works the same
in-process, over a socket, and across processes sharing a state file.
"""

from __future__ import annotations

import copy

from connect_gitops.emulator.context import Context
from connect_gitops.emulator.errors import JsonObject
from connect_gitops.emulator.repos import RepositoryCheck
from connect_gitops.emulator.settings import Settings
from connect_gitops.emulator.store import Project, timestamp

CONTENT_FIELDS = (
    "name",
    "description",
    "documentationUrl",
    "creator",
    "repository",
    "integrationTypes",
    "supportedRegions",
    "privateProjects",
)
PUBLISHED_FIELDS = (
    "id",
    "key",
    *CONTENT_FIELDS,
    "configurations",
    "globalConfiguration",
    "apiClient",
    "private",
    "certificationInfo",
    "alreadyListed",
    "createdAt",
)
DUE_KEYS = ("previewDueAt", "publishDueAt", "inCertificationDueAt", "certifiedDueAt")


def entry(kind: str, title: str, at: float, message: str | None = None) -> JsonObject:
    """One report entry: type Information, Warning or Error."""
    found: JsonObject = {"type": kind, "title": title}
    if message is not None:
        found["message"] = message
    found["createdAt"] = timestamp(at)
    return found


def problem_entries(check: RepositoryCheck, at: float) -> list[JsonObject]:
    return [entry("Error", p.title, at, p.message) for p in check.problems]


def has_changes(connector: JsonObject, published: JsonObject | None, settings: Settings) -> bool:
    """Whether the staged data differ from the published Connector."""
    if published is None:
        return settings.hasChangesBeforeFirstPublish
    return any(connector.get(name) != published.get(name) for name in CONTENT_FIELDS)


def snapshot(connector: JsonObject, version: int, at: float) -> JsonObject:
    """The published Connector made from the staged one."""
    published = {
        name: copy.deepcopy(connector[name]) for name in PUBLISHED_FIELDS if name in connector
    }
    published["version"] = version
    published["lastModifiedAt"] = timestamp(at)
    return published


def is_due(meta: JsonObject | None, now: float) -> bool:
    return meta is not None and any(
        meta.get(name) is not None and meta[name] <= now for name in DUE_KEYS
    )


def advance_all(project: Project, context: Context) -> bool:
    """Catch up every connector of the project; True when anything changed."""
    due = [id for id, meta in project.meta.items() if is_due(meta, context.now)]
    for id in due:
        advance(project, id, context)
    return bool(due)


def advance(project: Project, id: str, context: Context) -> bool:
    """Apply every step of one connector whose time has come, oldest first."""
    meta = project.meta.get(id)
    changed = False
    while meta is not None and is_due(meta, context.now):
        step = min((name for name in DUE_KEYS if meta.get(name) is not None), key=lambda n: meta[n])
        at = meta.pop(step)
        connector = project.connectors[id]
        _STEPS[step](project, connector, meta, at, context)
        if context.settings.transitionsRaiseVersion:
            connector["version"] += 1
            connector["lastModifiedAt"] = timestamp(at)
        changed = True
    if meta is not None and not any(meta.get(n) is not None for n in DUE_KEYS):
        project.meta.pop(id, None)
    return changed


def settle(project: Project, context: Context) -> int:
    """Finish every pending step now; returns the number of connectors moved."""
    moved = 0
    for id, meta in list(project.meta.items()):
        pending = [name for name in DUE_KEYS if meta.get(name) is not None]
        while pending:
            for name in pending:
                meta[name] = min(meta[name], context.now)
            advance(project, id, context)
            meta = project.meta.get(id, {})
            pending = [name for name in DUE_KEYS if meta.get(name) is not None]
        moved += 1
    return moved


def _preview(
    project: Project, connector: JsonObject, meta: JsonObject, at: float, context: Context
) -> None:
    outcome = context.settings.previewOutcome
    if outcome == "none":
        connector["isPreviewable"] = "none"
        return
    check = context.check_repository(**connector["repository"])
    if outcome == "false" or (outcome == "auto" and check.problems):
        entries = problem_entries(check, at) or [entry("Error", "Preview failed", at)]
        connector["isPreviewable"] = "false"
        connector["previewableReport"] = {"entries": entries}
        return
    check.apply_to(connector)
    connector["isPreviewable"] = "true"
    connector["previewableReport"] = {
        "entries": [entry("Information", "Connector is previewable", at)]
    }


def _publish(
    project: Project, connector: JsonObject, meta: JsonObject, at: float, context: Context
) -> None:
    check = context.check_repository(**connector["repository"])
    if context.settings.publishOutcome == "Failed" or check.problems:
        entries = problem_entries(check, at) or [entry("Error", "Publishing failed", at)]
        connector["status"] = "Failed"
        connector["publishingReport"] = {"entries": entries}
        return
    check.apply_to(connector)
    if meta.pop("certification", False):
        connector["status"] = "ReadyForCertification"
        connector["publishingReport"] = {
            "entries": [entry("Information", "Connector is ready for certification", at)]
        }
        meta["inCertificationDueAt"] = at + context.settings.publishSeconds
        return
    _make_published(project, connector, at, context)
    connector["publishingReport"] = {"entries": [entry("Information", "Connector published", at)]}


def _in_certification(
    project: Project, connector: JsonObject, meta: JsonObject, at: float, context: Context
) -> None:
    connector["status"] = "InCertification"
    if context.settings.certificationSeconds is not None:
        meta["certifiedDueAt"] = at + context.settings.certificationSeconds


def _certified(
    project: Project, connector: JsonObject, meta: JsonObject, at: float, context: Context
) -> None:
    connector["private"] = False
    connector["alreadyListed"] = True
    _make_published(project, connector, at, context)
    connector["publishingReport"] = {"entries": [entry("Information", "Connector certified", at)]}


def _make_published(project: Project, connector: JsonObject, at: float, context: Context) -> None:
    previous = project.published.get(connector["id"])
    version = 1 if previous is None else previous["version"] + 1
    connector["status"] = "Published"
    project.published[connector["id"]] = snapshot(connector, version, at)
    connector["hasChanges"] = False


_STEPS = {
    "previewDueAt": _preview,
    "publishDueAt": _publish,
    "inCertificationDueAt": _in_certification,
    "certifiedDueAt": _certified,
}
