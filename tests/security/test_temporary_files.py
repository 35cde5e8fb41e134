"""A shared machine: a symlink planted where connect-gitops used to put its temporary files
(``.plan.json.partial`` for ``plan --out plan.json``, ``connectors/.<key>.yaml.partial`` for
``export``) must not redirect a write (issue 15, item 3). Temporary files are now created
exclusively, under a random name."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import cli
from tests.support.declarations import declared_fields, write_config, write_declarations
from tests.support.emulator import create

PRECIOUS = "an unrelated file that must stay as it is\n"


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_text(PRECIOUS, encoding="utf-8")
    return victim


def test_plan_out_does_not_follow_a_planted_symlink(tmp_path: Path, emulator_url: str) -> None:
    folder = write_config(tmp_path / "repo", emulator_url)
    write_declarations(folder, ["payment"])
    victim = _victim(tmp_path)
    (folder / ".plan.json.partial").symlink_to(victim)

    result = cli("plan", str(folder), "--out", str(folder / "plan.json"))

    assert result.returncode == 0, result.stderr
    assert victim.read_text(encoding="utf-8") == PRECIOUS
    assert not (folder / "plan.json").is_symlink()
    document = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    assert [c["key"] for c in document["changes"]] == ["payment"]


def test_export_does_not_follow_a_planted_symlink(tmp_path: Path, emulator_url: str) -> None:
    create(emulator_url, declared_fields("payment", tag="v1.0.0", description="Cards"))
    folder = write_config(tmp_path / "repo", emulator_url)
    connectors = folder / "connectors"
    connectors.mkdir()
    victim = _victim(tmp_path)
    (connectors / ".payment.yaml.partial").symlink_to(victim)

    result = cli("export", "--out-dir", str(connectors), cwd=folder)

    assert result.returncode == 0, result.stderr
    assert victim.read_text(encoding="utf-8") == PRECIOUS
    written = connectors / "payment.yaml"
    assert not written.is_symlink()
    assert "key: payment\n" in written.read_text(encoding="utf-8")
