"""What every report says about deployments, in words shared by text and Markdown.

A deployment change tells more than a connector's: a connector version move (``updateConnector``,
always to the latest), the secured values it sends (by name only: their values are read from the
environment at apply time and never reach a report), the connector steps of the same run it
waits for, and, for a replace, that the live deployment is deleted first. Returned strings are
plain and unescaped: each renderer escapes them for its own medium.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from connect_gitops.core.plan import Change, FieldChange, Orphan, Plan, SecuredValue, WaitFor
from connect_gitops.reporting._format import plural

VERSION_PATH = "connector.version"
"""The field a redeploy's version move is reported as (``updateConnector``)."""
SENT_NEVER_COMPARED = "sent, never compared"
NOT_COMPARED_NOTE = "Secured values are not compared: rotate them with apply --redeploy KEY."
NO_KEY = "(no key)"


def is_deployment(item: Change | Orphan) -> bool:
    return item.resource == "deployment"


def connector_changes(plan: Plan) -> list[Change]:
    return [change for change in plan.changes if not is_deployment(change)]


def deployment_changes(plan: Plan) -> list[Change]:
    return [change for change in plan.changes if is_deployment(change)]


def has_deployments(plan: Plan) -> bool:
    """Whether the plan speaks of any deployment (then summaries count them apart)."""
    return any(map(is_deployment, plan.changes)) or any(map(is_deployment, plan.orphans))


def is_listed(change: Change) -> bool:
    """Changes a report lists: anything but a plain noop. A deployment noop with something to
    say (a failed build to retry, a connector gone missing) is listed too."""
    if change.kind != "noop":
        return True
    return bool(change.lifecycle) or (is_deployment(change) and bool(change.reason))


def version_move(field: FieldChange) -> str:
    """``connector v3 → latest (v4)``: redeploy only ever moves a deployment to the latest."""
    before = f"v{field.before}" if field.before is not None else "its version"
    after = "latest" if field.after == "latest" else f"latest (v{field.after})"
    return f"connector {before} → {after}"


def is_version_move(change: Change, field: FieldChange) -> bool:
    """A redeploy's (or a blocked redeploy's) move; a create's pin is an ordinary field."""
    return field.path == VERSION_PATH and change.id is not None and change.kind != "replace"


def secured_name(value: SecuredValue) -> str:
    """``service.STRIPE_SECRET_KEY from $STRIPE_SECRET_KEY``: where it goes, and its variable."""
    where = value.application if value.application is not None else "globalConfiguration"
    return f"{where}.{value.key} from ${value.fromEnv}"


def sends_secured(change: Change) -> bool:
    """Secured values go out with creates, redeploys and replaces."""
    return bool(change.secured) and change.kind in ("create", "redeploy", "replace")


def wait_text(change: Change, wait: WaitFor) -> str:
    """``after the publish of connector K`` (and its target, when it is another one)."""
    where = f" (target {wait.target})" if wait.target != change.target else ""
    return f"after the {wait.step} of connector {wait.key}{where}"


def reasons(change: Change) -> list[str]:
    """The change's reasons, one per problem; those the ``waitsFor`` lines already say are
    left out."""
    said = {f"follows the {wait.step} of connector {wait.key}" for wait in change.waitsFor}
    parts = [part for part in (change.reason or "").split("; ") if part]
    return [part for part in parts if part not in said]


def deletes(change: Change) -> str:
    """What a replace does first, said plainly."""
    which = f" {change.id}" if change.id else ""
    version = f" (version {change.version})" if change.version is not None else ""
    return (
        f"DELETE deployment{which}{version}, then create it again: it does not run until "
        "the new build is Deployed"
    )


def orphan_name(orphan: Orphan) -> str:
    """A deployment orphan by key, or by id when it has none."""
    if orphan.key:
        return orphan.key
    return f"id={orphan.id}" if orphan.id else NO_KEY


def not_compared_note(plan: Plan) -> str | None:
    """For plans whose deployments send secured values but have nothing else to do."""
    quiet = [c for c in deployment_changes(plan) if c.secured and c.kind == "noop" and not c.reason]
    return NOT_COMPARED_NOTE if quiet else None


def deployment_counts(changes: Sequence[Change], orphans: int) -> str:
    """``1 to create, 1 to redeploy, 0 to replace, 2 unchanged, 0 blocked, 0 orphans``."""
    count = Counter(change.kind for change in changes)
    return (
        f"{count['create']} to create, {count['redeploy']} to redeploy, "
        f"{count['replace']} to replace, {count['noop']} unchanged, {count['blocked']} blocked, "
        f"{plural(orphans, 'orphan')}"
    )
