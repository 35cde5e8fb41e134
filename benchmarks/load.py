"""Loading 1,000 declarations: our loader against PyYAML's C loader (budget: within 3x).

Both read and parse the same files in the same process; ours also validates every document with
pydantic and resolves targets. Prints both medians (of 5 runs after a warm-up) and the ratio.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

import harness
from connect_gitops.source.config import load_config
from connect_gitops.source.files import discover_files
from connect_gitops.source.loader import load_folder

CONNECTORS = 1000
RUNS = 5
BUDGET = 3.0


def generate(root: Path) -> None:
    """The benchmarks' declarations (mixed styles, several documents in some files), with an
    embedded-emulator target: loading needs no API."""
    harness.write_folder(root, "http://127.0.0.1:1", CONNECTORS)
    (root / "connect-gitops.yaml").write_text(
        'connectors: ["connectors/**/*.yaml"]\n'
        "targets:\n  local: {emulator: .connect-gitops/emulator.json}\n"
    )


def median_seconds(work: Callable[[], object]) -> float:
    work()  # warm-up: imports, caches, page cache
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)
        generate(root)
        config = load_config(root, {})
        paths = [root / p for p in discover_files(root, config.connector_globs)]

        def ours() -> object:
            result = load_folder(root, config)
            assert len(result.declarations) == CONNECTORS, result.problems[:3]
            assert not result.round_trip_files
            return result

        def pyyaml() -> object:
            documents = []
            for path in paths:
                with path.open("rb") as stream:
                    documents.extend(yaml.load_all(stream, Loader=yaml.CSafeLoader))
            return documents

        ours_s = median_seconds(ours)
        pyyaml_s = median_seconds(pyyaml)
    ratio = ours_s / pyyaml_s
    print(f"{CONNECTORS} connectors in {len(paths)} files, median of {RUNS} runs after a warm-up")
    print(f"connect-gitops load (parse + validate): {ours_s * 1000:.1f} ms")
    print(f"PyYAML CSafeLoader (parse only):        {pyyaml_s * 1000:.1f} ms")
    print(f"ratio: {ratio:.2f}x (budget {BUDGET:.0f}x) -> {'ok' if ratio <= BUDGET else 'OVER'}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
