"""Every reason a deployment is blocked, each with the fix in its message."""

from __future__ import annotations

from typing import Any

import pytest

from connect_gitops.core.deployments.live import ConnectorFacts
from tests.support.deployments import SECRET_VARIABLE, declared, facts, live, only, plan


def _reason(deployment: Any, live_deployments: Any = (), known: Any = None, **options: Any) -> str:
    change = only(
        plan([deployment], live_deployments, [facts()] if known is None else known, **options)
    )
    assert change.kind == "blocked", change
    assert change.draft is None
    return change.reason or ""


def test_declared_twice_blocks_both_and_names_both_places() -> None:
    first = declared(file="deployments/a.yaml")
    second = declared(file="deployments/b.yaml")
    result = plan([second, first], [], [facts()])
    assert [(c.kind, c.file) for c in result.changes] == [
        ("blocked", "deployments/a.yaml"),
        ("blocked", "deployments/b.yaml"),
    ]
    assert {c.reason for c in result.changes} == {
        "declared more than once: deployments/a.yaml:1, deployments/b.yaml:1"
    }


def test_same_key_in_two_targets_is_two_deployments() -> None:
    result = plan([declared(), declared(target="us")], {"eu": [], "us": []}, [facts()])
    assert [(c.target, c.kind) for c in result.changes] == [("eu", "create"), ("us", "create")]


def test_an_unset_secret_variable_blocks_a_write_naming_the_variable_only() -> None:
    assert _reason(declared(), environment=set()) == (
        f"environment variable {SECRET_VARIABLE} is not set"
    )
    edited = live(service={"CTP_REGION": "europe-west1.gcp"})
    assert _reason(declared(), [edited], environment=set()) == (
        f"environment variable {SECRET_VARIABLE} is not set"
    )


def test_an_unset_secret_variable_does_not_block_a_noop_or_drift() -> None:
    assert only(plan([declared()], [live()], [facts()], environment=set())).kind == "noop"
    edited = live(service={"CTP_REGION": "europe-west1.gcp"})
    drift = only(plan([declared()], [edited], [facts()], environment=set(), mode="drift"))
    assert drift.kind == "redeploy"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (
            {"type": "preview"},
            "type preview deploys the staged connector: set connector.staged: true, "
            "or type: sandbox / production to deploy the published connector",
        ),
        (
            {"connector": {"key": "stripe-connector", "staged": True}},
            "type production needs the published connector: set connector.staged: false, "
            "or type: preview to deploy the staged connector",
        ),
    ],
)
def test_type_and_staged_must_agree(fields: dict[str, Any], reason: str) -> None:
    assert _reason(declared(**fields)) == reason
    assert _reason(declared(**fields), [live()]) == reason


def test_a_connector_that_is_not_found_blocks_a_create() -> None:
    assert _reason(declared(), known=[]) == "connector stripe-connector not found in target eu"
    staged = declared(type="preview", connector={"key": "stripe-connector", "staged": True})
    assert _reason(staged, known=[facts()]) == (
        "staged connector stripe-connector not found in target eu"
    )


def test_a_pin_without_its_connector_cannot_move() -> None:
    pinned = declared(connector={"key": "stripe-connector", "version": 5})
    assert _reason(pinned, [live()], known=[]) == (
        "connector stripe-connector not found in target eu: cannot move to version 5"
    )


def test_unknown_applications_and_keys_are_named_with_a_hint() -> None:
    wrong = declared(
        configurations={
            "servce": {"standardConfiguration": {"LOG_LEVEL": "info"}},
            "service": {
                "standardConfiguration": {
                    "CTP_REGION": "eu",
                    "LOG_LEVL": "info",
                    SECRET_VARIABLE: "oops",
                },
                "securedConfiguration": {
                    SECRET_VARIABLE: {"fromEnv": SECRET_VARIABLE},
                    "LOG_LEVEL": {"fromEnv": "LOG_LEVEL"},
                },
            },
        }
    )
    reason = _reason(wrong, environment={SECRET_VARIABLE, "LOG_LEVEL"})
    assert reason.split("; ") == [
        "configurations.servce: connector stripe-connector has no application servce: "
        "did you mean service?",
        "configurations.service.standardConfiguration.LOG_LEVL: unknown key: did you mean "
        "LOG_LEVEL?",
        f"configurations.service.standardConfiguration.{SECRET_VARIABLE}: {SECRET_VARIABLE} is a "
        "secured key: move it to securedConfiguration as {fromEnv: VARIABLE}",
        "configurations.service.securedConfiguration.LOG_LEVEL: LOG_LEVEL is a standard key: "
        "move it to standardConfiguration",
    ]


def test_required_keys_must_be_given_on_create_defaults_count() -> None:
    missing = declared(configurations={"service": {"standardConfiguration": {"LOG_LEVEL": "x"}}})
    assert _reason(missing).split("; ") == [
        "configurations.service: required key CTP_REGION is missing: add it to "
        "standardConfiguration",
        f"configurations.service: required key {SECRET_VARIABLE} is missing: add it to "
        "securedConfiguration as {fromEnv: VARIABLE}",
    ]
    empty = declared(
        configurations={
            "service": {
                "standardConfiguration": {"CTP_REGION": ""},
                "securedConfiguration": {SECRET_VARIABLE: {"fromEnv": SECRET_VARIABLE}},
            }
        }
    )
    assert _reason(empty) == (
        "configurations.service.standardConfiguration.CTP_REGION: is required, so it cannot "
        "be empty"
    )


def test_a_redeploy_needs_required_keys_only_where_live_lacks_them() -> None:
    partial = declared(
        configurations={
            "service": {
                "standardConfiguration": {"LOG_LEVEL": "warn"},
                "securedConfiguration": {"STRIPE_SECRET_KEY": {"fromEnv": SECRET_VARIABLE}},
            }
        }
    )
    running = live(connector={"id": "stripe-connector-id", "key": "stripe-connector", "version": 2})
    change = only(plan([partial], [running], [facts()]))
    assert change.kind == "redeploy"  # CTP_REGION is live: not missing
    assert change.fields[-1].path == "connector.version"


def test_a_redeploy_never_clears_a_live_secret_that_git_does_not_hold() -> None:
    # The API replaces an application's values with those sent, and secured values cannot be
    # read back: redeploying without the live secret would take it away from the running app.
    partial = declared(configurations={"service": {"standardConfiguration": {"LOG_LEVEL": "warn"}}})
    running = live(connector={"id": "stripe-connector-id", "key": "stripe-connector", "version": 2})
    change = only(plan([partial], [running], [facts()]))
    assert change.kind == "blocked"
    assert change.reason == (
        "a redeploy would clear secured values git does not hold (service.STRIPE_SECRET_KEY): "
        "declare each as {fromEnv: VARIABLE} (export writes them so)"
    )


def test_global_keys_are_checked_too() -> None:
    wrong = declared(globalConfiguration={"standardConfiguration": {"CURENCY": "EUR"}})
    assert _reason(wrong) == (
        "globalConfiguration.standardConfiguration.CURENCY: unknown key: did you mean CURRENCY?"
    )
    no_global = facts(globalConfiguration=None)
    assert _reason(wrong, known=[no_global]) == (
        "globalConfiguration.standardConfiguration.CURENCY: unknown key (it has none)"
    )


def test_a_schedule_belongs_to_job_applications_only() -> None:
    service_schedule = declared(
        configurations={
            "service": {
                "standardConfiguration": {"CTP_REGION": "eu"},
                "securedConfiguration": {SECRET_VARIABLE: {"fromEnv": SECRET_VARIABLE}},
                "schedule": "0 * * * *",
            }
        }
    )
    assert _reason(service_schedule) == (
        "configurations.service.schedule: only job applications have a schedule "
        "(service is a service): remove it"
    )


def test_a_region_outside_supported_regions_is_refused() -> None:
    assert _reason(declared(region="australia-southeast1.gcp")) == (
        "region australia-southeast1.gcp is not among connector stripe-connector's "
        "supportedRegions (europe-west1.gcp, us-central1.gcp): deploy to one of them, or add it "
        "to the connector"
    )
    anywhere = facts(supportedRegions=[])
    assert (
        only(plan([declared(region="australia-southeast1.gcp")], [], [anywhere])).kind == "create"
    )


@pytest.mark.parametrize("state", ["none", "pending", "false", None])
def test_a_staged_connector_must_be_previewable(state: str | None) -> None:
    staged = declared(type="preview", connector={"key": "stripe-connector", "staged": True})
    unpreviewed: ConnectorFacts = facts(staged=True, isPreviewable=state)
    assert _reason(staged, known=[unpreviewed]) == (
        f"connector stripe-connector is not previewable (isPreviewable: {state or 'none'}): "
        "request a preview first (reconcile.preview on the connector, or apply --preview)"
    )


def test_a_blocked_redeploy_still_shows_what_it_would_send() -> None:
    edited = live(service={"CTP_REGION": "europe-west1.gcp"})
    change = only(plan([declared()], [edited], [facts()], environment=set()))
    assert change.kind == "blocked"
    assert [f.path for f in change.fields] == [
        "configurations.service.standardConfiguration.LOG_LEVEL"
    ]
    assert len(change.actions) == 1
    assert change.waitsFor == []


SECRET_IN_THE_WRONG_MAP = "sk_live_typed_into_standard_configuration"


@pytest.mark.parametrize("existing", [False, True], ids=["create", "redeploy"])
def test_a_secret_typed_as_a_standard_value_is_blocked_and_never_repeated(
    existing: bool,
) -> None:
    """A value under standardConfiguration for a key the connector declares secured is most
    likely a secret in the wrong map: blocked, and no field of the plan carries it."""
    wrong = declared(
        configurations={
            "service": {
                "standardConfiguration": {
                    "CTP_REGION": "europe-west1.gcp",
                    SECRET_VARIABLE: SECRET_IN_THE_WRONG_MAP,
                },
                "securedConfiguration": {SECRET_VARIABLE: {"fromEnv": SECRET_VARIABLE}},
            }
        }
    )
    change = only(plan([wrong], [live()] if existing else [], [facts()]))

    assert change.kind == "blocked"
    assert f"{SECRET_VARIABLE} is a secured key" in (change.reason or "")
    shown = {f.path: (f.before, f.after) for f in change.fields}
    hidden = "(not shown: the connector declares this key secured)"
    assert shown[f"configurations.service.standardConfiguration.{SECRET_VARIABLE}"] == (
        None,
        hidden,
    )
    assert SECRET_IN_THE_WRONG_MAP not in change.model_dump_json()
