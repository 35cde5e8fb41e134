"""Plan, apply, drift and problem reports for humans, Terraform-like, coloured on a terminal.

Each renderer builds lines of styled segments and returns a plain string: ANSI-coloured (by
rich) when asked, plain otherwise, so the CLI decides colour once (:func:`use_color`) and tests
compare strings. Plain text never imports rich.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from connect_gitops.core.outcomes import ApplyResult, LifecycleOutcome, Outcome
from connect_gitops.core.plan import Change, FieldChange, LifecycleStep, Orphan, Plan
from connect_gitops.reporting import _deployments as deployments
from connect_gitops.reporting._format import (
    CHANGE_SYMBOL,
    OUTCOME_SYMBOL,
    action_names,
    clean,
    draft_fields,
    format_value,
    location,
    log_line_text,
    plural,
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

INDENT = "    "
ARROW = "→"

_CHANGE_STYLE = {
    "create": "green",
    "update": "yellow",
    "redeploy": "yellow",
    "replace": "red",
    "blocked": "red",
    "noop": "dim",
}
_OUTCOME_STYLE = {
    "created": "green",
    "updated": "yellow",
    "redeployed": "yellow",
    "replaced": "red",
    "unchanged": "dim",
    "blocked": "red",
    "stale": "red",
    "failed": "red",
}
_LIFECYCLE_STYLE = {
    "requested": "cyan",
    "succeeded": "green",
    "skipped": "dim",
    "failed": "red",
    "timed_out": "red",
}


def use_color(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (no-color.org)."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", ""):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


Segment = str | tuple[str, str]
"""Plain text, or ``(text, style)`` with a rich style name."""
Line = tuple[Segment, ...]


def _plain(line: Line) -> str:
    return "".join(part if isinstance(part, str) else part[0] for part in line)


def to_string(lines: Iterable[Line], *, color: bool) -> str:
    """Lines joined with newlines: ANSI escapes when ``color``, plain text otherwise."""
    lines = list(lines)
    if not color:
        return "".join(_plain(line) + "\n" for line in lines)
    from rich.console import Console  # only for colour: plain text needs none of it
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=True,
        color_system="standard",
        no_color=False,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
        width=10_000,
        legacy_windows=False,
    )
    console.print(Text("\n").join(Text.assemble(*line) for line in lines), soft_wrap=True)
    return buffer.getvalue()


def _line(*parts: Segment) -> Line:
    """A line from plain strings and ``(text, style)`` pairs."""
    return parts


def _head(symbol: str, word: str, key: str, where: str, style: str, tail: str = "") -> Line:
    return _line((f"{symbol} {word}", style), "  ", (clean(key), "bold"), f"  ({where})", tail)


def _lifecycle_lines(steps: Sequence[LifecycleStep], *, arrow: bool = True) -> list[Line]:
    lines = []
    for step in steps:
        name = step.step + (" with certification" if step.certification else "")
        prefix = f"{ARROW} " if arrow else ""
        lines.append(_line(INDENT, (f"{prefix}{name}: {clean(step.reason)}", "cyan")))
    return lines


def _field_line(change: Change, field: FieldChange) -> Line:
    """``path: before → after``; a value a create (or replace) sets: ``path: value``."""
    if deployments.is_version_move(change, field):
        return _line(INDENT, (deployments.version_move(field), "yellow"))
    if field.before is None and change.kind in ("create", "replace"):
        return _line(INDENT, f"{clean(field.path)}: ", (format_value(field.after), "green"))
    return _line(
        INDENT,
        f"{clean(field.path)}: ",
        (format_value(field.before), "red"),
        f" {ARROW} ",
        (format_value(field.after), "green"),
    )


def _deployment_lines(change: Change) -> list[Line]:
    """A deployment's change: its kind, why, the fields, the secured values it sends (names
    only), what it waits for; a replace says first that it deletes the live deployment."""
    where = location(change.target, change.file, change.line)
    word = {"noop": "unchanged"}.get(change.kind, change.kind) + " deployment"
    reasons = deployments.reasons(change)
    inline = change.kind != "blocked" and bool(reasons)
    tail = f"  {clean('; '.join(reasons))}" if inline else ""
    style = _CHANGE_STYLE[change.kind]
    lines = [_head(CHANGE_SYMBOL[change.kind], word, change.key, where, style, tail)]
    if change.kind == "replace":
        lines.append(_line(INDENT, (deployments.deletes(change), "bold red")))
    if change.kind == "blocked":
        lines += [_line(INDENT, (clean(reason), "red")) for reason in reasons]
    if change.kind != "blocked" or change.id is not None:
        lines += [_field_line(change, field) for field in change.fields]
    if deployments.sends_secured(change):
        names = ", ".join(deployments.secured_name(value) for value in change.secured)
        lines.append(_line(INDENT, f"secured ({deployments.SENT_NEVER_COMPARED}): {clean(names)}"))
    lines += [
        _line(INDENT, (f"{ARROW} {clean(deployments.wait_text(change, wait))}", "cyan"))
        for wait in change.waitsFor
    ]
    return lines


def _change_lines(change: Change) -> list[Line]:
    if deployments.is_deployment(change):
        return _deployment_lines(change)
    where = location(change.target, change.file, change.line)
    style = _CHANGE_STYLE[change.kind]
    mark = CHANGE_SYMBOL[change.kind]
    if change.kind == "create":
        lines = [_head(mark, "create", change.key, where, style)]
        lines += [
            _line(INDENT, f"{clean(path)}: ", (format_value(value), "green"))
            for path, value in draft_fields(change)
        ]
    elif change.kind == "update":
        lines = [_head(mark, "update", change.key, where, style)]
        lines += [
            _line(
                INDENT,
                f"{clean(field.path)}: ",
                (format_value(field.before), "red"),
                f" {ARROW} ",
                (format_value(field.after), "green"),
            )
            for field in change.fields
        ]
        if not change.fields:
            lines += [_line(INDENT, name) for name in action_names(change)]
    elif change.kind == "blocked":
        reason = clean(change.reason or "blocked")
        lines = [_head(mark, "blocked", change.key, where, style, f"  {reason}")]
    else:
        lines = [_head(mark, "unchanged", change.key, where, style)]
    return lines + _lifecycle_lines(change.lifecycle)


def _orphan_line(orphan: Orphan) -> Line:
    reason = clean(orphan.reason) if orphan.reason else "no declaration names it; not deleted"
    # A live connector or deployment without a key is named by its id.
    mark = "? orphan deployment" if deployments.is_deployment(orphan) else "? orphan"
    name = deployments.orphan_name(orphan)
    return _line(
        (mark, "magenta"),
        " ",
        (clean(name), "bold"),
        f" ({clean(orphan.target)}): {reason}",
    )


def plan_lines(plan: Plan) -> list[Line]:
    """The plan as styled lines: every change but plain noops, the orphans, the summary."""
    lines: list[Line] = []
    for change in plan.changes:
        if deployments.is_listed(change):
            lines += _change_lines(change)
    lines += [_orphan_line(orphan) for orphan in plan.orphans]
    note = deployments.not_compared_note(plan)
    if note is not None:
        lines.append(((note, "dim"),))
    if lines:
        lines.append(())
    lines.append(((plan_headline(plan), "bold"),))
    return lines


def render_plan_text(plan: Plan, *, color: bool) -> str:
    """What apply would do, for a terminal or a CI log."""
    return to_string(plan_lines(plan), color=color)


def _entry_text(entry: Mapping[str, Any]) -> str:
    """A previewableReport / publishingReport entry: ``type: title: message``."""
    parts = [str(entry[name]) for name in ("type", "title", "message") if entry.get(name)]
    return clean(": ".join(parts) if parts else str(dict(entry)))


def _lifecycle_outcome_lines(steps: Sequence[LifecycleOutcome]) -> list[Line]:
    lines = []
    for step in steps:
        style = _LIFECYCLE_STYLE[step.state]
        state = step.state.replace("_", " ")
        message = f": {clean(step.message)}" if step.message else ""
        lines.append(_line(INDENT, (f"{step.step} {state}", style), message))
        lines += [_line(INDENT * 2, "- ", _entry_text(entry)) for entry in step.entries]
        if step.logs:
            lines.append(_line(INDENT * 2, "last log lines:"))
            lines += [_line(INDENT * 3, (log_line_text(log), "dim")) for log in step.logs]
    return lines


def _outcome_detail(outcome: Outcome) -> str:
    """The part after the location: actions sent, or what went wrong and how to trace it."""
    if outcome.kind == "updated" and outcome.actions:
        detail = plural(outcome.actions, "action")
    else:
        detail = clean(outcome.message)
    if outcome.kind == "stale" and STALE_HINT not in detail:
        detail = f"{STALE_HINT}: {detail}" if detail else STALE_HINT
    if outcome.code:
        detail = f"{clean(outcome.code)}: {detail}" if detail else clean(outcome.code)
    if outcome.correlation_id:
        detail += f" (correlation id {clean(outcome.correlation_id)})"
    return detail


def _outcome_lines(outcome: Outcome) -> list[Line]:
    where = location(outcome.target, outcome.file, outcome.line)
    detail = _outcome_detail(outcome)
    noun = " deployment" if outcome.resource == "deployment" else ""  # as the plan says it
    head = _line(
        (f"{OUTCOME_SYMBOL[outcome.kind]} {outcome.kind}{noun}", _OUTCOME_STYLE[outcome.kind]),
        "  ",
        (clean(outcome.key), "bold"),
        f"  ({where})",
        f"  {detail}" if detail else "",
    )
    return [head, *_lifecycle_outcome_lines(outcome.lifecycle)]


def apply_lines(result: ApplyResult, *, show_unchanged: bool = False) -> list[Line]:
    lines: list[Line] = []
    for outcome in result.outcomes:
        if show_unchanged or needs_listing(outcome):
            lines += _outcome_lines(outcome)
    if lines:
        lines.append(())
    lines.append(((apply_summary(result), "bold"),))
    return lines


def render_apply_text(result: ApplyResult, *, color: bool, show_unchanged: bool = False) -> str:
    """One line per connector or deployment outcome (plain unchanged ones only counted unless
    asked); a failed build with its report entries and last log lines."""
    return to_string(apply_lines(result, show_unchanged=show_unchanged), color=color)


def drift_lines(plan: Plan) -> list[Line]:
    lines: list[Line] = []
    for change in drifted(plan):
        where = location(change.target, change.file, change.line)
        tail = f"  blocked: {clean(change.reason or '')}" if change.kind == "blocked" else ""
        if deployments.is_deployment(change) and change.kind != "blocked" and change.reason:
            tail = f"  {clean(change.reason)}"
        word = "drifted deployment" if deployments.is_deployment(change) else "drifted"
        lines.append(_head("~", word, change.key, where, "yellow", tail))
        lines += [
            _line(
                INDENT,
                f"{clean(field.path)}: declared: ",
                (format_value(field.after), "green"),
                ", live: ",
                (format_value(field.before), "red"),
            )
            for field in change.fields
        ]
        lines += _lifecycle_lines(change.lifecycle, arrow=False)
    for change in missing(plan):
        where = location(change.target, change.file, change.line)
        word = "missing deployment" if deployments.is_deployment(change) else "missing"
        lines.append(_head("+", word, change.key, where, "green", "  declared but not live"))
    lines += [_orphan_line(orphan) for orphan in plan.orphans]
    if lines:
        lines.append(())
    lines.append(((drift_summary(plan), "bold"),))
    return lines


def render_drift_text(plan: Plan, *, color: bool = False) -> str:
    """How live connectors differ from their declarations (a Plan of mode ``drift``)."""
    return to_string(drift_lines(plan), color=color)
