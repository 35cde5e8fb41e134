"""Planning deployments: one Change per declared deployment, and the orphans.

Pure: it gets the declarations, the live deployments already read, the facts of the connectors
they deploy, the *names* of the environment variables that are set, and this run's connector
steps, and returns data. The same inputs in any order give the same plan.

Decisions worth knowing (DEPLOYMENTS-DESIGN.md section 3, and where this goes further):

- Secured values are never compared; an unset variable blocks only a change that would send it
  (create, redeploy, replace), and never in drift mode, which sends nothing: plans and drift
  runs without the application's secrets still say "no changes" when nothing changed.
- Connector facts are read only when needed (:func:`facts_needed` asks the planner itself):
  never for a deployment pinned to the version it runs. A redeploy that keeps the version is
  checked against the connector copy the deployment runs (when the API returns it), never
  against the latest, which may accept other keys.
- A deployment that waits for its connector's preview or publish in this run is not checked
  against the connector as it is now (the step may change what it accepts); apply re-plans it
  after the step. An unpinned create then leaves ``connector.version`` out: the latest.
- A deployment ``Failed`` that needs nothing else is a noop in plan mode (the same build would
  fail again on every run; ``--redeploy KEY`` retries on purpose) and a redeploy in drift mode.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Literal

from connect_gitops.core.actions import UpdateAction
from connect_gitops.core.deployments.checks import (
    configuration_problems,
    deployable,
    misplaced_secrets,
    type_mismatch,
    undeclared_secrets,
)
from connect_gitops.core.deployments.declarations import DeclaredDeployment, DeploymentDeclaration
from connect_gitops.core.deployments.diff import (
    declared_fields,
    immutable_differences,
    secured_keys,
    value_differences,
    without_secured_values,
)
from connect_gitops.core.deployments.inputs import (
    ConnectorLookup,
    ConnectorStep,
    follows,
    lookup_for,
    waits_for,
)
from connect_gitops.core.deployments.live import RUNNING, ConnectorFacts, Deployment, deployed_facts
from connect_gitops.core.deployments.wire import deployment_draft, redeploy_action, secured_values
from connect_gitops.core.plan import (
    NO_KEY,
    Change,
    FieldChange,
    Mode,
    Orphan,
    Plan,
    WaitFor,
    declared_twice,
)

WAITS_FOR_BUILD = "waits for the running build"
ROTATE = "rotate secured values (--redeploy)"
FAILED = "deployment Failed"
SECURED_NOT_COMPARED = "secured values are not compared: rotate them with apply --redeploy KEY"
"""For reporters: what to say beside a deployment's secured keys."""
IMMUTABLE = "needs a new deployment (set reconcile.replace: true to delete and re-create it)"
REPLACE = "DELETE and re-create"

FactsLookup = Callable[[ConnectorLookup], ConnectorFacts | None]


def facts_needed(
    declared: Sequence[DeclaredDeployment],
    live: Mapping[str, Sequence[Deployment]],
    *,
    connector_steps: Collection[ConnectorStep] = (),
    redeploy: Collection[str] = (),
    mode: Mode = "plan",
) -> list[ConnectorLookup]:
    """The connector facts :func:`plan_deployments` will ask for, each once, sorted.

    Found by planning without facts and recording what the planner asks: the answer cannot
    drift from the planner's rules. Empty when every deployment is pinned to what it runs and
    needs nothing.
    """
    asked: set[ConnectorLookup] = set()

    def record(lookup: ConnectorLookup) -> None:
        asked.add(lookup)

    _changes(declared, live, record, (), connector_steps, redeploy, mode)
    return sorted(asked, key=ConnectorLookup.sort_key)


def plan_deployments(
    declared: Sequence[DeclaredDeployment],
    live: Mapping[str, Sequence[Deployment]],
    *,
    facts: Mapping[ConnectorLookup, ConnectorFacts],
    environment: Collection[str],
    complete_targets: Collection[str],
    connector_steps: Collection[ConnectorStep] = (),
    redeploy: Collection[str] = (),
    mode: Mode = "plan",
) -> Plan:
    """The deployments' plan: changes sorted by target and key, then orphans.

    ``live``: the deployments read per target; a declared key missing there does not exist.
    ``facts``: what was read for :func:`facts_needed`; a lookup missing from it is a connector
    that was not found. ``environment``: names of the variables that are set and not empty
    (never values). ``complete_targets``: targets whose deployments were read whole; only they
    get orphans. ``redeploy``: the ``--redeploy`` keys (check them first with
    :func:`unknown_redeploy_keys`).
    """
    changes = _changes(declared, live, facts.get, environment, connector_steps, redeploy, mode)
    named = {(d.target, d.key) for d in declared}
    orphans = [
        Orphan(target=target, key=found.key, resource="deployment", id=found.id)
        if found.key is not None
        else Orphan(target=target, key="", resource="deployment", id=found.id, reason=NO_KEY)
        for target in sorted(set(complete_targets) & set(live))
        for found in sorted(live[target], key=lambda d: (d.key or "", d.id))
        if (target, found.key) not in named
    ]
    return Plan(mode=mode, changes=changes, orphans=orphans)


def plan_deployment(
    declared: DeclaredDeployment,
    live: Deployment | None,
    *,
    facts: ConnectorFacts | None,
    environment: Collection[str],
    connector_steps: Collection[ConnectorStep] = (),
    rotate: bool = False,
    mode: Mode = "plan",
) -> Change:
    """One deployment's Change: apply re-plans with this after a 409, or after its connector's
    steps (then without them, and with facts read after the step)."""
    return _plan_one(
        declared, live, lambda _: facts, environment, list(connector_steps), rotate, mode
    )


def combine_plans(connectors: Plan, deployments: Plan) -> Plan:
    """One plan of both: connectors first (apply writes them first), each part in its order."""
    return Plan(
        mode=connectors.mode,
        changes=[*connectors.changes, *deployments.changes],
        orphans=[*connectors.orphans, *deployments.orphans],
    )


def _changes(
    declared: Sequence[DeclaredDeployment],
    live: Mapping[str, Sequence[Deployment]],
    lookup: FactsLookup,
    environment: Collection[str],
    steps: Collection[ConnectorStep],
    rotate: Collection[str],
    mode: Mode,
) -> list[Change]:
    by_key = {t: {d.key: d for d in found if d.key is not None} for t, found in live.items()}
    twice = declared_twice(declared)
    steps = list(steps)
    changes = [
        _blocked_twice(d, reason)
        if (reason := twice.get((d.target, d.key)))
        else _plan_one(
            d,
            by_key.get(d.target, {}).get(d.key),
            lookup,
            environment,
            steps,
            d.key in rotate,
            mode,
        )
        for d in declared
    ]
    return sorted(changes, key=lambda c: (c.target, c.key, c.file or "", c.line or 0))


def _plan_one(
    declared: DeclaredDeployment,
    live: Deployment | None,
    lookup: FactsLookup,
    environment: Collection[str],
    steps: Sequence[ConnectorStep],
    rotate: bool,
    mode: Mode,
) -> Change:
    declaration = declared.declaration
    where = _where(declared)
    mismatch = type_mismatch(declaration)
    if mismatch is not None:
        return Change(kind="blocked", reason=mismatch, **where)
    waits = waits_for(declaration, steps)
    missing = [] if mode == "drift" else _unset_variables(declaration, environment)

    def facts() -> ConnectorFacts | None:
        """Read only where a rule needs them, so unchanged plans read none."""
        return lookup(lookup_for(declared))

    if live is None:
        return _create(declared, facts(), waits, missing, where)
    where |= {"id": live.id, "version": live.version}
    immutable = immutable_differences(declaration, live)
    if immutable and not declaration.reconcile.replace:
        paths = ", ".join(field.path for field in immutable)
        reason = f"immutable {paths}: {IMMUTABLE}"
        return Change(kind="blocked", reason=reason, fields=immutable, **where)
    if immutable:
        running = [WAITS_FOR_BUILD] if live.status in RUNNING else []
        return _create(declared, facts(), waits, missing, where, immutable, [REPLACE, *running])
    return _redeploy(declared, live, facts, waits, missing, rotate, mode, where)


def _create(
    declared: DeclaredDeployment,
    facts: ConnectorFacts | None,
    waits: list[WaitFor],
    missing: list[str],
    where: dict[str, Any],
    replaced: Sequence[FieldChange] = (),
    reasons: Sequence[str] = (),
) -> Change:
    """A create, or with ``replaced`` (the immutable fields that differ) a replace."""
    declaration = declared.declaration
    problems: list[str] = []
    if not waits:
        if facts is None:
            problems.append(_not_found(declared))
        else:
            problems += deployable(declaration, facts)
            problems += configuration_problems(declaration, facts, sent="create")
    problems += missing
    kind: Literal["create", "replace"] = "replace" if replaced else "create"
    fields = without_secured_values(
        [*replaced, *declared_fields(declaration, immutable=not replaced)], secured_keys(facts)
    )
    if problems:
        return Change(kind="blocked", reason="; ".join(problems), fields=fields, **where)
    pin = declaration.connector.version
    version = pin if pin is not None or waits or facts is None else facts.version
    body = deployment_draft(declaration, None if waits else facts, version=version)
    reason = "; ".join([*reasons, *follows(declaration, waits)]) or None
    return Change(kind=kind, draft=body, fields=fields, reason=reason, waitsFor=waits, **where)


def _redeploy(
    declared: DeclaredDeployment,
    live: Deployment,
    facts: Callable[[], ConnectorFacts | None],
    waits: list[WaitFor],
    missing: list[str],
    rotate: bool,
    mode: Mode,
    where: dict[str, Any],
) -> Change:
    """A live deployment whose type, region and connector match: redeploy or noop."""
    declaration = declared.declaration
    fields = value_differences(declaration, live)
    pin, running = declaration.connector.version, live.connector.version
    latest = facts() if waits or pin is None or pin != running else None
    running_copy = deployed_facts(live)
    # A key the latest declares secured is secured in the running copy too, as a rule: its value
    # is never shown, and one under standardConfiguration is blocked even when the running copy
    # is not known.
    secured = secured_keys(latest, running_copy)
    fields = without_secured_values(fields, secured)
    move, refused = _version_move(declared, live, latest, waits)
    if refused is not None:
        return Change(kind="blocked", reason=refused, fields=fields, **where)
    if move is not None:
        fields.append(FieldChange(path="connector.version", before=running, after=move))
    if not (fields or rotate or (live.status == "Failed" and mode == "drift")):
        return Change(kind="noop", reason=_noop_reason(declared, live, latest), **where)
    # Checked against the version it will run: the latest when it moves, else the running copy
    # (when the answer carries it; the latest may accept other keys, so it is no stand-in).
    accepted = latest if move is not None else running_copy
    problems = (
        [] if waits or accepted is None else _redeploy_problems(declared, live, accepted, move)
    )
    if (clearing := undeclared_secrets(declaration, live)) is not None:
        problems.append(clearing)
    misplaced = misplaced_secrets(declaration, secured)
    problems = list(dict.fromkeys([*problems, *misplaced]))
    # Live values the running version accepted stay; a move drops those the latest no longer knows.
    moved_to = latest if move is not None and not waits else None
    if moved_to is not None and not moved_to.knows_configurations:
        moved_to = None
    action = redeploy_action(declaration, live, moved_to, update_connector=move is not None)
    if problems or missing:
        refusal = "; ".join([*problems, *missing])
        shown: list[UpdateAction] = [] if misplaced else [action]  # it would carry the secret
        return Change(kind="blocked", reason=refusal, fields=fields, actions=shown, **where)
    reason = _redeploy_reason(declaration, live, rotate=rotate, waits=waits)
    return Change(
        kind="redeploy", actions=[action], fields=fields, reason=reason, waitsFor=waits, **where
    )


def _redeploy_reason(
    declaration: DeploymentDeclaration, live: Deployment, *, rotate: bool, waits: list[WaitFor]
) -> str | None:
    """Why beyond the fields: a rotation, a failed build, a running one, a connector step."""
    reasons = [
        *([ROTATE] if rotate else []),
        *([FAILED] if live.status == "Failed" else []),
        *([WAITS_FOR_BUILD] if live.status in RUNNING else []),
        *follows(declaration, waits),
    ]
    return "; ".join(reasons) or None


def _redeploy_problems(
    declared: DeclaredDeployment, live: Deployment, accepted: ConnectorFacts, move: object
) -> list[str]:
    problems = configuration_problems(declared.declaration, accepted, sent="redeploy", live=live)
    if move is not None:
        problems += deployable(declared.declaration, accepted)
    return problems


Move = int | Literal["latest"] | None
"""Where ``updateConnector`` moves a deployment: a version, the latest after this run's
connector step, or nowhere."""


def _version_move(
    declared: DeclaredDeployment,
    live: Deployment,
    latest: ConnectorFacts | None,
    waits: list[WaitFor],
) -> tuple[Move, str | None]:
    """The move, or why the declared pin cannot be reached (a redeploy only moves to the latest)."""
    pin = declared.declaration.connector.version
    running = live.connector.version
    if pin is None:
        if waits:
            return "latest", None
        if latest is None or running is None or running >= latest.version:
            return None, None
        return latest.version, None
    if pin == running:
        return None, None
    if waits or (latest is not None and pin == latest.version):
        return pin, None
    if latest is None:
        return None, f"{_not_found(declared)}: cannot move to version {pin}"
    return None, (
        f"connector version {pin} is neither the running version ({running}) nor the latest "
        f"({latest.version}): redeploy can only move to the latest"
    )


def _noop_reason(
    declared: DeclaredDeployment, live: Deployment, latest: ConnectorFacts | None
) -> str | None:
    """What a noop still has to say: a failed build to retry, or a connector gone missing."""
    if live.status == "Failed":
        return f"{FAILED}: apply --redeploy {declared.key} retries the build"
    pin = declared.declaration.connector.version
    if latest is None and (pin is None or pin != live.connector.version):
        return f"{_not_found(declared)}: its version is not compared"
    return None


def _unset_variables(declaration: DeploymentDeclaration, environment: Collection[str]) -> list[str]:
    names = sorted({ref.fromEnv for ref in secured_values(declaration)} - set(environment))
    return [f"environment variable {name} is not set" for name in names]


def _not_found(declared: DeclaredDeployment) -> str:
    ref = declared.declaration.connector
    which = "staged connector" if ref.staged else "connector"
    return f"{which} {ref.name} not found in target {declared.target}"


def _where(declared: DeclaredDeployment) -> dict[str, Any]:
    return {
        "target": declared.target,
        "key": declared.key,
        "resource": "deployment",
        "file": declared.file,
        "line": declared.line,
        "secured": secured_values(declared.declaration),
    }


def _blocked_twice(declared: DeclaredDeployment, reason: str) -> Change:
    return Change(kind="blocked", reason=reason, **_where(declared))
