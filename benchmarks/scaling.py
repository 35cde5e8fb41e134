"""How plan time grows with the number of connectors: 100, 1,000 and 10,000, all unchanged.

No budget of its own; the README quotes this line.
"""

from __future__ import annotations

from pathlib import Path

import harness
from harness import Emulator, Row

SIZES = (100, 1_000, 10_000)


def plan_seconds(emulator: Emulator, work: Path, count: int) -> float:
    folder = harness.write_folder(work / f"scaling-{count}", emulator.url, count)
    emulator.load([harness.live_connector(i) for i in range(count)])
    wall, _ = harness.median_run(
        lambda: harness.cli("plan", str(folder), "--detailed-exitcode"),
        check=harness.expect_exit(0),
    )
    return wall


def measure(emulator: Emulator, work: Path) -> Row:
    walls = {count: plan_seconds(emulator, work, count) for count in SIZES}
    line = ", ".join(f"{count:,}: {harness.seconds(wall)}" for count, wall in walls.items())
    return Row(
        scenario="plan scaling (unchanged connectors)",
        ours=line,
        details={str(count): wall for count, wall in walls.items()},
    )


def main() -> None:
    with harness.emulator() as emulator, harness.scratch() as work:
        harness.emit([measure(emulator, Path(work))])


if __name__ == "__main__":
    main()
