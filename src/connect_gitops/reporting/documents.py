"""A run's documents for machines (JSON, Markdown), rendered on first use, at most once.

Most runs print text only: the JSON and Markdown renderers, and their imports, are paid for
only when ``--format``, ``--out``, a pull request comment or GitHub Actions asks for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connect_gitops.core.outcomes import ApplyResult
    from connect_gitops.core.plan import Plan


@dataclass(frozen=True, slots=True)
class Documents:
    """The report as JSON and as Markdown, each a call that renders it."""

    json: Callable[[], str]
    markdown: Callable[[], str]


def plan_documents(plan: Plan) -> Documents:
    @cache
    def markdown() -> str:
        from connect_gitops.reporting.markdown import render_plan_markdown

        return render_plan_markdown(plan)

    return Documents(json=cache(lambda: _plan_json(plan)), markdown=markdown)


def drift_documents(plan: Plan) -> Documents:
    @cache
    def markdown() -> str:
        from connect_gitops.reporting.markdown import render_drift_markdown

        return render_drift_markdown(plan)

    return Documents(json=cache(lambda: _plan_json(plan)), markdown=markdown)


def apply_documents(result: ApplyResult) -> Documents:
    @cache
    def json() -> str:
        from connect_gitops.reporting.json import render_apply_json

        return render_apply_json(result)

    @cache
    def markdown() -> str:
        from connect_gitops.reporting.markdown import render_apply_markdown

        return render_apply_markdown(result)

    return Documents(json=json, markdown=markdown)


def _plan_json(plan: Plan) -> str:
    from connect_gitops.reporting.json import render_plan_json

    return render_plan_json(plan)
