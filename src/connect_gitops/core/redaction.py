"""The one way secrets are kept out of what users see: messages, errors, logs and tracebacks.

:class:`Secrets` holds the secret values this process knows (the client secret, issued access
tokens, a GitHub token, the values of environment variables whose name says secret) and replaces
each of them, and every long fragment of one, wherever it appears in a text. It also hides the
credentials of any URL (``https://user:token@host`` -> ``https://***@host``), known or not: a
repository URL from a declaration may carry a token nobody told us about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

REDACTED = "[redacted]"
MIN_SECRET_LENGTH = 4
"""Shorter values are not replaced: replacing "abc" everywhere would garble the message."""

MIN_FRAGMENT = 8
"""A run of at least this many secret-looking characters that is part of a secret is replaced."""
_SECRET_RUN = re.compile(rf"[A-Za-z0-9_\-+/=~]{{{MIN_FRAGMENT},}}")
_SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|API_?KEY", re.I)
_URL_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


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
        """``text`` with the credentials of every URL hidden, and every known secret replaced,
        and every fragment of one.

        Fragments matter: pydantic shortens a long input value in its messages to its head and
        tail around ``...``, which would show most of a token that exact matching misses.
        """
        text = _URL_USERINFO.sub("***@", text)
        if not self._values:
            return text
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, REDACTED)

        def fragment(match: re.Match[str]) -> str:
            run = match.group(0)
            return REDACTED if any(run in value for value in self._values) else run

        return _SECRET_RUN.sub(fragment, text)
