"""A run's documents for machines (JSON, Markdown), rendered on first use, at most once.

Most runs print text only: the JSON and Markdown renderers, and their imports, are paid for
only when ``--format``, ``--out``, a pull request comment or GitHub Actions asks for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from connect_gitops.core.outcomes import ApplyResult
    from connect_gitops.core.plan import Plan


class Markdown(Protocol):
    """Renders the Markdown report within ``max_chars`` characters (None: the renderer's
    default); the step summary and the pull request comment each ask for their own size, and
    the comment for its own title."""

    def __call__(self, max_chars: int | None = None, title: str | None = None) -> str: ...


@dataclass(frozen=True, slots=True)
class Documents:
    """The report as JSON and as Markdown, each a call that renders it."""

    json: Callable[[], str]
    markdown: Markdown


def plan_documents(plan: Plan) -> Documents:
    @cache
    def markdown(max_chars: int | None = None, title: str | None = None) -> str:
        from connect_gitops.reporting import markdown as md

        return md.render_plan_markdown(
            plan, title=title, max_chars=md.MAX_CHARS if max_chars is None else max_chars
        )

    return Documents(json=cache(lambda: _plan_json(plan)), markdown=markdown)


def drift_documents(plan: Plan) -> Documents:
    @cache
    def markdown(max_chars: int | None = None, title: str | None = None) -> str:
        from connect_gitops.reporting import markdown as md

        return md.render_drift_markdown(
            plan, title=title, max_chars=md.MAX_CHARS if max_chars is None else max_chars
        )

    return Documents(json=cache(lambda: _plan_json(plan)), markdown=markdown)


def apply_documents(result: ApplyResult) -> Documents:
    @cache
    def json() -> str:
        from connect_gitops.reporting.json import render_apply_json

        return render_apply_json(result)

    @cache
    def markdown(max_chars: int | None = None, title: str | None = None) -> str:
        from connect_gitops.reporting import markdown as md

        return md.render_apply_markdown(
            result, title=title, max_chars=md.MAX_CHARS if max_chars is None else max_chars
        )

    return Documents(json=json, markdown=markdown)


def _plan_json(plan: Plan) -> str:
    from connect_gitops.reporting.json import render_plan_json

    return render_plan_json(plan)
