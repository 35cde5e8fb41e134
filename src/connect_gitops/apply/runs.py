"""The runs behind ``plan``, ``drift`` and ``apply``: read live, plan, apply; the imperative
shell around the planners (connectors first, then the deployments, which may follow them).

Each function takes what the CLI parsed and returns data (a Plan, an ApplyResult) for the
reporters; it prints nothing. Nothing touches the network while any declaration is invalid.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Final, Literal

import anyio

from connect_gitops.apply.connections import ClientOptions, open_clients
from connect_gitops.apply.scope import Scope, Selection, load_scope
from connect_gitops.client.api import ConnectClient
from connect_gitops.client.concurrency import gather
from connect_gitops.core.declarations import ConnectorDeclaration
from connect_gitops.core.deployments.inputs import (
    ConnectorLookup,
    connector_steps,
    unknown_redeploy_keys,
)
from connect_gitops.core.deployments.live import ConnectorFacts, Deployment
from connect_gitops.core.deployments.planner import combine_plans, facts_needed, plan_deployments
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.core.outcomes import ApplyResult
from connect_gitops.core.plan import Plan, Resource
from connect_gitops.core.planner import LifecycleOverrides, build_plan
from connect_gitops.core.problems import Problem
from connect_gitops.source.loader import InvalidDeclarations

if TYPE_CHECKING:
    from connect_gitops.reporting.progress import Progress

NO_OVERRIDES = LifecycleOverrides()
"""Each declaration's own reconcile policy, as no CLI flag overrides it."""

FACTS_IN_FLIGHT: Final = 10
"""Connector facts read at once, one connector each."""

FACTS_PAGED_ABOVE: Final = 20
"""More connector facts than this, of one target and kind (staged or published), are read from
the pages of the whole collection, not one GET each.

A read by key costs one request per connector; the pages cost about one per 500 connectors of
the collection, which may hold many more than a plan asks for (the published ones include every
public connector). Up to 20 keys are two rounds of reads in flight and may well be cheaper than
the pages; beyond that the pages win: 1,000 unpinned deployments of 1,000 connectors read their
facts in 2 requests, not 1,000.
"""


@dataclass(slots=True)
class LiveState:
    """Live connectors (and, where declared, deployments) read per target, and which targets
    were read whole."""

    connectors: dict[str, list[ConnectorStaged]]
    complete: set[str]
    deployments: dict[str, list[Deployment]] = field(default_factory=dict)
    """Only for the targets that declare deployments (:attr:`Scope.deployment_targets`)."""


async def read_live(scope: Scope, clients: Mapping[str, ConnectClient]) -> LiveState:
    """The whole live set per target (paged) or, for a scoped run, only the declared keys; the
    same for deployments, in the targets that declare some.

    The targets are read at once; one target's error is raised as itself (a ConnectError the
    CLI turns into a message).
    """

    async def read(target: str) -> list[ConnectorStaged]:
        client = clients[target]
        if scope.whole_folder:
            return await client.query_all()
        keys = {d.key for d in scope.declarations if d.target == target}
        keys |= {o.key for o in scope.deleted if o.target == target and o.resource == "connector"}
        return list((await client.get_many_by_key(keys)).values())

    async def read_deployments(target: str) -> list[Deployment]:
        api = clients[target].deployments
        if scope.whole_folder:
            return await api.query_all()
        keys = {d.key for d in scope.deployments if d.target == target}
        keys |= {o.key for o in scope.deleted if o.target == target and o.resource == "deployment"}
        return list((await api.get_many_by_key(sorted(keys))).values())

    targets = list(scope.targets)
    with_deployments = sorted(scope.deployment_targets)
    reads: list[Callable[[], Awaitable[Any]]] = [partial(read, t) for t in targets]
    reads += [partial(read_deployments, t) for t in with_deployments]
    found = await gather(reads, limit=len(reads) or 1)
    complete = set(targets) if scope.whole_folder else set()
    return LiveState(
        dict(zip(targets, found[: len(targets)], strict=True)),
        complete,
        dict(zip(with_deployments, found[len(targets) :], strict=True)),
    )


def make_plan(
    scope: Scope,
    live: LiveState,
    *,
    overrides: LifecycleOverrides = NO_OVERRIDES,
    mode: Literal["plan", "drift"] = "plan",
) -> Plan:
    """The connectors' plan, with the connectors of deleted declarations reported as orphans if
    live."""
    plan = build_plan(
        scope.declarations,
        live.connectors,
        complete_targets=live.complete,
        policy=overrides,
        mode=mode,
    )
    return _with_deleted(plan, scope, "connector", live.connectors)


def _with_deleted(
    plan: Plan,
    scope: Scope,
    resource: Resource,
    live: Mapping[str, Sequence[ConnectorStaged]] | Mapping[str, Sequence[Deployment]],
) -> Plan:
    """``plan`` with the live ``resource`` of deleted declarations added to its orphans (a
    scoped run reads them by key; a whole-folder run has them as orphans already)."""
    deleted = [o for o in scope.deleted if o.resource == resource]
    if not deleted:
        return plan
    named = scope.declarations if resource == "connector" else scope.deployments
    declared = {(d.target, d.key) for d in named}
    found = {(t, item.key): item.id for t, items in live.items() for item in items}
    listed = {(o.target, o.key) for o in plan.orphans if o.resource == resource}
    extra = [
        o.model_copy(update={"id": found[(o.target, o.key)]})
        for o in deleted
        if (o.target, o.key) in found
        and (o.target, o.key) not in declared
        and (o.target, o.key) not in listed
    ]
    orphans = sorted([*plan.orphans, *extra], key=lambda o: (o.target, o.key, o.id or ""))
    return plan.model_copy(update={"orphans": orphans})


async def plan_everything(
    scope: Scope,
    live: LiveState,
    clients: Mapping[str, ConnectClient],
    environ: Mapping[str, str],
    *,
    overrides: LifecycleOverrides = NO_OVERRIDES,
    mode: Literal["plan", "drift"] = "plan",
    redeploy: Collection[str] = (),
) -> Plan:
    """Connectors, then deployments, in one plan.

    The deployments are planned against this run's connector steps (a deployment may wait for
    its connector's preview or publish), the facts of only the connectors the planner asks for
    (:func:`read_facts`: by key, or from pages when many; one not found is left out), and
    the *names* of the environment variables that are set (never their values).
    """
    connectors = make_plan(scope, live, overrides=overrides, mode=mode)
    if not scope.deployment_targets:
        return connectors
    steps = connector_steps(connectors)
    lookups = facts_needed(
        scope.deployments, live.deployments, connector_steps=steps, redeploy=redeploy, mode=mode
    )
    facts = await read_facts(lookups, clients)
    deployments = plan_deployments(
        scope.deployments,
        live.deployments,
        facts=facts,
        environment=variable_names(environ),
        complete_targets=live.complete & scope.deployment_targets,
        connector_steps=steps,
        redeploy=redeploy,
        mode=mode,
    )
    deployments = _with_deleted(deployments, scope, "deployment", live.deployments)
    return combine_plans(connectors, deployments)


async def read_facts(
    lookups: Sequence[ConnectorLookup], clients: Mapping[str, ConnectClient]
) -> dict[ConnectorLookup, ConnectorFacts]:
    """The connector facts of ``lookups``, each read once; not found: left out.

    Per target and kind (staged or published), more than :data:`FACTS_PAGED_ABOVE` lookups are
    answered from the pages of the whole collection; fewer are read by key, as is any lookup
    the pages do not hold (an unlisted connector, say, or one that does not exist), so the
    answer is the same either way.
    """
    groups: dict[tuple[str, bool], list[ConnectorLookup]] = {}
    for lookup in lookups:
        groups.setdefault((lookup.target, lookup.staged), []).append(lookup)
    paged = [group for group in groups.values() if len(group) > FACTS_PAGED_ABOVE]
    by_key = [x for group in groups.values() if len(group) <= FACTS_PAGED_ABOVE for x in group]
    # the pages and the few reads by key at once; then, by key, what the pages did not hold
    reads: list[Callable[[], Awaitable[dict[ConnectorLookup, ConnectorFacts]]]] = [
        *(partial(_facts_from_pages, group, clients) for group in paged),
        partial(_facts_by_key, by_key, clients),
    ]
    found: dict[ConnectorLookup, ConnectorFacts] = {}
    for part in await gather(reads, limit=len(reads)):
        found.update(part)
    missed = [x for group in paged for x in group if x not in found]
    found.update(await _facts_by_key(missed, clients))
    return {lookup: found[lookup] for lookup in lookups if lookup in found}


async def _facts_from_pages(
    lookups: Sequence[ConnectorLookup], clients: Mapping[str, ConnectClient]
) -> dict[ConnectorLookup, ConnectorFacts]:
    """The facts the pages of one target's staged or published connectors hold for
    ``lookups`` (all of one target and kind)."""
    first = lookups[0]
    listed = await clients[first.target].deployments.listed_connector_facts(
        staged=first.staged,
        keys={x.key for x in lookups if x.key is not None},
        ids={x.id for x in lookups if x.id is not None},
    )
    by_key = {facts.key: facts for facts in listed if facts.key is not None}
    by_id = {facts.id: facts for facts in listed}
    found: dict[ConnectorLookup, ConnectorFacts] = {}
    for lookup in lookups:
        hit = by_key.get(lookup.key) if lookup.key is not None else by_id.get(lookup.id or "")
        if hit is not None:
            found[lookup] = hit
    return found


async def _facts_by_key(
    lookups: Sequence[ConnectorLookup], clients: Mapping[str, ConnectClient]
) -> dict[ConnectorLookup, ConnectorFacts]:
    """The facts of ``lookups`` read one by one (by key or id), :data:`FACTS_IN_FLIGHT` at once."""

    async def read(lookup: ConnectorLookup) -> ConnectorFacts | None:
        api = clients[lookup.target].deployments
        return await api.connector_facts(staged=lookup.staged, key=lookup.key, id=lookup.id)

    found = await gather([partial(read, lookup) for lookup in lookups], limit=FACTS_IN_FLIGHT)
    return {
        lookup: facts for lookup, facts in zip(lookups, found, strict=True) if facts is not None
    }


def variable_names(environ: Mapping[str, str]) -> frozenset[str]:
    """The environment variables that are set and not empty: names only, for the planner."""
    return frozenset(name for name, value in environ.items() if value)


class UnknownRedeployKeys(ValueError):
    """``--redeploy`` named a key that no deployment declaration of this run has."""

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = list(keys)
        listed = ", ".join(self.keys)
        super().__init__(
            f"--redeploy {listed}: no deployment declaration of this run has "
            f"{'this key' if len(self.keys) == 1 else 'these keys'}"
        )


def check_redeploy(scope: Scope, redeploy: Collection[str]) -> None:
    """Refuse unknown ``--redeploy`` keys before anything is read from an API."""
    unknown = unknown_redeploy_keys(scope.deployments, redeploy)
    if unknown:
        raise UnknownRedeployKeys(unknown)


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
    redeploy: Collection[str] = (),
) -> PlanRun:
    """Load, read live (read-only token is enough), and plan."""
    scope = load_scope(selection, environ)
    check_redeploy(scope, redeploy)
    async with _clients(scope, environ, options) as clients:
        live = await read_live(scope, clients)
        plan = await plan_everything(
            scope, live, clients, environ, overrides=overrides, mode=mode, redeploy=redeploy
        )
    return PlanRun(scope, plan)


def _clients(
    scope: Scope, environ: Mapping[str, str], options: ClientOptions
) -> AbstractAsyncContextManager[dict[str, ConnectClient]]:
    return open_clients(
        scope.config, scope.targets, environ, options, deployments=scope.deployment_targets
    )


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
    redeploy: Collection[str] = (),
) -> ApplyRun:
    """Plan and apply in one go: conflicts are re-diffed against the declarations (connectors)
    or re-planned (deployments).

    With ``remote``, the repositories that this apply changes are checked with git first
    (tag and connect.yaml); any failure stops the run before its first write.
    """
    from connect_gitops.apply.deploying import DeploymentInputs
    from connect_gitops.apply.executor import execute

    scope = load_scope(selection, environ)
    check_redeploy(scope, redeploy)
    async with _clients(scope, environ, options) as clients:
        live = await read_live(scope, clients)
        plan = await plan_everything(
            scope, live, clients, environ, overrides=overrides, redeploy=redeploy
        )
        if on_plan is not None:
            on_plan(plan, scope.notices)
        if remote:
            problems = await anyio.to_thread.run_sync(_preflight, scope, plan)
            if problems:
                raise InvalidDeclarations(problems)
        declarations: dict[tuple[str, str], ConnectorDeclaration] = {
            (d.target, d.key): d.declaration for d in scope.declarations
        }
        deployments = DeploymentInputs(
            apis={target: clients[target].deployments for target in scope.deployment_targets},
            environ=environ,
            declared={(d.target, d.key): d for d in scope.deployments},
            redeploy=frozenset(redeploy),
        )
        result = await execute(
            plan,
            clients,
            declarations=declarations,
            concurrency=concurrency,
            timeout=wait_timeout,
            wait=wait,
            progress=progress,
            deployments=deployments,
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
