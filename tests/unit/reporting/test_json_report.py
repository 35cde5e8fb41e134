"""The JSON documents: the plan contract and the apply report."""

from __future__ import annotations

import json

from connect_gitops.core.plan import from_json, to_json
from connect_gitops.reporting.json import render_apply_json, render_plan_json
from tests.support.samples import sample_plan, sample_result


def test_plan_json_is_the_contract_document() -> None:
    plan = sample_plan()
    rendered = render_plan_json(plan)
    assert rendered == to_json(plan)
    document = json.loads(rendered)
    assert document["formatVersion"] == 1
    assert document["summary"] == {
        "create": 1,
        "update": 1,
        "redeploy": 0,
        "replace": 0,
        "noop": 2,
        "blocked": 1,
        "orphans": 1,
    }
    assert from_json(rendered) == plan


def test_apply_json() -> None:
    document = json.loads(render_apply_json(sample_result()))
    assert document["formatVersion"] == 1
    assert document["mode"] == "apply"
    assert document["ok"] is False
    assert document["summary"] == {
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "blocked": 0,
        "stale": 1,
        "failed": 1,
        "lifecycleFailed": 1,
    }
    assert [o["key"] for o in document["outcomes"]] == [
        "payment-connector",
        "tax-connector",
        "stock-connector",
        "audit-connector",
        "search-connector",
    ]
    assert document["outcomes"][4] == {
        "target": "eu",
        "key": "search-connector",
        "kind": "failed",
        "ok": False,
        "file": "connectors/search.yaml",
        "line": 2,
        "id": None,
        "version": None,
        "actions": 0,
        "message": "Invalid repository url",
        "code": "InvalidInput",
        "correlationId": "projects-4f1c",
        "lifecycle": [],
    }
    assert document["outcomes"][1]["lifecycle"] == [
        {
            "step": "preview",
            "state": "failed",
            "message": "the preview failed",
            "entries": [
                {
                    "type": "Error",
                    "title": "connect.yaml not found",
                    "message": "no connect.yaml at tag v1.4.0",
                }
            ],
        }
    ]
