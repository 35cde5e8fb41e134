"""Building the Plan: one Change per declaration, its lifecycle steps, and the orphans.

Pure: it gets the declarations and the live connectors already read, and returns data. The
same inputs in any order give the same Plan (changes sorted by target and key, orphans too).

Decisions worth knowing (design.md sections 4 to 6):

- A connector whose status is ``Processing`` (a publish running) that needs actions is planned as
  kind ``update`` with reason :data:`WAITS_FOR_PUBLISH`: apply waits for the publish to end and
  then sends the actions. ``InCertification`` refuses updates for days, so such a change is
  ``blocked``. Without actions neither status gets lifecycle steps: a running publish or a
  certification already owns the connector, and the next run will see its outcome.
- A ``blocked`` change still carries the live ``id``, ``version``, the ``fields`` that differ and
  the ``actions`` it would need, so reports and drift show them; apply never sends them.
- Preview is requested when this change sets the repository (a create or a ``setRepository``),
  or when the live ``isPreviewable`` is ``"none"``; a ``"pending"`` preview gets a step that only
  waits. A ``"false"`` preview of an unchanged repository is *not* requested again: it would fail
  the same way on every run, so plans would never become empty. Change the tag to retry. Drift
  mode, which never applies, does report it (:data:`PREVIEW_FAILED`): a declared preview that
  failed is live state that differs from what the declaration asks for.
- Publish is requested when this change creates or updates the connector, when the live
  ``hasChanges`` is true, or when it was never published (status ``Draft``).
- A live connector without a key (the RAML makes it optional) is an orphan by id with reason
  :data:`NO_KEY`: no declaration can name it, so nothing is ever planned for it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from connect_gitops.core.actions import SetRepository
from connect_gitops.core.declarations import (
    DeclaredConnector,
    Reconcile,
    managed_fields,
    missing_for_create,
)
from connect_gitops.core.diff import NESTED_FIELDS, SET_FIELDS, diff
from connect_gitops.core.live import ConnectorStaged, ConnectorStatus
from connect_gitops.core.plan import (
    NO_KEY,
    Change,
    FieldChange,
    LifecycleStep,
    Orphan,
    Plan,
    declared_twice,
)

IN_CERTIFICATION = "in certification"
WAITS_FOR_PUBLISH = "waits for the running publish"
NOT_PRIVATE = "privateProjects can only be set on a private connector"

REPOSITORY_CHANGED = "repository changed"
"""Preview reason: a create or a setRepository in this change."""
NO_PREVIEW_YET = "no preview yet"
"""Preview reason: the live ``isPreviewable`` is ``"none"``."""
PREVIEW_PENDING = "preview pending"
"""Preview reason: a preview is already running; apply waits for it and sends nothing."""
PREVIEW_FAILED = "preview failed"
"""Preview reason, drift mode only: the live ``isPreviewable`` is ``"false"``."""
UNPUBLISHED_CHANGES = "unpublished changes"
"""Publish reason: this change writes, or the live ``hasChanges`` is true."""
NEVER_PUBLISHED = "never published"
"""Publish reason: a create, or a live connector still in status ``Draft``."""


@dataclass(frozen=True, slots=True)
class LifecycleOverrides:
    """The CLI's ``--preview/--no-preview``, ``--publish/--no-publish``, ``--certification``.

    ``None`` keeps each declaration's own ``reconcile`` value.
    """

    preview: bool | None = None
    publish: bool | None = None
    certification: bool | None = None


@dataclass(frozen=True, slots=True)
class LifecyclePolicy:
    """What apply does after its writes for one connector: the effective reconcile policy."""

    preview: bool = False
    publish: bool = False
    certification: bool = False


def effective_policy(reconcile: Reconcile, overrides: LifecycleOverrides) -> LifecyclePolicy:
    """The declaration's reconcile block with the CLI's overrides applied."""
    return LifecyclePolicy(
        preview=_pick(overrides.preview, reconcile.preview),
        publish=_pick(overrides.publish, reconcile.publish),
        certification=_pick(overrides.certification, reconcile.certification),
    )


def build_plan(
    declared: Sequence[DeclaredConnector],
    live: Mapping[str, Sequence[ConnectorStaged]],
    *,
    complete_targets: Collection[str],
    policy: LifecycleOverrides = LifecycleOverrides(),
    mode: Literal["plan", "drift"] = "plan",
) -> Plan:
    """The plan for ``declared`` against ``live[target]`` (the connectors read per target).

    Only ``complete_targets``, whose whole live set was read, get orphans: elsewhere a live
    connector missing from ``live`` says nothing about whether it exists.
    """
    by_key = {
        target: {c.key: c for c in connectors if c.key is not None}
        for target, connectors in live.items()
    }
    twice = declared_twice(declared)
    changes = [
        Change(target=d.target, key=d.key, file=d.file, line=d.line, kind="blocked", reason=reason)
        if (reason := twice.get((d.target, d.key)))
        else plan_change(d, by_key.get(d.target, {}).get(d.key), overrides=policy, mode=mode)
        for d in declared
    ]
    changes.sort(key=lambda c: (c.target, c.key, c.file or "", c.line or 0))
    named = {(d.target, d.key) for d in declared}
    orphans = [
        Orphan(target=target, key=key, id=connector.id)
        for target in sorted(set(complete_targets) & set(by_key))
        for key, connector in sorted(by_key[target].items())
        if (target, key) not in named
    ]
    keyless = [
        Orphan(target=target, key="", id=connector.id, reason=NO_KEY)
        for target in sorted(set(complete_targets) & set(live))
        for connector in sorted(live[target], key=lambda c: c.id)
        if connector.key is None
    ]
    orphans = sorted([*keyless, *orphans], key=lambda o: (o.target, o.key, o.id or ""))
    return Plan(mode=mode, changes=changes, orphans=orphans)


def plan_change(
    declared: DeclaredConnector,
    live: ConnectorStaged | None,
    *,
    overrides: LifecycleOverrides = LifecycleOverrides(),
    mode: Literal["plan", "drift"] = "plan",
) -> Change:
    """The Change for one declaration and its live counterpart (``None``: it does not exist).

    Apply calls this again after a ``409`` with the connector it re-read.
    """
    policy = effective_policy(declared.declaration.reconcile, overrides)
    where: dict[str, Any] = {
        "target": declared.target,
        "key": declared.key,
        "file": declared.file,
        "line": declared.line,
    }
    if live is None:
        return _create(declared, policy, where)
    found = diff(declared.declaration, live)
    where |= {
        "id": live.id,
        "version": live.version,
        "actions": found.actions,
        "fields": found.fields,
    }
    if declared.declaration.privateProjects and not live.private:
        return Change(kind="blocked", reason=NOT_PRIVATE, **where)
    if found.actions and live.status == ConnectorStatus.IN_CERTIFICATION:
        return Change(kind="blocked", reason=IN_CERTIFICATION, **where)
    lifecycle = _lifecycle(
        policy,
        live,
        writes=bool(found.actions),
        repository_changed=any(isinstance(a, SetRepository) for a in found.actions),
        drift=mode == "drift",
    )
    if not found.actions:
        return Change(kind="noop", lifecycle=lifecycle, **where)
    reason = WAITS_FOR_PUBLISH if live.status == ConnectorStatus.PROCESSING else None
    return Change(kind="update", lifecycle=lifecycle, reason=reason, **where)


def _create(declared: DeclaredConnector, policy: LifecyclePolicy, where: dict[str, Any]) -> Change:
    """A create: the draft is the declared managed fields plus ``key``, nothing else."""
    wanted = managed_fields(declared.declaration)
    fields = [FieldChange(path=path, before=None, after=value) for path, value in _flatten(wanted)]
    missing = missing_for_create(declared.declaration)
    if missing:
        reason = f"cannot create: missing {', '.join(missing)}"
        return Change(kind="blocked", reason=reason, fields=fields, **where)
    draft = {"key": declared.key} | {
        name: list(dict.fromkeys(value)) if name in SET_FIELDS else value
        for name, value in wanted.items()
    }
    lifecycle = _lifecycle(policy, None, writes=True, repository_changed=True)
    return Change(kind="create", draft=draft, fields=fields, lifecycle=lifecycle, **where)


def _lifecycle(
    policy: LifecyclePolicy,
    live: ConnectorStaged | None,
    *,
    writes: bool,
    repository_changed: bool,
    drift: bool = False,
) -> list[LifecycleStep]:
    """The preview and publish steps apply requests after this change's writes."""
    if live is not None and (
        live.status == ConnectorStatus.IN_CERTIFICATION
        or (live.status == ConnectorStatus.PROCESSING and not writes)
    ):
        return []
    steps: list[LifecycleStep] = []
    if policy.preview:
        preview = _preview_reason(live, repository_changed=repository_changed, drift=drift)
        if preview:
            steps.append(LifecycleStep(step="preview", reason=preview))
    if policy.publish:
        publish = _publish_reason(live, writes=writes)
        if publish:
            steps.append(
                LifecycleStep(step="publish", reason=publish, certification=policy.certification)
            )
    return steps


def _preview_reason(
    live: ConnectorStaged | None, *, repository_changed: bool, drift: bool
) -> str | None:
    if repository_changed:
        return REPOSITORY_CHANGED
    if live is None or live.isPreviewable == "none":
        return NO_PREVIEW_YET
    if live.isPreviewable == "pending":
        return PREVIEW_PENDING
    if drift and live.isPreviewable == "false":
        return PREVIEW_FAILED
    return None


def _publish_reason(live: ConnectorStaged | None, *, writes: bool) -> str | None:
    if live is None:
        return NEVER_PUBLISHED
    if writes or live.hasChanges:
        return UNPUBLISHED_CHANGES
    if live.status == ConnectorStatus.DRAFT:
        return NEVER_PUBLISHED
    return None


def _flatten(fields: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Declared fields as (path, value), nested ones per sub-field: ``creator.email``."""
    flat: list[tuple[str, Any]] = []
    for name, value in fields.items():
        if isinstance(value, Mapping):
            flat.extend(
                (f"{name}.{sub}", value[sub]) for sub in NESTED_FIELDS[name] if sub in value
            )
        else:
            flat.append((name, value))
    return flat


def _pick(override: bool | None, declared: bool) -> bool:
    return declared if override is None else override
