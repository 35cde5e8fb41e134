"""The write phase of one deployment: its create, redeploy, or replace (delete, wait until the
key is free, create), with the secured values read from the environment just before sending.

Two modes, as for connectors (:mod:`.writes`):

- fresh (the job has its declaration): after a ``409``, an unknown outcome, a key that exists
  where the plan creates, or a build someone else started, the deployment is read again and
  re-planned (:func:`~connect_gitops.core.deployments.planner.plan_deployment` against fresh
  connector facts), and whatever is left is done, until nothing is. An unknown outcome is never
  blindly repeated: a create is looked up by key first (never two deployments), a redeploy is
  sent again only when the version shows it did not happen.
- saved (no declaration, ``apply plan.json``): the plan's bodies are sent exactly; anything that
  shows the world moved since the plan makes the deployment ``stale``.

Secured values live only in the request bodies built here: never in a plan, an outcome or an
error (a missing variable is named, never valued).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TypeVar

from connect_gitops.apply.builds import (
    DeploymentApi,
    DeploymentGone,
    wait_until_gone,
    wait_while_running,
)
from connect_gitops.apply.waiting import Waiter, describe_error
from connect_gitops.apply.writes import CONFLICT_ROUNDS, STALE, UNCERTAIN_ROUNDS
from connect_gitops.client.errors import (
    AmbiguousWrite,
    Conflict,
    ConnectError,
    Invalid,
    TransportError,
)
from connect_gitops.core.deployments.declarations import DeclaredDeployment
from connect_gitops.core.deployments.inputs import lookup_for
from connect_gitops.core.deployments.landed import draft_landed, fields_landed
from connect_gitops.core.deployments.live import Deployment
from connect_gitops.core.deployments.planner import WAITS_FOR_BUILD, plan_deployment
from connect_gitops.core.deployments.wire import (
    MissingVariables,
    actions_with_secrets,
    draft_with_secrets,
)
from connect_gitops.core.outcomes import OutcomeKind
from connect_gitops.core.plan import Change

_T = TypeVar("_T")
DUPLICATE_FIELD = "DuplicateField"
INVALID_STATUS = "DeploymentInvalidStatusTransition"


@dataclass(frozen=True, slots=True)
class DeploymentJob:
    """One deployment change and everything needed to carry it out."""

    change: Change
    api: DeploymentApi
    declared: DeclaredDeployment | None
    """Its declaration (fresh mode), or None: a saved plan, applied exactly."""
    environ: Mapping[str, str]
    """Where secured values are read, just before sending."""
    environment: Collection[str]
    """Names of the variables that are set (never values): for re-planning."""
    waiter: Waiter
    wait: bool
    rotate: bool = False
    """``--redeploy KEY``: re-plans keep redeploying until one redeploy of ours landed."""

    @property
    def key(self) -> str:
        return self.change.key


@dataclass(frozen=True, slots=True)
class Written:
    """How one deployment's write phase ended; ``live`` is the deployment afterwards, if known."""

    kind: OutcomeKind
    live: Deployment | None = None
    message: str = ""
    code: str | None = None
    correlation_id: str | None = None


class Stop(Exception):
    """Ends a deployment's write phase with a final outcome that is not an error (stale,
    blocked, a missing variable)."""

    def __init__(self, written: Written) -> None:
        super().__init__(written.message)
        self.written = written


class _Moved(Exception):
    """Fresh mode: the deployment is not as planned (``live``, None when gone); re-plan.

    ``error`` is what showed it (None: it changed while apply waited for its build).
    """

    def __init__(
        self,
        live: Deployment | None,
        error: ConnectError | None = None,
        landed: OutcomeKind | None = None,
    ) -> None:
        super().__init__(str(error) if error is not None else "changed meanwhile")
        self.live = live
        self.error = error
        self.landed = landed
        """Set when a write of ours most likely happened (an unknown outcome, then changed)."""


@dataclass(slots=True)
class _Rounds:
    """How often one deployment was found moved, by cause; bounded like a connector's."""

    conflicts: int = 0
    uncertain: int = 0

    def absorb(self, moved: _Moved, key: str) -> None:
        """Count ``moved``; raise its error when its kind was absorbed often enough already."""
        error = moved.error
        if error is None or isinstance(error, Conflict | Invalid):
            self.conflicts += 1
            exceeded = self.conflicts > CONFLICT_ROUNDS
        else:
            self.uncertain += 1
            exceeded = self.uncertain > UNCERTAIN_ROUNDS
        if not exceeded:
            return
        if error is not None:
            raise error
        raise ConnectError(
            method="GET",
            path=f"deployment {key}",
            message="it kept changing while apply worked on it",
        )


_DONE: dict[str, OutcomeKind] = {
    "create": "created",
    "redeploy": "redeployed",
    "replace": "replaced",
}


async def write_deployment(job: DeploymentJob) -> Written:
    """The change's writes; raises :class:`Stop`, ConnectError or DeploymentGone when it ends
    otherwise than by success."""
    change = job.change
    rounds = _Rounds()
    landed: OutcomeKind | None = None
    live: Deployment | None = None
    while True:
        if change.kind == "blocked":
            raise Stop(Written("blocked", live, message=change.reason or "blocked"))
        if change.kind == "noop":
            return Written(landed or "unchanged", live)
        if change.kind not in _DONE:
            raise ValueError(f"a deployment change of kind {change.kind} cannot be applied")
        try:
            written = await _write(job, change)
        except _Moved as moved:
            rounds.absorb(moved, job.key)
            landed = landed or moved.landed
            live = moved.live
            change = await replan(job, live, rotate=job.rotate and landed is None)
            continue
        return Written(landed or _DONE[change.kind], written)


async def _write(job: DeploymentJob, change: Change) -> Deployment:
    if change.kind == "create":
        return await _create(job, change, landed_as="created")
    if change.kind == "redeploy":
        return await _redeploy(job, change)
    return await _replace(job, change)


async def replan(job: DeploymentJob, live: Deployment | None, *, rotate: bool) -> Change:
    """Fresh mode: the deployment's change against ``live`` and the connector as it is now."""
    declared = job.declared
    if declared is None:
        raise ValueError("a saved plan is never re-planned")
    lookup = lookup_for(declared)
    facts = await job.api.connector_facts(staged=lookup.staged, key=lookup.key, id=lookup.id)
    return plan_deployment(
        declared, live, facts=facts, environment=job.environment, rotate=rotate, mode="plan"
    )


# --- create -----------------------------------------------------------------------------------


def _with_secrets(build: Callable[[], _T]) -> _T:
    """A request body with the secured values in it; a variable not set ends the write phase
    as failed, naming the variable (never a value)."""
    try:
        return build()
    except MissingVariables as missing:
        raise Stop(Written("failed", message=str(missing))) from None


async def _create(job: DeploymentJob, change: Change, *, landed_as: OutcomeKind) -> Deployment:
    """Create from the draft; after an unknown outcome, look the key up before sending again."""
    body = _with_secrets(lambda: draft_with_secrets(change, job.environ))
    last: ConnectError | None = None
    for _ in range(UNCERTAIN_ROUNDS + 1):
        try:
            return await job.api.create(body)
        except Invalid as error:
            if DUPLICATE_FIELD not in (error.code, *error.codes):
                raise
            existing = await job.api.get_by_key(job.key)
            if existing is None:
                raise
            if job.declared is None:
                message = f"{STALE} ({job.key} was created by someone else since the plan)"
                raise Stop(Written("stale", existing, message=message)) from None
            raise _Moved(existing, error) from None
        except (AmbiguousWrite, TransportError) as error:
            last = error
            existing = await job.api.get_by_key(job.key)
            if existing is None:
                continue  # it did not happen: sending the draft again is safe
            if job.declared is not None:
                raise _Moved(existing, error, landed=landed_as) from None
            if draft_landed(change.draft or {}, existing):
                return existing
            message = f"{STALE} ({job.key} exists but differs from the plan's draft)"
            raise Stop(Written("stale", existing, message=message)) from None
    assert last is not None
    raise last


# --- redeploy ---------------------------------------------------------------------------------


async def _redeploy(job: DeploymentJob, change: Change) -> Deployment:
    """Send the redeploy at the planned version; a running build is waited for first."""
    id, version = _identity(change)
    if _waits_for_build(change):
        live = await _settled(job, await _read(job, id))
        if live.version != version:
            raise _moved_or_stale(job, live, version)
    actions = _with_secrets(lambda: actions_with_secrets(change, job.environ))
    last: ConnectError | None = None
    for _ in range(UNCERTAIN_ROUNDS + 1):
        try:
            return await job.api.update(id, version, actions)
        except Conflict as error:
            if job.declared is None:
                raise Stop(_stale_version(job, version, error.current_version, error)) from None
            raise _Moved(await job.api.get_by_id(id), error) from None
        except Invalid as error:
            if INVALID_STATUS not in (error.code, *error.codes):
                raise
            last = error  # someone's build started since it was read: wait for it
            settled = await _settled(job, await _read(job, id))
            if settled.version != version:
                raise _moved_or_stale(job, settled, version, error) from None
        except (AmbiguousWrite, TransportError) as error:
            last = error
            now = await job.api.get_by_id(id)
            if now is not None and now.version == version:
                continue  # it did not happen: the same request is still right and safe
            if job.declared is not None:
                landed: OutcomeKind | None = "redeployed" if now is not None else None
                raise _Moved(now, error, landed=landed) from None
            if now is not None and now.version == version + 1 and fields_landed(change, now):
                return now
            current = now.version if now is not None else None
            raise Stop(_stale_version(job, version, current, error)) from None
    assert last is not None
    raise last


async def _settled(job: DeploymentJob, live: Deployment) -> Deployment:
    """``live`` once no build or undeploy runs on it (bounded by the timeout)."""
    waited = await wait_while_running(job.api, live, job.key, job.waiter)
    if waited.timed_out:
        message = job.waiter.timeout_message("running build", job.key, waited.value.status)
        raise Stop(Written("failed", waited.value, message=message))
    return waited.value


# --- replace ----------------------------------------------------------------------------------


async def _replace(job: DeploymentJob, change: Change) -> Deployment:
    """Delete the live deployment, wait until its key is free, create the new one."""
    id, version = _identity(change)
    if _waits_for_build(change):
        running = await job.api.get_by_id(id)
        if running is not None:
            settled = await _settled(job, running)
            if settled.version != version:
                raise _moved_or_stale(job, settled, version)
    live = await _delete(job, id, version)
    if live is not None and not await wait_until_gone(job.api, live, job.key, job.waiter):
        message = job.waiter.timeout_message("undeploy", job.key, "Undeploying")
        raise Stop(Written("failed", message=f"{message}; the new deployment was not created"))
    try:
        return await _create(job, change, landed_as="replaced")
    except ConnectError as error:
        message = f"deleted, but creating it again failed: {describe_error(error)}"
        raise Stop(Written("failed", message=message, code=error.code)) from None


async def _delete(job: DeploymentJob, id: str, version: int) -> Deployment | None:
    """The delete of a replace, at the planned version: the deployment as it undeploys, or
    None when it is gone already."""
    last: ConnectError | None = None
    for _ in range(UNCERTAIN_ROUNDS + 1):
        try:
            return await job.api.delete(id, version=version)
        except Conflict as error:
            raise _moved_or_stale(job, await job.api.get_by_id(id), version, error) from None
        except Invalid as error:
            if INVALID_STATUS not in (error.code, *error.codes):
                raise
            return await job.api.get_by_id(id)  # already undeploying: wait for that
        except (AmbiguousWrite, TransportError) as error:
            last = error
            now = await job.api.get_by_id(id)
            if now is None or now.status == "Undeploying":
                return now  # it happened
            if now.version != version:
                raise _moved_or_stale(job, now, version, error) from None
    assert last is not None
    raise last


# --- shared -----------------------------------------------------------------------------------


def _identity(change: Change) -> tuple[str, int]:
    if change.id is None or change.version is None:
        raise ValueError(f"{change.kind} of {change.key} has no id or version")
    return change.id, change.version


async def _read(job: DeploymentJob, id: str) -> Deployment:
    found = await job.api.get_by_id(id)
    if found is None:
        raise DeploymentGone(job.key)
    return found


def _waits_for_build(change: Change) -> bool:
    """Planned while a build or undeploy ran: the API refuses writes until it ends."""
    return WAITS_FOR_BUILD in (change.reason or "")


def _moved_or_stale(
    job: DeploymentJob,
    live: Deployment | None,
    planned: int,
    error: ConnectError | None = None,
) -> Exception:
    """Fresh mode re-plans; a saved plan is stale."""
    if job.declared is not None:
        return _Moved(live, error)
    current = live.version if live is not None else None
    return Stop(_stale_version(job, planned, current, error))


def _stale_version(
    job: DeploymentJob, planned: int, current: int | None, error: ConnectError | None = None
) -> Written:
    now = f"version {current}" if current is not None else "deleted"
    return Written(
        "stale",
        message=f"{STALE} ({job.key} changed since the plan: planned version {planned}, now {now})",
        code="ConcurrentModification",
        correlation_id=error.correlation_id if error is not None else None,
    )
