"""DeploymentDeclaration: strict, maps for configurations, and secrets only from the environment."""

from __future__ import annotations

import traceback
from typing import Any

import pytest
from pydantic import ValidationError

from connect_gitops.core.deployments.declarations import (
    LITERAL_SECRET,
    DeploymentDeclaration,
)
from tests.support.deployments import declaration

SECRET = "sk_live_do_not_print_0123456789"


def _errors(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, message) of every error, as the loader turns them into problems."""
    with pytest.raises(ValidationError) as caught:
        DeploymentDeclaration.model_validate(document)
    return [
        (
            ".".join(str(part) for part in error["loc"]),
            str((error.get("ctx") or {}).get("error", error["type"])),
        )
        for error in caught.value.errors()
    ]


def _service(**values: Any) -> dict[str, Any]:
    return declaration(configurations={"service": values})


def test_the_design_example_is_a_valid_declaration() -> None:
    model = DeploymentDeclaration.model_validate(
        declaration(
            connector={"key": "stripe-payment-connector", "staged": False, "version": 7},
            configurations={
                "service": {
                    "standardConfiguration": {"LOG_LEVEL": "info"},
                    "securedConfiguration": {"STRIPE_SECRET_KEY": {"fromEnv": "STRIPE_SECRET_KEY"}},
                },
                "order-sync": {"schedule": "*/10 * * * *"},
            },
            globalConfiguration={"standardConfiguration": {"CURRENCY": "EUR"}},
            reconcile={"target": "eu", "replace": False},
        )
    )
    assert model.connector.version == 7
    assert model.configurations["order-sync"].schedule == "*/10 * * * *"
    assert model.reconcile.target == "eu"
    minimal = DeploymentDeclaration.model_validate(declaration(configurations={}))
    assert (minimal.configurations, minimal.globalConfiguration) == ({}, None)
    assert minimal.reconcile.replace is False


@pytest.mark.parametrize("literal", [SECRET, 12345678, True, [SECRET], {"value": SECRET}, None])
def test_a_literal_secret_is_refused_and_never_repeated(literal: object) -> None:
    document = _service(securedConfiguration={"STRIPE_SECRET_KEY": literal})
    with pytest.raises(ValidationError) as caught:
        DeploymentDeclaration.model_validate(document)
    errors = caught.value.errors()
    assert [error["loc"] for error in errors] == [
        ("configurations", "service", "securedConfiguration", "STRIPE_SECRET_KEY")
    ]
    assert str(errors[0]["ctx"]["error"]) == LITERAL_SECRET
    shown = str(caught.value) + "".join(traceback.format_exception(caught.value))
    assert SECRET not in shown
    assert "12345678" not in shown


def test_an_environment_variable_name_is_checked_without_echoing_it() -> None:
    document = _service(securedConfiguration={"STRIPE_SECRET_KEY": {"fromEnv": "sk-live-123"}})
    assert _errors(document) == [
        (
            "configurations.service.securedConfiguration.STRIPE_SECRET_KEY.fromEnv",
            "must be the name of an environment variable: letters, digits and '_', "
            "not starting with a digit",
        )
    ]
    for wrong in ("STRIPE\n", 4242424242424242, None):
        document = _service(securedConfiguration={"STRIPE_SECRET_KEY": {"fromEnv": wrong}})
        with pytest.raises(ValidationError) as caught:
            DeploymentDeclaration.model_validate(document)
        [error] = caught.value.errors()
        assert str(error["ctx"]["error"]).startswith("must be the name of an environment variable")
        assert "4242424242424242" not in str(caught.value)


def test_connector_needs_exactly_one_of_key_and_id() -> None:
    assert _errors(declaration(connector={"key": "stripe", "id": "c1"})) == [
        ("connector", "give exactly one of connector.key and connector.id: remove one of them")
    ]
    assert _errors(declaration(connector={"staged": True})) == [
        ("connector", "give exactly one of connector.key and connector.id")
    ]


def test_kind_type_and_region_are_literals() -> None:
    assert [path for path, _ in _errors(declaration(kind="Deploymnet"))] == ["kind"]
    assert [path for path, _ in _errors(declaration(type="staging"))] == ["type"]
    assert [path for path, _ in _errors(declaration(region="europe-west1"))] == ["region"]


def test_configurations_are_maps_with_a_message_for_pasted_api_lists() -> None:
    pasted = declaration(configurations=[{"applicationName": "service"}])
    assert _errors(pasted) == [
        (
            "configurations",
            "configurations is a map, not a list: write applicationName: "
            "{standardConfiguration: {KEY: value}}",
        )
    ]
    pasted_values = _service(standardConfiguration=[{"key": "LOG_LEVEL", "value": "info"}])
    assert _errors(pasted_values) == [
        (
            "configurations.service.standardConfiguration",
            "standardConfiguration is a map, not a list: write KEY: value pairs",
        )
    ]


def test_a_standard_value_must_be_text() -> None:
    assert _errors(_service(standardConfiguration={"BATCH_SIZE": 10})) == [
        ("configurations.service.standardConfiguration.BATCH_SIZE", "string_type")
    ]
    assert _errors(_service(standardConfiguration={"ENABLED": True})) == [
        ("configurations.service.standardConfiguration.ENABLED", "string_type")
    ]


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        (
            declaration(key="payments\n"),
            "key",
            "invalid key 'payments\\n': use 2 to 256 characters of letters, digits, '-' or '_'",
        ),
        (
            declaration(configurations={"service\n": {}}),
            "configurations.service\n.[key]",
            "invalid application name 'service\\n': use 2 to 256 letters, digits, '-' or '_'",
        ),
        (
            _service(standardConfiguration={"LOG_LEVEL\n": "x"}),
            "configurations.service.standardConfiguration.LOG_LEVEL\n.[key]",
            "invalid configuration key 'LOG_LEVEL\\n': use 2 to 256 letters, digits or '_'",
        ),
        (
            _service(standardConfiguration={"PORT": "8080"}),
            "configurations.service.standardConfiguration.PORT.[key]",
            "'PORT' is reserved by the runtime: it cannot be configured",
        ),
        (
            _service(schedule="every hour"),
            "configurations.service.schedule",
            "invalid cron schedule 'every hour': use five fields: minute hour day-of-month "
            "month day-of-week",
        ),
        (
            _service(schedule="0 * * * *\n"),
            "configurations.service.schedule",
            "invalid cron schedule '0 * * * *\\n': remove the whitespace around it",
        ),
    ],
)
def test_names_keys_and_schedules_match_whole(
    document: dict[str, Any], path: str, message: str
) -> None:
    assert _errors(document) == [(path, message)]


def test_null_unknown_fields_and_bad_versions_are_refused() -> None:
    assert _errors(declaration(globalConfiguration=None)) == [
        ("globalConfiguration", "null is not allowed: omit the field instead")
    ]
    assert _errors(declaration(replicas=2)) == [("replicas", "extra_forbidden")]
    assert _errors(declaration(connector={"key": "stripe", "version": 0})) == [
        ("connector.version", "greater_than_equal")
    ]
    assert _errors(declaration(connector={"key": "stripe", "version": "7"})) == [
        ("connector.version", "int_type")
    ]
    assert _errors(declaration(reconcile={"replace": "yes"})) == [
        ("reconcile.replace", "bool_type")
    ]
