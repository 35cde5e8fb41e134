"""core.diff: the fast path, the lazy deepdiff import, and robustness to deepdiff's report."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest

from connect_gitops.core.actions import to_wire
from connect_gitops.core.declarations import ConnectorDeclaration
from connect_gitops.core.diff import Diff, diff, diff_fields
from connect_gitops.core.live import ConnectorStaged
from tests.support.fresh_python import run_python

DECLARED = ConnectorDeclaration.model_validate(
    {
        "key": "payment-connector",
        "name": "Payment Connector",
        "integrationTypes": ["tax", "psp"],
        "creator": {"email": "team@example.com", "noOfContributors": 4},
        "repository": {"url": "git@github.com:example/payment.git", "tag": "v1.4.0"},
        "privateProjects": ["europe-west1.gcp:shop-b", "europe-west1.gcp:shop-a"],
    }
)
LIVE_EQUAL = ConnectorStaged.model_validate(
    {
        "id": "c-1",
        "key": "payment-connector",
        "version": 3,
        "name": "Payment Connector",
        "description": "unmanaged",
        "integrationTypes": ["psp", "tax"],
        "creator": {"email": "team@example.com", "noOfContributors": 4, "company": "X"},
        "repository": {"url": "git@github.com:example/payment.git", "tag": "v1.4.0"},
        "privateProjects": ["europe-west1.gcp:shop-a", "europe-west1.gcp:shop-b"],
    }
)
LIVE_OLD_TAG = LIVE_EQUAL.model_copy(
    update={"repository": LIVE_EQUAL.repository.model_copy(update={"tag": "v1.3.0"})}
)
SET_REPOSITORY = [
    {"action": "setRepository", "url": "git@github.com:example/payment.git", "tag": "v1.4.0"}
]


class _Item:
    """A stand-in for a deepdiff tree item."""

    def __init__(self, path: list[Any]) -> None:
        self._path = path

    def path(self, output_format: str = "str") -> list[Any]:
        assert output_format == "list"
        return self._path


def _fake_deepdiff(report: dict[str, list[_Item]] | None) -> types.ModuleType:
    """A deepdiff module whose DeepDiff returns ``report``, or fails when ``report`` is None."""
    module = types.ModuleType("deepdiff")

    def deep_diff(*_args: Any, **_kwargs: Any) -> dict[str, list[_Item]]:
        if report is None:
            raise AssertionError("DeepDiff was called")
        return report

    module.DeepDiff = deep_diff  # type: ignore[attr-defined]
    return module


def test_equal_connectors_never_call_deepdiff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "deepdiff", _fake_deepdiff(None))
    assert diff(DECLARED, LIVE_EQUAL) == Diff()
    with pytest.raises(AssertionError, match="DeepDiff was called"):
        diff(DECLARED, LIVE_OLD_TAG)  # the patch is effective: a real change does call it


def test_unchanged_plans_never_import_deepdiff() -> None:
    program = (
        "import sys\n"
        "from connect_gitops.core.planner import build_plan\n"
        "from connect_gitops.core.declarations import ConnectorDeclaration, DeclaredConnector\n"
        "from connect_gitops.core.live import ConnectorStaged\n"
        "d = ConnectorDeclaration.model_validate({'key': 'k1', 'name': 'N'})\n"
        "live = ConnectorStaged.model_validate({'id': 'i', 'key': 'k1', 'version': 1, "
        "'name': 'N'})\n"
        "plan = build_plan([DeclaredConnector(d, 'f.yaml', 1, 'eu')], {'eu': [live]}, "
        "complete_targets=['eu'])\n"
        "assert plan.changes[0].kind == 'noop'\n"
        "print('deepdiff' in sys.modules)\n"
    )
    result = run_python(program, cwd=Path.cwd())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_changed_connector_is_diffed_with_deepdiff() -> None:
    found = diff(DECLARED, LIVE_OLD_TAG)
    assert to_wire(found.actions) == SET_REPOSITORY
    assert [f.model_dump() for f in found.fields] == [
        {"path": "repository.tag", "before": "v1.3.0", "after": "v1.4.0"}
    ]
    assert not found.empty


@pytest.mark.parametrize(
    "report",
    [
        pytest.param({}, id="nothing-reported"),
        pytest.param({"values_changed": [_Item([])]}, id="root-reported"),
        pytest.param({"type_changes": [_Item(["repository"])]}, id="whole-dict-reported"),
        pytest.param({"values_changed": [_Item(["name"])]}, id="wrong-field-reported"),
    ],
)
def test_actions_never_depend_on_the_report_shape(
    monkeypatch: pytest.MonkeyPatch, report: dict[str, list[_Item]]
) -> None:
    monkeypatch.setitem(sys.modules, "deepdiff", _fake_deepdiff(report))
    assert to_wire(diff(DECLARED, LIVE_OLD_TAG).actions) == SET_REPOSITORY


def test_replaced_project_is_a_remove_and_an_add() -> None:
    # deepdiff reports a replaced list item as values_changed at an index: values come from
    # the declared side, so this is still one remove and one add.
    found = diff_fields({"privateProjects": ["eu:shop-new"]}, {"privateProjects": ["eu:shop-old"]})
    assert to_wire(found.actions) == [
        {"action": "removePrivateProject", "privateProject": "eu:shop-old"},
        {"action": "addPrivateProject", "privateProject": "eu:shop-new"},
    ]


def test_declared_duplicates_are_sent_once_in_declared_order() -> None:
    found = diff_fields(
        {"integrationTypes": ["tax", "psp", "tax"], "supportedRegions": ["b", "a", "b"]},
        {"integrationTypes": ["psp"], "supportedRegions": ["a"]},
    )
    assert to_wire(found.actions) == [
        {"action": "setIntegrationTypes", "integrationTypes": ["tax", "psp"]},
        {"action": "setSupportedRegions", "regions": ["b", "a"]},
    ]


def test_a_whole_missing_creator_sets_each_declared_field() -> None:
    found = diff_fields(
        {"creator": {"email": "a@example.com", "title": "CTO"}},
        {"creator": None},
    )
    assert to_wire(found.actions) == [
        {"action": "setCreatorTitle", "creatorTitle": "CTO"},
        {"action": "setCreatorEmail", "creatorEmail": "a@example.com"},
    ]
    assert [f.path for f in found.fields] == ["creator.title", "creator.email"]
