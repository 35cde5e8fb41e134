"""What every reconciling command needs around its one call: its output channels, how clients
are made (the embedded emulator is wired here, and only here), the event loop, and the failures
users can act on, turned into messages and exit code 1."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

import click

from connect_gitops.cli.group import EXIT_FAILURE

if TYPE_CHECKING:
    import httpx

    from connect_gitops.apply.connections import ClientOptions
    from connect_gitops.apply.runs import PlanRun
    from connect_gitops.apply.scope import Selection
    from connect_gitops.cli.channels import Channels
    from connect_gitops.core.planner import LifecycleOverrides
    from connect_gitops.core.problems import Problem

T = TypeVar("T")


def channels_for(output_format: str | None, out: Path | None, verbose: bool) -> Channels:
    """Where this run's report, notices and GitHub Actions output go."""
    from connect_gitops.cli.channels import Channels, format_for
    from connect_gitops.github.actions import ActionsEnvironment

    return Channels(
        format=format_for(output_format, out),
        out=out,
        verbose=verbose,
        actions=ActionsEnvironment.from_environ(os.environ),
    )


_ISSUED_TOKENS: list[str] = []
"""Access tokens issued in this process, so that an internal error's text can be redacted."""


def _remembering(mask: Callable[[str], None]) -> Callable[[str], None]:
    """``mask`` (tell the Actions runner to hide the token), remembering the token as well."""

    def on_token(token: str) -> None:
        _ISSUED_TOKENS.append(token)
        mask(token)

    return on_token


def client_options(channels: Channels, *, read_only: bool) -> ClientOptions:
    """How this run's clients are made: scope, request log, token masking, embedded emulator."""
    from connect_gitops.apply.connections import ClientOptions

    return ClientOptions(
        read_only=read_only,
        request_log=channels.request_log if channels.verbose else None,
        on_token=_remembering(channels.actions.mask),
        embedded=_embedded_transport,
    )


def _embedded_transport(state_file: Path) -> httpx.AsyncBaseTransport:
    """The embedded emulator target: the emulator app in-process, state kept in a file."""
    import httpx

    from connect_gitops.emulator.app import create_app
    from connect_gitops.emulator.store import StateFileError
    from connect_gitops.source.config import ConfigError

    try:
        return httpx.ASGITransport(app=create_app(state_file))
    except StateFileError as error:
        raise ConfigError(f"embedded emulator: {error}") from None


def selection(
    directory: Path, targets: tuple[str, ...], changed_since: str | None, channels: Channels
) -> Selection:
    """The declarations and targets a run looks at; ``--changed-since auto`` resolved."""
    from connect_gitops.apply.scope import Selection

    rev = changed_since
    if changed_since == "auto":
        from connect_gitops.git.changes import resolve_auto_rev

        rev = resolve_auto_rev(os.environ)
        if rev is None:
            channels.say("--changed-since auto: no previous revision in this event; whole folder")
    return Selection(folder=directory, targets=targets, changed_since=rev)


def run_async(work: Callable[[], Awaitable[T]]) -> T:
    """``anyio.run(work)``, without making the result the result of asyncio's main task.

    Leaving, Python 3.11's asyncio runner builds the repr of its main task, and with it the full
    repr of the task's result: for a plan of 1,000 connectors, about 0.1 s spent on a string
    that is thrown away.
    """
    import anyio

    box: list[T] = []

    async def main() -> None:
        box.append(await work())

    anyio.run(main)
    return box[0]


def planned(
    channels: Channels,
    directory: Path,
    targets: tuple[str, ...],
    changed_since: str | None,
    *,
    overrides: LifecycleOverrides | None = None,
    mode: Literal["plan", "drift"] = "plan",
    redeploy: Sequence[str] = (),
) -> PlanRun:
    """Load, read live with a read-only token, and plan; notices go to the user first."""
    from connect_gitops.apply.runs import NO_OVERRIDES, plan_run

    chosen = selection(directory, targets, changed_since, channels)
    run = run_async(
        lambda: plan_run(
            chosen,
            os.environ,
            client_options(channels, read_only=True),
            overrides=overrides or NO_OVERRIDES,
            mode=mode,
            redeploy=redeploy,
        )
    )
    for notice in run.scope.notices:
        channels.say(notice)
    return run


def overrides(
    preview: bool | None, publish: bool | None, certification: bool | None
) -> LifecycleOverrides:
    """The lifecycle flags; None keeps each declaration's own reconcile policy."""
    from connect_gitops.core.planner import LifecycleOverrides

    return LifecycleOverrides(preview=preview, publish=publish, certification=certification)


def run_command(
    channels: Channels,
    work: Callable[[], int],
    folder: Path | None = None,
    *,
    on_failure: Callable[[str, Sequence[Problem]], object] | None = None,
) -> int:
    """Run a command body, turning the failures users can act on into messages and exit 1.

    ``on_failure`` hears the same: the message (empty when the problems say it all) and the
    problems in the user's files (``plan --pr-comment`` puts them in the comment).
    """
    from connect_gitops.apply.runs import UnknownRedeployKeys
    from connect_gitops.client.errors import ConnectError
    from connect_gitops.git.errors import GitError
    from connect_gitops.source.config import ConfigError
    from connect_gitops.source.loader import InvalidDeclarations

    message = ""
    problems: Sequence[Problem] = ()
    try:
        return work()
    except UnknownRedeployKeys as error:
        message = f"error: {error}"
        channels.say(message)
    except InvalidDeclarations as error:
        problems = error.problems
        show_problems(channels, problems, folder)
        channels.say("Nothing was sent to any API: fix the problems above and run again.")
    except ConfigError as error:
        message, problems = f"error: {error}", error.problems
        channels.say(message)
        show_problems(channels, problems, folder)
    except (ConnectError, GitError) as error:
        message = f"error: {error}"
        channels.say(message)
    except OSError as error:
        message = f"error: {error.strerror or error}: {error.filename or ''}".rstrip(": ")
        channels.say(message)
    except click.ClickException:
        raise
    except Exception as error:  # a bug: one line (the traceback with --verbose), no secret
        from connect_gitops.core.redaction import Secrets
        from connect_gitops.reporting.errors import describe_internal_error

        secrets = Secrets.from_environ(os.environ)
        for token in _ISSUED_TOKENS:
            secrets.remember(token)
        channels.say(describe_internal_error(error, secrets, verbose=channels.verbose))
        message = describe_internal_error(error, secrets, verbose=False)
    channels.actions.set_outputs({"exit-code": EXIT_FAILURE})
    if on_failure is not None:
        on_failure(message, problems)
    return EXIT_FAILURE


def show_problems(channels: Channels, problems: Sequence[Problem], folder: Path | None) -> None:
    """Problems in the user's files: a line each, and annotations in GitHub Actions."""
    from connect_gitops.reporting.problems import render_problems

    for line in render_problems(problems, str(folder or ".")):
        channels.say(line)
    channels.actions.annotate(problems, folder=folder)
