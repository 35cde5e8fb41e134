"""``connect-gitops plan``: what apply would do, as a dry run (nothing is written)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from connect_gitops.cli.group import EXIT_CHANGES, EXIT_OK, main
from connect_gitops.cli.options import (
    changed_since_option,
    directory_argument,
    format_options,
    lifecycle_options,
    redeploy_option,
    target_option,
    verbose_option,
)
from connect_gitops.cli.running import channels_for, overrides, planned, run_command

if TYPE_CHECKING:
    from connect_gitops.cli.channels import Channels
    from connect_gitops.github.comment import PlanComment


@main.command()
@directory_argument
@target_option
@changed_since_option
@format_options
@lifecycle_options
@redeploy_option
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes (0 none, 1 error).",
)
@click.option(
    "--pr-comment",
    is_flag=True,
    help="Post the plan as one sticky comment on the pull request (GitHub Actions).",
)
@verbose_option
@click.pass_context
def plan(
    ctx: click.Context,
    directory: Path,
    targets: tuple[str, ...],
    changed_since: str | None,
    output_format: str | None,
    out: Path | None,
    preview: bool | None,
    publish: bool | None,
    certification: bool | None,
    redeploy: tuple[str, ...],
    detailed_exitcode: bool,
    pr_comment: bool,
    verbose: bool,
) -> None:
    """Show what apply would do (a dry run: nothing is written)."""
    channels = channels_for(output_format, out, verbose)
    comment = _plan_comment(channels, directory, targets) if pr_comment else None

    def work() -> int:
        from connect_gitops.reporting.documents import plan_documents
        from connect_gitops.reporting.text import render_plan_text

        lifecycle = overrides(preview, publish, certification)
        run = planned(
            channels, directory, targets, changed_since, overrides=lifecycle, redeploy=redeploy
        )
        documents = plan_documents(run.plan)
        channels.report(text=render_plan_text(run.plan, color=channels.color), documents=documents)
        code = EXIT_CHANGES if detailed_exitcode and run.plan.has_changes else EXIT_OK
        channels.to_runner(
            documents=documents,
            plan=run.plan,
            outputs={"has-changes": run.plan.has_changes, "exit-code": code},
        )
        if comment is not None:
            comment.post_plan(lambda size, title: documents.markdown(size, title))
        return code

    failed = comment.post_failure if comment is not None else None
    ctx.exit(run_command(channels, work, directory, on_failure=failed))


def _plan_comment(channels: Channels, directory: Path, targets: tuple[str, ...]) -> PlanComment:
    """The pull request comment of this folder and target selection."""
    from connect_gitops.github.comment import PlanComment

    return PlanComment(
        channels.actions,
        say=channels.say,
        folder=channels.actions.workspace_relative(str(directory)),
        targets=targets,
    )
