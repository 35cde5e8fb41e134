"""``connect-gitops export`` against the emulator over a real socket.

The promise checked here is the adoption round trip: export, then plan over the same folder
shows no changes; an existing, commented file is edited in place, keeping everything but the
values that changed; an unknown key fails before anything is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.support import declarations
from tests.support.cli import cli, invoke
from tests.support.emulator import PROJECT, clear_journal, control, create, journal, update

EVERY_FIELD: dict[str, Any] = {
    "key": "payment",
    "name": "Payment Connector",
    "description": "Card payments: 3-D Secure, wallets",
    "integrationTypes": ["psp", "other"],
    "creator": {
        "email": "team@example.com",
        "name": "Payments Team",
        "title": "Maintainers",
        "company": "Example Ltd",
        "noOfContributors": 4,
        "supportUrl": "https://example.com/support",
        "logoUrl": "https://example.com/logo.png",
    },
    "repository": {"url": "git@github.com:example/payment.git", "tag": "1.10"},
    "privateProjects": ["europe-west1.gcp:shop-staging", "europe-west1.gcp:shop-prod"],
    "supportedRegions": ["europe-west1.gcp", "eu-central-1.aws"],
    "documentationUrl": "https://example.com/docs/payment",
}

COMMENTED = """\
# yaml-language-server: $schema=../schema/connector.schema.json
# Owned by the payments team; ask in #payments before changing.
key: payment   # never change
name: 'Payment Connector'  # shown in the marketplace
description: "Card payments: 3-D Secure, wallets"
integrationTypes: [psp, other]
creator:
  email: team@example.com
  noOfContributors: 4  # grows with the team
repository:
  url: git@github.com:example/payment.git
  tag: "1.10"   # pinned: bump with each release
privateProjects:
  - europe-west1.gcp:shop-staging  # staging first
  - europe-west1.gcp:shop-prod
reconcile:
  preview: true   # preview each new tag
"""


# --- helpers ------------------------------------------------------------------------------------


def write_config(folder: Path, url: str, *, extra_target: bool = False) -> Path:
    """connect-gitops.yaml whose default target is the emulator at ``url``."""
    other = (
        "  other:\n    region: us-central1.gcp\n    projectKey: other-project\n"
        f"    apiUrl: {url}\n    authUrl: {url}\n"
        if extra_target
        else ""
    )
    return declarations.write_config(folder, url, more_targets=other)


def minimal(key: str, name: str) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "creator": {"email": "team@example.com"},
        "repository": {"url": f"git@github.com:example/{key}.git", "tag": "v1.0.0"},
    }


def run(*args: str) -> Result:
    return invoke(*args)


def plan_json(folder: Path) -> dict[str, Any]:
    result = run("plan", str(folder), "--format", "json")
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def changes_and_orphans(document: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    changes = [
        (c["key"], c["kind"], c["fields"], c["lifecycle"])
        for c in document["changes"]
        if c["kind"] != "noop" or c["lifecycle"]
    ]
    return changes, document["orphans"]


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTP_CLIENT_ID", "admin")
    monkeypatch.setenv("CTP_CLIENT_SECRET", "admin-secret")


# --- new declarations ---------------------------------------------------------------------------


def test_export_of_every_field_round_trips_to_an_empty_plan(
    tmp_path: Path, emulator_url: str
) -> None:
    create(emulator_url, EVERY_FIELD)
    create(emulator_url, minimal("tax", "Tax"))
    folder = write_config(tmp_path / "repo", emulator_url)
    (folder / "schema").mkdir()
    (folder / "schema" / "connector.schema.json").write_text("{}", encoding="utf-8")
    clear_journal(emulator_url)

    result = run("export", "--out-dir", str(folder / "connectors"))

    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "Export of target 'emu': 2 created, 0 updated, 0 unchanged, 0 failed."
    )
    assert sorted(p.name for p in (folder / "connectors").iterdir()) == [
        "payment.yaml",
        "tax.yaml",
    ]
    assert (folder / "connectors" / "payment.yaml").read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../schema/connector.schema.json\n"
        "key: payment\n"
        "name: Payment Connector\n"
        "description: 'Card payments: 3-D Secure, wallets'\n"
        "integrationTypes: [psp, other]\n"
        "creator:\n"
        "  email: team@example.com\n"
        "  name: Payments Team\n"
        "  title: Maintainers\n"
        "  company: Example Ltd\n"
        "  noOfContributors: 4\n"
        "  supportUrl: https://example.com/support\n"
        "  logoUrl: https://example.com/logo.png\n"
        "repository:\n"
        "  url: git@github.com:example/payment.git\n"
        "  tag: '1.10'\n"
        "privateProjects:\n"
        "  - europe-west1.gcp:shop-staging\n"
        "  - europe-west1.gcp:shop-prod\n"
        "supportedRegions: [europe-west1.gcp, eu-central-1.aws]\n"
        "documentationUrl: https://example.com/docs/payment\n"
    )
    # empty fields are left out (unmanaged), and reconcile keeps its defaults
    assert "description" not in (folder / "connectors" / "tax.yaml").read_text(encoding="utf-8")
    # export only reads, with a read-only token
    assert [e["method"] for e in journal(emulator_url) if e["path"].startswith("/connectors")] == [
        "GET"
    ]
    tokens = control(emulator_url, "GET", "state")["tokens"].values()
    assert sorted(t["scopes"] for t in tokens)[-2:] == [
        [f"view_connectors:{PROJECT}"],
        [f"view_connectors_deployments:{PROJECT}"],
    ]

    assert run("validate", str(folder)).exit_code == 0
    assert changes_and_orphans(plan_json(folder)) == ([], [])


def test_export_to_a_non_default_target_names_it(tmp_path: Path, emulator_url: str) -> None:
    create(emulator_url, minimal("erp-sync", "ERP sync"), project="other-project")
    folder = write_config(tmp_path / "repo", emulator_url, extra_target=True)

    result = run("export", "--target", "other", "--out-dir", str(folder / "connectors"))

    assert result.exit_code == 0, result.stderr
    text = (folder / "connectors" / "erp-sync.yaml").read_text(encoding="utf-8")
    assert text.endswith("reconcile:\n  target: other\n")
    assert text.startswith(
        "# yaml-language-server: $schema=../schema/connector.schema.json\nkey: erp-sync\n"
    )
    document = plan_json(folder)
    assert changes_and_orphans(document) == ([], [])
    assert [(c["target"], c["key"], c["kind"]) for c in document["changes"]] == [
        ("other", "erp-sync", "noop")
    ]


def test_dry_run_prints_the_files_and_writes_nothing(
    tmp_path: Path, emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    create(emulator_url, minimal("tax", "Tax"))
    create(emulator_url, minimal("payment", "Payment"))
    update(emulator_url, "payment", {"action": "setName", "name": "Payments"})
    folder = write_config(tmp_path / "repo", emulator_url)
    (folder / "connectors").mkdir()
    existing = folder / "connectors" / "payment.yaml"
    existing.write_text("key: payment\nname: Payment  # shown\n", encoding="utf-8")
    monkeypatch.chdir(folder)

    result = run("export", "--out-dir", "connectors/new", "--dry-run")

    assert result.exit_code == 0, result.stderr
    assert not (folder / "connectors" / "new").exists()
    assert existing.read_text(encoding="utf-8") == "key: payment\nname: Payment  # shown\n"
    assert result.stdout == (
        "--- connectors/payment.yaml\n"
        "+++ connectors/payment.yaml\n"
        "@@ -1,2 +1,2 @@\n"
        " key: payment\n"
        "-name: Payment  # shown\n"
        "+name: Payments # shown\n"
        "--- /dev/null\n"
        "+++ connectors/new/tax.yaml\n"
        "@@ -0,0 +1,8 @@\n"
        "+# yaml-language-server: $schema=../../schema/connector.schema.json\n"
        "+key: tax\n"
        "+name: Tax\n"
        "+creator:\n"
        "+  email: team@example.com\n"
        "+repository:\n"
        "+  url: git@github.com:example/tax.git\n"
        "+  tag: v1.0.0\n"
    )
    assert result.stderr.strip().splitlines() == [
        "would update connectors/payment.yaml (payment)",
        "    name: 'Payment' -> 'Payments'",
        "would create connectors/new/tax.yaml (tax)",
        "Export (dry run) of target 'emu': 1 created, 1 updated, 0 unchanged, 0 failed.",
    ]


# --- existing declarations ----------------------------------------------------------------------


def test_export_over_a_commented_file_changes_only_what_changed(
    tmp_path: Path, emulator_url: str
) -> None:
    create(emulator_url, EVERY_FIELD)
    update(
        emulator_url,
        "payment",
        {"action": "setName", "name": "Payments"},
        {"action": "setRepository", "url": "git@github.com:example/payment.git", "tag": "1.11"},
        {"action": "removePrivateProject", "privateProject": "europe-west1.gcp:shop-prod"},
        {"action": "addPrivateProject", "privateProject": "europe-west1.gcp:shop-qa"},
        {"action": "setCreatorNoOfContributors", "creatorNoOfContributors": 5},
    )
    folder = write_config(tmp_path / "repo", emulator_url)
    (folder / "connectors" / "team").mkdir(parents=True)
    existing = folder / "connectors" / "team" / "payment-connector.yaml"
    existing.write_text(COMMENTED, encoding="utf-8")

    # a separate process, as a person runs it
    done = cli(
        "export",
        "--out-dir",
        str(folder / "connectors"),
        cwd=folder,
        script=True,
        CTP_CLIENT_ID="admin",
        CTP_CLIENT_SECRET="admin-secret",
    )

    assert done.returncode == 0, done.stderr
    # ruamel keeps each end-of-line comment in its column, so aligned comments stay aligned
    renamed = "name: 'Payments'".ljust(len("name: 'Payment Connector'  "))
    assert existing.read_text(encoding="utf-8") == COMMENTED.replace(
        "name: 'Payment Connector'  ", renamed
    ).replace("noOfContributors: 4 ", "noOfContributors: 5 ").replace(
        'tag: "1.10"', 'tag: "1.11"'
    ).replace("  - europe-west1.gcp:shop-prod\n", "  - europe-west1.gcp:shop-qa\n")
    assert not (folder / "connectors" / "payment.yaml").exists()
    assert "updated connectors/team/payment-connector.yaml (payment)\n" in done.stderr
    assert "    name: 'Payment Connector' -> 'Payments'" in done.stderr
    assert "    repository.tag: '1.10' -> '1.11'" in done.stderr
    # the declaration's scope is kept: creator.name is live but was never declared
    assert "Payments Team" not in existing.read_text(encoding="utf-8")
    changes, orphans = changes_and_orphans(plan_json(folder))
    assert orphans == []
    # only the preview policy of the file remains: the live connector was never previewed
    assert changes == [("payment", "noop", [], [{"step": "preview", "reason": "no preview yet"}])]


def test_an_unchanged_file_is_not_touched(tmp_path: Path, emulator_url: str) -> None:
    create(emulator_url, EVERY_FIELD)
    folder = write_config(tmp_path / "repo", emulator_url)
    (folder / "connectors").mkdir()
    existing = folder / "connectors" / "payment.yaml"
    existing.write_text(COMMENTED, encoding="utf-8")
    before = existing.stat().st_mtime_ns

    result = run("export", "--out-dir", str(folder / "connectors"))

    assert result.exit_code == 0, result.stderr
    assert existing.read_text(encoding="utf-8") == COMMENTED
    assert existing.stat().st_mtime_ns == before
    assert result.stderr.strip().splitlines()[-1] == (
        "Export of target 'emu': 0 created, 0 updated, 1 unchanged, 0 failed."
    )


def test_a_value_gone_live_is_removed_from_the_declaration(
    tmp_path: Path, emulator_url: str
) -> None:
    create(emulator_url, {**minimal("tax", "Tax"), "documentationUrl": "https://example.com"})
    update(emulator_url, "tax", {"action": "setDocumentationUrl", "documentationUrl": None})
    folder = write_config(tmp_path / "repo", emulator_url)
    (folder / "connectors").mkdir()
    existing = folder / "connectors" / "tax.yaml"
    existing.write_text(
        "key: tax\nname: Tax\ndocumentationUrl: https://example.com  # docs\n", encoding="utf-8"
    )

    result = run("export", "--out-dir", str(folder / "connectors"))

    assert result.exit_code == 0, result.stderr
    assert existing.read_text(encoding="utf-8") == "key: tax\nname: Tax\n"
    assert "documentationUrl: removed: live has no value" in result.stderr
    assert changes_and_orphans(plan_json(folder)) == ([], [])


# --- failures -----------------------------------------------------------------------------------


def test_export_of_an_unknown_key_fails_clearly_and_writes_nothing(
    tmp_path: Path, emulator_url: str
) -> None:
    create(emulator_url, minimal("tax", "Tax"))
    folder = write_config(tmp_path / "repo", emulator_url)

    result = run("export", "--key", "tax", "--key", "no-such-connector", "--out-dir", str(folder))

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: no connector or deployment with key 'no-such-connector' in target 'emu'; "
        "nothing was written"
    )
    assert sorted(p.name for p in folder.iterdir()) == ["connect-gitops.yaml"]


def test_export_with_an_unknown_target_fails(tmp_path: Path, emulator_url: str) -> None:
    folder = write_config(tmp_path / "repo", emulator_url)

    result = run("export", "--target", "emv", "--out-dir", str(folder / "connectors"))

    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: unknown target 'emv'; did you mean 'emu'? (targets: emu)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("key: a\ncreator:\n  email: x\nprivateProjects:\n  - p\n", (2, 2)),
        ("key: a\ncreator:\n    email: x\nprivateProjects:\n- p\n", (4, 0)),
        ("key: a\nname: b\n", (2, 2)),
    ],
)
def test_indentation_of_the_file_is_kept(text: str, expected: tuple[int, int]) -> None:
    from connect_gitops.adopt.yaml_edit import guess_indent

    assert guess_indent(text) == expected


def test_a_four_space_file_stays_four_space(tmp_path: Path, emulator_url: str) -> None:
    create(emulator_url, {**minimal("tax", "Tax"), "privateProjects": ["europe-west1.gcp:a-b"]})
    folder = write_config(tmp_path / "repo", emulator_url)
    (folder / "connectors").mkdir()
    existing = folder / "connectors" / "tax.yaml"
    text = (
        "key: tax\nname: Old\ncreator:\n    email: team@example.com\n"
        "privateProjects:\n- europe-west1.gcp:a-b\n"
    )
    existing.write_text(text, encoding="utf-8")

    result = run("export", "--out-dir", str(folder / "connectors"))

    assert result.exit_code == 0, result.stderr
    assert existing.read_text(encoding="utf-8") == text.replace("name: Old", "name: Tax")
