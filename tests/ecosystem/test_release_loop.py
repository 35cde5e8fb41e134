"""The README's Ecosystem loop, on the examples: a connector repository tags a release, Renovate's
pull request bumps the tag, the plan shows `setRepository` with the preview and publish steps,
the example deployments follow the new tag after that preview and publish, and the apply after
the merge leaves nothing to do.

The examples' `local` target is the embedded emulator; its state file starts with zero-second
previews and publishes, so apply does not wait.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.renovate_emulation import EXAMPLES, auto_replace, extract

STRIPE = "example-retail/stripe-payment-connector"
INSTANT = {"formatVersion": 1, "settings": {"previewSeconds": 0, "publishSeconds": 0}}


SECRETS = {
    "STRIPE_TEST_SECRET_KEY": "demo-value-for-the-emulator",
    "STRIPE_SECRET_KEY": "demo-value-for-the-emulator",
    "STRIPE_WEBHOOK_SECRET": "demo-value-for-the-emulator",
}
"""The examples' deployments' secured variables, as ``make demo`` sets them."""


def connect_gitops(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connect_gitops", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **SECRETS},
    )


def test_a_new_connector_tag_goes_from_pull_request_to_applied(tmp_path: Path) -> None:
    deploy = tmp_path / "deploy"
    shutil.copytree(EXAMPLES, deploy, ignore=shutil.ignore_patterns(".connect-gitops"))
    (deploy / ".connect-gitops").mkdir()
    (deploy / ".connect-gitops" / "emulator.json").write_text(json.dumps(INSTANT))
    first = connect_gitops("apply", "deploy", cwd=tmp_path)
    assert first.returncode == 0, first.stderr

    # Renovate's pull request: v2.4.0 was tagged in the connector's repository
    payment = deploy / "connectors" / "payment.yaml"
    before = payment.read_text(encoding="utf-8")
    [index] = [i for i, d in enumerate(extract(before)) if d.depName == STRIPE]
    after = auto_replace(before, index, "v2.4.0")
    payment.write_text(after, encoding="utf-8")
    lines = zip(before.splitlines(), after.splitlines(), strict=True)
    changed = [(b, a) for b, a in lines if b != a]
    assert changed == [("  tag: v2.3.1", "  tag: v2.4.0")]

    # the plan comment on that pull request
    plan = connect_gitops("plan", "deploy", "--format", "json", cwd=tmp_path)
    assert plan.returncode == 0, plan.stderr
    changes = {c["key"]: c for c in json.loads(plan.stdout)["changes"]}
    stripe = changes.pop("stripe-payment-connector")
    connectors = [c for c in changes.values() if c["resource"] == "connector"]
    assert {c["kind"] for c in connectors} == {"noop"}
    # the deployments follow the new tag once the connector's preview / publish succeeded
    follows = {
        c["key"]: (c["kind"], c["reason"], c["actions"][0]["updateConnector"], c["waitsFor"])
        for c in changes.values()
        if c["resource"] == "deployment"
    }
    waits = {"resource": "connector", "target": "local", "key": "stripe-payment-connector"}
    assert follows == {
        "stripe-payment-preview": (
            "redeploy",
            "follows the preview of connector stripe-payment-connector",
            True,
            [waits | {"step": "preview"}],
        ),
        "stripe-payment-production": (
            "redeploy",
            "follows the publish of connector stripe-payment-connector",
            True,
            [waits | {"step": "publish"}],
        ),
    }
    assert stripe["actions"] == [
        {"action": "setRepository", "url": f"git@github.com:{STRIPE}.git", "tag": "v2.4.0"}
    ]
    assert stripe["lifecycle"] == [
        {"step": "preview", "reason": "repository changed"},
        {"step": "publish", "reason": "unpublished changes", "certification": False},
    ]
    comment = connect_gitops("plan", "deploy", "--format", "markdown", cwd=tmp_path).stdout
    assert (
        "**Plan: 0 to create, 1 to update, 2 unchanged, 0 blocked, 0 orphans. Deployments: 0 to "
        "create, 2 to redeploy, 0 to replace, 0 unchanged, 0 blocked, 0 orphans.**"
    ) in comment
    assert "| update: 1 field · preview · publish |" in comment
    assert '| `repository.tag` | `"v2.3.1"` | `"v2.4.0"` |' in comment
    assert "→ preview: repository changed" in comment
    assert "→ publish: unpublished changes" in comment

    # merged: the push workflow applies, and then nothing is left to do
    applied = connect_gitops("apply", "deploy", cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    assert "preview succeeded" in applied.stderr + applied.stdout
    assert "publish succeeded: Published" in applied.stderr + applied.stdout
    for deployment in ("stripe-payment-preview", "stripe-payment-production"):
        assert f"~ redeployed deployment  {deployment}" in applied.stderr + applied.stdout
    assert "build succeeded: Deployed" in applied.stderr + applied.stdout
    again = connect_gitops("plan", "deploy", "--detailed-exitcode", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
