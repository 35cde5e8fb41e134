"""Where a command's output goes: humans on stderr, machines on stdout or ``--out``, and the
GitHub Actions runner (annotations, step summary, outputs) when ``GITHUB_ACTIONS=true``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

from connect_gitops.github.actions import ActionsEnvironment, OutputValue
from connect_gitops.source.files import write_atomically

if TYPE_CHECKING:
    from connect_gitops.client.transport import RequestRecord
    from connect_gitops.core.plan import Plan
    from connect_gitops.reporting.documents import Documents

Format = Literal["text", "json", "markdown"]


def format_for(requested: str | None, out: Path | None) -> Format:
    """The report format: as requested, else from ``--out``'s extension, else text.

    ``plan --out plan.json`` therefore saves a plan that ``apply plan.json`` can read.
    """
    if requested in ("text", "json", "markdown"):
        return requested  # type: ignore[return-value]
    suffix = out.suffix.lower() if out is not None else ""
    if suffix == ".json":
        return "json"
    if suffix in (".md", ".markdown"):
        return "markdown"
    return "text"


@dataclass(slots=True)
class Channels:
    """The output channels of one command run."""

    format: Format = "text"
    out: Path | None = None
    verbose: bool = False
    actions: ActionsEnvironment = field(default_factory=ActionsEnvironment)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))

    @property
    def color(self) -> bool:
        from connect_gitops.reporting.text import use_color

        return use_color(self.stderr, self.environ)

    @property
    def is_ci(self) -> bool:
        return self.environ.get("CI", "").lower() in ("true", "1") or self.actions.active

    def say(self, text: str) -> None:
        """A line for humans (stderr)."""
        self.stderr.write(text if text.endswith("\n") else text + "\n")
        self.stderr.flush()

    def report(self, *, text: str, documents: Documents) -> None:
        """The run's report in the chosen format: ``text`` for humans, JSON or Markdown for
        machines.

        With ``--format text`` the text goes to stderr (and to ``--out`` when given); otherwise
        the document goes to ``--out`` or stdout, and the text to stderr as well when the
        document is written to a file.
        """
        if self.format == "text":
            self.say(text)
            if self.out is not None:
                write_atomically(self.out, _plain(text))
            return
        document = documents.json() if self.format == "json" else documents.markdown()
        if self.out is not None:
            write_atomically(self.out, document)
            self.say(text)
            self.say(f"Wrote {self.out}")
        else:
            self.stdout.write(document if document.endswith("\n") else document + "\n")
            self.stdout.flush()

    def to_runner(
        self, *, documents: Documents, plan: Plan, outputs: Mapping[str, OutputValue]
    ) -> None:
        """In GitHub Actions: the whole Markdown report in the step summary, the plan document
        in a file named by the ``plan-json`` output, the plan's counts (``to-create``,
        ``to-update``, ``blocked``, ``orphans``) and the other step ``outputs``."""
        if not self.actions.active:
            return
        from connect_gitops.core.plan import to_json
        from connect_gitops.reporting.github import plan_counts

        self.actions.append_summary(documents.markdown)
        plan_json = self.actions.write_plan_json(to_json(plan))
        self.actions.set_outputs({**plan_counts(plan), **outputs, "plan-json": str(plan_json)})

    def request_log(self, record: RequestRecord) -> None:
        """``--verbose``: one line per HTTP attempt; never a header value or a body."""
        status = str(record.status) if record.status is not None else (record.error or "error")
        attempt = f" attempt {record.attempt}" if record.attempt > 1 else ""
        self.say(
            f"  {record.method} {record.path} -> {status} ({record.elapsed_ms:.0f} ms"
            f"{attempt}) correlation id {record.correlation_id or '-'}"
        )


def _plain(text: str) -> str:
    """Text without ANSI escapes, for files."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)
