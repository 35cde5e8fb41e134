"""Markdown reports for pull request comments, step summaries and drift issues.

Names and values come from users' files and the live API and end up in GitHub pages, so all of
them are escaped: in code spans (pipes escaped for tables, fences longer than any backtick run)
or as text (HTML and Markdown punctuation escaped). GitHub caps comments and summaries, so each
report folds to fit ``max_chars`` (:func:`fold`): it keeps the details of as many connectors as
fit, then as many rows, and says how many it left out and where they are.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from connect_gitops.core.outcomes import ApplyResult, Outcome
from connect_gitops.core.plan import Change, Orphan, Plan
from connect_gitops.reporting import _deployments as deployments
from connect_gitops.reporting._format import (
    CHANGE_SYMBOL,
    OUTCOME_SYMBOL,
    action_names,
    clean,
    draft_fields,
    format_value,
    log_line_text,
    plural,
    shorten,
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
SEE_ELSEWHERE = "see the step summary / JSON plan"

_PUNCTUATION = re.compile(r"([\\`*_\[\]|~@#])")
"""Characters with inline meaning in a table cell: emphasis, links, code, cells, mentions and
issue references (``<``, ``>`` and ``&`` are escaped as HTML)."""
_BACKTICKS = re.compile(r"`+")


def text(value: str) -> str:
    """Inline text with every Markdown and HTML meaning taken away (safe in table cells too)."""
    return html.escape(_PUNCTUATION.sub(r"\\\1", clean(value)), quote=False)


def code(value: str) -> str:
    """An inline code span for a table cell: one line, pipes escaped, a fence that cannot close
    early (longer than any backtick run inside)."""
    content = clean(value).replace("|", "\\|")
    if not content:
        return "` `"
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    fence = "`" * (longest + 1)
    if content.startswith("`") or content.endswith("`"):
        content = f" {content} "
    return f"{fence}{content}{fence}"


def html_code(value: str) -> str:
    """Inline code inside HTML (``<summary>``), where Markdown is not parsed."""
    return f"<code>{html.escape(clean(value))}</code>"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |\n"


def _header(*names: str) -> str:
    return _row(*names) + _row(*("---" for _ in names))


def _source(file: str | None, line: int | None) -> str:
    if not file:
        return ""
    return code(file + (f":{line}" if line is not None else ""))


def _details(label: str, target: str, body: str, *, open_: bool = False) -> str:
    """A collapsible block; its summary is HTML, so it is escaped as HTML."""
    summary = f"{html_code(label)} ({html.escape(clean(target))})"
    return (
        f"<details{' open' if open_ else ''}><summary>{summary}</summary>\n\n{body}\n</details>\n\n"
    )


@dataclass
class Section:
    """One table of a report, with the per-row details shown when there is room."""

    heading: str
    header: str
    rows: list[str]
    noun: str
    details: list[str] = field(default_factory=list)
    """The details of each row, in the rows' order (``""`` for a row that has none)."""

    @property
    def detail_count(self) -> int:
        return sum(1 for block in self.details if block)

    def render(self, rows: int | None = None, *, details: int | None = None) -> str:
        """The first ``rows`` rows (None: all), then the details of the first ``details`` of
        those rows that have any (None: all of them)."""
        if not self.rows:
            return ""
        shown = self.rows if rows is None else self.rows[:rows]
        out = self.heading + self.header + "".join(shown)
        if len(shown) < len(self.rows):
            out += more_line(len(self.rows) - len(shown), self.noun)
        blocks = [block for block in self.details[: len(shown)] if block]
        if details is not None:
            blocks = blocks[: max(details, 0)]
        if blocks:
            out += "\n" + "".join(blocks).rstrip("\n") + "\n"
        return out + "\n"


def more_line(count: int, noun: str) -> str:
    return f"\n… and {count} more {noun} ({SEE_ELSEWHERE})\n"


def details_note(left_out: int, total: int, noun: str) -> str:
    """The line that says how many details a folded report leaves out, and where they are."""
    return (
        f"_Details of {left_out} of {total} {noun} are left out to keep this short; "
        f"{SEE_ELSEWHERE}._\n\n"
    )


def share_fairly(costs: Sequence[Sequence[int]], available: int) -> list[int]:
    """Split ``available`` characters between tables so a long one cannot starve the others.

    Tables that fit in an equal share get what they need; the rest split what is left equally.
    """
    budgets = [0] * len(costs)
    pending = [i for i, rows in enumerate(costs) if rows]
    available = max(available, 0)
    while pending:
        share = available // len(pending)
        small = [i for i in pending if sum(costs[i]) <= share]
        if not small:
            for i in pending:
                budgets[i] = share
            break
        for i in small:
            budgets[i] = sum(costs[i])
            available -= budgets[i]
        pending = [i for i in pending if i not in small]
    return budgets


def fold(intro: str, sections: Sequence[Section], max_chars: int, outro: str = "") -> str:
    """The report within ``max_chars``, keeping as much as fits, in this order:

    1. everything;
    2. every row, and the details of as many rows as fit (the first ones);
    3. as many rows as fit in each table, each with its details while they fit; a line per
       table counts the rows left out.

    A note under the headline says how many details are left out; the JSON plan and the step
    summary have them all.
    """

    def page(parts: Iterable[str], note: str = "") -> str:
        return (intro + note + "".join(parts) + outro).rstrip("\n") + "\n"

    full = page(s.render() for s in sections)
    if len(full) <= max_chars:
        return full
    total = sum(s.detail_count for s in sections)
    noun = next((s.noun for s in sections if s.detail_count), "")

    def rows_with_details(kept: int) -> str:
        parts, left = [], kept
        for section in sections:
            parts.append(section.render(details=left))
            left = max(left - section.detail_count, 0)
        return page(parts, details_note(total - kept, total, noun) if total else "")

    if len(rows_with_details(0)) <= max_chars:
        fits, too_many = 0, total  # the largest number of details that fits, by bisection
        while too_many - fits > 1:
            middle = (fits + too_many) // 2
            if len(rows_with_details(middle)) <= max_chars:
                fits = middle
            else:
                too_many = middle
        return rows_with_details(fits)

    widest_note = details_note(total, total, noun) if total else ""
    skeleton = page((s.render(0) for s in sections), widest_note)
    units = [
        [len(row) + len(block) for row, block in zip_longest(s.rows, s.details, fillvalue="")]
        for s in sections
    ]
    budgets = share_fairly(units, max_chars - len(skeleton) - 2 * len(sections))
    parts, kept = [], 0
    for section, budget in zip(sections, budgets, strict=True):
        # The "and K more" line only shrinks as rows are added, so the 0-row size bounds it.
        shown, with_details, used, details_fit = 0, 0, 0, True
        for row, block in zip_longest(section.rows, section.details, fillvalue=""):
            if block and details_fit and used + len(row) + len(block) <= budget:
                used += len(row) + len(block)
                with_details += 1
            elif used + len(row) <= budget:
                used += len(row)
                details_fit = details_fit and not block  # details stay those of the first rows
            else:
                break
            shown += 1
        parts.append(section.render(shown, details=with_details))
        kept += with_details
    out = page(parts, details_note(total - kept, total, noun) if total else "")
    return out if len(out) <= max_chars else out[: max_chars - 2] + "…\n"


def _heading(title: str, headline: str) -> str:
    """The title (escaped: it may name a target) and our own summary sentence."""
    return f"### {text(title)}\n\n**{headline}**\n\n"


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
            body += _header("Field", "Value")
            body += "".join(_row(code(p), code(format_value(v))) for p, v in fields)
    elif change.fields:
        body += _header("Field", "Before", "After")
        body += "".join(
            _row(code(f.path), code(format_value(f.before)), code(format_value(f.after)))
            for f in change.fields
        )
    elif change.kind == "update":
        body += "".join(f"- {code(name)}\n" for name in action_names(change))
    if change.lifecycle:
        body += ("\n" if body else "") + _lifecycle_items(change)
    if not body:
        return ""
    return _details(f"{CHANGE_SYMBOL[change.kind]} {change.key}", change.target, body)


def _orphan_section(
    orphans: Sequence[Orphan],
    explanation: str,
    *,
    title: str = "Orphans",
    column: str = "Connector",
) -> Section:
    """Live resources that no declaration names; one without a key is shown by its id."""
    return Section(
        heading=f"#### {title}\n\n{explanation}\n\n",
        header=_header(column, "Target", "Id"),
        rows=[
            _row(
                code(o.key) if o.key else text(deployments.NO_KEY),
                code(o.target),
                code(o.id) if o.id else "",
            )
            for o in orphans
        ],
        noun=title.lower(),
    )


def _changes_section(
    listed: Sequence[Change],
    *,
    title: str,
    column: str,
    noun: str,
    summary: Callable[[Change], str],
    details: Callable[[Change], str],
) -> Section:
    """One table of planned changes (connectors, or deployments), with each change's details."""
    return Section(
        heading=f"#### {title}\n\n",
        header=_header("", column, "Target", "Source", "Change"),
        rows=[
            _row(
                code(CHANGE_SYMBOL[c.kind]),
                code(c.key),
                code(c.target),
                _source(c.file, c.line),
                summary(c),
            )
            for c in listed
        ],
        noun=noun,
        details=[details(c) for c in listed],
    )


# --- deployments in plans ---------------------------------------------------------------------

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
        rows = "".join(_row(code(f.path), code(format_value(f.after))) for f in change.fields)
        return _header("Field", "Value") + rows if rows else ""
    rows = ""
    setting = change.kind == "replace"
    for f in change.fields:
        if deployments.is_version_move(change, f):
            before, after = f"v{f.before}" if f.before is not None else "", f.after
            moved = "latest" if after == "latest" else f"latest (v{after})"
            rows += _row(code("connector"), code(before), code(moved))
        elif f.before is None and setting:
            rows += _row(code(f.path), "", code(format_value(f.after)))
        else:
            rows += _row(code(f.path), code(format_value(f.before)), code(format_value(f.after)))
    return _header("Field", "Before", "After") + rows if rows else ""


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
    return _details(f"{CHANGE_SYMBOL[change.kind]} {change.key}", change.target, body)


def _deployment_sections(plan: Plan) -> list[Section]:
    listed = [c for c in deployments.deployment_changes(plan) if deployments.is_listed(c)]
    changes = _changes_section(
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
    return [changes, _deployment_orphan_section(plan.orphans)]


def _deployment_orphan_section(orphans: Sequence[Orphan]) -> Section:
    return _orphan_section(
        [o for o in orphans if deployments.is_deployment(o)],
        DEPLOYMENT_ORPHANS_HELP,
        title="Deployment orphans",
        column="Deployment",
    )


def render_plan_markdown(
    plan: Plan, *, title: str | None = None, max_chars: int = MAX_CHARS
) -> str:
    """The plan for a pull request comment or a step summary, folded to ``max_chars``.

    Connectors and deployments each get their table (and orphans theirs).
    """
    listed = [c for c in deployments.connector_changes(plan) if deployments.is_listed(c)]
    changes = _changes_section(
        listed,
        title="Changes",
        column="Connector",
        noun="changes",
        summary=_change_summary,
        details=_change_details,
    )
    orphans = _orphan_section(
        [o for o in plan.orphans if not deployments.is_deployment(o)],
        "Live connectors that no declaration names. They are not deleted.",
    )
    intro = _heading(title or "connect-gitops plan", plan_headline(plan))
    return fold(intro, [changes, orphans, *_deployment_sections(plan)], max_chars)


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
    return _details(outcome.key, outcome.target, items)


def _outcome_section(outcomes: Sequence[Outcome], noun: str) -> Section:
    """One table of outcomes: connectors, or deployments."""
    return Section(
        heading=f"#### {noun.capitalize()}\n\n",
        header=_header("", noun.capitalize()[:-1], "Target", "Source", "Result"),
        rows=[
            _row(
                code(OUTCOME_SYMBOL[o.kind]),
                code(o.key),
                code(o.target),
                _source(o.file, o.line),
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
    intro = _heading(title or "connect-gitops apply", apply_summary(result))
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
        body += _header("Field", "Declared", "Live")
        body += "".join(
            _row(code(f.path), code(format_value(f.after)), code(format_value(f.before)))
            for f in change.fields
        )
    if change.lifecycle:
        body += ("\n" if body else "") + "".join(
            f"- {text(step.step)}: {text(step.reason)}\n" for step in change.lifecycle
        )
    if not body:
        return ""
    return _details(change.key, change.target, body, open_=True)


def render_drift_markdown(
    plan: Plan, *, title: str | None = None, max_chars: int = MAX_CHARS
) -> str:
    """A drift report written to be an issue body: what drifted and what to do about each."""
    drift = drifted(plan)
    changes = Section(
        heading=f"#### Drifted connectors\n\n{DRIFTED_HELP}\n\n",
        header=_header("Connector", "Target", "Source", "Drift"),
        rows=[
            _row(_drift_name(c), code(c.target), _source(c.file, c.line), _drift_cell(c))
            for c in drift
        ],
        noun="drifted connectors",
        details=[_drift_details(c) for c in drift],
    )
    absent = Section(
        heading=f"#### Missing connectors\n\n{MISSING_HELP}\n\n",
        header=_header("Connector", "Target", "Source"),
        rows=[_row(_drift_name(c), code(c.target), _source(c.file, c.line)) for c in missing(plan)],
        noun="missing connectors",
    )
    connector_orphans = [o for o in plan.orphans if not deployments.is_deployment(o)]
    orphans = _orphan_section(connector_orphans, ORPHANS_HELP)
    deployment_orphans = _deployment_orphan_section(plan.orphans)
    intro = _heading(title or "connect-gitops drift", drift_summary(plan))
    return fold(intro, [changes, absent, orphans, deployment_orphans], max_chars)
