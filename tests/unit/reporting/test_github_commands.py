"""GitHub Actions workflow commands and files, checked against the runner's own rules."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from connect_gitops.core.outcomes import Outcome
from connect_gitops.core.problems import Problem
from connect_gitops.reporting.github import (
    annotations,
    escape_data,
    escape_property,
    mask,
    output_lines,
    pr_comment_body,
    step_summary,
)
from tests.support.samples import sample_result


def test_escape_data_and_property() -> None:
    assert escape_data("100%\r\nnext: a,b") == "100%25%0D%0Anext: a,b"
    assert escape_property("100%\r\nnext: a,b") == "100%25%0D%0Anext%3A a%2Cb"


def test_problem_annotation() -> None:
    problem = Problem("connectors/a.yaml", 3, 5, "creator.email", "not an email, see: docs")
    assert annotations([problem]) == [
        "::error file=connectors/a.yaml,line=3,col=5,title=connect-gitops%3A creator.email"
        "::creator.email: not an email, see: docs"
    ]


def test_warning_problem_without_path() -> None:
    problem = Problem("a.yaml", 1, 1, "", "100% odd\nsecond line", severity="warning")
    assert annotations([problem]) == [
        "::warning file=a.yaml,line=1,col=1,title=connect-gitops::100%25 odd%0Asecond line"
    ]


def test_failed_connectors_are_annotated_and_successes_skipped() -> None:
    lines = annotations(sample_result().outcomes)
    assert lines == [
        "::error file=connectors/tax.yaml,line=1,title=connect-gitops%3A tax-connector updated"
        "::tax-connector (eu) updated; preview failed: the preview failed: "
        "Error: connect.yaml not found: no connect.yaml at tag v1.4.0",
        "::error file=connectors/audit.yaml,line=4,title=connect-gitops%3A audit-connector stale"
        "::audit-connector (eu) stale; version 8 is not the planned 7",
        "::error file=connectors/search.yaml,line=2,title=connect-gitops%3A search-connector "
        "failed::search-connector (eu) failed; InvalidInput: Invalid repository url; "
        "correlation id projects-4f1c",
    ]


def test_an_outcome_without_a_file_has_no_file_property() -> None:
    outcome = Outcome(target="eu", key="k", kind="failed", message="boom")
    assert annotations([outcome]) == [
        "::error title=connect-gitops%3A k failed::k (eu) failed; boom"
    ]


def test_paths_relative_to_the_workspace(tmp_path: Path) -> None:
    problem = Problem(str(tmp_path / "decl" / "a.yaml"), 2, 1, "name", "required")
    elsewhere = Problem("/elsewhere/b.yaml", 2, 1, "name", "required")
    lines = annotations([problem, elsewhere], workspace_relative=tmp_path)
    assert lines[0].startswith("::error file=decl/a.yaml,line=2,")
    assert lines[1].startswith("::error file=/elsewhere/b.yaml,line=2,")
    lines = annotations([problem], workspace_relative=str(tmp_path))
    assert lines[0].startswith("::error file=decl/a.yaml,")
    lines = annotations([problem], workspace_relative=lambda path: "x/" + Path(path).name)
    assert lines[0].startswith("::error file=x/a.yaml,")


def test_at_most_ten_annotations_then_a_pointer() -> None:
    problems = [Problem("a.yaml", line, 1, "name", "required") for line in range(1, 16)]
    lines = annotations(problems)
    assert len(lines) == 11
    assert all(line.startswith("::error file=a.yaml") for line in lines[:10])
    assert lines[9].startswith("::error file=a.yaml,line=10,")
    assert lines[10] == "::warning::5 more problems not annotated; see the step summary"
    assert len(annotations(problems[:10])) == 10
    assert annotations(problems[:11], limit=10)[-1] == (
        "::warning::1 more problem not annotated; see the step summary"
    )


def test_mask() -> None:
    assert mask("s3cr%t") == "::add-mask::s3cr%25t"


def _parse_output_file(content: str) -> dict[str, str]:
    """Read $GITHUB_OUTPUT the way the runner does (heredoc and name=value forms)."""
    outputs: dict[str, str] = {}
    lines = iter(content.split("\n"))
    for line in lines:
        if not line:
            continue
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            value = list(itertools.takewhile(lambda x, d=delimiter: x != d, lines))
            outputs[name] = "\n".join(value)
        else:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def test_output_lines_round_trip_multiline_values() -> None:
    plan_json = '{\n  "formatVersion": 1,\n  "x": "a=b<<c"\n}\n'
    outputs = {"has-changes": "true", "exit-code": "2", "plan-json": plan_json, "empty": ""}
    text = output_lines(outputs)
    assert text.endswith("\n")
    assert _parse_output_file(text) == outputs
    assert re.match(r"has-changes<<ghadelimiter_[0-9a-f]{32}\ntrue\nghadelimiter_", text)


def test_output_delimiter_never_occurs_in_the_value() -> None:
    candidates = iter(["EOF", "EOF", "OTHER"])
    text = output_lines({"plan": "line\nEOF\nforged=1"}, new_delimiter=lambda: next(candidates))
    assert text == "plan<<OTHER\nline\nEOF\nforged=1\nOTHER\n"
    assert _parse_output_file(text) == {"plan": "line\nEOF\nforged=1"}


@pytest.mark.parametrize("name", ["", "a\nb", "a<<b", "a=b"])
def test_output_names_that_would_corrupt_the_file_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="invalid output name"):
        output_lines({name: "x"})


def test_step_summary_under_the_limit_is_unchanged() -> None:
    assert step_summary("# ok\n") == "# ok\n"


def test_step_summary_is_cut_under_the_byte_limit_with_a_note() -> None:
    row = "| `é-connector` | ünïcödé |\n"
    markdown = "<details><summary>x</summary>\n\n" + row * 100_000
    summary = step_summary(markdown)
    assert len(summary.encode("utf-8")) <= 1_000_000
    assert len(summary.encode("utf-8")) > 990_000
    assert summary.rstrip().endswith("The complete plan is in the JSON plan (`--format json`).")
    assert "</details>" in summary  # the cut block is closed
    assert "\n| `é-connector` | ünïcödé |\n\n</details>" in summary  # cut at a line end


def test_step_summary_custom_limit() -> None:
    summary = step_summary("x" * 5000, limit=1000)
    assert len(summary.encode("utf-8")) <= 1000
    assert "truncated" in summary


def test_pr_comment_starts_with_the_marker() -> None:
    assert pr_comment_body("### plan\n") == "<!-- connect-gitops:plan -->\n### plan\n"
    assert pr_comment_body("x", marker="<!-- m -->") == "<!-- m -->\nx"


def test_pr_comment_is_cut_with_a_pointer_to_the_step_summary() -> None:
    body = pr_comment_body("| row |\n" * 20_000)
    assert len(body) <= 65_000
    assert body.startswith("<!-- connect-gitops:plan -->\n| row |\n")
    assert body.endswith("The complete plan is in the step summary of the workflow run.\n")
