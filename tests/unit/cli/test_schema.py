"""``connect-gitops schema`` and the committed schema/connector.schema.json."""

from __future__ import annotations

import json

from click.testing import CliRunner

from connect_gitops.cli import main
from tests.support.paths import SCHEMA_FILE


def test_schema_prints_json_on_stdout() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Connect connector declaration"
    assert "$schema" not in schema
    assert set(schema["definitions"]) == {"Creator", "Repository", "Reconcile"}


def test_committed_schema_is_current() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert SCHEMA_FILE.read_text() == result.stdout, (
        "schema/connector.schema.json is out of date: run `make schema` and commit it"
    )
