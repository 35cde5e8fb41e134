"""``connect-gitops drift`` against the emulator over a real socket.

Each test declares connectors in a folder, makes the live state with the API (as a person in
the UI would), runs the real command and checks what a user reads: the exit code, the text,
JSON and Markdown reports, and from the emulator's journal that drift wrote nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from connect_gitops.cli import main
from tests.support import emulator
from tests.support.cli import cli, invoke
from tests.support.declarations import write_config
from tests.support.emulator import PROJECT

# --- helpers ------------------------------------------------------------------------------------


def write_folder(folder: Path, url: str, declarations: dict[str, str]) -> Path:
    """A declarations folder whose one target is the emulator at ``url``."""
    write_config(folder, url)
    (folder / "connectors").mkdir()
    for name, text in declarations.items():
        (folder / "connectors" / name).write_text(text, encoding="utf-8")
    return folder


def declaration(key: str, name: str, extra: str = "") -> str:
    return (
        f"key: {key}\n"
        f"name: {name}\n"
        "creator:\n"
        "  email: team@example.com\n"
        "repository:\n"
        f"  url: git@github.com:example/{key}.git\n"
        "  tag: v1.0.0\n"
        f"{extra}"
    )


class Api:
    """The Connect API as a person with a manage_connectors client uses it."""

    def __init__(self, url: str) -> None:
        self.url = url

    def create(self, key: str, name: str, **fields: Any) -> dict[str, Any]:
        body = {
            "key": key,
            "name": name,
            "creator": {"email": "team@example.com"},
            "repository": {"url": f"git@github.com:example/{key}.git", "tag": "v1.0.0"},
            **fields,
        }
        return emulator.create(self.url, body)

    def get(self, key: str) -> dict[str, Any]:
        return emulator.get(self.url, key)

    def update(self, key: str, *actions: dict[str, Any]) -> dict[str, Any]:
        return emulator.update(self.url, key, *actions)


def drift(folder: Path, *args: str) -> Result:
    return invoke("drift", str(folder), *args)


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTP_CLIENT_ID", "admin")
    monkeypatch.setenv("CTP_CLIENT_SECRET", "admin-secret")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


# --- no drift -----------------------------------------------------------------------------------


def test_no_drift_exits_0_and_says_so(tmp_path: Path, emulator_url: str) -> None:
    api = Api(emulator_url)
    api.create("payment", "Payment")
    api.create("tax", "Tax")
    folder = write_folder(
        tmp_path,
        emulator_url,
        {"payment.yaml": declaration("payment", "Payment"), "tax.yaml": declaration("tax", "Tax")},
    )
    emulator.control(emulator_url, "DELETE", "requests")

    result = drift(folder)

    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "No drift."
    assert result.stdout == ""
    assert emulator.writes(emulator_url) == []

    document = json.loads(drift(folder, "--format", "json").stdout)
    assert document["mode"] == "drift"
    assert document["orphans"] == []
    assert [(c["key"], c["kind"], c["fields"]) for c in document["changes"]] == [
        ("payment", "noop", []),
        ("tax", "noop", []),
    ]


# --- a field edited by hand ---------------------------------------------------------------------


@pytest.fixture
def edited_by_hand(tmp_path: Path, emulator_url: str) -> Path:
    """``payment`` declared as "Payment" with tag v1.0.0; live renamed and retagged by hand."""
    api = Api(emulator_url)
    api.create("payment", "Payment")
    api.create("tax", "Tax")
    api.update(
        "payment",
        {"action": "setName", "name": "Payment (edited in the UI)"},
        {"action": "setRepository", "url": "git@github.com:example/payment.git", "tag": "v9"},
    )
    emulator.control(emulator_url, "DELETE", "requests")
    return write_folder(
        tmp_path,
        emulator_url,
        {"payment.yaml": declaration("payment", "Payment"), "tax.yaml": declaration("tax", "Tax")},
    )


def test_edited_field_text_names_path_and_both_values(
    edited_by_hand: Path, emulator_url: str
) -> None:
    result = drift(edited_by_hand)

    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].split() == ["~", "drifted", "payment", "(emu,", "connectors/payment.yaml:1)"]
    assert lines[1].strip() == 'name: declared: "Payment", live: "Payment (edited in the UI)"'
    assert lines[2].strip() == 'repository.tag: declared: "v1.0.0", live: "v9"'
    assert lines[-1] == "Drift: 1 connector drifted, 0 missing, 0 orphans."
    assert "tax" not in result.stderr
    assert emulator.writes(emulator_url) == []


def test_edited_field_json_is_the_plan_document_in_drift_mode(
    edited_by_hand: Path, emulator_url: str
) -> None:
    # once end to end, as a workflow runs it: a separate process, the report on stdout
    done = cli(
        "drift",
        str(edited_by_hand),
        "--format",
        "json",
        script=True,
        CTP_CLIENT_ID="admin",
        CTP_CLIENT_SECRET="admin-secret",
    )

    assert done.returncode == 2, done.stderr
    document = json.loads(done.stdout)
    assert document["formatVersion"] == 1
    assert document["mode"] == "drift"
    payment = next(c for c in document["changes"] if c["key"] == "payment")
    assert payment["kind"] == "update"
    assert payment["file"] == "connectors/payment.yaml"
    assert payment["fields"] == [
        {"path": "name", "before": "Payment (edited in the UI)", "after": "Payment"},
        {"path": "repository.tag", "before": "v9", "after": "v1.0.0"},
    ]
    assert document["summary"] == {
        "create": 0,
        "update": 1,
        "redeploy": 0,
        "replace": 0,
        "noop": 1,
        "blocked": 0,
        "orphans": 0,
    }
    assert emulator.writes(emulator_url) == []


def test_edited_field_markdown_is_an_issue_body(edited_by_hand: Path, tmp_path: Path) -> None:
    out = tmp_path / "drift.md"

    result = drift(edited_by_hand, "--format", "markdown", "--out", str(out))

    assert result.exit_code == 2, result.stderr
    body = out.read_text(encoding="utf-8")
    assert "Drift: 1 connector drifted, 0 missing, 0 orphans." in body
    assert "#### Drifted connectors" in body
    assert '| `name` | `"Payment"` | `"Payment (edited in the UI)"` |' in body
    assert '| `repository.tag` | `"v1.0.0"` | `"v9"` |' in body


# --- missing connectors and orphans -------------------------------------------------------------


def test_missing_connector_is_drift(tmp_path: Path, emulator_url: str) -> None:
    Api(emulator_url).create("payment", "Payment")
    folder = write_folder(
        tmp_path,
        emulator_url,
        {
            "payment.yaml": declaration("payment", "Payment"),
            "loyalty.yaml": declaration("loyalty", "Loyalty"),
        },
    )
    emulator.control(emulator_url, "DELETE", "requests")

    result = drift(folder)

    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].split() == [
        "+",
        "missing",
        "loyalty",
        "(emu,",
        "connectors/loyalty.yaml:1)",
        "declared",
        "but",
        "not",
        "live",
    ]
    assert lines[-1] == "Drift: 0 connectors drifted, 1 missing, 0 orphans."
    document = json.loads(drift(folder, "--format", "json").stdout)
    loyalty = next(c for c in document["changes"] if c["key"] == "loyalty")
    assert loyalty["kind"] == "create"
    assert emulator.writes(emulator_url) == []


def test_orphan_is_drift(tmp_path: Path, emulator_url: str) -> None:
    api = Api(emulator_url)
    api.create("payment", "Payment")
    orphan = api.create("made-in-the-ui", "Made in the UI")
    folder = write_folder(
        tmp_path, emulator_url, {"payment.yaml": declaration("payment", "Payment")}
    )
    emulator.control(emulator_url, "DELETE", "requests")

    result = drift(folder)

    assert result.exit_code == 2, result.stderr
    assert "? orphan made-in-the-ui (emu)" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "Drift: 0 connectors drifted, 0 missing, 1 orphan."
    )
    document = json.loads(drift(folder, "--format", "json").stdout)
    assert document["orphans"] == [
        {"target": "emu", "key": "made-in-the-ui", "resource": "connector", "id": orphan["id"]}
    ]
    markdown = drift(folder, "--format", "markdown").stdout
    assert "`made-in-the-ui`" in markdown
    assert "connect-gitops export" in markdown
    assert emulator.writes(emulator_url) == []


# --- lifecycle drift ----------------------------------------------------------------------------


def test_lifecycle_drift_unpublished_changes_and_failed_preview(
    tmp_path: Path, emulator_url: str
) -> None:
    api = Api(emulator_url)
    emulator.control(
        emulator_url, "PUT", "settings", {"previewSeconds": 0, "previewOutcome": "false"}
    )
    unpublished = api.create("payment", "Payment")
    api.create("tax", "Tax")
    api.update("tax", {"action": "updatePreviewable"})
    emulator.control(emulator_url, "POST", "settle")
    tax = api.get("tax")
    assert (unpublished["hasChanges"], tax["isPreviewable"]) == (True, "false")
    folder = write_folder(
        tmp_path,
        emulator_url,
        {
            "payment.yaml": declaration("payment", "Payment", "reconcile:\n  publish: true\n"),
            "tax.yaml": declaration("tax", "Tax", "reconcile:\n  preview: true\n"),
        },
    )
    emulator.control(emulator_url, "DELETE", "requests")

    result = drift(folder)

    assert result.exit_code == 2, result.stderr
    text = result.stderr
    assert "drifted payment" in " ".join(text.split())
    assert "publish: unpublished changes" in text
    assert "drifted tax" in " ".join(text.split())
    assert "preview: preview failed" in text
    assert text.strip().splitlines()[-1] == "Drift: 2 connectors drifted, 0 missing, 0 orphans."
    document = json.loads(drift(folder, "--format", "json").stdout)
    lifecycle = {c["key"]: c["lifecycle"] for c in document["changes"]}
    assert lifecycle == {
        "payment": [{"step": "publish", "reason": "unpublished changes", "certification": False}],
        "tax": [{"step": "preview", "reason": "preview failed"}],
    }
    assert emulator.writes(emulator_url) == []


def test_a_preview_that_succeeded_is_not_drift(tmp_path: Path, emulator_url: str) -> None:
    api = Api(emulator_url)
    emulator.control(emulator_url, "PUT", "settings", {"previewSeconds": 0})
    api.create("tax", "Tax")
    api.update("tax", {"action": "updatePreviewable"})
    emulator.control(emulator_url, "POST", "settle")
    folder = write_folder(
        tmp_path,
        emulator_url,
        {"tax.yaml": declaration("tax", "Tax", "reconcile:\n  preview: true\n")},
    )

    result = drift(folder)

    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "No drift."


# --- read-only token ----------------------------------------------------------------------------


def test_a_view_connectors_client_suffices(
    edited_by_hand: Path, emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = emulator.control(emulator_url, "GET", "state")
    state["clients"] = [
        {"clientId": "admin", "clientSecret": "admin-secret", "scopes": ["manage_connectors"]},
        {"clientId": "reader", "clientSecret": "reader-secret", "scopes": ["view_connectors"]},
    ]
    emulator.control(emulator_url, "PUT", "state", state)
    monkeypatch.setenv("CTP_CLIENT_ID", "reader")
    monkeypatch.setenv("CTP_CLIENT_SECRET", "reader-secret")

    result = drift(edited_by_hand)

    assert result.exit_code == 2, result.stderr
    assert 'name: declared: "Payment", live: "Payment (edited in the UI)"' in result.stderr
    assert "reader-secret" not in result.stderr + result.stdout
    tokens = emulator.control(emulator_url, "GET", "state")["tokens"].values()
    assert [t["scopes"] for t in tokens if t["clientId"] == "reader"] == [
        [f"view_connectors:{PROJECT}"]
    ]
    assert emulator.writes(emulator_url) == []

    # the same client cannot write: apply fails, and the connector stays as it was
    applied = CliRunner().invoke(main, ["apply", str(edited_by_hand)])
    assert applied.exit_code == 1
    assert Api(emulator_url).get("payment")["name"] == "Payment (edited in the UI)"
