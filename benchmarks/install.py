"""The GitHub Action's install with a warm cache: a fresh virtual environment from the lock.

Runs the action's own ``prepare`` and ``install`` steps (taken from action.yml) as the runner
would, with this interpreter standing in for the one setup-python provides:

1. Cache miss, once: the install step downloads the wheels of action-requirements.txt (from the
   package index, so this figure depends on the network and is informational).
2. Warm cache, measured: every run gets a new job folder ($RUNNER_TEMP) and a new action
   checkout (no compiled modules), with the wheels folder put back as actions/cache restores it;
   then the two steps create the virtual environment and install the lock into it.
   Beside each run, uv installs the same lock from the same wheels into another fresh
   environment (its own cache warm): the alternative the action could use.
3. The first command after the install, ``validate`` of the examples, which compiles each module
   it imports (the install does not byte-compile), then the same command again.

Budget: the install with a warm cache under 5 s.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

import harness
from harness import Row, Run

ROOT = harness.ROOT
LOCK = "action-requirements.txt"
BUDGET = 5.0
RUNS = 5
STEPS: dict[str, Any] = {
    step["id"]: step
    for step in yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["runs"]["steps"]
    if "id" in step and "run" in step
}


def environment(runner: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CTP_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a runner writes compiled modules
    env.update(RUNNER_TEMP=str(runner / "temp"), NO_COLOR="1")
    return env


def step(name: str, runner: Path, env: dict[str, str]) -> tuple[Run, dict[str, str]]:
    """One step of action.yml, run as the runner runs ``shell: bash``; its outputs."""
    script = runner / f"{name}.sh"
    script.write_text(STEPS[name]["run"], encoding="utf-8")
    output = runner / f"{name}.output"
    output.write_text("", encoding="utf-8")
    done = harness.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        env={**env, "GITHUB_OUTPUT": str(output)},
        cwd=runner,
    )
    if done.returncode != 0:
        raise RuntimeError(f"step {name} failed:\n{done.stdout}\n{done.stderr}")
    lines = output.read_text(encoding="utf-8").splitlines()
    return done, dict(line.split("=", 1) for line in lines if "=" in line)


def new_job(work: Path, number: int, wheels: Path | None) -> tuple[Path, Path]:
    """A job folder and a fresh action checkout (lock and src/, nothing compiled); the wheels
    folder restored into the job as actions/cache would."""
    runner = work / f"job-{number}"
    (runner / "temp").mkdir(parents=True)
    action = runner / "action"
    action.mkdir()
    shutil.copy(ROOT / LOCK, action / LOCK)
    shutil.copytree(
        ROOT / "src", action / "src", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    if wheels is not None:
        shutil.copytree(wheels, runner / "temp" / wheels.name)
    return runner, action


def install(runner: Path, action: Path) -> tuple[float, dict[str, str], str]:
    """The action's prepare and install steps: their time, outputs and log."""
    env = {**environment(runner), "PYTHON": sys.executable, "ACTION_PATH": str(action)}
    prepared, outputs = step("prepare", runner, env)
    env.update(VENV=outputs["venv"], WHEELS=outputs["wheels"], INSTALL=outputs["install"])
    installed, installed_outputs = step("install", runner, env)
    return prepared.wall + installed.wall, {**outputs, **installed_outputs}, installed.stdout


def install_with_uv(runner: Path, wheels: Path, cache: Path) -> float:
    venv = runner / "uv-venv"
    uv = str(harness.BIN / "uv")
    env = {**environment(runner), "UV_CACHE_DIR": str(cache), "UV_NO_CONFIG": "1"}
    start = time.perf_counter()
    for argv in (
        [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
        [uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), "--offline",
         "--no-index", "--find-links", str(wheels), "--require-hashes", "--no-deps",
         "--requirement", str(ROOT / LOCK)],
    ):  # fmt: skip
        subprocess.run(argv, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def validate(cli: str, runner: Path) -> Run:
    done = harness.run([cli, "validate", str(ROOT / "examples")], env=environment(runner))
    harness.expect_exit(0)(done)
    return done


def main() -> None:
    with harness.scratch() as scratch, tempfile.TemporaryDirectory() as uv_cache:
        work = Path(scratch)
        runner, action = new_job(work, 0, None)
        start = time.perf_counter()
        _, outputs, _ = install(runner, action)
        cold = time.perf_counter() - start
        wheels = Path(outputs["wheels"])
        size = sum(f.stat().st_size for f in wheels.iterdir()) / 1e6
        install_with_uv(runner, wheels, Path(uv_cache))  # warms uv's own cache

        pip_times, uv_times, first_runs, second_runs = [], [], [], []
        for number in range(1, RUNS + 2):
            runner, action = new_job(work, number, wheels)
            took, outputs, log = install(runner, action)
            if outputs["install"] != "true" or "downloading" in log:
                raise RuntimeError(f"expected an install from the restored wheels: {outputs}")
            uv_took = install_with_uv(runner, wheels, Path(uv_cache))
            first = validate(outputs["cli"], runner).wall
            second = validate(outputs["cli"], runner).wall
            if number > 1:  # the first is the warm-up
                pip_times.append(took)
                uv_times.append(uv_took)
                first_runs.append(first)
                second_runs.append(second)

    pip_median, uv_median = statistics.median(pip_times), statistics.median(uv_times)
    harness.emit(
        [
            Row(
                scenario="action install, warm wheel cache: fresh venv from the lock (pip)",
                ours=harness.seconds(pip_median),
                floor=f"{harness.seconds(uv_median)} (uv, same wheels)",
                ratio=f"{pip_median / uv_median:.1f}",
                budget=f"< {BUDGET:.0f} s",
                holds=pip_median < BUDGET,
                details={"pip": pip_times, "uv": uv_times},
            ),
            Row(
                scenario="first command after the install (validate examples, compiling)",
                ours=harness.seconds(statistics.median(first_runs)),
                floor=f"{harness.seconds(statistics.median(second_runs))} (the same again)",
            ),
            Row(
                scenario=f"action install, cache miss: download the lock ({size:.1f} MB)",
                ours=harness.seconds(cold),
            ),
        ]
    )


if __name__ == "__main__":
    main()
