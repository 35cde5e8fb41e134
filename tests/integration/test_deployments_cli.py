"""Deployments through the CLI against the emulator on a socket: each plan kind and each blocked
reason, the builds apply waits for, ``--redeploy``, ``--no-wait``, and what a failed build shows.

Each test makes the live state with the API (as a person in the Merchant Center would), runs the
real command in its own process and checks what a user sees: exit code, report, and from the
emulator's journal and state what was written.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.cli import cli
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
    give_connect_yaml,
    headers,
    settings,
    settle,
    sha256,
    standard,
    stored_secured,
)
from tests.support.emulator import clear_journal, control, journal, set_faults, writes

ENV = {SECRET_VARIABLE: SECRET_VALUE}


@pytest.fixture
def emu(emulator_url: str) -> str:
    """The emulator, reset, with fast builds, previews and publishes."""
    give_connect_yaml(emulator_url)
    settings(emulator_url, deploySeconds=0.2, previewSeconds=0.2, publishSeconds=0.2)
    return emulator_url


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return cli(*args, **{**ENV, **env})


def planned(folder: Path, *extra: str, **env: str) -> dict[str, Any]:
    result = run("plan", str(folder), "--format", "json", *extra, **env)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def change_of(document: dict[str, Any], key: str = "payments") -> dict[str, Any]:
    [found] = [
        c for c in document["changes"] if c["key"] == key and c.get("resource") == "deployment"
    ]
    return found


def by_hand(url: str, key: str = "payments", **fields: Any) -> dict[str, Any]:
    """A deployment created by hand in the Merchant Center, built."""
    body: dict[str, Any] = {
        "key": key,
        "type": "production",
        "connector": {"key": CONNECTOR},
        "region": REGION,
        "configurations": [
            {
                "applicationName": "service",
                "standardConfiguration": [
                    {"key": "CTP_REGION", "value": REGION},
                    {"key": "LOG_LEVEL", "value": "info"},
                ],
                "securedConfiguration": [{"key": SECRET_VARIABLE, "value": "set-by-hand"}],
            }
        ],
    }
    created = create_deployment(url, body | fields)
    settle(url)
    return created


SECURED = [{"application": "service", "key": SECRET_VARIABLE, "fromEnv": SECRET_VARIABLE}]


# --- create, then nothing -------------------------------------------------------------------


def test_create_then_a_second_apply_writes_nothing(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    folder = declarations_folder(tmp_path, emu, {"payments.yaml": deployment_declaration()})

    change = change_of(planned(folder))
    assert change["kind"] == "create"
    assert change["draft"] == {
        "key": "payments",
        "type": "production",
        "connector": {"key": CONNECTOR, "staged": False, "version": 1},
        "region": REGION,
        "configurations": [
            {
                "applicationName": "order-sync",
                "standardConfiguration": [],
                "securedConfiguration": [],
            },
            {
                "applicationName": "service",
                "standardConfiguration": [
                    {"key": "CTP_REGION", "value": REGION},
                    {"key": "LOG_LEVEL", "value": "info"},
                ],
                "securedConfiguration": [],
            },
        ],
    }
    assert change["secured"] == SECURED
    clear_journal(emu)

    first = run("apply", str(folder))
    assert first.returncode == 0, first.stderr
    assert "+ created deployment  payments  (emu, payments.yaml:1)" in first.stderr
    assert "build succeeded: Deployed" in first.stderr
    assert [(w["method"], w["path"], w["status"]) for w in deployment_writes(emu)] == [
        ("POST", "/emulator-project/deployments", 201)
    ]
    live = deployment(emu, "payments")
    assert live is not None
    assert live["status"] == "Deployed"
    assert standard(live) == {"CTP_REGION": REGION, "LOG_LEVEL": "info"}
    [secured] = stored_secured(emu, "payments")
    assert secured == {"key": SECRET_VARIABLE, "valueSha256": sha256(SECRET_VALUE)}

    clear_journal(emu)
    second = run("apply", str(folder))
    assert second.returncode == 0, second.stderr
    assert writes(emu) == []
    assert deployment_writes(emu) == []
    assert "Deployments: 0 created, 0 redeployed, 0 replaced, 1 unchanged" in second.stderr
    assert run("plan", str(folder), "--detailed-exitcode").returncode == 0


# --- redeploy ---------------------------------------------------------------------------------


def test_a_changed_standard_value_is_redeployed(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    live = by_hand(emu)
    declared = deployment_declaration(log_level="debug")
    folder = declarations_folder(tmp_path, emu, {"payments.yaml": declared})

    change = change_of(planned(folder))
    assert (change["kind"], change["id"], change["version"]) == ("redeploy", live["id"], 1)
    assert change["fields"] == [
        {
            "path": "configurations.service.standardConfiguration.LOG_LEVEL",
            "before": "info",
            "after": "debug",
        }
    ]
    assert change["actions"] == [
        {
            "action": "redeploy",
            "configurationValues": [
                {"applicationName": "order-sync", "standardConfiguration": []},
                {
                    "applicationName": "service",
                    "standardConfiguration": [
                        {"key": "CTP_REGION", "value": REGION},
                        {"key": "LOG_LEVEL", "value": "debug"},
                    ],
                },
            ],
        }
    ]
    assert change["secured"] == SECURED
    clear_journal(emu)

    result = run("apply", str(folder))
    assert result.returncode == 0, result.stderr
    assert "~ redeployed deployment  payments" in result.stderr
    assert [(w["method"], w["path"]) for w in deployment_writes(emu)] == [
        ("POST", f"/emulator-project/deployments/{live['id']}")
    ]
    now = deployment(emu, "payments")
    assert now is not None
    assert (now["version"], now["status"], standard(now)["LOG_LEVEL"]) == (2, "Deployed", "debug")
    [secured] = stored_secured(emu, "payments")
    assert secured["valueSha256"] == sha256(SECRET_VALUE)  # sent again with the redeploy
    assert change_of(planned(folder))["kind"] == "noop"


def test_a_redeploy_waits_for_the_running_build(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    # Long enough that the build still runs when the plan reads it, on a busy machine too; the
    # redeploy's own build is quick (a build's duration is fixed when it starts).
    settings(emu, deploySeconds=8)
    create_deployment(
        emu,
        {
            "key": "payments",
            "type": "production",
            "connector": {"key": CONNECTOR},
            "region": REGION,
            "configurations": [
                {
                    "applicationName": "service",
                    "standardConfiguration": [{"key": "CTP_REGION", "value": REGION}],
                    "securedConfiguration": [{"key": SECRET_VARIABLE, "value": "x-value"}],
                }
            ],
        },
    )
    folder = declarations_folder(tmp_path, emu, {"payments.yaml": deployment_declaration()})
    assert "waits for the running build" in change_of(planned(folder))["reason"]
    settings(emu, deploySeconds=0.3)

    result = run("apply", str(folder))

    assert result.returncode == 0, result.stderr
    assert "~ redeployed deployment  payments" in result.stderr
    now = deployment(emu, "payments")
    assert now is not None
    assert (now["version"], standard(now)["LOG_LEVEL"]) == (2, "info")


def test_the_connector_is_followed_after_its_publish_in_the_same_run(
    tmp_path: Path, emu: str
) -> None:
    files = {
        "stripe.yaml": connector_declaration(publish=True),
        "payments.yaml": deployment_declaration(),
    }
    folder = declarations_folder(tmp_path, emu, files)
    first = run("apply", str(folder))
    assert first.returncode == 0, first.stderr
    files["stripe.yaml"] = connector_declaration(publish=True, tag="v1.1.0")
    declarations_folder(tmp_path, emu, files)

    change = change_of(planned(folder))
    assert change["kind"] == "redeploy"
    assert change["waitsFor"] == [
        {"resource": "connector", "target": "emu", "key": CONNECTOR, "step": "publish"}
    ]
    assert change["reason"] == f"follows the publish of connector {CONNECTOR}"
    assert change["actions"][0]["updateConnector"] is True
    clear_journal(emu)

    result = run("apply", str(folder))

    assert result.returncode == 0, result.stderr
    assert "publish succeeded: Published" in result.stderr
    assert "~ redeployed deployment  payments" in result.stderr
    paths = [(e["method"], e["path"]) for e in journal(emu) if e["method"] != "GET"]
    publish_at = max(i for i, (_, p) in enumerate(paths) if p.startswith("/connectors/drafts/"))
    redeploy_at = next(i for i, (_, p) in enumerate(paths) if "/deployments/" in p)
    assert publish_at < redeploy_at  # the connector first
    now = deployment(emu, "payments")
    assert now is not None
    assert (now["connector"]["version"], now["connector"]["repository"]["tag"]) == (2, "v1.1.0")
    assert run("plan", str(folder), "--detailed-exitcode").returncode == 0


def test_rotation_with_redeploy_and_an_unknown_key_is_a_usage_error(
    tmp_path: Path, emu: str
) -> None:
    deployable(emu)
    by_hand(emu)
    folder = declarations_folder(tmp_path, emu, {"payments.yaml": deployment_declaration()})
    assert change_of(planned(folder))["kind"] == "noop"
    rotated = change_of(planned(folder, "--redeploy", "payments"))
    assert (rotated["kind"], rotated["reason"]) == (
        "redeploy",
        "rotate secured values (--redeploy)",
    )

    result = run("apply", str(folder), "--redeploy", "payments", STRIPE_SECRET_KEY="rotated-value")
    assert result.returncode == 0, result.stderr
    [secured] = stored_secured(emu, "payments")
    assert secured["valueSha256"] == sha256("rotated-value")

    clear_journal(emu)
    for command in ("plan", "apply"):
        refused = run(command, str(folder), "--redeploy", "payments", "--redeploy", "nope")
        assert refused.returncode == 1
        assert (
            "error: --redeploy nope: no deployment declaration of this run has this key"
            in refused.stderr
        )
    assert journal(emu) == []  # refused before anything was read


# --- replace ----------------------------------------------------------------------------------


def test_replace_deletes_waits_and_creates(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    old = by_hand(emu)
    declared = deployment_declaration(
        region="us-central1.gcp", extra="reconcile:\n  replace: true\n"
    )
    folder = declarations_folder(tmp_path, emu, {"payments.yaml": declared})

    change = change_of(planned(folder))
    assert change["kind"] == "replace"
    assert change["reason"] == "DELETE and re-create"
    assert change["fields"][0] == {"path": "region", "before": REGION, "after": "us-central1.gcp"}
    assert (change["id"], change["version"]) == (old["id"], 1)
    clear_journal(emu)

    result = run("apply", str(folder))

    assert result.returncode == 0, result.stderr
    assert "-/+ replaced deployment  payments" in result.stderr
    assert [(w["method"], w["path"], w["query"]) for w in deployment_writes(emu)] == [
        ("DELETE", f"/emulator-project/deployments/{old['id']}", "version=1"),
        ("POST", "/emulator-project/deployments", ""),
    ]
    now = deployment(emu, "payments")
    assert now is not None
    assert now["id"] != old["id"]
    assert (now["deployedRegion"], now["status"]) == ("us-central1.gcp", "Deployed")


# --- blocked ----------------------------------------------------------------------------------


BLOCKED = {
    "immutable": (
        deployment_declaration("immutable", region="us-central1.gcp"),
        "immutable region: needs a new deployment (set reconcile.replace: true to delete and "
        "re-create it)",
    ),
    "unknown-application": (
        deployment_declaration("unknown-application").replace("  service:", "  servic:"),
        f"configurations.servic: connector {CONNECTOR} has no application servic: "
        "did you mean service?; configurations.service: required key CTP_REGION is missing: "
        "add it to standardConfiguration; configurations.service: required key "
        "STRIPE_SECRET_KEY is missing: add it to securedConfiguration as {fromEnv: VARIABLE}",
    ),
    "unknown-key": (
        deployment_declaration("unknown-key").replace("LOG_LEVEL", "LOG_LEVLE"),
        "configurations.service.standardConfiguration.LOG_LEVLE: unknown key: "
        "did you mean LOG_LEVEL?",
    ),
    "missing-required": (
        deployment_declaration("missing-required").replace(f"      CTP_REGION: {REGION}\n", ""),
        "configurations.service: required key CTP_REGION is missing: add it to "
        "standardConfiguration",
    ),
    "unsupported-region": (
        deployment_declaration("unsupported-region", region="australia-southeast1.gcp"),
        f"region australia-southeast1.gcp is not among connector {CONNECTOR}'s "
        f"supportedRegions ({REGION}, us-central1.gcp): deploy to one of them, or add it to "
        "the connector",
    ),
    "not-previewable": (
        deployment_declaration("not-previewable", staged=True, type="preview"),
        f"connector {CONNECTOR} is not previewable (isPreviewable: none): request a preview "
        "first (reconcile.preview on the connector, or apply --preview)",
    ),
    "type-vs-staged": (
        deployment_declaration("type-vs-staged", type="preview"),
        "type preview deploys the staged connector: set connector.staged: true, or type: "
        "sandbox / production to deploy the published connector",
    ),
    "missing-variable": (
        deployment_declaration("missing-variable", secret_from="NOT_SET_ANYWHERE"),
        "environment variable NOT_SET_ANYWHERE is not set",
    ),
    "pinned-version": (
        deployment_declaration("pinned-version", version=3),
        "connector version 3 is neither the running version (1) nor the latest (2): "
        "redeploy can only move to the latest",
    ),
    "clears-secret": (
        deployment_declaration("clears-secret", log_level="debug", secret_from=None),
        f"a redeploy would clear secured values git does not hold (service.{SECRET_VARIABLE}): "
        "declare each as {fromEnv: VARIABLE} (export writes them so)",
    ),
}


def test_each_blocked_reason_is_planned_and_nothing_is_written(tmp_path: Path, emu: str) -> None:
    connector = deployable(emu)
    by_hand(emu, "immutable")
    by_hand(emu, "pinned-version")
    by_hand(emu, "clears-secret")
    publish_again = {
        "version": connector["version"],
        "actions": [
            {"action": "setDescription", "description": "second"},
            {"action": "publish", "certification": False},
        ],
    }
    httpx.post(
        f"{emu}/connectors/drafts/{connector['id']}", json=publish_again, headers=headers(emu)
    ).raise_for_status()
    settle(emu)
    files = {f"{name}.yaml": text for name, (text, _) in BLOCKED.items()}
    folder = declarations_folder(tmp_path, emu, files)

    document = planned(folder)
    reasons = {c["key"]: (c["kind"], c["reason"]) for c in document["changes"]}
    assert reasons == {name: ("blocked", reason) for name, (_, reason) in BLOCKED.items()}
    assert [c["file"] for c in document["changes"]] == sorted(files)
    assert SECRET_VALUE not in json.dumps(document)
    clear_journal(emu)

    result = run("apply", str(folder))

    assert result.returncode == 1
    assert deployment_writes(emu) == []
    assert "Deployments: 0 created, 0 redeployed, 0 replaced, 0 unchanged, 10 blocked" in (
        result.stderr
    )
    for name, (_, reason) in BLOCKED.items():
        assert f"! blocked deployment  {name}  (emu, {name}.yaml:1)  {reason}" in result.stderr


# --- builds -----------------------------------------------------------------------------------


def test_a_failed_build_shows_its_report_and_last_log_lines(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    set_faults(emu, {"failNextBuilds": 1})
    folder = declarations_folder(tmp_path, emu, {"payments.yaml": deployment_declaration()})

    result = run("apply", str(folder))

    assert result.returncode == 1
    lines = result.stderr.splitlines()
    at = lines.index("+ created deployment  payments  (emu, payments.yaml:1)")
    assert lines[at + 1] == "    build failed: build failed"
    assert lines[at + 2].startswith(
        "        - Error: Build failed: Build failed: application 'service'."
    )
    assert lines[at + 3] == "        last log lines:"
    shown = lines[at + 4 : at + 8]
    assert all(line.startswith("            service | 20") for line in shown), shown
    assert [line.split("Z ", 1)[1] for line in shown] == [
        "INFO Building application 'service' from "
        f"https://github.com/example/{CONNECTOR}.git at tag v1.0.0",
        "ERROR npm ERR! code ELIFECYCLE",
        "ERROR npm ERR! errno 1",
        "ERROR Build of application 'service' failed with exit code 1",
    ]
    assert lines[at + 8] == ""
    assert "1 build failed." in result.stderr

    report = run("apply", str(folder), "--format", "json")
    assert report.returncode == 0  # Failed and nothing differs: not retried on its own
    outcome = json.loads(report.stdout)["outcomes"][0]
    assert (outcome["resource"], outcome["kind"]) == ("deployment", "unchanged")
    noop = change_of(planned(folder))
    assert noop["reason"] == "deployment Failed: apply --redeploy payments retries the build"

    retried = run("apply", str(folder), "--redeploy", "payments", "--format", "json")
    assert retried.returncode == 0, retried.stderr
    [outcome] = json.loads(retried.stdout)["outcomes"]
    assert (outcome["kind"], outcome["lifecycle"][0]["state"]) == ("redeployed", "succeeded")


def test_a_failed_build_in_the_json_report(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    set_faults(emu, {"failNextBuilds": 1})
    folder = declarations_folder(tmp_path, emu, {"payments.yaml": deployment_declaration()})

    result = run("apply", str(folder), "--format", "json")

    assert result.returncode == 1
    document = json.loads(result.stdout)
    [outcome] = document["outcomes"]
    [build] = outcome["lifecycle"]
    assert (outcome["resource"], outcome["kind"], outcome["ok"]) == ("deployment", "created", False)
    assert (build["step"], build["state"], build["message"]) == ("build", "failed", "build failed")
    assert [e["title"] for e in build["entries"]] == ["Build failed"]
    assert [line["message"] for line in build["logs"]][-1] == (
        "Build of application 'service' failed with exit code 1"
    )
    assert {line["application"] for line in build["logs"]} == {"service"}
    assert document["summary"]["buildFailed"] == 1


def test_progress_lines_while_building_and_no_wait(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    settings(emu, deploySeconds=3)
    folder = declarations_folder(tmp_path, emu, {"payments.yaml": deployment_declaration()})

    quick = run("apply", str(folder), "--no-wait")
    assert quick.returncode == 0, quick.stderr
    assert "    build requested: Queued" in quick.stderr
    assert "building payments" not in quick.stderr
    live = deployment(emu, "payments")
    assert live is not None
    assert live["status"] == "Queued"

    settings(emu, deploySeconds=3)
    waited = run("apply", str(folder), "--redeploy", "payments")
    assert waited.returncode == 0, waited.stderr
    assert "building payments: Deploying (" in waited.stderr
    assert "emu/payments: build: Deployed after " in waited.stderr


def test_a_failed_publish_fails_the_deployment_without_writing_it(tmp_path: Path, emu: str) -> None:
    settings(emu, publishOutcome="Failed")
    files = {
        "stripe.yaml": connector_declaration(publish=True),
        "payments.yaml": deployment_declaration(),
    }
    folder = declarations_folder(tmp_path, emu, files)

    result = run("apply", str(folder))

    assert result.returncode == 1
    assert (
        f"! failed deployment  payments  (emu, payments.yaml:1)  connector {CONNECTOR}'s "
        "publish failed: not deployed"
    ) in result.stderr
    assert deployment_writes(emu) == []


def test_a_timed_out_build_is_reported_with_the_timeout(tmp_path: Path, emu: str) -> None:
    deployable(emu)
    settings(emu, deploySeconds=30)
    folder = declarations_folder(tmp_path, emu, {"payments.yaml": deployment_declaration()})

    result = run("apply", str(folder), "--timeout", "1")

    assert result.returncode == 1
    assert "    build timed out: build of payments still " in result.stderr
    assert "re-run with a longer --timeout" in result.stderr
    assert control(emu, "GET", "state")["projects"]  # written once, then waited for
