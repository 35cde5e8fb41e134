"""Property: what the plan sends, applied by a small stand-in for the API, plans to a noop.

The stand-in applies drafts and redeploy actions to a live deployment independently of the
planner: if the planner sent a wrong value, forgot an application or did not move the connector
version, the second plan would not be a noop.
"""

from __future__ import annotations

from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from connect_gitops.core.deployments.declarations import DeclaredDeployment, DeploymentDeclaration
from connect_gitops.core.deployments.live import ConnectorFacts, Deployment
from connect_gitops.core.deployments.wire import actions_with_secrets, draft_with_secrets
from connect_gitops.core.plan import Change
from tests.support.deployments import SECRET_VARIABLE, declaration, facts, live, plan

SECRETS = {SECRET_VARIABLE: "sk_test"}
OPTIONAL = st.none() | st.sampled_from(["info", "debug"])
SCHEDULES = st.none() | st.sampled_from(["0 * * * *", "*/5 * * * *"])
CURRENCIES = st.none() | st.sampled_from(["EUR", "USD"])


@st.composite
def declared_deployments(draw: st.DrawFn, latest: int) -> DeclaredDeployment:
    service: dict[str, Any] = {"CTP_REGION": draw(st.sampled_from(["eu", "us"]))}
    if (level := draw(OPTIONAL)) is not None:
        service["LOG_LEVEL"] = level
    configurations: dict[str, Any] = {
        "service": {
            "standardConfiguration": service,
            "securedConfiguration": {SECRET_VARIABLE: {"fromEnv": SECRET_VARIABLE}},
        }
    }
    if (schedule := draw(SCHEDULES)) is not None:
        configurations["order-sync"] = {"schedule": schedule}
    fields: dict[str, Any] = {
        "configurations": configurations,
        "region": draw(st.sampled_from(["europe-west1.gcp", "us-central1.gcp"])),
        "reconcile": {"replace": draw(st.booleans())},
    }
    if (currency := draw(CURRENCIES)) is not None:
        fields["globalConfiguration"] = {"standardConfiguration": {"CURRENCY": currency}}
    if draw(st.booleans()):
        fields["connector"] = {"key": "stripe-connector", "version": latest}
    model = DeploymentDeclaration.model_validate(declaration(**fields))
    return DeclaredDeployment(model, "deployments/payments.yaml", 1, "eu")


@st.composite
def live_deployments(draw: st.DrawFn, latest: int) -> Deployment | None:
    if draw(st.booleans()):
        return None
    service = {"CTP_REGION": draw(st.sampled_from(["eu", "us"]))}
    if (level := draw(OPTIONAL)) is not None:
        service["LOG_LEVEL"] = level
    currency = draw(CURRENCIES)
    return live(
        service=service,
        connector_version=draw(st.integers(1, latest)),
        status=draw(st.sampled_from(["Deployed", "Failed", "Queued"])),
        deployedRegion=draw(st.sampled_from(["europe-west1.gcp", "us-central1.gcp"])),
        globalConfiguration=(
            {"standardConfiguration": [{"key": "CURRENCY", "value": currency}]}
            if currency
            else None
        ),
    )


def _apply(change: Change, current: Deployment | None, connector: ConnectorFacts) -> Deployment:
    """What the API would make of the change (deploying at once)."""
    if change.kind in ("create", "replace"):
        body = draft_with_secrets(change, SECRETS)
        return _created(body, connector)
    assert current is not None
    if change.kind != "redeploy":
        return current
    [action] = actions_with_secrets(change, SECRETS)
    data = current.model_dump(mode="json")
    applications = {a["applicationName"]: a for a in data["applications"]}
    for sent in action.get("configurationValues", []):
        application = applications.setdefault(
            sent["applicationName"], {"applicationName": sent["applicationName"]}
        )
        application["standardConfiguration"] = sent["standardConfiguration"]
        if "schedule" in sent:
            application["schedule"] = sent["schedule"]
    data["applications"] = list(applications.values())
    if "globalConfiguration" in action:
        data["globalConfiguration"] = action["globalConfiguration"]
    if action.get("updateConnector"):
        data["connector"]["version"] = connector.version
    data |= {"version": current.version + 1, "status": "Deployed"}
    return Deployment.model_validate(data)


def _created(body: dict[str, Any], connector: ConnectorFacts) -> Deployment:
    return Deployment.model_validate(
        {
            "id": "new-id",
            "key": body["key"],
            "version": 1,
            "type": body["type"],
            "status": "Deployed",
            "deployedRegion": body["region"],
            "connector": {
                "id": connector.id,
                "key": connector.key,
                "version": body["connector"].get("version", connector.version),
            },
            "applications": body["configurations"],
            "globalConfiguration": body.get("globalConfiguration"),
        }
    )


@settings(max_examples=150, deadline=None)
@given(data=st.data(), latest=st.integers(1, 4))
def test_a_plan_applied_plans_to_a_noop(data: st.DataObject, latest: int) -> None:
    wanted = data.draw(declared_deployments(latest))
    current = data.draw(live_deployments(latest))
    connector = facts(version=latest)
    [first] = plan([wanted], [current] if current else [], [connector]).changes
    event(first.kind)
    if first.kind == "blocked":
        return
    after = _apply(first, current, connector)
    [second] = plan([wanted], [after], [connector]).changes
    assert (second.kind, second.fields) == ("noop", []), (first, second)
