"""Progress of an apply run on stderr: a live display on a terminal, plain lines in CI.

The executor and lifecycle only call the three methods of :class:`Progress`; how that looks is
decided here, once, by :func:`make_progress`. A waiting connector's state is reported on every
poll; the plain renderer turns that into a line per state change plus a heartbeat line a minute,
so a CI log shows that a long preview is alive without flooding it.
"""

from __future__ import annotations

import atexit
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol, Self, TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

from connect_gitops.core.live import ConnectorStatus

HEARTBEAT_SECONDS = 60.0
"""How often the plain renderer repeats the state of a connector that is still waiting."""

WAITING_STEPS = ("preview", "publish", "processing", "build", "undeploy")
"""Steps that wait on the server (and so get heartbeat lines)."""

_WAITED_FOR = {
    "processing": "the running publish",
    "build": "the build",
    "undeploy": "the undeploy",
}
"""How a waiting step reads in "waiting for ..." lines."""

_DOING = {"build": "building", "undeploy": "undeploying"}
"""A deployment's waits read as what it is doing: ``building payments: Deploying (1m20s)``."""


def _waited_for(step: str) -> str:
    return _WAITED_FOR.get(step, step)


_PREVIEW_STATES = {
    "pending": "still pending",
    "true": "preview ready",
    "false": "preview refused",
    "none": "preview cancelled",
}
_PUBLISH_STATES: dict[str, str] = {
    ConnectorStatus.PROCESSING: "still processing",
    ConnectorStatus.PUBLISHED: "published",
    ConnectorStatus.FAILED: "publish failed",
    ConnectorStatus.READY_FOR_CERTIFICATION: "ready for certification",
    ConnectorStatus.IN_CERTIFICATION: "in certification",
    ConnectorStatus.DRAFT: "back to draft",
}
"""A ``ConnectorStatus`` equals its text, so the live status looks up alike whether it was read
as a known status or kept as the text of one this version does not know."""


def preview_state(is_previewable: str) -> str:
    """A connector's ``isPreviewable`` in words, as a waiting preview's progress shows it."""
    return _PREVIEW_STATES.get(is_previewable, f"preview state {is_previewable!r}")


def publish_state(status: ConnectorStatus | str) -> str:
    """A connector's ``status`` in words, as a waiting publish's progress shows it."""
    return _PUBLISH_STATES.get(status, f"status {status!r}")


class Progress(Protocol):
    """Where the executor reports what it is doing to each connector.

    ``step`` is one of ``create``, ``update``, ``noop``, ``blocked``, ``processing`` (waiting for
    someone else's publish), ``preview`` and ``publish``; for deployments ``redeploy``,
    ``replace``, ``build`` (waiting for Deployed or Failed) and ``undeploy``.
    """

    def started(self, target: str, key: str, step: str) -> None: ...

    def changed(self, target: str, key: str, step: str, state_text: str) -> None: ...

    def finished(self, target: str, key: str, step: str, state_text: str, *, ok: bool) -> None: ...


class NullProgress:
    """Reports nothing: for library use and tests that do not look at progress."""

    def started(self, target: str, key: str, step: str) -> None:
        return None

    def changed(self, target: str, key: str, step: str, state_text: str) -> None:
        return None

    def finished(self, target: str, key: str, step: str, state_text: str, *, ok: bool) -> None:
        return None


NULL_PROGRESS = NullProgress()


def format_elapsed(seconds: float) -> str:
    """``42s``, ``2m``, ``2m05s``, ``1h03m``: short enough for a progress line."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m" if secs == 0 else f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _safe(text: str) -> str:
    """API-provided text on one line with no control characters (no terminal tricks)."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


@dataclass(slots=True)
class _Line:
    step: str
    state: str
    since: float
    last_printed: float
    done: bool = False
    ok: bool = True
    ended: float | None = None


class PlainProgress:
    """One line per state change, plus a heartbeat per minute per waiting connector.

    Meant for CI logs and pipes: no cursor movement, no colour, every line self-contained.
    """

    def __init__(self, stream: TextIO, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._lines: dict[tuple[str, str, str], _Line] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        return None

    def _write(self, text: str) -> None:
        self._stream.write(text + "\n")
        self._stream.flush()

    def started(self, target: str, key: str, step: str) -> None:
        now = self._clock()
        with self._lock:
            self._lines[(target, key, step)] = _Line(step, "started", now, now)
        if step in WAITING_STEPS:
            self._write(f"{target}/{key}: waiting for {_waited_for(step)}")

    def changed(self, target: str, key: str, step: str, state_text: str) -> None:
        now = self._clock()
        state = _safe(state_text)
        with self._lock:
            line = self._lines.setdefault((target, key, step), _Line(step, "", now, now))
            new_state = state != line.state
            heartbeat = now - line.last_printed >= HEARTBEAT_SECONDS
            if not (new_state or heartbeat):
                return
            line.state = state
            line.last_printed = now
            elapsed = format_elapsed(now - line.since)
        if step in _DOING:
            self._write(f"{_DOING[step]} {key}: {state} ({elapsed})")
            return
        self._write(f"waiting for {_waited_for(step)} of {key}: {state} ({elapsed} elapsed)")

    def finished(self, target: str, key: str, step: str, state_text: str, *, ok: bool) -> None:
        now = self._clock()
        with self._lock:
            line = self._lines.pop((target, key, step), None)
        elapsed = f" after {format_elapsed(now - line.since)}" if line is not None else ""
        suffix = elapsed if step in WAITING_STEPS else ""
        self._write(f"{target}/{key}: {step}: {_safe(state_text)}{suffix}")


@dataclass(slots=True)
class _Board:
    """What the live display shows: one line per connector, newest state, elapsed time."""

    clock: Callable[[], float]
    lines: dict[tuple[str, str], _Line] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __rich__(self) -> Group:
        now = self.clock()
        rows: list[Text] = []
        with self.lock:
            items = sorted(self.lines.items())
        for (target, key), line in items:
            mark, style = ("✓", "green") if line.ok else ("✗", "red")
            if not line.done:
                mark, style = "…", "yellow"
            row = Text()
            row.append(f"{mark} ", style=style)
            row.append(f"{target}/{key}", style="bold")
            row.append(f"  {line.step}: {line.state}")
            until = line.ended if line.ended is not None else now
            row.append(f"  {format_elapsed(until - line.since)}", style="dim")
            rows.append(row)
        return Group(*rows)


class LiveProgress:
    """A rich live display on a terminal: one line per connector with its elapsed time."""

    def __init__(self, stream: TextIO, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._board = _Board(clock=clock)
        self._live = Live(
            self._board,
            console=Console(file=stream),
            refresh_per_second=4,
            transient=False,
        )
        self._started = False

    def __enter__(self) -> Self:
        self._start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self._live.start()
            # Used without ``with``: still restore the cursor and print the last frame at exit.
            atexit.register(self.close)

    def close(self) -> None:
        """Stop the display (idempotent), leaving its last frame on the terminal."""
        self._live.stop()

    def _set(self, target: str, key: str, step: str, state: str, *, done: bool, ok: bool) -> None:
        self._start()
        now = self._board.clock()
        with self._board.lock:
            line = self._board.lines.get((target, key))
            if line is None or line.step != step:
                line = _Line(step, state, now, now)
                self._board.lines[(target, key)] = line
            line.state, line.done, line.ok = _safe(state), done, ok
            line.ended = now if done else None

    def started(self, target: str, key: str, step: str) -> None:
        self._set(target, key, step, "started", done=False, ok=True)

    def changed(self, target: str, key: str, step: str, state_text: str) -> None:
        self._set(target, key, step, state_text, done=False, ok=True)

    def finished(self, target: str, key: str, step: str, state_text: str, *, ok: bool) -> None:
        self._set(target, key, step, state_text, done=True, ok=ok)


def make_progress(stream: TextIO = sys.stderr, *, is_ci: bool) -> PlainProgress | LiveProgress:
    """The live display on an interactive terminal, plain lines in CI or when piped.

    Use it as a context manager around the run so the live display is started and stopped
    (the live display also starts on its first event and stops at exit if used without).
    """
    interactive = not is_ci and stream.isatty()
    return LiveProgress(stream) if interactive else PlainProgress(stream)
