"""Apply a Plan: each connector's writes (:mod:`.writes`), then its lifecycle steps
(:mod:`.lifecycle`), all connectors at once (design.md section 5); then the deployments
(:mod:`.deploying`), which may wait for those connectors' steps.

``declarations`` decide the mode: given (a plan computed in this run), conflicts are re-diffed
against them; ``None`` (a saved plan), the plan is applied exactly and a moved world makes a
connector ``stale``. Every connector ends with exactly one :class:`Outcome`; one connector's
failure, even an unexpected exception, never stops the others.

Concurrency: every API request to a target passes one :class:`anyio.CapacityLimiter` of
``concurrency`` slots, but the pauses between polls hold no slot, so any number of connectors
can wait for their previews at once while requests stay bounded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import anyio

from connect_gitops.apply import WAIT_TIMEOUT
from connect_gitops.apply.deploying import DeploymentInputs, execute_deployments
from connect_gitops.apply.lifecycle import run_steps
from connect_gitops.apply.waiting import (
    REAL_CLOCK,
    Clock,
    ConnectorApi,
    ConnectorGone,
    Waiter,
    describe_error,
)
from connect_gitops.apply.writes import Job, Stop, Written, read_current, write
from connect_gitops.client.errors import ConnectError
from connect_gitops.core.declarations import ConnectorDeclaration
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.core.outcomes import ApplyResult, LifecycleOutcome, Outcome
from connect_gitops.core.plan import Plan
from connect_gitops.reporting.progress import NullProgress, Progress

Declarations = Mapping[tuple[str, str], ConnectorDeclaration]
_T = TypeVar("_T")


class GatedApi:
    """A client whose every request takes a slot of a shared limiter (bounded concurrency)."""

    def __init__(self, api: ConnectorApi, limiter: anyio.CapacityLimiter) -> None:
        self._api = api
        self._limiter = limiter

    async def _gated(self, call: Callable[[], Awaitable[_T]]) -> _T:
        async with self._limiter:
            return await call()

    async def get_by_key(self, key: str) -> ConnectorStaged | None:
        return await self._gated(lambda: self._api.get_by_key(key))

    async def get_by_id(self, id: str) -> ConnectorStaged | None:
        return await self._gated(lambda: self._api.get_by_id(id))

    async def create(self, draft: Mapping[str, Any]) -> ConnectorStaged:
        return await self._gated(lambda: self._api.create(draft))

    async def update(
        self, id: str, version: int, actions: Sequence[Mapping[str, Any]]
    ) -> ConnectorStaged:
        return await self._gated(lambda: self._api.update(id, version, actions))


async def execute(
    plan: Plan,
    clients: Mapping[str, ConnectorApi],
    *,
    declarations: Declarations | None,
    concurrency: int = 10,
    timeout: float = WAIT_TIMEOUT,  # noqa: ASYNC109 - bounds each wait, not the whole run
    wait: bool = True,
    progress: Progress | None = None,
    clock: Clock = REAL_CLOCK,
    deployments: DeploymentInputs | None = None,
) -> ApplyResult:
    """Apply ``plan`` through ``clients`` (one per target name); one Outcome per change.

    ``declarations`` (keyed by target and key) allows re-diffing: pass it for a plan computed in
    this run, ``None`` for a saved plan, which is then applied exactly. ``timeout`` bounds each
    wait (a preview, a publish, someone else's publish, a build) in seconds; ``wait=False``
    sends the preview / publish / deployment requests without waiting for their outcome.
    ``deployments`` is needed when the plan holds deployment changes: they are applied once
    every connector is done. Outcomes: connectors first, then deployments, each by target and key.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    connector_changes = [c for c in plan.changes if c.resource == "connector"]
    deployment_changes = [c for c in plan.changes if c.resource == "deployment"]
    missing = sorted({c.target for c in connector_changes} - set(clients))
    if missing:
        raise ValueError(f"no client for target(s): {', '.join(missing)}")
    if deployment_changes and deployments is None:
        raise ValueError("the plan holds deployments: pass their inputs")
    shown = progress if progress is not None else NullProgress()
    gated = {
        target: GatedApi(client, anyio.CapacityLimiter(concurrency))
        for target, client in clients.items()
    }
    outcomes: list[Outcome | None] = [None] * len(connector_changes)

    async def run(index: int, job: Job) -> None:
        outcomes[index] = await _apply_one(job)

    async with anyio.create_task_group() as group:
        for index, change in enumerate(connector_changes):
            declaration = (
                declarations.get((change.target, change.key)) if declarations is not None else None
            )
            waiter = Waiter(target=change.target, timeout=timeout, clock=clock, progress=shown)
            job = Job(change, gated[change.target], declaration, waiter, wait)
            group.start_soon(run, index, job)
    done = sorted(
        (outcome for outcome in outcomes if outcome is not None), key=lambda o: (o.target, o.key)
    )
    if deployment_changes and deployments is not None:
        deployed = await execute_deployments(
            deployment_changes,
            deployments,
            done,
            concurrency=concurrency,
            timeout=timeout,
            wait=wait,
            progress=shown,
            clock=clock,
        )
        done += sorted(deployed, key=lambda o: (o.target, o.key))
    return ApplyResult(outcomes=done)


async def _apply_one(job: Job) -> Outcome:
    """The whole story of one connector: its write, then its lifecycle; never raises."""
    change, progress = job.change, job.waiter.progress
    writes = change.kind in ("create", "update")  # noops and blocked ones stay off the display
    if writes:
        progress.started(change.target, change.key, change.kind)
    try:
        written = await write(job)
    except Stop as stop:
        written = stop.written
    except ConnectorGone as gone:
        written = Written("failed", message=str(gone), code="ResourceNotFound")
    except ConnectError as error:
        written = Written(
            "failed",
            message=error.message,  # the reporters add the code and the correlation id
            code=error.code,
            correlation_id=error.correlation_id,
        )
    except Exception as error:
        written = Written("failed", message=f"{type(error).__name__}: {error}")
    ok = written.kind in ("created", "updated", "unchanged")
    if writes:
        progress.finished(change.target, change.key, change.kind, _describe(written), ok=ok)
    lifecycle: list[LifecycleOutcome] = []
    if ok and change.lifecycle:
        lifecycle = await _lifecycle(job, written.live)
    live = written.live
    return Outcome(
        target=change.target,
        key=change.key,
        kind=written.kind,
        file=change.file,
        line=change.line,
        id=live.id if live is not None else change.id,
        version=live.version if live is not None else change.version,
        actions=written.actions,
        message=written.message,
        code=written.code,
        correlation_id=written.correlation_id,
        lifecycle=lifecycle,
    )


def _describe(written: Written) -> str:
    if written.kind in ("created", "updated") and written.actions:
        plural = "" if written.actions == 1 else "s"
        return f"{written.kind} ({written.actions} action{plural})"
    return f"{written.kind}: {written.message}" if written.message else written.kind


async def _lifecycle(job: Job, live: ConnectorStaged | None) -> list[LifecycleOutcome]:
    """Run the change's preview / publish on the connector's current state."""
    try:
        current = live if live is not None else await read_current(job)
    except ConnectError as error:
        message = describe_error(error)
        return [
            LifecycleOutcome(step=step.step, state="failed", message=message)
            for step in job.change.lifecycle
        ]
    except Exception as error:  # ConnectorGone, or a bug: fail the steps, never the run
        message = (
            str(error) if isinstance(error, ConnectorGone) else f"{type(error).__name__}: {error}"
        )
        return [
            LifecycleOutcome(step=step.step, state="failed", message=message)
            for step in job.change.lifecycle
        ]
    return await run_steps(job.api, current, job.change.lifecycle, wait=job.wait, waiter=job.waiter)
