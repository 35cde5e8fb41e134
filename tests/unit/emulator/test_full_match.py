"""Every validation rule matches the whole value: a trailing newline is refused (issue 15).

`re.match` with `$` accepts "abc\\n", because `$` also matches before a final newline.
"""

from __future__ import annotations

from typing import Any

import pytest

from connect_gitops.emulator.connect_yaml import parse
from tests.support.emulator_contract import Emu, draft

pytestmark = pytest.mark.anyio

REPOSITORY = {"url": "https://github.com/example/payment.git", "tag": "v1.0.0"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (draft(key="payment\n"), "key"),
        (draft(creator={"email": "team@example.com\n"}), "creator.email"),
        (draft(repository={**REPOSITORY, "url": REPOSITORY["url"] + "\n"}), "repository.url"),
        (draft(repository={**REPOSITORY, "tag": "v1.0.0\n"}), "repository.tag"),
        (draft(repository={**REPOSITORY, "url": "file:///srv/payment.git\n"}), "repository.url"),
        (draft(privateProjects=["europe-west1.gcp:shop\n"]), "privateProjects[0]"),
    ],
)
async def test_create_refuses_a_value_ending_in_a_newline(
    emu: Emu, body: dict[str, Any], field: str
) -> None:
    response = await emu.client.post("/connectors/drafts", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["code"] == "InvalidJsonInput"
    assert error["detailedErrorMessage"].startswith(f"{field}: Invalid value")


@pytest.mark.parametrize(
    "action",
    [
        {"action": "setCreatorEmail", "creatorEmail": "a@b.co\n"},
        {"action": "setRepository", "url": REPOSITORY["url"], "tag": "v2\n"},
        {"action": "setRepository", "url": "git@github.com:o/r.git\n", "tag": "v2"},
        {"action": "addPrivateProject", "privateProject": "us-east-2.aws:other\n"},
    ],
)
async def test_update_refuses_a_value_ending_in_a_newline(emu: Emu, action: dict[str, Any]) -> None:
    created = await emu.create()
    response = await emu.update(created, action)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["code"] == "InvalidJsonInput"


@pytest.mark.parametrize(
    "text",
    [
        'deployAs:\n  - {name: "app\\n", applicationType: assets}\n',
        "deployAs:\n  - name: app\n    applicationType: service\n    endpoint: /x\n"
        "    configuration:\n      standardConfiguration:\n"
        '        - {key: "API_KEY\\n", description: d}\n',
    ],
)
def test_connect_yaml_refuses_names_ending_in_a_newline(text: str) -> None:
    assert isinstance(parse(text), list)
