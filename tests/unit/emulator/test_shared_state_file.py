"""One `--state` / `emulator:` file shared by processes loses no write (issue 15).

Each request holds an exclusive lock on the file and reads it again first when another process
changed it, so two embedded-emulator runs at once both keep what they wrote.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from connect_gitops.emulator.app import create_app
from connect_gitops.emulator.errors import ApiError
from connect_gitops.emulator.file_lock import FileLock

pytestmark = pytest.mark.anyio

BASIC = ("client", "secret")


def _folder(root: Path, name: str, state_file: Path, keys: list[str]) -> Path:
    folder = root / name
    (folder / "connectors").mkdir(parents=True)
    (folder / "connect-gitops.yaml").write_text(
        'connectors: ["connectors/**/*.yaml"]\n'
        "defaultTarget: local\n"
        "targets:\n"
        "  local:\n"
        f"    emulator: {json.dumps(str(state_file))}\n",
        encoding="utf-8",
    )
    for key in keys:
        (folder / "connectors" / f"{key}.yaml").write_text(
            f"key: {key}\n"
            f"name: Connector {key}\n"
            "creator:\n  email: team@example.com\n"
            f"repository:\n  url: git@github.com:example/{key}.git\n  tag: v1.0.0\n",
            encoding="utf-8",
        )
    return folder


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_two_concurrent_applies_on_one_state_file_keep_every_connector(tmp_path: Path) -> None:
    state_file = tmp_path / "shared" / "emulator.json"
    state_file.parent.mkdir()
    # A little latency per request makes the two runs overlap for certain.
    state_file.write_text(json.dumps({"faults": {"latencyMs": 40}}), encoding="utf-8")
    runs = {
        name: _folder(tmp_path, name, state_file, [f"{name}-{index}" for index in range(5)])
        for name in ("left", "right")
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "connect_gitops", "apply", str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for folder in runs.values()
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    for process, output in zip(processes, outputs, strict=True):
        assert process.returncode == 0, output
        assert "Apply: 5 created" in output
    saved = json.loads(state_file.read_text(encoding="utf-8"))
    keys = sorted(c["key"] for c in saved["projects"]["emulator-project"]["connectors"])
    assert keys == sorted(f"{name}-{index}" for name in runs for index in range(5))


async def test_an_app_reads_what_another_app_wrote_to_the_file(tmp_path: Path) -> None:
    """Two apps on one file, as two processes would be: each sees the other's writes."""
    state_file = tmp_path / "emulator.json"
    clients = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(state_file)), base_url="http://127.0.0.1"
        )
        for _ in range(2)
    ]
    first, second = clients
    try:
        token = await first.post(
            "/oauth/token", auth=BASIC, data={"grant_type": "client_credentials"}
        )
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        for client, key in ((first, "one"), (second, "two"), (first, "three")):
            draft = {
                "key": key,
                "name": key,
                "creator": {"email": "a@b.co"},
                "repository": {"url": "https://github.com/o/r.git", "tag": "v1"},
            }
            response = await client.post("/connectors/drafts", json=draft, headers=headers)
            assert response.status_code == 201, response.text
        for client in clients:
            page = (await client.get("/connectors/drafts", headers=headers)).json()
            assert [c["key"] for c in page["results"]] == ["one", "two", "three"]
        await second.put("/_emulator/settings", json={"previewSeconds": 9})
        assert (await first.get("/_emulator/settings")).json()["previewSeconds"] == 9
    finally:
        for client in clients:
            await client.aclose()
    assert _names(tmp_path) == [".emulator.json.lock", "emulator.json"]


async def test_a_symbolic_link_planted_as_the_lock_file_is_refused_and_not_followed(
    tmp_path: Path,
) -> None:
    target = tmp_path / "elsewhere" / "created-through-the-link"
    target.parent.mkdir()
    lock = tmp_path / "state.json.lock"
    lock.symlink_to(target)

    with pytest.raises(ApiError) as refused:
        async with FileLock(lock).held():
            pass  # pragma: no cover

    assert refused.value.status == 500
    message = str(refused.value)
    assert f"{lock} is a symbolic link: remove it" in message
    assert not target.exists()
