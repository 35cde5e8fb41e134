"""Preview and publish: send the request, then wait for the server's verdict (design.md §6).

A connector's steps run in order, preview before publish; a step that does not succeed skips the
ones after it, and every error becomes a failed outcome, so one connector never stops the
others. The waiting itself is :mod:`connect_gitops.apply.waiting`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connect_gitops.apply.waiting import (
    ConnectorApi,
    ConnectorGone,
    Waiter,
    describe_error,
    is_processing,
    may_be_busy,
    read_connector,
    wait_while_processing,
)
from connect_gitops.apply.writes import CONFLICT_ROUNDS
from connect_gitops.client.errors import Conflict, ConnectError, Invalid
from connect_gitops.core.actions import Publish, UpdateAction, UpdatePreviewable, to_wire
from connect_gitops.core.live import ConnectorStaged, ConnectorStatus, Report
from connect_gitops.core.outcomes import LifecycleOutcome
from connect_gitops.core.plan import LifecycleStep
from connect_gitops.reporting.progress import preview_state, publish_state

CERTIFICATION_STATES = (ConnectorStatus.READY_FOR_CERTIFICATION, ConnectorStatus.IN_CERTIFICATION)
PREVIEW_UNDER_PROCESS = "ConnectorStagedPreviewRequestUnderProcess"


def report_entries(report: Report | None) -> list[dict[str, Any]]:
    """The entries of a previewable / publishing report as plain dicts (type, title, message)."""
    if report is None:
        return []
    return [entry.model_dump(mode="json", exclude_none=True) for entry in report.entries]


async def _send(
    api: ConnectorApi, live: ConnectorStaged, action: UpdateAction, waiter: Waiter
) -> ConnectorStaged:
    """Send one lifecycle action with the current version; re-read and resend after a 409.

    A connector still processing a publish is waited for first, since the API refuses it. A
    refusal whose meaning the API does not document is judged by the connector's status,
    re-read: a publish that started meanwhile is waited for; otherwise the refusal stands.
    """
    for attempt in range(CONFLICT_ROUNDS + 1):
        waited = await wait_while_processing(api, live, waiter)
        if waited.timed_out:
            raise _StillProcessing(
                waiter.timeout_message("publish", live.label, ConnectorStatus.PROCESSING)
            )
        live = waited.value
        try:
            return await api.update(live.id, live.version, to_wire([action]))
        except Conflict:
            if attempt == CONFLICT_ROUNDS:
                raise
            live = await read_connector(api, live)
        except ConnectError as error:
            if not may_be_busy(error) or attempt == CONFLICT_ROUNDS:
                raise
            live = await read_connector(api, live)
            if not is_processing(live):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


class _StillProcessing(Exception):
    """Someone else's publish outlasted --timeout before we could send ours."""


async def preview(
    api: ConnectorApi, live: ConnectorStaged, *, wait: bool, waiter: Waiter
) -> tuple[LifecycleOutcome, ConnectorStaged]:
    """Request a preview (unless one is pending) and, with ``wait``, wait for its verdict."""
    already_pending = live.isPreviewable == "pending"
    if not already_pending:
        try:
            live = await _send(api, live, UpdatePreviewable(), waiter)
        except Invalid as error:
            if error.code != PREVIEW_UNDER_PROCESS:
                raise
            live = await read_connector(api, live)  # requested meanwhile: wait for that one
    if not wait:
        message = "preview already pending" if already_pending else "preview requested"
        return LifecycleOutcome(step="preview", state="requested", message=message), live
    waited = await waiter.wait(
        api,
        live,
        "preview",
        lambda c: c.isPreviewable != "pending",
        lambda c: preview_state(c.isPreviewable),
    )
    live = waited.value
    if waited.timed_out:
        message = waiter.timeout_message("preview", live.label, "pending")
        return LifecycleOutcome(step="preview", state="timed_out", message=message), live
    if live.isPreviewable == "true":
        return LifecycleOutcome(step="preview", state="succeeded", message="preview ready"), live
    if live.isPreviewable == "false":
        entries = report_entries(live.previewableReport)
        outcome = LifecycleOutcome(
            step="preview", state="failed", message="preview failed", entries=entries
        )
        return outcome, live
    message = (
        "preview was cancelled"
        if live.isPreviewable == "none"
        else f"preview ended as {live.isPreviewable!r}"  # a value this version does not know
    )
    return LifecycleOutcome(step="preview", state="failed", message=message), live


def _publish_settled(live: ConnectorStaged) -> bool:
    return not is_processing(live)


async def publish(
    api: ConnectorApi, live: ConnectorStaged, *, certification: bool, wait: bool, waiter: Waiter
) -> tuple[LifecycleOutcome, ConnectorStaged]:
    """Publish (with or without certification) and, with ``wait``, wait for its result."""
    live = await _send(api, live, Publish(certification=certification), waiter)
    if not wait:
        return LifecycleOutcome(
            step="publish", state="requested", message="publish requested"
        ), live
    waited = await waiter.wait(
        api, live, "publish", _publish_settled, lambda c: publish_state(c.status)
    )
    live = waited.value
    if waited.timed_out:
        message = waiter.timeout_message("publish", live.label, ConnectorStatus.PROCESSING)
        return LifecycleOutcome(step="publish", state="timed_out", message=message), live
    if live.status == ConnectorStatus.PUBLISHED or (
        certification and live.status in CERTIFICATION_STATES
    ):
        return LifecycleOutcome(step="publish", state="succeeded", message=str(live.status)), live
    entries = report_entries(live.publishingReport)
    message = (
        "publish failed"
        if live.status == ConnectorStatus.FAILED
        else f"publish ended as {live.status}"
    )
    return LifecycleOutcome(step="publish", state="failed", message=message, entries=entries), live


_ORDER = {"preview": 0, "publish": 1}


async def run_steps(
    api: ConnectorApi,
    live: ConnectorStaged,
    steps: Sequence[LifecycleStep],
    *,
    wait: bool,
    waiter: Waiter,
) -> list[LifecycleOutcome]:
    """Run a connector's lifecycle steps, preview before publish.

    A step that does not succeed skips the steps after it (a failed preview must not be
    published). Errors become failed outcomes: one connector never stops the others.
    """
    outcomes: list[LifecycleOutcome] = []
    blocked_by: str | None = None
    for step in sorted(steps, key=lambda s: _ORDER[s.step]):
        if blocked_by is not None:
            outcomes.append(
                LifecycleOutcome(step=step.step, state="skipped", message=f"{blocked_by} failed")
            )
            continue
        waiter.progress.started(waiter.target, live.label, step.step)
        try:
            if step.step == "preview":
                outcome, live = await preview(api, live, wait=wait, waiter=waiter)
            else:
                outcome, live = await publish(
                    api, live, certification=step.certification, wait=wait, waiter=waiter
                )
        except ConnectError as error:
            outcome = LifecycleOutcome(
                step=step.step, state="failed", message=describe_error(error)
            )
        except (ConnectorGone, _StillProcessing) as error:
            outcome = LifecycleOutcome(step=step.step, state="failed", message=str(error))
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            outcome = LifecycleOutcome(step=step.step, state="failed", message=message)
        ok = outcome.state in ("succeeded", "requested")
        text = outcome.message if outcome.state != "succeeded" else f"succeeded ({outcome.message})"
        waiter.progress.finished(waiter.target, live.label, step.step, text, ok=ok)
        outcomes.append(outcome)
        if not ok:
            blocked_by = step.step
    return outcomes
