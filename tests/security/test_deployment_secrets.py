"""A deployment's secured value never shows in any output of a run, while the emulator's state
shows that the value itself was sent (it keeps its SHA-256).

The CLI runs as a GitHub Actions step would, with ``--verbose``: plan with the PR comment, the
step summary and ``$GITHUB_OUTPUT``; plan ``--out`` a file; apply (a failing build whose report
and logs are printed, then ``--redeploy``); apply of the saved plan; drift. Then every byte is
searched: stdout, stderr, every file in the temporary folder, every comment body GitHub
received. (An API error that echoes a value is redacted by the client:
``integration/test_deployment_client.py``.)
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.cli import cli
from tests.support.deploying import (
    SECRET_VALUE,
    SECRET_VARIABLE,
    connector_declaration,
    declarations_folder,
    deployment,
    deployment_declaration,
    give_connect_yaml,
    settings,
    sha256,
    stored_secured,
)
from tests.support.emulator import set_faults
from tests.support.github import FakeGitHub
from tests.support.leaks import FRAGMENT, github_environment


def test_a_secured_value_appears_in_no_output_of_any_run(
    tmp_path: Path, emulator_url: str, fake_github: FakeGitHub
) -> None:
    url = emulator_url
    give_connect_yaml(url)
    settings(url, deploySeconds=0.2, previewSeconds=0.2, publishSeconds=0.2)
    env = github_environment(tmp_path, fake_github) | {SECRET_VARIABLE: SECRET_VALUE}
    files = {
        "connectors/stripe.yaml": connector_declaration(publish=True),
        "deployments/payments.yaml": deployment_declaration(),
    }
    folder = declarations_folder(tmp_path / "declarations", url, files)
    plan_file = tmp_path / "plan.json"
    runs: list[subprocess.CompletedProcess[str]] = []

    runs.append(cli("plan", str(folder), "--verbose", "--pr-comment", **env))
    runs.append(cli("plan", str(folder), "--verbose", "--out", str(plan_file), **env))
    runs.append(cli("plan", str(folder), "--verbose", "--format", "markdown", **env))
    set_faults(url, {"failNextBuilds": 1})
    report = tmp_path / "apply.json"
    runs.append(cli("apply", str(folder), "--verbose", "--out", str(report), **env))
    runs.append(cli("apply", str(folder), "--verbose", "--redeploy", "payments", **env))
    runs.append(cli("apply", str(plan_file), "--verbose", cwd=folder, **env))
    runs.append(cli("drift", str(folder), "--verbose", "--format", "json", **env))

    # The runs did what they should, so every channel was exercised.
    comment, saved, *_ = runs
    assert comment.returncode == 0, comment.stderr
    assert [len(c) for c in fake_github.comments.values()] == [1]
    assert saved.returncode == 0, saved.stderr
    failed_build = json.loads(report.read_text(encoding="utf-8"))
    assert runs[3].returncode == 1
    assert any(step.get("logs") for o in failed_build["outcomes"] for step in o["lifecycle"])
    assert runs[4].returncode == 0, runs[4].stderr
    assert "GET /emulator-project/deployments" in runs[0].stderr  # --verbose logged requests
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "payments" in summary
    assert "plan-json" in Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8")
    assert json.loads(plan_file.read_text(encoding="utf-8"))["changes"][1]["secured"]

    # The value itself was sent: the emulator keeps its hash.
    assert deployment(url, "payments") is not None
    [secured] = stored_secured(url, "payments")
    assert secured == {"key": SECRET_VARIABLE, "valueSha256": sha256(SECRET_VALUE)}

    outputs = [r.stdout for r in runs] + [r.stderr for r in runs]
    written = [
        p.read_text(encoding="utf-8", errors="replace") for p in tmp_path.rglob("*") if p.is_file()
    ]
    comments = [c["body"] for cs in fake_github.comments.values() for c in cs]
    everything = "\n".join(outputs + written + comments)
    assert SECRET_VARIABLE in everything  # the name is shown, as it should be
    assert SECRET_VALUE not in everything
    pieces = {SECRET_VALUE[i : i + FRAGMENT] for i in range(len(SECRET_VALUE) - FRAGMENT + 1)}
    assert sorted(p for p in pieces if p in everything) == []


def test_a_secret_typed_as_a_standard_value_is_blocked_and_shown_nowhere(
    tmp_path: Path, emulator_url: str
) -> None:
    """STRIPE_SECRET_KEY written under standardConfiguration (the connector declares it
    secured): every run blocks the deployment and no report, plan file or log repeats it."""
    url = emulator_url
    give_connect_yaml(url)
    settings(url, previewSeconds=0.2, publishSeconds=0.2)
    misplaced = f"info\n      {SECRET_VARIABLE}: {SECRET_VALUE}"
    files = {
        "connectors/stripe.yaml": connector_declaration(publish=True),
        "deployments/payments.yaml": deployment_declaration(log_level=misplaced, secret_from=None),
    }
    deployment_file = files.pop("deployments/payments.yaml")
    folder = declarations_folder(tmp_path / "declarations", url, files)
    published = cli("apply", str(folder))  # the connector, and so what it declares, is known
    assert published.returncode == 0, published.stderr
    (folder / "deployments").mkdir()
    (folder / "deployments" / "payments.yaml").write_text(deployment_file, encoding="utf-8")
    env = {SECRET_VARIABLE: "unused"}
    plan_file = tmp_path / "plan.json"

    runs = [cli("apply", str(folder), "--verbose", **env)]
    runs.append(cli("plan", str(folder), "--format", "json", "--out", str(plan_file), **env))
    runs.append(cli("plan", str(folder), "--format", "markdown", **env))
    runs.append(cli("drift", str(folder), "--format", "json", **env))

    [change] = [
        c
        for c in json.loads(plan_file.read_text(encoding="utf-8"))["changes"]
        if c.get("resource") == "deployment"
    ]
    assert change["kind"] == "blocked"
    assert (
        f"{SECRET_VARIABLE} is a secured key: move it to securedConfiguration" in change["reason"]
    )
    assert deployment(url, "payments") is None  # nothing was sent
    everything = "\n".join(
        [r.stdout + r.stderr for r in runs]
        + [p.read_text(encoding="utf-8") for p in tmp_path.rglob("*.json")]
    )
    assert "(not shown: the connector declares this key secured)" in everything
    assert SECRET_VALUE not in everything
