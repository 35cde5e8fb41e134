"""core.live: live connectors are read tolerantly, statuses included."""

from __future__ import annotations

import pytest

from connect_gitops.core.live import ConnectorStaged, ConnectorStatus


def _live(**fields: object) -> ConnectorStaged:
    return ConnectorStaged.model_validate({"id": "i", "key": "k1", "version": 1, **fields})


@pytest.mark.parametrize("status", list(ConnectorStatus))
def test_known_statuses_are_read_as_the_status_type(status: ConnectorStatus) -> None:
    live = _live(status=status.value)
    assert live.status is status
    assert live.status == status.value


@pytest.mark.parametrize("status", ["FeedbackRequired", "Certified", "SomethingNew"])
def test_a_status_this_version_does_not_know_is_kept_as_sent(status: str) -> None:
    live = _live(status=status)
    assert live.status == status
    assert not isinstance(live.status, ConnectorStatus)
    assert live.status not in list(ConnectorStatus)


def test_a_connector_without_status_is_a_draft() -> None:
    assert _live().status is ConnectorStatus.DRAFT


def test_an_unknown_status_is_planned_as_no_known_state() -> None:
    from connect_gitops.core.planner import plan_change
    from tests.support.declarations import declared

    change = plan_change(
        declared("k1", "eu", name="Wanted", reconcile={"publish": True}),
        _live(name="Old", status="FeedbackRequired", hasChanges=False),
    )

    assert (change.kind, change.reason) == ("update", None)
    assert [step.step for step in change.lifecycle] == ["publish"]
