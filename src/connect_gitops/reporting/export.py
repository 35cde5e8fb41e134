"""What ``export`` did (or would do, with ``--dry-run``): a line per file and per edited field,
then a summary; the dry run's files as unified diffs."""

from __future__ import annotations

import difflib
from pathlib import Path

from connect_gitops.core.adoption import ExportResult


def shown(path: Path) -> str:
    """A path as users typed it: relative to the working directory when it is below it."""
    resolved = path.resolve()
    cwd = Path.cwd().resolve()
    return resolved.relative_to(cwd).as_posix() if resolved.is_relative_to(cwd) else str(path)


def render_export(result: ExportResult) -> str:
    """One line per file, field by field for updates, then the notices, failures and summary."""
    verb = {"created": "create", "updated": "update"} if result.dry_run else {}
    lines: list[str] = []
    for exported in result.files:
        if exported.kind == "unchanged":
            continue
        keys = ", ".join(exported.keys)
        if exported.resource == "deployment":
            keys = f"deployment {keys}"
        action = f"would {verb[exported.kind]}" if result.dry_run else exported.kind
        lines.append(f"{action} {shown(exported.path)} ({keys})")
        for edit in exported.edits:
            if edit.removed:
                lines.append(f"    {edit.dotted}: removed: {edit.note}")
            else:
                lines.append(f"    {edit.dotted}: {edit.before!r} -> {edit.after!r}")
    lines += result.notices
    lines += [f"error: cannot export {failure}" for failure in result.failures]
    prefix = "Export (dry run)" if result.dry_run else "Export"
    summary = (
        f"{prefix} of target {result.target!r}: {result.count('created')} created, "
        f"{result.count('updated')} updated, {result.count('unchanged')} unchanged, "
        f"{len(result.failures)} failed."
    )
    if any(exported.resource == "deployment" for exported in result.files):
        summary += " Deployments: " + ", ".join(
            f"{result.count(kind, 'deployment')} {kind}"
            for kind in ("created", "updated", "unchanged")
        )
        summary += "."
    lines.append(summary)
    return "\n".join(lines)


def render_dry_run(result: ExportResult) -> str:
    """The files export would write, as unified diffs (a new file's diff is all of it)."""
    chunks: list[str] = []
    for exported in result.files:
        if exported.kind == "unchanged":
            continue
        path = shown(exported.path)
        before = "/dev/null" if exported.previous is None else path
        chunks.extend(
            difflib.unified_diff(
                (exported.previous or "").splitlines(keepends=True),
                exported.text.splitlines(keepends=True),
                fromfile=before,
                tofile=path,
            )
        )
    return "".join(chunks)
