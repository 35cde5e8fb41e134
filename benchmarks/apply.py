"""Scenario 2: apply of 200 changed connectors with 50 ms of emulator latency per request.

Budget (design.md section 9): at most 1.5 x the floor, where the floor is the network's share,
50 ms x (2 + 200 / concurrency 10) (token, one page, then 20 waves of 10 updates), plus the same
run's local cost: a plan of the same 200 at zero latency, measured as a whole process.
"""

from __future__ import annotations

from pathlib import Path

import harness
from harness import Emulator, Row

COUNT = 200
LATENCY_MS = 50
CONCURRENCY = 10
MAX_RATIO = 1.5


def seed(emulator: Emulator, latency_ms: int) -> None:
    """Every connector at edition 0 (the declarations are edition 1), a fresh journal."""
    emulator.load([harness.live_connector(i) for i in range(COUNT)])
    emulator.faults(latencyMs=latency_ms)
    emulator.clear_journal()


def measure(emulator: Emulator, work: Path) -> Row:
    folder = harness.write_folder(work / "apply", emulator.url, COUNT, edition=1)
    local, _ = harness.median_run(
        lambda: harness.cli("plan", str(folder)),
        before=lambda: seed(emulator, 0),
        check=harness.expect_exit(0),
    )
    ours, _ = harness.median_run(
        lambda: harness.cli("apply", str(folder), "--concurrency", str(CONCURRENCY)),
        before=lambda: seed(emulator, LATENCY_MS),
        check=harness.expect_exit(0),
    )
    writes = sum(1 for e in emulator.journal() if e["method"] == "POST")
    emulator.faults(latencyMs=0)
    network = LATENCY_MS / 1000 * (2 + COUNT / CONCURRENCY)
    floor = network + local
    ratio = ours / floor
    return Row(
        scenario=f"apply, {COUNT} changed connectors, {LATENCY_MS} ms latency",
        ours=f"{harness.seconds(ours)}, {writes - 1} updates",
        floor=f"{harness.seconds(floor)} ({network:.2f} s + plan {local:.3f} s)",
        ratio=f"{ratio:.2f}",
        budget=f"<= {MAX_RATIO} x floor",
        holds=ratio <= MAX_RATIO and writes - 1 == COUNT,
        details={"seconds": ours, "floor": floor, "network": network, "local": local},
    )


def main() -> None:
    with harness.emulator() as emulator, harness.scratch() as work:
        harness.emit([measure(emulator, Path(work))])


if __name__ == "__main__":
    main()
