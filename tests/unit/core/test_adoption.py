"""core.adoption: the declaration that describes a live connector, new or edited in place."""

from __future__ import annotations

from typing import Any

import pytest

from connect_gitops.core.adoption import (
    NO_LIVE_VALUE,
    NO_REGIONS,
    PUBLIC,
    AdoptionError,
    FieldEdit,
    adoption_edits,
    edited,
    new_declaration,
)
from connect_gitops.core.declarations import ConnectorDeclaration, managed_fields
from connect_gitops.core.diff import diff
from connect_gitops.core.live import ConnectorStaged

EVERY_FIELD: dict[str, Any] = {
    "id": "1",
    "key": "payment",
    "version": 3,
    "name": "Payment",
    "description": "Cards",
    "documentationUrl": "https://example.com/docs",
    "integrationTypes": ["psp", "other"],
    "supportedRegions": ["europe-west1.gcp"],
    "creator": {
        "email": "team@example.com",
        "name": "Team",
        "title": "Maintainers",
        "company": "Example",
        "logoUrl": "https://example.com/logo.png",
        "noOfContributors": 2,
        "supportUrl": "https://example.com/support",
    },
    "repository": {"url": "git@github.com:example/payment.git", "tag": "v1"},
    "privateProjects": ["europe-west1.gcp:shop-prod"],
    "status": "Published",
    "configurations": [{"applicationName": "service"}],
}


def live(**changes: Any) -> ConnectorStaged:
    return ConnectorStaged.model_validate(EVERY_FIELD | changes)


def test_new_declaration_holds_every_field_in_file_order_and_plans_as_no_change() -> None:
    document = new_declaration(live())

    assert list(document) == [
        "key",
        "name",
        "description",
        "integrationTypes",
        "creator",
        "repository",
        "privateProjects",
        "supportedRegions",
        "documentationUrl",
    ]
    assert list(document["creator"]) == [
        "email",
        "name",
        "title",
        "company",
        "noOfContributors",
        "supportUrl",
        "logoUrl",
    ]
    assert diff(ConnectorDeclaration.model_validate(document), live()).empty


def test_new_declaration_leaves_out_empty_values_and_names_a_target() -> None:
    bare = ConnectorStaged.model_validate(
        {"id": "2", "key": "tax", "version": 1, "description": "", "creator": {"email": None}}
    )

    assert new_declaration(bare, target="us") == {"key": "tax", "reconcile": {"target": "us"}}


def test_new_declaration_of_a_public_connector_leaves_private_projects_out() -> None:
    assert "privateProjects" not in new_declaration(live(private=False))


def test_new_declaration_refuses_live_values_that_are_not_a_valid_declaration() -> None:
    with pytest.raises(AdoptionError) as raised:
        new_declaration(
            live(repository={"url": "https://gitlab.com/example/payment.git", "tag": "v1"})
        )

    message = str(raised.value)
    assert message.startswith("the live values of 'payment' are not a valid declaration: ")
    assert "repository.url: " in message


def declared(**fields: Any) -> dict[str, Any]:
    return managed_fields(ConnectorDeclaration.model_validate({"key": "payment", **fields}))


def test_edits_keep_the_declared_scope_and_change_only_what_differs() -> None:
    wanted = declared(
        name="Old",
        creator={"email": "team@example.com", "noOfContributors": 1},
        repository={"url": "git@github.com:example/payment.git", "tag": "v0"},
        integrationTypes=["other", "psp"],
    )

    edits = adoption_edits(wanted, live())

    assert edits == [
        FieldEdit(("name",), "Old", "Payment"),
        FieldEdit(("creator", "noOfContributors"), 1, 2),
        FieldEdit(("repository", "tag"), "v0", "v1"),
    ]
    result = edited(wanted, edits)
    assert "description" not in result
    assert diff(ConnectorDeclaration.model_validate({"key": "payment", **result}), live()).empty


def test_a_field_without_a_live_value_is_removed_with_the_reason() -> None:
    wanted = declared(
        description="Cards",
        creator={"email": "team@example.com", "title": "Maintainers"},
        supportedRegions=["europe-west1.gcp"],
        privateProjects=["europe-west1.gcp:shop-prod"],
    )
    gone = live(description=None, creator={"email": "team@example.com"}, supportedRegions=[])

    edits = adoption_edits(wanted, gone)

    assert edits == [
        FieldEdit(("description",), "Cards", None, NO_LIVE_VALUE),
        FieldEdit(("supportedRegions",), ["europe-west1.gcp"], None, NO_REGIONS),
        FieldEdit(("creator", "title"), "Maintainers", None, NO_LIVE_VALUE),
    ]
    assert edited(wanted, edits) == {
        "creator": {"email": "team@example.com"},
        "privateProjects": ["europe-west1.gcp:shop-prod"],
    }


def test_private_projects_of_a_public_connector_are_no_longer_managed() -> None:
    wanted = declared(privateProjects=["europe-west1.gcp:shop-prod"])

    assert adoption_edits(wanted, live(private=False)) == [
        FieldEdit(("privateProjects",), ["europe-west1.gcp:shop-prod"], None, PUBLIC)
    ]


def test_an_emptied_nested_block_is_removed() -> None:
    wanted = declared(creator={"title": "Maintainers"})

    edits = adoption_edits(wanted, live(creator={"email": "team@example.com"}))

    assert edited(wanted, edits) == {}


def test_a_list_that_changed_is_set_to_the_live_items() -> None:
    wanted = declared(privateProjects=["europe-west1.gcp:shop-prod", "europe-west1.gcp:old"])

    assert adoption_edits(wanted, live()) == [
        FieldEdit(
            ("privateProjects",),
            ["europe-west1.gcp:shop-prod", "europe-west1.gcp:old"],
            ["europe-west1.gcp:shop-prod"],
        )
    ]


NEWER = EVERY_FIELD | {
    "supportedRegions": ["europe-west1.gcp", "me-central1.gcp"],
    "integrationTypes": ["psp", "loyalty"],
    "privateProjects": ["europe-west1.gcp:shop", "some new form"],
}


def test_live_values_unknown_to_this_version_leave_the_field_out_of_a_new_declaration() -> None:
    document = new_declaration(ConnectorStaged.model_validate(NEWER))

    assert "supportedRegions" not in document
    assert "integrationTypes" not in document
    assert "privateProjects" not in document
    assert document["name"] == "Payment"


def test_live_values_unknown_to_this_version_make_a_declared_field_unmanaged() -> None:
    live = ConnectorStaged.model_validate(NEWER)
    declared = {"supportedRegions": ["europe-west1.gcp"], "name": "Payment"}

    edits = adoption_edits(declared, live)

    assert edits == [
        FieldEdit(
            ("supportedRegions",),
            ["europe-west1.gcp"],
            None,
            "live holds 'me-central1.gcp', unknown to this version; the field is no longer managed",
        )
    ]
