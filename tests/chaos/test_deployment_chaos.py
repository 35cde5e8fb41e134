"""Deployments under every fault of the emulator plus failing builds, and applies killed midway.

A declared connector (published by apply) and eight deployments of it are created, then changed
(a standard value, and the connector's tag, so every deployment follows the new publish), with
the reliability suite's faults on and a share of the builds failing. Each phase must converge
within the chaos guarantee's runs; every deployment exists once, holds the declared values and
the secured value's hash, and a value someone set by hand on a key the declarations do not
manage survives. The short versions run in ``make test``; ``make chaos`` runs more seeds.
"""

from __future__ import annotations

import random
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.support.chaos import NO_FAULTS, apply_killed_after, every_fault, run_until_ok
from tests.support.deploying import (
    CONNECTOR,
    SECRET_VALUE,
    SECRET_VARIABLE,
    connector_declaration,
    declarations_folder,
    deployment_declaration,
    deployment_writes,
    deployments,
    give_connect_yaml,
    redeploy_by_hand,
    settings,
    sha256,
    standard,
    stored_secured,
)
from tests.support.emulator import set_faults

KEYS = [f"deployment-{i:02d}" for i in range(8)]
HAND_EDITED = KEYS[::3]
"""Deployments whose order-sync BATCH_SIZE (a key the declarations leave unmanaged) is set by
hand between the phases."""
SHORT_SEEDS = [21]
LONG_SEEDS = [22, 23, 24, 25]
BUILD_FAILURES = {"buildFailureRate": 0.15}


def _folder(root: Path, url: str, *, tag: str, log_level: str) -> Path:
    files = {"connectors/stripe.yaml": connector_declaration(publish=True, tag=tag)}
    files |= {
        f"deployments/{key}.yaml": deployment_declaration(key, log_level=log_level) for key in KEYS
    }
    return declarations_folder(root, url, files)


def _live(url: str) -> list[dict[str, Any]]:
    """The deployments, read with faults off (then restored)."""
    set_faults(url, NO_FAULTS)
    try:
        return deployments(url)
    finally:
        set_faults(url, NO_FAULTS)


def assert_deployments_match(url: str, *, log_level: str, connector_version: int) -> None:
    found = _live(url)
    counts = Counter(d["key"] for d in found)
    assert sorted(k for k, n in counts.items() if n > 1) == [], "created twice"
    assert sorted(counts) == KEYS
    wrong = [
        d["key"]
        for d in found
        if standard(d)["LOG_LEVEL"] != log_level
        or d["connector"]["version"] != connector_version
        or d["connector"]["key"] != CONNECTOR
    ]
    assert wrong == [], f"live differs from the declarations: {wrong}"
    unsent = [
        key
        for key in KEYS
        if stored_secured(url, key)
        != [{"key": SECRET_VARIABLE, "valueSha256": sha256(SECRET_VALUE)}]
    ]
    assert unsent == [], f"secured value not set: {unsent}"


def converge(tmp_path: Path, url: str, seed: int) -> None:
    give_connect_yaml(url)
    settings(url, deploySeconds=0.3, previewSeconds=0.3, publishSeconds=0.3)
    folder = _folder(tmp_path, url, tag="v1.0.0", log_level="info")
    set_faults(url, every_fault(seed) | BUILD_FAILURES)
    run_until_ok("apply", str(folder), "--timeout", "60")
    assert_deployments_match(url, log_level="info", connector_version=1)

    set_faults(url, NO_FAULTS)
    for key in HAND_EDITED:  # someone edits a value the declarations do not manage
        redeploy_by_hand(
            url,
            key,
            configurationValues=[
                {
                    "applicationName": "order-sync",
                    "standardConfiguration": [{"key": "BATCH_SIZE", "value": "50"}],
                    "securedConfiguration": [],
                }
            ],
        )
    _folder(tmp_path, url, tag="v1.1.0", log_level="debug")
    set_faults(url, every_fault(seed + 1000) | BUILD_FAILURES)
    run_until_ok("apply", str(folder), "--timeout", "60")
    assert_deployments_match(url, log_level="debug", connector_version=2)
    by_key = {d["key"]: d for d in _live(url)}
    kept = {key: standard(by_key[key], "order-sync").get("BATCH_SIZE") for key in HAND_EDITED}
    assert kept == dict.fromkeys(HAND_EDITED, "50"), "a value set by hand was lost"

    set_faults(url, every_fault(seed + 2000))
    run_until_ok("plan", str(folder), "--detailed-exitcode")


@pytest.mark.parametrize("seed", SHORT_SEEDS)
def test_deployments_converge_under_every_fault_and_failing_builds(
    tmp_path: Path, emulator_url: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_VARIABLE, SECRET_VALUE)
    converge(tmp_path, emulator_url, seed)


@pytest.mark.chaos_long
@pytest.mark.timeout(600)
@pytest.mark.parametrize("seed", LONG_SEEDS)
def test_deployments_converge_under_every_fault_and_failing_builds_long(
    tmp_path: Path, emulator_url: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_VARIABLE, SECRET_VALUE)
    converge(tmp_path, emulator_url, seed)


def kill_then_converge(tmp_path: Path, url: str, seed: int, kills: int) -> None:
    rng = random.Random(seed)
    give_connect_yaml(url)
    settings(url, deploySeconds=0.5, previewSeconds=0.3, publishSeconds=0.3)
    folder = _folder(tmp_path, url, tag="v1.0.0", log_level="info")
    set_faults(url, {**every_fault(seed), "latencyMs": 25})
    for _ in range(kills):
        apply_killed_after(
            folder, rng.choice([0, *range(1, 10)]), rng, partial(deployment_writes, url)
        )
    set_faults(url, every_fault(seed))
    run_until_ok("apply", str(folder), "--timeout", "60")
    assert_deployments_match(url, log_level="info", connector_version=1)

    _folder(tmp_path, url, tag="v1.0.0", log_level="warn")
    set_faults(url, {**every_fault(seed + 1), "latencyMs": 25})
    for _ in range(kills):
        apply_killed_after(
            folder, rng.choice([0, *range(1, 10)]), rng, partial(deployment_writes, url)
        )
    set_faults(url, every_fault(seed + 1))
    run_until_ok("apply", str(folder), "--timeout", "60")
    assert_deployments_match(url, log_level="warn", connector_version=1)
    run_until_ok("plan", str(folder), "--detailed-exitcode")


def test_killed_applies_of_deployments_converge(
    tmp_path: Path, emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_VARIABLE, SECRET_VALUE)
    kill_then_converge(tmp_path, emulator_url, 31, kills=1)


@pytest.mark.chaos_long
@pytest.mark.timeout(600)
@pytest.mark.parametrize("seed", [32, 33, 34])
def test_killed_applies_of_deployments_converge_long(
    tmp_path: Path, emulator_url: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_VARIABLE, SECRET_VALUE)
    kill_then_converge(tmp_path, emulator_url, seed, kills=3)
