"""The example workflows do what the README promises a user who copies them.

Linters (tests/action/test_lint.py) say the workflows are valid and safe; these tests read them
as YAML and check their meaning: apply re-applies the whole of main, also by hand; every target's
credentials reach the jobs that need them; plan and drift fan out one job per target; the plan
job uploads the JSON plan under the name its comment links.
"""

from __future__ import annotations

from typing import Any

import pytest
from ruamel.yaml import YAML
from tests.support.paths import EXAMPLES
from tests.support.readme import code_block

from connect_gitops.source.config import DEFAULT_CLIENT_ID_ENV, DEFAULT_CLIENT_SECRET_ENV

WORKFLOWS = EXAMPLES / "workflows"
ACTION = "your-org/connect-gitops@"
UPLOAD_ARTIFACT = "actions/upload-artifact@"
COMMANDS = {
    "apply-on-push.yml": "apply",
    "plan-on-pull-request.yml": "plan",
    "drift-nightly.yml": "drift",
}
"""Each workflow and the command of connect-gitops it runs per target."""


def load(text: str) -> Any:
    # YAML 1.2, as GitHub reads workflows: `on` is a key, not the boolean true.
    return YAML(typ="safe", pure=True).load(text)


def workflow(name: str) -> dict[str, Any]:
    document = load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(document, dict), name
    return document


def action_steps(job: dict[str, Any], command: str) -> list[dict[str, Any]]:
    """The job's steps that run connect-gitops' action with ``command``."""
    return [
        step
        for step in job.get("steps", [])
        if str(step.get("uses", "")).startswith(ACTION)
        and step.get("with", {}).get("command") == command
    ]


def the_job(document: dict[str, Any], command: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The one job (its id, itself and its step) that runs ``command``."""
    found = [
        (name, job, step)
        for name, job in document["jobs"].items()
        for step in action_steps(job, command)
    ]
    assert len(found) == 1, f"expected one step running {command}, found {len(found)}"
    return found[0]


def credential_variables(configuration: dict[str, Any]) -> set[str]:
    """The environment variables the targets of a connect-gitops.yaml read credentials from."""
    names: set[str] = set()
    for target in (configuration.get("targets") or {}).values():
        if "emulator" in target:
            continue  # the embedded emulator needs none
        names.add(target.get("clientIdEnv", DEFAULT_CLIENT_ID_ENV))
        names.add(target.get("clientSecretEnv", DEFAULT_CLIENT_SECRET_ENV))
    return names


CONFIGURATIONS = {
    # What a user copies beside the workflows (README, "Ecosystem").
    "examples": (EXAMPLES / "connect-gitops.yaml").read_text(encoding="utf-8"),
    # What the README says the examples' env maps ("Targets and their secrets": "target eu of
    # the configuration above ... target us").
    "readme": code_block("## Configuration: `connect-gitops.yaml`", "yaml"),
}


def test_the_configurations_name_variables_of_their_own() -> None:
    # The check below means something only if there is more than the default pair to map.
    assert credential_variables(load(CONFIGURATIONS["examples"]))
    assert credential_variables(load(CONFIGURATIONS["readme"])) > {
        DEFAULT_CLIENT_ID_ENV,
        DEFAULT_CLIENT_SECRET_ENV,
    }


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
def test_every_targets_credentials_reach_the_step_from_secrets(
    name: str, configuration: str
) -> None:
    document = workflow(name)
    job_name, job, step = the_job(document, COMMANDS[name])
    env = {**document.get("env", {}), **job.get("env", {}), **step.get("env", {})}

    unmapped = {
        variable: env.get(variable)
        for variable in sorted(credential_variables(load(CONFIGURATIONS[configuration])))
        if env.get(variable) != f"${{{{ secrets.{variable} }}}}"
    }
    assert unmapped == {}, f"{name}, job {job_name}: not mapped from the secret of that name"


@pytest.mark.parametrize(("name", "command"), sorted(COMMANDS.items()))
def test_one_job_per_target(name: str, command: str) -> None:
    document = workflow(name)
    job_name, job, step = the_job(document, command)
    needs = job.get("needs", [])
    needs = [needs] if isinstance(needs, str) else needs

    # The matrix is the targets output of a job this one waits for ...
    matrix = job.get("strategy", {}).get("matrix", {})
    lister = next(
        (
            n
            for n in needs
            if matrix.get("target") == f"${{{{ fromJSON(needs.{n}.outputs.targets) }}}}"
        ),
        None,
    )
    assert lister is not None, (
        f"{name}: {job_name}'s matrix is not the targets output of a job it needs"
    )
    # ... which is that of a step running `command: targets`,
    listing = document["jobs"][lister]
    (targets_step,) = action_steps(listing, "targets")
    assert listing["outputs"]["targets"] == f"${{{{ steps.{targets_step['id']}.outputs.targets }}}}"
    # each job acts on its own target only, and one failing target does not cancel the others.
    assert step["with"].get("target") == "${{ matrix.target }}"
    assert job["strategy"].get("fail-fast") is False


@pytest.mark.parametrize(
    ("name", "environment"),
    [
        ("apply-on-push.yml", "${{ matrix.target }}"),
        ("plan-on-pull-request.yml", "${{ matrix.target }}-read-only"),
        ("drift-nightly.yml", "${{ matrix.target }}-read-only"),
    ],
)
def test_each_target_has_its_own_environment(name: str, environment: str) -> None:
    # Apply writes with the target's environment; plan and drift read with its read-only one.
    _, job, _ = the_job(workflow(name), COMMANDS[name])

    assert job.get("environment") == environment


def test_apply_can_be_run_by_hand_and_applies_the_whole_folder() -> None:
    document = workflow("apply-on-push.yml")
    job_name, job, step = the_job(document, "apply")

    assert document["on"]["push"]["branches"] == ["main"]
    # "Run workflow" re-applies main: the advice of the drift issue and of the README.
    assert "workflow_dispatch" in document["on"]
    # Level-triggered: no changed-since, so a run applies the whole folder at its commit, and a
    # run GitHub cancelled or never started loses nothing.
    assert step["with"].get("changed-since", "") in ("", "all")
    assert step["with"].get("allow-stale", False) in (False, "false")
    # Applies queue and never interrupt each other.
    assert document["concurrency"]["cancel-in-progress"] is False
    # Run by hand on another branch, nothing is applied: the jobs run for main only.
    (lister,) = [job["needs"]] if isinstance(job["needs"], str) else job["needs"]
    assert document["jobs"][lister]["if"] == "github.ref == 'refs/heads/main'", job_name


def test_the_plan_job_uploads_the_json_plan_its_comment_names() -> None:
    document = workflow("plan-on-pull-request.yml")
    _, job, plan = the_job(document, "plan")
    steps = job["steps"]
    uploads = [s for s in steps if str(s.get("uses", "")).startswith(UPLOAD_ARTIFACT)]

    assert plan["with"].get("pr-comment") is True
    assert len(uploads) == 1, "the plan job uploads no artifact"
    (upload,) = uploads
    assert steps.index(upload) > steps.index(plan)
    assert upload["with"]["path"] == f"${{{{ steps.{plan['id']}.outputs.plan-json }}}}"
    # Also when the plan step failed after writing the plan.
    assert "always()" in upload.get("if", "")
    # One name per target (two jobs of the matrix may not upload the same name), and the very
    # name that the comment links.
    assert upload["with"]["name"] == "connect-gitops-plan-${{ matrix.target }}"
    assert plan["with"].get("plan-artifact") == upload["with"]["name"]
