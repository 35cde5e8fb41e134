"""Markdown reports for pull request comments, step summaries and drift issues: the plan, what
apply did, and drift, each folded to ``max_chars`` (:func:`.markup.fold`).

The building blocks (escaping, tables, folding) are :mod:`.markup`'s; the deployment tables of
plans and drift are :mod:`.markdown_deployments`'.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connect_gitops.core.outcomes import ApplyResult, Outcome
from connect_gitops.core.plan import Change, Plan
from connect_gitops.reporting import _deployments as deployments
from connect_gitops.reporting._format import (
    CHANGE_SYMBOL,
    OUTCOME_SYMBOL,
    action_names,
    draft_fields,
    format_value,
    log_line_text,
    plural,
    shorten,
)
from connect_gitops.reporting.markdown_deployments import (
    deployment_orphan_section,
    deployment_sections,
)
from connect_gitops.reporting.markup import (
    Section,
    changes_section,
    code,
    details_block,
    fold,
    heading,
    orphan_section,
    row,
    source_cell,
    table_header,
    text,
)
from connect_gitops.reporting.summary import (
    STALE_HINT,
    apply_summary,
    drift_summary,
    drifted,
    missing,
    needs_listing,
    plan_headline,
)

MAX_CHARS = 60_000


# --- plan -------------------------------------------------------------------------------------


def _change_summary(change: Change) -> str:
    parts: list[str]
    if change.kind == "create":
        parts = ["create"]
    elif change.kind == "update":
        count = plural(len(change.fields), "field") if change.fields else None
        parts = [f"update: {count or plural(len(change.actions), 'action')}"]
    elif change.kind == "blocked":
        parts = [f"blocked: {text(change.reason or 'blocked')}"]
    else:
        parts = ["unchanged"]
    parts += [text(step.step) for step in change.lifecycle]
    return " · ".join(parts)


def _lifecycle_items(change: Change) -> str:
    return "".join(
        f"- → {text(step.step)}{' with certification' if step.certification else ''}: "
        f"{text(step.reason)}\n"
        for step in change.lifecycle
    )


def _change_details(change: Change) -> str:
    """A ``<details>`` block with the field diffs of one change (empty if it has none)."""
    body = ""
    if change.kind == "create":
        fields = draft_fields(change)
        if fields:
            body += table_header("Field", "Value")
            body += "".join(row(code(p), code(format_value(v))) for p, v in fields)
    elif change.fields:
        body += table_header("Field", "Before", "After")
        body += "".join(
            row(code(f.path), code(format_value(f.before)), code(format_value(f.after)))
            for f in change.fields
        )
    elif change.kind == "update":
        body += "".join(f"- {code(name)}\n" for name in action_names(change))
    if change.lifecycle:
        body += ("\n" if body else "") + _lifecycle_items(change)
    if not body:
        return ""
    return details_block(f"{CHANGE_SYMBOL[change.kind]} {change.key}", change.target, body)


def render_plan_markdown(
    plan: Plan, *, title: str | None = None, max_chars: int = MAX_CHARS
) -> str:
    """The plan for a pull request comment or a step summary, folded to ``max_chars``.

    Connectors and deployments each get their table (and orphans theirs).
    """
    listed = [c for c in deployments.connector_changes(plan) if deployments.is_listed(c)]
    changes = changes_section(
        listed,
        title="Changes",
        column="Connector",
        noun="changes",
        summary=_change_summary,
        details=_change_details,
    )
    orphans = orphan_section(
        [o for o in plan.orphans if not deployments.is_deployment(o)],
        "Live connectors that no declaration names. They are not deleted.",
    )
    intro = heading(title or "connect-gitops plan", plan_headline(plan))
    return fold(intro, [changes, orphans, *deployment_sections(plan)], max_chars)


# --- apply ------------------------------------------------------------------------------------


def _entry(entry: dict[str, Any]) -> str:
    parts = [str(entry[k]) for k in ("type", "title", "message") if entry.get(k)]
    return ": ".join(parts) if parts else str(entry)


def _outcome_result(outcome: Outcome) -> str:
    detail = outcome.message
    if outcome.kind == "updated" and outcome.actions:
        detail = plural(outcome.actions, "action")
    if outcome.kind == "stale" and STALE_HINT not in detail:
        detail = f"{STALE_HINT}: {detail}" if detail else STALE_HINT
    parts = [outcome.kind + (f": {text(detail)}" if detail else "")]
    if outcome.code:
        parts[0] = f"{outcome.kind}: {code(outcome.code)}" + (f" {text(detail)}" if detail else "")
    if outcome.correlation_id:
        parts.append(f"correlation id {code(outcome.correlation_id)}")
    parts += [f"{text(s.step)} {s.state.replace('_', ' ')}" for s in outcome.lifecycle]
    return " · ".join(parts)


def _outcome_details(outcome: Outcome) -> str:
    items = ""
    for step in outcome.lifecycle:
        if not (step.message or step.entries or step.logs):
            continue
        state = step.state.replace("_", " ")
        items += f"- {text(step.step)} {state}" + (
            f": {text(step.message)}" if step.message else ""
        )
        items += "\n" + "".join(f"  - {text(_entry(e))}\n" for e in step.entries)
        if step.logs:
            items += "  - last log lines:\n" + "".join(
                f"    - {code(log_line_text(line))}\n" for line in step.logs
            )
    if not items:
        return ""
    return details_block(outcome.key, outcome.target, items)


def _outcome_section(outcomes: Sequence[Outcome], noun: str) -> Section:
    """One table of outcomes: connectors, or deployments."""
    return Section(
        heading=f"#### {noun.capitalize()}\n\n",
        header=table_header("", noun.capitalize()[:-1], "Target", "Source", "Result"),
        rows=[
            row(
                code(OUTCOME_SYMBOL[o.kind]),
                code(o.key),
                code(o.target),
                source_cell(o.file, o.line),
                _outcome_result(o),
            )
            for o in outcomes
        ],
        noun=noun,
        details=[_outcome_details(o) for o in outcomes],
    )


def render_apply_markdown(
    result: ApplyResult, *, title: str | None = None, max_chars: int = MAX_CHARS
) -> str:
    """What apply did, per connector and deployment, for the step summary; plain unchanged ones
    only counted."""
    listed = [o for o in result.outcomes if needs_listing(o)]
    sections = [_outcome_section([o for o in listed if o.resource == "connector"], "connectors")]
    deployments = [o for o in listed if o.resource == "deployment"]
    if deployments:
        sections.append(_outcome_section(deployments, "deployments"))
    intro = heading(title or "connect-gitops apply", apply_summary(result))
    return fold(intro, sections, max_chars)


# --- drift ------------------------------------------------------------------------------------

DRIFTED_HELP = (
    "Live values differ from the declarations. For each one, re-run apply to restore the "
    "declared state, or change the declaration to adopt the live value. Pending previews and "
    "publishes are requested by the next apply."
)
MISSING_HELP = "Declared but not found live: the next apply recreates them."
ORPHANS_HELP = (
    "Live connectors that no declaration names. Adopt them with `connect-gitops export`, "
    "or remove them by hand: connect-gitops never deletes a connector."
)


def _drift_name(change: Change) -> str:
    """The key, marked when it names a deployment (drift lists both in one table)."""
    return code(change.key) + (" (deployment)" if deployments.is_deployment(change) else "")


def _drift_cell(change: Change) -> str:
    paths = ", ".join(f.path for f in change.fields)
    parts = [code(shorten(paths, 120))] if paths else []
    parts += [f"{text(step.step)}: {text(step.reason)}" for step in change.lifecycle]
    if change.kind == "blocked":
        parts.append(f"blocked: {text(change.reason or 'blocked')}")
    elif deployments.is_deployment(change) and change.reason:
        parts.append(text(change.reason))
    return " · ".join(parts)


def _drift_details(change: Change) -> str:
    body = ""
    if change.fields:
        body += table_header("Field", "Declared", "Live")
        body += "".join(
            row(code(f.path), code(format_value(f.after)), code(format_value(f.before)))
            for f in change.fields
        )
    if change.lifecycle:
        body += ("\n" if body else "") + "".join(
            f"- {text(step.step)}: {text(step.reason)}\n" for step in change.lifecycle
        )
    if not body:
        return ""
    return details_block(change.key, change.target, body, open_=True)


def render_drift_markdown(
    plan: Plan, *, title: str | None = None, max_chars: int = MAX_CHARS
) -> str:
    """A drift report written to be an issue body: what drifted and what to do about each."""
    drift = drifted(plan)
    changes = Section(
        heading=f"#### Drifted connectors\n\n{DRIFTED_HELP}\n\n",
        header=table_header("Connector", "Target", "Source", "Drift"),
        rows=[
            row(_drift_name(c), code(c.target), source_cell(c.file, c.line), _drift_cell(c))
            for c in drift
        ],
        noun="drifted connectors",
        details=[_drift_details(c) for c in drift],
    )
    absent = Section(
        heading=f"#### Missing connectors\n\n{MISSING_HELP}\n\n",
        header=table_header("Connector", "Target", "Source"),
        rows=[
            row(_drift_name(c), code(c.target), source_cell(c.file, c.line)) for c in missing(plan)
        ],
        noun="missing connectors",
    )
    connector_orphans = [o for o in plan.orphans if not deployments.is_deployment(o)]
    orphans = orphan_section(connector_orphans, ORPHANS_HELP)
    deployment_orphans = deployment_orphan_section(plan.orphans)
    intro = heading(title or "connect-gitops drift", drift_summary(plan))
    return fold(intro, [changes, absent, orphans, deployment_orphans], max_chars)
