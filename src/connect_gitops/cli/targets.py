"""``connect-gitops targets``: the configured targets, for people and for a workflow matrix."""

from __future__ import annotations

import os
from pathlib import Path

import click

from connect_gitops.cli.group import EXIT_FAILURE, EXIT_OK, main
from connect_gitops.cli.options import directory_argument


@main.command()
@directory_argument
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json prints a list for a workflow's strategy.matrix.",
)
@click.pass_context
def targets(ctx: click.Context, directory: Path, output_format: str) -> None:
    """List the configured targets."""
    import json

    from connect_gitops.source.config import ConfigError, EmulatorTarget, load_config

    try:
        config = load_config(directory, os.environ)
    except ConfigError as error:
        click.echo(f"error: {error}", err=True)
        for problem in error.problems:
            click.echo(str(problem), err=True)
        ctx.exit(EXIT_FAILURE)
    if output_format == "json":
        click.echo(json.dumps(list(config.target_names)))
        ctx.exit(EXIT_OK)
    for name in config.target_names:
        target = config.targets.get(name)
        default = " (default)" if name == config.default_target else ""
        if target is None:
            detail = f"unavailable: {config.unavailable.get(name, '')}"
        elif isinstance(target, EmulatorTarget):
            detail = (
                f"embedded emulator, project {target.project_key}, state in {target.state_file}"
            )
        else:
            detail = f"{target.region} project {target.project_key} at {target.api_url}"
        click.echo(f"{name}{default}: {detail}")
    ctx.exit(EXIT_OK)
