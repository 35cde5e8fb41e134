"""connect_gitops.testing: the `connect_emulator` fixture, used the way another project uses it.

The outside-project tests run pytest in a child process with this environment's interpreter
(where connect-gitops is installed, entry point and all), in a temporary folder with its own test
file and no conftest. The direct tests below use the fixture in this session: pytest loaded the
plugin here by its entry point, as it does in any environment with connect-gitops installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from connect_gitops.emulator import rules as emulator_rules
from connect_gitops.testing import DEFAULT_PROJECT_KEY, ConnectEmulator, EmulatorError
from tests.support.fresh_python import python_json
from tests.support.readme import code_block

RESET_CHECK = """
def test_first_leaves_things_behind(connect_emulator):
    connect_emulator.seed({"key": "left-behind"})
    connect_emulator.set_faults(latencyMs=5)
    connect_emulator.token()

def test_second_starts_clean(connect_emulator):
    assert connect_emulator.connectors() == []
    assert connect_emulator.requests() == []
    assert connect_emulator.set_faults()["latencyMs"] == 0
"""


def run_pytest(
    project: Path, *args: str, autoload: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CTP_"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def outside_project(tmp_path: Path) -> Path:
    """Another project: the README's example as its test file, and a reset check; no conftest."""
    project = tmp_path / "their-project"
    (project / "tests").mkdir(parents=True)
    example = code_block("### Your own tests against it", "python")
    (project / "tests" / "test_release_report.py").write_text(example, encoding="utf-8")
    (project / "tests" / "test_reset.py").write_text(RESET_CHECK, encoding="utf-8")
    return project


def test_another_project_runs_the_readme_example_with_the_plugin_loaded_by_its_entry_point(
    outside_project: Path,
) -> None:
    done = run_pytest(outside_project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout


def test_with_autoloading_off_the_plugin_is_asked_for_by_name(outside_project: Path) -> None:
    without = run_pytest(outside_project, "tests/test_reset.py", autoload=False)
    assert without.returncode == 1
    assert "fixture 'connect_emulator' not found" in without.stdout

    named = run_pytest(outside_project, "-p", "connect_gitops.testing", autoload=False)
    assert named.returncode == 0, named.stdout + named.stderr
    assert "5 passed" in named.stdout


def test_naming_the_plugin_when_it_is_autoloaded_too_is_harmless(outside_project: Path) -> None:
    done = run_pytest(outside_project, "-p", "connect_gitops.testing", "tests/test_reset.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_the_plugin_can_be_turned_off(outside_project: Path) -> None:
    done = run_pytest(outside_project, "-p", "no:connect_gitops.testing", "tests/test_reset.py")
    assert done.returncode == 1
    assert "fixture 'connect_emulator' not found" in done.stdout


def test_loading_the_plugin_imports_neither_the_emulator_nor_a_server(tmp_path: Path) -> None:
    loaded = python_json(
        """
        import json, sys
        import connect_gitops.testing
        heavy = ("connect_gitops.emulator", "uvicorn", "starlette", "httpx", "urllib.request")
        print(json.dumps({"loaded": [name for name in heavy if name in sys.modules]}))
        """,
        cwd=tmp_path,
    )
    assert loaded == {"loaded": []}


# -- the helpers, used directly -----------------------------------------------------------------


def api_get(emulator: ConnectEmulator, path: str, token: str) -> Any:
    request = urllib.request.Request(
        emulator.url + path, headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_the_default_project_is_the_emulators_own_default() -> None:
    assert DEFAULT_PROJECT_KEY == emulator_rules.DEFAULT_PROJECT


def test_a_seeded_connector_is_live_with_the_values_of_a_fresh_create(
    connect_emulator: ConnectEmulator,
) -> None:
    [seeded] = connect_emulator.seed(
        {"key": "pay", "name": "Pay", "integrationTypes": ["psp"], "status": "Published"}
    )
    token = connect_emulator.token("view_connectors")
    live = api_get(connect_emulator, "/connectors/drafts/key=pay", token)
    assert live == seeded
    assert live["version"] == 1
    assert live["status"] == "Published"
    assert live["private"] is True
    assert live["repository"] == {"url": "https://github.com/example/pay.git", "tag": "v1.0.0"}
    assert connect_emulator.connector("pay") == seeded
    assert connect_emulator.connector("nope") is None
    assert [(r["method"], r["path"], r["status"]) for r in connect_emulator.requests()] == [
        ("POST", "/oauth/token", 200),
        ("GET", "/connectors/drafts/key=pay", 200),
    ]
    assert connect_emulator.writes() == []


def test_seeding_goes_to_the_project_named(connect_emulator: ConnectEmulator) -> None:
    connect_emulator.seed({"key": "pay"}, project_key="shop")
    assert connect_emulator.connectors() == []
    assert [c["key"] for c in connect_emulator.connectors("shop")] == ["pay"]
    token = connect_emulator.token("view_connectors", project_key="shop")
    assert api_get(connect_emulator, "/connectors/drafts", token)["total"] == 1


def test_a_key_seeded_twice_is_refused_and_nothing_is_added(
    connect_emulator: ConnectEmulator,
) -> None:
    connect_emulator.seed({"key": "pay"})
    with pytest.raises(EmulatorError, match="key 'pay' is already in project 'emulator-project'"):
        connect_emulator.seed({"key": "other"}, {"key": "pay"})
    assert [c["key"] for c in connect_emulator.connectors()] == ["pay"]


def test_a_resource_kind_the_emulator_does_not_keep_is_refused(
    connect_emulator: ConnectEmulator,
) -> None:
    with pytest.raises(EmulatorError, match="does not keep 'widgets' in its state"):
        connect_emulator.seed_resources("widgets", [{"id": "w-1", "key": "w"}])


def test_connect_gitops_applies_against_it_and_a_second_apply_writes_nothing(
    connect_emulator: ConnectEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    [seeded] = connect_emulator.seed({"key": "pay", "name": "Old"})
    connect_emulator.write_config(tmp_path, target="emu", connectors=["*.yaml"])
    connect_emulator.setenv(monkeypatch)
    (tmp_path / "pay.yaml").write_text("key: pay\nname: New\n", encoding="utf-8")
    cli = [sys.executable, "-m", "connect_gitops", "apply", str(tmp_path)]

    first = subprocess.run(cli, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert [(r["method"], r["path"]) for r in connect_emulator.writes()] == [
        ("POST", f"/connectors/drafts/{seeded['id']}")
    ]
    assert connect_emulator.connector("pay")["name"] == "New"  # type: ignore[index]

    connect_emulator.clear_requests()
    second = subprocess.run(cli, capture_output=True, text=True, check=False)
    assert second.returncode == 0, second.stderr
    assert connect_emulator.writes() == []


def test_faults_hit_the_api_and_never_the_control_calls(connect_emulator: ConnectEmulator) -> None:
    token = connect_emulator.token("view_connectors")
    faults = connect_emulator.set_faults(errorRate=1.0, errorStatuses=[502])
    assert faults["errorRate"] == 1.0
    with pytest.raises(urllib.error.HTTPError, match="502"):
        api_get(connect_emulator, "/connectors/drafts", token)
    assert connect_emulator.connectors() == []  # a control call, not faulted
    assert [r["status"] for r in connect_emulator.requests("GET")] == [502]


def test_a_refused_control_call_says_what_the_emulator_said(
    connect_emulator: ConnectEmulator,
) -> None:
    with pytest.raises(EmulatorError, match=r"PUT /_emulator/faults: 400 errorRate: .*1"):
        connect_emulator.set_faults(errorRate=2)


def test_settings_and_settle_finish_a_preview_now(connect_emulator: ConnectEmulator) -> None:
    assert connect_emulator.set_settings(previewSeconds=3600)["previewSeconds"] == 3600
    [seeded] = connect_emulator.seed({"key": "pay"})
    token = connect_emulator.token()
    body = json.dumps({"version": 1, "actions": [{"action": "updatePreviewable"}]}).encode()
    request = urllib.request.Request(
        f"{connect_emulator.url}/connectors/drafts/{seeded['id']}",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read())["isPreviewable"] == "pending"
    assert connect_emulator.settle() == 1
    assert connect_emulator.connector("pay")["isPreviewable"] == "true"  # type: ignore[index]


def test_expired_tokens_are_refused(connect_emulator: ConnectEmulator) -> None:
    token = connect_emulator.token("view_connectors")
    assert connect_emulator.expire_tokens() == 1
    with pytest.raises(urllib.error.HTTPError, match="401"):
        api_get(connect_emulator, "/connectors/drafts", token)


def test_with_a_client_added_only_configured_clients_get_tokens(
    connect_emulator: ConnectEmulator,
) -> None:
    connect_emulator.add_client("reader", "reader-secret", ["view_connectors:shop"])
    with pytest.raises(EmulatorError, match="401"):
        connect_emulator.token("view_connectors", project_key="shop")
    connect_emulator.client_id, connect_emulator.client_secret = "reader", "reader-secret"
    try:
        assert connect_emulator.token("view_connectors", project_key="shop")
        with pytest.raises(EmulatorError, match="not granted"):
            connect_emulator.token("manage_connectors", project_key="shop")
    finally:
        connect_emulator.client_id = "connect-emulator-client"
        connect_emulator.client_secret = "connect-emulator-secret"
    state = json.dumps(connect_emulator.state())
    assert "reader-secret" not in state  # kept as a hash only


def test_env_and_config_point_at_the_emulator(
    connect_emulator: ConnectEmulator, tmp_path: Path
) -> None:
    env = connect_emulator.env(project_key="shop")
    assert env == {
        "CTP_REGION": "europe-west1.gcp",
        "CTP_PROJECT_KEY": "shop",
        "CTP_API_URL": connect_emulator.url,
        "CTP_AUTH_URL": connect_emulator.url,
        "CTP_CLIENT_ID": "connect-emulator-client",
        "CTP_CLIENT_SECRET": "connect-emulator-secret",
    }
    config = connect_emulator.write_config(tmp_path, project_key="shop")
    listed = subprocess.run(
        [sys.executable, "-m", "connect_gitops", "targets", str(tmp_path), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert config == tmp_path / "connect-gitops.yaml"
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == ["emulator"]


def test_the_session_emulator_is_the_one_each_test_gets_reset(
    connect_emulator_server: ConnectEmulator, connect_emulator: ConnectEmulator
) -> None:
    assert connect_emulator is connect_emulator_server
    assert connect_emulator.url.startswith("http://127.0.0.1:")


def test_control_calls_bypass_proxies_from_the_environment(
    connect_emulator: ConnectEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    fresh = ConnectEmulator(connect_emulator.url)
    assert fresh.requests() == []
