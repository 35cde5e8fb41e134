"""The runs behind ``plan``, ``drift`` and ``apply``: read live, plan, apply; the imperative
shell around the planner.

Each function takes what the CLI parsed and returns data (a Plan, an ApplyResult) for the
reporters; it prints nothing. Nothing touches the network while any declaration is invalid.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Literal

import anyio

from connect_gitops.apply.connections import ClientOptions, open_clients
from connect_gitops.apply.scope import Scope, Selection, load_scope
from connect_gitops.client.api import ConnectClient
from connect_gitops.client.concurrency import gather
from connect_gitops.core.declarations import ConnectorDeclaration
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.core.outcomes import ApplyResult
from connect_gitops.core.plan import Plan
from connect_gitops.core.planner import LifecycleOverrides, build_plan
from connect_gitops.core.problems import Problem
from connect_gitops.source.loader import InvalidDeclarations

if TYPE_CHECKING:
    from connect_gitops.reporting.progress import Progress

NO_OVERRIDES = LifecycleOverrides()
"""Each declaration's own reconcile policy, as no CLI flag overrides it."""


@dataclass(slots=True)
class LiveState:
    """Live connectors read per target, and which targets were read whole."""

    connectors: dict[str, list[ConnectorStaged]]
    complete: set[str]


async def read_live(scope: Scope, clients: Mapping[str, ConnectClient]) -> LiveState:
    """The whole live set per target (paged) or, for a scoped run, only the declared keys.

    The targets are read at once; one target's error is raised as itself (a ConnectError the
    CLI turns into a message).
    """

    async def read(target: str) -> list[ConnectorStaged]:
        client = clients[target]
        if scope.whole_folder:
            return await client.query_all()
        keys = {d.key for d in scope.declarations if d.target == target}
        keys |= {o.key for o in scope.deleted if o.target == target}
        return list((await client.get_many_by_key(keys)).values())

    targets = list(scope.targets)
    read_all = await gather([partial(read, target) for target in targets], limit=len(targets))
    complete = set(targets) if scope.whole_folder else set()
    return LiveState(dict(zip(targets, read_all, strict=True)), complete)


def make_plan(
    scope: Scope,
    live: LiveState,
    *,
    overrides: LifecycleOverrides = NO_OVERRIDES,
    mode: Literal["plan", "drift"] = "plan",
) -> Plan:
    """The plan, with the connectors of deleted declarations reported as orphans if live."""
    plan = build_plan(
        scope.declarations,
        live.connectors,
        complete_targets=live.complete,
        policy=overrides,
        mode=mode,
    )
    if not scope.deleted:
        return plan
    declared = {(d.target, d.key) for d in scope.declarations}
    found = {(t, c.key): c for t, cs in live.connectors.items() for c in cs}
    extra = [
        o.model_copy(update={"id": found[(o.target, o.key)].id})
        for o in scope.deleted
        if (o.target, o.key) in found and (o.target, o.key) not in declared
    ]
    orphans = sorted([*plan.orphans, *extra], key=lambda o: (o.target, o.key, o.id or ""))
    return plan.model_copy(update={"orphans": orphans})


@dataclass(slots=True)
class PlanRun:
    """A computed plan and what it was computed from."""

    scope: Scope
    plan: Plan


async def plan_run(
    selection: Selection,
    environ: Mapping[str, str],
    options: ClientOptions,
    *,
    overrides: LifecycleOverrides = NO_OVERRIDES,
    mode: Literal["plan", "drift"] = "plan",
) -> PlanRun:
    """Load, read live (read-only token is enough), and plan."""
    scope = load_scope(selection, environ)
    async with open_clients(scope.config, scope.targets, environ, options) as clients:
        live = await read_live(scope, clients)
    return PlanRun(scope, make_plan(scope, live, overrides=overrides, mode=mode))


@dataclass(slots=True)
class ApplyRun:
    """A plan and what applying it did."""

    plan: Plan
    result: ApplyResult
    scope: Scope | None = None


async def apply_run(
    selection: Selection,
    environ: Mapping[str, str],
    options: ClientOptions,
    *,
    overrides: LifecycleOverrides,
    concurrency: int,
    wait_timeout: float,
    wait: bool,
    progress: Progress | None,
    on_plan: Callable[[Plan, Sequence[str]], None] | None = None,
    remote: bool = False,
) -> ApplyRun:
    """Plan and apply in one go: conflicts are re-diffed against the declarations.

    With ``remote``, the repositories that this apply changes are checked with git first
    (tag and connect.yaml); any failure stops the run before its first write.
    """
    from connect_gitops.apply.executor import execute

    scope = load_scope(selection, environ)
    async with open_clients(scope.config, scope.targets, environ, options) as clients:
        live = await read_live(scope, clients)
        plan = make_plan(scope, live, overrides=overrides)
        if on_plan is not None:
            on_plan(plan, scope.notices)
        if remote:
            problems = await anyio.to_thread.run_sync(_preflight, scope, plan)
            if problems:
                raise InvalidDeclarations(problems)
        declarations: dict[tuple[str, str], ConnectorDeclaration] = {
            (d.target, d.key): d.declaration for d in scope.declarations
        }
        result = await execute(
            plan,
            clients,
            declarations=declarations,
            concurrency=concurrency,
            timeout=wait_timeout,
            wait=wait,
            progress=progress,
        )
    return ApplyRun(plan, result, scope)


def _preflight(scope: Scope, plan: Plan) -> list[Problem]:
    """Remote checks for the connectors whose repository this plan sets (creates included)."""
    from connect_gitops.git.remote import remote_problems

    changing = {
        (c.target, c.key)
        for c in plan.changes
        if c.kind == "create"
        or (c.kind == "update" and any(a.action == "setRepository" for a in c.actions))
    }
    return remote_problems([d for d in scope.declarations if (d.target, d.key) in changing])
