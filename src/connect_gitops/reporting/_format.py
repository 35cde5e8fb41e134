"""Small formatting helpers shared by the renderers: values, locations, plurals, safe text.

Values come from users' files and from the live API, so every renderer passes them through
:func:`clean` first: a connector name must not be able to move the cursor, recolour a terminal,
reverse text direction or break a line in a CI log.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from connect_gitops.core.plan import Change
from connect_gitops.core.text import UNSAFE_RANGES

UNSET = "(unset)"
"""How a field that has no value is shown (``None`` before a create, a removed description)."""

VALUE_MAX_CHARS = 80
"""Longer values are shortened with an ellipsis: a plan is read, not diffed byte by byte."""

CHANGE_SYMBOL = {
    "create": "+",
    "update": "~",
    "redeploy": "~",
    "replace": "-/+",
    "blocked": "!",
    "noop": "=",
}
"""The mark of each kind of change, the same in every report."""
OUTCOME_SYMBOL = {
    "created": "+",
    "updated": "~",
    "redeployed": "~",
    "replaced": "-/+",
    "unchanged": "=",
    "blocked": "!",
    "stale": "!",
    "failed": "!",
}
"""The mark of each apply outcome, the same in every report."""

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


_TRANSLATION = {
    code: _escape(chr(code)) for low, high in UNSAFE_RANGES for code in range(low, high + 1)
}


def clean(text: str) -> str:
    """``text`` on one line with every control character shown as a visible escape."""
    return text.translate(_TRANSLATION)


def shorten(text: str, max_chars: int = VALUE_MAX_CHARS) -> str:
    """``text`` cut to ``max_chars`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def format_value(value: Any, *, max_chars: int = VALUE_MAX_CHARS) -> str:
    """A field value as compact JSON (strings quoted, lists inline), cleaned and shortened."""
    if value is None:
        return UNSET
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    return shorten(clean(text), max_chars)


def location(target: str, file: str | None, line: int | None) -> str:
    """``eu, connectors/tax.yaml:1``: where a change comes from (without parentheses)."""
    parts = [clean(target)]
    if file:
        parts.append(clean(file) + (f":{line}" if line is not None else ""))
    return ", ".join(parts)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 orphan`` / ``2 orphans``."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


def flatten(document: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Dotted paths and leaf values of a nested draft; lists are leaves, shown whole."""
    for name, value in document.items():
        path = f"{prefix}{name}"
        if isinstance(value, Mapping) and value:
            yield from flatten(value, path + ".")
        else:
            yield path, value


def draft_fields(change: Change) -> list[tuple[str, Any]]:
    """The fields a create sends, except the key that already names the change."""
    return [(path, value) for path, value in flatten(change.draft or {}) if path != "key"]


def action_names(change: Change) -> list[str]:
    """The update actions of a change, for changes that carry no field diffs."""
    return [action.action for action in change.actions]


def log_line_text(line: Mapping[str, str]) -> str:
    """A failed build's log line: ``application | timestamp severity message``, cleaned."""
    when = " ".join(line[name] for name in ("timestamp", "severity") if line.get(name))
    head = f"{line.get('application', '?')} | {when}".rstrip()
    return clean(f"{head} {line.get('message', '')}".rstrip())
