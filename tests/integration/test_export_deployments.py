"""``connect-gitops export`` of deployments, against the emulator over a real socket: new files
beside the connectors (secured keys as ``{fromEnv: KEY}``, never a value), the round trip to
no change, edits in place that keep comments, and credentials that may not read deployments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connect_gitops.core.deployments.live import Deployment
from connect_gitops.core.deployments.planner import plan_deployment
from connect_gitops.source.config import load_config
from connect_gitops.source.loader import load_folder
from tests.support import declarations
from tests.support.cli import invoke
from tests.support.emulator import PROJECT, control
from tests.support.live_deployments import (
    REGION,
    deployed,
    live_deployment,
    published_connector,
    redeployed,
)

SECRET = "sk_live_51Hexport_never_in_a_file"
TOKEN_SECRET = "tok_live_export_never_in_a_file"


def values(**pairs: str) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in pairs.items()]


def production(key: str = "payments-production", **fields: Any) -> dict[str, Any]:
    draft: dict[str, Any] = {
        "key": key,
        "type": "production",
        "connector": {"key": "stripe", "staged": False},
        "region": REGION,
        "configurations": [
            {
                "applicationName": "service",
                "standardConfiguration": values(LOG_LEVEL="info", CTP_REGION=REGION),
                "securedConfiguration": values(STRIPE_SECRET_KEY=SECRET),
            },
            {
                "applicationName": "order-sync",
                "standardConfiguration": [],
                "securedConfiguration": [],
                "schedule": "*/10 * * * *",
            },
        ],
        "globalConfiguration": {
            "standardConfiguration": values(CURRENCY="EUR"),
            "securedConfiguration": values(**{"2FA_TOKEN": TOKEN_SECRET}),
        },
    }
    return draft | fields


EXPORTED = """\
# yaml-language-server: $schema=../schema/connector.schema.json
kind: Deployment
key: payments-production
connector:
  key: stripe
  staged: false
  version: 1  # the version it runs; remove the pin to follow the latest
type: production
region: europe-west1.gcp
configurations:
  service:
    standardConfiguration:
      LOG_LEVEL: info
      CTP_REGION: europe-west1.gcp
    securedConfiguration:  # values never live in git: set these variables where apply runs
      STRIPE_SECRET_KEY: {fromEnv: STRIPE_SECRET_KEY}
globalConfiguration:
  standardConfiguration:
    CURRENCY: EUR
  securedConfiguration:
    2FA_TOKEN: {fromEnv: _2FA_TOKEN}
"""


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTP_CLIENT_ID", "admin")
    monkeypatch.setenv("CTP_CLIENT_SECRET", "admin-secret")


def _written(folder: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.yaml")))


def _noop_against_live(folder: Path, url: str, id: str) -> None:
    """The exported declaration, planned against the live deployment: nothing to do."""
    loaded = load_folder(folder, load_config(folder, {}))
    assert loaded.problems == ()
    [declared] = loaded.deployments
    live = Deployment.model_validate(live_deployment(url, id))
    change = plan_deployment(declared, live, facts=None, environment=())
    assert (change.kind, change.fields, change.reason) == ("noop", [], None)


def test_a_deployment_is_exported_beside_its_connector_and_plans_to_no_change(
    tmp_path: Path, emulator_url: str
) -> None:
    published_connector(emulator_url, "stripe")
    live = deployed(emulator_url, production())
    keyless = production()
    del keyless["key"]
    deployed(emulator_url, keyless)
    folder = declarations.write_config(tmp_path / "repo", emulator_url)

    result = invoke("export", "--out-dir", str(folder / "connectors"))

    assert result.exit_code == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == (
        "Export of target 'emu': 1 created, 0 updated, 0 unchanged, 0 failed. "
        "Deployments: 1 created, 0 updated, 0 unchanged."
    )
    notices = [line for line in lines if line.startswith("notice: deployment ")]
    assert len(notices) == 1
    assert notices[0].endswith("has no key, so no declaration can name it; not exported")
    assert sorted(p.name for p in (folder / "connectors").iterdir()) == [
        "payments-production.deployment.yaml",
        "stripe.yaml",
    ]
    exported = folder / "connectors" / "payments-production.deployment.yaml"
    assert exported.read_text(encoding="utf-8") == EXPORTED
    assert SECRET not in result.stdout + result.stderr + _written(folder)
    assert TOKEN_SECRET not in result.stdout + result.stderr + _written(folder)

    validated = invoke("validate", str(folder))
    assert validated.stderr == "ok: 1 connector and 1 deployment in 2 files\n"
    _noop_against_live(folder, emulator_url, live["id"])


COMMENTED = """\
# yaml-language-server: $schema=../schema/connector.schema.json
# Payments in production: owned by the payments team.
kind: Deployment
key: payments-production
connector: {key: stripe, version: 1}   # bump after each publish
type: production
region: europe-west1.gcp
configurations:
  service:
    standardConfiguration:
      LOG_LEVEL: "debug"   # noisy on purpose while we watch the rollout
      OLD_FLAG: "on"
    securedConfiguration:
      STRIPE_SECRET_KEY: {fromEnv: STRIPE_PROD_KEY}   # rotated every quarter
---
# a connector may share the deployment's key
key: payments-production
"""


def test_an_existing_declaration_is_edited_in_place_keeping_its_comments(
    tmp_path: Path, emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    published_connector(emulator_url, "stripe")
    live = deployed(emulator_url, production())
    live = redeployed(
        emulator_url,
        live,
        configurationValues=[
            {
                "applicationName": "service",
                "standardConfiguration": values(LOG_LEVEL="warn", CTP_REGION=REGION),
                "securedConfiguration": values(STRIPE_SECRET_KEY=SECRET),
            }
        ],
    )
    folder = declarations.write_config(tmp_path / "repo", emulator_url)
    (folder / "connectors").mkdir()
    existing = folder / "connectors" / "payments.yaml"
    existing.write_text(COMMENTED, encoding="utf-8")
    monkeypatch.chdir(folder)

    only = ("--key", "payments-production", "--out-dir", "connectors")
    dry = invoke("export", *only, "--dry-run")

    assert dry.exit_code == 0, dry.stderr
    assert [line for line in dry.stdout.splitlines() if line[:1] in "+-"] == [
        "--- connectors/payments.yaml",
        "+++ connectors/payments.yaml",
        '-      LOG_LEVEL: "debug"   # noisy on purpose while we watch the rollout',
        '-      OLD_FLAG: "on"',
        '+      LOG_LEVEL: "warn"    # noisy on purpose while we watch the rollout',
    ]
    assert dry.stderr.strip().splitlines() == [
        "would update connectors/payments.yaml (deployment payments-production)",
        "    configurations.service.standardConfiguration.LOG_LEVEL: 'debug' -> 'warn'",
        "    configurations.service.standardConfiguration.OLD_FLAG: removed: live has no value; "
        "the field is no longer managed",
        "Export (dry run) of target 'emu': 0 created, 0 updated, 0 unchanged, 0 failed. "
        "Deployments: 0 created, 1 updated, 0 unchanged.",
    ]
    assert existing.read_text(encoding="utf-8") == COMMENTED

    assert invoke("export", *only).exit_code == 0
    assert existing.read_text(encoding="utf-8") == COMMENTED.replace(
        '      LOG_LEVEL: "debug"   # noisy', '      LOG_LEVEL: "warn"    # noisy'
    ).replace('      OLD_FLAG: "on"\n', "")
    _noop_against_live(folder, emulator_url, live["id"])
    again = invoke("export", *only)
    assert (
        again.stderr.strip()
        .splitlines()[-1]
        .endswith("Deployments: 0 created, 0 updated, 1 unchanged.")
    )


def test_one_deployment_by_key(tmp_path: Path, emulator_url: str) -> None:
    published_connector(emulator_url, "stripe")
    deployed(emulator_url, production())
    deployed(emulator_url, production(key="payments-sandbox", type="sandbox"))
    folder = declarations.write_config(tmp_path / "repo", emulator_url)

    result = invoke("export", "--key", "payments-sandbox", "--out-dir", str(folder))

    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in folder.glob("*.yaml")) == [
        "connect-gitops.yaml",
        "payments-sandbox.deployment.yaml",
    ]


def test_credentials_that_cannot_read_deployments_still_export_connectors(
    tmp_path: Path, emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    published_connector(emulator_url, "stripe")
    deployed(emulator_url, production())
    state = control(emulator_url, "GET", "state")
    state["clients"] = [
        {"clientId": "reader", "clientSecret": "reader-secret", "scopes": ["view_connectors"]}
    ]
    control(emulator_url, "PUT", "state", state)
    monkeypatch.setenv("CTP_CLIENT_ID", "reader")
    monkeypatch.setenv("CTP_CLIENT_SECRET", "reader-secret")
    folder = declarations.write_config(tmp_path / "repo", emulator_url)

    result = invoke("export", "--out-dir", str(folder / "connectors"))

    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"created {folder / 'connectors' / 'stripe.yaml'} (stripe)",
        "notice: deployments were not exported: the credentials of target 'emu' cannot read "
        "them (they need view_connectors_deployments); connectors were",
        "Export of target 'emu': 1 created, 0 updated, 0 unchanged, 0 failed.",
    ]
    assert [p.name for p in (folder / "connectors").iterdir()] == ["stripe.yaml"]
    tokens = control(emulator_url, "GET", "state")["tokens"].values()
    assert [t["scopes"] for t in tokens if t["clientId"] == "reader"] == [
        [f"view_connectors:{PROJECT}"]
    ]
