"""The ``connect-gitops`` script and ``python -m connect_gitops``: the process around
:func:`~connect_gitops.cli.group.main`, and the one place that tunes it (design.md section 9).

A run is a short process that imports pydantic, the models and the HTTP client and then builds
objects that live until it ends; the cyclic garbage collector would walk them again and again
(about a twentieth of a plan's CPU time). So collections are made rarer, for the whole process,
never switched off. httpx's own command line, which loads rich and pygments, is left out
(:func:`_without_httpx_command_line`). At the end the process leaves at once (:func:`_leave`).
Code that calls :func:`~connect_gitops.cli.group.main` itself (tests, a library caller) gets
none of this.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import types
from typing import NoReturn

from connect_gitops.cli.group import EXIT_FAILURE, EXIT_OK, main

COLLECTOR_THRESHOLD = 200_000
"""Allocations between two collections of the youngest generation (Python's default is 700)."""


def run() -> NoReturn:
    """The command line with a rarer collector; leave without the interpreter's clean-up."""
    _without_httpx_command_line()
    gc.set_threshold(COLLECTOR_THRESHOLD, *gc.get_threshold()[1:])
    try:
        main(prog_name="connect-gitops")
    except SystemExit as done:
        _leave(done.code)
    raise AssertionError("main() always exits")  # pragma: no cover


def _without_httpx_command_line() -> None:
    """Make ``import httpx`` load the library without httpx's own command line.

    ``httpx/__init__`` imports ``httpx._main`` (the ``httpx`` command), which imports rich,
    pygments and click whenever they are installed: rich and pygments are some 50 ms of a
    1,000-connector plan that never draws on a terminal (measured with ``make bench``; the plan
    budget is not met without it). A stand-in module makes httpx fall back to its stub ``main``,
    exactly as it does where those packages are absent. It must run before the first
    ``import httpx``: the ``connect_gitops.cli`` package imports no HTTP code, and
    tests/integration/test_lean_plan.py checks that a plan through this entry loads no rich.
    rich itself is unaffected: the live display and colour still import it when they are used.
    """
    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))


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
