"""``apply PLAN.json``: a plan saved by ``plan --out`` applied exactly as it was reviewed.

Nothing is diffed again: a conflict, or a key that exists where the plan creates, makes that
connector or deployment ``stale`` (the executors' saved mode). A deployment's secured values
are not in the plan (only their variables' names): they are read from the environment when it
is applied. The targets come from the
``connect-gitops.yaml`` of the current folder, else of the plan file's folder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from connect_gitops.apply.connections import ClientOptions, open_clients
from connect_gitops.apply.deploying import DeploymentInputs
from connect_gitops.apply.executor import execute
from connect_gitops.apply.runs import ApplyRun
from connect_gitops.core.plan import Plan, from_json
from connect_gitops.source.config import load_config
from connect_gitops.source.files import CONFIG_FILE

if TYPE_CHECKING:
    from connect_gitops.reporting.progress import Progress


def read_saved_plan(plan_file: Path) -> Plan:
    """The plan in ``plan_file``; :class:`~connect_gitops.core.plan.PlanFormatError` if it is
    not one this version reads."""
    return from_json(plan_file.read_text(encoding="utf-8"))


def saved_plan_folder(plan_file: Path) -> Path:
    """Where ``apply PLAN.json`` finds connect-gitops.yaml (the targets): the current folder if
    it has one, else the plan file's folder, else the current folder (implicit ``CTP_*`` target).
    """
    for folder in (Path.cwd(), plan_file.resolve().parent):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return Path.cwd()


async def apply_saved_run(
    plan_file: Path,
    environ: Mapping[str, str],
    options: ClientOptions,
    *,
    concurrency: int,
    wait_timeout: float,
    wait: bool,
    progress: Progress | None,
    on_plan: Callable[[Plan, Sequence[str]], None] | None = None,
) -> ApplyRun:
    """Read the saved plan, show it (``on_plan``), and apply it exactly; secured values are
    read from ``environ`` now, by the names the plan lists."""
    plan = read_saved_plan(plan_file)
    if on_plan is not None:
        on_plan(plan, ())
    config = load_config(saved_plan_folder(plan_file), environ)
    targets = sorted({c.target for c in plan.changes})
    deploying = sorted({c.target for c in plan.changes if c.resource == "deployment"})
    async with open_clients(config, targets, environ, options, deployments=deploying) as clients:
        deployments = DeploymentInputs(
            apis={target: clients[target].deployments for target in deploying},
            environ=environ,
        )
        result = await execute(
            plan,
            clients,
            declarations=None,
            concurrency=concurrency,
            timeout=wait_timeout,
            wait=wait,
            progress=progress,
            deployments=deployments,
        )
    return ApplyRun(plan, result)
