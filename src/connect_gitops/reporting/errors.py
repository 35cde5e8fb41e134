"""Unexpected exceptions (bugs) as one line for the user, never with a secret in it.

A bug must not print the client secret or an access token, even when the exception's text holds
one (a pydantic error quoting an answer that echoed the Authorization header, say). Plain Python
tracebacks show no local variables; the text of the exception and its chain is what could leak,
so every known secret is replaced before anything is printed.
"""

from __future__ import annotations

import traceback

from connect_gitops.core.redaction import Secrets

MESSAGE_LIMIT = 300


def describe_internal_error(error: BaseException, secrets: Secrets, *, verbose: bool) -> str:
    """What the user sees for a bug: type and first line of the message; the traceback too with
    ``verbose``. Both pass through ``secrets.redact``."""
    lines = str(error).strip().splitlines()
    message = secrets.redact(lines[0] if lines else "")
    if len(message) > MESSAGE_LIMIT:
        message = message[:MESSAGE_LIMIT] + "..."
    head = f"internal error: {type(error).__name__}"
    head = f"{head}: {message}" if message else head
    if not verbose:
        return f"{head}; please report it (--verbose shows the traceback)"
    trace = "".join(traceback.format_exception(error))
    return f"{secrets.redact(trace).rstrip()}\n{head}; please report it"
