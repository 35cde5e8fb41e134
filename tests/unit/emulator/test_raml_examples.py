"""The API reference's own example bodies (tests/support/raml_examples/) are accepted, and the
emulator's answers have the shape of the reference's response examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.emulator_contract import PROJECT, REGION, Emu, current, deployable

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parents[2] / "support" / "raml_examples"
EXAMPLE_CONNECTOR_ID = "a49aa2c5-15b6-41c4-88af-4b7afdcc07a5"
BASE = f"/{PROJECT}/deployments"
CONNECT_YAML = """\
deployAs:
  - name: app-1
    applicationType: service
    endpoint: /
    configuration:
      standardConfiguration:
        - {key: CONFIG_KEY, description: A key}
      securedConfiguration:
        - {key: CONFIG_SECRET_KEY, description: A secret}
  - name: app-3
    applicationType: job
    endpoint: /job
    properties: {schedule: "0 0 * * *"}
    configuration:
      standardConfiguration:
        - {key: CONFIG_KEY, description: A key}
      securedConfiguration:
        - {key: CONFIG_SECRET_KEY, description: A secret}
"""
CREATOR = {
    "title": "Mr",
    "name": "John Doe",
    "email": "john.doe@example.com",
    "company": "commercetools",
    "noOfContributors": 200,
}


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


async def _connector(emu: Emu, *, staged: bool = False) -> dict[str, Any]:
    return await deployable(
        emu,
        "connector-key",
        staged=staged,
        connect_yaml=CONNECT_YAML,
        name="Connectors name",
        description="Connectors description",
        creator=CREATOR,
        integrationTypes=["other"],
    )


async def test_the_deployment_draft_example_with_connector_key_is_accepted(emu: Emu) -> None:
    await _connector(emu)
    response = await emu.client.post(BASE, json=example("DeploymentDraft.json"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["key"], body["type"], body["deployedRegion"]) == (
        "key-for-my-deployment",
        "sandbox",
        REGION,
    )
    app = body["applications"][0]
    assert app["standardConfiguration"] == [{"key": "CONFIG_KEY", "value": "config-key-value"}]
    assert app["securedConfiguration"] == [{"key": "CONFIG_SECRET_KEY", "value": "****"}]


async def test_the_create_request_example_with_connector_id_is_accepted(emu: Emu) -> None:
    """Seeded through the state: the connector gets the example's id."""
    connector = await _connector(emu)
    state = await emu.control("GET", "state")
    state = json.loads(json.dumps(state).replace(connector["id"], EXAMPLE_CONNECTOR_ID))
    await emu.control("PUT", "state", state)
    await emu.login(f"manage_connectors_deployments:{PROJECT}")
    response = await emu.client.post(BASE, json=example("draft.json"))
    assert response.status_code == 201, response.text
    assert response.json()["connector"]["id"] == EXAMPLE_CONNECTOR_ID


async def test_the_redeploy_example_is_accepted(emu: Emu) -> None:
    await _connector(emu)
    created = (await emu.client.post(BASE, json=example("DeploymentDraft.json"))).json()
    await emu.control("POST", "settle")
    body = {
        "version": created["version"],
        "actions": [example("DeploymentRedeployUpdateAction.json")],
    }
    response = await emu.client.post(f"{BASE}/{created['id']}", json=body)
    assert response.status_code == 200, response.text
    redeployed = response.json()
    assert (redeployed["version"], redeployed["status"]) == (2, "Queued")
    assert redeployed["details"]["build"]["report"]["entries"][0]["type"] == "Information"


def _paths(value: Any, prefix: str = "") -> set[tuple[str, str]]:
    """Every field path of a JSON value with its JSON type; list items share `[]`."""
    if isinstance(value, dict):
        found = {(prefix, "object")}
        for name, item in value.items():
            found |= _paths(item, f"{prefix}.{name}")
        return found
    if isinstance(value, list):
        found = {(prefix, "array")}
        for item in value:
            found |= _paths(item, f"{prefix}[]")
        return found
    kind = {bool: "boolean", int: "number", float: "number", str: "string"}[type(value)]
    return {(prefix, kind)}


async def test_a_deployment_has_the_fields_of_the_response_example(emu: Emu) -> None:
    await _connector(emu)
    created = (await emu.client.post(BASE, json=example("DeploymentDraft.json"))).json()
    await emu.control("POST", "settle")
    ours = _paths(await current(emu, created))
    missing = _paths(example("minimal.json")) - ours
    # The example's creator still has `noOfDevelopers`; the RAML's Creator has noOfContributors.
    assert missing == {(".connector.creator.noOfDevelopers", "number")}


async def test_a_query_result_has_the_fields_of_the_paged_example(emu: Emu) -> None:
    await _connector(emu, staged=True)
    await emu.faults(failNextBuilds=1, failingApplication="app-3")
    draft = example("DeploymentDraft.json")
    draft["connector"] = {"key": "connector-key", "staged": True}
    draft["configurations"].append(
        {**draft["configurations"][0], "applicationName": "app-3", "schedule": "* * * * 5"}
    )
    assert (await emu.client.post(BASE, json=draft)).status_code == 201
    await emu.control("POST", "settle")
    page = (await emu.client.get(BASE)).json()
    assert _paths(example("paged.json")) - _paths(page) == set()


async def test_a_log_page_has_the_fields_of_the_logs_example(emu: Emu) -> None:
    await _connector(emu)
    await emu.settings(logPageSize=1)
    created = (await emu.client.post(BASE, json=example("DeploymentDraft.json"))).json()
    await emu.control("POST", "settle")
    page = (await emu.client.get(f"{BASE}/{created['id']}/logs")).json()
    assert _paths(example("cursor-paged.json")) == _paths(page)
