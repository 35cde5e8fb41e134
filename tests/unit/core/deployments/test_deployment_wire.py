"""Request bodies: the API reference's own examples, and secured values merged only at apply."""

from __future__ import annotations

from typing import Any

import pytest

from connect_gitops.core.actions import Redeploy, from_wire, to_wire
from connect_gitops.core.deployments.live import connector_facts
from connect_gitops.core.deployments.wire import (
    MissingVariables,
    actions_with_secrets,
    draft_with_secrets,
)
from connect_gitops.core.plan import to_json
from tests.support.deployments import SECRET_VARIABLE, declared, example, facts, live, only, plan

SECRET_VALUE = "sk_live_do_not_print_0123456789"

DRAFT_FIELDS = {"key", "type", "connector", "region", "configurations", "globalConfiguration"}
REFERENCE_FIELDS = {"key", "id", "staged", "version"}
APPLICATION_FIELDS = {
    "applicationName",
    "standardConfiguration",
    "securedConfiguration",
    "schedule",
}


def _shape(value: Any, path: str = "") -> set[str]:
    """Every field path of a JSON value (list items as ``[]``): its names and nesting."""
    if isinstance(value, dict):
        paths = set()
        for name, item in value.items():
            paths |= {f"{path}.{name}"} | _shape(item, f"{path}.{name}")
        return paths
    if isinstance(value, list):
        return set().union(*(_shape(item, f"{path}[]") for item in value)) if value else set()
    return set()


def _example_connector() -> Any:
    return connector_facts(
        {
            "id": "a49aa2c5-15b6-41c4-88af-4b7afdcc07a5",
            "key": "connector-key",
            "version": 1,
            "configurations": [example("ConnectorConfigurationApplication.json")],
        },
        staged=False,
    )


def _example_declaration(**fields: Any) -> Any:
    """The deployment of the reference's DeploymentDraft example, declared."""
    document: dict[str, Any] = {
        "key": "key-for-my-deployment",
        "connector": {"key": "connector-key", "version": 1},
        "type": "sandbox",
        "region": "europe-west1.gcp",
        "configurations": {
            "app-1": {
                "standardConfiguration": {"CONFIG_KEY": "config-key-value"},
                "securedConfiguration": {"CONFIG_SECRET_KEY": {"fromEnv": "CONFIG_SECRET"}},
            }
        },
    }
    return declared(**(document | fields))


def test_the_planned_draft_is_the_reference_example_plus_type_and_staged() -> None:
    change = only(
        plan([_example_declaration()], [], [_example_connector()], environment={"CONFIG_SECRET"})
    )
    body = draft_with_secrets(change, {"CONFIG_SECRET": "config-secret-key-value"})
    reference = example("DeploymentDraft.json")
    assert body == reference | {
        "type": "sandbox",
        "connector": reference["connector"] | {"staged": False},
    }
    assert _shape(reference) <= _shape(body)
    assert {name for name in body} <= DRAFT_FIELDS
    assert set(body["connector"]) <= REFERENCE_FIELDS
    assert all(set(application) <= APPLICATION_FIELDS for application in body["configurations"])


def test_a_connector_by_id_drafts_like_the_id_example() -> None:
    by_id = _example_declaration(
        key="deployment-key", connector={"id": "a49aa2c5-15b6-41c4-88af-4b7afdcc07a5", "version": 1}
    )
    change = only(plan([by_id], [], [_example_connector()], environment={"CONFIG_SECRET"}))
    body = draft_with_secrets(change, {"CONFIG_SECRET": "config-secret-key-value"})
    reference = example("draft.json")
    assert _shape(reference) <= _shape(body)
    assert body["connector"] == reference["connector"] | {"staged": False}
    assert body["configurations"] == reference["configurations"]


def test_the_reference_redeploy_action_reads_and_writes_unchanged() -> None:
    reference = example("DeploymentRedeployUpdateAction.json")
    [action] = from_wire([reference])
    assert isinstance(action, Redeploy)
    assert to_wire([action]) == [reference]
    update = example("update.json")
    assert to_wire(from_wire(update["actions"])) == update["actions"]


def test_the_planned_redeploy_has_the_reference_shape() -> None:
    running = live(
        key="key-for-my-deployment",
        type="sandbox",
        connector={
            "id": "a49aa2c5-15b6-41c4-88af-4b7afdcc07a5",
            "key": "connector-key",
            "version": 1,
        },
        applications=[
            {
                "applicationName": "app-1",
                "standardConfiguration": [{"key": "CONFIG_KEY", "value": "edited"}],
                "securedConfiguration": [{"key": "CONFIG_SECRET_KEY"}],
            }
        ],
    )
    unpinned = _example_declaration(connector={"key": "connector-key"})
    newer = _example_connector().model_copy(update={"version": 2})
    change = only(plan([unpinned], [running], [newer], environment={"CONFIG_SECRET"}))
    assert change.kind == "redeploy"
    [action] = actions_with_secrets(change, {"CONFIG_SECRET": "config-secret-key-value"})
    reference = example("DeploymentRedeployUpdateAction.json")
    assert action == {name: value for name, value in reference.items() if name != "skipScripts"}
    body = {"version": change.version, "actions": [action]}
    assert _shape(example("update.json")) <= _shape(body)


def test_secured_values_go_where_their_names_say_and_nowhere_else() -> None:
    wanted = declared(
        globalConfiguration={"securedConfiguration": {"GATEWAY_TOKEN": {"fromEnv": "TOKEN"}}}
    )
    connector = facts(
        globalConfiguration={"securedConfiguration": [{"key": "GATEWAY_TOKEN", "required": True}]}
    )
    secrets = {SECRET_VARIABLE: SECRET_VALUE, "TOKEN": "global-secret"}
    planned = plan([wanted], [], [connector], environment=set(secrets))
    before = to_json(planned)
    created = only(planned)
    body = draft_with_secrets(created, secrets)
    assert body["globalConfiguration"] == {
        "standardConfiguration": [],
        "securedConfiguration": [{"key": "GATEWAY_TOKEN", "value": "global-secret"}],
    }
    service = next(a for a in body["configurations"] if a["applicationName"] == "service")
    assert service["securedConfiguration"] == [{"key": SECRET_VARIABLE, "value": SECRET_VALUE}]
    sync = next(a for a in body["configurations"] if a["applicationName"] == "order-sync")
    assert sync["securedConfiguration"] == []
    after = to_json(planned)  # the plan, after its values were merged into a body
    assert before == after
    assert SECRET_VALUE not in after
    assert "global-secret" not in after


def test_a_redeploy_sends_secured_values_only_for_applications_that_declare_them() -> None:
    """Every application carries the list (the RAML requires it): empty where none is declared."""
    edited = live(service={"CTP_REGION": "edited"})
    change = only(plan([declared()], [edited], [facts()]))
    [action] = actions_with_secrets(change, {SECRET_VARIABLE: SECRET_VALUE})
    applications = {a["applicationName"]: a for a in action["configurationValues"]}
    assert applications["order-sync"]["securedConfiguration"] == []
    assert applications["service"]["securedConfiguration"] == [
        {"key": SECRET_VARIABLE, "value": SECRET_VALUE}
    ]
    assert "securedConfiguration" not in to_wire(change.actions)[0]["configurationValues"][1]


def test_a_missing_variable_is_named_and_no_value_is_shown() -> None:
    change = only(plan([declared()], [], [facts()]))
    with pytest.raises(MissingVariables) as caught:
        draft_with_secrets(change, {"OTHER": SECRET_VALUE})
    assert str(caught.value) == f"environment variable {SECRET_VARIABLE} not set: not sent"
    assert caught.value.names == [SECRET_VARIABLE]
    assert SECRET_VALUE not in repr(caught.value)
