"""``connect-gitops apply``: make the live connectors match the declarations, or apply a plan
saved by ``plan --out plan.json`` exactly."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from connect_gitops.apply import WAIT_TIMEOUT
from connect_gitops.cli.group import EXIT_FAILURE, EXIT_OK, main
from connect_gitops.cli.options import (
    changed_since_option,
    format_options,
    lifecycle_options,
    redeploy_option,
    target_option,
    verbose_option,
)
from connect_gitops.cli.running import (
    channels_for,
    client_options,
    overrides,
    run_async,
    run_command,
    selection,
)

if TYPE_CHECKING:
    from connect_gitops.apply.runs import ApplyRun
    from connect_gitops.cli.channels import Channels
    from connect_gitops.core.plan import Plan


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
@redeploy_option
@click.option(
    "--wait/--no-wait", default=True, help="Wait for previews, publishes and builds to end."
)
@click.option(
    "--remote",
    is_flag=True,
    help="Before writing, check with git the tag and connect.yaml of each repository that "
    "this apply changes.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=int(WAIT_TIMEOUT),
    show_default=True,
    metavar="S",
    help="Seconds to wait for each preview, publish, running publish, build or undeploy.",
)
@click.option(
    "--allow-stale",
    is_flag=True,
    help="Under GitHub Actions, apply even when the checked-out commit is no longer the tip of "
    "its branch (a re-run of an old run), which otherwise fails before anything is written. "
    "Only to roll back on purpose.",
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
    redeploy: tuple[str, ...],
    wait: bool,
    remote: bool,
    timeout: float,
    allow_stale: bool,
    concurrency: int,
    verbose: bool,
) -> None:
    """Plan and apply: make live connectors and deployments match the declarations (or apply a
    saved plan)."""
    channels = channels_for(output_format, out, verbose)
    folder = source if source.is_dir() else Path.cwd()

    def work() -> int:
        from connect_gitops.apply.runs import apply_run
        from connect_gitops.apply.saved import apply_saved_run

        if source.is_file() and (targets or changed_since or redeploy):
            channels.say(
                "error: --target, --changed-since and --redeploy do not apply to a saved plan"
            )
            return EXIT_FAILURE
        if not _checkout_is_current(channels, allow_stale=allow_stale):
            return EXIT_FAILURE
        if source.is_file():
            applying = partial(apply_saved_run, source)
        else:
            chosen = selection(source, targets, changed_since, channels)
            lifecycle = overrides(preview, publish, certification)
            applying = partial(
                apply_run, chosen, overrides=lifecycle, remote=remote, redeploy=redeploy
            )
        steps = {"concurrency": concurrency, "wait_timeout": timeout, "wait": wait}
        run = _run(channels, applying, source, **steps)
        return EXIT_FAILURE if run is None else _report(channels, run, folder)

    ctx.exit(run_command(channels, work, folder))


def _checkout_is_current(channels: Channels, *, allow_stale: bool) -> bool:
    """Under GitHub Actions: is the checked-out commit still the tip of its branch? A refusal
    is said on stderr, as an error annotation and in the step summary, before any request to
    Connect (see :mod:`connect_gitops.github.checkout` for when GitHub cannot tell)."""
    actions = channels.actions
    if not actions.active:
        return True
    if allow_stale:
        channels.say("--allow-stale: not checking that this commit is the tip of its branch")
        return True
    from connect_gitops.github.checkout import check_checkout

    check = check_checkout(actions)
    if check.verdict == "unknown":
        channels.say(f"warning: {check.message}")
        actions.warning(check.message)
    elif not check.refuses:
        if check.message:
            channels.say(check.message)
    else:
        from connect_gitops.reporting.markup import text

        channels.say(f"error: {check.message}")
        actions.error(check.message, title="connect-gitops: apply refused")
        actions.append_summary(f"### connect-gitops apply refused\n\n{text(check.message)}\n")
        actions.set_outputs({"exit-code": EXIT_FAILURE})
    return not check.refuses


def _run(
    channels: Channels,
    applying: Callable[..., Awaitable[ApplyRun]],
    source: Path,
    **steps: Any,
) -> ApplyRun | None:
    """Run ``applying`` with a write token and the progress display, the plan shown first;
    None when the saved plan ``source`` cannot be read (the user is told why)."""
    from connect_gitops.core.plan import PlanFormatError
    from connect_gitops.reporting.progress import make_progress
    from connect_gitops.reporting.text import render_plan_text

    progress = make_progress(channels.stderr, is_ci=channels.is_ci)
    options = client_options(channels, read_only=False)

    def show_plan(plan: Plan, notices: Sequence[str] = ()) -> None:
        for notice in notices:
            channels.say(notice)
        channels.say(render_plan_text(plan, color=channels.color))

    with progress:
        try:
            return run_async(
                partial(
                    applying, os.environ, options, progress=progress, on_plan=show_plan, **steps
                )
            )
        except PlanFormatError as error:
            channels.say(f"error: {source}: {error}")
            return None


def _report(channels: Channels, run: ApplyRun, folder: Path) -> int:
    """The apply report, annotations for the connectors that need attention, the outputs."""
    from connect_gitops.reporting.documents import apply_documents
    from connect_gitops.reporting.text import render_apply_text

    documents = apply_documents(run.result)
    channels.report(text=render_apply_text(run.result, color=channels.color), documents=documents)
    code = EXIT_OK if run.result.ok else EXIT_FAILURE
    channels.actions.annotate((o for o in run.result.outcomes if not o.ok), folder=folder)
    channels.to_runner(
        documents=documents,
        plan=run.plan,
        outputs={"has-changes": run.plan.has_changes, "exit-code": code},
    )
    return code
