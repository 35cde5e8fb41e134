"""Scenario 3: `apply --changed-since HEAD~1` after a one-file commit among 1,000 declarations
(in 700 files, some holding several).

Budget (design.md section 9): only that file parsed, at most 3 API requests before its write
(token and one GET by key, from the emulator's journal). Prints the run's time and requests.
The number of files parsed is read in-process from `apply.scope.load_scope`, the very function
the command calls, since the command does not print it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import harness
from harness import Emulator, Row

COUNT = 1_000
CHANGED = 420
"""A connector alone in its file (:func:`harness.file_groups`)."""
MAX_REQUESTS = 3


def git(folder: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)


def make_repository(emulator: Emulator, work: Path) -> Path:
    """A repository of 1,000 declarations, then one commit that changes one of them."""
    folder = harness.write_folder(work / "push", emulator.url, COUNT)
    git(folder, "init", "--quiet", "--initial-branch=main")
    git(folder, "add", ".")
    git(folder, "commit", "--quiet", "-m", "1,000 declarations")
    path = folder / "connectors" / f"{harness.key_of(CHANGED)}.yaml"
    assert [CHANGED] in harness.file_groups(COUNT)
    path.write_text(harness.declaration_yaml(CHANGED, edition=1), encoding="utf-8")
    git(folder, "commit", "--quiet", "-am", "change one declaration")
    return folder


def files_parsed(folder: Path) -> int:
    from connect_gitops.apply.scope import Selection, load_scope

    scope = load_scope(Selection(folder, changed_since="HEAD~1"), harness.environment())
    return len(scope.parsed_files)


def measure(emulator: Emulator, work: Path) -> Row:
    folder = make_repository(emulator, work)
    live = [harness.live_connector(i) for i in range(COUNT)]

    def seed() -> None:
        emulator.load(live)
        emulator.clear_journal()

    ours, _ = harness.median_run(
        lambda: harness.cli("apply", str(folder), "--changed-since", "HEAD~1"),
        before=seed,
        check=harness.expect_exit(0),
    )
    journal = emulator.journal()
    before_write = harness.requests_before_first_write(journal)
    parsed = files_parsed(folder)
    return Row(
        scenario=f"apply --changed-since, 1 changed file among {COUNT:,} declarations",
        ours=(
            f"{harness.seconds(ours)}, {parsed} file parsed, "
            f"{before_write} requests before the write, {len(journal)} in all"
        ),
        budget=f"1 file parsed, <= {MAX_REQUESTS} requests before the write",
        holds=parsed == 1 and before_write <= MAX_REQUESTS and len(journal) > before_write,
        details={
            "seconds": ours,
            "parsed": parsed,
            "requestsBeforeWrite": before_write,
            "requests": len(journal),
        },
    )


def main() -> None:
    with harness.emulator() as emulator, harness.scratch() as work:
        harness.emit([measure(emulator, Path(work))])


if __name__ == "__main__":
    main()
