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
    return {
        "step": step.step,
        "state": step.state,
        "message": step.message,
        "entries": step.entries,
    }


def _outcome(outcome: Outcome) -> dict[str, Any]:
    return {
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
    kinds: tuple[OutcomeKind, ...] = get_args(OutcomeKind)
    summary: dict[str, Any] = {kind: result.count(kind) for kind in kinds}
    summary["lifecycleFailed"] = lifecycle_failures(result)
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
