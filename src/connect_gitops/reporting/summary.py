"""The one-line summaries every format shares, and the grouping that drift reports rely on.

Text, Markdown and the step summary must agree word for word, so the sentences live here once.
"""

from __future__ import annotations

from connect_gitops.core.outcomes import ApplyResult, Outcome, OutcomeKind
from connect_gitops.core.plan import Change, Orphan, Plan
from connect_gitops.reporting._deployments import (
    connector_changes,
    deployment_changes,
    deployment_counts,
    has_deployments,
    is_deployment,
)
from connect_gitops.reporting._format import plural

NO_CHANGES = "No changes. Live connectors match the declarations."
NO_CHANGES_WITH_DEPLOYMENTS = "No changes. Live connectors and deployments match the declarations."
NO_DRIFT = "No drift."
STALE_HINT = "stale plan: re-run plan"


def plan_summary(plan: Plan) -> str:
    """``Plan: 1 to create, 2 to update, 9 unchanged, 0 blocked, 1 orphan.``, and when the plan
    has deployments, their counts apart: ``Deployments: 1 to create, 1 to redeploy, ...``."""
    if not has_deployments(plan):
        s = plan.summary
        return (
            f"Plan: {s.create} to create, {s.update} to update, {s.noop} unchanged, "
            f"{s.blocked} blocked, {plural(s.orphans, 'orphan')}."
        )
    connectors = Plan(
        changes=connector_changes(plan),
        orphans=[orphan for orphan in plan.orphans if not is_deployment(orphan)],
    )
    deployment_orphans = sum(is_deployment(orphan) for orphan in plan.orphans)
    counts = deployment_counts(deployment_changes(plan), deployment_orphans)
    return f"{plan_summary(connectors)} Deployments: {counts}."


def plan_headline(plan: Plan) -> str:
    """The summary line, or the reassuring sentence when there is nothing to do at all."""
    if not plan.has_changes and not plan.orphans and plan.summary.blocked == 0:
        return NO_CHANGES_WITH_DEPLOYMENTS if has_deployments(plan) else NO_CHANGES
    return plan_summary(plan)


def lifecycle_failures(result: ApplyResult, steps: tuple[str, ...] = ("preview", "publish")) -> int:
    """How many previews / publishes (or other ``steps``: ``build``) failed or timed out (they
    fail the run too)."""
    return sum(
        1
        for outcome in result.outcomes
        for step in outcome.lifecycle
        if step.step in steps and step.state in ("failed", "timed_out")
    )


def apply_summary(result: ApplyResult) -> str:
    """``Apply: 1 created, 2 updated, 9 unchanged, 0 blocked, 0 stale, 1 failed.``

    The connectors' counts; the deployments' follow in a sentence of their own when there are
    any (``Deployments: 1 created, 1 redeployed, 0 replaced, ...``). Failed previews / publishes
    and builds are added only when there are any, so the common line keeps its fixed shape.
    """
    line = (
        f"Apply: {result.count('created', 'connector')} created, "
        f"{result.count('updated', 'connector')} updated, "
        f"{result.count('unchanged', 'connector')} unchanged, "
        f"{result.count('blocked', 'connector')} blocked, "
        f"{result.count('stale', 'connector')} stale, {result.count('failed', 'connector')} failed."
    )
    failures = lifecycle_failures(result)
    if failures:
        line += f" {plural(failures, 'preview/publish', 'previews/publishes')} failed."
    if any(outcome.resource == "deployment" for outcome in result.outcomes):
        counts = ", ".join(
            f"{result.count(kind, 'deployment')} {kind}" for kind in DEPLOYMENT_OUTCOMES
        )
        line += f" Deployments: {counts}."
        builds = lifecycle_failures(result, ("build",))
        if builds:
            line += f" {plural(builds, 'build')} failed."
    return line


DEPLOYMENT_OUTCOMES: tuple[OutcomeKind, ...] = (
    "created",
    "redeployed",
    "replaced",
    "unchanged",
    "blocked",
    "stale",
    "failed",
)
"""The outcome kinds a deployment can end with, in the summary's order."""


def is_drifted(change: Change) -> bool:
    """A declared connector or deployment whose live state differs: fields, a pending preview /
    publish, or a deployment to redeploy (a value changed by hand, a connector behind, a
    ``Failed`` build in drift mode) or replace."""
    if change.kind in ("update", "redeploy", "replace"):
        return True
    return change.kind in ("noop", "blocked") and bool(change.fields or change.lifecycle)


def drifted(plan: Plan) -> list[Change]:
    return [change for change in plan.changes if is_drifted(change)]


def missing(plan: Plan) -> list[Change]:
    """Declared connectors that do not exist live (apply would create them)."""
    return [change for change in plan.changes if change.kind == "create"]


def drift_summary(plan: Plan) -> str:
    """``Drift: 2 connectors drifted, 1 missing, 1 orphan.`` or ``No drift.``; deployments are
    counted apart (``Deployments: 1 drifted, 0 missing, 0 orphans.``) when there are any."""
    n_drifted, n_missing, n_orphans = len(drifted(plan)), len(missing(plan)), len(plan.orphans)
    if not (n_drifted or n_missing or n_orphans):
        return NO_DRIFT

    def counted(items: list[Change] | list[Orphan], deployments: bool) -> int:
        return sum(is_deployment(item) == deployments for item in items)

    def line(deployments: bool) -> str:
        found = counted(drifted(plan), deployments)
        noun = f"{found} drifted" if deployments else f"{plural(found, 'connector')} drifted"
        absent = counted(missing(plan), deployments)
        orphans = plural(counted(plan.orphans, deployments), "orphan")
        return f"{noun}, {absent} missing, {orphans}."

    if not has_deployments(plan):
        return f"Drift: {line(False)}"
    return f"Drift: {line(False)} Deployments: {line(True)}"


def needs_listing(outcome: Outcome) -> bool:
    """Unchanged connectors and deployments with nothing to say are only counted, as in the
    plan."""
    return outcome.kind != "unchanged" or bool(outcome.lifecycle) or bool(outcome.message)
