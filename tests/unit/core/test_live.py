"""core.live: live connectors are read tolerantly, statuses included."""

from __future__ import annotations

import json

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


# --- live data shaped like the API reference's examples, and newer than this version -----------


def test_the_api_references_own_examples_are_read() -> None:
    from tests.support.live_shapes import example, reference_staged

    staged = ConnectorStaged.model_validate(reference_staged())
    paged = [ConnectorStaged.model_validate(r) for r in example("connector-paged.json")["results"]]

    assert (staged.key, staged.version, staged.status) == ("connector-key", 1, "Draft")
    assert staged.creator.email == "john.doe@example.com"
    assert staged.isPreviewable == "none"  # the RAML's default when the field is missing
    assert staged.integrationTypes == []
    assert [(c.key, c.private, c.creator.noOfContributors) for c in paged] == [
        ("connector-key", False, 200)
    ]


def test_a_connector_without_a_key_is_read() -> None:
    from tests.support.live_shapes import KEYLESS_ID, keyless

    live = ConnectorStaged.model_validate(keyless())

    assert (live.id, live.key) == (KEYLESS_ID, None)


def test_unknown_enum_values_unknown_fields_and_nulls_are_read() -> None:
    from tests.support.live_shapes import (
        NEW_INTEGRATION_TYPE,
        NEW_REGION,
        newer_than_this_version,
    )

    live = ConnectorStaged.model_validate(newer_than_this_version())

    assert live.supportedRegions == ["europe-west1.gcp", NEW_REGION]
    assert live.integrationTypes == ["psp", NEW_INTEGRATION_TYPE]
    assert (live.status, live.isPreviewable) == ("UnderReview", "maybe-later")
    assert (live.description, live.documentationUrl, live.hasChanges) == (None, None, None)
    assert live.privateProjects == []
    assert live.creator.logoUrl is None
    assert live.previewableReport is not None
    assert live.previewableReport.entries == []
    assert live.publishingReport is not None
    assert [(e.type, e.title, e.message) for e in live.publishingReport.entries] == [
        ("Error", "", None),
        ("Error", "Connector specification file not found", None),
        ("Notice", "A type this version does not know", None),
    ]


@pytest.mark.parametrize(
    ("field", "value", "read"),
    [
        ("isPreviewable", True, "true"),
        ("isPreviewable", False, "false"),
        ("isPreviewable", None, "none"),
        ("integrationTypes", None, []),
        ("integrationTypes", ["psp", None], ["psp"]),
        ("supportedRegions", None, []),
        ("creator", None, None),
        ("repository", None, None),
        ("private", None, True),
        ("status", None, ConnectorStatus.DRAFT),
        ("name", None, None),
    ],
)
@pytest.mark.parametrize("source", ["python", "json"])
def test_a_missing_or_odd_value_is_read_as_its_default(
    field: str, value: object, read: object, source: str
) -> None:
    """Pages are read straight from the response's JSON: the same defaults hold there."""
    data = {"id": "i", "key": "k1", "version": 1, field: value}
    if source == "json":
        live = ConnectorStaged.model_validate_json(json.dumps(data))
    else:
        live = ConnectorStaged.model_validate(data)

    found = getattr(live, field)
    if field in ("creator", "repository"):
        assert found == type(found)()
    else:
        assert found == read


def test_a_keyless_live_connector_is_an_orphan_by_id_and_no_change_names_it() -> None:
    from connect_gitops.core.plan import NO_KEY
    from connect_gitops.core.planner import build_plan
    from tests.support.declarations import declared
    from tests.support.live_shapes import KEYLESS_ID, keyless

    live = [ConnectorStaged.model_validate(keyless()), _live()]

    plan = build_plan([declared("k1", "eu", name="n")], {"eu": live}, complete_targets=["eu"])

    assert [(c.key, c.kind) for c in plan.changes] == [("k1", "update")]
    assert [(o.target, o.key, o.id, o.reason) for o in plan.orphans] == [
        ("eu", "", KEYLESS_ID, NO_KEY)
    ]
    assert NO_KEY == "has no key, so no declaration can name it"
