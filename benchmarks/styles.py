"""Scenario 6: the same 1,000 connectors written in flow style and in block style plan alike.

The README's own syntax is flow style (``privateProjects: [europe-west1.gcp:shop-a]``); the
YAML reader must not fall off its fast path for it. The two folders hold the same data; their
plans alternate, 11 pairs, and the ratio is the median of the pair ratios (flow / block).
Budget: within 10 % of each other.
"""

from __future__ import annotations

from pathlib import Path

import harness
from harness import Emulator, Row

COUNT = 1_000
MAX_DIFFERENCE = 0.10


def measure(emulator: Emulator, work: Path) -> Row:
    flow = harness.write_folder(work / "flow", emulator.url, COUNT, style="flow")
    block = harness.write_folder(work / "block", emulator.url, COUNT, style="block")
    emulator.load([harness.live_connector(i) for i in range(COUNT)])
    timed = harness.side_by_side(
        lambda: harness.cli("plan", str(flow), "--detailed-exitcode"),
        lambda: harness.cli("plan", str(block), "--detailed-exitcode"),
        check=harness.expect_exit(0),
    )
    return Row(
        scenario=f"plan, {COUNT:,} connectors: flow style against block style",
        ours=f"{harness.seconds(timed.ours)} (flow)",
        floor=f"{harness.seconds(timed.floor)} (block)",
        ratio=f"{timed.ratio:.2f}",
        budget=f"within {MAX_DIFFERENCE:.0%}",
        holds=abs(timed.ratio - 1.0) <= MAX_DIFFERENCE,
        details={"flow": timed.ours, "block": timed.floor, "ratio": timed.ratio},
    )


def main() -> None:
    with harness.emulator() as emulator, harness.scratch() as work:
        harness.emit([measure(emulator, Path(work))])


if __name__ == "__main__":
    main()
