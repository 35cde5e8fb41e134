"""``connect-gitops schema`` and the committed schema/connector.schema.json: one schema for both
kinds of documents, so the ``# yaml-language-server`` line users already have keeps working."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from jsonschema import Draft7Validator

from connect_gitops.cli import main
from connect_gitops.source import yamlsafe
from tests.support.paths import EXAMPLES, SCHEMA_FILE

SCHEMA_LINE = re.compile(r"# yaml-language-server: \$schema=(\S+)")


def test_schema_prints_json_on_stdout() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "connect-gitops declaration"
    assert "$schema" not in schema
    assert {"ConnectorDeclaration", "DeploymentDeclaration", "Creator", "FromEnv"} <= set(
        schema["definitions"]
    )
    Draft7Validator.check_schema(schema)


def test_committed_schema_is_current() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert SCHEMA_FILE.read_text() == result.stdout, (
        "schema/connector.schema.json is out of date: run `make schema` and commit it"
    )


def _documents(path: Path) -> list[Any]:
    documents = yamlsafe.parse_documents(path.read_text(encoding="utf-8"))
    return [document.data for document in documents if document.data is not None]


def test_every_example_document_checks_against_the_schema_its_first_line_names() -> None:
    files = sorted([*EXAMPLES.glob("connectors/*.yaml"), *EXAMPLES.glob("deployments/*.yaml")])
    kinds = set()
    for path in files:
        named = SCHEMA_LINE.fullmatch(path.read_text(encoding="utf-8").splitlines()[0])
        assert named is not None, f"{path.name}: no yaml-language-server line"
        schema_file = (path.parent / named.group(1)).resolve()
        assert schema_file == SCHEMA_FILE
        validator = Draft7Validator(json.loads(schema_file.read_text(encoding="utf-8")))
        for document in _documents(path):
            kinds.add(document.get("kind", "Connector"))
            errors = [error.message for error in validator.iter_errors(document)]
            assert errors == [], f"{path.name}: {errors}"
    assert kinds == {"Connector", "Deployment"}


def test_the_schema_flags_a_deployment_mistake_an_editor_should_show() -> None:
    validator = Draft7Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    deployment = {
        "kind": "Deployment",
        "key": "payments-preview",
        "connector": {"key": "stripe-payment-connector", "staged": True},
        "type": "preview",
        "region": "europe-west1.gcp",
        "configurations": {"service": {"securedConfiguration": {"STRIPE_KEY": "sk_live"}}},
    }
    assert [error.message for error in validator.iter_errors(deployment)] == [
        "'sk_live' is not of type 'object'"
    ]
    assert [error.message for error in validator.iter_errors({"key": "pay", "typo": 1})] == [
        "Additional properties are not allowed ('typo' was unexpected)"
    ]
