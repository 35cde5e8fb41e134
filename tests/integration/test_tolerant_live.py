"""Live data as the real API may send it, through the CLI against the emulator on a socket.

The emulator's state is seeded with connectors shaped like the API reference's own examples
(``certified``, ``configurations``, an older creator field), one without a key (made in the
Merchant Center), and one with values this version does not know (a new region, integration
type, status and ``isPreviewable``; report entries with null fields). Plan, drift, apply and
export run over them; the key-less connector is an orphan by id and is never touched.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.cli import cli
from tests.support.declarations import write_config
from tests.support.emulator import PROJECT, control, journal
from tests.support.live_shapes import (
    EXAMPLE_KEY,
    KEYLESS_ID,
    NEW_ENUMS_KEY,
    NEW_REGION,
    reference_connectors,
    seed,
)

NO_KEY = "has no key, so no declaration can name it"
DECLARATIONS = f"""\
key: {EXAMPLE_KEY}
name: Connector's name
description: Described in git
---
key: {NEW_ENUMS_KEY}
supportedRegions: [europe-west1.gcp]
"""


def folder_over_reference_data(tmp_path: Path, url: str) -> Path:
    folder = write_config(tmp_path / "declarations", url)
    (folder / "connectors").mkdir()
    (folder / "connectors" / "reference.yaml").write_text(DECLARATIONS, encoding="utf-8")
    seed(url, reference_connectors())
    return folder


def stored(url: str) -> dict[str, dict[str, Any]]:
    connectors = control(url, "GET", "state")["projects"][PROJECT]["connectors"]
    return {c["id"]: c for c in connectors}


def test_plan_and_drift_read_reference_shaped_live_data(tmp_path: Path, emulator_url: str) -> None:
    folder = folder_over_reference_data(tmp_path, emulator_url)

    planned = cli("plan", str(folder), "--format", "json")
    text = cli("plan", str(folder))
    drifted = cli("drift", str(folder), "--format", "json")

    assert planned.returncode == 0, planned.stderr
    plan = json.loads(planned.stdout)
    assert [(c["key"], c["kind"], c["actions"]) for c in plan["changes"]] == [
        (
            EXAMPLE_KEY,
            "update",
            [{"action": "setDescription", "description": "Described in git"}],
        ),
        (
            NEW_ENUMS_KEY,
            "update",
            [{"action": "setSupportedRegions", "regions": ["europe-west1.gcp"]}],
        ),
    ]
    assert plan["orphans"] == [
        {"target": "emu", "key": "", "resource": "connector", "id": KEYLESS_ID, "reason": NO_KEY}
    ]
    assert text.returncode == 0, text.stderr
    assert f"? orphan id={KEYLESS_ID} (emu): {NO_KEY}" in text.stderr
    assert "internal error" not in planned.stderr + text.stderr
    assert drifted.returncode == 2, drifted.stderr
    drift = json.loads(drifted.stdout)
    assert drift["orphans"] == plan["orphans"]
    assert [f["before"] for f in drift["changes"][1]["fields"]] == [
        ["europe-west1.gcp", NEW_REGION]
    ]


def test_apply_updates_the_declared_ones_and_never_touches_the_keyless_one(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = folder_over_reference_data(tmp_path, emulator_url)
    before = stored(emulator_url)[KEYLESS_ID]

    applied = cli("apply", str(folder))
    again = cli("plan", str(folder), "--format", "json")

    assert applied.returncode == 0, applied.stderr
    assert "Apply: 0 created, 2 updated" in applied.stderr
    assert stored(emulator_url)[KEYLESS_ID] == before
    assert [e for e in journal(emulator_url) if KEYLESS_ID in e["path"]] == []
    assert [c["kind"] for c in json.loads(again.stdout)["changes"]] == ["noop", "noop"]


def test_export_skips_the_keyless_connector_and_leaves_unknown_values_unmanaged(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = write_config(tmp_path / "declarations", emulator_url)
    seed(emulator_url, reference_connectors())

    exported = cli("export", "--out-dir", str(folder / "connectors"))
    planned = cli("plan", str(folder), "--format", "json")

    assert exported.returncode == 0, exported.stderr
    assert sorted(p.name for p in (folder / "connectors").iterdir()) == [
        f"{EXAMPLE_KEY}.yaml",
        f"{NEW_ENUMS_KEY}.yaml",
    ]
    assert f"notice: connector {KEYLESS_ID} {NO_KEY}; not exported" in exported.stderr
    assert NEW_REGION in exported.stderr  # the user is told why supportedRegions is left out
    written = (folder / "connectors" / f"{NEW_ENUMS_KEY}.yaml").read_text(encoding="utf-8")
    assert "supportedRegions" not in written
    assert "integrationTypes" not in written
    assert planned.returncode == 0, planned.stderr
    plan = json.loads(planned.stdout)
    assert [(c["key"], c["kind"]) for c in plan["changes"]] == [
        (EXAMPLE_KEY, "noop"),
        (NEW_ENUMS_KEY, "noop"),
    ]
