"""Scenario 1: plan of 1,000 unchanged connectors against its floor, and its request count.

The declarations mix the styles users write (harness.STYLES), some files holding several.

Budget (design.md section 9): at most 3 API requests (token + 2 pages of 500) and a wall time at
most 2.5 x the floor: PyYAML's C loader parsing the same files plus the same three requests
(floor.py), timed in its own process the same way, in the same run: the two alternate, and the
ratio is the median of the per-pair ratios, so that a machine slowing down weighs on both.
"""

from __future__ import annotations

import sys
from pathlib import Path

import harness
from harness import Emulator, Row

COUNT = 1_000
MAX_REQUESTS = 3
MAX_RATIO = 2.5
FLOOR = str(Path(__file__).resolve().parent / "floor.py")


def measure(emulator: Emulator, work: Path, count: int = COUNT) -> Row:
    folder = harness.write_folder(work / f"plan-{count}", emulator.url, count)
    emulator.load([harness.live_connector(i) for i in range(count)])
    timed = harness.side_by_side(
        lambda: harness.cli("plan", str(folder), "--detailed-exitcode"),
        lambda: harness.run([sys.executable, FLOOR, str(folder), emulator.url]),
        check=harness.expect_exit(0),
    )
    emulator.clear_journal()
    harness.cli("plan", str(folder), "--detailed-exitcode")
    requests = len(emulator.journal())
    return Row(
        scenario=f"plan, {count:,} unchanged connectors",
        ours=f"{harness.seconds(timed.ours)}, {requests} requests",
        floor=harness.seconds(timed.floor),
        ratio=f"{timed.ratio:.2f}",
        budget=f"<= {MAX_RATIO} x floor, <= {MAX_REQUESTS} requests",
        holds=timed.ratio <= MAX_RATIO and requests <= MAX_REQUESTS,
        details={
            "seconds": timed.ours,
            "floor": timed.floor,
            "ratio": timed.ratio,
            "requests": requests,
            "count": count,
        },
    )


def main() -> None:
    with harness.emulator() as emulator, harness.scratch() as work:
        harness.emit([measure(emulator, Path(work))])


if __name__ == "__main__":
    main()
