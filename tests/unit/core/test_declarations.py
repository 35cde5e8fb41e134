"""ConnectorDeclaration: camelCase only, unknown fields refused, omitted fields unmanaged."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from connect_gitops.core.declarations import (
    ConnectorDeclaration,
    declaration_json_schema,
    managed_fields,
    missing_for_create,
)

FULL: dict[str, Any] = {
    "key": "payment-connector",
    "name": "Payment Connector",
    "description": "Card payments",
    "integrationTypes": ["psp"],
    "creator": {
        "email": "team@example.com",
        "name": "Team",
        "title": "Owner",
        "company": "Example Ltd",
        "logoUrl": "https://example.com/logo.png",
        "noOfContributors": 4,
        "supportUrl": "https://example.com/support",
    },
    "repository": {"url": "git@github.com:example/payment-connector.git", "tag": "v1.4.0"},
    "privateProjects": ["europe-west1.gcp:shop-staging"],
    "supportedRegions": ["europe-west1.gcp"],
    "documentationUrl": "https://example.com/docs",
    "reconcile": {"target": "eu", "preview": True, "publish": False, "certification": False},
}


def errors(data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        ConnectorDeclaration.model_validate(data)
    return [(tuple(e["loc"]), e["type"]) for e in caught.value.errors()]


def test_full_declaration_is_accepted_and_managed_in_api_form() -> None:
    declaration = ConnectorDeclaration.model_validate(FULL)
    managed = managed_fields(declaration)
    assert list(managed) == [
        "name",
        "description",
        "documentationUrl",
        "integrationTypes",
        "supportedRegions",
        "creator",
        "repository",
        "privateProjects",
    ]
    assert managed["creator"]["noOfContributors"] == 4
    assert missing_for_create(declaration) == []


def test_omitted_fields_are_unmanaged_and_an_empty_list_is_managed() -> None:
    declaration = ConnectorDeclaration.model_validate(
        {"key": "ab", "privateProjects": [], "creator": {"company": "X"}}
    )
    assert managed_fields(declaration) == {"creator": {"company": "X"}, "privateProjects": []}
    assert missing_for_create(declaration) == ["name", "creator.email", "repository"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("no_of_contributors", 3),
        ("logo_url", "https://x"),
    ],
)
def test_snake_case_spelling_is_an_unknown_field(field: str, value: object) -> None:
    data = {"key": "ab", "creator": {field: value}}
    assert errors(data) == [(("creator", field), "extra_forbidden")]


def test_snake_case_top_level_is_unknown() -> None:
    assert errors({"key": "ab", "supported_regions": ["us-east-2.aws"]}) == [
        (("supported_regions",), "extra_forbidden")
    ]


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        ({"key": "x"}, [(("key",), "value_error")]),
        ({"integrationTypes": ["payments"]}, [(("integrationTypes", 0), "literal_error")]),
        ({"integrationTypes": ["psp", "psp"]}, [(("integrationTypes",), "value_error")]),
        ({"supportedRegions": []}, [(("supportedRegions",), "too_short")]),
        ({"supportedRegions": ["mars-1.gcp"]}, [(("supportedRegions", 0), "literal_error")]),
        ({"privateProjects": ["shop"]}, [(("privateProjects", 0), "value_error")]),
        ({"creator": {"email": "x"}}, [(("creator", "email"), "value_error")]),
        (
            {"creator": {"noOfContributors": 0}},
            [(("creator", "noOfContributors"), "greater_than_equal")],
        ),
        ({"creator": {"noOfContributors": "4"}}, [(("creator", "noOfContributors"), "int_type")]),
        (
            {"repository": {"url": "git@github.com:o/r.git", "tag": "a..b"}},
            [(("repository", "tag"), "value_error")],
        ),
        (
            {"repository": {"url": "https://gitlab.com/o/r.git", "tag": "v1"}},
            [(("repository", "url"), "value_error")],
        ),
        ({"repository": {"url": "git@github.com:o/r.git"}}, [(("repository", "tag"), "missing")]),
        (
            {"repository": {"url": "git@github.com:o/r.git", "tag": 1.0}},
            [(("repository", "tag"), "string_type")],
        ),
        ({"name": None}, [(("name",), "value_error")]),
        ({"reconcile": {"publish": "yes"}}, [(("reconcile", "publish"), "bool_type")]),
    ],
)
def test_refused_values(patch: dict[str, Any], expected: list[tuple[tuple[Any, ...], str]]) -> None:
    assert errors({"key": "ab", **patch}) == expected


def test_key_is_required() -> None:
    assert errors({"name": "x"}) == [(("key",), "missing")]


def test_reconcile_defaults_and_is_never_managed() -> None:
    declaration = ConnectorDeclaration.model_validate({"key": "ab"})
    assert declaration.reconcile.model_dump() == {
        "target": None,
        "preview": False,
        "publish": False,
        "certification": False,
    }
    assert managed_fields(declaration) == {}


def test_json_schema_for_editors() -> None:
    schema = declaration_json_schema()
    assert "$schema" not in schema
    assert schema["title"] == "Connect connector declaration"
    assert schema["required"] == ["key"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["name"] == {
        "description": "Display name; required to create, not empty.",
        "minLength": 1,
        "title": "name",
        "type": "string",
    }
    assert schema["properties"]["supportedRegions"]["minItems"] == 1
    assert schema["properties"]["privateProjects"]["uniqueItems"] is True
    creator = schema["definitions"]["Creator"]["properties"]
    assert creator["noOfContributors"]["minimum"] == 1
    assert schema["properties"]["creator"]["$ref"] == "#/definitions/Creator"
