"""Which connector step outcomes let a waiting deployment be written (pure)."""

from __future__ import annotations

import pytest

from connect_gitops.apply.deploying import connector_refusal
from connect_gitops.core.outcomes import LifecycleOutcome, LifecycleState, Outcome, OutcomeKind
from connect_gitops.core.plan import WaitFor

PUBLISH = WaitFor(target="eu", key="stripe", step="publish")


def connector(
    *steps: LifecycleOutcome, kind: OutcomeKind = "updated"
) -> dict[tuple[str, str], Outcome]:
    return {("eu", "stripe"): Outcome(target="eu", key="stripe", kind=kind, lifecycle=list(steps))}


def publish(state: LifecycleState) -> LifecycleOutcome:
    return LifecycleOutcome(step="publish", state=state)


def test_a_succeeded_step_lets_it_go() -> None:
    assert connector_refusal([PUBLISH], connector(publish("succeeded"))) is None


@pytest.mark.parametrize(
    ("state", "said"),
    [
        ("failed", "connector stripe's publish failed: not deployed"),
        ("timed_out", "connector stripe's publish timed out: not deployed"),
        ("skipped", "connector stripe's publish was skipped: not deployed"),
    ],
)
def test_a_step_that_did_not_succeed_fails_it(state: LifecycleState, said: str) -> None:
    refusal = connector_refusal([PUBLISH], connector(publish(state)))
    assert refusal is not None
    assert (refusal.kind, refusal.message) == ("failed", said)


def test_a_connector_whose_write_failed_ran_no_step() -> None:
    refusal = connector_refusal([PUBLISH], connector(kind="failed"))
    assert refusal is not None
    assert (refusal.kind, refusal.message) == (
        "failed",
        "connector stripe's publish did not run (connector stripe failed): not deployed",
    )


def test_a_step_only_requested_leaves_it_for_the_next_apply() -> None:
    refusal = connector_refusal([PUBLISH], connector(publish("requested")))
    assert refusal is not None
    assert (refusal.kind, refusal.message) == (
        "unchanged",
        "not deployed: connector stripe's publish was only requested (--no-wait): the next "
        "apply deploys it",
    )


def test_every_step_waited_for_must_succeed() -> None:
    preview = WaitFor(target="eu", key="stripe", step="preview")
    both = connector(LifecycleOutcome(step="preview", state="succeeded"), publish("failed"))
    assert connector_refusal([preview], both) is None
    refusal = connector_refusal([preview, PUBLISH], both)
    assert refusal is not None
    assert refusal.message == "connector stripe's publish failed: not deployed"
