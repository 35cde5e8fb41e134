"""The ``connect-gitops`` command line: parse arguments, call one function, render, exit.

Heavy imports (the HTTP client, the emulator, rich) happen inside the commands that need them,
so ``validate`` and ``schema`` start fast and never load them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from connect_gitops import __version__

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_FAILURE = 1


def directory_argument(function: F) -> F:
    """``[DIR]``: the declarations folder (holding connect-gitops.yaml), default '.'."""
    decorator = click.argument(
        "directory",
        default=".",
        required=False,
        type=click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path),
    )
    return decorator(function)


def verbose_option(function: F) -> F:
    """``--verbose``: more detail on stderr (never a secret)."""
    return click.option("--verbose", is_flag=True, help="Show more detail.")(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="connect-gitops")
def main() -> None:
    """GitOps for commercetools Connect: connector declarations in git, reconciled with the API."""


@main.command()
@directory_argument
@verbose_option
@click.pass_context
def validate(ctx: click.Context, directory: Path, verbose: bool) -> None:
    """Check connect-gitops.yaml and every connector declaration in DIR."""
    from connect_gitops.validation import render_problems, render_summary, validate_folder

    report = validate_folder(directory, os.environ)
    for line in render_problems(report.problems, str(directory)):
        click.echo(line, err=True)
    for line in render_summary(report, verbose=verbose):
        click.echo(line, err=True)
    ctx.exit(EXIT_OK if report.ok else EXIT_FAILURE)


@main.command()
def schema() -> None:
    """Print the JSON Schema of a connector declaration (for yaml-language-server)."""
    import json

    from connect_gitops.core.declarations import declaration_json_schema

    click.echo(json.dumps(declaration_json_schema(), indent=2, ensure_ascii=False))
