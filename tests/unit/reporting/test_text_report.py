"""The human-readable reports: exact text, summary variants, colour and hostile values."""

from __future__ import annotations

import io
import re

import pytest

from connect_gitops.core.outcomes import ApplyResult, Outcome
from connect_gitops.core.plan import Change, FieldChange, Orphan, Plan
from connect_gitops.reporting.text import (
    render_apply_text,
    render_drift_text,
    render_plan_text,
    use_color,
)
from tests.support.samples import (
    ORPHAN,
    blocked_change,
    create_change,
    drift_plan,
    noop_change,
    sample_plan,
    sample_result,
    update_change,
)

ANSI = re.compile(r"\x1b\[[0-9;]*m")

PLAN_TEXT = """\
+ create  payment-connector  (eu, connectors/payment.yaml:1)
    name: "Payment Connector"
    integrationTypes: ["psp"]
    creator.email: "team@example.com"
    repository.url: "git@github.com:example/payment-connector.git"
    repository.tag: "v1.4.0"
    → preview: repository changed
~ update  tax-connector  (eu, connectors/tax.yaml:1)
    repository.tag: "v1.3.0" → "v1.4.0"
    integrationTypes: ["psp"] → ["psp", "tax"]
    → preview: repository changed
! blocked  audit-connector  (eu, connectors/audit.yaml:4)  status is InCertification
= unchanged  search-connector  (eu, connectors/search.yaml:1)
    → publish: unpublished changes
? orphan old-connector (eu): no declaration names it; not deleted

Plan: 1 to create, 1 to update, 2 unchanged, 1 blocked, 1 orphan.
"""


def test_plan_text_lists_every_change_but_plain_noops() -> None:
    assert render_plan_text(sample_plan(), color=False) == PLAN_TEXT


def test_plan_without_changes_says_so() -> None:
    plan = Plan(changes=[noop_change("a"), noop_change("b")])
    assert render_plan_text(plan, color=False) == (
        "No changes. Live connectors match the declarations.\n"
    )


@pytest.mark.parametrize(
    ("orphans", "expected"),
    [
        (0, "Plan: 1 to create, 2 to update, 9 unchanged, 0 blocked, 0 orphans."),
        (1, "Plan: 1 to create, 2 to update, 9 unchanged, 0 blocked, 1 orphan."),
        (2, "Plan: 1 to create, 2 to update, 9 unchanged, 0 blocked, 2 orphans."),
    ],
)
def test_summary_line_pluralises_orphans(orphans: int, expected: str) -> None:
    changes = [create_change(), update_change(), update_change()]
    changes += [noop_change(f"n{i}") for i in range(9)]
    plan = Plan(
        changes=changes,
        orphans=[Orphan(target="eu", key=f"o{i}") for i in range(orphans)],
    )
    assert render_plan_text(plan, color=False).splitlines()[-1] == expected


def test_orphans_alone_are_not_no_changes() -> None:
    text = render_plan_text(Plan(changes=[noop_change()], orphans=[ORPHAN]), color=False)
    assert text == (
        "? orphan old-connector (eu): no declaration names it; not deleted\n"
        "\n"
        "Plan: 0 to create, 0 to update, 1 unchanged, 0 blocked, 1 orphan.\n"
    )


def test_colour_only_when_asked() -> None:
    plain = render_plan_text(sample_plan(), color=False)
    coloured = render_plan_text(sample_plan(), color=True)
    assert "\x1b[" not in plain
    assert "\x1b[32m+ create\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == plain


def test_colour_is_independent_of_no_color_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" in render_plan_text(sample_plan(), color=True)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_use_color_needs_a_terminal_and_no_no_color() -> None:
    assert use_color(_Terminal(), {}) is True
    assert use_color(_Terminal(), {"NO_COLOR": "1"}) is False
    assert use_color(_Terminal(), {"NO_COLOR": ""}) is True
    assert use_color(io.StringIO(), {}) is False


def test_hostile_values_cannot_escape_their_line() -> None:
    change = Change(
        target="eu",
        key="evil\x1b[31m\nname\u202e",
        kind="update",
        fields=[FieldChange(path="description", before="a\nb", after="\x1b[2Jc")],
    )
    text = render_plan_text(Plan(changes=[change]), color=True)
    assert "\x1b[31m" not in text.replace('\x1b[31m"a', "")  # only our own red "before"
    assert "\x1b[2J" not in text
    assert "\u202e" not in text
    plain = render_plan_text(Plan(changes=[change]), color=False)
    assert plain.splitlines()[:2] == [
        "~ update  evil\\x1b[31m\\nname\\u202e  (eu)",
        '    description: "a\\nb" → "\\u001b[2Jc"',
    ]


def test_long_values_are_shortened() -> None:
    change = Change(
        target="eu",
        key="k",
        kind="update",
        fields=[FieldChange(path="description", before=None, after="x" * 200)],
    )
    line = render_plan_text(Plan(changes=[change]), color=False).splitlines()[1]
    assert line == '    description: (unset) → "' + "x" * 78 + "…"


APPLY_TEXT = """\
+ created  payment-connector  (eu, connectors/payment.yaml:1)
    preview succeeded
~ updated  tax-connector  (eu, connectors/tax.yaml:1)  2 actions
    preview failed: the preview failed
        - Error: connect.yaml not found: no connect.yaml at tag v1.4.0
! stale  audit-connector  (eu, connectors/audit.yaml:4)  stale plan: re-run plan: \
version 8 is not the planned 7
! failed  search-connector  (eu, connectors/search.yaml:2)  InvalidInput: \
Invalid repository url (correlation id projects-4f1c)

Apply: 1 created, 1 updated, 1 unchanged, 0 blocked, 1 stale, 1 failed. \
1 preview/publish failed.
"""


def test_apply_text() -> None:
    assert render_apply_text(sample_result(), color=False) == APPLY_TEXT


def test_apply_text_can_list_unchanged_connectors() -> None:
    text = render_apply_text(sample_result(), color=False, show_unchanged=True)
    assert "= unchanged  stock-connector  (eu)\n" in text


def test_apply_summary_line_has_a_fixed_shape() -> None:
    result = ApplyResult(
        outcomes=[Outcome(target="eu", key="a", kind="unchanged")]
        + [Outcome(target="eu", key=f"b{i}", kind="updated") for i in range(2)]
    )
    assert render_apply_text(result, color=False).splitlines()[-1] == (
        "Apply: 0 created, 2 updated, 1 unchanged, 0 blocked, 0 stale, 0 failed."
    )


def test_stale_outcome_always_says_to_re_plan() -> None:
    result = ApplyResult(outcomes=[Outcome(target="eu", key="a", kind="stale")])
    assert render_apply_text(result, color=False).splitlines()[0] == (
        "! stale  a  (eu)  stale plan: re-run plan"
    )


DRIFT_TEXT = """\
~ drifted  tax-connector  (eu, connectors/tax.yaml:1)
    repository.tag: declared: "v1.4.0", live: "v1.3.0"
    integrationTypes: declared: ["psp", "tax"], live: ["psp"]
    preview: repository changed
~ drifted  search-connector  (eu, connectors/search.yaml:1)
    publish: unpublished changes
+ missing  payment-connector  (eu, connectors/payment.yaml:1)  declared but not live
? orphan old-connector (eu): no declaration names it; not deleted

Drift: 2 connectors drifted, 1 missing, 1 orphan.
"""


def test_drift_text() -> None:
    assert render_drift_text(drift_plan()) == DRIFT_TEXT


def test_no_drift() -> None:
    plan = Plan(mode="drift", changes=[noop_change()])
    assert render_drift_text(plan) == "No drift.\n"


def test_drift_counts_one_connector_singular() -> None:
    plan = Plan(mode="drift", changes=[update_change(), blocked_change()])
    assert render_drift_text(plan).splitlines()[-1] == (
        "Drift: 1 connector drifted, 0 missing, 0 orphans."
    )


def test_a_keyless_orphan_is_named_by_its_id() -> None:
    orphan = Orphan(
        target="eu", key="", id="5ab3-id", reason="has no key, so no declaration can name it"
    )

    text = render_plan_text(Plan(orphans=[orphan]), color=False)

    assert "? orphan id=5ab3-id (eu): has no key, so no declaration can name it" in text
