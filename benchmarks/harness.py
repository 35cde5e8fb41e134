"""What every benchmark shares: an emulator in its own process, generated folders, timed runs.

The emulator runs as a separate ``connect-gitops emulator`` process so that its CPU time is not
charged to the command being measured; every measured command is a whole new process, timed from
spawn to exit (median of several runs after a warm-up), with its peak memory from ``wait4``.
Control calls use the standard library only, so the harness itself adds no import cost.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLI = str(BIN / "connect-gitops")
PROJECT = "emulator-project"
REGION = "europe-west1.gcp"
RUNS = 3
"""Measured runs per figure (after one warm-up run); the figure is their median."""
SIDE_BY_SIDE_RUNS = 11
"""Measured pairs when a figure is compared with a floor run beside it (:func:`side_by_side`)."""

JsonObject = dict[str, Any]


# --- results ---------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: our figure against its floor and budget."""

    scenario: str
    ours: str
    floor: str = "-"
    ratio: str = "-"
    budget: str = "-"
    holds: bool | None = None
    """None for an informational row (no budget)."""
    details: JsonObject = field(default_factory=dict)


def emit(rows: Sequence[Row]) -> None:
    """Print the rows for a reader, then one JSON line that run_all.py collects."""
    for row in rows:
        verdict = {True: "holds", False: "FAILS", None: "-"}[row.holds]
        print(
            f"{row.scenario}: {row.ours} (floor {row.floor}, ratio {row.ratio}, "
            f"budget {row.budget}) {verdict}",
            file=sys.stderr,
        )
    print("BENCH-JSON " + json.dumps([asdict(r) for r in rows]))


def seconds(value: float) -> str:
    return f"{value:.3f} s"


# --- the emulator ----------------------------------------------------------------------------


class Emulator:
    """Control of a running emulator through its `/_emulator` API."""

    def __init__(self, url: str) -> None:
        self.url = url

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def reset(self) -> None:
        self.call("POST", "/_emulator/reset")

    def load(self, connectors: Sequence[JsonObject]) -> None:
        """Replace the whole state by these connectors (no tokens, default settings)."""
        state = {
            "formatVersion": 1,
            "projects": {
                PROJECT: {"connectors": list(connectors), "meta": {}, "published": {}},
            },
        }
        self.call("PUT", "/_emulator/state", state)

    def faults(self, **faults: Any) -> None:
        self.call("PUT", "/_emulator/faults", faults)

    def settings(self, **settings: Any) -> None:
        self.call("PUT", "/_emulator/settings", settings)

    def journal(self) -> list[JsonObject]:
        entries: list[JsonObject] = self.call("GET", "/_emulator/requests")
        return entries

    def clear_journal(self) -> None:
        self.call("DELETE", "/_emulator/requests")

    def connectors(self) -> list[JsonObject]:
        state = self.call("GET", "/_emulator/state")
        found: list[JsonObject] = state["projects"].get(PROJECT, {}).get("connectors", [])
        return found


@contextmanager
def emulator() -> Iterator[Emulator]:
    """``connect-gitops emulator --port 0`` in its own process; stopped on exit."""
    process = subprocess.Popen(
        [CLI, "emulator", "--port", "0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        if match is None:
            raise RuntimeError(f"the emulator did not start: {line.strip()!r}")
        yield Emulator(match.group(0))
    finally:
        process.terminate()
        process.wait(10)


# --- declarations and their live counterparts -------------------------------------------------


def key_of(index: int) -> str:
    return f"bench-connector-{index:05d}"


def description(index: int, edition: int) -> str:
    """Edition 0 is what the emulator is seeded with; any other edition is a change."""
    suffix = f" Edition {edition}." if edition else ""
    return f"Connector number {index}, generated for the benchmarks.{suffix}"


STYLES = ("block", "flow", "quoted", "commented")
"""How users write declarations; connector ``index`` is written in style ``index % 4``."""

FILE_SIZES = (1, 1, 1, 2, 1, 3, 1)
"""Documents per file, repeating: every 10 connectors go to 7 files, some holding several."""


def declaration_yaml(
    index: int,
    *,
    tag: str = "v1.0.0",
    edition: int = 0,
    reconcile: str = "",
    style: str | None = None,
) -> str:
    """A realistic declaration (every managed field), as a user would write it: in block or
    flow style, with plain or quoted scalars, with or without comments (``style``, default
    :data:`STYLES` by index). Every style holds the same data."""
    key = key_of(index)
    style = style or STYLES[index % len(STYLES)]
    projects = [f"{REGION}:shop-staging", f"{REGION}:shop-prod"]
    fields = {
        "key": key,
        "name": f"Benchmark Connector {index}",
        "description": description(index, edition),
        "email": f"team-{index}@example.com",
        "team": f"Team {index}",
        "url": f"https://github.com/example/{key}.git",
        "docs": f"https://example.com/docs/{key}",
    }
    if style == "block":
        text = _BLOCK.format(tag=tag, **fields) + _list_block("privateProjects", projects)
        text += _list_block("supportedRegions", [REGION, "eu-central-1.aws"])
    elif style == "flow":
        text = _FLOW.format(tag=tag, projects=", ".join(projects), region=REGION, **fields)
    elif style == "quoted":
        text = _QUOTED.format(tag=tag, region=REGION, **fields)
        text += _list_block("privateProjects", [f'"{p}"' for p in projects])
    else:
        text = _COMMENTED.format(tag=tag, projects=", ".join(projects), region=REGION, **fields)
    return text + f"documentationUrl: {fields['docs']}\n" + reconcile


def _list_block(name: str, items: list[str]) -> str:
    return f"{name}:\n" + "".join(f"  - {item}\n" for item in items)


_BLOCK = """\
# yaml-language-server: $schema=../schema/connector.schema.json
key: {key}
name: {name}
description: {description}
integrationTypes:
  - psp
  - tax
creator:
  email: {email}
  name: {team}
  company: Example Ltd
  noOfContributors: 3
repository:
  url: {url}
  tag: {tag}
"""

_FLOW = """\
key: {key}
name: {name}
description: {description}
integrationTypes: [psp, tax]
creator: {{email: {email}, name: {team}, company: Example Ltd, noOfContributors: 3}}
repository: {{url: {url}, tag: {tag}}}
privateProjects: [{projects}]
supportedRegions: [{region}, eu-central-1.aws]
"""

_QUOTED = """\
key: "{key}"
name: '{name}'
description: "{description}"
integrationTypes: ["psp", "tax"]
creator:
  email: "{email}"
  name: '{team}'
  company: "Example Ltd"
  noOfContributors: 3
repository:
  url: '{url}'
  tag: "{tag}"
supportedRegions: ['{region}', 'eu-central-1.aws']
"""

_COMMENTED = """\
# yaml-language-server: $schema=../schema/connector.schema.json
# Owned by {team}; ask before changing.
key: {key}   # never change
name: {name}  # shown in the marketplace
description: {description}
integrationTypes: [psp, tax]  # payments and tax
creator:
  email: {email}
  name: {team}
  company: Example Ltd
  noOfContributors: 3  # grows with the team
repository:
  url: {url}
  tag: {tag}   # bump with each release
privateProjects: [{projects}]  # staging first? always
supportedRegions:
  - {region}
  - eu-central-1.aws
"""


def file_groups(count: int) -> list[list[int]]:
    """Connector indices per declaration file (:data:`FILE_SIZES`, repeating)."""
    groups: list[list[int]] = []
    index = 0
    while index < count:
        size = min(FILE_SIZES[len(groups) % len(FILE_SIZES)], count - index)
        groups.append(list(range(index, index + size)))
        index += size
    return groups


def live_connector(index: int, *, tag: str = "v1.0.0") -> JsonObject:
    """The ConnectorStaged (wire form) that matches ``declaration_yaml(index, tag=tag)``."""
    key = key_of(index)
    return {
        "id": f"00000000-0000-4000-8000-{index:012d}",
        "version": 3,
        "key": key,
        "name": f"Benchmark Connector {index}",
        "description": description(index, 0),
        "creator": {
            "email": f"team-{index}@example.com",
            "name": f"Team {index}",
            "company": "Example Ltd",
            "noOfContributors": 3,
        },
        "repository": {"url": f"https://github.com/example/{key}.git", "tag": tag},
        "integrationTypes": ["psp", "tax"],
        "supportedRegions": [REGION, "eu-central-1.aws"],
        "privateProjects": [f"{REGION}:shop-staging", f"{REGION}:shop-prod"],
        "documentationUrl": f"https://example.com/docs/{key}",
        "configurations": [],
        "private": True,
        "status": "Draft",
        "isPreviewable": "none",
        "hasChanges": True,
        "alreadyListed": False,
        "createdAt": "2025-01-01T00:00:00.000Z",
        "lastModifiedAt": "2025-01-01T00:00:00.000Z",
    }


def write_config(folder: Path, url: str) -> None:
    """connect-gitops.yaml with one target: the emulator, as a real API (apiUrl / authUrl)."""
    (folder / "connect-gitops.yaml").write_text(
        'connectors: ["connectors/**/*.yaml"]\n'
        "defaultTarget: bench\n"
        "targets:\n"
        "  bench:\n"
        f"    region: {REGION}\n"
        f"    projectKey: {PROJECT}\n"
        f"    apiUrl: {url}\n"
        f"    authUrl: {url}\n",
        encoding="utf-8",
    )


def write_folder(
    folder: Path,
    url: str,
    count: int,
    *,
    tag: str = "v1.0.0",
    edition: int = 0,
    reconcile: str = "",
    style: str | None = None,
) -> Path:
    """A declarations folder of ``count`` connectors, in mixed styles (or one ``style``), one to
    three documents per file (:func:`file_groups`); returns ``folder``."""
    connectors = folder / "connectors"
    connectors.mkdir(parents=True, exist_ok=True)
    write_config(folder, url)
    for group in file_groups(count):
        documents = [
            declaration_yaml(i, tag=tag, edition=edition, reconcile=reconcile, style=style)
            for i in group
        ]
        path = connectors / f"{key_of(group[0])}.yaml"
        path.write_text("---\n".join(documents), encoding="utf-8")
    return folder


def scratch() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="connect-gitops-bench-")


# --- timed processes -------------------------------------------------------------------------


def environment() -> dict[str, str]:
    """The CLI's environment: credentials for the emulator, no colour, not in GitHub Actions."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CTP_"))}
    env.update(CTP_CLIENT_ID="bench-client", CTP_CLIENT_SECRET="bench-secret", NO_COLOR="1")
    return env


@dataclass
class Run:
    """One finished process: wall seconds, peak resident memory, exit code and output."""

    wall: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run(
    argv: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Run:
    """Run one process to its end; wall time from spawn to exit, peak RSS from wait4."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env if env is not None else environment()),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        # ru_maxrss is in kilobytes on Linux.
        return Run(wall, usage.ru_maxrss / 1024, process.returncode, out.read(), err.read())


def cli(*args: str, cwd: Path | None = None) -> Run:
    return run([CLI, *args], cwd=cwd)


def median_run(
    measure: Callable[[], Run],
    *,
    before: Callable[[], None] = lambda: None,
    runs: int = RUNS,
    check: Callable[[Run], None] | None = None,
) -> tuple[float, list[Run]]:
    """One warm-up, then ``runs`` measured runs (``before`` prepares each); the median wall."""
    measured: list[Run] = []
    for attempt in range(runs + 1):
        before()
        result = measure()
        if check is not None:
            check(result)
        if attempt > 0:
            measured.append(result)
    return statistics.median(r.wall for r in measured), measured


@dataclass(frozen=True)
class SideBySide:
    """Two commands timed in alternation, so that a machine slowing down weighs on both."""

    ours: float
    """Median wall of our command."""
    floor: float
    """Median wall of the floor."""
    ratio: float
    """Median of the per-pair ratios ours / floor."""
    runs: list[Run]
    """Our measured runs."""


def side_by_side(
    ours: Callable[[], Run],
    floor: Callable[[], Run],
    *,
    before: Callable[[], None] = lambda: None,
    runs: int = SIDE_BY_SIDE_RUNS,
    check: Callable[[Run], None] | None = None,
) -> SideBySide:
    """One warm-up of each, then ``runs`` pairs (``before`` prepares ours).

    The files written so far are flushed first (the previous script's writeback would slow
    whichever runs first), and the order alternates, ours first in one pair and the floor first
    in the next, so that neither side always runs on the machine the other just warmed up.
    """
    os.sync()
    pairs: list[tuple[Run, Run]] = []
    for attempt in range(runs + 1):
        before()
        if attempt % 2:
            theirs = floor()
            mine = ours()
        else:
            mine = ours()
            theirs = floor()
        if check is not None:
            check(mine)
            check(theirs)
        if attempt > 0:
            pairs.append((mine, theirs))
    return SideBySide(
        ours=statistics.median(m.wall for m, _ in pairs),
        floor=statistics.median(f.wall for _, f in pairs),
        ratio=statistics.median(m.wall / f.wall for m, f in pairs),
        runs=[m for m, _ in pairs],
    )


def expect_exit(*codes: int) -> Callable[[Run], None]:
    def check(result: Run) -> None:
        if result.returncode not in codes:
            raise RuntimeError(
                f"exit code {result.returncode}, expected {codes}:\n{result.stderr[-3000:]}"
            )

    return check


def requests_before_first_write(journal: Sequence[JsonObject]) -> int:
    """How many requests the run made before its first write (POST to a connector)."""
    for position, entry in enumerate(journal):
        if entry["method"] in ("POST", "DELETE") and entry["path"].startswith("/connectors/"):
            return position
    return len(journal)
