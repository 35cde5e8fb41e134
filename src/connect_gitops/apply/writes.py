"""The write phase of one connector: its create or its update actions, with optimistic versions.

A refused write is judged by the connector's status, re-read, never by the error's code or
text (the API documents neither for a busy connector): blocked while ``InCertification``,
waited for while ``Processing``, otherwise the error stands.

Two modes (design.md section 5):

- fresh (the job has its declaration): the plan was just computed, so after a ``409``, an
  unknown outcome or a busy connector the connector is re-read and diffed again against its
  declaration; an empty new diff means the work is already done and is a success.
- saved (no declaration, ``apply plan.json``): the plan's actions are sent exactly. Anything that
  shows the world moved since it was made (a ``409``, a key that now exists where the plan
  creates, a version that moved after an unknown outcome) makes the connector ``stale``.

Outcome kind after a ``409`` whose re-diff is empty: ``updated`` when one of our own earlier
rounds wrote (or an ambiguous write of ours evidently landed), ``unchanged`` when someone else
did all the work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connect_gitops.apply.waiting import (
    ConnectorApi,
    ConnectorGone,
    Waiter,
    may_be_busy,
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
from connect_gitops.core.live import ConnectorStaged, ConnectorStatus, live_managed_fields
from connect_gitops.core.outcomes import OutcomeKind
from connect_gitops.core.plan import Change, FieldChange
from connect_gitops.core.planner import WAITS_FOR_PUBLISH

CONFLICT_ROUNDS = 3
"""Re-read, re-diff and resend after a 409 at most this often (design.md section 5); lifecycle
requests are re-sent with a fresh version as often."""

UNCERTAIN_ROUNDS = 3
"""Re-read and resend after an ambiguous write (or a busy connector) at most this often."""

STALE = "stale plan: re-run plan"
"""Start of every stale outcome's message: the saved plan no longer matches the world."""

IN_CERTIFICATION = "in certification"
"""Message of a connector blocked because it is in certification."""
DUPLICATE_FIELD = "DuplicateField"


@dataclass(frozen=True, slots=True)
class Job:
    """One change and everything needed to carry it out."""

    change: Change
    api: ConnectorApi
    declaration: ConnectorDeclaration | None
    """Its declaration (fresh mode), or None: a saved plan, applied exactly."""
    waiter: Waiter
    wait: bool

    @property
    def key(self) -> str:
        return self.change.key


@dataclass(frozen=True, slots=True)
class Written:
    """How the write phase of one connector ended; ``live`` is its state afterwards, if known."""

    kind: OutcomeKind
    live: ConnectorStaged | None = None
    actions: int = 0
    message: str = ""
    code: str | None = None
    correlation_id: str | None = None


class Stop(Exception):
    """Ends a connector's write phase with a final non-error outcome (stale, blocked)."""

    def __init__(self, written: Written) -> None:
        super().__init__(written.message)
        self.written = written


async def write(job: Job) -> Written:
    """The change's writes; raises :class:`Stop`, ConnectError or ConnectorGone when it ends
    otherwise than by success."""
    change = job.change
    if change.kind == "blocked":
        return Written("blocked", message=change.reason or "blocked")
    if change.kind == "noop":
        return Written("unchanged")
    if change.kind == "create":
        return await _create(job)
    return await _update(job)


async def read_current(job: Job) -> ConnectorStaged:
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


# --- create -----------------------------------------------------------------------------------


async def _create(job: Job) -> Written:
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
        return Written("created", created, actions=0)
    assert last is not None
    raise last


async def _exists_already(job: Job, existing: ConnectorStaged) -> Written:
    """A key that exists where the plan creates: someone created it since the plan was made."""
    if job.declaration is None:
        message = f"{STALE} ({job.key} was created by someone else since the plan)"
        raise Stop(Written("stale", existing, message=message))
    return await _converge(job, existing, wrote=False)


async def _created_after_all(
    job: Job, existing: ConnectorStaged, draft: Mapping[str, Any]
) -> Written:
    """An ambiguous create that turns out to have happened: carry on as if it had answered."""
    if job.declaration is None:
        if not _draft_landed(draft, existing):
            message = f"{STALE} ({job.key} exists but differs from the plan's draft)"
            raise Stop(Written("stale", existing, message=message))
        return Written("created", existing)
    converged = await _converge(job, existing, wrote=True)
    return Written("created", converged.live, actions=converged.actions)


def _draft_landed(draft: Mapping[str, Any], live: ConnectorStaged) -> bool:
    """Whether ``live`` carries every managed field of ``draft`` (so the create was ours)."""
    wanted = {name: value for name, value in draft.items() if name != "key"}
    return _matches(wanted, live)


def _matches(wanted: dict[str, Any], live: ConnectorStaged) -> bool:
    """Whether ``live`` holds the ``wanted`` managed values (set-like lists as sets)."""
    return normalised(wanted) == normalised(live_managed_fields(live, wanted))


# --- update -----------------------------------------------------------------------------------


async def _update(job: Job) -> Written:
    change = job.change
    if change.id is None or change.version is None:
        raise ValueError(f"update of {job.key} has no id or version")
    actions = list(change.actions)
    if change.reason == WAITS_FOR_PUBLISH:
        live = await _wait_for_publish(job, await read_current(job))
        if job.declaration is not None:
            return await _converge(job, live, wrote=False)
    if job.declaration is None:
        return await _send_exactly(job, change.id, change.version, actions)
    return await _send_and_converge(job, change.id, change.version, actions, wrote=False)


async def _converge(job: Job, live: ConnectorStaged, *, wrote: bool) -> Written:
    """Fresh mode: diff ``live`` against the declaration again and send what is left."""
    live = await _ready_for_writes(job, live)
    actions = _rediff(job, live)
    if not actions:
        return Written("updated" if wrote else "unchanged", live)
    return await _send_and_converge(job, live.id, live.version, actions, wrote=wrote)


async def _send_and_converge(
    job: Job, id: str, version: int, actions: list[UpdateAction], *, wrote: bool
) -> Written:
    """Fresh mode: send ``actions`` at ``version``; after a 409, an unknown outcome or a busy
    connector, re-read, re-diff and send what is left, until nothing is."""
    rounds = _Rounds()
    live: ConnectorStaged | None = None
    while actions:
        try:
            return Written("updated", await _send(job, id, version, actions), len(actions))
        except ConnectError as error:
            reread = await _reread(job, id, error, rounds)
        live = reread.live
        if reread.uncertain and live.version == version:
            continue  # it did not happen: the same request is still right and still safe
        wrote = wrote or reread.uncertain  # most likely ours; an empty re-diff confirms it
        live = await _ready_for_writes(job, live)
        actions, version = _rediff(job, live), live.version
    current = live if live is not None else await _read_by_id(job, id)
    return Written("updated" if wrote else "unchanged", current)


async def _send_exactly(job: Job, id: str, version: int, actions: list[UpdateAction]) -> Written:
    """Saved mode: the plan's actions at the plan's version, or the connector is stale.

    A 409 that names another version makes the connector stale at once. One at the very
    version sent is not about versions (the API's answer to a busy connector is not
    documented): the connector's status decides, as for any other refusal.
    Bounded: :func:`_reread` raises the error once it was absorbed too often.
    """
    rounds = _Rounds()
    while True:
        try:
            return Written("updated", await _send(job, id, version, actions), len(actions))
        except ConnectError as error:
            if isinstance(error, Conflict) and error.current_version not in (None, version):
                stale = _stale_version(job, version, error.current_version, error.correlation_id)
                raise Stop(stale) from None
            reread = await _reread(job, id, error, rounds)
            if isinstance(error, Conflict) and reread.live.version == version:
                await _by_status(job, reread.live, error)
                continue
        if reread.live.version == version:
            continue  # nothing happened meanwhile: the same request is still right and safe
        if reread.uncertain and _fields_landed(job.change.fields, reread.live):
            return Written("updated", reread.live, actions=len(actions))
        raise Stop(_stale_version(job, version, reread.live.version))


async def _send(job: Job, id: str, version: int, actions: list[UpdateAction]) -> ConnectorStaged:
    return await job.api.update(id, version, to_wire(actions))


@dataclass(slots=True)
class _Rounds:
    """How often one connector's sends failed in a way that was absorbed."""

    conflicts: int = 0
    uncertain: int = 0
    """Unknown outcomes and busy connectors (a running publish)."""

    def absorb(self, error: ConnectError) -> None:
        """Count ``error``; raise it when its kind was absorbed often enough already."""
        if isinstance(error, Conflict):
            self.conflicts += 1
            if self.conflicts > CONFLICT_ROUNDS:
                raise error
        else:
            self.uncertain += 1
            if self.uncertain > UNCERTAIN_ROUNDS:
                raise error


@dataclass(frozen=True, slots=True)
class _Reread:
    live: ConnectorStaged
    uncertain: bool
    """The failed send's outcome was unknown: it may have happened."""


async def _reread(job: Job, id: str, error: ConnectError, rounds: _Rounds) -> _Reread:
    """The connector again after a send failed with ``error``, if the error can be absorbed: a
    409, an unknown outcome, or a refusal that may mean a busy connector (:func:`may_be_busy`;
    then its status decides: see :func:`_by_status`). Any other error is raised."""
    refused = may_be_busy(error)
    uncertain = isinstance(error, AmbiguousWrite | TransportError)
    if not (refused or uncertain or isinstance(error, Conflict)):
        raise error
    rounds.absorb(error)
    live = await _read_by_id(job, id)
    if refused:
        live = await _by_status(job, live, error)
    return _Reread(live, uncertain)


async def _by_status(job: Job, live: ConnectorStaged, error: ConnectError) -> ConnectorStaged:
    """After a refused write, the connector's status decides, never the error's code or text:
    in certification it is blocked; while a publish runs it is waited for (then written);
    otherwise the refusal was about the request itself and ``error`` stands."""
    if live.status == ConnectorStatus.IN_CERTIFICATION:
        raise Stop(Written("blocked", live, message=IN_CERTIFICATION))
    if live.status != ConnectorStatus.PROCESSING:
        raise error
    return await _wait_for_publish(job, live)


async def _ready_for_writes(job: Job, live: ConnectorStaged) -> ConnectorStaged:
    """Fresh mode, before a diff: a connector in certification is blocked for days; a running
    publish is waited for (bounded by the timeout)."""
    if live.status == ConnectorStatus.IN_CERTIFICATION:
        raise Stop(Written("blocked", live, message=IN_CERTIFICATION))
    return await _wait_for_publish(job, live)


def _rediff(job: Job, live: ConnectorStaged) -> list[UpdateAction]:
    assert job.declaration is not None
    return diff(job.declaration, live).actions


async def _read_by_id(job: Job, id: str) -> ConnectorStaged:
    found = await job.api.get_by_id(id)
    if found is None:
        raise ConnectorGone(job.key)
    return found


async def _wait_for_publish(job: Job, live: ConnectorStaged) -> ConnectorStaged:
    """Wait (bounded by the timeout) for a running publish to end before writing."""
    waited = await wait_while_processing(job.api, live, job.waiter)
    if waited.timed_out:
        message = job.waiter.timeout_message("running publish", job.key, ConnectorStatus.PROCESSING)
        raise Stop(Written("blocked", waited.value, message=message))
    return waited.value


def _stale_version(
    job: Job, planned: int, current: int | None, correlation_id: str | None = None
) -> Written:
    now = f"version {current}" if current is not None else "a newer version"
    return Written(
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
