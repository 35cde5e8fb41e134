"""The plan document of design.md section 7: its exact keys and shapes, and reading it back."""

from __future__ import annotations

import json
from typing import Literal

import pytest

from connect_gitops.core.declarations import ConnectorDeclaration, DeclaredConnector
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.core.plan import Plan, PlanFormatError, from_json, to_json
from connect_gitops.core.planner import build_plan

URL = "git@github.com:example/payment-connector.git"


def _design_example(mode: Literal["plan", "drift"] = "plan") -> Plan:
    """The example of design.md section 7, with twelve unchanged connectors beside it."""
    declared = [
        DeclaredConnector(
            ConnectorDeclaration.model_validate(
                {
                    "key": "payment-connector",
                    "repository": {"url": URL, "tag": "v1.4.0"},
                    "reconcile": {"preview": True},
                }
            ),
            file="connectors/payment.yaml",
            line=1,
            target="eu",
        ),
        *(
            DeclaredConnector(
                ConnectorDeclaration.model_validate({"key": f"same-{n:02}", "name": "Same"}),
                file=f"connectors/same-{n:02}.yaml",
                line=1,
                target="eu",
            )
            for n in range(12)
        ),
    ]
    live = [
        ConnectorStaged.model_validate(
            {
                "id": "5ab3edcd-0001",
                "key": "payment-connector",
                "version": 7,
                "repository": {"url": URL, "tag": "v1.3.0"},
                "isPreviewable": "true",
            }
        ),
        ConnectorStaged.model_validate({"id": "0ld-1d", "key": "old-connector", "version": 2}),
        *(
            ConnectorStaged.model_validate(
                {"id": f"s-{n}", "key": f"same-{n:02}", "version": 1, "name": "Same"}
            )
            for n in range(12)
        ),
    ]
    return build_plan(declared, {"eu": live}, complete_targets=["eu"], mode=mode)


def test_the_document_is_exactly_the_design() -> None:
    document = json.loads(to_json(_design_example()))
    assert list(document) == ["formatVersion", "mode", "changes", "orphans", "summary"]
    assert document["formatVersion"] == 1
    assert document["mode"] == "plan"
    assert document["changes"][0] == {
        "target": "eu",
        "key": "payment-connector",
        "resource": "connector",
        "file": "connectors/payment.yaml",
        "line": 1,
        "kind": "update",
        "id": "5ab3edcd-0001",
        "version": 7,
        "actions": [{"action": "setRepository", "url": URL, "tag": "v1.4.0"}],
        "draft": None,
        "fields": [{"path": "repository.tag", "before": "v1.3.0", "after": "v1.4.0"}],
        "lifecycle": [{"step": "preview", "reason": "repository changed"}],
        "reason": None,
    }
    assert list(document["changes"][0]) == [
        "target", "key", "resource", "file", "line", "kind", "id", "version",
        "actions", "draft", "fields", "lifecycle", "reason",
    ]  # fmt: skip
    assert [c["kind"] for c in document["changes"][1:]] == ["noop"] * 12
    assert document["orphans"] == [
        {"target": "eu", "key": "old-connector", "resource": "connector", "id": "0ld-1d"}
    ]
    assert document["summary"] == {
        "create": 0,
        "update": 1,
        "redeploy": 0,
        "replace": 0,
        "noop": 12,
        "blocked": 0,
        "orphans": 1,
    }


def test_a_create_carries_its_draft_and_a_publish_step_its_certification() -> None:
    declaration = ConnectorDeclaration.model_validate(
        {
            "key": "new-connector",
            "name": "New",
            "creator": {"email": "team@example.com"},
            "repository": {"url": URL, "tag": "v1.0.0"},
            "reconcile": {"publish": True, "certification": True, "target": "eu"},
        }
    )
    plan = build_plan(
        [DeclaredConnector(declaration, "connectors/new.yaml", 3, "eu")],
        {"eu": []},
        complete_targets=["eu"],
    )
    change = json.loads(to_json(plan))["changes"][0]
    assert change["kind"] == "create"
    assert change["id"] is None
    assert change["version"] is None
    assert change["actions"] == []
    assert change["draft"] == {
        "key": "new-connector",
        "name": "New",
        "creator": {"email": "team@example.com"},
        "repository": {"url": URL, "tag": "v1.0.0"},
    }
    assert change["lifecycle"] == [
        {"step": "publish", "reason": "never published", "certification": True}
    ]


def test_drift_mode_is_named_in_the_document() -> None:
    assert json.loads(to_json(_design_example("drift")))["mode"] == "drift"


def test_the_document_reads_back_unchanged() -> None:
    plan = _design_example()
    text = to_json(plan)
    assert from_json(text) == plan
    assert to_json(from_json(text)) == text
    assert from_json(to_json(plan, indent=None)) == plan


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"formatVersion": 2, "mode": "plan", "changes": [], "orphans": []}',
            "plan formatVersion 2 is not supported (this version reads 1): re-run plan",
        ),
        (
            '{"mode": "plan", "changes": [], "orphans": []}',
            "plan formatVersion None is not supported (this version reads 1): re-run plan",
        ),
        (
            '{"formatVersion": "1", "changes": []}',
            "plan formatVersion '1' is not supported (this version reads 1): re-run plan",
        ),
        ("[1, 2]", "not a plan file: expected a JSON object"),
        ("{not json", "not a plan file: Expecting property name enclosed in double quotes"),
    ],
)
def test_other_documents_are_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(PlanFormatError) as error:
        from_json(text)
    assert str(error.value).startswith(message)


def test_a_tampered_plan_is_refused() -> None:
    document = json.loads(to_json(_design_example()))
    document["changes"][0]["actions"][0]["action"] = "deleteEverything"
    with pytest.raises(PlanFormatError, match=r"^not a valid plan file: "):
        from_json(json.dumps(document))
