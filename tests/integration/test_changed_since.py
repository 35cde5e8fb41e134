"""`--changed-since`: a run scoped to the declaration files a push changed, on a real git repo."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.cli import cli
from tests.support.declarations import declaration, write_config, write_declarations
from tests.support.emulator import clear_journal, journal, writes
from tests.support.git import git

KEYS = ["alpha-connector", "beta-connector", "gamma-connector"]


def repository(tmp_path: Path, url: str) -> Path:
    """A git repository whose subfolder `deploy/` holds the declarations, applied once."""
    root = tmp_path / "repo"
    folder = root / "deploy"
    write_config(folder, url)
    write_declarations(folder, KEYS)
    git("init", "-q", "-b", "main", cwd=root)
    git("add", ".", cwd=root)
    git("commit", "-qm", "declarations", cwd=root)
    assert cli("apply", str(folder)).returncode == 0
    return folder


def test_only_changed_files_are_planned_and_a_deleted_one_is_an_orphan(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = repository(tmp_path, emulator_url)
    write_declarations(folder, ["beta-connector"], description="Changed in this push")
    (folder / "connectors" / "gamma-connector.yaml").unlink()
    git("commit", "-qam", "change beta, drop gamma", cwd=folder.parent)

    result = cli("plan", str(folder), "--changed-since", "HEAD~1", "--format", "json")

    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [(c["key"], c["kind"]) for c in document["changes"]] == [("beta-connector", "update")]
    assert [(o["key"], o["file"]) for o in document["orphans"]] == [
        ("gamma-connector", "connectors/gamma-connector.yaml")
    ]
    assert document["orphans"][0]["reason"] == (
        "its declaration was deleted; it is not deleted in Connect"
    )
    reads = [e["path"] for e in journal(emulator_url) if e["method"] == "GET"]
    assert "/connectors/drafts/key=beta-connector" in reads
    assert "/connectors/drafts/key=alpha-connector" not in reads


def test_auto_reads_the_push_event_and_applies_one_connector(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = repository(tmp_path, emulator_url)
    before = git("rev-parse", "HEAD", cwd=folder.parent)
    write_declarations(folder, ["alpha-connector"], description="Pushed")
    git("commit", "-qam", "change alpha", cwd=folder.parent)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"before": before}), encoding="utf-8")
    clear_journal(emulator_url)

    result = cli("apply", str(folder), "--changed-since", "auto", GITHUB_EVENT_PATH=str(event))

    assert result.returncode == 0, result.stderr
    assert "Apply: 0 created, 1 updated" in result.stderr
    assert len(writes(emulator_url)) == 1


def test_a_config_change_means_the_whole_folder(tmp_path: Path, emulator_url: str) -> None:
    folder = repository(tmp_path, emulator_url)
    config = folder / "connect-gitops.yaml"
    config.write_text(config.read_text() + "# a comment\n", encoding="utf-8")
    git("commit", "-qam", "touch config", cwd=folder.parent)

    result = cli("plan", str(folder), "--changed-since", "HEAD~1")

    assert result.returncode == 0, result.stderr
    assert "checking the whole folder: connect-gitops.yaml changed" in result.stderr
    assert "No changes. Live connectors match the declarations." in result.stderr


def test_a_new_branch_means_the_whole_folder(tmp_path: Path, emulator_url: str) -> None:
    folder = repository(tmp_path, emulator_url)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"before": "0" * 40}), encoding="utf-8")

    result = cli("plan", str(folder), "--changed-since", "auto", GITHUB_EVENT_PATH=str(event))

    assert result.returncode == 0, result.stderr
    assert "checking the whole folder: new branch: no previous revision" in result.stderr


DELETED = "its declaration was deleted; it is not deleted in Connect"
OTHER_TARGET = "  other:\n    region: europe-west1.gcp\n    projectKey: other-project\n"


def delete_and_commit(folder: Path, key: str) -> None:
    (folder / "connectors" / f"{key}.yaml").unlink()
    git("commit", "-qam", f"drop {key}", cwd=folder.parent)


def test_a_push_that_only_deletes_a_declaration_reports_its_connector_as_an_orphan(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = repository(tmp_path, emulator_url)
    delete_and_commit(folder, "gamma-connector")
    clear_journal(emulator_url)

    planned, drifted, applied = _plan_drift_and_apply_the_push(folder)

    assert planned.returncode == 0, planned.stderr
    plan = json.loads(planned.stdout)
    assert plan["changes"] == []
    assert [(o["target"], o["key"], o["file"], o["reason"]) for o in plan["orphans"]] == [
        ("emu", "gamma-connector", "connectors/gamma-connector.yaml", DELETED)
    ]
    assert plan["summary"]["orphans"] == 1
    assert drifted.returncode == 2, drifted.stderr
    assert [(o["key"], o["reason"]) for o in json.loads(drifted.stdout)["orphans"]] == [
        ("gamma-connector", DELETED)
    ]
    assert applied.returncode == 0, applied.stderr
    assert f"? orphan gamma-connector (emu): {DELETED}" in applied.stderr
    assert writes(emulator_url) == []
    reads = {e["path"] for e in journal(emulator_url) if e["method"] == "GET"}
    assert reads == {"/connectors/drafts/key=gamma-connector"}


def test_a_deleted_declaration_of_another_target_is_an_orphan_there(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = _two_targets_applied(tmp_path, emulator_url)
    write_declarations(folder, ["alpha-connector"], description="Changed in this push")
    delete_and_commit(folder, "delta-connector")

    result = cli("plan", str(folder), "--changed-since", "HEAD~1", "--format", "json")

    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert [(c["target"], c["key"], c["kind"]) for c in document["changes"]] == [
        ("emu", "alpha-connector", "update")
    ]
    assert [(o["target"], o["key"], o["reason"]) for o in document["orphans"]] == [
        ("other", "delta-connector", DELETED)
    ]
    assert document["orphans"][0]["id"]


def test_a_push_that_only_deletes_a_declaration_of_another_target_reports_it_everywhere(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = _two_targets_applied(tmp_path, emulator_url)
    delete_and_commit(folder, "delta-connector")
    clear_journal(emulator_url)

    planned, drifted, applied = _plan_drift_and_apply_the_push(folder)

    assert planned.returncode == 0, planned.stderr
    plan = json.loads(planned.stdout)
    assert plan["changes"] == []
    assert [(o["target"], o["key"], o["reason"]) for o in plan["orphans"]] == [
        ("other", "delta-connector", DELETED)
    ]
    assert drifted.returncode == 2, drifted.stderr
    assert [(o["target"], o["key"]) for o in json.loads(drifted.stdout)["orphans"]] == [
        ("other", "delta-connector")
    ]
    assert applied.returncode == 0, applied.stderr
    assert f"? orphan delta-connector (other): {DELETED}" in applied.stderr
    assert writes(emulator_url) == []


Done = subprocess.CompletedProcess[str]


def _plan_drift_and_apply_the_push(folder: Path) -> tuple[Done, Done, Done]:
    """plan and drift as JSON, then apply, each of the last commit only."""
    since = ("--changed-since", "HEAD~1")
    return (
        cli("plan", str(folder), *since, "--format", "json"),
        cli("drift", str(folder), *since, "--format", "json"),
        cli("apply", str(folder), *since),
    )


def _two_targets_applied(tmp_path: Path, emulator_url: str) -> Path:
    """A repository whose alpha-connector is declared for the default target and
    delta-connector for ``other``, committed and applied."""
    root = tmp_path / "repo"
    folder = root / "deploy"
    write_config(folder, emulator_url, more_targets=OTHER_TARGET + _urls(emulator_url))
    write_declarations(folder, ["alpha-connector"])
    elsewhere = folder / "connectors" / "delta-connector.yaml"
    elsewhere.write_text(
        declaration("delta-connector") + "reconcile:\n  target: other\n", encoding="utf-8"
    )
    git("init", "-q", "-b", "main", cwd=root)
    git("add", ".", cwd=root)
    git("commit", "-qm", "declarations", cwd=root)
    assert cli("apply", str(folder)).returncode == 0
    return folder


def _urls(url: str) -> str:
    return f"    apiUrl: {url}\n    authUrl: {url}\n"
