"""A write refused while a connector is busy: apply decides by the connector's status, never by
the error's code or text, which the API does not document for this case.

The emulator answers such a write in one of three ways (its ``lockedUpdateError`` setting:
``400 General "publish in progress"``, ``400 ConnectorStagedInCertification``, or ``409
ConcurrentModification`` at the very version sent). Whichever it is, apply re-reads the
connector: while ``Processing`` it waits for the publish and writes; while ``InCertification``
the connector is blocked. A saved plan is used so that the plan does not know of the status:
the connector changes status behind the client's back, its version unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import cli
from tests.support.declarations import write_config, write_declarations
from tests.support.emulator import control, get, hold, journal

SETTINGS = ["General", "ConnectorStagedInCertification", "ConcurrentModification"]


def saved_plan(tmp_path: Path, url: str, setting: str) -> Path:
    """One applied connector, a changed description, and the plan for it saved to a file."""
    control(url, "PUT", "settings", {"lockedUpdateError": setting, "publishSeconds": 1.0})
    folder = write_config(tmp_path / "declarations", url)
    write_declarations(folder, ["pay"])
    assert cli("apply", str(folder)).returncode == 0
    write_declarations(folder, ["pay"], description="Changed")
    plan = folder / "plan.json"  # beside its config
    assert cli("plan", str(folder), "--out", str(plan)).returncode == 0
    return plan


@pytest.mark.parametrize("setting", SETTINGS)
def test_a_write_refused_while_a_publish_runs_waits_for_it_then_writes(
    tmp_path: Path, emulator_url: str, setting: str
) -> None:
    plan = saved_plan(tmp_path, emulator_url, setting)
    hold(emulator_url, "pay", "Processing", publish_ends_in=3.0)

    result = cli("apply", str(plan), "--format", "json", "--timeout", "30", cwd=plan.parent)

    assert result.returncode == 0, result.stderr
    [outcome] = json.loads(result.stdout)["outcomes"]
    assert (outcome["kind"], outcome["ok"]) == ("updated", True)
    assert get(emulator_url, "pay")["description"] == "Changed"
    writes = [
        e["status"] for e in journal(emulator_url) if e["path"].startswith("/connectors/drafts/")
    ]
    assert writes.count(200) >= 1


@pytest.mark.parametrize("setting", SETTINGS)
def test_a_write_refused_in_certification_is_blocked(
    tmp_path: Path, emulator_url: str, setting: str
) -> None:
    plan = saved_plan(tmp_path, emulator_url, setting)
    hold(emulator_url, "pay", "InCertification")

    result = cli("apply", str(plan), "--format", "json", cwd=plan.parent)

    assert result.returncode == 1, result.stderr
    [outcome] = json.loads(result.stdout)["outcomes"]
    assert (outcome["kind"], outcome["message"]) == ("blocked", "in certification")
    assert get(emulator_url, "pay")["description"] == "Managed in git"
