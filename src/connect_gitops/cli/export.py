"""``connect-gitops export``: write declarations for live connectors (adopt them)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from connect_gitops.cli.group import EXIT_FAILURE, EXIT_OK, main
from connect_gitops.cli.options import verbose_option
from connect_gitops.cli.running import channels_for, client_options, run_async, run_command


@main.command()
@click.option(
    "--target",
    default=None,
    metavar="T",
    help="Target to read. Default: the default target of connect-gitops.yaml.",
)
@click.option(
    "--key",
    "keys",
    multiple=True,
    metavar="K",
    help="Only this connector (repeatable). Default: every live connector of the target.",
)
@click.option(
    "--out-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for new declaration files; existing declarations are updated where they are.",
)
@click.option("--dry-run", is_flag=True, help="Print the files as diffs; write nothing.")
@verbose_option
@click.pass_context
def export(
    ctx: click.Context,
    target: str | None,
    keys: tuple[str, ...],
    out_dir: Path,
    dry_run: bool,
    verbose: bool,
) -> None:
    """Write declarations for live connectors (adopt them); update existing ones in place."""
    channels = channels_for("text", None, verbose)

    def work() -> int:
        from connect_gitops.adopt.export import ExportError, ExportRequest, export_run
        from connect_gitops.reporting.export import render_dry_run, render_export

        request = ExportRequest(out_dir=out_dir, target=target, keys=keys, dry_run=dry_run)
        options = client_options(channels, read_only=True)
        try:
            result = run_async(lambda: export_run(request, os.environ, options))
        except ExportError as error:
            channels.say(f"error: {error}")
            return EXIT_FAILURE
        if dry_run:
            channels.stdout.write(render_dry_run(result))
            channels.stdout.flush()
        channels.say(render_export(result))
        return EXIT_OK if result.ok else EXIT_FAILURE

    ctx.exit(run_command(channels, work))
