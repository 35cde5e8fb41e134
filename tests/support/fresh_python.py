"""Python code run in a fresh interpreter, for what needs a process of its own: a fork (a
process with threads never forks, and the test session serves its emulator from a thread), how
a process exits, or which modules a run loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def run_python(
    code: str, *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -c code args...`` in ``cwd`` (``code`` may be indented), output captured."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=dict(env) if env is not None else {**os.environ},
        timeout=120,
        check=False,
    )


def python_json(
    code: str, *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The JSON object that ``code`` prints last; the run must succeed."""
    done = run_python(code, *args, cwd=cwd, env=env)
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found
