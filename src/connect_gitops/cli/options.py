"""Arguments and options that several commands share, spelled and explained once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


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


def target_option(function: F) -> F:
    """``--target T`` (repeatable): only these targets; default every configured target."""
    return click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="T",
        help="Only this target (repeatable). Default: every configured target.",
    )(function)


def changed_since_option(function: F) -> F:
    """``--changed-since REV``: only the declaration files changed since REV (or ``auto``)."""
    return click.option(
        "--changed-since",
        metavar="REV",
        default=None,
        help="Only declarations changed between REV and HEAD; 'auto' reads the GitHub event.",
    )(function)


def format_options(function: F) -> F:
    """``--format`` and ``--out``."""
    function = click.option(
        "--out",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write the report to this file instead of stdout.",
    )(function)
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json", "markdown"]),
        default=None,
        help="Report format [default: text; with --out, from its extension: .json, .md].",
    )(function)


def lifecycle_options(function: F) -> F:
    """``--preview/--no-preview``, ``--publish/--no-publish``, ``--certification``."""
    function = click.option(
        "--certification",
        is_flag=True,
        default=None,
        help="Publish with certification (overrides reconcile.certification).",
    )(function)
    function = click.option(
        "--publish/--no-publish",
        default=None,
        help="Publish connectors with unpublished changes (overrides reconcile.publish).",
    )(function)
    return click.option(
        "--preview/--no-preview",
        default=None,
        help="Request a preview after repository changes (overrides reconcile.preview).",
    )(function)


def redeploy_option(function: F) -> F:
    """``--redeploy KEY`` (repeatable): redeploy this deployment even when nothing differs."""
    return click.option(
        "--redeploy",
        "redeploy",
        multiple=True,
        metavar="KEY",
        help="Redeploy this declared deployment even if nothing differs, e.g. to rotate its "
        "secured values (repeatable).",
    )(function)
