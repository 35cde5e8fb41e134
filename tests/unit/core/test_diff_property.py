"""Property: applying the planned actions makes live match declared, and plans round-trip.

A small pure applier here plays the API's part for the managed fields, independently of the
diff: if the diff forgot a field, chose a wrong value or a wrong action, the second diff would
not be empty.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from connect_gitops.core import rules
from connect_gitops.core.actions import UpdateAction, to_wire
from connect_gitops.core.declarations import ConnectorDeclaration, DeclaredConnector
from connect_gitops.core.diff import diff
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.core.plan import from_json, to_json
from connect_gitops.core.planner import LifecycleOverrides, build_plan

KEY = "prop-connector"
TEXTS = st.sampled_from(["", "A", "B", "Payment Connector", "ünïcødé"])
NAMES = TEXTS.filter(bool)
"""A declared name may not be empty (the API refuses one); live may hold anything."""
URLS = st.sampled_from(["https://example.com/a", "https://example.com/b"])
EMAILS = st.sampled_from(["a@example.com", "b@example.com"])
REPOSITORIES = st.sampled_from(["git@github.com:example/a.git", "https://github.com/example/b.git"])
TAGS = st.sampled_from(["v1.0.0", "v1.1.0", "2.0"])
PROJECTS = ["europe-west1.gcp:shop-a", "europe-west1.gcp:shop-b", "us-east-2.aws:shop-c"]
CREATOR_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "email": EMAILS,
    "name": TEXTS,
    "title": TEXTS,
    "company": TEXTS,
    "logoUrl": URLS,
    "noOfContributors": st.integers(1, 3),
    "supportUrl": URLS,
}


def _subset(values: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict holding a random subset of the given fields."""
    return st.fixed_dictionaries({}, optional=values)


DECLARED_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "name": NAMES,
    "description": TEXTS,
    "documentationUrl": URLS,
    "integrationTypes": st.lists(st.sampled_from(rules.INTEGRATION_TYPES), unique=True),
    "supportedRegions": st.lists(st.sampled_from(rules.REGIONS), min_size=1, unique=True),
    "creator": _subset(CREATOR_VALUES),
    "repository": st.fixed_dictionaries({"url": REPOSITORIES, "tag": TAGS}),
    "privateProjects": st.lists(st.sampled_from(PROJECTS), unique=True),
}


def _nullable(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


LIVE_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "name": _nullable(TEXTS),
    "description": _nullable(TEXTS),
    "documentationUrl": _nullable(URLS),
    # the API may return repeats: the diff must treat lists as sets
    "integrationTypes": st.lists(st.sampled_from(rules.INTEGRATION_TYPES), max_size=4),
    "supportedRegions": st.lists(st.sampled_from(rules.REGIONS), max_size=3),
    "creator": _subset(CREATOR_VALUES),
    "repository": _subset({"url": REPOSITORIES, "tag": TAGS}),
    "privateProjects": st.lists(st.sampled_from(PROJECTS), max_size=4),
}

declarations = _subset(DECLARED_FIELDS).map(
    lambda fields: ConnectorDeclaration.model_validate({"key": KEY, **fields})
)
lives = _subset(LIVE_FIELDS).map(
    lambda fields: ConnectorStaged.model_validate({"id": "c-1", "key": KEY, "version": 1, **fields})
)

_SIMPLE = {
    "setName": ("name", "name"),
    "setDescription": ("description", "description"),
    "setDocumentationUrl": ("documentationUrl", "documentationUrl"),
    "setIntegrationTypes": ("integrationTypes", "integrationTypes"),
    "setSupportedRegions": ("regions", "supportedRegions"),
}
_CREATOR = {
    "setCreatorName": ("creatorName", "name"),
    "setCreatorTitle": ("creatorTitle", "title"),
    "setCreatorEmail": ("creatorEmail", "email"),
    "setCreatorCompany": ("creatorCompany", "company"),
    "setCreatorNoOfContributors": ("creatorNoOfContributors", "noOfContributors"),
    "setCreatorSupportUrl": ("creatorSupportUrl", "supportUrl"),
    "setCreatorLogo": ("logoUrl", "logoUrl"),
}


def apply(live: ConnectorStaged, actions: list[UpdateAction]) -> ConnectorStaged:
    """What the API does to the managed fields for each action, in order."""
    state = live.model_dump(mode="json")
    for action in to_wire(actions):
        name = action["action"]
        if name in _SIMPLE:
            wire, field = _SIMPLE[name]
            state[field] = action[wire]
        elif name in _CREATOR:
            wire, field = _CREATOR[name]
            state["creator"][field] = action[wire]
        elif name == "setRepository":
            state["repository"] = {"url": action["url"], "tag": action["tag"]}
        elif name == "addPrivateProject":
            assert action["privateProject"] not in state["privateProjects"], "added twice"
            state["privateProjects"].append(action["privateProject"])
        elif name == "removePrivateProject":
            assert action["privateProject"] in state["privateProjects"], "removed but absent"
            state["privateProjects"] = [
                p for p in state["privateProjects"] if p != action["privateProject"]
            ]
        else:
            raise AssertionError(f"the diff planned a non-data action: {name}")
    state["version"] += 1
    return ConnectorStaged.model_validate(state)


@settings(max_examples=300, deadline=None)
@given(declarations, lives)
def test_applying_the_actions_converges(
    declared: ConnectorDeclaration, live: ConnectorStaged
) -> None:
    found = diff(declared, live)
    after = apply(live, found.actions)
    assert diff(declared, after).actions == []
    # minimal: every action changes the live state on its own
    for action in found.actions:
        assert apply(live, [action]).model_dump(exclude={"version"}) != live.model_dump(
            exclude={"version"}
        ), action
    # no field is reported twice, and fields are reported exactly when something changes
    paths = [change.path for change in found.fields]
    assert len(paths) == len(set(paths))
    assert bool(paths) == bool(found.actions)


@settings(max_examples=100, deadline=None)
@given(declarations, lives)
def test_list_order_never_changes_the_actions(
    declared: ConnectorDeclaration, live: ConnectorStaged
) -> None:
    reordered = live.model_copy(
        update={
            "integrationTypes": live.integrationTypes[::-1],
            "supportedRegions": live.supportedRegions[::-1],
            "privateProjects": live.privateProjects[::-1],
        }
    )
    assert to_wire(diff(declared, reordered).actions) == to_wire(diff(declared, live).actions)


@settings(max_examples=100, deadline=None)
@given(
    declarations,
    lives,
    st.booleans(),
    st.sampled_from(["none", "pending", "true", "false"]),
    st.sampled_from(["Draft", "Processing", "Published", "InCertification", "Failed"]),
    st.booleans(),
)
def test_plans_round_trip_through_json(
    declared: ConnectorDeclaration,
    live: ConnectorStaged,
    exists: bool,
    previewable: str,
    status: str,
    publish: bool,
) -> None:
    live = live.model_copy(update={"isPreviewable": previewable, "status": status})
    plan = build_plan(
        [DeclaredConnector(declared, "connectors/prop.yaml", 1, "eu")],
        {"eu": [live] if exists else []},
        complete_targets=["eu"],
        policy=LifecycleOverrides(preview=True, publish=publish),
    )
    text = to_json(plan)
    assert from_json(text) == plan
    assert to_json(from_json(text)) == text
