"""Empty connector configurations mean connect.yaml was not read (every connect.yaml deploys at
least one application): nothing is checked before apply, and nothing live is dropped. The
emulator reads them the same way (tests/unit/emulator/test_unknown_configurations.py)."""

from __future__ import annotations

from tests.support.deployments import declared, facts, live, only, plan, wire

UNREAD = {"configurations": [], "globalConfiguration": None}


def test_a_create_is_not_checked_against_unknown_configurations() -> None:
    deployment = declared(
        configurations={"webhooks": {"standardConfiguration": {"ANY_KEY": "x"}}},
        globalConfiguration={"standardConfiguration": {"CURRENCY": "EUR"}},
    )
    assert only(plan([deployment], [], [facts(**UNREAD)])).kind == "create"
    known = only(plan([deployment], [], [facts()]))
    assert known.kind == "blocked"
    assert "connector stripe-connector has no application webhooks" in (known.reason or "")


def test_region_and_previewability_are_still_checked() -> None:
    deployment = declared(region="eu-central-1.aws")
    change = only(plan([deployment], [], [facts(**UNREAD)]))
    assert change.kind == "blocked"
    assert (change.reason or "").startswith("region eu-central-1.aws is not among connector")


def test_a_move_to_a_latest_with_unknown_configurations_keeps_the_live_values() -> None:
    change = only(plan([declared()], [live(connector_version=3)], [facts(version=4, **UNREAD)]))
    assert change.kind == "redeploy"
    [action] = wire(change)
    assert action["updateConnector"] is True
    assert [
        (a["applicationName"], [v["key"] for v in a["standardConfiguration"]])
        for a in action["configurationValues"]
    ] == [("order-sync", ["BATCH_SIZE"]), ("service", ["CTP_REGION", "LOG_LEVEL"])]
