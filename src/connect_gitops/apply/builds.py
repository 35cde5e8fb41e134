"""Waiting for deployments: a build takes minutes (Queued, Deploying, then Deployed or Failed),
an undeploy too, and a redeploy must wait for a running build before it is sent.

The waits use the previews' adaptive polling (:func:`~connect_gitops.apply.waiting.wait_until`
with the :class:`~connect_gitops.apply.waiting.Waiter`'s clock, backoff and timeout) and report
a progress line per deployment ("building payments: Deploying (1m20s)"). A failed build's
outcome carries its report entries and the last log lines of the failing applications, with
every secured value this run sent replaced (an application may print its environment).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Protocol

from connect_gitops.apply.waiting import Waited, Waiter, describe_error, wait_until
from connect_gitops.client.errors import ConnectError
from connect_gitops.core.deployments.live import (
    RUNNING,
    BuildReportEntry,
    ConnectorFacts,
    Deployment,
    LogEntry,
)
from connect_gitops.core.outcomes import LifecycleOutcome

BUILDING: Final = frozenset({"Queued", "Deploying"})
"""A build runs: wait for Deployed or Failed."""
LOG_LINES: Final = 20
"""Log lines shown per failing application."""
LOG_APPLICATIONS: Final = 3
"""At most this many failing applications get their logs read."""

Redact = Callable[[str], str]


class DeploymentApi(Protocol):
    """The part of :class:`connect_gitops.client.deployments.DeploymentEndpoints` apply uses."""

    async def get_by_key(self, key: str) -> Deployment | None: ...

    async def get_by_id(self, id: str) -> Deployment | None: ...

    async def create(self, draft: Mapping[str, Any]) -> Deployment: ...

    async def update(
        self, id: str, version: int, actions: Sequence[Mapping[str, Any]]
    ) -> Deployment: ...

    async def delete(self, id: str, version: int | None = None) -> Deployment | None: ...

    async def last_log_lines(
        self, id: str, *, application: str | None = None, lines: int = 20
    ) -> list[LogEntry]: ...

    async def connector_facts(
        self, *, staged: bool, key: str | None = None, id: str | None = None
    ) -> ConnectorFacts | None: ...

    def remember_secret(self, value: str) -> None: ...


class DeploymentGone(Exception):
    """The deployment disappeared (404) while apply was working on it."""

    def __init__(self, key: str) -> None:
        super().__init__(f"deployment {key} was deleted while apply was working on it")
        self.key = key


async def _reader(api: DeploymentApi, live: Deployment, key: str) -> Deployment:
    found = await api.get_by_id(live.id)
    if found is None:
        raise DeploymentGone(key)
    return found


async def wait_for_status(
    api: DeploymentApi,
    live: Deployment,
    key: str,
    waiter: Waiter,
    *,
    step: str,
    running: frozenset[str],
) -> Waited[Deployment]:
    """Poll ``live`` while its status is one of ``running``, a progress line per change."""
    if live.status not in running:
        return Waited(live, False, 0.0)
    progress = waiter.progress
    progress.started(waiter.target, key, step)

    def report(value: Deployment, _elapsed: float) -> None:
        progress.changed(waiter.target, key, step, value.status)

    waited = await wait_until(
        lambda: _reader(api, live, key),
        lambda found: found.status not in running,
        current=live,
        timeout=waiter.timeout,
        clock=waiter.clock,
        backoff=waiter.backoff,
        on_poll=report,
    )
    ok = not waited.timed_out
    progress.finished(waiter.target, key, step, waited.value.status, ok=ok)
    return waited


async def wait_while_running(
    api: DeploymentApi, live: Deployment, key: str, waiter: Waiter
) -> Waited[Deployment]:
    """Someone's build (or undeploy) runs: the API refuses a redeploy until it ends."""
    return await wait_for_status(api, live, key, waiter, step="build", running=RUNNING)


async def wait_until_gone(api: DeploymentApi, live: Deployment, key: str, waiter: Waiter) -> bool:
    """After a delete: poll until the deployment is gone (its key is free again only then);
    False on timeout."""
    progress = waiter.progress
    progress.started(waiter.target, key, "undeploy")

    async def read() -> Deployment | None:
        return await api.get_by_id(live.id)

    def report(value: Deployment | None, _elapsed: float) -> None:
        if value is not None:
            progress.changed(waiter.target, key, "undeploy", value.status)

    current: Deployment | None = live
    waited = await wait_until(
        read,
        lambda found: found is None,
        current=current,
        timeout=waiter.timeout,
        clock=waiter.clock,
        backoff=waiter.backoff,
        on_poll=report,
    )
    gone = waited.value is None
    state = "gone" if waited.value is None else waited.value.status
    progress.finished(waiter.target, key, "undeploy", state, ok=gone)
    return gone


async def follow_build(
    api: DeploymentApi, live: Deployment, key: str, waiter: Waiter, redact: Redact
) -> tuple[LifecycleOutcome, Deployment]:
    """Wait for the build that this apply started to end: Deployed, or Failed with its report
    entries and the failing applications' last log lines."""
    try:
        waited = await wait_for_status(api, live, key, waiter, step="build", running=BUILDING)
    except ConnectError as error:
        return LifecycleOutcome(step="build", state="failed", message=describe_error(error)), live
    except DeploymentGone as gone:
        return LifecycleOutcome(step="build", state="failed", message=str(gone)), live
    found = waited.value
    if waited.timed_out:
        message = waiter.timeout_message("build", key, found.status)
        return LifecycleOutcome(step="build", state="timed_out", message=message), found
    if found.status == "Deployed":
        return LifecycleOutcome(step="build", state="succeeded", message="Deployed"), found
    entries = [_entry(entry, redact) for entry in found.report_entries()]
    logs, note = await _failure_logs(api, found, redact)
    message = "build failed" if found.status == "Failed" else f"build ended as {found.status}"
    outcome = LifecycleOutcome(
        step="build",
        state="failed",
        message=message + note,
        entries=entries,
        logs=logs,
    )
    return outcome, found


def failing_applications(live: Deployment) -> list[str]:
    """The applications a failed build's Error entries name, else every application."""
    named = [
        entry.application
        for entry in live.report_entries()
        if entry.type == "Error" and entry.application
    ]
    found = list(dict.fromkeys(named)) or [a.applicationName for a in live.applications]
    return found[:LOG_APPLICATIONS]


async def _failure_logs(
    api: DeploymentApi, live: Deployment, redact: Redact
) -> tuple[list[dict[str, str]], str]:
    """The last log lines of each failing application, and a note when they could not be read
    (the build's outcome stands either way)."""
    lines: list[dict[str, str]] = []
    for application in failing_applications(live):
        try:
            read = await api.last_log_lines(live.id, application=application, lines=LOG_LINES)
        except ConnectError as error:
            return lines, f"; its logs could not be read: {describe_error(error)}"
        lines += [_log_line(application, entry, redact) for entry in read]
    return lines, ""


def _entry(entry: BuildReportEntry, redact: Redact) -> dict[str, Any]:
    data: dict[str, Any] = entry.model_dump(mode="json", exclude_none=True)
    return {name: redact(v) if isinstance(v, str) else v for name, v in data.items()}


def _log_line(application: str, entry: LogEntry, redact: Redact) -> dict[str, str]:
    line = {
        "application": entry.applicationName or application,
        "timestamp": entry.timestamp or "",
        "severity": entry.severity or "",
        "message": redact(entry.message),
    }
    return {name: value for name, value in line.items() if value}
