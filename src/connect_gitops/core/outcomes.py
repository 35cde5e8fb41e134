"""What apply did: one outcome per connector, and for each its preview / publish result.

The executor and lifecycle produce these; reporting renders them; the exit code derives from them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

OutcomeKind = Literal["created", "updated", "unchanged", "blocked", "stale", "failed"]
LifecycleState = Literal["requested", "succeeded", "failed", "timed_out", "skipped"]

_OUT = ConfigDict(extra="forbid", frozen=True, defer_build=True)
"""Built on first use, by apply: plan and drift never need them."""


class LifecycleOutcome(BaseModel):
    """How a requested preview or publish ended (or that it was only requested: --no-wait)."""

    model_config = _OUT

    step: Literal["preview", "publish"]
    state: LifecycleState
    message: str = ""
    entries: list[dict[str, Any]] = Field(default_factory=list)
    """The previewableReport / publishingReport entries (type, title, message) of a failure."""


class Outcome(BaseModel):
    """How one connector ended in one target."""

    model_config = _OUT

    target: str
    key: str
    kind: OutcomeKind
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
        """False when this connector needs attention (exit code 1)."""
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

    def count(self, kind: OutcomeKind) -> int:
        return sum(1 for outcome in self.outcomes if outcome.kind == kind)
