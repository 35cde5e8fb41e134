"""Reading connect.yaml at the tag from real git repositories in tmp_path (sections 5 and 8)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.emulator_contract import Emu

pytestmark = pytest.mark.anyio

CONNECT_YAML = """\
deployAs:
  - name: payments
    applicationType: service
    endpoint: /service
    configuration:
      standardConfiguration:
        - key: CTP_REGION
          description: Region
          required: true
          default: europe-west1.gcp
      securedConfiguration:
        - key: CTP_CLIENT_SECRET
          description: Secret
  - name: assets
    applicationType: assets
inheritAs:
  configuration:
    standardConfiguration:
      - key: SHARED
        description: Shared value
  apiClient:
    scopes: [manage_orders]
"""
EXPECTED_CONFIGURATIONS = [
    {
        "applicationName": "payments",
        "applicationType": "service",
        "standardConfiguration": [
            {
                "key": "CTP_REGION",
                "description": "Region",
                "required": True,
                "default": "europe-west1.gcp",
            }
        ],
        "securedConfiguration": [
            {"key": "CTP_CLIENT_SECRET", "description": "Secret", "required": False}
        ],
    },
    {
        "applicationName": "assets",
        "applicationType": "assets",
        "standardConfiguration": [],
        "securedConfiguration": [],
    },
]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def make_repository(path: Path, files: dict[str, str], tag: str = "v1.0.0") -> Path:
    path.mkdir()
    _git(path, "init", "-q")
    for name, text in files.items():
        (path / name).write_text(text)
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "--allow-empty", "-m", "init")
    _git(path, "tag", tag)
    return path


async def _preview(emu: Emu, url: str, tag: str = "v1.0.0") -> dict[str, Any]:
    created = await emu.create("previewed", repository={"url": url, "tag": tag})
    response = await emu.update(created, {"action": "updatePreviewable"})
    assert response.status_code == 200
    await emu.control("POST", "settle")
    return await emu.get(created)


async def test_file_url_derives_configurations(emu: Emu, tmp_path: Path) -> None:
    repo = make_repository(tmp_path / "repo", {"connect.yaml": CONNECT_YAML})
    created = await emu.create(repository={"url": f"file://{repo}", "tag": "v1.0.0"})
    assert created["configurations"] == EXPECTED_CONFIGURATIONS
    assert created["globalConfiguration"] == {
        "standardConfiguration": [
            {"key": "SHARED", "description": "Shared value", "required": False}
        ],
        "securedConfiguration": [],
    }
    assert created["apiClient"] == {"scopes": ["manage_orders"]}
    previewed = await _preview(emu, str(repo))
    assert previewed["isPreviewable"] == "true"


async def test_insteadof_rewrite_from_environment_reaches_a_local_repository(
    emu: Emu, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_repository(tmp_path / "repo.git", {"connect.yaml": CONNECT_YAML})
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", f"url.file://{tmp_path}/.insteadOf")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "https://github.com/example/")
    created = await emu.create(
        repository={"url": "https://github.com/example/repo.git", "tag": "v1.0.0"}
    )
    assert created["configurations"] == EXPECTED_CONFIGURATIONS


async def test_unreachable_repository_is_accepted_with_empty_configurations(emu: Emu) -> None:
    previewed = await _preview(emu, "git@github.com:example/unreachable.git")
    assert previewed["configurations"] == []
    assert previewed["isPreviewable"] == "true"


async def test_missing_tag_fails_the_preview(emu: Emu, tmp_path: Path) -> None:
    repo = make_repository(tmp_path / "repo", {"connect.yaml": CONNECT_YAML})
    previewed = await _preview(emu, str(repo), tag="v9")
    assert previewed["isPreviewable"] == "false"
    [entry] = previewed["previewableReport"]["entries"]
    assert (entry["type"], entry["title"]) == ("Error", "Git repository tag not found")
    assert entry["message"] == f"Tag v9 was not found in {repo}."


async def test_missing_connect_yaml_fails_the_publish(emu: Emu, tmp_path: Path) -> None:
    repo = make_repository(tmp_path / "repo", {"README.md": "hi"})
    created = await emu.create(repository={"url": str(repo), "tag": "v1.0.0"})
    await emu.update(created, {"action": "publish", "certification": False})
    await emu.control("POST", "settle")
    failed = await emu.get(created)
    assert failed["status"] == "Failed"
    [entry] = failed["publishingReport"]["entries"]
    assert (entry["type"], entry["title"]) == ("Error", "Connector specification file not found")


async def test_invalid_connect_yaml_fails_with_one_entry_per_problem(
    emu: Emu, tmp_path: Path
) -> None:
    text = (
        "deployAs:\n  - name: x\n    applicationType: rocket\n"
        "  - name: job-1\n    applicationType: job\n"
    )
    repo = make_repository(tmp_path / "repo", {"connect.yaml": text})
    previewed = await _preview(emu, str(repo))
    assert previewed["isPreviewable"] == "false"
    assert [e["message"] for e in previewed["previewableReport"]["entries"]] == [
        "deployAs[0].name: 'x' is not a valid application name",
        "deployAs[1].endpoint: required for a job application",
        "deployAs[1].properties.schedule: a cron expression is required",
    ]


async def test_validate_repository_on_write_refuses_the_create(emu: Emu, tmp_path: Path) -> None:
    await emu.settings(validateRepositoryOnWrite=True)
    repo = make_repository(tmp_path / "repo", {"README.md": "hi"})
    response = await emu.client.post(
        "/connectors/drafts",
        json={
            "name": "x",
            "creator": {"email": "a@b.co"},
            "repository": {"url": str(repo), "tag": "v1.0.0"},
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "ConnectorSpecificationFileNotFound"


async def test_connect_yaml_setting_stands_in_for_an_unreachable_repository(emu: Emu) -> None:
    """How tests give a github.com connector its configurations without any network."""
    url = "https://github.com/example/payment.git"
    await emu.settings(connectYaml={url: CONNECT_YAML, f"{url}#v2": "deployAs: []\n"})
    created = await emu.create(repository={"url": url, "tag": "v1.0.0"})
    assert created["configurations"] == EXPECTED_CONFIGURATIONS
    assert created["apiClient"] == {"scopes": ["manage_orders"]}
    other = await emu.create("other", repository={"url": url.replace("payment", "x"), "tag": "v1"})
    assert other["configurations"] == []
    response = await emu.update(created, {"action": "setRepository", "tag": "v2"})
    moved = response.json()
    assert moved["configurations"] == []
    preview = await emu.update(moved, {"action": "updatePreviewable"})
    await emu.control("POST", "settle")
    refused = await emu.get(preview.json())
    assert refused["isPreviewable"] == "false"
    [entry] = refused["previewableReport"]["entries"]
    assert entry["message"] == "deployAs: a non-empty list of applications is required"


async def test_preview_and_publish_derive_configurations_at_the_tag_again(emu: Emu) -> None:
    """Connect reads connect.yaml when it previews or publishes, not only on create."""
    created = await emu.create()
    assert created["configurations"] == []
    await emu.settings(connectYaml={created["repository"]["url"]: CONNECT_YAML})
    await emu.update(created, {"action": "updatePreviewable"})
    await emu.control("POST", "settle")
    previewed = await emu.get(created)
    assert previewed["configurations"] == EXPECTED_CONFIGURATIONS
    await emu.update(previewed, {"action": "publish", "certification": False})
    await emu.control("POST", "settle")
    published = (await emu.client.get("/connectors/key=payment")).json()
    assert published["configurations"] == EXPECTED_CONFIGURATIONS
    assert published["globalConfiguration"]["standardConfiguration"][0]["key"] == "SHARED"
