"""Scenario 4: peak memory (max RSS, from wait4) of a plan over 10,000 connectors.

Budget (design.md section 9): under 300 MB for the whole `connect-gitops plan` process.
"""

from __future__ import annotations

from pathlib import Path

import harness
from harness import Emulator, Row

COUNT = 10_000
MAX_MB = 300.0


def measure(emulator: Emulator, work: Path) -> Row:
    folder = harness.write_folder(work / "memory", emulator.url, COUNT)
    emulator.load([harness.live_connector(i) for i in range(COUNT)])
    wall, runs = harness.median_run(
        lambda: harness.cli("plan", str(folder), "--detailed-exitcode"),
        check=harness.expect_exit(0),
    )
    peak = max(r.max_rss_mb for r in runs)
    return Row(
        scenario=f"plan, {COUNT:,} connectors: peak memory",
        ours=f"{peak:.0f} MB (in {harness.seconds(wall)})",
        ratio=f"{peak / MAX_MB:.2f}",
        budget=f"< {MAX_MB:.0f} MB",
        holds=peak < MAX_MB,
        details={"maxRssMb": peak, "seconds": wall},
    )


def main() -> None:
    with harness.emulator() as emulator, harness.scratch() as work:
        harness.emit([measure(emulator, Path(work))])


if __name__ == "__main__":
    main()
