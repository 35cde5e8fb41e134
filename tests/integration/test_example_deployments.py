"""The examples' deployments against the emulator over a real socket, as ``make demo`` runs them:
the planner plans both example deployments as creates (nothing blocked: the emulator could not
read the examples' connect.yaml on github.com, so their configurations are unknown to both),
apply creates them in the project the local target stands for after the connectors' preview and
publish, and the next plan is all noops."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx

from connect_gitops.core.deployments.inputs import ConnectorLookup, lookup_for
from connect_gitops.core.deployments.live import ConnectorFacts, Deployment, connector_facts
from connect_gitops.core.deployments.planner import facts_needed, plan_deployments
from connect_gitops.core.plan import Plan
from connect_gitops.source.config import load_config
from connect_gitops.source.loader import load_folder
from tests.support.cli import invoke
from tests.support.emulator import control
from tests.support.live_deployments import deployer_headers
from tests.support.paths import EXAMPLES

PROJECT = "shop-prod"
SECRETS = {
    "STRIPE_TEST_SECRET_KEY": "sk_test_example_value_1",
    "STRIPE_SECRET_KEY": "sk_live_example_value_2",
    "STRIPE_WEBHOOK_SECRET": "whsec_example_value_3",
}


def _examples_served_by(folder: Path, url: str) -> Path:
    """The examples, with the local target pointed at the served emulator (same project)."""
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns(".connect-gitops"))
    config = folder / "connect-gitops.yaml"
    text = config.read_text(encoding="utf-8")
    embedded = "    emulator: .connect-gitops/emulator.json"
    assert embedded in text
    served = f"    region: europe-west1.gcp\n    apiUrl: {url}\n    authUrl: {url}"
    config.write_text(text.replace(embedded, served.replace("\n", "  # served\n", 1)))
    return folder


def _facts(url: str, lookups: list[ConnectorLookup]) -> dict[ConnectorLookup, ConnectorFacts]:
    found = {}
    for lookup in lookups:
        path = "/connectors/drafts" if lookup.staged else "/connectors"
        response = httpx.get(
            f"{url}{path}/key={lookup.key}", headers=deployer_headers(url, PROJECT)
        )
        if response.status_code == 200:
            found[lookup] = connector_facts(response.json(), staged=lookup.staged)
    return found


def _live(url: str) -> dict[str, list[Deployment]]:
    response = httpx.get(f"{url}/{PROJECT}/deployments", headers=deployer_headers(url, PROJECT))
    response.raise_for_status()
    return {"local": [Deployment.model_validate(d) for d in response.json()["results"]]}


def _plan(folder: Path, url: str) -> Plan:
    declared = list(load_folder(folder, load_config(folder, {})).deployments)
    live = _live(url)
    needed = facts_needed(declared, live)
    assert needed == sorted({lookup_for(d) for d in declared}, key=ConnectorLookup.sort_key)
    return plan_deployments(
        declared,
        live,
        facts=_facts(url, needed),
        environment=set(SECRETS),
        complete_targets=["local"],
    )


def test_the_example_deployments_plan_apply_and_plan_again_to_no_change(
    tmp_path: Path, emulator_url: str, monkeypatch: Any
) -> None:
    monkeypatch.setenv("CTP_CLIENT_ID", "demo")
    monkeypatch.setenv("CTP_CLIENT_SECRET", "demo-secret")
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    control(emulator_url, "PUT", "settings", {"previewSeconds": 0, "publishSeconds": 0})
    folder = _examples_served_by(tmp_path / "examples", emulator_url)

    first = invoke("plan", str(folder), "--format", "json")
    assert first.exit_code == 0, first.stderr
    planned = [c for c in json.loads(first.stdout)["changes"] if c["resource"] == "deployment"]
    assert [(c["key"], c["kind"]) for c in planned] == [
        ("stripe-payment-preview", "create"),
        ("stripe-payment-production", "create"),
    ]
    applied = invoke("apply", str(folder))
    assert applied.exit_code == 0, applied.stderr
    assert "Deployments: 2 created, 0 redeployed" in applied.stderr

    again = _plan(folder, emulator_url)
    assert [(c.key, c.kind, c.reason) for c in again.changes] == [
        ("stripe-payment-preview", "noop", None),
        ("stripe-payment-production", "noop", None),
    ]
    assert again.orphans == []
    assert {d.status for d in _live(emulator_url)["local"]} == {"Deployed"}
    state = control(emulator_url, "GET", "state")
    assert not any(secret in json.dumps(state) for secret in SECRETS.values())
    assert invoke("plan", str(folder), "--detailed-exitcode").exit_code == 0
