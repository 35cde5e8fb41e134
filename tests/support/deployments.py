"""Builders shared by the deployment tests: one connector, its deployment, declared and live.

The connector ``stripe-connector`` has two applications: ``service`` (a service with a required
``CTP_REGION``, an optional ``LOG_LEVEL`` and a required secured ``STRIPE_SECRET_KEY``) and
``order-sync`` (a job whose required ``BATCH_SIZE`` has a default). Its global configuration has
a ``CURRENCY``. The default declaration and live deployment match each other.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from connect_gitops.core.deployments.declarations import DeclaredDeployment, DeploymentDeclaration
from connect_gitops.core.deployments.inputs import ConnectorLookup, ConnectorStep
from connect_gitops.core.deployments.live import ConnectorFacts, Deployment, connector_facts
from connect_gitops.core.deployments.planner import facts_needed, plan_deployments
from connect_gitops.core.plan import Change, Mode, Plan

EXAMPLES = Path(__file__).parent / "raml_examples"
CONNECTOR = "stripe-connector"
SECRET_VARIABLE = "STRIPE_SECRET_KEY"
ENVIRONMENT = frozenset({SECRET_VARIABLE})


def example(name: str) -> Any:
    """One of the API reference's example bodies."""
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def declaration(**fields: Any) -> dict[str, Any]:
    """The default deployment document, with ``fields`` replacing top-level fields."""
    document: dict[str, Any] = {
        "kind": "Deployment",
        "key": "payments",
        "connector": {"key": CONNECTOR},
        "type": "production",
        "region": "europe-west1.gcp",
        "configurations": {
            "service": {
                "standardConfiguration": {"CTP_REGION": "europe-west1.gcp", "LOG_LEVEL": "info"},
                "securedConfiguration": {SECRET_VARIABLE: {"fromEnv": SECRET_VARIABLE}},
            }
        },
    }
    return document | fields


def declared(target: str = "eu", file: str | None = None, **fields: Any) -> DeclaredDeployment:
    document = declaration(**fields)
    model = DeploymentDeclaration.model_validate(document)
    return DeclaredDeployment(model, file or f"deployments/{model.key}.yaml", 1, target)


def facts(
    *,
    version: int = 3,
    staged: bool = False,
    key: str = CONNECTOR,
    **fields: Any,
) -> ConnectorFacts:
    data: dict[str, Any] = {
        "id": f"{key}-id",
        "key": key,
        "version": version,
        "configurations": [
            {
                "applicationName": "service",
                "applicationType": "service",
                "standardConfiguration": [
                    {"key": "CTP_REGION", "description": "region", "required": True},
                    {"key": "LOG_LEVEL", "description": "log level"},
                ],
                "securedConfiguration": [
                    {"key": SECRET_VARIABLE, "description": "Stripe", "required": True}
                ],
            },
            {
                "applicationName": "order-sync",
                "applicationType": "job",
                "standardConfiguration": [
                    {"key": "BATCH_SIZE", "description": "batch", "required": True, "default": "10"}
                ],
                "securedConfiguration": [],
            },
        ],
        "globalConfiguration": {
            "standardConfiguration": [{"key": "CURRENCY", "description": "currency"}]
        },
        "supportedRegions": ["europe-west1.gcp", "us-central1.gcp"],
        "isPreviewable": "true" if staged else None,
    }
    return connector_facts(data | fields, staged=staged)


def live(
    *,
    key: str | None = "payments",
    version: int = 4,
    connector_version: int = 3,
    status: str = "Deployed",
    service: Mapping[str, str] | None = None,
    **fields: Any,
) -> Deployment:
    """The live deployment the default declaration describes, with changes."""
    values = (
        service if service is not None else {"CTP_REGION": "europe-west1.gcp", "LOG_LEVEL": "info"}
    )
    data: dict[str, Any] = {
        "id": f"{key or 'no-key'}-id",
        "key": key,
        "version": version,
        "type": "production",
        "status": status,
        "deployedRegion": "europe-west1.gcp",
        "preview": False,
        "connector": {"id": f"{CONNECTOR}-id", "key": CONNECTOR, "version": connector_version},
        "applications": [
            {
                "id": "app-1",
                "applicationName": "service",
                "standardConfiguration": [{"key": k, "value": v} for k, v in values.items()],
                "securedConfiguration": [{"key": SECRET_VARIABLE}],
                "url": "https://service.example.com",
            },
            {
                "id": "app-2",
                "applicationName": "order-sync",
                "standardConfiguration": [{"key": "BATCH_SIZE", "value": "10"}],
                "securedConfiguration": [],
                "schedule": "0 * * * *",
            },
        ],
    }
    return Deployment.model_validate(data | fields)


def facts_for(
    deployments: Iterable[DeclaredDeployment], known: Iterable[ConnectorFacts]
) -> dict[ConnectorLookup, ConnectorFacts]:
    """Answers to every lookup the declarations could make, as a shell that read them would."""
    found: dict[ConnectorLookup, ConnectorFacts] = {}
    for item in known:
        for d in deployments:
            ref = d.declaration.connector
            if ref.staged == item.staged and (ref.key == item.key or ref.id == item.id):
                found[ConnectorLookup(d.target, ref.staged, ref.key, ref.id)] = item
    return found


def plan(
    deployments: Sequence[DeclaredDeployment],
    live_deployments: Sequence[Deployment] | Mapping[str, Sequence[Deployment]] = (),
    known: Iterable[ConnectorFacts] = (),
    *,
    environment: Collection[str] = ENVIRONMENT,
    steps: Collection[ConnectorStep] = (),
    redeploy: Collection[str] = (),
    mode: Mode = "plan",
) -> Plan:
    """Plan as the shell would: ask which facts are needed, give only those, then plan."""
    by_target = (
        live_deployments if isinstance(live_deployments, Mapping) else {"eu": live_deployments}
    )
    needed = facts_needed(
        deployments, by_target, connector_steps=steps, redeploy=redeploy, mode=mode
    )
    answers = facts_for(deployments, known)
    return plan_deployments(
        deployments,
        by_target,
        facts={lookup: answers[lookup] for lookup in needed if lookup in answers},
        environment=environment,
        complete_targets=list(by_target),
        connector_steps=steps,
        redeploy=redeploy,
        mode=mode,
    )


def only(result: Plan) -> Change:
    [change] = result.changes
    return change


def wire(change: Change) -> list[dict[str, Any]]:
    return [a.model_dump(mode="json", exclude_none=True) for a in change.actions]
