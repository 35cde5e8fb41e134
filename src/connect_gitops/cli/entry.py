"""The ``connect-gitops`` script and ``python -m connect_gitops``: the process around
:func:`~connect_gitops.cli.group.main`, and the one place that tunes it.

A run is a short process that imports pydantic, the models and the HTTP client and then builds
objects that live until it ends; the cyclic garbage collector would walk them again and again
(about a twentieth of a plan's CPU time). So collections are made rarer, for the whole process,
never switched off. At the end the process leaves at once (:func:`_leave`). Code that calls
:func:`~connect_gitops.cli.group.main` itself (tests, a library caller) gets neither.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import NoReturn

from connect_gitops.cli.group import EXIT_FAILURE, EXIT_OK, main

COLLECTOR_THRESHOLD = 200_000
"""Allocations between two collections of the youngest generation (Python's default is 700)."""


def run() -> NoReturn:
    """The command line with a rarer collector; leave without the interpreter's clean-up."""
    gc.set_threshold(COLLECTOR_THRESHOLD, *gc.get_threshold()[1:])
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
