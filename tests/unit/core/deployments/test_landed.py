"""After a write whose answer was lost, a saved plan judges from the deployment read again
whether it landed."""

from __future__ import annotations

from connect_gitops.core.deployments.landed import draft_landed, fields_landed
from connect_gitops.core.plan import Change, FieldChange
from tests.support.deployments import CONNECTOR, live

DRAFT = {"type": "production", "region": "europe-west1.gcp", "connector": {"key": CONNECTOR}}


def test_a_create_landed_when_type_region_and_connector_match() -> None:
    assert draft_landed(DRAFT, live())
    assert not draft_landed(DRAFT | {"type": "preview"}, live())
    assert not draft_landed(DRAFT | {"connector": {"key": "another"}}, live())
    assert draft_landed(DRAFT | {"connector": {"id": f"{CONNECTOR}-id"}}, live())


def _redeploy(*fields: FieldChange) -> Change:
    return Change(target="eu", key="payments", kind="redeploy", fields=list(fields))


def test_a_redeploy_landed_when_the_deployment_shows_every_value_it_sets() -> None:
    level = FieldChange(
        path="configurations.service.standardConfiguration.LOG_LEVEL", before="info", after="warn"
    )
    schedule = FieldChange(path="configurations.order-sync.schedule", after="0 * * * *")
    moved = FieldChange(path="connector.version", before=3, after=4)

    assert fields_landed(_redeploy(level, schedule), live(service={"LOG_LEVEL": "warn"}))
    assert not fields_landed(_redeploy(level), live())
    assert not fields_landed(_redeploy(moved), live(connector_version=3))
    assert fields_landed(_redeploy(moved), live(connector_version=4))
    assert fields_landed(_redeploy(), live())  # a rotation shows nothing: the version decides
