"""``connect-gitops validate``: the configuration and every declaration, all problems at once."""

from __future__ import annotations

import os
from pathlib import Path

import click

from connect_gitops.cli.group import EXIT_FAILURE, EXIT_OK, main
from connect_gitops.cli.options import directory_argument, verbose_option


@main.command()
@directory_argument
@click.option(
    "--remote",
    is_flag=True,
    help="Also check each repository tag and its connect.yaml with git.",
)
@verbose_option
@click.pass_context
def validate(ctx: click.Context, directory: Path, remote: bool, verbose: bool) -> None:
    """Check connect-gitops.yaml and every connector declaration in DIR."""
    from connect_gitops.reporting.problems import (
        problems_markdown,
        render_problems,
        render_summary,
    )
    from connect_gitops.source.loader import validate_folder

    report = validate_folder(directory, os.environ)
    if remote and report.ok:
        from connect_gitops.git.remote import remote_problems

        report = report.adding(remote_problems(report.declarations))
    for line in render_problems(report.problems, str(directory)):
        click.echo(line, err=True)
    for line in render_summary(report, verbose=verbose):
        click.echo(line, err=True)
    code = EXIT_OK if report.ok else EXIT_FAILURE
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from connect_gitops.github.actions import ActionsEnvironment

        actions = ActionsEnvironment.from_environ(os.environ)
        actions.annotate(report.problems, folder=directory)
        if report.problems:
            actions.append_summary(problems_markdown(report.problems))
        actions.set_outputs({"exit-code": code})
    ctx.exit(code)
