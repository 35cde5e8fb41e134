"""`make bench`: run every benchmark script in its own process and print one table.

Each script prints a `BENCH-JSON` line of rows; load.py (the loader against PyYAML, in-process)
prints text and is read from its `ratio:` line. Exits 1 when any budget fails.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from harness import Row

HERE = Path(__file__).resolve().parent
SCRIPTS = (
    "plan.py",
    "deployments.py",
    "styles.py",
    "apply.py",
    "push.py",
    "memory.py",
    "lifecycle.py",
    "scaling.py",
    "install.py",
)
COLUMNS = ("scenario", "ours", "floor", "ratio", "budget", "holds")


def run_script(name: str) -> list[Row]:
    print(f"running {name} ...", file=sys.stderr, flush=True)
    done = subprocess.run(
        [sys.executable, str(HERE / name)], capture_output=True, text=True, cwd=HERE
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            return [Row(**row) for row in json.loads(line.removeprefix("BENCH-JSON "))]
    return [Row(scenario=name, ours=f"error (exit {done.returncode})", holds=False)]


def run_load() -> list[Row]:
    """load.py, if present: our loader (parse + validate) against PyYAML's C loader."""
    if not (HERE / "load.py").exists():
        return []
    print("running load.py ...", file=sys.stderr, flush=True)
    done = subprocess.run([sys.executable, str(HERE / "load.py")], capture_output=True, text=True)
    text = done.stdout + done.stderr
    ours = re.search(r"connect-gitops load[^:]*:\s*([\d.]+ ms)", text)
    floor = re.search(r"PyYAML[^:]*:\s*([\d.]+ ms)", text)
    ratio = re.search(r"ratio: ([\d.]+)x \(budget ([\d.]+)x\)", text)
    if not (ours and floor and ratio):
        return [Row(scenario="load.py", ours=f"error (exit {done.returncode})", holds=False)]
    return [
        Row(
            scenario="load 1,000 connectors in-process (parse + validate)",
            ours=ours.group(1),
            floor=floor.group(1) + " (PyYAML parse)",
            ratio=ratio.group(1),
            budget=f"<= {ratio.group(2)} x floor",
            holds=done.returncode == 0 and float(ratio.group(1)) <= float(ratio.group(2)),
        )
    ]


def table(rows: list[Row]) -> str:
    cells = [
        [
            r.scenario,
            r.ours,
            r.floor,
            r.ratio,
            r.budget,
            {True: "yes", False: "NO", None: "-"}[r.holds],
        ]
        for r in rows
    ]
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def main() -> int:
    rows = [row for name in SCRIPTS for row in run_script(name)]
    rows += run_load()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}")
    print(table(rows))
    failed = [r.scenario for r in rows if r.holds is False]
    if failed:
        print("budget failed: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
