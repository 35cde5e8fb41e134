"""Golden cases: every ``*.yaml`` beside this file is one documented planning behaviour.

A case file holds:

- ``description``: what the case shows;
- ``declared``: declarations as users write them; ``file``, ``line`` and ``target`` may be given
  beside the fields (defaults: ``connectors/<key>.yaml``, line 1, ``reconcile.target`` or ``eu``);
- ``live``: per target, the ConnectorStaged JSON the API returned;
- ``complete`` (optional): the targets whose whole live set was read (default: every ``live``
  target);
- ``overrides`` (optional): the CLI's ``preview`` / ``publish`` / ``certification`` flags;
- ``mode`` (optional): ``plan`` or ``drift``;
- ``expected``: ``changes`` in plan order, each compared exactly on ``target`` (default ``eu``),
  ``key``, ``kind``, ``actions`` (wire format), ``draft``, ``lifecycle`` and ``reason``
  (defaults: none), and on ``fields``, ``id``, ``version`` when given; ``orphans`` (default
  none; ``resource`` defaults to ``connector``); ``summary`` when given (deployment kinds
  default to 0).

Every case is also planned with its inputs reversed and must give the identical JSON document,
and its plan must read back from that JSON unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from connect_gitops.core.declarations import ConnectorDeclaration, DeclaredConnector
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.core.plan import Plan, from_json, to_json
from connect_gitops.core.planner import LifecycleOverrides, build_plan

CASES = sorted(Path(__file__).parent.glob("*.yaml"))
DEFAULTS: dict[str, Any] = {
    "target": "eu",
    "actions": [],
    "draft": None,
    "lifecycle": [],
    "reason": None,
}


def _declared(entry: dict[str, Any]) -> DeclaredConnector:
    fields = dict(entry)
    file = fields.pop("file", f"connectors/{fields['key']}.yaml")
    line = fields.pop("line", 1)
    target = fields.pop("target", None)
    declaration = ConnectorDeclaration.model_validate(fields)
    target = target or declaration.reconcile.target or "eu"
    return DeclaredConnector(declaration=declaration, file=file, line=line, target=target)


def _plan(case: dict[str, Any], *, reverse: bool = False) -> Plan:
    declared = [_declared(entry) for entry in case["declared"]]
    live = {
        target: [ConnectorStaged.model_validate(c) for c in connectors]
        for target, connectors in (case.get("live") or {}).items()
    }
    if reverse:
        declared.reverse()
        live = {target: connectors[::-1] for target, connectors in reversed(live.items())}
    return build_plan(
        declared,
        live,
        complete_targets=case.get("complete", list(live)),
        policy=LifecycleOverrides(**case.get("overrides", {})),
        mode=case.get("mode", "plan"),
    )


def _expected_change(expected: dict[str, Any]) -> dict[str, Any]:
    change = DEFAULTS | expected
    change["lifecycle"] = [
        step if step["step"] == "preview" else {"certification": False} | step
        for step in change["lifecycle"]
    ]
    return change


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_case(path: Path) -> None:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert case.get("description"), "every case says what it shows"
    plan = _plan(case)
    document = yaml.safe_load(to_json(plan))  # JSON is YAML: the plan as a reader sees it
    expected = case["expected"]

    wanted = [_expected_change(change) for change in expected.get("changes", [])]
    actual = [
        {name: got[name] for name in want}
        for got, want in zip(document["changes"], wanted, strict=False)
    ]
    assert len(document["changes"]) == len(wanted), document["changes"]
    assert actual == wanted
    orphans = [{"resource": "connector"} | orphan for orphan in expected.get("orphans", [])]
    assert document["orphans"] == orphans
    if "summary" in expected:
        assert document["summary"] == {"redeploy": 0, "replace": 0} | expected["summary"]

    assert to_json(_plan(case, reverse=True)) == to_json(plan)
    assert from_json(to_json(plan)) == plan


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 30
