"""Markdown reports: exact output, escaping of hostile values, folding under a size limit."""

from __future__ import annotations

import re

from connect_gitops.core.plan import Change, FieldChange, Orphan, Plan
from connect_gitops.reporting.markdown import (
    render_apply_markdown,
    render_drift_markdown,
    render_plan_markdown,
)
from connect_gitops.reporting.markup import code, text
from tests.support.samples import (
    ORPHAN,
    blocked_change,
    drift_plan,
    noop_change,
    sample_result,
    update_change,
)

PLAN_MARKDOWN = """\
### connect-gitops plan

**Plan: 0 to create, 1 to update, 1 unchanged, 1 blocked, 1 orphan.**

#### Changes

|  | Connector | Target | Source | Change |
| --- | --- | --- | --- | --- |
| `~` | `tax-connector` | `eu` | `connectors/tax.yaml:1` | update: 2 fields · preview |
| `!` | `audit-connector` | `eu` | `connectors/audit.yaml:4` | blocked: status is InCertification |

<details><summary><code>~ tax-connector</code> (eu)</summary>

| Field | Before | After |
| --- | --- | --- |
| `repository.tag` | `"v1.3.0"` | `"v1.4.0"` |
| `integrationTypes` | `["psp"]` | `["psp", "tax"]` |

- → preview: repository changed

</details>

#### Orphans

Live connectors that no declaration names. They are not deleted.

| Connector | Target | Id |
| --- | --- | --- |
| `old-connector` | `eu` | `0f1e` |
"""


def test_plan_markdown() -> None:
    plan = Plan(changes=[update_change(), blocked_change(), noop_change()], orphans=[ORPHAN])
    assert render_plan_markdown(plan) == PLAN_MARKDOWN


def test_plan_markdown_title_and_no_changes() -> None:
    assert render_plan_markdown(Plan(changes=[noop_change()]), title="Plan for eu") == (
        "### Plan for eu\n\n**No changes. Live connectors match the declarations.**\n"
    )


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


HOSTILE_KEY = "a|b`c``<script>alert(1)</script>\nd"


def test_hostile_values_stay_inside_their_cell() -> None:
    change = Change(
        target="eu",
        key=HOSTILE_KEY,
        kind="update",
        reason=None,
        fields=[FieldChange(path="name", before="x|y\n| z |", after="`<img src=x>`")],
    )
    blocked = Change(target="eu", key="k", kind="blocked", reason="<b>@team</b> | *now*")
    markdown = render_plan_markdown(Plan(changes=[change, blocked]))
    rows = [line for line in markdown.splitlines() if line.startswith("|")]
    assert {_unescaped_pipes(row) for row in rows[:4]} == {6}
    assert {_unescaped_pipes(row) for row in rows[4:]} == {4}
    assert markdown.count("<script>") == 1  # in the code span of rows[2], inert there
    assert rows[2] == (
        r"| `~` | ```a\|b`c``<script>alert(1)</script>\nd``` | `eu` |  | update: 1 field |"
    )
    assert rows[3] == (r"| `!` | `k` | `eu` |  | blocked: &lt;b&gt;\@team&lt;/b&gt; \| \*now\* |")
    assert rows[6] == r'| `name` | `"x\|y\n\| z \|"` | ``"`<img src=x>`"`` |'
    assert (
        "<summary><code>~ a|b`c``&lt;script&gt;alert(1)&lt;/script&gt;\\nd</code> (eu)</summary>"
        in markdown
    )


def test_code_spans_cannot_be_closed_early() -> None:
    assert code("plain") == "`plain`"
    assert code("a`b") == "``a`b``"
    assert code("`edge`") == "`` `edge` ``"
    assert code("") == "` `"


def test_text_escapes_markdown_and_html() -> None:
    assert text("*a* _b_ [l](u) <i> & #1 @me ~x~") == (
        r"\*a\* \_b\_ \[l\](u) &lt;i&gt; &amp; \#1 \@me \~x\~"
    )


def _many_changes(count: int) -> Plan:
    changes = [
        Change(
            target="eu",
            key=f"connector-{i:04d}",
            file=f"connectors/connector-{i:04d}.yaml",
            line=1,
            kind="update",
            fields=[FieldChange(path="description", before="old " * 10, after="new " * 10)],
        )
        for i in range(count)
    ]
    orphans = [Orphan(target="eu", key=f"orphan-{i}", id=f"id-{i}") for i in range(50)]
    return Plan(changes=changes, orphans=orphans)


DETAILED = re.compile(r"<summary><code>~ (connector-\d+)</code>")
ROW = re.compile(r"^\| `~` \| `(connector-\d+)` \|", flags=re.MULTILINE)


def test_folding_keeps_2000_changes_under_the_limit() -> None:
    markdown = render_plan_markdown(_many_changes(2000))
    assert len(markdown) <= 60_000
    detailed = DETAILED.findall(markdown)
    shown = ROW.findall(markdown)
    assert markdown.startswith(
        "### connect-gitops plan\n\n"
        "**Plan: 0 to create, 2000 to update, 0 unchanged, 0 blocked, 50 orphans.**\n\n"
        f"_Details of {2000 - len(detailed)} of 2000 changes are left out to keep this short; "
        "see the step summary / JSON plan._\n\n"
    )
    assert detailed == [f"connector-{i:04d}" for i in range(len(detailed))]
    assert shown == [f"connector-{i:04d}" for i in range(len(shown))]
    assert len(detailed) > 60  # the details of as many connectors as fit, not none
    more = re.search(
        r"^… and (\d+) more changes \(see the step summary / JSON plan\)$",
        markdown,
        flags=re.MULTILINE,
    )
    assert more is not None
    assert len(shown) + int(more.group(1)) == 2000
    assert len(markdown) > 58_000  # the budget is used, not wasted
    assert "| `orphan-49` | `eu` | `id-49` |" in markdown  # a long table starves no other


def test_folding_drops_the_last_details_first_then_the_last_rows() -> None:
    plan = _many_changes(40)
    full = render_plan_markdown(plan, max_chars=1_000_000)
    assert len(DETAILED.findall(full)) == 40
    assert "left out" not in full

    folded = render_plan_markdown(plan, max_chars=len(full) - 1)

    assert DETAILED.findall(folded) == [f"connector-{i:04d}" for i in range(39)]
    assert len(ROW.findall(folded)) == 40
    assert "_Details of 1 of 40 changes are left out to keep this short" in folded
    assert "more changes" not in folded

    half = render_plan_markdown(plan, max_chars=len(full) // 2)
    kept = len(DETAILED.findall(half))
    assert 0 < kept < 39
    assert len(ROW.findall(half)) == 40
    assert f"_Details of {40 - kept} of 40 changes are left out" in half

    third = render_plan_markdown(plan, max_chars=len(full) // 3)  # not even every row fits
    detailed, rows = DETAILED.findall(third), ROW.findall(third)
    assert 0 < len(detailed) <= len(rows) < 40
    assert detailed == rows[: len(detailed)]
    assert f"… and {40 - len(rows)} more changes" in third
    assert len(third) <= len(full) // 3


def test_folding_keeps_a_row_whose_details_do_not_fit_but_no_later_details() -> None:
    plan = _many_changes(3)
    huge = Change(
        target="eu",
        key="connector-0001",
        file="connectors/connector-0001.yaml",
        line=1,
        kind="update",
        fields=[FieldChange(path=f"field{n}", before="x", after="y") for n in range(400)],
    )
    plan = Plan(changes=[plan.changes[0], huge, plan.changes[2]])
    full = render_plan_markdown(plan, max_chars=1_000_000)

    folded = render_plan_markdown(plan, max_chars=len(full) // 2)

    assert DETAILED.findall(folded) == ["connector-0000"]
    assert ROW.findall(folded) == ["connector-0000", "connector-0001", "connector-0002"]
    assert "_Details of 2 of 3 changes are left out" in folded


def test_folding_with_a_tiny_limit_still_fits() -> None:
    assert len(render_plan_markdown(_many_changes(20), max_chars=300)) <= 300


APPLY_MARKDOWN = """\
### connect-gitops apply

**Apply: 1 created, 1 updated, 1 unchanged, 0 blocked, 1 stale, 1 failed. \
1 preview/publish failed.**

#### Connectors

|  | Connector | Target | Source | Result |
| --- | --- | --- | --- | --- |
| `+` | `payment-connector` | `eu` | `connectors/payment.yaml:1` | created · preview succeeded |
| `~` | `tax-connector` | `eu` | `connectors/tax.yaml:1` | updated: 2 actions · preview failed |
| `!` | `audit-connector` | `eu` | `connectors/audit.yaml:4` | \
stale: stale plan: re-run plan: version 8 is not the planned 7 |
| `!` | `search-connector` | `eu` | `connectors/search.yaml:2` | \
failed: `InvalidInput` Invalid repository url · correlation id `projects-4f1c` |

<details><summary><code>tax-connector</code> (eu)</summary>

- preview failed: the preview failed
  - Error: connect.yaml not found: no connect.yaml at tag v1.4.0

</details>
"""


def test_apply_markdown() -> None:
    assert render_apply_markdown(sample_result()) == APPLY_MARKDOWN


def test_drift_markdown_is_an_issue_body_with_advice() -> None:
    markdown = render_drift_markdown(drift_plan())
    assert markdown.startswith(
        "### connect-gitops drift\n\n**Drift: 2 connectors drifted, 1 missing, 1 orphan.**\n"
    )
    assert (
        "re-run apply to restore the declared state, or change the declaration to adopt the "
        "live value" in markdown
    )
    assert "the next apply recreates them" in markdown
    assert "Adopt them with `connect-gitops export`, or remove them by hand" in markdown
    assert '| `repository.tag` | `"v1.4.0"` | `"v1.3.0"` |' in markdown
    assert (
        "| `search-connector` | `eu` | `connectors/search.yaml:1` | "
        "publish: unpublished changes |" in markdown
    )
    assert "| `payment-connector` | `eu` | `connectors/payment.yaml:1` |" in markdown
    assert "| `old-connector` | `eu` | `0f1e` |" in markdown


def test_no_drift_markdown() -> None:
    assert render_drift_markdown(Plan(mode="drift")) == (
        "### connect-gitops drift\n\n**No drift.**\n"
    )


def test_a_keyless_orphan_shows_its_id() -> None:
    orphan = Orphan(
        target="eu", key="", id="5ab3-id", reason="has no key, so no declaration can name it"
    )

    markdown = render_plan_markdown(Plan(orphans=[orphan]))

    assert "| (no key) | `eu` | `5ab3-id` |" in markdown
