"""An apply killed with SIGKILL at random points leaves a state the next apply converges from.

Each kill lands after a random number of writes (or before the first one), while every fault of
the emulator is on; the next runs then converge with no connector created twice.
"""

from __future__ import annotations

import random
import time
from functools import partial
from pathlib import Path

import pytest

from tests.support.chaos import (
    KEYS,
    apply_killed_after,
    assert_live_matches,
    every_fault,
    run_until_ok,
)
from tests.support.declarations import write_config, write_declarations
from tests.support.emulator import set_faults, writes

SHORT_SEEDS = [11]
LONG_SEEDS = [12, 13, 14, 15, 16]


def kill_then_converge(tmp_path: Path, url: str, seed: int, kills: int) -> list[int]:
    rng = random.Random(seed)
    folder = tmp_path / "declarations"
    write_config(folder, url)
    write_declarations(folder, KEYS)
    set_faults(url, {**every_fault(seed), "latencyMs": 25})
    sent: list[int] = []

    for _ in range(kills):
        sent.append(
            apply_killed_after(folder, rng.choice([0, *range(1, 25)]), rng, partial(writes, url))
        )
    set_faults(url, every_fault(seed))
    started = time.monotonic()
    run_until_ok("apply", str(folder), "--timeout", "30")
    print(f"converged in {time.monotonic() - started:.1f} s")
    assert_live_matches(url, KEYS, tag="v1.0.0", description="Managed in git")

    write_declarations(folder, KEYS, tag="v3.0.0", description="Changed, then killed")
    set_faults(url, {**every_fault(seed + 1), "latencyMs": 25})
    for _ in range(kills):
        sent.append(
            apply_killed_after(folder, rng.choice([0, *range(1, 25)]), rng, partial(writes, url))
        )
    set_faults(url, every_fault(seed + 1))
    run_until_ok("apply", str(folder), "--timeout", "30")
    assert_live_matches(url, KEYS, tag="v3.0.0", description="Changed, then killed")
    run_until_ok("plan", str(folder), "--detailed-exitcode")
    return sent


@pytest.mark.parametrize("seed", SHORT_SEEDS)
def test_killed_applies_converge_without_duplicates(
    tmp_path: Path, emulator_url: str, seed: int
) -> None:
    sent = kill_then_converge(tmp_path, emulator_url, seed, kills=1)
    print(f"seed {seed}: writes sent before each kill {sent}")


@pytest.mark.chaos_long
@pytest.mark.timeout(300)
@pytest.mark.parametrize("seed", LONG_SEEDS)
def test_killed_applies_converge_without_duplicates_long(
    tmp_path: Path, emulator_url: str, seed: int
) -> None:
    sent = kill_then_converge(tmp_path, emulator_url, seed, kills=3)
    print(f"seed {seed}: writes sent before each kill {sent}")
