"""Which kind a document is, and the JSON Schema editors use for connectors and deployments."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft7Validator

from connect_gitops.core.declaration_schema import (
    UnknownKind,
    declaration_kind,
    declarations_json_schema,
    deployment_json_schema,
)
from tests.support.deployments import declaration

CONNECTOR = {
    "key": "payment-connector",
    "name": "Payment Connector",
    "repository": {"url": "git@github.com:example/payment-connector.git", "tag": "v1.4.0"},
}


def _problems(document: Any) -> list[str]:
    validator = Draft7Validator(declarations_json_schema())
    return sorted(error.message for error in validator.iter_errors(document))


def test_a_document_without_kind_is_a_connector() -> None:
    assert declaration_kind(CONNECTOR) == "Connector"
    assert declaration_kind({**CONNECTOR, "kind": "Connector"}) == "Connector"
    assert declaration_kind(declaration()) == "Deployment"


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        (
            "deployment",
            "unknown kind 'deployment': did you mean 'Deployment'? (use Connector or Deployment)",
        ),
        (
            "Deploymnet",
            "unknown kind 'Deploymnet': did you mean 'Deployment'? (use Connector or Deployment)",
        ),
        ("Service", "unknown kind 'Service' (use Connector or Deployment)"),
        (3, "kind must be one of Connector, Deployment"),
        (None, "kind must be one of Connector, Deployment"),
    ],
)
def test_another_kind_is_refused_with_a_hint(kind: object, message: str) -> None:
    with pytest.raises(UnknownKind) as caught:
        declaration_kind({"kind": kind, "key": "k"})
    assert str(caught.value) == message


def test_the_schemas_are_valid_draft_07_without_dollar_schema() -> None:
    for schema in (deployment_json_schema(), declarations_json_schema()):
        Draft7Validator.check_schema(schema)
        assert "$schema" not in schema
        assert "$defs" not in str(schema)


def test_the_combined_schema_accepts_both_kinds() -> None:
    assert _problems(CONNECTOR) == []
    assert _problems({**CONNECTOR, "kind": "Connector"}) == []
    assert _problems(declaration()) == []
    full = declaration(
        connector={"key": "stripe", "staged": False, "version": 7},
        globalConfiguration={"standardConfiguration": {"CURRENCY": "EUR"}},
        reconcile={"target": "eu", "replace": True},
    )
    assert _problems(full) == []


@pytest.mark.parametrize(
    "document",
    [
        declaration(configurations={"service": {"securedConfiguration": {"STRIPE_KEY": "sk"}}}),
        declaration(configurations={"service": {"standardConfiguration": {"log-level": "x"}}}),
        declaration(configurations={"service": {"standardConfiguration": {"PORT": "1"}}}),
        declaration(configurations={"service": {"standardConfiguration": {"LEVEL": 3}}}),
        declaration(configurations={"bad name": {}}),
        declaration(connector={"key": "stripe", "id": "c1"}),
        declaration(connector={"staged": True}),
        declaration(type="staging"),
        declaration(replicas=2),
        {**CONNECTOR, "kind": "Deploymnet"},
        {**CONNECTOR, "configurations": {}},
    ],
)
def test_the_combined_schema_flags_what_the_models_refuse(document: dict[str, Any]) -> None:
    assert _problems(document) != []


def test_maps_name_their_keys_with_property_names() -> None:
    schema = deployment_json_schema()
    configurations = schema["properties"]["configurations"]
    assert configurations["propertyNames"] == {"pattern": "^[a-zA-Z0-9_-]{2,256}$"}
    assert configurations["additionalProperties"] == {"$ref": "#/definitions/ApplicationValues"}
    secured = schema["definitions"]["ApplicationValues"]["properties"]["securedConfiguration"]
    assert secured["additionalProperties"] == {"$ref": "#/definitions/FromEnv"}
    assert "patternProperties" not in str(schema)
