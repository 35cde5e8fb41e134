"""Loading 1,000 declaration files: our loader against PyYAML's C loader (budget: within 3x).

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

from connect_gitops.source.config import load_config
from connect_gitops.source.files import discover_files
from connect_gitops.source.loader import load_folder

FILES = 1000
RUNS = 5
BUDGET = 3.0

TEMPLATE = """\
# yaml-language-server: $schema=../../schema/connector.schema.json
key: connector-{i:04d}
name: Connector {i}
description: Generated connector number {i} for the loading benchmark.
integrationTypes: [psp, tax]
creator:
  email: team-{i}@example.com
  company: Example Ltd
  noOfContributors: {contributors}
repository:
  url: git@github.com:example/connector-{i:04d}.git
  tag: v1.{i}.0
privateProjects:
  - europe-west1.gcp:shop-staging
  - europe-west1.gcp:shop-prod
supportedRegions: [europe-west1.gcp, eu-central-1.aws]
documentationUrl: https://example.com/docs/{i}
reconcile:
  preview: true
  publish: {publish}
"""


def generate(root: Path) -> None:
    (root / "connect-gitops.yaml").write_text(
        'connectors: ["connectors/**/*.yaml"]\n'
        "targets:\n  local: {emulator: .connect-gitops/emulator.json}\n"
    )
    for i in range(FILES):
        folder = root / "connectors" / f"group-{i % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        text = TEMPLATE.format(i=i, contributors=i % 7 + 1, publish="true" if i % 2 else "false")
        (folder / f"connector-{i:04d}.yaml").write_text(text)


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
        assert len(paths) == FILES

        def ours() -> object:
            result = load_folder(root, config)
            assert len(result.declarations) == FILES, result.problems[:3]
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
    print(f"files: {FILES}, median of {RUNS} runs after a warm-up")
    print(f"connect-gitops load (parse + validate): {ours_s * 1000:.1f} ms")
    print(f"PyYAML CSafeLoader (parse only):        {pyyaml_s * 1000:.1f} ms")
    print(f"ratio: {ratio:.2f}x (budget {BUDGET:.0f}x) -> {'ok' if ratio <= BUDGET else 'OVER'}")
    return 0 if ratio <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
