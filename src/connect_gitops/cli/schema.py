"""``connect-gitops schema``: the JSON Schema of a declaration file, for editors."""

from __future__ import annotations

import click

from connect_gitops.cli.group import main


@main.command()
def schema() -> None:
    """Print the JSON Schema of a declaration: a connector, or a deployment (kind: Deployment).

    \f
    One schema for both, chosen by ``kind``, so a file holding both kinds of documents checks
    with the one ``# yaml-language-server: $schema=...`` line users already have.
    """
    import json

    from connect_gitops.core.declaration_schema import declarations_json_schema

    click.echo(json.dumps(declarations_json_schema(), indent=2, ensure_ascii=False))
