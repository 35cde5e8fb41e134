"""The real ``connect-gitops`` command line, run as a user runs it: in its own process (the
module or the installed script) or in-process with click's runner, with dummy credentials in a
clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

SECRET = "s3cr3t-client-secret-value"
CLIENT_ID = "cli-tests"
SCRIPT = Path(sys.executable).parent / "connect-gitops"
"""The installed console script, beside the interpreter running the tests."""


def environment(**extra: str) -> dict[str, str]:
    """The environment of a CLI run: no GitHub, CTP or proxy variables of the machine,
    credentials of the tests, no colour, a CI log (plain progress lines); ``extra`` on top."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GITHUB_", "CTP_")) and not k.lower().endswith("_proxy")
    }
    env.update(
        CTP_CLIENT_ID=CLIENT_ID,
        CTP_CLIENT_SECRET=SECRET,
        NO_COLOR="1",
        CI="true",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def cli(
    *args: str,
    cwd: Path | None = None,
    script: bool = False,
    timeout: float = 120,
    preexec_fn: Callable[[], None] | None = None,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process (``python -m connect_gitops``, or the installed script);
    ``env`` on top of :func:`environment`."""
    command = [str(SCRIPT)] if script else [sys.executable, "-m", "connect_gitops"]
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        env=environment(**env),
        cwd=cwd,
        timeout=timeout,
        preexec_fn=preexec_fn,
        check=False,
    )


def start_cli(*args: str, **env: str) -> subprocess.Popen[bytes]:
    """The CLI started in a child process that the test stops (or kills) itself."""
    return subprocess.Popen(
        [sys.executable, "-m", "connect_gitops", *args],
        env=environment(**env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def invoke(*args: str) -> Result:
    """The CLI in this process (click's runner): fast, and the environment is the test's own."""
    from connect_gitops.cli import main

    return CliRunner().invoke(main, list(args))
