"""Create 60 connectors, then change all of them, with every fault of the emulator at once.

The short version (one seed) runs in ``make test``; ``make chaos`` runs more seeds. The CLI runs
in a child process against the emulator on a real socket, as a user's CI would run it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.chaos import (
    KEYS,
    MAX_RUNS,
    NO_FAULTS,
    assert_live_matches,
    every_fault,
    live_without_faults,
    run_until_ok,
    set_faults,
)
from tests.support.declarations import write_config, write_declarations
from tests.support.emulator import update

SHORT_SEEDS = [1]
LONG_SEEDS = [2, 3, 4, 5, 6, 7]

HAND_EDITED = KEYS[::10]
"""Connectors whose documentationUrl (a field the declarations leave unmanaged) is set by hand."""


def converge_under_faults(tmp_path: Path, url: str, seed: int) -> dict[str, float]:
    folder = tmp_path / "declarations"
    write_config(folder, url)
    write_declarations(folder, KEYS)
    set_faults(url, every_fault(seed))
    timings: dict[str, float] = {}

    started = time.monotonic()
    runs = run_until_ok("apply", str(folder), "--timeout", "30")
    timings["create"] = time.monotonic() - started
    timings["create runs"] = len(runs)
    assert_live_matches(url, KEYS, tag="v1.0.0", description="Managed in git")

    set_faults(url, NO_FAULTS)
    for key in HAND_EDITED:  # a concurrent writer, through the API like the Merchant Center
        update(
            url,
            key,
            {"action": "setDocumentationUrl", "documentationUrl": f"https://docs.test/{key}"},
        )
    set_faults(url, every_fault(seed + 1000))
    write_declarations(folder, KEYS, tag="v2.0.0", description="Changed under fire")

    started = time.monotonic()
    runs = run_until_ok("apply", str(folder), "--timeout", "30")
    timings["change"] = time.monotonic() - started
    timings["change runs"] = len(runs)
    assert_live_matches(url, KEYS, tag="v2.0.0", description="Changed under fire")
    by_key = {c["key"]: c for c in live_without_faults(url)}
    assert {k: by_key[k].get("documentationUrl") for k in HAND_EDITED} == {
        k: f"https://docs.test/{k}" for k in HAND_EDITED
    }, "a concurrent writer's change to an unmanaged field was lost"

    plans = run_until_ok("plan", str(folder), "--detailed-exitcode")
    assert "No changes. Live connectors match the declarations." in plans[-1].stderr
    timings["plan runs"] = len(plans)
    return timings


@pytest.mark.parametrize("seed", SHORT_SEEDS)
def test_sixty_connectors_converge_under_every_fault(
    tmp_path: Path, emulator_url: str, seed: int
) -> None:
    timings = converge_under_faults(tmp_path, emulator_url, seed)
    assert timings["create runs"] <= MAX_RUNS
    print(f"seed {seed}: {timings}")


@pytest.mark.chaos_long
@pytest.mark.timeout(300)
@pytest.mark.parametrize("seed", LONG_SEEDS)
def test_sixty_connectors_converge_under_every_fault_long(
    tmp_path: Path, emulator_url: str, seed: int
) -> None:
    timings = converge_under_faults(tmp_path, emulator_url, seed)
    print(f"seed {seed}: {timings}")
