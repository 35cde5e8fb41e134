"""Plan of 1,000 unchanged connectors plus 1,000 unchanged deployments, and its request count.

Budget (issue 18): at most 5 API requests: the token, and 2 pages of 500 each for the connectors
and the deployments. The deployments are pinned to the connector version they run, as production
deployments usually are, so no connector facts are needed. The same deployments unpinned (the
default) are measured too: they need the latest version of each connector, which the plan reads
from 2 more pages (the published connectors), so 7 requests, reported in the row's details. The
wall time is shown beside the plan of the same 1,000 connectors alone, measured alternately in
the same run: the ratio is what the deployments add.
"""

from __future__ import annotations

from pathlib import Path

import harness
from harness import REGION, Emulator, JsonObject, Row

COUNT = 1_000
MAX_REQUESTS = 5
SECRET = "BENCH_SECRET"


def deployment_key(index: int) -> str:
    return f"bench-deployment-{index:05d}"


def deployment_yaml(index: int, *, pinned: bool = True) -> str:
    """A production deployment of connector ``index``, pinned to the version it runs (or,
    not ``pinned``, following the latest published version, which is the one it runs)."""
    pin = "  version: 1\n" if pinned else ""
    return (
        "kind: Deployment\n"
        f"key: {deployment_key(index)}\n"
        "connector:\n"
        f"  key: {harness.key_of(index)}\n"
        f"{pin}"
        "type: production\n"
        f"region: {REGION}\n"
        "configurations:\n"
        "  service:\n"
        "    standardConfiguration:\n"
        f"      CTP_REGION: {REGION}\n"
        f"      LOG_LEVEL: {'debug' if index % 2 else 'info'}\n"
        "    securedConfiguration:\n"
        f"      API_SECRET: {{fromEnv: {SECRET}}}\n"
    )


def live_deployment(index: int) -> JsonObject:
    """The stored Deployment that :func:`deployment_yaml` describes (secured value as a hash)."""
    connector = harness.live_connector(index)
    return {
        "id": f"00000000-0000-4000-9000-{index:012d}",
        "key": deployment_key(index),
        "version": 2,
        "type": "production",
        "preview": False,
        "status": "Deployed",
        "deployedRegion": REGION,
        "connector": {
            "id": connector["id"],
            "key": connector["key"],
            "name": connector["name"],
            "version": 1,
            "creator": connector["creator"],
            "repository": connector["repository"],
            "certified": False,
        },
        "applications": [
            {
                "id": f"00000000-0000-4000-a000-{index:012d}",
                "applicationName": "service",
                "standardConfiguration": [
                    {"key": "CTP_REGION", "value": REGION},
                    {"key": "LOG_LEVEL", "value": "debug" if index % 2 else "info"},
                ],
                "securedConfiguration": [{"key": "API_SECRET", "valueSha256": "0" * 64}],
                "url": f"https://service-{index}.example.com",
            }
        ],
        "details": {"build": {"id": f"build-{index}", "report": {"entries": []}}},
        "createdAt": f"2025-01-01T00:{index // 60 % 60:02d}:{index % 60:02d}.000Z",
        "lastModifiedAt": "2025-01-01T00:00:00.000Z",
    }


def published_connector(index: int) -> JsonObject:
    """The published Connector of connector ``index``: version 1, the one its deployment runs."""
    return harness.live_connector(index) | {"version": 1}


def write_deployments(folder: Path, count: int, *, pinned: bool = True) -> None:
    """One deployment per file, under ``deployments/``; the config's globs take both folders."""
    deployments = folder / "deployments"
    deployments.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (deployments / f"{deployment_key(index)}.yaml").write_text(
            deployment_yaml(index, pinned=pinned), encoding="utf-8"
        )
    config = folder / "connect-gitops.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace(
            'connectors: ["connectors/**/*.yaml"]',
            'connectors: ["connectors/**/*.yaml", "deployments/**/*.yaml"]',
        ),
        encoding="utf-8",
    )


def load(emulator: Emulator, count: int) -> None:
    """The connectors and their deployments, loaded through the state API."""
    state = {
        "formatVersion": 1,
        "projects": {
            harness.PROJECT: {
                "connectors": [harness.live_connector(i) for i in range(count)],
                "meta": {},
                "published": {
                    connector["id"]: connector
                    for connector in (published_connector(i) for i in range(count))
                },
                "deployments": [live_deployment(i) for i in range(count)],
                "deploymentMeta": {},
            },
        },
    }
    emulator.call("PUT", "/_emulator/state", state)


def requests_of_plan(emulator: Emulator, folder: Path, env: dict[str, str]) -> list[JsonObject]:
    """The journal of one plan of ``folder`` with no changes."""
    emulator.clear_journal()
    checked = harness.run([harness.CLI, "plan", str(folder), "--detailed-exitcode"], env=env)
    harness.expect_exit(0)(checked)
    return emulator.journal()


def measure(emulator: Emulator, work: Path, count: int = COUNT) -> Row:
    alone = harness.write_folder(work / f"connectors-{count}", emulator.url, count)
    both = harness.write_folder(work / f"deployments-{count}", emulator.url, count)
    write_deployments(both, count)
    unpinned = harness.write_folder(work / f"unpinned-{count}", emulator.url, count)
    write_deployments(unpinned, count, pinned=False)
    load(emulator, count)
    env = harness.environment() | {SECRET: "bench-secret-value"}
    timed = harness.side_by_side(
        lambda: harness.run([harness.CLI, "plan", str(both), "--detailed-exitcode"], env=env),
        lambda: harness.run([harness.CLI, "plan", str(alone), "--detailed-exitcode"], env=env),
        check=harness.expect_exit(0),
    )
    journal = requests_of_plan(emulator, both, env)
    requests = len(journal)
    deployment_pages = sum(1 for e in journal if e["path"].endswith("/deployments"))
    following = requests_of_plan(emulator, unpinned, env)
    facts_pages = sum(1 for e in following if e["path"] == "/connectors/search")
    return Row(
        scenario=f"plan, {count:,} unchanged connectors + {count:,} unchanged deployments",
        ours=f"{harness.seconds(timed.ours)}, {requests} requests",
        floor=f"{harness.seconds(timed.floor)} (the connectors alone)",
        ratio=f"{timed.ratio:.2f}",
        budget=f"<= {MAX_REQUESTS} requests",
        holds=requests <= MAX_REQUESTS,
        details={
            "seconds": timed.ours,
            "connectors alone": timed.floor,
            "ratio": timed.ratio,
            "requests": requests,
            "deployment pages": deployment_pages,
            "requests, unpinned": len(following),
            "connector facts pages, unpinned": facts_pages,
            "count": count,
        },
    )


def main() -> None:
    with harness.emulator() as emulator, harness.scratch() as work:
        harness.emit([measure(emulator, Path(work))])


if __name__ == "__main__":
    main()
