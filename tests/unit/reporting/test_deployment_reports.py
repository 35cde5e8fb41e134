"""Deployments in the plan reports: every kind, the version move, secured values by name only,
what a change waits for, replace shown loudly, orphans without a key, and counts apart from
connectors. The plan comes from the real planner (tests/support/deployment_samples.py)."""

from __future__ import annotations

import json

from connect_gitops.core.plan import Change, FieldChange, Orphan, Plan, from_json
from connect_gitops.reporting.json import render_plan_json
from connect_gitops.reporting.markdown import render_drift_markdown, render_plan_markdown
from connect_gitops.reporting.text import render_drift_text, render_plan_text
from tests.support.deployment_samples import deployment_plan
from tests.support.samples import sample_plan

PLAN_TEXT = [
    "~ redeploy deployment  payments  (eu, deployments/payments.yaml:1)",
    '    configurations.service.standardConfiguration.LOG_LEVEL: "info" → "debug"',
    "    connector v3 → latest (v4)",
    "    secured (sent, never compared): service.STRIPE_SECRET_KEY from $STRIPE_LIVE_KEY",
    "= unchanged deployment  payments-failed  (eu, deployments/payments-failed.yaml:1)  "
    "deployment Failed: apply --redeploy payments-failed retries the build",
    "+ create deployment  payments-preview  (eu, deployments/payments-preview.yaml:1)",
    '    type: "preview"',
    '    region: "europe-west1.gcp"',
    '    connector.key: "stripe-connector"',
    '    configurations.service.standardConfiguration.CTP_REGION: "europe-west1.gcp"',
    '    configurations.service.standardConfiguration.LOG_LEVEL: "debug"',
    "    secured (sent, never compared): service.STRIPE_SECRET_KEY from $STRIPE_LIVE_KEY",
    "    → after the preview of connector stripe-connector",
    "! blocked deployment  payments-typo  (eu, deployments/payments-typo.yaml:1)",
    "    configurations.servce: connector stripe-connector has no application servce: did you "
    "mean service?",
    "    configurations.service: required key CTP_REGION is missing: add it to "
    "standardConfiguration",
    "    configurations.service: required key STRIPE_SECRET_KEY is missing: add it to "
    "securedConfiguration as {fromEnv: VARIABLE}",
    "-/+ replace deployment  payments-us  (eu, deployments/payments-us.yaml:1)  DELETE and "
    "re-create",
    "    DELETE deployment payments-us-id (version 4), then create it again: it does not run "
    "until the new build is Deployed",
    '    region: "europe-west1.gcp" → "us-central1.gcp"',
    '    configurations.service.standardConfiguration.CTP_REGION: "europe-west1.gcp"',
    '    configurations.service.standardConfiguration.LOG_LEVEL: "info"',
    "    secured (sent, never compared): service.STRIPE_SECRET_KEY from $STRIPE_LIVE_KEY",
    "? orphan deployment id=no-key-id (eu): has no key, so no declaration can name it",
    "? orphan deployment payments-old (eu): no declaration names it; not deleted",
    "Secured values are not compared: rotate them with apply --redeploy KEY.",
    "",
    "Plan: 0 to create, 0 to update, 0 unchanged, 0 blocked, 0 orphans. Deployments: 1 to "
    "create, 1 to redeploy, 1 to replace, 2 unchanged, 1 blocked, 2 orphans.",
]

PLAN_MARKDOWN = [
    "### connect-gitops plan",
    "",
    "**Plan: 0 to create, 0 to update, 0 unchanged, 0 blocked, 0 orphans. Deployments: 1 to "
    "create, 1 to redeploy, 1 to replace, 2 unchanged, 1 blocked, 2 orphans.**",
    "",
    "#### Deployments",
    "",
    "Secured values are not compared: rotate them with apply --redeploy KEY.",
    "",
    "|  | Deployment | Target | Source | Change |",
    "| --- | --- | --- | --- | --- |",
    "| `~` | `payments` | `eu` | `deployments/payments.yaml:1` | redeploy: 1 field · connector "
    "v3 → latest (v4) · 1 secured value (sent, never compared) |",
    "| `=` | `payments-failed` | `eu` | `deployments/payments-failed.yaml:1` | unchanged · "
    "deployment Failed: apply --redeploy payments-failed retries the build |",
    "| `+` | `payments-preview` | `eu` | `deployments/payments-preview.yaml:1` | create · 1 "
    "secured value (sent, never compared) · after the preview of connector stripe-connector |",
    "| `!` | `payments-typo` | `eu` | `deployments/payments-typo.yaml:1` | blocked: "
    "configurations.servce: connector stripe-connector has no application servce: did you mean "
    "service?; configurations.service: required key CTP\\_REGION is missing: add it to "
    "standardConfiguration; configurations.service: required key STRIPE\\_SECRET\\_KEY is "
    "missing: add it to securedConfiguration as {fromEnv: VARIABLE} |",
    "| `-/+` | `payments-us` | `eu` | `deployments/payments-us.yaml:1` | **replace: DELETE and "
    "re-create** · immutable `region` · 1 secured value (sent, never compared) |",
    "",
    "<details><summary><code>~ payments</code> (eu)</summary>",
    "",
    "| Field | Before | After |",
    "| --- | --- | --- |",
    '| `configurations.service.standardConfiguration.LOG_LEVEL` | `"info"` | `"debug"` |',
    "| `connector` | `v3` | `latest (v4)` |",
    "",
    "Secured values, by name only (sent, never compared):",
    "",
    "- `service.STRIPE_SECRET_KEY from $STRIPE_LIVE_KEY`",
    "",
    "</details>",
    "",
    "<details><summary><code>+ payments-preview</code> (eu)</summary>",
    "",
    "| Field | Value |",
    "| --- | --- |",
    '| `type` | `"preview"` |',
    '| `region` | `"europe-west1.gcp"` |',
    '| `connector.key` | `"stripe-connector"` |',
    '| `configurations.service.standardConfiguration.CTP_REGION` | `"europe-west1.gcp"` |',
    '| `configurations.service.standardConfiguration.LOG_LEVEL` | `"debug"` |',
    "",
    "- → after the preview of connector stripe-connector",
    "",
    "Secured values, by name only (sent, never compared):",
    "",
    "- `service.STRIPE_SECRET_KEY from $STRIPE_LIVE_KEY`",
    "",
    "</details>",
    "",
    "<details><summary><code>! payments-typo</code> (eu)</summary>",
    "",
    "- configurations.servce: connector stripe-connector has no application servce: did you "
    "mean service?",
    "- configurations.service: required key CTP\\_REGION is missing: add it to "
    "standardConfiguration",
    "- configurations.service: required key STRIPE\\_SECRET\\_KEY is missing: add it to "
    "securedConfiguration as {fromEnv: VARIABLE}",
    "",
    "</details>",
    "",
    "<details><summary><code>-/+ payments-us</code> (eu)</summary>",
    "",
    "> **DELETE deployment payments-us-id (version 4), then create it again: it does not run "
    "until the new build is Deployed**",
    "",
    "| Field | Before | After |",
    "| --- | --- | --- |",
    '| `region` | `"europe-west1.gcp"` | `"us-central1.gcp"` |',
    '| `configurations.service.standardConfiguration.CTP_REGION` |  | `"europe-west1.gcp"` |',
    '| `configurations.service.standardConfiguration.LOG_LEVEL` |  | `"info"` |',
    "",
    "Secured values, by name only (sent, never compared):",
    "",
    "- `service.STRIPE_SECRET_KEY from $STRIPE_LIVE_KEY`",
    "",
    "</details>",
    "",
    "#### Deployment orphans",
    "",
    "Live deployments that no declaration names. They are not deleted; a deployment without a "
    "key is shown by its id.",
    "",
    "| Deployment | Target | Id |",
    "| --- | --- | --- |",
    "| (no key) | `eu` | `no-key-id` |",
    "| `payments-old` | `eu` | `payments-old-id` |",
]


def test_plan_text_shows_every_deployment_kind() -> None:
    assert render_plan_text(deployment_plan(), color=False).splitlines() == PLAN_TEXT


def test_plan_markdown_gives_deployments_their_own_tables() -> None:
    assert render_plan_markdown(deployment_plan()).splitlines() == PLAN_MARKDOWN


def test_connectors_keep_their_report_and_deployments_follow_with_their_counts() -> None:
    connectors = sample_plan()
    both = Plan(
        changes=[*connectors.changes, *deployment_plan().changes],
        orphans=[*connectors.orphans, *deployment_plan().orphans],
    )
    text = render_plan_text(both, color=False)
    alone = render_plan_text(connectors, color=False).splitlines()
    assert text.splitlines()[: len(alone) - 3] == alone[:-3]  # up to the orphans and summary
    assert text.splitlines()[-1] == (
        "Plan: 1 to create, 1 to update, 2 unchanged, 1 blocked, 1 orphan. Deployments: 1 to "
        "create, 1 to redeploy, 1 to replace, 2 unchanged, 1 blocked, 2 orphans."
    )
    markdown = render_plan_markdown(both)
    headings = [line for line in markdown.splitlines() if line.startswith("#### ")]
    assert headings == [
        "#### Changes",
        "#### Orphans",
        "#### Deployments",
        "#### Deployment orphans",
    ]


def test_nothing_to_do_says_so_for_deployments_too() -> None:
    quiet = Plan(changes=[c for c in deployment_plan().changes if c.key == "payments-quiet"])
    assert render_plan_text(quiet, color=False) == (
        "Secured values are not compared: rotate them with apply --redeploy KEY.\n"
        "\n"
        "No changes. Live connectors and deployments match the declarations.\n"
    )
    assert "**No changes. Live connectors and deployments match the declarations.**" in (
        render_plan_markdown(quiet)
    )


def test_a_move_that_waits_for_a_publish_of_another_target() -> None:
    change = Change(
        target="prod",
        key="payments",
        resource="deployment",
        kind="redeploy",
        id="d-1",
        version=2,
        fields=[FieldChange(path="connector.version", before=3, after="latest")],
        reason="follows the publish of connector stripe",
        waitsFor=[{"target": "creator", "key": "stripe", "step": "publish"}],  # type: ignore[list-item]
    )
    assert render_plan_text(Plan(changes=[change]), color=False).splitlines()[:3] == [
        "~ redeploy deployment  payments  (prod)",
        "    connector v3 → latest",
        "    → after the publish of connector stripe (target creator)",
    ]
    row = next(
        line
        for line in render_plan_markdown(Plan(changes=[change])).splitlines()
        if "`payments`" in line
    )
    assert row.endswith(
        "| redeploy · connector v3 → latest · after the publish of connector stripe (target "
        "creator) |"
    )


def test_plan_json_carries_resource_secured_names_waits_and_counts() -> None:
    plan = deployment_plan()
    document = json.loads(render_plan_json(plan))
    by_key = {change["key"]: change for change in document["changes"]}
    assert {change["resource"] for change in document["changes"]} == {"deployment"}
    assert by_key["payments-preview"]["secured"] == [
        {"application": "service", "key": "STRIPE_SECRET_KEY", "fromEnv": "STRIPE_LIVE_KEY"}
    ]
    assert by_key["payments-preview"]["waitsFor"] == [
        {"resource": "connector", "target": "eu", "key": "stripe-connector", "step": "preview"}
    ]
    assert by_key["payments"]["fields"][-1] == {
        "path": "connector.version",
        "before": 3,
        "after": 4,
    }
    assert [(o["key"], o["id"], o["resource"]) for o in document["orphans"]] == [
        ("", "no-key-id", "deployment"),
        ("payments-old", "payments-old-id", "deployment"),
    ]
    assert document["summary"] == {
        "create": 1,
        "update": 0,
        "redeploy": 1,
        "replace": 1,
        "noop": 2,
        "blocked": 1,
        "orphans": 2,
    }
    assert "lifecycle" not in by_key["payments"]
    assert from_json(render_plan_json(plan)) == plan


def test_drift_names_deployments_and_counts_them_apart() -> None:
    change = Change(
        target="eu",
        key="payments",
        resource="deployment",
        file="deployments/payments.yaml",
        line=3,
        kind="redeploy",
        id="d-1",
        version=2,
        fields=[
            FieldChange(
                path="configurations.service.standardConfiguration.LOG_LEVEL",
                before="debug",
                after="info",
            )
        ],
        reason="deployment Failed",
    )
    plan = Plan(
        mode="drift",
        changes=[change],
        orphans=[Orphan(target="eu", key="", id="d-9", resource="deployment")],
    )
    assert render_drift_text(plan).splitlines() == [
        "~ drifted deployment  payments  (eu, deployments/payments.yaml:3)  deployment Failed",
        '    configurations.service.standardConfiguration.LOG_LEVEL: declared: "info", live: '
        '"debug"',
        "? orphan deployment id=d-9 (eu): no declaration names it; not deleted",
        "",
        "Drift: 0 connectors drifted, 0 missing, 0 orphans. Deployments: 1 drifted, 0 missing, "
        "1 orphan.",
    ]
    markdown = render_drift_markdown(plan)
    assert "| `payments` (deployment) | `eu` | `deployments/payments.yaml:3` |" in markdown
    assert "#### Orphans" not in markdown
    assert markdown.endswith("| (no key) | `eu` | `d-9` |\n")


def test_each_deployment_row_keeps_its_own_details_when_the_comment_is_folded() -> None:
    # The fold cuts rows and details together, so details must line up with rows one for one:
    # a filtered list would show the next deployment's details under a row without any.
    from connect_gitops.reporting.markdown_deployments import deployment_sections

    changes, _orphans = deployment_sections(deployment_plan())
    assert len(changes.details) == len(changes.rows)
    failed = next(i for i, row in enumerate(changes.rows) if "payments-failed" in row)
    assert changes.details[failed] == ""
    assert all("payments-failed" not in block for block in changes.details)
