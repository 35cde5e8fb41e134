"""The ``connect-gitops`` command line: parse arguments, call one function, render, exit.

Heavy imports (the HTTP client, the emulator, rich) happen inside the commands that need them,
so ``validate`` and ``schema`` start fast and never load them.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeVar

import click

from connect_gitops import __version__

if TYPE_CHECKING:
    import httpx

    from connect_gitops.apply.connections import ClientOptions
    from connect_gitops.apply.runs import PlanRun, Selection
    from connect_gitops.channels import Channels
    from connect_gitops.core.plan import Plan
    from connect_gitops.core.planning import LifecycleOverrides
    from connect_gitops.core.problems import Problem

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_CHANGES = 2


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


_START_UP_THRESHOLD = 200_000
"""Allocations between collections while the modules load (Python's default is 700)."""
_held_back: tuple[int, int, int] | None = None
"""The collector's thresholds while :func:`run` holds it back, to restore after the imports."""


def run() -> NoReturn:
    """The ``connect-gitops`` script and ``python -m connect_gitops``: :func:`main`, tuned for
    a short process.

    A run imports pydantic, the models and the HTTP client first: collecting garbage meanwhile
    walks, again and again, objects that live until the end (about a tenth of a plan's time).
    So the collector is held back until the imports are done (:func:`_imports_done`), which
    freezes what they made. Where no command says its imports are done, collections are only
    rarer, not off. At the end the process leaves at once (:func:`_leave`).
    """
    global _held_back
    _held_back = gc.get_threshold()
    gc.set_threshold(_START_UP_THRESHOLD, *_held_back[1:])
    try:
        main(prog_name="connect-gitops")
    except SystemExit as done:
        _leave(done.code)
    raise AssertionError("main() always exits")  # pragma: no cover


def _leave(code: object) -> NoReturn:
    """Exit with ``code`` (as ``SystemExit`` would) without the interpreter's clean-up.

    By now every report is written and every file is closed; the clean-up would only free,
    object by object, memory that the OS takes back at once (some 30 ms after a plan of 1,000
    connectors). The standard streams and logging are flushed first.
    """
    if code is None:
        status = EXIT_OK
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = EXIT_FAILURE
    if "logging" in sys.modules:
        import logging

        logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that went away, e.g. `| head`
            stream.flush()
    os._exit(status)


def _imports_done() -> None:
    """After the heavy imports: keep what they made out of every later collection, and collect
    as usual from now on (nothing happens when :func:`run` did not hold the collector back)."""
    global _held_back
    if _held_back is not None:
        gc.freeze()
        gc.set_threshold(*_held_back)
        _held_back = None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="connect-gitops")
def main() -> None:
    """GitOps for commercetools Connect: connector declarations in git, reconciled with the API."""


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

    _imports_done()
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


@main.command()
def schema() -> None:
    """Print the JSON Schema of a connector declaration (for yaml-language-server)."""
    import json

    from connect_gitops.core.declarations import declaration_json_schema

    click.echo(json.dumps(declaration_json_schema(), indent=2, ensure_ascii=False))


# -- options shared by the reconciling commands ------------------------------------------------


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


def _channels(output_format: str | None, out: Path | None, verbose: bool) -> Channels:
    from connect_gitops.channels import Channels, format_for
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


def _client_options(channels: Channels, *, read_only: bool) -> ClientOptions:
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


def _selection(
    directory: Path,
    targets: tuple[str, ...],
    changed_since: str | None,
    channels: Channels,
) -> Selection:
    from connect_gitops.apply.runs import Selection

    rev = changed_since
    if changed_since == "auto":
        from connect_gitops.git.changes import resolve_auto_rev

        rev = resolve_auto_rev(os.environ)
        if rev is None:
            channels.say("--changed-since auto: no previous revision in this event; whole folder")
    _imports_done()
    return Selection(folder=directory, targets=targets, changed_since=rev)


def _run_async(work: Callable[[], Awaitable[T]]) -> T:
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


def _planned(
    channels: Channels,
    directory: Path,
    targets: tuple[str, ...],
    changed_since: str | None,
    *,
    overrides: LifecycleOverrides | None = None,
    mode: Literal["plan", "drift"] = "plan",
) -> PlanRun:
    """Load, read live with a read-only token, and plan; notices go to the user first."""
    from connect_gitops.apply.runs import NO_OVERRIDES, plan_run

    selection = _selection(directory, targets, changed_since, channels)
    run = _run_async(
        lambda: plan_run(
            selection,
            os.environ,
            _client_options(channels, read_only=True),
            overrides=overrides or NO_OVERRIDES,
            mode=mode,
        )
    )
    for notice in run.scope.notices:
        channels.say(notice)
    return run


def _run(channels: Channels, work: Callable[[], int], folder: Path | None = None) -> int:
    """Run a command body, turning the failures users can act on into messages and exit 1."""
    from connect_gitops.client.errors import ConnectError
    from connect_gitops.git.errors import GitError
    from connect_gitops.source.config import ConfigError
    from connect_gitops.source.loader import InvalidDeclarations

    try:
        return work()
    except InvalidDeclarations as error:
        _show_problems(channels, error.problems, folder)
        channels.say("Nothing was sent to any API: fix the problems above and run again.")
    except ConfigError as error:
        channels.say(f"error: {error}")
        _show_problems(channels, error.problems, folder)
    except ConnectError as error:
        channels.say(f"error: {error}")
    except GitError as error:
        channels.say(f"error: {error}")
    except OSError as error:
        channels.say(f"error: {error.strerror or error}: {error.filename or ''}".rstrip(": "))
    except click.ClickException:
        raise
    except Exception as error:  # a bug: one line (the traceback with --verbose), no secret
        from connect_gitops.internal_errors import Secrets, describe_internal_error

        secrets = Secrets.from_environ(os.environ)
        for token in _ISSUED_TOKENS:
            secrets.remember(token)
        channels.say(describe_internal_error(error, secrets, verbose=channels.verbose))
    channels.actions.set_outputs({"exit-code": EXIT_FAILURE})
    return EXIT_FAILURE


def _show_problems(channels: Channels, problems: Sequence[Problem], folder: Path | None) -> None:
    """Problems in the user's files: a line each, and annotations in GitHub Actions."""
    from connect_gitops.reporting.problems import render_problems

    for line in render_problems(problems, str(folder or ".")):
        channels.say(line)
    channels.actions.annotate(problems, folder=folder)


def _saved_plan_folder(plan_file: Path) -> Path:
    """Where ``apply PLAN.json`` finds connect-gitops.yaml (the targets): the current folder if
    it has one, else the plan file's folder, else the current folder (implicit ``CTP_*`` target).
    """
    from connect_gitops.source.files import CONFIG_FILE

    for folder in (Path.cwd(), plan_file.resolve().parent):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return Path.cwd()


def _overrides(
    preview: bool | None, publish: bool | None, certification: bool | None
) -> LifecycleOverrides:
    from connect_gitops.core.planning import LifecycleOverrides

    return LifecycleOverrides(preview=preview, publish=publish, certification=certification)


# -- plan ----------------------------------------------------------------------------------------


@main.command()
@directory_argument
@target_option
@changed_since_option
@format_options
@lifecycle_options
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 2 when there are changes (0 none, 1 error).",
)
@click.option(
    "--pr-comment",
    is_flag=True,
    help="Post the plan as one sticky comment on the pull request (GitHub Actions).",
)
@verbose_option
@click.pass_context
def plan(
    ctx: click.Context,
    directory: Path,
    targets: tuple[str, ...],
    changed_since: str | None,
    output_format: str | None,
    out: Path | None,
    preview: bool | None,
    publish: bool | None,
    certification: bool | None,
    detailed_exitcode: bool,
    pr_comment: bool,
    verbose: bool,
) -> None:
    """Show what apply would do (a dry run: nothing is written)."""
    channels = _channels(output_format, out, verbose)

    def work() -> int:
        from connect_gitops.reporting.documents import plan_documents
        from connect_gitops.reporting.text import render_plan_text

        run = _planned(
            channels,
            directory,
            targets,
            changed_since,
            overrides=_overrides(preview, publish, certification),
        )
        documents = plan_documents(run.plan)
        channels.report(text=render_plan_text(run.plan, color=channels.color), documents=documents)
        code = EXIT_CHANGES if detailed_exitcode and run.plan.has_changes else EXIT_OK
        channels.to_runner(
            documents=documents,
            plan=run.plan,
            outputs={"has-changes": run.plan.has_changes, "exit-code": code},
        )
        actions = channels.actions
        if actions.active:
            if pr_comment:
                from connect_gitops.github.comment import post_plan_comment

                posted = post_plan_comment(documents.markdown(), actions)
                if posted.ok:
                    channels.say(f"Plan comment {posted.action}: {posted.url or ''}".rstrip(": "))
                else:
                    channels.say(f"warning: {posted.warning}")
                    actions.warning(posted.warning or "plan comment not posted")
        elif pr_comment:
            channels.say("--pr-comment: not running in GitHub Actions; no comment posted")
        return code

    ctx.exit(_run(channels, work, directory))


# -- apply ---------------------------------------------------------------------------------------


@main.command()
@click.argument(
    "source",
    default=".",
    required=False,
    type=click.Path(exists=True, path_type=Path),
    metavar="[DIR | PLAN.json]",
)
@target_option
@changed_since_option
@format_options
@lifecycle_options
@click.option("--wait/--no-wait", default=True, help="Wait for previews and publishes to end.")
@click.option(
    "--remote",
    is_flag=True,
    help="Before writing, check with git the tag and connect.yaml of each repository that "
    "this apply changes.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=1800,
    show_default=True,
    metavar="S",
    help="Seconds to wait for each preview, publish or running publish.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=100),
    default=10,
    show_default=True,
    metavar="N",
    help="Connectors written at once per target.",
)
@verbose_option
@click.pass_context
def apply(
    ctx: click.Context,
    source: Path,
    targets: tuple[str, ...],
    changed_since: str | None,
    output_format: str | None,
    out: Path | None,
    preview: bool | None,
    publish: bool | None,
    certification: bool | None,
    wait: bool,
    remote: bool,
    timeout: float,
    concurrency: int,
    verbose: bool,
) -> None:
    """Plan and apply: make live connectors match the declarations (or apply a saved plan)."""
    channels = _channels(output_format, out, verbose)

    def work() -> int:
        from connect_gitops.apply.runs import apply_run, apply_saved_run
        from connect_gitops.reporting.documents import apply_documents
        from connect_gitops.reporting.progress import make_progress
        from connect_gitops.reporting.text import render_apply_text, render_plan_text

        progress = make_progress(channels.stderr, is_ci=channels.is_ci)
        options = _client_options(channels, read_only=False)

        def show_plan(plan: Plan, notices: Sequence[str] = ()) -> None:
            for notice in notices:
                channels.say(notice)
            channels.say(render_plan_text(plan, color=channels.color))

        if source.is_file():
            from connect_gitops.core.plan import PlanFormatError, from_json

            if targets or changed_since:
                channels.say("error: --target and --changed-since do not apply to a saved plan")
                return EXIT_FAILURE
            try:
                saved = from_json(source.read_text(encoding="utf-8"))
            except PlanFormatError as error:
                channels.say(f"error: {source}: {error}")
                return EXIT_FAILURE
            _imports_done()
            show_plan(saved)
            with progress:
                run = _run_async(
                    lambda: apply_saved_run(
                        saved,
                        _saved_plan_folder(source),
                        os.environ,
                        options,
                        concurrency=concurrency,
                        wait_timeout=timeout,
                        wait=wait,
                        progress=progress,
                    )
                )
        else:
            selection = _selection(source, targets, changed_since, channels)
            with progress:
                run = _run_async(
                    lambda: apply_run(
                        selection,
                        os.environ,
                        options,
                        overrides=_overrides(preview, publish, certification),
                        concurrency=concurrency,
                        wait_timeout=timeout,
                        wait=wait,
                        progress=progress,
                        on_plan=show_plan,
                        remote=remote,
                    )
                )
        documents = apply_documents(run.result)
        channels.report(
            text=render_apply_text(run.result, color=channels.color), documents=documents
        )
        code = EXIT_OK if run.result.ok else EXIT_FAILURE
        channels.actions.annotate(
            (o for o in run.result.outcomes if not o.ok),
            folder=source if source.is_dir() else Path.cwd(),
        )
        channels.to_runner(
            documents=documents,
            plan=run.plan,
            outputs={"has-changes": run.plan.has_changes, "exit-code": code},
        )
        return code

    ctx.exit(_run(channels, work, source if source.is_dir() else Path.cwd()))


# -- drift ---------------------------------------------------------------------------------------


@main.command()
@directory_argument
@target_option
@changed_since_option
@format_options
@verbose_option
@click.pass_context
def drift(
    ctx: click.Context,
    directory: Path,
    targets: tuple[str, ...],
    changed_since: str | None,
    output_format: str | None,
    out: Path | None,
    verbose: bool,
) -> None:
    """Compare live connectors with the declarations; exit 2 when they drifted."""
    channels = _channels(output_format, out, verbose)

    def work() -> int:
        from connect_gitops.reporting.documents import drift_documents
        from connect_gitops.reporting.summary import drifted, missing
        from connect_gitops.reporting.text import render_drift_text

        run = _planned(channels, directory, targets, changed_since, mode="drift")
        documents = drift_documents(run.plan)
        channels.report(text=render_drift_text(run.plan, color=channels.color), documents=documents)
        found = bool(drifted(run.plan) or missing(run.plan) or run.plan.orphans)
        code = EXIT_CHANGES if found else EXIT_OK
        channels.to_runner(
            documents=documents,
            plan=run.plan,
            outputs={
                "drift-detected": found,
                "has-changes": run.plan.has_changes,
                "exit-code": code,
            },
        )
        return code

    ctx.exit(_run(channels, work, directory))


# -- export --------------------------------------------------------------------------------------


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
    channels = _channels("text", None, verbose)

    def work() -> int:
        from connect_gitops.adopt.export import (
            ExportError,
            ExportRequest,
            export_run,
            render_dry_run,
            render_export,
        )

        _imports_done()
        request = ExportRequest(out_dir=out_dir, target=target, keys=keys, dry_run=dry_run)
        try:
            result = _run_async(
                lambda: export_run(request, os.environ, _client_options(channels, read_only=True))
            )
        except ExportError as error:
            channels.say(f"error: {error}")
            return EXIT_FAILURE
        if dry_run:
            channels.stdout.write(render_dry_run(result))
            channels.stdout.flush()
        channels.say(render_export(result))
        return EXIT_OK if result.ok else EXIT_FAILURE

    ctx.exit(_run(channels, work))


# -- targets -------------------------------------------------------------------------------------


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

    from connect_gitops.source.config import ConfigError, load_config

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
        elif hasattr(target, "state_file"):
            detail = f"embedded emulator, state in {target.state_file}"
        else:
            detail = f"{target.region} project {target.project_key} at {target.api_url}"
        click.echo(f"{name}{default}: {detail}")
    ctx.exit(EXIT_OK)


# -- emulator ------------------------------------------------------------------------------------


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

    _imports_done()  # a long-running server: the collector's usual pace from here on

    def ready(url: str) -> None:
        click.echo(
            f"Connect API emulator listening on {url} (token endpoint {url}/oauth/token)", err=True
        )
        click.echo("Press Ctrl-C to stop.", err=True)

    try:
        serve(host=host, port=port, state_file=state_file, on_ready=ready)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
