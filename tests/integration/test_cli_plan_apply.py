"""`plan` and `apply` as a user runs them: the CLI in a child process, the emulator on a socket."""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from pathlib import Path

from tests.support.cli import SECRET, cli, start_cli
from tests.support.declarations import write_config, write_declarations
from tests.support.emulator import clear_journal, journal, live, set_faults, update, writes

KEYS = ["alpha-connector", "beta-connector", "gamma-connector"]


def folder_with(tmp_path: Path, url: str, keys: list[str] = KEYS) -> Path:
    folder = tmp_path / "decl"
    write_config(folder, url)
    write_declarations(folder, keys)
    return folder


def test_plan_lists_creates_and_writes_nothing(tmp_path: Path, emulator_url: str) -> None:
    folder = folder_with(tmp_path, emulator_url)

    result = cli("plan", str(folder), "--detailed-exitcode")

    assert result.returncode == 2, result.stderr
    assert "+ create  alpha-connector  (emu, connectors/alpha-connector.yaml:1)" in result.stderr
    assert "Plan: 3 to create, 0 to update, 0 unchanged, 0 blocked, 0 orphans." in result.stderr
    assert writes(emulator_url) == []
    paths = [(e["method"], e["path"].split("?")[0]) for e in journal(emulator_url)]
    assert paths == [("POST", "/oauth/token"), ("GET", "/connectors/drafts")]


def test_plan_exit_code_is_zero_without_detailed_exitcode(
    tmp_path: Path, emulator_url: str
) -> None:
    result = cli("plan", str(folder_with(tmp_path, emulator_url)))
    assert result.returncode == 0, result.stderr


def test_apply_converges_and_a_second_apply_writes_nothing(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = folder_with(tmp_path, emulator_url)

    first = cli("apply", str(folder))
    assert first.returncode == 0, first.stderr
    assert "Apply: 3 created, 0 updated, 0 unchanged, 0 blocked, 0 stale, 0 failed." in (
        first.stderr
    )
    assert sorted(c["key"] for c in live(emulator_url)) == KEYS

    clear_journal(emulator_url)
    second = cli("apply", str(folder))
    assert second.returncode == 0, second.stderr
    assert "No changes. Live connectors match the declarations." in second.stderr
    assert writes(emulator_url) == []

    again = cli("plan", str(folder), "--detailed-exitcode")
    assert again.returncode == 0, again.stderr


def test_apply_sends_only_the_changed_field(tmp_path: Path, emulator_url: str) -> None:
    folder = folder_with(tmp_path, emulator_url)
    assert cli("apply", str(folder)).returncode == 0
    write_declarations(folder, ["beta-connector"], description="Now with refunds")
    clear_journal(emulator_url)

    plan = cli("plan", str(folder), "--format", "json")
    document = json.loads(plan.stdout)
    [change] = [c for c in document["changes"] if c["kind"] == "update"]
    assert change["key"] == "beta-connector"
    assert change["actions"] == [{"action": "setDescription", "description": "Now with refunds"}]
    assert change["fields"] == [
        {"path": "description", "before": "Managed in git", "after": "Now with refunds"}
    ]

    result = cli("apply", str(folder))
    assert result.returncode == 0, result.stderr
    assert [w["path"] for w in writes(emulator_url)] == ["/connectors/drafts/" + change["id"]]


def test_invalid_declaration_sends_nothing(tmp_path: Path, emulator_url: str) -> None:
    folder = folder_with(tmp_path, emulator_url)
    (folder / "connectors" / "broken.yaml").write_text(
        "key: broken-connector\nname: Broken\nsupportedRegions: []\n", encoding="utf-8"
    )

    result = cli("apply", str(folder))

    assert result.returncode == 1
    assert "connectors/broken.yaml:3:19: supportedRegions:" in result.stderr
    assert "Nothing was sent to any API" in result.stderr
    assert journal(emulator_url) == []


def test_saved_plan_applies_exactly_and_a_stale_one_writes_nothing(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = folder_with(tmp_path, emulator_url)
    assert cli("apply", str(folder)).returncode == 0
    write_declarations(folder, KEYS, description="Second edition")
    plan_file = tmp_path / "plan.json"
    assert cli("plan", str(folder), "--out", str(plan_file)).returncode == 0
    assert json.loads(plan_file.read_text())["summary"]["update"] == 3

    update(emulator_url, "beta-connector", {"action": "setName", "name": "Renamed by hand"})
    clear_journal(emulator_url)

    result = cli("apply", str(plan_file), cwd=folder)

    assert result.returncode == 1, result.stderr
    assert "stale plan: re-run plan" in result.stderr
    beta_id = next(c["id"] for c in live(emulator_url) if c["key"] == "beta-connector")
    beta_writes = [w for w in writes(emulator_url) if w["path"].endswith(beta_id)]
    assert [w["status"] for w in beta_writes] == [409]
    by_key = {c["key"]: c for c in live(emulator_url)}
    assert by_key["beta-connector"]["name"] == "Renamed by hand"
    assert by_key["beta-connector"]["description"] == "Managed in git"
    assert by_key["alpha-connector"]["description"] == "Second edition"
    assert by_key["gamma-connector"]["description"] == "Second edition"


def test_a_blocked_connector_fails_the_run_but_the_rest_is_applied(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = folder_with(tmp_path, emulator_url)
    (folder / "connectors" / "delta.yaml").write_text(
        "key: delta-connector\nname: Delta\n", encoding="utf-8"
    )

    result = cli("apply", str(folder))

    assert result.returncode == 1
    assert "cannot create: missing creator.email, repository" in result.stderr
    assert sorted(c["key"] for c in live(emulator_url)) == KEYS


def test_verbose_logs_requests_but_never_secrets(tmp_path: Path, emulator_url: str) -> None:
    folder = folder_with(tmp_path, emulator_url)

    result = cli("apply", str(folder), "--verbose")

    assert result.returncode == 0, result.stderr
    assert "POST /oauth/token -> 200" in result.stderr
    assert "correlation id connect-gitops/" in result.stderr
    output = result.stdout + result.stderr
    assert SECRET not in output
    assert "Bearer" not in output
    assert "Authorization" not in output


def test_an_apply_killed_halfway_converges_on_the_next_run(
    tmp_path: Path, emulator_url: str
) -> None:
    keys = [f"conn-{i:02d}" for i in range(30)]
    folder = folder_with(tmp_path, emulator_url, keys)
    set_faults(emulator_url, {"latencyMs": 60})
    process = start_cli("apply", str(folder), "--concurrency", "2")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(writes(emulator_url)) < 8:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    created = len(live(emulator_url))
    assert 0 < created < len(keys), "the kill must land halfway"

    set_faults(emulator_url, {"latencyMs": 0})
    result = cli("apply", str(folder))

    assert result.returncode == 0, result.stderr
    counts = Counter(c["key"] for c in live(emulator_url))
    assert sorted(counts) == keys
    assert set(counts.values()) == {1}
    assert cli("plan", str(folder), "--detailed-exitcode").returncode == 0


def test_a_usage_error_exits_1_never_2(tmp_path: Path, emulator_url: str) -> None:
    """2 means "changes" with --detailed-exitcode: a mistyped flag must not read as that."""
    folder = folder_with(tmp_path, emulator_url)

    result = cli("plan", str(folder), "--detailed-exitcode", "--bogus")

    assert result.returncode == 1
    assert "No such option '--bogus'" in result.stderr
    assert journal(emulator_url) == []


def test_a_saved_plan_beside_its_config_applies_from_anywhere(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = folder_with(tmp_path, emulator_url)
    plan_file = folder / "plan.json"
    assert cli("plan", str(folder), "--out", str(plan_file)).returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    result = cli("apply", str(plan_file), cwd=elsewhere)

    assert result.returncode == 0, result.stderr
    assert sorted(c["key"] for c in live(emulator_url)) == KEYS
