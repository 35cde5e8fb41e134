"""The two progress renderers and the factory that picks one."""

from __future__ import annotations

import io
import re

from connect_gitops.reporting.progress import LiveProgress, PlainProgress, make_progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_ci_and_pipes_get_plain_lines_terminals_get_the_live_display() -> None:
    assert isinstance(make_progress(io.StringIO(), is_ci=False), PlainProgress)
    assert isinstance(make_progress(Tty(), is_ci=True), PlainProgress)
    assert isinstance(make_progress(Tty(), is_ci=False), LiveProgress)


def test_plain_lines_for_writes_and_waits() -> None:
    now = [0.0]
    stream = io.StringIO()
    with PlainProgress(stream, clock=lambda: now[0]) as progress:
        progress.started("eu", "pay", "update")
        progress.finished("eu", "pay", "update", "updated (2 actions)", ok=True)
        progress.started("eu", "pay", "publish")
        progress.changed("eu", "pay", "publish", "Processing")
        now[0] = 12.0
        progress.finished("eu", "pay", "publish", "publish failed", ok=False)
    assert stream.getvalue().splitlines() == [
        "eu/pay: update: updated (2 actions)",
        "eu/pay: waiting for publish",
        "waiting for publish of pay: Processing (0s elapsed)",
        "eu/pay: publish: publish failed after 12s",
    ]


def test_api_text_cannot_move_the_cursor() -> None:
    stream = io.StringIO()
    progress = PlainProgress(stream, clock=lambda: 0.0)
    progress.changed("eu", "pay", "preview", "pending\x1b[2J\nfake line")
    assert stream.getvalue() == "waiting for preview of pay: pending?[2J?fake line (0s elapsed)\n"


def test_live_display_shows_one_line_per_connector_with_elapsed_time() -> None:
    now = [0.0]
    stream = Tty()
    with LiveProgress(stream, clock=lambda: now[0]) as progress:
        progress.started("eu", "pay", "preview")
        progress.changed("eu", "pay", "preview", "pending")
        progress.started("eu", "tax", "create")
        progress.finished("eu", "tax", "create", "created", ok=True)
        now[0] = 75.0
    output = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", stream.getvalue())
    assert "… eu/pay  preview: pending  1m15s" in output.splitlines()
    assert "✓ eu/tax  create: created  0s" in output.splitlines()


def test_live_display_used_without_with_starts_on_first_event() -> None:
    stream = Tty()
    progress = LiveProgress(stream, clock=lambda: 0.0)
    progress.started("eu", "pay", "update")
    progress.finished("eu", "pay", "update", "updated (1 action)", ok=True)
    progress.close()
    output = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", stream.getvalue())
    assert "✓ eu/pay  update: updated (1 action)  0s" in output.splitlines()


def test_states_are_said_in_words() -> None:
    from connect_gitops.core.live import ConnectorStatus
    from connect_gitops.reporting.progress import preview_state, publish_state

    assert [preview_state(v) for v in ("pending", "true", "false", "none", "later")] == [
        "still pending",
        "preview ready",
        "preview refused",
        "preview cancelled",
        "preview state 'later'",
    ]
    assert [publish_state(s) for s in ("Processing", "Published", "Failed", "Certified")] == [
        "still processing",
        "published",
        "publish failed",
        "status 'Certified'",
    ]
    # Live data carries a known status as the enum member, not as its text.
    assert publish_state(ConnectorStatus.READY_FOR_CERTIFICATION) == "ready for certification"
