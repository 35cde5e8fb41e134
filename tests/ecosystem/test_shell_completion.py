"""Shell completion as the README sets it up: click's `_CONNECT_GITOPS_COMPLETE` protocol.

bash is driven the way it drives a completion itself: the README's `eval` line defines the
completion function, then COMP_WORDS / COMP_CWORD describe the command line being typed and the
function fills COMPREPLY by asking `connect-gitops` (found on PATH) for the candidates.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.readme import code_block

BIN = Path(sys.executable).parent


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("_CONNECT_GITOPS")}
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    return env


def readme_line(shell: str) -> str:
    """The README's setup line for `shell`."""
    lines = code_block("### Shell completion", "sh").splitlines()
    [line] = [line for line in lines if f"={shell}_source" in line]
    return line.split("#")[0].strip()


def bash_complete(*words: str) -> list[str]:
    """What bash offers for the command line `words` (the last one is being typed)."""
    script = f"""
        {readme_line("bash")}
        COMP_WORDS=({" ".join(shlex.quote(w) for w in words)})
        COMP_CWORD={len(words) - 1}
        COMPREPLY=()
        _connect_gitops_completion connect-gitops
        printf '%s\\n' "${{COMPREPLY[@]}}"
    """
    done = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return [line for line in done.stdout.splitlines() if line]


def test_bash_completes_commands_options_and_choices() -> None:
    assert bash_complete("connect-gitops", "pl") == ["plan"]
    assert bash_complete("connect-gitops", "plan", "--form") == ["--format"]
    assert bash_complete("connect-gitops", "plan", "--format", "") == ["text", "json", "markdown"]
    assert "validate" in bash_complete("connect-gitops", "")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_each_shell_gets_its_script(shell: str) -> None:
    line = readme_line(shell)
    assert f"_CONNECT_GITOPS_COMPLETE={shell}_source connect-gitops" in line
    done = subprocess.run(
        [str(BIN / "connect-gitops")],
        env={**environment(), "_CONNECT_GITOPS_COMPLETE": f"{shell}_source"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "_CONNECT_GITOPS_COMPLETE" in done.stdout
    assert f"{shell}_complete" in done.stdout
