"""The connector version a deployment runs, this run's connector steps, and which facts to read."""

from __future__ import annotations

from connect_gitops.core.declarations import ConnectorDeclaration, DeclaredConnector
from connect_gitops.core.deployments.inputs import ConnectorLookup, ConnectorStep, connector_steps
from connect_gitops.core.deployments.planner import facts_needed, plan_deployment
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.core.plan import FieldChange, WaitFor
from connect_gitops.core.planner import build_plan
from tests.support.deployments import (
    CONNECTOR,
    ENVIRONMENT,
    declared,
    facts,
    live,
    only,
    plan,
    wire,
)

PUBLISH = ConnectorStep("creators", CONNECTOR, "publish", id=f"{CONNECTOR}-id")
PREVIEW = ConnectorStep("creators", CONNECTOR, "preview", id=f"{CONNECTOR}-id")
LOOKUP = ConnectorLookup("eu", False, CONNECTOR)


def _pinned(version: int) -> object:
    return declared(connector={"key": CONNECTOR, "version": version})


def test_an_unpinned_deployment_behind_the_latest_moves_with_update_connector() -> None:
    change = only(plan([declared()], [live(connector_version=2)], [facts(version=3)]))
    assert change.kind == "redeploy"
    assert change.fields == [FieldChange(path="connector.version", before=2, after=3)]
    assert wire(change)[0]["updateConnector"] is True


def test_a_pin_moves_only_to_the_latest() -> None:
    at_latest = only(plan([_pinned(3)], [live(connector_version=2)], [facts(version=3)]))
    assert (at_latest.kind, wire(at_latest)[0]["updateConnector"]) == ("redeploy", True)
    elsewhere = only(plan([_pinned(5)], [live(connector_version=2)], [facts(version=3)]))
    assert (elsewhere.kind, elsewhere.reason) == (
        "blocked",
        "connector version 5 is neither the running version (2) nor the latest (3): "
        "redeploy can only move to the latest",
    )
    held = only(plan([_pinned(2)], [live(connector_version=2)], [facts(version=3)]))
    assert (held.kind, held.fields) == ("noop", [])


def test_no_connector_is_read_for_a_deployment_pinned_to_what_it_runs() -> None:
    pinned = _pinned(3)
    assert facts_needed([pinned], {"eu": [live()]}) == []
    edited = live(service={"CTP_REGION": "europe-west1.gcp"})
    assert facts_needed([pinned], {"eu": [edited]}) == []
    change = only(plan([pinned], [edited], []))
    assert change.kind == "redeploy"
    assert "updateConnector" not in wire(change)[0]


def test_facts_are_read_once_per_connector_and_target_for_unpinned_or_new_ones() -> None:
    deployments = [
        declared(),
        declared(key="payments-2"),
        declared(target="us"),
        declared(key="preview", type="preview", connector={"key": CONNECTOR, "staged": True}),
    ]
    needed = facts_needed(deployments, {"eu": [live()], "us": []})
    assert needed == [
        LOOKUP,
        ConnectorLookup("eu", True, CONNECTOR),
        ConnectorLookup("us", False, CONNECTOR),
    ]


def test_blocked_before_the_connector_matters_reads_nothing() -> None:
    mismatch = declared(type="preview")
    immutable = declared(key="moved")
    moved = live(key="moved", deployedRegion="us-central1.gcp")
    assert facts_needed([mismatch, immutable], {"eu": [moved]}) == []


def test_running_copy_checks_a_redeploy_that_keeps_the_version() -> None:
    copy = {
        "id": f"{CONNECTOR}-id",
        "key": CONNECTOR,
        "version": 3,
        "configurations": [
            {
                "applicationName": "service",
                "standardConfiguration": [{"key": "CTP_REGION"}],
                "securedConfiguration": [{"key": "STRIPE_SECRET_KEY"}],
            }
        ],
    }
    pinned = _pinned(3)
    change = only(plan([pinned], [live(connector=copy, service={})], [facts()]))
    assert change.kind == "blocked"
    assert change.reason == (
        "configurations.service.standardConfiguration.LOG_LEVEL: unknown key (known: CTP_REGION)"
    )


def test_a_published_deployment_follows_its_connectors_publish_in_this_run() -> None:
    change = only(plan([declared()], [live()], [facts()], steps=[PUBLISH, PREVIEW]))
    assert change.kind == "redeploy"
    assert change.waitsFor == [WaitFor(target="creators", key=CONNECTOR, step="publish")]
    assert change.reason == f"follows the publish of connector {CONNECTOR}"
    assert change.fields == [FieldChange(path="connector.version", before=3, after="latest")]
    assert wire(change)[0]["updateConnector"] is True


def test_a_staged_deployment_follows_the_preview_not_the_publish() -> None:
    staged = declared(type="preview", connector={"key": CONNECTOR, "staged": True})
    running = live(type="preview", preview=True)
    quiet = only(plan([staged], [running], [facts(staged=True)], steps=[PUBLISH]))
    assert (quiet.kind, quiet.waitsFor) == ("noop", [])
    moving = only(plan([staged], [running], [facts(staged=True)], steps=[PREVIEW]))
    assert moving.waitsFor == [WaitFor(target="creators", key=CONNECTOR, step="preview")]


def test_a_create_after_the_connectors_first_preview_is_not_checked_yet() -> None:
    staged = declared(
        type="preview",
        connector={"key": CONNECTOR, "staged": True},
        configurations={"service": {"standardConfiguration": {"NEW_KEY": "x"}}},
    )
    change = only(plan([staged], [], [], steps=[PREVIEW]))
    assert change.kind == "create"
    assert change.reason == f"follows the preview of connector {CONNECTOR}"
    assert change.draft is not None
    assert change.draft["connector"] == {"key": CONNECTOR, "staged": True}
    assert [a["applicationName"] for a in change.draft["configurations"]] == ["service"]


def test_a_pin_expected_from_this_runs_publish_waits_for_it() -> None:
    change = only(plan([_pinned(4)], [live()], [facts(version=3)], steps=[PUBLISH]))
    assert (change.kind, change.reason) == (
        "redeploy",
        f"follows the publish of connector {CONNECTOR}",
    )
    assert change.fields == [FieldChange(path="connector.version", before=3, after=4)]


def test_a_connector_referenced_by_id_matches_its_steps_by_id() -> None:
    by_id = declared(connector={"id": f"{CONNECTOR}-id"})
    change = only(plan([by_id], [live()], [facts()], steps=[PUBLISH]))
    assert [w.key for w in change.waitsFor] == [CONNECTOR]


def test_connector_steps_are_read_from_the_connectors_plan() -> None:
    url = "git@github.com:example/stripe.git"
    declaration = ConnectorDeclaration.model_validate(
        {
            "key": CONNECTOR,
            "repository": {"url": url, "tag": "v2"},
            "reconcile": {"preview": True, "publish": True},
        }
    )
    staged = ConnectorStaged.model_validate(
        {
            "id": f"{CONNECTOR}-id",
            "key": CONNECTOR,
            "version": 5,
            "repository": {"url": url, "tag": "v1"},
            "status": "Published",
        }
    )
    connectors = build_plan(
        [DeclaredConnector(declaration, "connectors/stripe.yaml", 1, "creators")],
        {"creators": [staged]},
        complete_targets=["creators"],
    )
    assert connector_steps(connectors) == [PREVIEW, PUBLISH]
    assert only(plan([declared()], [live()], [facts()], steps=connector_steps(connectors))).waitsFor


def test_secrets_are_needed_only_by_name() -> None:
    change = only(plan([declared()], [], [facts()], environment=ENVIRONMENT))
    assert change.kind == "create"


def test_a_drift_plan_requests_no_steps() -> None:
    declaration = ConnectorDeclaration.model_validate(
        {"key": CONNECTOR, "reconcile": {"preview": True}}
    )
    staged = ConnectorStaged.model_validate(
        {"id": "c", "key": CONNECTOR, "version": 5, "isPreviewable": "false"}
    )
    drift = build_plan(
        [DeclaredConnector(declaration, "connectors/stripe.yaml", 1, "eu")],
        {"eu": [staged]},
        complete_targets=["eu"],
        mode="drift",
    )
    assert [step.reason for c in drift.changes for step in c.lifecycle] == ["preview failed"]
    assert connector_steps(drift) == []


def test_after_the_publish_apply_replans_with_the_new_latest() -> None:
    waiting = only(plan([declared()], [live()], [facts(version=3)], steps=[PUBLISH]))
    assert waiting.waitsFor
    after = plan_deployment(declared(), live(), facts=facts(version=4), environment=ENVIRONMENT)
    assert (after.kind, after.waitsFor) == ("redeploy", [])
    assert after.fields == [FieldChange(path="connector.version", before=3, after=4)]
