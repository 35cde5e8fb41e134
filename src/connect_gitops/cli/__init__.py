"""The command line: the group and its exit codes (:mod:`.group`), the options commands share
(:mod:`.options`), one module per command, what every reconciling command needs to run and to
report (:mod:`.running`, :mod:`.channels`), and the entry module, the only place that tunes the
process itself (:mod:`.entry`, whose :func:`run` is the ``connect-gitops`` script). A command
parses its arguments, calls one function, renders the result and returns an exit code. Heavy
imports (the HTTP client, the emulator, rich) happen inside the commands that need them, so
``validate`` and ``schema`` start fast.
"""

from connect_gitops.cli import (  # noqa: F401  (each module registers its command on main)
    apply,
    drift,
    emulator,
    export,
    plan,
    schema,
    targets,
    validate,
)
from connect_gitops.cli.entry import run
from connect_gitops.cli.group import main

__all__ = ["main", "run"]
