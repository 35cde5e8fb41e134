"""The chaos harness: every fault of the emulator at once, and runs repeated until they converge.

The guarantee the chaos tests hold the tool to (README, "Guarantees"): under realistic fault
rates ``apply`` reaches exit 0 within ``MAX_RUNS`` runs (a fault may outlast the client's five
attempts and fail one connector, which the next run, like a CI re-run, picks up), it never
creates a connector twice, it never loses a concurrent writer's change to a field it does not
manage, and a run that fails says why in one line, never with a traceback.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Sized
from pathlib import Path
from typing import Any

from tests.support.cli import cli, start_cli
from tests.support.declarations import declared_fields
from tests.support.emulator import control, live, set_faults

MAX_RUNS = 3
"""Runs of ``apply`` (or ``plan``) allowed to reach exit 0 under faults: the guarantee."""

KEYS = [f"chaos-{i:02d}" for i in range(60)]

NO_FAULTS: dict[str, Any] = {
    "latencyMs": 0,
    "errorRate": 0.0,
    "rateLimitEvery": 0,
    "dropRate": 0.0,
    "ambiguousRate": 0.0,
    "conflictRate": 0.0,
}


def every_fault(seed: int) -> dict[str, Any]:
    """Every fault of the control API at once, at rates a bad day on a real API could show."""
    return {
        "latencyMs": 5,
        "errorRate": 0.05,
        "errorStatuses": [500, 502, 503, 504],
        "rateLimitEvery": 13,
        "retryAfterSeconds": 1,
        "dropRate": 0.03,
        "ambiguousRate": 0.1,
        "conflictRate": 0.1,
        "seed": seed,
    }


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-4000:]
    assert "ExceptionGroup" not in output, output[-4000:]


def failed_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The lines of a failed run that say what failed (for the assertion messages)."""
    return [
        line
        for line in result.stderr.splitlines()
        if line.startswith(("! failed", "error:", "Apply:"))
    ]


def run_until_ok(*args: str, expect_ok: int = 0) -> list[subprocess.CompletedProcess[str]]:
    """Run the CLI until it exits ``expect_ok``, at most MAX_RUNS times; every run is returned.

    A run that does not succeed must fail cleanly: exit 1, a one-line reason, no traceback.
    """
    results: list[subprocess.CompletedProcess[str]] = []
    for _ in range(MAX_RUNS):
        result = cli(*args)
        results.append(result)
        assert_no_traceback(result)
        if result.returncode == expect_ok:
            return results
        print(f"{args[0]} run {len(results)} exit {result.returncode}: {failed_lines(result)}")
        assert result.returncode == 1, result.stderr[-4000:]
        assert failed_lines(result), result.stderr[-4000:]
    reasons = [failed_lines(r) for r in results]
    raise AssertionError(f"{args[0]} did not reach exit {expect_ok} in {MAX_RUNS} runs: {reasons}")


def managed(connector: dict[str, Any]) -> dict[str, Any]:
    creator = connector.get("creator") or {}
    repository = connector.get("repository") or {}
    return {
        "key": connector["key"],
        "name": connector.get("name"),
        "description": connector.get("description"),
        "integrationTypes": sorted(connector.get("integrationTypes") or []),
        "creator": {k: creator.get(k) for k in ("email", "noOfContributors")},
        "repository": {"url": repository.get("url"), "tag": repository.get("tag")},
        "supportedRegions": sorted(connector.get("supportedRegions") or []),
    }


def live_without_faults(url: str) -> list[dict[str, Any]]:
    """The live connectors, read by the test itself with faults switched off (then restored)."""
    saved = control(url, "GET", "state").get("faults")
    set_faults(url, NO_FAULTS)
    try:
        return live(url)
    finally:
        if saved is not None:
            set_faults(url, saved)


def assert_live_matches(url: str, keys: list[str], *, tag: str, description: str) -> None:
    """Exactly one connector per key, each holding exactly the declared managed values."""
    connectors = live_without_faults(url)
    counts = Counter(c["key"] for c in connectors)
    duplicates = sorted(k for k, n in counts.items() if n > 1)
    assert duplicates == [], f"created twice: {duplicates}"
    assert sorted(counts) == sorted(keys)
    wrong = [
        c["key"]
        for c in connectors
        if managed(c) != declared_fields(c["key"], tag=tag, description=description)
    ]
    assert wrong == [], f"live differs from the declarations: {wrong}"


def apply_killed_after(
    folder: Path, count: int, rng: random.Random, writes: Callable[[], Sized]
) -> int:
    """Start an apply and SIGKILL it once ``writes()`` grew by ``count`` (0: at a random moment
    before or during its first requests). Returns how many writes it got to send."""
    before = len(writes())
    process = start_cli("apply", str(folder), "--concurrency", "3")
    try:
        if count == 0:
            time.sleep(rng.uniform(0.05, 0.8))
        else:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and process.poll() is None:
                if len(writes()) - before >= count:
                    break
                time.sleep(0.01)
    finally:
        if process.poll() is None:  # an apply with little left to do may finish first
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    return len(writes()) - before
