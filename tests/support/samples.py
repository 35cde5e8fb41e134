"""Representative plans and apply results shared by the reporting tests."""

from __future__ import annotations

from connect_gitops.core.actions import SetRepository
from connect_gitops.core.outcomes import ApplyResult, LifecycleOutcome, Outcome
from connect_gitops.core.plan import Change, FieldChange, LifecycleStep, Orphan, Plan

PAYMENT_DRAFT = {
    "key": "payment-connector",
    "name": "Payment Connector",
    "integrationTypes": ["psp"],
    "creator": {"email": "team@example.com"},
    "repository": {"url": "git@github.com:example/payment-connector.git", "tag": "v1.4.0"},
}


def create_change() -> Change:
    return Change(
        target="eu",
        key="payment-connector",
        file="connectors/payment.yaml",
        line=1,
        kind="create",
        draft=PAYMENT_DRAFT,
        lifecycle=[LifecycleStep(step="preview", reason="repository changed")],
    )


def update_change() -> Change:
    return Change(
        target="eu",
        key="tax-connector",
        file="connectors/tax.yaml",
        line=1,
        kind="update",
        id="5ab3edcd",
        version=7,
        actions=[SetRepository(url="git@github.com:example/tax.git", tag="v1.4.0")],
        fields=[
            FieldChange(path="repository.tag", before="v1.3.0", after="v1.4.0"),
            FieldChange(path="integrationTypes", before=["psp"], after=["psp", "tax"]),
        ],
        lifecycle=[LifecycleStep(step="preview", reason="repository changed")],
    )


def blocked_change() -> Change:
    return Change(
        target="eu",
        key="audit-connector",
        file="connectors/audit.yaml",
        line=4,
        kind="blocked",
        reason="status is InCertification",
    )


def noop_change(key: str = "stock-connector") -> Change:
    return Change(target="eu", key=key, file=f"connectors/{key}.yaml", line=1, kind="noop")


def publish_change() -> Change:
    return Change(
        target="eu",
        key="search-connector",
        file="connectors/search.yaml",
        line=1,
        kind="noop",
        lifecycle=[LifecycleStep(step="publish", reason="unpublished changes")],
    )


ORPHAN = Orphan(target="eu", key="old-connector", id="0f1e")


def sample_plan() -> Plan:
    return Plan(
        changes=[
            create_change(),
            update_change(),
            blocked_change(),
            noop_change(),
            publish_change(),
        ],
        orphans=[ORPHAN],
    )


def drift_plan() -> Plan:
    return sample_plan().model_copy(update={"mode": "drift"})


def sample_result() -> ApplyResult:
    return ApplyResult(
        outcomes=[
            Outcome(
                target="eu",
                key="payment-connector",
                kind="created",
                file="connectors/payment.yaml",
                line=1,
                lifecycle=[LifecycleOutcome(step="preview", state="succeeded")],
            ),
            Outcome(
                target="eu",
                key="tax-connector",
                kind="updated",
                file="connectors/tax.yaml",
                line=1,
                actions=2,
                lifecycle=[
                    LifecycleOutcome(
                        step="preview",
                        state="failed",
                        message="the preview failed",
                        entries=[
                            {
                                "type": "Error",
                                "title": "connect.yaml not found",
                                "message": "no connect.yaml at tag v1.4.0",
                            }
                        ],
                    )
                ],
            ),
            Outcome(target="eu", key="stock-connector", kind="unchanged"),
            Outcome(
                target="eu",
                key="audit-connector",
                kind="stale",
                file="connectors/audit.yaml",
                line=4,
                message="version 8 is not the planned 7",
            ),
            Outcome(
                target="eu",
                key="search-connector",
                kind="failed",
                file="connectors/search.yaml",
                line=2,
                code="InvalidInput",
                message="Invalid repository url",
                correlation_id="projects-4f1c",
            ),
        ]
    )
