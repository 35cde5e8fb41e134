"""The pull request comment's text: its marker, its footer, a failed plan's comment, and the
step outputs' counts."""

from __future__ import annotations

from connect_gitops.core.plan import Change, Orphan, Plan
from connect_gitops.core.problems import Problem
from connect_gitops.reporting.github import PR_COMMENT_LIMIT, commit_url, plan_counts, run_url
from connect_gitops.reporting.pull_request import (
    Provenance,
    comment_marker,
    comment_title,
    failure_comment,
    footer,
    plan_comment,
)
from tests.support.samples import drift_plan, sample_plan

SHA = "0123456789abcdef" * 2 + "01234567"


def test_one_marker_per_folder_and_target_selection() -> None:
    assert comment_marker() == "<!-- connect-gitops:plan -->"
    assert comment_marker((), ".") == "<!-- connect-gitops:plan -->"
    assert comment_marker(("us", "eu", "us")) == "<!-- connect-gitops:plan targets=eu,us -->"
    assert comment_marker(("eu",), "infra/connect") == (
        "<!-- connect-gitops:plan folder=infra/connect targets=eu -->"
    )


def test_no_name_can_end_the_marker_early() -> None:
    marker = comment_marker(("x-->--!><script>",), "a -->b")

    assert marker.count("-->") == 1
    assert marker.endswith(" -->")
    assert "<script>" not in marker
    assert marker == (
        "<!-- connect-gitops:plan folder=a%20--%3Eb targets=x--%3E--%21%3E%3Cscript%3E -->"
    )


def test_the_title_names_the_targets() -> None:
    assert comment_title() == "connect-gitops plan"
    assert comment_title(("us", "eu")) == "connect-gitops plan: eu, us"


def test_the_plan_is_rendered_to_fit_the_comment() -> None:
    asked: list[tuple[int, str]] = []

    def render(size: int, title: str) -> str:
        asked.append((size, title))
        return "x" * size

    body = plan_comment(render, Provenance(commit=SHA), marker="<!-- m -->", title="T")

    assert len(body) == PR_COMMENT_LIMIT
    assert asked[0][1] == "T"
    assert body.startswith("<!-- m -->\nxxx")
    assert body.endswith(
        "---\nPlanned at commit `0123456`. The run's summary has the whole plan. This comment is "
        "edited on every push.\n"
    )
    assert "truncated" not in body


RUN = "https://github.com/o/r/actions/runs/42"


def test_without_an_artifact_the_footer_names_none() -> None:
    # The CLI posts the comment before any later step could upload the plan: it names an
    # artifact only when the workflow says it uploads one.
    assert footer(Provenance(commit=SHA, run_url=RUN)) == (
        f"---\nPlanned at commit `0123456` in [this workflow run]({RUN}). The run's summary has "
        "the whole plan. This comment is edited on every push.\n"
    )


def test_the_footer_names_the_artifact_and_links_the_runs_artifacts() -> None:
    provenance = Provenance(commit=SHA, run_url=RUN, artifact="connect-gitops-plan-eu")

    assert footer(provenance) == (
        f"---\nPlanned at commit `0123456` in [this workflow run]({RUN}). The run's summary has "
        "the whole plan, and the plan in JSON is its artifact "
        f"[`connect-gitops-plan-eu`]({RUN}#artifacts). This comment is edited on every push.\n"
    )


def test_an_artifact_without_a_run_is_named_without_a_link() -> None:
    assert footer(Provenance(artifact="plan")) == (
        "---\nPlanned. The run's summary has the whole plan, and the plan in JSON is its "
        "artifact `plan`. This comment is edited on every push.\n"
    )


def test_an_artifact_name_cannot_break_out_of_its_code_span() -> None:
    said = footer(Provenance(artifact="a`](https://evil.example)\n# b" + "x" * 300))

    assert "\n# b" not in said
    assert "](https://evil.example)" in said  # shown as text inside the code span, not a link
    assert said.count("``") == 2  # the fence is longer than the backtick in the name
    assert "x" * 300 not in said


def test_a_failed_plan_names_no_artifact() -> None:
    body = failure_comment("boom", [], Provenance(run_url=RUN, artifact="connect-gitops-plan"))

    assert "artifact" not in body


def test_a_failure_lists_at_most_50_problems_and_counts_the_rest() -> None:
    problems = [Problem("connectors/a.yaml", n, 1, "key", "bad `key` | x") for n in range(1, 61)]

    body = failure_comment("", problems, Provenance(), folder="decl")

    assert body.count("\n- `") == 50
    assert "\n- ``decl/connectors/a.yaml:1:1: key: bad `key` \\| x``\n" in body
    assert "\n- … and 10 more problems, in the run's log\n" in body
    assert body.endswith("---\nFailed. This comment is edited on every push.\n")


def test_urls_only_from_what_github_gives() -> None:
    assert run_url("https://github.com", "o/r", "42") == "https://github.com/o/r/actions/runs/42"
    assert run_url("https://github.com", "o/r", "42/../1") is None
    assert run_url("https://github.com", "o/../r", "42") is None
    assert run_url("javascript:alert(1)", "o/r", "42") is None
    assert run_url("http://github.example.com", "o/r", "42") is None
    assert commit_url("https://github.com", "o/r", SHA.upper()) == (
        f"https://github.com/o/r/commit/{SHA}"
    )
    assert commit_url("https://github.com", "o/r", "main") is None


def test_counts_for_the_outputs() -> None:
    assert plan_counts(sample_plan()) == {
        "to-create": 1,
        "to-update": 1,
        "blocked": 1,
        "orphans": 1,
    }
    deployments = Plan(
        changes=[
            Change(target="eu", key="d1", resource="deployment", kind="redeploy"),
            Change(target="eu", key="d2", resource="deployment", kind="replace"),
            Change(target="eu", key="d3", resource="deployment", kind="create"),
        ],
        orphans=[Orphan(target="eu", key="", resource="deployment", id="x")],
    )
    assert plan_counts(deployments) == {
        "to-create": 1,
        "to-update": 2,
        "blocked": 0,
        "orphans": 1,
    }
    assert plan_counts(drift_plan()) == {
        "to-create": 1,
        "to-update": 2,
        "blocked": 1,
        "orphans": 1,
    }
