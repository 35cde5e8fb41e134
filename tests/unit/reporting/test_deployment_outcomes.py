"""Apply reports of deployments: exact text, Markdown and JSON, beside connectors left as they
were; a failed build with its report entries and last log lines; the building progress line."""

from __future__ import annotations

import io
import json

from connect_gitops.core.outcomes import ApplyResult, LifecycleOutcome, Outcome
from connect_gitops.reporting.json import render_apply_json
from connect_gitops.reporting.markdown import render_apply_markdown
from connect_gitops.reporting.progress import PlainProgress
from connect_gitops.reporting.text import render_apply_text

CONNECTOR = Outcome(
    target="eu", key="stripe", kind="updated", file="connectors/stripe.yaml", line=1, actions=1
)
FAILED_BUILD = LifecycleOutcome(
    step="build",
    state="failed",
    message="build failed",
    entries=[
        {
            "type": "Error",
            "application": "service",
            "title": "Build failed",
            "message": "npm run build exited 1",
        }
    ],
    logs=[
        {
            "application": "service",
            "timestamp": "2026-01-01T10:00:00.000Z",
            "severity": "ERROR",
            "message": "npm ERR! code ELIFECYCLE",
        },
        {"application": "service", "message": "\x1b[31mred\x1b[0m and\nsplit"},
    ],
)
DEPLOYMENTS = [
    Outcome(
        target="eu",
        key="payments",
        kind="created",
        resource="deployment",
        file="deployments/payments.yaml",
        line=1,
        lifecycle=[FAILED_BUILD],
    ),
    Outcome(
        target="eu",
        key="sandbox",
        kind="redeployed",
        resource="deployment",
        file="deployments/sandbox.yaml",
        line=1,
        lifecycle=[LifecycleOutcome(step="build", state="succeeded", message="Deployed")],
    ),
    Outcome(
        target="eu",
        key="moved",
        kind="replaced",
        resource="deployment",
        file="deployments/moved.yaml",
        line=3,
        lifecycle=[LifecycleOutcome(step="build", state="requested", message="Queued")],
    ),
    Outcome(
        target="eu",
        key="waiting",
        kind="failed",
        resource="deployment",
        file="deployments/waiting.yaml",
        line=1,
        message="connector stripe's publish failed: not deployed",
    ),
]
RESULT = ApplyResult(outcomes=[CONNECTOR, *DEPLOYMENTS])


def test_text_lists_deployments_after_connectors_with_the_failed_build() -> None:
    assert render_apply_text(RESULT, color=False) == (
        "~ updated  stripe  (eu, connectors/stripe.yaml:1)  1 action\n"
        "+ created deployment  payments  (eu, deployments/payments.yaml:1)\n"
        "    build failed: build failed\n"
        "        - Error: Build failed: npm run build exited 1\n"
        "        last log lines:\n"
        "            service | 2026-01-01T10:00:00.000Z ERROR npm ERR! code ELIFECYCLE\n"
        "            service | \\x1b[31mred\\x1b[0m and\\nsplit\n"
        "~ redeployed deployment  sandbox  (eu, deployments/sandbox.yaml:1)\n"
        "    build succeeded: Deployed\n"
        "-/+ replaced deployment  moved  (eu, deployments/moved.yaml:3)\n"
        "    build requested: Queued\n"
        "! failed deployment  waiting  (eu, deployments/waiting.yaml:1)  connector stripe's "
        "publish failed: not deployed\n"
        "\n"
        "Apply: 0 created, 1 updated, 0 unchanged, 0 blocked, 0 stale, 0 failed. Deployments: "
        "1 created, 1 redeployed, 1 replaced, 0 unchanged, 0 blocked, 0 stale, 1 failed. "
        "1 build failed.\n"
    )


def test_a_run_of_connectors_only_reads_as_it_always_did() -> None:
    only = ApplyResult(outcomes=[CONNECTOR])
    assert render_apply_text(only, color=False).splitlines()[-1] == (
        "Apply: 0 created, 1 updated, 0 unchanged, 0 blocked, 0 stale, 0 failed."
    )
    document = json.loads(render_apply_json(only))
    assert "resource" not in document["outcomes"][0]
    assert sorted(document["summary"]) == sorted(
        ["created", "updated", "unchanged", "blocked", "stale", "failed", "lifecycleFailed"]
    )
    assert "#### Deployments" not in render_apply_markdown(only)


def test_json_marks_deployments_and_carries_the_build() -> None:
    document = json.loads(render_apply_json(RESULT))
    outcomes = {o["key"]: o for o in document["outcomes"]}
    assert "resource" not in outcomes["stripe"]
    assert outcomes["payments"]["resource"] == "deployment"
    assert outcomes["payments"]["ok"] is False
    assert outcomes["payments"]["lifecycle"] == [
        {
            "step": "build",
            "state": "failed",
            "message": "build failed",
            "entries": FAILED_BUILD.entries,
            "logs": FAILED_BUILD.logs,
        }
    ]
    assert document["summary"] == {
        "created": 1,
        "updated": 1,
        "redeployed": 1,
        "replaced": 1,
        "unchanged": 0,
        "blocked": 0,
        "stale": 0,
        "failed": 1,
        "lifecycleFailed": 0,
        "buildFailed": 1,
    }
    assert document["ok"] is False


def test_markdown_has_a_deployments_table_and_the_logs_in_details() -> None:
    text = render_apply_markdown(RESULT)
    assert "#### Connectors" in text
    assert "#### Deployments" in text
    deployments = text[text.index("#### Deployments") :]
    assert (
        "| `+` | `payments` | `eu` | `deployments/payments.yaml:1` | created · build failed |"
        in (deployments)
    )
    assert "| `-/+` | `moved` |" in deployments
    assert "  - last log lines:\n" in deployments
    assert "    - `service \\| 2026-01-01T10:00:00.000Z ERROR npm ERR! code ELIFECYCLE`" in (
        deployments
    )
    assert "\x1b" not in text


def test_building_and_undeploying_progress_lines() -> None:
    now = [0.0]
    stream = io.StringIO()
    with PlainProgress(stream, clock=lambda: now[0]) as progress:
        progress.started("eu", "payments", "build")
        now[0] = 80.0
        progress.changed("eu", "payments", "build", "Deploying")
        progress.finished("eu", "payments", "build", "Deployed", ok=True)
        progress.started("eu", "moved", "undeploy")
        progress.changed("eu", "moved", "undeploy", "Undeploying")
    assert stream.getvalue().splitlines() == [
        "eu/payments: waiting for the build",
        "building payments: Deploying (1m20s)",
        "eu/payments: build: Deployed after 1m20s",
        "eu/moved: waiting for the undeploy",
        "undeploying moved: Undeploying (0s)",
    ]
