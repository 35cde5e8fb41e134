"""Deployments in the plan document: shape, order, orphans, reading back, older saved plans."""

from __future__ import annotations

import json
import random

from connect_gitops.core.declarations import ConnectorDeclaration, DeclaredConnector
from connect_gitops.core.deployments.inputs import ConnectorStep
from connect_gitops.core.deployments.planner import combine_plans
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.core.plan import Change, Orphan, Plan, from_json, to_json
from connect_gitops.core.planner import build_plan
from tests.support.deployments import SECRET_VARIABLE, declared, facts, live, plan


def _mixed_plan() -> Plan:
    """One deployment of each kind beside the orphans of two targets."""
    deployments = [
        declared(key="new"),
        declared(key="same"),
        declared(key="edited"),
        declared(key="moved", reconcile={"replace": True}),
        declared(key="stuck", type="preview"),
        declared(key="waiting", target="us"),
    ]
    live_deployments = {
        "eu": [
            live(key="same"),
            live(key="edited", service={"CTP_REGION": "x"}),
            live(key="moved", deployedRegion="us-central1.gcp"),
            live(key="stuck"),
            live(key="forgotten"),
            live(key=None),
        ],
        "us": [live(key="waiting")],
    }
    steps = [ConnectorStep("eu", "stripe-connector", "publish")]
    return plan(deployments, live_deployments, [facts()], steps=steps)


def test_each_kind_appears_with_its_document_shape() -> None:
    document = json.loads(to_json(_mixed_plan()))
    kinds = {c["key"]: c["kind"] for c in document["changes"]}
    assert kinds == {
        "edited": "redeploy",
        "moved": "replace",
        "new": "create",
        "same": "redeploy",
        "stuck": "blocked",
        "waiting": "redeploy",
    }
    change = document["changes"][0]
    assert list(change) == [
        "target", "key", "resource", "file", "line", "kind", "id", "version",
        "actions", "draft", "fields", "reason", "secured", "waitsFor",
    ]  # fmt: skip
    assert change["secured"] == [
        {"application": "service", "key": SECRET_VARIABLE, "fromEnv": SECRET_VARIABLE}
    ]
    same = next(c for c in document["changes"] if c["key"] == "same")
    assert same["waitsFor"] == [
        {"resource": "connector", "target": "eu", "key": "stripe-connector", "step": "publish"}
    ]
    assert document["summary"] == {
        "create": 1,
        "update": 0,
        "redeploy": 3,
        "replace": 1,
        "noop": 0,
        "blocked": 1,
        "orphans": 2,
    }


def test_orphans_are_sorted_and_a_keyless_one_says_why() -> None:
    assert _mixed_plan().orphans == [
        Orphan(
            target="eu",
            key="",
            resource="deployment",
            id="no-key-id",
            reason="has no key, so no declaration can name it",
        ),
        Orphan(target="eu", key="forgotten", resource="deployment", id="forgotten-id"),
    ]


def test_orphans_only_where_every_deployment_was_read() -> None:
    result = plan([declared()], {"eu": [live(key="other")]}, [facts()])
    assert [o.key for o in result.orphans] == ["other"]
    incomplete = plan([declared()], {}, [facts()])
    assert incomplete.orphans == []


def test_shuffled_inputs_give_the_identical_document() -> None:
    deployments = [declared(key=f"d{n:02}", target=("eu", "us")[n % 2]) for n in range(20)]
    live_deployments = {
        "eu": [live(key=f"d{n:02}", service={"CTP_REGION": str(n)}) for n in range(0, 20, 4)],
        "us": [live(key=f"o{n:02}") for n in range(5)],
    }
    expected = to_json(plan(deployments, live_deployments, [facts()]))
    shuffler = random.Random(7)
    for _ in range(5):
        shuffled = deployments[:]
        shuffler.shuffle(shuffled)
        shuffled_live = {
            t: shuffler.sample(v, len(v)) for t, v in reversed(live_deployments.items())
        }
        assert to_json(plan(shuffled, shuffled_live, [facts()])) == expected


def test_a_plan_with_deployments_reads_back_unchanged() -> None:
    result = _mixed_plan()
    text = to_json(result)
    assert from_json(text) == result
    assert to_json(from_json(text)) == text


def test_an_older_saved_plan_reads_as_connectors() -> None:
    old = {
        "formatVersion": 1,
        "mode": "plan",
        "changes": [
            {
                "target": "eu",
                "key": "payment-connector",
                "kind": "update",
                "id": "c1",
                "version": 7,
                "actions": [{"action": "setName", "name": "Payment"}],
                "draft": None,
                "fields": [],
                "lifecycle": [{"step": "preview", "reason": "repository changed"}],
                "reason": None,
            }
        ],
        "orphans": [{"target": "eu", "key": "old", "id": "o1"}],
        "summary": {"create": 0, "update": 1, "noop": 0, "blocked": 0, "orphans": 1},
    }
    read = from_json(json.dumps(old))
    assert read.changes[0].resource == "connector"
    assert read.changes[0].secured == []
    assert read.orphans[0].resource == "connector"
    document = json.loads(to_json(read))
    assert "secured" not in document["changes"][0]
    assert "waitsFor" not in document["changes"][0]


def test_connectors_come_first_in_a_combined_plan() -> None:
    connector = ConnectorDeclaration.model_validate({"key": "zz-connector", "name": "Z"})
    staged = ConnectorStaged.model_validate({"id": "z", "key": "zz-connector", "version": 1})
    connectors = build_plan(
        [DeclaredConnector(connector, "connectors/z.yaml", 1, "eu")],
        {"eu": [staged, ConnectorStaged.model_validate({"id": "o", "key": "orph", "version": 1})]},
        complete_targets=["eu"],
    )
    combined = combine_plans(connectors, _mixed_plan())
    assert [(c.resource, c.key) for c in combined.changes][:2] == [
        ("connector", "zz-connector"),
        ("deployment", "edited"),
    ]
    assert [o.resource for o in combined.orphans] == ["connector", "deployment", "deployment"]
    assert combined.has_changes
    assert from_json(to_json(combined)) == combined


def test_has_changes_counts_redeploys_and_replaces() -> None:
    noop = plan([declared()], [live()], [facts()])
    assert not noop.has_changes
    for kind in ("redeploy", "replace"):
        change = Change(target="eu", key="k", resource="deployment", kind=kind)
        assert Plan(changes=[change]).has_changes
