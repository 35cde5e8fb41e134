"""The ``connect-gitops`` command group and its exit codes.

Each command lives in its own module of this package and registers itself on :func:`main`.
"""

from __future__ import annotations

from typing import Any, NoReturn

import click

from connect_gitops import __version__

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CHANGES = 2
"""``plan --detailed-exitcode``: there are changes; ``drift``: the live connectors drifted."""


class _Commands(click.Group):
    """The command group, with usage errors mapped to exit code 1.

    click exits 2 on a usage error, but 2 means "there are changes" (``plan
    --detailed-exitcode``) or "drift" here: a mistyped flag in CI must never read as either.
    """

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)
        except click.exceptions.Exit as done:
            raise SystemExit(done.exit_code) from None
        except click.Abort:
            click.echo("Aborted.", err=True)
            raise SystemExit(EXIT_FAILURE) from None
        except click.ClickException as error:
            error.show()
            raise SystemExit(EXIT_FAILURE) from None
        raise SystemExit(code if isinstance(code, int) else EXIT_OK)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="connect-gitops")
def main() -> None:
    """GitOps for commercetools Connect: connector declarations in git, reconciled with the API."""
