"""Adopting live deployments: what a new declaration holds, and the edits of an existing one."""

from __future__ import annotations

import pytest

from connect_gitops.core.adoption import AdoptionError
from connect_gitops.core.deployments.adoption import (
    deployment_edits,
    new_deployment_declaration,
    validate_deployment,
)
from tests.support.deployments import CONNECTOR, declared, live


def test_a_preview_by_connector_id_with_a_secured_key_that_cannot_be_a_variable() -> None:
    running = live(
        type="preview",
        connector={"id": "c-1", "version": 5},
        applications=[
            {
                "applicationName": "service",
                "standardConfiguration": [{"key": "LOG_LEVEL", "value": "info"}],
                "securedConfiguration": [{"key": "2FA_SECRET", "value": "****"}],
            },
            {"applicationName": "assets", "standardConfiguration": []},
        ],
    )
    document = new_deployment_declaration(running, target="eu")
    assert document == {
        "kind": "Deployment",
        "key": "payments",
        "connector": {"id": "c-1", "staged": True, "version": 5},
        "type": "preview",
        "region": "europe-west1.gcp",
        "configurations": {
            "service": {
                "standardConfiguration": {"LOG_LEVEL": "info"},
                "securedConfiguration": {"2FA_SECRET": {"fromEnv": "_2FA_SECRET"}},
            }
        },
        "reconcile": {"target": "eu"},
    }
    assert "****" not in str(document)
    assert validate_deployment(document).connector.staged is True


def test_live_values_that_are_no_declaration_are_refused_with_the_reason() -> None:
    with pytest.raises(AdoptionError) as caught:
        new_deployment_declaration(live(type="staging-2"))
    assert str(caught.value).startswith(
        "the live values of deployment 'payments' are not a valid declaration: type: "
    )
    with pytest.raises(AdoptionError, match="has no key, so no declaration can name it"):
        new_deployment_declaration(live(key=None))


def test_an_existing_declaration_keeps_its_scope() -> None:
    declaration = declared(
        region="us-central1.gcp",
        connector={"key": CONNECTOR, "version": 2},
        configurations={
            "service": {
                "standardConfiguration": {"LOG_LEVEL": "debug", "GONE": "x"},
                "securedConfiguration": {"STRIPE_SECRET_KEY": {"fromEnv": "STRIPE_KEY"}},
                "schedule": "0 * * * *",
            }
        },
    ).declaration
    edits = deployment_edits(declaration, live(connector_version=3))
    assert [(e.dotted, e.before, e.after, e.removed) for e in edits] == [
        ("region", "us-central1.gcp", "europe-west1.gcp", False),
        ("connector.version", 2, 3, False),
        ("configurations.service.standardConfiguration.LOG_LEVEL", "debug", "info", False),
        ("configurations.service.standardConfiguration.GONE", "x", None, True),
        ("configurations.service.schedule", "0 * * * *", None, True),
    ]
