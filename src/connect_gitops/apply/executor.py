"""Apply a Plan: the writes, with optimistic versions, then each connector's lifecycle steps.

The imperative shell around the pure planner (design.md section 5). Two modes:

- fresh (``declarations`` given): the plan was just computed, so after a ``409`` or an ambiguous
  write the connector is re-read and diffed again against its declaration; an empty new diff
  means the work is already done and is a success.
- saved (``declarations=None``, ``apply plan.json``): the plan is applied exactly. Anything that
  shows the world moved since it was made (a ``409``, a key that now exists where the plan
  creates) makes that connector ``stale``: nothing more is written for it.

Every connector ends with exactly one :class:`Outcome`; one connector's failure, even an
unexpected exception, never stops the others. Outcome kind after a ``409`` whose re-diff is
empty: ``updated`` when one of our own earlier rounds wrote (or an ambiguous write of ours
evidently landed), ``unchanged`` when someone else did all the work.

Concurrency: every API request to a target passes one :class:`anyio.CapacityLimiter` of
``concurrency`` slots, but the pauses between polls hold no slot, so any number of connectors
can wait for their previews at once while requests stay bounded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio

from connect_gitops.apply import WAIT_TIMEOUT
from connect_gitops.apply.lifecycle import (
    PROCESSING,
    REAL_CLOCK,
    Clock,
    ConnectorApi,
    ConnectorGone,
    Waiter,
    describe_error,
    is_publish_in_progress,
    run_steps,
    wait_while_processing,
)
from connect_gitops.client.errors import (
    AmbiguousWrite,
    Conflict,
    ConnectError,
    Invalid,
    TransportError,
)
from connect_gitops.core.actions import UpdateAction, to_wire
from connect_gitops.core.declarations import ConnectorDeclaration
from connect_gitops.core.diff import diff, normalised
from connect_gitops.core.live import ConnectorStaged, live_managed_fields
from connect_gitops.core.outcomes import ApplyResult, LifecycleOutcome, Outcome, OutcomeKind
from connect_gitops.core.plan import Change, FieldChange, Plan
from connect_gitops.core.planner import WAITS_FOR_PUBLISH
from connect_gitops.reporting.progress import NullProgress, Progress

__all__ = ["STALE", "ConnectorApi", "GatedApi", "execute"]

CONFLICT_ROUNDS = 3
"""Re-read, re-diff and resend after a 409 at most this often (design.md section 5)."""

UNCERTAIN_ROUNDS = 3
"""Re-read and resend after an ambiguous write (or a busy connector) at most this often."""

STALE = "stale plan: re-run plan"
"""Start of every stale outcome's message: the saved plan no longer matches the world."""

IN_CERTIFICATION_CODE = "ConnectorStagedInCertification"
DUPLICATE_FIELD = "DuplicateField"

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


@dataclass(frozen=True, slots=True)
class _Written:
    """How the write phase of one connector ended; ``live`` is its state afterwards, if known."""

    kind: OutcomeKind
    live: ConnectorStaged | None = None
    actions: int = 0
    message: str = ""
    code: str | None = None
    correlation_id: str | None = None


class _Stop(Exception):
    """Ends a connector's write phase with a final non-error outcome (stale, blocked)."""

    def __init__(self, written: _Written) -> None:
        super().__init__(written.message)
        self.written = written


@dataclass(frozen=True, slots=True)
class _Job:
    """One change and everything needed to carry it out."""

    change: Change
    api: ConnectorApi
    declaration: ConnectorDeclaration | None
    waiter: Waiter
    wait: bool

    @property
    def fresh(self) -> bool:
        return self.declaration is not None

    @property
    def key(self) -> str:
        return self.change.key


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
) -> ApplyResult:
    """Apply ``plan`` through ``clients`` (one per target name); one Outcome per change.

    ``declarations`` (keyed by target and key) allows re-diffing: pass it for a plan computed in
    this run, ``None`` for a saved plan, which is then applied exactly. ``timeout`` bounds each
    wait (a preview, a publish, someone else's publish) in seconds; ``wait=False`` sends the
    preview / publish requests without waiting for their outcome.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    missing = sorted({c.target for c in plan.changes} - set(clients))
    if missing:
        raise ValueError(f"no client for target(s): {', '.join(missing)}")
    shown = progress if progress is not None else NullProgress()
    gated = {
        target: GatedApi(client, anyio.CapacityLimiter(concurrency))
        for target, client in clients.items()
    }
    outcomes: list[Outcome | None] = [None] * len(plan.changes)

    async def run(index: int, job: _Job) -> None:
        outcomes[index] = await _apply_one(job)

    async with anyio.create_task_group() as group:
        for index, change in enumerate(plan.changes):
            declaration = (
                declarations.get((change.target, change.key)) if declarations is not None else None
            )
            waiter = Waiter(target=change.target, timeout=timeout, clock=clock, progress=shown)
            job = _Job(change, gated[change.target], declaration, waiter, wait)
            group.start_soon(run, index, job)
    done = [outcome for outcome in outcomes if outcome is not None]
    return ApplyResult(outcomes=sorted(done, key=lambda o: (o.target, o.key)))


async def _apply_one(job: _Job) -> Outcome:
    """The whole story of one connector: its write, then its lifecycle; never raises."""
    change, progress = job.change, job.waiter.progress
    writes = change.kind in ("create", "update")  # noops and blocked ones stay off the display
    if writes:
        progress.started(change.target, change.key, change.kind)
    try:
        written = await _write(job)
    except _Stop as stop:
        written = stop.written
    except ConnectorGone as gone:
        written = _Written("failed", message=str(gone), code="ResourceNotFound")
    except ConnectError as error:
        written = _Written(
            "failed",
            message=error.message,  # the reporters add the code and the correlation id
            code=error.code,
            correlation_id=error.correlation_id,
        )
    except Exception as error:
        written = _Written("failed", message=f"{type(error).__name__}: {error}")
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


def _describe(written: _Written) -> str:
    if written.kind in ("created", "updated") and written.actions:
        plural = "" if written.actions == 1 else "s"
        return f"{written.kind} ({written.actions} action{plural})"
    return f"{written.kind}: {written.message}" if written.message else written.kind


async def _lifecycle(job: _Job, live: ConnectorStaged | None) -> list[LifecycleOutcome]:
    """Run the change's preview / publish on the connector's current state."""
    try:
        current = live if live is not None else await _read(job)
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


async def _read(job: _Job) -> ConnectorStaged:
    """The connector as it is now: by id when the plan knows it, else by key."""
    change = job.change
    found = (
        await job.api.get_by_id(change.id)
        if change.id is not None
        else await job.api.get_by_key(change.key)
    )
    if found is None:
        raise ConnectorGone(change.key)
    return found


async def _write(job: _Job) -> _Written:
    change = job.change
    if change.kind == "blocked":
        return _Written("blocked", message=change.reason or "blocked")
    if change.kind == "noop":
        return _Written("unchanged")
    if change.kind == "create":
        return await _create(job)
    return await _update(job)


# --- create -----------------------------------------------------------------------------------


async def _create(job: _Job) -> _Written:
    """Create from the draft; after an unknown outcome, look the key up before sending again."""
    draft = job.change.draft
    if draft is None:
        raise ValueError(f"create of {job.key} has no draft")
    last: ConnectError | None = None
    for _ in range(UNCERTAIN_ROUNDS + 1):
        try:
            created = await job.api.create(draft)
        except Invalid as error:
            if error.code != DUPLICATE_FIELD and DUPLICATE_FIELD not in error.codes:
                raise
            existing = await job.api.get_by_key(job.key)
            if existing is None:
                raise
            return await _exists_already(job, existing)
        except (AmbiguousWrite, TransportError) as error:
            last = error
            existing = await job.api.get_by_key(job.key)
            if existing is None:
                continue  # it did not happen: sending the draft again is safe
            return await _created_after_all(job, existing, draft)
        return _Written("created", created, actions=0)
    assert last is not None
    raise last


async def _exists_already(job: _Job, existing: ConnectorStaged) -> _Written:
    """A key that exists where the plan creates: someone created it since the plan was made."""
    if job.declaration is None:
        raise _Stop(
            _Written(
                "stale",
                existing,
                message=f"{STALE} ({job.key} was created by someone else since the plan)",
            )
        )
    return await _converge(job, existing, wrote=False)


async def _created_after_all(
    job: _Job, existing: ConnectorStaged, draft: Mapping[str, Any]
) -> _Written:
    """An ambiguous create that turns out to have happened: carry on as if it had answered."""
    if job.declaration is None:
        if not _draft_landed(draft, existing):
            raise _Stop(
                _Written(
                    "stale",
                    existing,
                    message=f"{STALE} ({job.key} exists but differs from the plan's draft)",
                )
            )
        return _Written("created", existing)
    converged = await _converge(job, existing, wrote=True)
    return _Written("created", converged.live, actions=converged.actions)


def _draft_landed(draft: Mapping[str, Any], live: ConnectorStaged) -> bool:
    """Whether ``live`` carries every managed field of ``draft`` (so the create was ours)."""
    wanted = {name: value for name, value in draft.items() if name != "key"}
    return _matches(wanted, live)


def _matches(wanted: dict[str, Any], live: ConnectorStaged) -> bool:
    """Whether ``live`` holds the ``wanted`` managed values (set-like lists as sets)."""
    return normalised(wanted) == normalised(live_managed_fields(live, wanted))


# --- update -----------------------------------------------------------------------------------


async def _update(job: _Job) -> _Written:
    change = job.change
    if change.id is None or change.version is None:
        raise ValueError(f"update of {job.key} has no id or version")
    if change.reason == WAITS_FOR_PUBLISH:
        live = await _wait_for_publish(job, await _read(job))
        if job.declaration is not None:
            return await _converge(job, live, wrote=False)
    return await _send_actions(job, change.id, change.version, list(change.actions), wrote=False)


async def _converge(job: _Job, live: ConnectorStaged, *, wrote: bool) -> _Written:
    """Fresh mode: diff ``live`` against the declaration again and send what is left."""
    assert job.declaration is not None
    if live.status == "InCertification":
        raise _Stop(_Written("blocked", live, message="in certification"))
    live = await _wait_for_publish(job, live)
    actions = diff(job.declaration, live).actions
    if not actions:
        return _Written("updated" if wrote else "unchanged", live)
    return await _send_actions(job, live.id, live.version, actions, wrote=wrote)


async def _send_actions(
    job: _Job, id: str, version: int, actions: list[UpdateAction], *, wrote: bool
) -> _Written:
    """Send ``actions`` at ``version``; handle 409s, unknown outcomes and busy connectors."""
    conflicts = uncertain = 0
    live: ConnectorStaged | None = None
    while True:
        if not actions:
            current = live if live is not None else await _read_by_id(job, id)
            return _Written("updated" if wrote else "unchanged", current)
        try:
            live = await job.api.update(id, version, to_wire(actions))
            return _Written("updated", live, actions=len(actions))
        except Conflict as error:
            if job.declaration is None:
                stale = _stale_version(job, version, error.current_version, error.correlation_id)
                raise _Stop(stale) from None
            conflicts += 1
            if conflicts > CONFLICT_ROUNDS:
                raise
            live = await _read_by_id(job, id)
        except (AmbiguousWrite, TransportError):
            uncertain += 1
            if uncertain > UNCERTAIN_ROUNDS:
                raise
            live = await _read_by_id(job, id)
            if live.version == version:
                continue  # it did not happen: the same request is still right and still safe
            if job.declaration is None:
                if _fields_landed(job.change.fields, live):
                    return _Written("updated", live, actions=len(actions))
                raise _Stop(_stale_version(job, version, live.version)) from None
            wrote = True  # most likely ours; an empty re-diff below confirms the work is done
        except Invalid as error:
            if IN_CERTIFICATION_CODE in (error.code, *error.codes):
                raise _Stop(_Written("blocked", message="in certification")) from None
            if not is_publish_in_progress(error):
                raise
            uncertain += 1
            if uncertain > UNCERTAIN_ROUNDS:
                raise
            live = await _wait_for_publish(job, await _read_by_id(job, id))
            if job.declaration is None:
                if live.version != version:
                    raise _Stop(_stale_version(job, version, live.version)) from None
                continue
        if live.status == "InCertification":
            raise _Stop(_Written("blocked", live, message="in certification"))
        live = await _wait_for_publish(job, live)
        assert job.declaration is not None
        actions = diff(job.declaration, live).actions
        version = live.version


async def _read_by_id(job: _Job, id: str) -> ConnectorStaged:
    found = await job.api.get_by_id(id)
    if found is None:
        raise ConnectorGone(job.key)
    return found


async def _wait_for_publish(job: _Job, live: ConnectorStaged) -> ConnectorStaged:
    """Wait (bounded by the timeout) for a running publish to end before writing."""
    waited = await wait_while_processing(job.api, live, job.waiter)
    if waited.timed_out:
        message = job.waiter.timeout_message("running publish", job.key, PROCESSING)
        raise _Stop(_Written("blocked", waited.value, message=message))
    return waited.value


def _stale_version(
    job: _Job, planned: int, current: int | None, correlation_id: str | None = None
) -> _Written:
    now = f"version {current}" if current is not None else "a newer version"
    return _Written(
        "stale",
        message=f"{STALE} ({job.key} changed since the plan: planned version {planned}, now {now})",
        code="ConcurrentModification",
        correlation_id=correlation_id,
    )


def _fields_landed(fields: Sequence[FieldChange], live: ConnectorStaged) -> bool:
    """Saved mode, after an unknown outcome: does ``live`` show every change the plan made?"""
    if not fields:
        return False
    wanted: dict[str, Any] = {}
    for change in fields:
        name, _, sub = change.path.partition(".")
        if sub:
            wanted.setdefault(name, {})[sub] = change.after
        else:
            wanted[name] = change.after
    return _matches(wanted, live)
