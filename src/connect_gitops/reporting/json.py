"""Machine-readable reports: the plan document of design.md section 7 and the apply document.

Both are contracts read by scripts and workflows, so their keys are spelled out here rather than
derived from model field names that may be refactored.
"""

from __future__ import annotations

import json
from typing import Any, get_args

from connect_gitops.core.outcomes import ApplyResult, LifecycleOutcome, Outcome, OutcomeKind
from connect_gitops.core.plan import FORMAT_VERSION, Plan, to_json
from connect_gitops.reporting.summary import lifecycle_failures


def render_plan_json(plan: Plan) -> str:
    """The plan (or drift) document; :func:`connect_gitops.core.plan.to_json` is the contract."""
    return to_json(plan)


def _lifecycle(step: LifecycleOutcome) -> dict[str, Any]:
    """A preview / publish as it always was; a build also has ``logs`` (the failing
    applications' last lines)."""
    found: dict[str, Any] = {
        "step": step.step,
        "state": step.state,
        "message": step.message,
        "entries": step.entries,
    }
    if step.step == "build":
        found["logs"] = step.logs
    return found


def _outcome(outcome: Outcome) -> dict[str, Any]:
    """A connector's outcome as it always was; a deployment's says ``resource: deployment``."""
    resource = {"resource": outcome.resource} if outcome.resource != "connector" else {}
    return {
        **resource,
        "target": outcome.target,
        "key": outcome.key,
        "kind": outcome.kind,
        "ok": outcome.ok,
        "file": outcome.file,
        "line": outcome.line,
        "id": outcome.id,
        "version": outcome.version,
        "actions": outcome.actions,
        "message": outcome.message,
        "code": outcome.code,
        "correlationId": outcome.correlation_id,
        "lifecycle": [_lifecycle(step) for step in outcome.lifecycle],
    }


def apply_document(result: ApplyResult) -> dict[str, Any]:
    """The apply report as plain JSON data (``formatVersion`` 1, ``mode`` ``apply``)."""
    deployments = any(outcome.resource == "deployment" for outcome in result.outcomes)
    kinds: tuple[OutcomeKind, ...] = get_args(OutcomeKind)
    summary: dict[str, Any] = {
        kind: result.count(kind)
        for kind in kinds
        if deployments or kind not in ("redeployed", "replaced")
    }
    summary["lifecycleFailed"] = lifecycle_failures(result)
    if deployments:  # a run of connectors only keeps the document it always had
        summary["buildFailed"] = lifecycle_failures(result, ("build",))
    return {
        "formatVersion": FORMAT_VERSION,
        "mode": "apply",
        "ok": result.ok,
        "outcomes": [_outcome(outcome) for outcome in result.outcomes],
        "summary": summary,
    }


def render_apply_json(result: ApplyResult) -> str:
    """The apply report as indented JSON text ending in a newline."""
    return json.dumps(apply_document(result), indent=2, ensure_ascii=False) + "\n"
