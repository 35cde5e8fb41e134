"""The GitHub Actions edge: workflow commands on stderr and the runner's files.

When ``GITHUB_ACTIONS=true`` the CLI also speaks to the runner: error annotations for problems
and failed connectors, the Markdown report in the step summary, step outputs, and masks for
secrets. Rendering is done by :mod:`connect_gitops.reporting.github`; this module only decides
where the text goes. Outside Actions every method does nothing, so the CLI can call them always.

Workflow commands go to stderr, never stdout: the runner reads commands on both, and stdout
carries only the report asked for, byte for byte the same inside and outside Actions (a
``plan --format json > plan.json`` that began with ``::add-mask::<token>`` would be no plan
file, and would hold a bearer token).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from connect_gitops.core.outcomes import Outcome
from connect_gitops.core.problems import Problem
from connect_gitops.reporting import github

PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target"})
DEFAULT_API_URL = "https://api.github.com"
DEFAULT_SERVER_URL = "https://github.com"
PLAN_ARTIFACT_VARIABLE = "CONNECT_GITOPS_PLAN_ARTIFACT"

OutputValue = str | int | bool


@dataclass(frozen=True)
class ActionsEnvironment:
    """What the runner tells a step through its environment, and the step's ways to answer."""

    active: bool = False
    workspace: Path | None = None
    output_file: Path | None = None
    summary_file: Path | None = None
    event_file: Path | None = None
    event_name: str = ""
    api_url: str = DEFAULT_API_URL
    repository: str = ""
    runner_temp: Path | None = None
    token: str = field(default="", repr=False)
    ref: str = ""
    """``GITHUB_REF``: the branch or tag the run is for (``refs/heads/main``)."""
    sha: str = ""
    """``GITHUB_SHA``: the commit the run checked out (a pull request's merge commit)."""
    server_url: str = DEFAULT_SERVER_URL
    run_id: str = ""
    plan_artifact: str = ""
    """``CONNECT_GITOPS_PLAN_ARTIFACT``: the artifact a later step uploads the JSON plan as (the
    action's ``plan-artifact`` input), for the pull request comment to name; empty: none."""
    stream: TextIO | None = field(default=None, repr=False, compare=False)
    """Where workflow commands go; None means the current ``sys.stderr`` (never stdout)."""

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str], *, stream: TextIO | None = None
    ) -> ActionsEnvironment:
        def path(name: str) -> Path | None:
            value = environ.get(name, "")
            return Path(value) if value else None

        return cls(
            active=environ.get("GITHUB_ACTIONS") == "true",
            workspace=path("GITHUB_WORKSPACE"),
            output_file=path("GITHUB_OUTPUT"),
            summary_file=path("GITHUB_STEP_SUMMARY"),
            event_file=path("GITHUB_EVENT_PATH"),
            event_name=environ.get("GITHUB_EVENT_NAME", ""),
            api_url=environ.get("GITHUB_API_URL") or DEFAULT_API_URL,
            repository=environ.get("GITHUB_REPOSITORY", ""),
            runner_temp=path("RUNNER_TEMP"),
            token=environ.get("GITHUB_TOKEN", ""),
            ref=environ.get("GITHUB_REF", ""),
            sha=environ.get("GITHUB_SHA", ""),
            server_url=environ.get("GITHUB_SERVER_URL") or DEFAULT_SERVER_URL,
            run_id=environ.get("GITHUB_RUN_ID", ""),
            plan_artifact=environ.get(PLAN_ARTIFACT_VARIABLE, "").strip(),
            stream=stream,
        )

    # Workflow commands -------------------------------------------------------------------

    def _print(self, line: str) -> None:
        out = self.stream if self.stream is not None else sys.stderr
        out.write(line + "\n")
        out.flush()

    def annotate(
        self,
        items: Iterable[Problem | Outcome],
        *,
        folder: str | os.PathLike[str] | None = None,
        limit: int = github.ANNOTATION_LIMIT,
    ) -> None:
        """``::error``/``::warning`` annotations for problems and failed connectors (10 at most).

        ``folder`` is the declarations folder that the items' relative file names start from
        (the CLI's DIR argument); GitHub wants them relative to the workspace instead.
        """
        if not self.active:
            return

        def relative(path: str) -> str:
            if folder is not None and not Path(path).is_absolute():
                path = os.path.join(folder, path)
            return self.workspace_relative(path)

        for line in github.annotations(items, workspace_relative=relative, limit=limit):
            self._print(line)

    def mask(self, secret: str) -> None:
        """Tell the runner to hide ``secret`` in every later log line (each line of it)."""
        if not self.active:
            return
        for line in secret.splitlines():
            if line.strip():
                self._print(github.mask(line))

    def warning(self, message: str, *, title: str = "connect-gitops") -> None:
        """A warning annotation (e.g. the PR comment could not be posted)."""
        self._annotation("warning", message, title)

    def error(self, message: str, *, title: str = "connect-gitops") -> None:
        """An error annotation that belongs to no file (e.g. apply refused a stale commit)."""
        self._annotation("error", message, title)

    def _annotation(self, level: str, message: str, title: str) -> None:
        if not self.active:
            return
        self._print(
            f"::{level} title={github.escape_property(title)}::{github.escape_data(message)}"
        )

    # Files -------------------------------------------------------------------------------

    def append_summary(self, markdown: str | Callable[[int], str]) -> None:
        """Append the report to ``$GITHUB_STEP_SUMMARY``, within the 1 MiB a step may write.

        ``markdown`` may be a renderer that takes a size in characters: it is then given all the
        room left, so a large plan is summarised whole instead of cut to a comment's size.
        """
        if not self.active or self.summary_file is None:
            return
        used = self.summary_file.stat().st_size if self.summary_file.exists() else 0
        room = github.STEP_SUMMARY_LIMIT - used - 1
        if room < 4_096:
            return  # an earlier report filled the step's summary; truncating to nothing helps none
        text = markdown if isinstance(markdown, str) else github.fit_bytes(markdown, room)
        with self.summary_file.open("a", encoding="utf-8", newline="\n") as summary:
            summary.write(github.step_summary(text, limit=room) + "\n")

    def set_outputs(self, outputs: Mapping[str, OutputValue]) -> None:
        """Write step outputs to ``$GITHUB_OUTPUT`` in the multiline-safe heredoc form.

        Booleans become ``true``/``false``, the spelling workflow expressions compare against.
        """
        if not self.active or self.output_file is None or not outputs:
            return
        text = github.output_lines({name: _output_text(v) for name, v in outputs.items()})
        with self.output_file.open("a", encoding="utf-8", newline="\n") as output:
            output.write(text)

    def write_plan_json(self, document: str) -> Path:
        """Save the plan JSON where later steps can read it (``$RUNNER_TEMP``); the ``plan-json``
        output carries the returned path. A new file per call, so two steps never collide."""
        import tempfile  # only in GitHub Actions

        directory = self.runner_temp or Path(tempfile.gettempdir())
        directory.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix="connect-gitops-plan-", suffix=".json", dir=directory
        )
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as plan:
            plan.write(document)
        return Path(name)

    # The workspace and the event -----------------------------------------------------------

    def workspace_relative(self, path: str) -> str:
        """``path`` relative to ``$GITHUB_WORKSPACE`` (POSIX form), as annotations need it.

        Relative paths are taken from the current directory; a path outside the workspace is
        returned unchanged.
        """
        if self.workspace is None or not path:
            return path
        absolute = Path(os.path.normpath(Path.cwd() / path))
        for base, candidate in (
            (self.workspace, absolute),
            (self.workspace.resolve(), absolute.resolve()),
        ):
            if candidate.is_relative_to(base):
                return candidate.relative_to(base).as_posix()
        return path

    def event(self) -> dict[str, Any] | None:
        """The webhook payload of the run (``$GITHUB_EVENT_PATH``), or None when unreadable."""
        if self.event_file is None:
            return None
        try:
            payload = json.loads(self.event_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return payload if isinstance(payload, dict) else None

    def run_url(self) -> str | None:
        """The page of this workflow run, when the runner said which run this is."""
        return github.run_url(self.server_url, self.repository, self.run_id)

    def planned_commit(self) -> str | None:
        """The commit a reviewer knows this run by: a pull request's head (``GITHUB_SHA`` is
        the merge commit GitHub made for the run), else ``GITHUB_SHA``; None if not a SHA."""
        candidate: Any = self.sha
        if self.event_name in PULL_REQUEST_EVENTS:
            payload = self.event() or {}
            pull_request = payload.get("pull_request")
            head = pull_request.get("head") if isinstance(pull_request, dict) else None
            candidate = head.get("sha") if isinstance(head, dict) else None
        return github.commit_sha(candidate)

    def pull_request_number(self) -> int | None:
        """The pull request this run is for, when the event is a pull request event."""
        if self.event_name and self.event_name not in PULL_REQUEST_EVENTS:
            return None
        payload = self.event()
        if payload is None:
            return None
        pull_request = payload.get("pull_request")
        number = pull_request.get("number") if isinstance(pull_request, dict) else None
        if number is None and self.event_name in PULL_REQUEST_EVENTS:
            number = payload.get("number")
        return number if isinstance(number, int) and not isinstance(number, bool) else None


def _output_text(value: OutputValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
