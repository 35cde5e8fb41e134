"""What apply did: one outcome per connector or deployment, and what followed its write: a
connector's preview / publish, a deployment's build.

The executor and lifecycle produce these; reporting renders them; the exit code derives from them.
A deployment's outcome is kind ``created``, ``redeployed`` or ``replaced`` (or one of the shared
kinds) with ``resource: "deployment"``; its build is a step ``build`` whose ``entries`` are the
build report's entries and ``logs`` the last log lines of the failing applications.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from connect_gitops.core.plan import Resource

OutcomeKind = Literal[
    "created", "updated", "redeployed", "replaced", "unchanged", "blocked", "stale", "failed"
]
"""``updated`` is a connector's; ``redeployed`` and ``replaced`` a deployment's."""
LifecycleState = Literal["requested", "succeeded", "failed", "timed_out", "skipped"]

_OUT = ConfigDict(extra="forbid", frozen=True, defer_build=True)
"""Built on first use, by apply: plan and drift never need them."""


class LifecycleOutcome(BaseModel):
    """How a requested preview, publish or build ended (or that it was only requested:
    --no-wait)."""

    model_config = _OUT

    step: Literal["preview", "publish", "build"]
    state: LifecycleState
    message: str = ""
    entries: list[dict[str, Any]] = Field(default_factory=list)
    """The previewableReport / publishingReport entries (type, title, message) of a failure, or
    a build report's entries (type, application, title, message)."""
    logs: list[dict[str, str]] = Field(default_factory=list)
    """A failed build: the last log lines of each failing application (application,
    timestamp, severity, message), oldest first."""


class Outcome(BaseModel):
    """How one connector or deployment ended in one target."""

    model_config = _OUT

    target: str
    key: str
    kind: OutcomeKind
    resource: Resource = "connector"
    file: str | None = None
    line: int | None = None
    id: str | None = None
    version: int | None = None
    actions: int = 0
    """How many update actions were sent (the last successful round)."""
    message: str = ""
    code: str | None = None
    """The API's error code of a failure, e.g. ConcurrentModification."""
    correlation_id: str | None = None
    lifecycle: list[LifecycleOutcome] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        """False when this connector or deployment needs attention (exit code 1)."""
        if self.kind in ("blocked", "stale", "failed"):
            return False
        return all(step.state in ("requested", "succeeded", "skipped") for step in self.lifecycle)


class ApplyResult(BaseModel):
    """Every outcome of one apply run, sorted by target and key."""

    model_config = _OUT

    outcomes: list[Outcome] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(outcome.ok for outcome in self.outcomes)

    def count(self, kind: OutcomeKind, resource: Resource | None = None) -> int:
        """How many outcomes are of ``kind`` (of ``resource`` only, when given)."""
        return sum(
            1
            for outcome in self.outcomes
            if outcome.kind == kind and (resource is None or outcome.resource == resource)
        )
