"""Unexpected exceptions (bugs) as one line for the user, never with a secret in it.

A bug must not print the client secret or an access token, even when the exception's text holds
one (a pydantic error quoting an answer that echoed the Authorization header, say). Plain Python
tracebacks show no local variables; the text of the exception and its chain is what could leak,
so every known secret is replaced before anything is printed.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable, Mapping

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 4
"""Shorter values are not replaced: replacing "abc" everywhere would garble the message."""
MESSAGE_LIMIT = 300

MIN_FRAGMENT = 8
"""A run of at least this many secret-looking characters that is part of a secret is replaced."""
_SECRET_RUN = re.compile(rf"[A-Za-z0-9_\-+/=~]{{{MIN_FRAGMENT},}}")
_SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|API_?KEY", re.I)


class Secrets:
    """The secret values this process knows: from the environment, and tokens as they arrive."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        for value in values:
            self.remember(value)

    def __repr__(self) -> str:
        return f"Secrets({len(self._values)} values)"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], names: Iterable[str] = ()) -> Secrets:
        """Values of variables whose name says secret (or that are named in ``names``)."""
        wanted = set(names)
        return cls(v for k, v in environ.items() if k in wanted or _SECRET_NAME.search(k))

    def remember(self, value: str) -> None:
        """Add a secret (an access token when it is issued); each line of it counts."""
        for line in (value, *value.splitlines()):
            if len(line.strip()) >= MIN_SECRET_LENGTH:
                self._values.add(line.strip())

    def redact(self, text: str) -> str:
        """``text`` with every known secret replaced, and every fragment of one.

        Fragments matter: pydantic shortens a long input value in its messages to its head and
        tail around ``...``, which would show most of a token that exact matching misses.
        """
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, REDACTED)

        def fragment(match: re.Match[str]) -> str:
            run = match.group(0)
            return REDACTED if any(run in value for value in self._values) else run

        return _SECRET_RUN.sub(fragment, text)


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
