"""The runs behind the commands: load, read live, plan, apply; the imperative shell.

Each function takes what the CLI parsed and returns data (a Plan, an ApplyResult) for the
reporters; it prints nothing. Nothing touches the network while any declaration is invalid.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import anyio

from connect_gitops.apply.connections import ClientOptions, open_clients
from connect_gitops.client.api import ConnectClient
from connect_gitops.core.declarations import ConnectorDeclaration, DeclaredConnector
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.core.outcomes import ApplyResult
from connect_gitops.core.plan import Orphan, Plan
from connect_gitops.core.planning import LifecycleOverrides, build_plan
from connect_gitops.core.problems import Problem
from connect_gitops.source import loader as loading
from connect_gitops.source.config import Config, ConfigError, load_config
from connect_gitops.source.loader import InvalidDeclarations

if TYPE_CHECKING:
    from connect_gitops.reporting.progress import Progress

NO_OVERRIDES = LifecycleOverrides()
"""Each declaration's own reconcile policy, as no CLI flag overrides it."""


@dataclass(frozen=True, slots=True)
class Selection:
    """Which declarations and targets a run looks at."""

    folder: Path
    targets: tuple[str, ...] = ()
    """Target names given with --target; empty means every configured target."""
    changed_since: str | None = None
    """A git revision (already resolved from ``auto``), or None for the whole folder."""


@dataclass(slots=True)
class Scope:
    """What was loaded and which live connectors must be read for it."""

    config: Config
    declarations: list[DeclaredConnector]
    targets: list[str]
    whole_folder: bool
    notices: list[str] = field(default_factory=list)
    deleted: list[Orphan] = field(default_factory=list)
    """Connectors whose declaration this change deleted (checked against live later)."""
    parsed_files: tuple[str, ...] = ()


def load_scope(selection: Selection, environ: Mapping[str, str]) -> Scope:
    """Config, then (with --changed-since) the changed files, then validated declarations."""
    folder = selection.folder
    try:
        config = load_config(folder, environ)
    except ConfigError as error:
        if error.problems:
            raise InvalidDeclarations(error.problems) from None
        raise
    for name in selection.targets:
        config.check_target_name(name)
    notices: list[str] = []
    deleted_files: list[tuple[str, str]] = []
    whole_folder = True
    if selection.changed_since is not None:
        from connect_gitops.git.changes import changed_declaration_files

        changes = changed_declaration_files(
            folder, selection.changed_since, patterns=config.connector_globs
        )
        if changes.whole_folder:
            notices.append(f"checking the whole folder: {changes.reason}")
        else:
            whole_folder = False
            deleted_files = [(d.path, d.content) for d in changes.deleted]
            result = loading.load_files(folder, changes.changed, config)
    if whole_folder:
        result = loading.load_folder(folder, config)
    if not result.ok:
        raise InvalidDeclarations(result.problems)
    targets = list(selection.targets) or _targets_in_use(config, result.declarations, whole_folder)
    declarations = [d for d in result.declarations if d.target in targets]
    deleted = _deleted_declarations(config, deleted_files, targets)
    return Scope(
        config=config,
        declarations=declarations,
        targets=targets,
        whole_folder=whole_folder,
        notices=notices,
        deleted=deleted,
        parsed_files=result.files,
    )


def _targets_in_use(
    config: Config, declarations: Sequence[DeclaredConnector], whole_folder: bool
) -> list[str]:
    """Without --target: the targets the declarations go to, plus the default target.

    A configured target that no declaration names is not read (it may need credentials this
    run does not have); name it with --target to see its orphans. A scoped run
    (--changed-since) only needs the targets its declarations go to.
    """
    named = {d.target for d in declarations}
    if (
        whole_folder
        and config.default_target is not None
        and config.default_target in config.targets
    ):
        named.add(config.default_target)
    return sorted(named)


def _deleted_declarations(
    config: Config, files: Sequence[tuple[str, str]], targets: Sequence[str]
) -> list[Orphan]:
    """Keys declared in files this change deleted, read leniently from the old text."""
    from connect_gitops.source import yamlsafe

    orphans: list[Orphan] = []
    for path, text in files:
        try:
            documents = yamlsafe.parse_documents(text)
        except yamlsafe.YamlProblem:
            continue
        for document in documents:
            data = document.data
            if not isinstance(data, dict) or not isinstance(data.get("key"), str):
                continue
            reconcile = data.get("reconcile")
            target = reconcile.get("target") if isinstance(reconcile, dict) else None
            target = target if isinstance(target, str) else config.default_target
            if target is not None and target in targets:
                orphans.append(
                    Orphan(
                        target=target,
                        key=data["key"],
                        file=path,
                        reason="its declaration was deleted; it is not deleted in Connect",
                    )
                )
    return orphans


@dataclass(slots=True)
class LiveState:
    """Live connectors read per target, and which targets were read whole."""

    connectors: dict[str, list[ConnectorStaged]]
    complete: set[str]


async def read_live(scope: Scope, clients: Mapping[str, ConnectClient]) -> LiveState:
    """The whole live set per target (paged) or, for a scoped run, only the declared keys."""
    connectors: dict[str, list[ConnectorStaged]] = {}

    async def read(target: str) -> None:
        client = clients[target]
        if scope.whole_folder:
            connectors[target] = await client.query_all()
            return
        keys = {d.key for d in scope.declarations if d.target == target}
        keys |= {o.key for o in scope.deleted if o.target == target}
        found = await client.get_many_by_key(keys)
        connectors[target] = list(found.values())

    try:
        async with anyio.create_task_group() as group:
            for target in scope.targets:
                group.start_soon(read, target)
    except ExceptionGroup as failed:
        # One target's error (a ConnectError the CLI turns into a message), not a group the
        # CLI cannot catch and would show as a traceback.
        raise _first(failed) from None
    complete = set(scope.targets) if scope.whole_folder else set()
    return LiveState(connectors, complete)


def _first(group: BaseExceptionGroup[Exception]) -> Exception:
    """The first leaf exception of a (possibly nested) exception group."""
    first: Exception | BaseExceptionGroup[Exception] = group
    while isinstance(first, BaseExceptionGroup):
        first = first.exceptions[0]
    return first


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
    orphans = sorted([*plan.orphans, *extra], key=lambda o: (o.target, o.key))
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


async def apply_saved_run(
    plan: Plan,
    folder: Path,
    environ: Mapping[str, str],
    options: ClientOptions,
    *,
    concurrency: int,
    wait_timeout: float,
    wait: bool,
    progress: Progress | None,
) -> ApplyRun:
    """Apply a saved plan exactly: no re-diff; a conflict or existing key makes it stale."""
    from connect_gitops.apply.executor import execute

    config = load_config(folder, environ)
    targets = sorted({c.target for c in plan.changes})
    async with open_clients(config, targets, environ, options) as clients:
        result = await execute(
            plan,
            clients,
            declarations=None,
            concurrency=concurrency,
            timeout=wait_timeout,
            wait=wait,
            progress=progress,
        )
    return ApplyRun(plan, result)
