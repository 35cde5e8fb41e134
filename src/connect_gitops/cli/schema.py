"""``connect-gitops schema``: the JSON Schema of a declaration, for editors."""

from __future__ import annotations

import click

from connect_gitops.cli.group import main


@main.command()
def schema() -> None:
    """Print the JSON Schema of a connector declaration (for yaml-language-server)."""
    import json

    from connect_gitops.core.declarations import declaration_json_schema

    click.echo(json.dumps(declaration_json_schema(), indent=2, ensure_ascii=False))
