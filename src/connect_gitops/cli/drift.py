"""``connect-gitops drift``: do the live connectors still match the declarations?"""

from __future__ import annotations

from pathlib import Path

import click

from connect_gitops.cli.group import EXIT_CHANGES, EXIT_OK, main
from connect_gitops.cli.options import (
    changed_since_option,
    directory_argument,
    format_options,
    target_option,
    verbose_option,
)
from connect_gitops.cli.running import channels_for, planned, run_command


@main.command()
@directory_argument
@target_option
@changed_since_option
@format_options
@verbose_option
@click.pass_context
def drift(
    ctx: click.Context,
    directory: Path,
    targets: tuple[str, ...],
    changed_since: str | None,
    output_format: str | None,
    out: Path | None,
    verbose: bool,
) -> None:
    """Compare live connectors with the declarations; exit 2 when they drifted."""
    channels = channels_for(output_format, out, verbose)

    def work() -> int:
        from connect_gitops.reporting.documents import drift_documents
        from connect_gitops.reporting.summary import drifted, missing
        from connect_gitops.reporting.text import render_drift_text

        run = planned(channels, directory, targets, changed_since, mode="drift")
        documents = drift_documents(run.plan)
        channels.report(text=render_drift_text(run.plan, color=channels.color), documents=documents)
        found = bool(drifted(run.plan) or missing(run.plan) or run.plan.orphans)
        code = EXIT_CHANGES if found else EXIT_OK
        channels.to_runner(
            documents=documents,
            plan=run.plan,
            outputs={
                "drift-detected": found,
                "has-changes": run.plan.has_changes,
                "exit-code": code,
            },
        )
        return code

    ctx.exit(run_command(channels, work, directory))
