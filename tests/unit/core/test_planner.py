"""core.planner: the policy, re-planning one connector, and determinism across input orders."""

from __future__ import annotations

import random

from connect_gitops.core.actions import to_wire
from connect_gitops.core.declarations import DeclaredConnector, Reconcile
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.core.plan import to_json
from connect_gitops.core.planner import (
    LifecycleOverrides,
    LifecyclePolicy,
    build_plan,
    effective_policy,
    plan_change,
)
from tests.support.declarations import declared


def _declared(key: str, target: str = "eu", **fields: object) -> DeclaredConnector:
    return declared(key, target, **fields)


def test_overrides_win_only_where_given() -> None:
    declared = Reconcile(preview=True, publish=False, certification=True)
    assert effective_policy(declared, LifecycleOverrides()) == LifecyclePolicy(
        preview=True, publish=False, certification=True
    )
    assert effective_policy(
        declared, LifecycleOverrides(preview=False, publish=True)
    ) == LifecyclePolicy(preview=False, publish=True, certification=True)


def test_replanning_after_a_conflict_sees_the_new_version() -> None:
    declared = _declared("k1", name="Wanted")
    moved = ConnectorStaged.model_validate(
        {"id": "c", "key": "k1", "version": 9, "name": "Someone else's"}
    )
    change = plan_change(declared, moved)
    assert (change.kind, change.version) == ("update", 9)
    assert to_wire(change.actions) == [{"action": "setName", "name": "Wanted"}]
    done = moved.model_copy(update={"name": "Wanted", "version": 10})
    assert plan_change(declared, done).kind == "noop"


def test_shuffled_inputs_give_the_identical_document() -> None:
    declared = [
        _declared(f"k{n:03}", target, name=f"Name {n}")
        for n in range(60)
        for target in ("eu", "us")
    ]
    live = {
        target: [
            ConnectorStaged.model_validate(
                {"id": f"{target}-{n}", "key": f"k{n:03}", "version": n, "name": f"Name {n % 7}"}
            )
            for n in range(0, 90, 2)
        ]
        for target in ("eu", "us")
    }
    expected = to_json(build_plan(declared, live, complete_targets=["eu", "us"]))
    shuffler = random.Random(7)
    for _ in range(5):
        mixed = declared[:]
        shuffler.shuffle(mixed)
        mixed_live = {t: shuffler.sample(c, len(c)) for t, c in reversed(live.items())}
        plan = build_plan(mixed, mixed_live, complete_targets=["us", "eu"])
        assert to_json(plan) == expected
    document_plan = build_plan(declared, live, complete_targets=["eu", "us"])
    assert [(c.target, c.key) for c in document_plan.changes] == sorted(
        (d.target, d.key) for d in declared
    )
    assert [o.key for o in document_plan.orphans if o.target == "eu"] == [
        f"k{n:03}" for n in range(60, 90, 2)
    ]


def test_has_changes_counts_lifecycle_steps_but_not_blocked_changes() -> None:
    live = ConnectorStaged.model_validate(
        {"id": "c", "key": "k1", "version": 1, "name": "N", "status": "InCertification"}
    )
    blocked = build_plan([_declared("k1", name="M")], {"eu": [live]}, complete_targets=[])
    assert blocked.changes[0].kind == "blocked"
    assert not blocked.has_changes
    draft = live.model_copy(update={"status": "Draft"})
    publish = build_plan(
        [_declared("k1", name="N", reconcile={"publish": True})],
        {"eu": [draft]},
        complete_targets=[],
    )
    assert publish.changes[0].kind == "noop"
    assert publish.has_changes
