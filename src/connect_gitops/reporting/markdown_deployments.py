"""The deployment tables of the Markdown plan and drift reports.

A deployment change says more than a connector's (its version move, what a replace deletes, the
secured values it sends by name only, the connector steps it waits for); the words are
:mod:`._deployments`' (shared with the text report), escaped here for Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence

from connect_gitops.core.plan import Change, Orphan, Plan
from connect_gitops.reporting import _deployments as deployments
from connect_gitops.reporting._format import CHANGE_SYMBOL, format_value, plural
from connect_gitops.reporting.markup import (
    Section,
    changes_section,
    code,
    details_block,
    orphan_section,
    row,
    table_header,
    text,
)

DEPLOYMENT_ORPHANS_HELP = (
    "Live deployments that no declaration names. They are not deleted; a deployment without "
    "a key is shown by its id."
)


def _deployment_summary(change: Change) -> str:
    """The Change cell of a deployment: kind, counts, version move, secured values, waits."""
    reasons = deployments.reasons(change)
    if change.kind == "replace":
        parts = ["**replace: DELETE and re-create**"]
        immutable = [f.path for f in change.fields if f.before is not None]
        if immutable:
            parts.append("immutable " + ", ".join(code(path) for path in immutable))
        reasons = [r for r in reasons if r != "DELETE and re-create"]
    elif change.kind == "redeploy":
        values = [f for f in change.fields if not deployments.is_version_move(change, f)]
        parts = ["redeploy" + (f": {plural(len(values), 'field')}" if values else "")]
        parts += [
            text(deployments.version_move(f))
            for f in change.fields
            if deployments.is_version_move(change, f)
        ]
    elif change.kind == "blocked":
        return f"blocked: {text('; '.join(reasons) or 'blocked')}"
    else:
        parts = [{"noop": "unchanged"}.get(change.kind, change.kind)]
    parts += [text(reason) for reason in reasons]
    if deployments.sends_secured(change):
        count = plural(len(change.secured), "secured value")
        parts.append(f"{count} ({deployments.SENT_NEVER_COMPARED})")
    parts += [text(deployments.wait_text(change, wait)) for wait in change.waitsFor]
    return " · ".join(parts)


def _deployment_fields(change: Change) -> str:
    if change.kind == "blocked" and change.id is None:
        return ""  # a create that cannot be made: its reasons say what to fix
    if change.kind == "create":
        rows = "".join(row(code(f.path), code(format_value(f.after))) for f in change.fields)
        return table_header("Field", "Value") + rows if rows else ""
    rows = ""
    setting = change.kind == "replace"
    for f in change.fields:
        if deployments.is_version_move(change, f):
            before, after = f"v{f.before}" if f.before is not None else "", f.after
            moved = "latest" if after == "latest" else f"latest (v{after})"
            rows += row(code("connector"), code(before), code(moved))
        elif f.before is None and setting:
            rows += row(code(f.path), "", code(format_value(f.after)))
        else:
            rows += row(code(f.path), code(format_value(f.before)), code(format_value(f.after)))
    return table_header("Field", "Before", "After") + rows if rows else ""


def _deployment_details(change: Change) -> str:
    """The field changes, what a replace deletes, why a change is blocked, the secured values
    it sends (names only) and the connector steps it waits for."""
    blocks = []
    if change.kind == "replace":
        blocks.append(f"> **{text(deployments.deletes(change))}**\n")
    if change.kind == "blocked":
        blocks.append("".join(f"- {text(reason)}\n" for reason in deployments.reasons(change)))
    blocks.append(_deployment_fields(change))
    blocks.append(
        "".join(f"- → {text(deployments.wait_text(change, w))}\n" for w in change.waitsFor)
    )
    if deployments.sends_secured(change):
        blocks.append(
            f"Secured values, by name only ({deployments.SENT_NEVER_COMPARED}):\n\n"
            + "".join(f"- {code(deployments.secured_name(v))}\n" for v in change.secured)
        )
    body = "\n".join(block for block in blocks if block)
    if not body:
        return ""
    return details_block(f"{CHANGE_SYMBOL[change.kind]} {change.key}", change.target, body)


def deployment_sections(plan: Plan) -> list[Section]:
    """The plan's deployment changes and deployment orphans, a table each."""
    listed = [c for c in deployments.deployment_changes(plan) if deployments.is_listed(c)]
    changes = changes_section(
        listed,
        title="Deployments",
        column="Deployment",
        noun="deployment changes",
        summary=_deployment_summary,
        details=_deployment_details,
    )
    note = deployments.not_compared_note(plan)
    if note is not None and changes.rows:
        changes.heading += f"{text(note)}\n\n"
    return [changes, deployment_orphan_section(plan.orphans)]


def deployment_orphan_section(orphans: Sequence[Orphan]) -> Section:
    """The deployments among ``orphans`` (drift lists them too)."""
    return orphan_section(
        [o for o in orphans if deployments.is_deployment(o)],
        DEPLOYMENT_ORPHANS_HELP,
        title="Deployment orphans",
        column="Deployment",
    )
