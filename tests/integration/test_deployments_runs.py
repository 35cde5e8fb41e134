"""Deployment runs through the CLI against the emulator on a socket: the scopes asked for, what is
read (pages, single GETs, connector facts), saved plans, ``--changed-since``, drift, conflicts
and unknown outcomes, and the API reference's example bodies end to end.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cli import cli
from tests.support.declarations import write_declarations
from tests.support.deploying import (
    CONNECTOR,
    REGION,
    SECRET_VALUE,
    SECRET_VARIABLE,
    connector_declaration,
    create_deployment,
    declarations_folder,
    deployable,
    deployment,
    deployment_declaration,
    deployment_writes,
    deployments,
    give_connect_yaml,
    headers,
    redeploy_by_hand,
    seed_connectors,
    settings,
    settle,
    sha256,
    standard,
    stored_secured,
)
from tests.support.deployments import example
from tests.support.emulator import PROJECT, clear_journal, control, journal, set_faults
from tests.support.git import git

ENV = {SECRET_VARIABLE: SECRET_VALUE}
BASE = f"/{PROJECT}/deployments"


@pytest.fixture
def emu(emulator_url: str) -> str:
    give_connect_yaml(emulator_url)
    settings(emulator_url, deploySeconds=0.2, previewSeconds=0.2, publishSeconds=0.2)
    return emulator_url


def run(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return cli(*args, cwd=cwd, **{**ENV, **env})


def plan_document(folder: Path, *extra: str, **env: str) -> dict[str, Any]:
    result = run("plan", str(folder), "--format", "json", *extra, **env)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def scopes_of_tokens(url: str) -> list[list[str]]:
    return [record["scopes"] for record in control(url, "GET", "state")["tokens"].values()]


def hand_draft(key: str = "payments", log_level: str = "info") -> dict[str, Any]:
    return {
        "key": key,
        "type": "production",
        "connector": {"key": CONNECTOR},
        "region": REGION,
        "configurations": [
            {
                "applicationName": "service",
                "standardConfiguration": [
                    {"key": "CTP_REGION", "value": REGION},
                    {"key": "LOG_LEVEL", "value": log_level},
                ],
                "securedConfiguration": [{"key": SECRET_VARIABLE, "value": "by-hand"}],
            }
        ],
    }


# --- scopes and reads -------------------------------------------------------------------------


def test_scopes_and_reads_follow_the_declared_deployments(tmp_path: Path, emu: str) -> None:
    only_connectors = tmp_path / "connectors-only"
    declarations_folder(only_connectors, emu, {})
    write_declarations(only_connectors, ["alpha-connector"])
    assert run("plan", str(only_connectors)).returncode == 0
    assert scopes_of_tokens(emu) == [[f"view_connectors:{PROJECT}"]]
    assert all("/deployments" not in e["path"] for e in journal(emu))  # not read at all

    deployable(emu)
    create_deployment(emu, hand_draft())
    settle(emu)
    control(emu, "POST", "expire-tokens")
    clear_journal(emu)
    folder = declarations_folder(
        tmp_path / "both", emu, {"payments.yaml": deployment_declaration(version=1)}
    )

    assert run("plan", str(folder)).returncode == 0
    assert run("apply", str(folder)).returncode == 0
    granted = scopes_of_tokens(emu)
    assert [f"view_connectors:{PROJECT}", f"view_connectors_deployments:{PROJECT}"] in granted
    assert [f"manage_connectors:{PROJECT}", f"manage_connectors_deployments:{PROJECT}"] in granted
    # pinned to the version it runs and unchanged: the pages answer everything, no facts read
    assert [(e["method"], e["path"]) for e in journal(emu) if e["path"] != "/oauth/token"] == [
        ("GET", "/connectors/drafts"),
        ("GET", BASE),
    ] * 2


def test_facts_are_read_once_per_connector_and_target(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    files = {f"d{i}.yaml": deployment_declaration(f"payments-{i}") for i in range(4)}
    folder = declarations_folder(tmp_path, emu, files)
    clear_journal(emu)

    document = plan_document(folder)

    assert [c["kind"] for c in document["changes"]] == ["create"] * 4
    facts = [e for e in journal(emu) if e["path"].startswith("/connectors/key=")]
    assert [e["path"] for e in facts] == [f"/connectors/key={CONNECTOR}"]


def api_reads(url: str) -> list[tuple[str, str]]:
    """The journal's API requests (the token aside), sorted: concurrent reads land in any order."""
    return sorted((e["method"], e["path"]) for e in journal(url) if e["path"] != "/oauth/token")


def test_facts_of_many_connectors_are_read_from_pages(tmp_path: Path, emu: str) -> None:
    keys = seed_connectors(emu, 30)  # above the threshold: pages, not one GET each
    files = {f"{key}.yaml": deployment_declaration(f"d-{key}", connector=key) for key in keys}
    files["missing.yaml"] = deployment_declaration("d-missing", connector="no-such-connector")
    folder = declarations_folder(tmp_path, emu, files)

    document = plan_document(folder)

    changes = {c["key"]: c for c in document["changes"] if c["resource"] == "deployment"}
    assert {key: c["kind"] for key, c in changes.items()} == {
        "d-missing": "blocked",
        **{f"d-{key}": "create" for key in keys},
    }
    assert changes["d-missing"]["reason"] == "connector no-such-connector not found in target emu"
    # each draft follows the latest version its connector's facts gave
    assert [changes[f"d-{key}"]["draft"]["connector"] for key in keys] == [
        {"key": key, "staged": False, "version": 1} for key in keys
    ]
    # one page of the published connectors; the one no page holds is still asked for by key
    assert api_reads(emu) == [
        ("GET", "/connectors/drafts"),
        ("GET", "/connectors/key=no-such-connector"),
        ("GET", "/connectors/search"),
        ("GET", BASE),
    ]


def test_facts_of_many_staged_connectors_are_read_from_the_drafts_pages(
    tmp_path: Path, emu: str
) -> None:
    keys = seed_connectors(emu, 25, staged=True)
    files = {
        f"{key}.yaml": deployment_declaration(
            f"d-{key}", connector=key, staged=True, type="preview"
        )
        for key in keys
    }
    folder = declarations_folder(tmp_path, emu, files)

    document = plan_document(folder)

    assert [c["kind"] for c in document["changes"] if c["resource"] == "deployment"] == [
        "create"
    ] * 25
    # the drafts once for the connectors, once (whole, with configurations) for the facts
    assert api_reads(emu) == [("GET", "/connectors/drafts")] * 2 + [("GET", BASE)]


def test_facts_of_a_few_connectors_are_read_one_by_one(tmp_path: Path, emu: str) -> None:
    keys = seed_connectors(emu, 3)
    files = {f"{key}.yaml": deployment_declaration(f"d-{key}", connector=key) for key in keys}
    folder = declarations_folder(tmp_path, emu, files)

    document = plan_document(folder)

    assert [c["kind"] for c in document["changes"] if c["resource"] == "deployment"] == [
        "create"
    ] * 3
    assert api_reads(emu) == sorted(
        [("GET", "/connectors/drafts"), ("GET", BASE)]
        + [("GET", f"/connectors/key={key}") for key in keys]
    )


def test_an_orphan_deployment_is_reported_never_deleted(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    create_deployment(emu, hand_draft("clicked-by-hand"))
    folder = declarations_folder(tmp_path, emu, {"payments.yaml": deployment_declaration()})

    document = plan_document(folder)

    assert [o for o in document["orphans"] if o["resource"] == "deployment"] == [
        {
            "target": "emu",
            "key": "clicked-by-hand",
            "resource": "deployment",
            "id": deployment(emu, "clicked-by-hand")["id"],  # type: ignore[index]
        }
    ]
    assert run("apply", str(folder)).returncode == 0
    assert deployment(emu, "clicked-by-hand") is not None


# --- saved plans ------------------------------------------------------------------------------


def test_a_saved_plan_reads_secured_values_at_apply_time(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    files = {
        "payments.yaml": deployment_declaration(),
        "other.yaml": deployment_declaration("other", secret_from="OTHER_SECRET"),
    }
    folder = declarations_folder(tmp_path, emu, files)
    plan_file = tmp_path / "plan.json"
    saved = run("plan", str(folder), "--out", str(plan_file), OTHER_SECRET="other-value")
    assert saved.returncode == 0, saved.stderr
    text = plan_file.read_text(encoding="utf-8")
    assert SECRET_VALUE not in text
    assert json.loads(text)["changes"][1]["key"] == "payments"
    assert json.loads(text)["changes"][1]["secured"] == [
        {"application": "service", "key": SECRET_VARIABLE, "fromEnv": SECRET_VARIABLE}
    ]

    # STRIPE_SECRET_KEY is not set now: that deployment fails, the other one is created
    without = cli("apply", str(plan_file), cwd=folder, OTHER_SECRET="other-value")

    assert without.returncode == 1
    assert (
        "! failed deployment  payments  (emu, payments.yaml:1)  environment variable "
        f"{SECRET_VARIABLE} not set: not sent"
    ) in without.stderr
    assert "+ created deployment  other  (emu, other.yaml:1)" in without.stderr
    assert deployment(emu, "payments") is None

    again = plan_document(folder, OTHER_SECRET="other-value")
    plan_file.write_text(json.dumps(again), encoding="utf-8")
    applied = run("apply", str(plan_file), cwd=folder, STRIPE_SECRET_KEY="at-apply-time")
    assert applied.returncode == 0, applied.stderr
    [secured] = stored_secured(emu, "payments")
    assert secured["valueSha256"] == sha256("at-apply-time")


def test_a_saved_plan_is_stale_when_the_deployment_moved(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    create_deployment(emu, hand_draft())
    settle(emu)
    folder = declarations_folder(
        tmp_path, emu, {"payments.yaml": deployment_declaration(log_level="debug")}
    )
    plan_file = tmp_path / "plan.json"
    assert run("plan", str(folder), "--out", str(plan_file)).returncode == 0
    redeploy_by_hand(
        emu, "payments", configurationValues=hand_draft(log_level="warn")["configurations"]
    )
    settle(emu)
    clear_journal(emu)

    result = run("apply", str(plan_file), cwd=folder)

    assert result.returncode == 1
    assert (
        "! stale deployment  payments  (emu, payments.yaml:1)  ConcurrentModification: stale "
        "plan: re-run plan (payments changed since the plan: planned version 1, now version 2)"
    ) in result.stderr
    assert [w["status"] for w in deployment_writes(emu)] == [409]
    assert standard(deployment(emu, "payments") or {})["LOG_LEVEL"] == "warn"


def test_a_saved_plan_that_creates_an_existing_key_is_stale(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    folder = declarations_folder(tmp_path, emu, {"payments.yaml": deployment_declaration()})
    plan_file = tmp_path / "plan.json"
    assert run("plan", str(folder), "--out", str(plan_file)).returncode == 0
    create_deployment(emu, hand_draft())

    result = run("apply", str(plan_file), cwd=folder)

    assert result.returncode == 1
    assert "stale plan: re-run plan (payments was created by someone else since the plan)" in (
        result.stderr
    )
    assert len(deployments(emu)) == 1


# --- conflicts and unknown outcomes -----------------------------------------------------------


def test_an_ambiguous_create_is_looked_up_and_never_sent_twice(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    folder = declarations_folder(tmp_path, emu, {"payments.yaml": deployment_declaration()})
    set_faults(emu, {"ambiguousRate": 1.0, "seed": 5})
    clear_journal(emu)

    result = run("apply", str(folder))

    assert result.returncode == 0, result.stderr
    assert "+ created deployment  payments" in result.stderr
    creates = [w for w in deployment_writes(emu) if w["path"] == BASE]
    assert len(creates) == 1
    assert [d["key"] for d in deployments(emu)] == ["payments"]


def test_conflicts_are_re_planned_and_bounded(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    live = create_deployment(emu, hand_draft())
    settle(emu)
    folder = declarations_folder(
        tmp_path, emu, {"payments.yaml": deployment_declaration(log_level="debug")}
    )
    set_faults(emu, {"conflictRate": 1.0, "seed": 1})
    clear_journal(emu)

    result = run("apply", str(folder))

    assert result.returncode == 1
    assert "! failed deployment  payments" in result.stderr
    assert "ConcurrentModification" in result.stderr
    sent = [w for w in deployment_writes(emu) if w["path"] == f"{BASE}/{live['id']}"]
    assert [w["status"] for w in sent] == [409] * 4  # the first send and three re-plans

    set_faults(emu, {"conflictRate": 0.0})
    assert run("apply", str(folder)).returncode == 0
    assert standard(deployment(emu, "payments") or {})["LOG_LEVEL"] == "debug"


# --- --changed-since, drift -------------------------------------------------------------------


def test_changed_since_reads_by_key_and_a_deleted_deployment_is_an_orphan(
    tmp_path: Path, emu: str
) -> None:
    deployable(emu)
    root = tmp_path / "repo"
    files = {
        "deployments/payments.yaml": deployment_declaration(),
        "deployments/retired.yaml": deployment_declaration("retired"),
    }
    folder = declarations_folder(root / "deploy", emu, files)
    git("init", "-q", "-b", "main", cwd=root)
    git("add", ".", cwd=root)
    git("commit", "-qm", "declarations", cwd=root)
    assert run("apply", str(folder)).returncode == 0
    (folder / "deployments" / "retired.yaml").unlink()
    declarations_folder(
        root / "deploy",
        emu,
        {"deployments/payments.yaml": deployment_declaration(log_level="debug")},
    )
    git("commit", "-qam", "change payments, retire one", cwd=root)
    clear_journal(emu)

    document = plan_document(folder, "--changed-since", "HEAD~1")

    assert [(c["key"], c["kind"]) for c in document["changes"]] == [("payments", "redeploy")]
    [orphan] = document["orphans"]
    assert (orphan["key"], orphan["resource"], orphan["file"]) == (
        "retired",
        "deployment",
        "deployments/retired.yaml",
    )
    reads = [e["path"] for e in journal(emu) if e["method"] == "GET"]
    assert f"{BASE}/key=payments" in reads
    assert f"{BASE}/key=retired" in reads
    assert BASE not in reads  # no paged query


def test_drift_of_a_hand_edited_value_and_a_failed_build(tmp_path: Path, emu: str) -> None:
    files = {
        "stripe.yaml": connector_declaration(publish=True),
        "payments.yaml": deployment_declaration(),
        "broken.yaml": deployment_declaration("broken"),
    }
    folder = declarations_folder(tmp_path, emu, files)
    assert run("apply", str(folder)).returncode == 0
    assert run("drift", str(folder)).returncode == 0
    redeploy_by_hand(
        emu, "payments", configurationValues=hand_draft(log_level="debug")["configurations"]
    )
    set_faults(emu, {"failNextBuilds": 1})
    redeploy_by_hand(emu, "broken", configurationValues=hand_draft("broken")["configurations"])
    settle(emu)

    result = run("drift", str(folder), "--format", "json")

    assert result.returncode == 2
    document = json.loads(result.stdout)
    assert document["mode"] == "drift"
    changes = {c["key"]: c for c in document["changes"]}
    assert changes["payments"]["fields"] == [
        {
            "path": "configurations.service.standardConfiguration.LOG_LEVEL",
            "before": "debug",
            "after": "info",
        }
    ]
    assert changes["broken"]["kind"] == "redeploy"
    assert changes["broken"]["reason"] == "deployment Failed"
    assert deployment_writes(emu)[-1]["method"] == "POST"  # only the hand edits


# --- the API reference's examples ------------------------------------------------------------

REFERENCE_CONNECT_YAML = """\
deployAs:
  - name: app-1
    applicationType: service
    endpoint: /app
    configuration:
      standardConfiguration:
        - {key: CONFIG_KEY, description: a key}
      securedConfiguration:
        - {key: CONFIG_SECRET_KEY, description: a secret}
"""
REFERENCE_DECLARATION = """\
kind: Deployment
key: key-for-my-deployment
connector:
  key: connector-key
type: sandbox
region: europe-west1.gcp
configurations:
  app-1:
    standardConfiguration:
      CONFIG_KEY: config-key-value
    securedConfiguration:
      CONFIG_SECRET_KEY: {fromEnv: CONFIG_SECRET}
"""


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _shape(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value[:1]]
    return type(value).__name__


def test_the_reference_bodies_are_planned_in_their_shape_and_accepted(
    tmp_path: Path, emu: str
) -> None:
    repository = "https://github.com/example/connector-key.git"
    give_connect_yaml(emu, repository, REFERENCE_CONNECT_YAML)
    connector = _publish_reference_connector(emu, repository)
    folder = declarations_folder(tmp_path, emu, {"deployment.yaml": REFERENCE_DECLARATION})
    secrets = {"CONFIG_SECRET": "config-secret-key-value"}

    [create] = plan_document(folder, **secrets)["changes"]
    draft = create["draft"]
    reference = example("DeploymentDraft.json")
    # The example with its secured value, as apply merges it in just before sending.
    sent = json.loads(json.dumps(draft))
    sent["configurations"][0]["securedConfiguration"] = reference["configurations"][0][
        "securedConfiguration"
    ]
    assert {k: v for k, v in sent.items() if k != "type"} == reference | {
        "connector": {"key": "connector-key", "staged": False, "version": 1}
    }
    assert run("apply", str(folder), **secrets).returncode == 0
    [secured] = stored_secured(emu, "key-for-my-deployment", "app-1")
    assert secured["valueSha256"] == sha256("config-secret-key-value")

    _publish_reference_connector(emu, repository, connector)  # version 2 is the latest now
    [redeploy] = plan_document(folder, **secrets)["changes"]
    [action] = redeploy["actions"]
    expected = {k: v for k, v in example("DeploymentRedeployUpdateAction.json").items()}
    del expected["skipScripts"]  # never sent by the planner: the API's default
    for application in expected["configurationValues"]:
        del application["securedConfiguration"]  # added at apply time only
    assert action == expected
    clear_journal(emu)
    applied = run("apply", str(folder), **secrets)
    assert applied.returncode == 0, applied.stderr
    assert [w["status"] for w in deployment_writes(emu)] == [200]
    live = deployment(emu, "key-for-my-deployment")
    assert live is not None
    assert live["connector"]["version"] == 2


def _publish_reference_connector(
    url: str, repository: str, existing: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The reference's ``connector-key``, published (again, when ``existing``)."""
    auth = headers(url)
    if existing is None:
        body = {
            "key": "connector-key",
            "name": "Reference",
            "creator": {"email": "team@example.com"},
            "repository": {"url": repository, "tag": "v1.0.0"},
            "privateProjects": [f"{REGION}:{PROJECT}"],
        }
        created = httpx.post(f"{url}/connectors/drafts", json=body, headers=auth)
        created.raise_for_status()
        existing = created.json()
    path = f"{url}/connectors/drafts/{existing['id']}"
    current = httpx.get(path, headers=auth).json()
    actions = [
        {"action": "setDescription", "description": f"v{current['version']}"},
        {"action": "publish", "certification": False},
    ]
    httpx.post(path, json={"version": current["version"], "actions": actions}, headers=auth)
    settle(url)
    found: dict[str, Any] = httpx.get(path, headers=auth).json()
    return found
