"""Planning deployments: every kind, and the rules that decide between them."""

from __future__ import annotations

from connect_gitops.core.deployments.declarations import DeclaredDeployment, DeploymentDeclaration
from connect_gitops.core.deployments.inputs import unknown_redeploy_keys
from connect_gitops.core.deployments.planner import ROTATE, plan_deployment
from connect_gitops.core.plan import FieldChange, SecuredValue
from tests.support.deployments import (
    SECRET_VARIABLE,
    declaration,
    declared,
    facts,
    live,
    only,
    plan,
    wire,
)

SERVICE_LIVE = {"CTP_REGION": "europe-west1.gcp", "LOG_LEVEL": "info"}


def test_a_missing_deployment_is_created_with_every_application_of_the_connector() -> None:
    change = only(plan([declared()], [], [facts()]))
    assert (change.kind, change.resource, change.reason) == ("create", "deployment", None)
    assert (change.id, change.version, change.actions) == (None, None, [])
    assert change.draft == {
        "key": "payments",
        "type": "production",
        "connector": {"key": "stripe-connector", "staged": False, "version": 3},
        "region": "europe-west1.gcp",
        "configurations": [
            {
                "applicationName": "order-sync",
                "standardConfiguration": [],
                "securedConfiguration": [],
            },
            {
                "applicationName": "service",
                "standardConfiguration": [
                    {"key": "CTP_REGION", "value": "europe-west1.gcp"},
                    {"key": "LOG_LEVEL", "value": "info"},
                ],
                "securedConfiguration": [],
            },
        ],
    }
    assert change.secured == [
        SecuredValue(application="service", key=SECRET_VARIABLE, fromEnv=SECRET_VARIABLE)
    ]
    assert [f.path for f in change.fields] == [
        "type",
        "region",
        "connector.key",
        "configurations.service.standardConfiguration.CTP_REGION",
        "configurations.service.standardConfiguration.LOG_LEVEL",
    ]


def test_a_create_pins_the_declared_version_or_the_staged_latest() -> None:
    pinned = only(
        plan([declared(connector={"key": "stripe-connector", "version": 2})], [], [facts()])
    )
    assert pinned.draft is not None
    assert pinned.draft["connector"] == {"key": "stripe-connector", "staged": False, "version": 2}
    staged = declared(type="preview", connector={"key": "stripe-connector", "staged": True})
    change = only(plan([staged], [], [facts(staged=True, version=11), facts(version=3)]))
    assert change.draft is not None
    assert change.draft["connector"] == {"key": "stripe-connector", "staged": True, "version": 11}
    assert change.draft["type"] == "preview"


def test_a_connector_declared_by_id_is_drafted_by_id() -> None:
    by_id = declared(connector={"id": "stripe-connector-id"})
    change = only(plan([by_id], [], [facts()]))
    assert change.draft is not None
    assert change.draft["connector"] == {"id": "stripe-connector-id", "staged": False, "version": 3}


def test_a_matching_deployment_is_a_noop_that_still_names_its_secured_keys() -> None:
    change = only(plan([declared()], [live()], [facts()]))
    assert (change.kind, change.id, change.version, change.reason) == (
        "noop",
        "payments-id",
        4,
        None,
    )
    assert change.fields == []
    assert [s.key for s in change.secured] == [SECRET_VARIABLE]


def test_a_value_changed_by_hand_is_redeployed_keeping_what_is_not_declared() -> None:
    edited = live(service={"CTP_REGION": "europe-west1.gcp", "LOG_LEVEL": "debug", "EXTRA": "x"})
    connector = facts(
        configurations=[
            *facts().model_dump()["configurations"][:1],
            {"applicationName": "order-sync", "applicationType": "job"},
        ]
    )
    change = only(plan([declared()], [edited], [connector]))
    assert change.kind == "redeploy"
    assert change.fields == [
        FieldChange(
            path="configurations.service.standardConfiguration.LOG_LEVEL",
            before="debug",
            after="info",
        )
    ]
    assert wire(change) == [
        {
            "action": "redeploy",
            "configurationValues": [
                {
                    "applicationName": "order-sync",
                    "standardConfiguration": [{"key": "BATCH_SIZE", "value": "10"}],
                },
                {
                    "applicationName": "service",
                    "standardConfiguration": [
                        {"key": "CTP_REGION", "value": "europe-west1.gcp"},
                        {"key": "EXTRA", "value": "x"},
                        {"key": "LOG_LEVEL", "value": "info"},
                    ],
                },
            ],
        }
    ]


def test_a_schedule_and_a_global_value_are_compared_and_sent_only_when_declared() -> None:
    wanted = declared(
        configurations={
            **declaration()["configurations"],  # the service and its live secret, held in git
            "order-sync": {"schedule": "*/10 * * * *"},
        },
        globalConfiguration={"standardConfiguration": {"CURRENCY": "EUR"}},
    )
    running = live(
        globalConfiguration={"standardConfiguration": [{"key": "CURRENCY", "value": "USD"}]}
    )
    change = only(plan([wanted], [running], [facts()]))
    assert change.kind == "redeploy"
    assert [(f.path, f.before, f.after) for f in change.fields] == [
        ("globalConfiguration.standardConfiguration.CURRENCY", "USD", "EUR"),
        ("configurations.order-sync.schedule", "0 * * * *", "*/10 * * * *"),
    ]
    [action] = wire(change)
    assert action["globalConfiguration"] == {
        "standardConfiguration": [{"key": "CURRENCY", "value": "EUR"}]
    }
    sync = next(a for a in action["configurationValues"] if a["applicationName"] == "order-sync")
    assert sync == {
        "applicationName": "order-sync",
        "standardConfiguration": [{"key": "BATCH_SIZE", "value": "10"}],
        "schedule": "*/10 * * * *",
    }
    undeclared_global = only(plan([declared()], [running], [facts()]))
    assert undeclared_global.kind == "noop"


def test_immutable_fields_block_unless_replace_is_allowed() -> None:
    moved = live(type="sandbox", deployedRegion="us-central1.gcp")
    blocked = only(plan([declared()], [moved], [facts()]))
    assert blocked.kind == "blocked"
    assert blocked.reason == (
        "immutable type, region: needs a new deployment "
        "(set reconcile.replace: true to delete and re-create it)"
    )
    assert [(f.path, f.before, f.after) for f in blocked.fields] == [
        ("type", "sandbox", "production"),
        ("region", "us-central1.gcp", "europe-west1.gcp"),
    ]
    replaced = only(plan([declared(reconcile={"replace": True})], [moved], [facts()]))
    assert (replaced.kind, replaced.id, replaced.version) == ("replace", "payments-id", 4)
    assert replaced.reason == "DELETE and re-create"
    assert replaced.draft is not None
    assert replaced.draft["type"] == "production"
    assert [f.path for f in replaced.fields][:2] == ["type", "region"]


def test_another_connector_is_immutable_too() -> None:
    other = declared(connector={"key": "adyen-connector"})
    change = only(plan([other], [live()], [facts(key="adyen-connector")]))
    assert change.kind == "blocked"
    assert change.fields == [
        FieldChange(path="connector.key", before="stripe-connector", after="adyen-connector")
    ]


def test_redeploy_flag_rotates_secured_values_of_an_unchanged_deployment() -> None:
    change = only(plan([declared()], [live()], [facts()], redeploy={"payments"}))
    assert (change.kind, change.reason, change.fields) == ("redeploy", ROTATE, [])
    assert wire(change)[0]["action"] == "redeploy"
    assert unknown_redeploy_keys([declared()], ["payments", "paymnets", "other"]) == [
        "other",
        "paymnets",
    ]


def test_a_failed_deployment_is_left_alone_by_plan_and_reported_by_drift() -> None:
    failed = live(status="Failed")
    quiet = only(plan([declared()], [failed], [facts()]))
    assert (quiet.kind, quiet.reason) == (
        "noop",
        "deployment Failed: apply --redeploy payments retries the build",
    )
    drift = only(plan([declared()], [failed], [facts()], mode="drift"))
    assert (drift.kind, drift.reason) == ("redeploy", "deployment Failed")
    retry = only(plan([declared()], [failed], [facts()], redeploy={"payments"}))
    assert (retry.kind, retry.reason) == ("redeploy", f"{ROTATE}; deployment Failed")


def test_a_running_build_is_waited_for_only_when_something_must_be_sent() -> None:
    building = live(status="Deploying", service={"CTP_REGION": "europe-west1.gcp"})
    change = only(plan([declared()], [building], [facts()]))
    assert (change.kind, change.reason) == ("redeploy", "waits for the running build")
    assert only(plan([declared()], [live(status="Queued")], [facts()])).kind == "noop"


def test_an_unknown_status_type_and_region_never_fail_a_plan() -> None:
    odd = live(status="Hibernating", type="canary", deployedRegion="mars-north1.gcp")
    change = only(plan([declared()], [odd], [facts()]))
    assert change.kind == "blocked"
    assert [f.path for f in change.fields] == ["type", "region"]
    assert only(plan([declared()], [live(status="Hibernating")], [facts()])).kind == "noop"


def test_replanning_one_deployment_after_a_conflict_sees_the_new_state() -> None:
    moved = live(version=9, service={"CTP_REGION": "europe-west1.gcp", "LOG_LEVEL": "warn"})
    change = plan_deployment(declared(), moved, facts=facts(), environment={SECRET_VARIABLE})
    assert (change.kind, change.version) == ("redeploy", 9)
    done = live(version=10)
    assert plan_deployment(declared(), done, facts=facts(), environment=set()).kind == "noop"


def test_a_declaration_validated_from_the_design_example_plans() -> None:
    document = {
        "kind": "Deployment",
        "key": "payments-production",
        "connector": {"key": "stripe-payment-connector", "staged": False, "version": 7},
        "type": "production",
        "region": "europe-west1.gcp",
        "configurations": {
            "service": {
                "standardConfiguration": {"CTP_REGION": "europe-west1.gcp", "LOG_LEVEL": "info"},
                "securedConfiguration": {SECRET_VARIABLE: {"fromEnv": SECRET_VARIABLE}},
            },
            "order-sync": {"schedule": "*/10 * * * *"},
        },
        "globalConfiguration": {"standardConfiguration": {"CURRENCY": "EUR"}},
        "reconcile": {"target": "eu", "replace": False},
    }
    model = DeploymentDeclaration.model_validate(document)
    item = DeclaredDeployment(model, "deployments/payments.yaml", 3, "eu")
    change = only(plan([item], [], [facts(key="stripe-payment-connector", version=7)]))
    assert (change.kind, change.file, change.line) == ("create", "deployments/payments.yaml", 3)


def test_drift_finds_hand_edits_a_version_behind_a_failure_and_a_missing_one() -> None:
    deployments = [
        declared(key="edited"),
        declared(key="behind"),
        declared(key="failed"),
        declared(key="missing"),
        declared(key="same"),
    ]
    running = [
        live(key="edited", service={"CTP_REGION": "europe-west1.gcp", "LOG_LEVEL": "trace"}),
        live(key="behind", connector_version=1),
        live(key="failed", status="Failed"),
        live(key="same"),
    ]
    result = plan(deployments, running, [facts()], environment=set(), mode="drift")
    found = {c.key: (c.kind, [f.path for f in c.fields], c.reason) for c in result.changes}
    assert found == {
        "behind": ("redeploy", ["connector.version"], None),
        "edited": ("redeploy", ["configurations.service.standardConfiguration.LOG_LEVEL"], None),
        "failed": ("redeploy", [], "deployment Failed"),
        "missing": ("create", found["missing"][1], None),
        "same": ("noop", [], None),
    }
    assert result.mode == "drift"
