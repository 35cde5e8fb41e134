"""validate's step summary under hostile field names and file names: rendered as GitHub renders
Markdown (CommonMark with raw HTML, and tables), nothing but text and code comes out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from connect_gitops.core.problems import Problem
from connect_gitops.reporting.problems import problems_markdown
from tests.support.cli import cli

HOSTILE = "x`</details><img src=x onerror=alert(1)>[link](https://evil.example) @everyone"
LIVE_TAGS = re.compile(r"<(img|a|details|summary|script)\b|</details>", re.IGNORECASE)


def rendered(markdown: str) -> str:
    """The HTML GitHub would make of ``markdown`` (raw HTML passes through, as on GitHub before
    its sanitiser, which is exactly what must not be relied on)."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def code_texts(html: str) -> list[str]:
    return re.findall(r"<code>(.*?)</code>", html, flags=re.DOTALL)


@pytest.mark.parametrize(
    "problem",
    [
        Problem("connectors/pay.yaml", 2, 1, HOSTILE, "unknown field"),
        Problem(f"connectors/{HOSTILE}.yaml", 1, 1, "", "invalid"),
        Problem("connectors/pay.yaml", 3, 5, "name", f"invalid value {HOSTILE!r}"),
        Problem("connectors/pay.yaml", 3, 5, "a``b|c", "``` fence | pipe"),
    ],
    ids=["field", "file", "message", "backticks-and-pipes"],
)
def test_hostile_text_renders_as_text(problem: Problem) -> None:
    html = rendered(problems_markdown([problem]))

    assert not LIVE_TAGS.search(html), html
    assert html.count("<tr>") == 2  # the header and the one problem: no cell broke out


def test_a_hostile_field_name_is_one_code_span() -> None:
    html = rendered(problems_markdown([Problem("connectors/pay.yaml", 2, 1, HOSTILE, "unknown")]))

    assert code_texts(html) == [
        "connectors/pay.yaml:2:1",
        HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
    ]


def test_validate_writes_a_summary_where_nothing_renders_live(tmp_path: Path) -> None:
    folder = tmp_path / "declarations"
    (folder / "connectors").mkdir(parents=True)
    (folder / "connectors" / "pay.yaml").write_text(
        f'key: pay-connector\n"{HOSTILE}": 1\n', encoding="utf-8"
    )
    summary = tmp_path / "summary.md"

    result = cli(
        "validate",
        str(folder),
        GITHUB_ACTIONS="true",
        GITHUB_WORKSPACE=str(tmp_path),
        GITHUB_STEP_SUMMARY=str(summary),
    )

    assert result.returncode == 1
    html = rendered(summary.read_text(encoding="utf-8"))
    assert not LIVE_TAGS.search(html), html
    assert "<h2>connect-gitops validate</h2>" in html
    assert "connectors/pay.yaml:2:1" in code_texts(html)
