"""What the deployment planner needs besides declarations and live state, prepared by the shell.

This run's connector steps (from the connectors' plan), which connector facts to read, and the
``--redeploy`` keys to check before planning.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from connect_gitops.core.deployments.declarations import DeclaredDeployment, DeploymentDeclaration
from connect_gitops.core.plan import Plan, WaitFor


@dataclass(frozen=True, slots=True)
class ConnectorStep:
    """A preview or publish that this run requests for a declared connector."""

    target: str
    key: str
    step: Literal["preview", "publish"]
    id: str | None = None


@dataclass(frozen=True, slots=True)
class ConnectorLookup:
    """Which connector facts to read: in which target, staged or published, by key or id."""

    target: str
    staged: bool
    key: str | None = None
    id: str | None = None

    def sort_key(self) -> tuple[str, bool, str, str]:
        return (self.target, self.staged, self.key or "", self.id or "")


def lookup_for(declared: DeclaredDeployment) -> ConnectorLookup:
    """The connector facts a declared deployment is planned against."""
    ref = declared.declaration.connector
    return ConnectorLookup(declared.target, ref.staged, ref.key, ref.id)


def connector_steps(plan: Plan) -> list[ConnectorStep]:
    """The previews and publishes a connector plan requests (blocked changes request none).

    None for a drift plan: drift compares deployments with what exists, and its steps (a failed
    preview, say) are findings, not requests.
    """
    if plan.mode == "drift":
        return []
    return [
        ConnectorStep(change.target, change.key, step.step, change.id)
        for change in plan.changes
        if change.resource == "connector" and change.kind != "blocked"
        for step in change.lifecycle
    ]


def unknown_redeploy_keys(declared: Iterable[DeclaredDeployment], keys: Iterable[str]) -> list[str]:
    """``--redeploy`` keys that no declared deployment has: a usage error for the CLI."""
    known = {d.key for d in declared}
    return sorted(set(keys) - known)


def waits_for(declaration: DeploymentDeclaration, steps: Sequence[ConnectorStep]) -> list[WaitFor]:
    """This run's steps of the connector that matter: a preview for a staged deployment, a
    publish for a published one (same connector key, or id, in any target)."""
    ref = declaration.connector
    wanted = "preview" if ref.staged else "publish"
    found = {
        (step.target, step.key): WaitFor(target=step.target, key=step.key, step=step.step)
        for step in steps
        if step.step == wanted
        and (
            (ref.key is not None and step.key == ref.key)
            or (ref.id is not None and step.id == ref.id)
        )
    }
    return [found[identity] for identity in sorted(found)]


def follows(declaration: DeploymentDeclaration, waits: list[WaitFor]) -> list[str]:
    """The reasons a change follows this run's connector steps."""
    return [f"follows the {wait.step} of connector {wait.key}" for wait in waits]
