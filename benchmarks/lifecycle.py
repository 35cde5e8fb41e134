"""Scenario 5: how soon apply notices a preview's and a publish's outcome after the delay.

The emulator settles a preview (publish) `DELAY` seconds after it accepts the request. The time
to notice runs from the line apply prints once the request is accepted ("waiting for preview")
to the line that reports the outcome ("preview: succeeded"), both stamped as they arrive on
the process's stderr (line-buffered). Budget (design.md section 9): within 1.5 x the delay or
2 s, whichever is larger.
"""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

import harness
from harness import Emulator, Row

DELAY = 3.0
POLICIES = {
    "preview": "reconcile:\n  preview: true\n",
    "publish": "reconcile:\n  publish: true\n",
}


def seed(emulator: Emulator) -> None:
    emulator.load([harness.live_connector(0)])
    emulator.settings(previewSeconds=DELAY, publishSeconds=DELAY)


def noticed_after(folder: Path, step: str) -> float:
    """Seconds from "waiting for STEP" to "STEP: succeeded" on apply's stderr."""
    process = subprocess.Popen(
        [harness.CLI, "apply", str(folder)],
        env=harness.environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    stamps: dict[str, float] = {}
    for line in process.stderr:
        if f": waiting for {step}" in line:
            stamps.setdefault("requested", time.perf_counter())
        elif f": {step}: succeeded" in line:
            stamps.setdefault("noticed", time.perf_counter())
    if process.wait() != 0 or len(stamps) != 2:
        raise RuntimeError(f"apply did not report a {step} outcome (exit {process.returncode})")
    return stamps["noticed"] - stamps["requested"]


def measure_one(emulator: Emulator, work: Path, step: str) -> Row:
    folder = harness.write_folder(
        work / step, emulator.url, 1, tag="v1.1.0", reconcile=POLICIES[step]
    )
    waits = []
    for attempt in range(harness.RUNS + 1):
        seed(emulator)
        waited = noticed_after(folder, step)
        if attempt > 0:
            waits.append(waited)
    noticed = statistics.median(waits)
    budget = max(1.5 * DELAY, 2.0)
    return Row(
        scenario=f"{step} outcome noticed, emulator delay {DELAY:.0f} s",
        ours=harness.seconds(noticed),
        floor=f"{DELAY:.3f} s",
        ratio=f"{noticed / DELAY:.2f}",
        budget=f"<= {budget:.1f} s",
        holds=noticed <= budget,
        details={"seconds": noticed, "runs": waits},
    )


def main() -> None:
    with harness.emulator() as emulator, harness.scratch() as work:
        harness.emit([measure_one(emulator, Path(work), step) for step in POLICIES])


if __name__ == "__main__":
    main()
