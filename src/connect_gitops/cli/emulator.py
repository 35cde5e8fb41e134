"""``connect-gitops emulator``: the Connect API emulator as a server on loopback."""

from __future__ import annotations

from pathlib import Path

import click

from connect_gitops.cli.group import main


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=8321, show_default=True)
@click.option(
    "--state",
    "state_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Keep the emulator's state in this JSON file (loaded at start, saved on change).",
)
def emulator(host: str, port: int, state_file: Path | None) -> None:
    """Serve the Connect API emulator on loopback (Ctrl-C stops it)."""
    from connect_gitops.emulator.server import serve

    def ready(url: str) -> None:
        click.echo(
            f"Connect API emulator listening on {url} (token endpoint {url}/oauth/token)", err=True
        )
        click.echo("Press Ctrl-C to stop.", err=True)

    try:
        serve(host=host, port=port, state_file=state_file, on_ready=ready)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
