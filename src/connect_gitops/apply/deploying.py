"""Apply the deployments of a plan, after its connectors (design.md section 11).

Each deployment ends with exactly one :class:`Outcome` (``resource: "deployment"``), and one
deployment's failure never stops the others. A deployment that waits for its connector's
preview or publish in this run (``waitsFor``) is written only when those steps succeeded; in
fresh mode it is then re-planned against the deployment and connector as they are now, since
the step changed what "the latest" is. After its write, apply follows the build to Deployed or
Failed (unless ``--no-wait``).

Secured values are read from the environment here, once per run, for the changes that name
them; each value is handed to its target's client for redaction before anything is sent, and
redacted from the build reports and log lines shown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import anyio

from connect_gitops.apply.builds import DeploymentApi, DeploymentGone, follow_build
from connect_gitops.apply.deployment_writes import (
    DeploymentJob,
    Stop,
    Written,
    replan,
    write_deployment,
)
from connect_gitops.apply.waiting import Clock, Waiter
from connect_gitops.client.errors import ConnectError
from connect_gitops.core.deployments.declarations import DeclaredDeployment
from connect_gitops.core.deployments.live import ConnectorFacts, Deployment, LogEntry
from connect_gitops.core.outcomes import LifecycleOutcome, Outcome
from connect_gitops.core.plan import Change, WaitFor
from connect_gitops.core.redaction import Secrets
from connect_gitops.reporting.progress import Progress

_T = TypeVar("_T")
WROTE = frozenset({"created", "redeployed", "replaced"})
_STEP_STATE = {"failed": "failed", "timed_out": "timed out", "skipped": "was skipped"}


@dataclass(frozen=True)
class DeploymentInputs:
    """What applying deployments needs beyond the plan."""

    apis: Mapping[str, DeploymentApi]
    """Per target: its client's ``deployments``."""
    environ: Mapping[str, str]
    """The environment: secured values are read from it at apply time."""
    declared: Mapping[tuple[str, str], DeclaredDeployment] | None = None
    """The declarations by (target, key) for fresh mode; None applies a saved plan exactly."""
    redeploy: Collection[str] = field(default_factory=frozenset)
    """``--redeploy`` keys."""


class GatedDeployments:
    """A deployments client whose every request takes a slot of a shared limiter."""

    def __init__(self, api: DeploymentApi, limiter: anyio.CapacityLimiter) -> None:
        self._api = api
        self._limiter = limiter

    async def _gated(self, call: Callable[[], Awaitable[_T]]) -> _T:
        async with self._limiter:
            return await call()

    async def get_by_key(self, key: str) -> Deployment | None:
        return await self._gated(lambda: self._api.get_by_key(key))

    async def get_by_id(self, id: str) -> Deployment | None:
        return await self._gated(lambda: self._api.get_by_id(id))

    async def create(self, draft: Mapping[str, Any]) -> Deployment:
        return await self._gated(lambda: self._api.create(draft))

    async def update(
        self, id: str, version: int, actions: Sequence[Mapping[str, Any]]
    ) -> Deployment:
        return await self._gated(lambda: self._api.update(id, version, actions))

    async def delete(self, id: str, version: int | None = None) -> Deployment | None:
        return await self._gated(lambda: self._api.delete(id, version))

    async def last_log_lines(
        self, id: str, *, application: str | None = None, lines: int = 20
    ) -> list[LogEntry]:
        return await self._gated(
            lambda: self._api.last_log_lines(id, application=application, lines=lines)
        )

    async def connector_facts(
        self, *, staged: bool, key: str | None = None, id: str | None = None
    ) -> ConnectorFacts | None:
        return await self._gated(lambda: self._api.connector_facts(staged=staged, key=key, id=id))

    def remember_secret(self, value: str) -> None:
        self._api.remember_secret(value)


async def execute_deployments(
    changes: Sequence[Change],
    inputs: DeploymentInputs,
    connectors: Sequence[Outcome],
    *,
    concurrency: int,
    timeout: float,  # noqa: ASYNC109 - bounds each wait, not the whole run
    wait: bool,
    progress: Progress,
    clock: Clock,
) -> list[Outcome]:
    """Apply ``changes`` (deployments only), all at once; one Outcome per change."""
    missing = sorted({c.target for c in changes} - set(inputs.apis))
    if missing:
        raise ValueError(f"no deployments client for target(s): {', '.join(missing)}")
    secrets = _secrets(changes, inputs)
    gated = {
        target: GatedDeployments(api, anyio.CapacityLimiter(concurrency))
        for target, api in inputs.apis.items()
    }
    names = frozenset(name for name, value in inputs.environ.items() if value)
    by_connector = {(o.target, o.key): o for o in connectors}
    outcomes: list[Outcome | None] = [None] * len(changes)

    async def run(index: int, job: DeploymentJob) -> None:
        outcomes[index] = await apply_deployment(job, by_connector, secrets.redact)

    async with anyio.create_task_group() as group:
        for index, change in enumerate(changes):
            declared = (
                inputs.declared.get((change.target, change.key))
                if inputs.declared is not None
                else None
            )
            job = DeploymentJob(
                change=change,
                api=gated[change.target],
                declared=declared,
                environ=inputs.environ,
                environment=names,
                waiter=Waiter(
                    target=change.target, timeout=timeout, clock=clock, progress=progress
                ),
                wait=wait,
                rotate=change.key in inputs.redeploy,
            )
            group.start_soon(run, index, job)
    return [outcome for outcome in outcomes if outcome is not None]


def _secrets(changes: Sequence[Change], inputs: DeploymentInputs) -> Secrets:
    """The secured values this run may send, each handed to its target's client for
    redaction before any request carries it."""
    secrets = Secrets()
    for change in changes:
        for ref in change.secured:
            value = inputs.environ.get(ref.fromEnv)
            if value:
                secrets.remember(value)
                inputs.apis[change.target].remember_secret(value)
    return secrets


async def apply_deployment(
    job: DeploymentJob,
    connectors: Mapping[tuple[str, str], Outcome],
    redact: Callable[[str], str],
) -> Outcome:
    """The whole story of one deployment: the connector steps it waits for, its write, its
    build; never raises."""
    change, progress = job.change, job.waiter.progress
    writes = change.kind in ("create", "redeploy", "replace")
    if writes:
        progress.started(change.target, change.key, change.kind)
    try:
        written = await _written(job, connectors)
    except Stop as stop:
        written = stop.written
    except DeploymentGone as gone:
        written = Written("failed", message=str(gone), code="ResourceNotFound")
    except ConnectError as error:
        written = Written(
            "failed",
            message=redact(error.message),
            code=error.code,
            correlation_id=error.correlation_id,
        )
    except Exception as error:
        written = Written("failed", message=redact(f"{type(error).__name__}: {error}"))
    ok = written.kind in (*WROTE, "unchanged")
    if writes:
        progress.finished(change.target, change.key, change.kind, _describe(written), ok=ok)
    build: list[LifecycleOutcome] = []
    live = written.live
    if written.kind in WROTE and live is not None:
        if job.wait:
            outcome, live = await follow_build(job.api, live, job.key, job.waiter, redact)
        else:
            outcome = LifecycleOutcome(step="build", state="requested", message=live.status)
        build.append(outcome)
    return Outcome(
        target=change.target,
        key=change.key,
        kind=written.kind,
        resource="deployment",
        file=change.file,
        line=change.line,
        id=live.id if live is not None else change.id,
        version=live.version if live is not None else change.version,
        message=written.message,
        code=written.code,
        correlation_id=written.correlation_id,
        lifecycle=build,
    )


async def _written(job: DeploymentJob, connectors: Mapping[tuple[str, str], Outcome]) -> Written:
    """The connector steps it waits for, then (re-planned in fresh mode) its write."""
    change = job.change
    if change.kind == "blocked":
        return Written("blocked", message=change.reason or "blocked")
    if change.kind == "noop":
        return Written("unchanged")
    if change.waitsFor:
        refusal = connector_refusal(change.waitsFor, connectors)
        if refusal is not None:
            return refusal
        if job.declared is not None:
            live = await job.api.get_by_key(job.key)
            job = replace(job, change=await replan(job, live, rotate=job.rotate))
    return await write_deployment(job)


def connector_refusal(
    waits: Sequence[WaitFor], connectors: Mapping[tuple[str, str], Outcome]
) -> Written | None:
    """Why a deployment is not written after its connector's steps: a step that failed, timed
    out or did not run fails it; one only requested (``--no-wait``) leaves it for the next
    apply. None when every step succeeded."""
    for wait in waits:
        outcome = connectors.get((wait.target, wait.key))
        steps = outcome.lifecycle if outcome is not None else []
        step = next((s for s in steps if s.step == wait.step), None)
        name = f"connector {wait.key}'s {wait.step}"
        if step is None:
            why = f" (connector {wait.key} {outcome.kind})" if outcome is not None else ""
            return Written("failed", message=f"{name} did not run{why}: not deployed")
        if step.state == "succeeded":
            continue
        if step.state == "requested":
            message = f"{name} was only requested (--no-wait): the next apply deploys it"
            return Written("unchanged", message=f"not deployed: {message}")
        return Written("failed", message=f"{name} {_STEP_STATE[step.state]}: not deployed")
    return None


def _describe(written: Written) -> str:
    if written.message:
        return f"{written.kind}: {written.message}"
    return written.kind
