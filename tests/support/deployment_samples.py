"""A plan with one deployment change of every kind, made by the real planner (so reports are
tested against the shapes the planner produces), for the reporting tests."""

from __future__ import annotations

from connect_gitops.core.deployments.inputs import ConnectorStep
from connect_gitops.core.plan import Plan
from tests.support.deployments import CONNECTOR, declared, facts, live, plan

SECURED = {"STRIPE_SECRET_KEY": {"fromEnv": "STRIPE_LIVE_KEY"}}


def _service(log_level: str) -> dict[str, object]:
    return {
        "service": {
            "standardConfiguration": {"CTP_REGION": "europe-west1.gcp", "LOG_LEVEL": log_level},
            "securedConfiguration": SECURED,
        }
    }


def deployment_plan() -> Plan:
    """Per kind, one deployment in target ``eu``: a preview create waiting for its connector's
    preview, a redeploy moving to the latest connector, a replace (region), a blocked create,
    a noop of a Failed build, a quiet noop; and two orphans, one without a key."""
    declarations = [
        declared(
            key="payments-preview",
            connector={"key": CONNECTOR, "staged": True},
            type="preview",
            configurations=_service("debug"),
        ),
        declared(key="payments", configurations=_service("debug")),
        declared(
            key="payments-us",
            region="us-central1.gcp",
            configurations=_service("info"),
            reconcile={"replace": True},
        ),
        declared(key="payments-typo", configurations={"servce": {}}),
        declared(key="payments-failed", configurations=_service("info")),
        declared(key="payments-quiet", configurations=_service("info")),
    ]
    deployments = [
        live(),
        live(key="payments-us"),
        live(key="payments-failed", connector_version=4, status="Failed"),
        live(key="payments-quiet", connector_version=4),
        live(key="payments-old", connector_version=4),
        live(key=None),
    ]
    return plan(
        declarations,
        {"eu": deployments},
        [facts(version=4), facts(version=4, staged=True)],
        environment={"STRIPE_LIVE_KEY"},
        steps=[ConnectorStep("eu", CONNECTOR, "preview")],
    )
