"""A plan with nothing to change loads only what it uses: what it leaves out is start-up time
that every pull request and every scheduled run would pay (design.md section 9)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import cli, environment
from tests.support.declarations import write_config, write_declarations
from tests.support.fresh_python import run_python

WATCH = (
    "tenacity",  # retries: only after a failed attempt
    "rich",  # only for a live display on a terminal, or colour (never httpx's command line)
    "pygments",
    "deepdiff",  # only for connectors that differ
    "git",  # gitpython: only for --changed-since and --remote
    "starlette",  # the emulator: only for the embedded target
    "uvicorn",
    "connect_gitops.reporting.markdown",  # only for --format markdown, Actions, comments
    "connect_gitops.reporting.markdown_deployments",
    "connect_gitops.reporting.markup",
    "connect_gitops.reporting.json",  # only for --format json and saved plans
    "connect_gitops.git.changes",
)

RUN_AND_LIST = """
import json, os, sys
from connect_gitops.cli import entry

leave = entry._leave
def listed(code):
    with open(os.environ["IMPORTED_TO"], "w", encoding="utf-8") as out:
        json.dump(sorted(sys.modules), out)
    leave(code)
entry._leave = listed
sys.argv = ["connect-gitops", *sys.argv[1:]]
entry.run()
"""


def test_a_plan_without_changes_loads_none_of_the_optional_parts(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = write_config(tmp_path / "repo", emulator_url)
    write_declarations(folder, [f"lean-{n}" for n in range(3)])
    applied = cli("apply", str(folder))
    assert applied.returncode == 0, applied.stderr
    listing = tmp_path / "modules.json"

    planned = run_python(
        RUN_AND_LIST,
        "plan",
        str(folder),
        "--detailed-exitcode",
        cwd=tmp_path,
        env=environment(IMPORTED_TO=str(listing)),
    )

    assert planned.returncode == 0, planned.stderr
    assert "No changes" in planned.stderr
    modules = set(json.loads(listing.read_text(encoding="utf-8")))
    loaded = sorted(m for m in modules if any(m == w or m.startswith(w + ".") for w in WATCH))
    assert loaded == []
