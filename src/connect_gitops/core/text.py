"""Characters that must never reach a terminal, a CI log or a GitHub page as they are.

One definition for the renderers, which show them escaped, and for the loader, which refuses
file names that hold them.
"""

from __future__ import annotations

import re
from typing import Final

UNSAFE_RANGES: Final = (
    (0x00, 0x1F),  # C0 controls: newline, carriage return, escape, ...
    (0x7F, 0x9F),  # DEL and the C1 controls
    (0x2028, 0x2029),  # line and paragraph separators
    (0x202A, 0x202E),  # bidirectional embeddings and overrides
    (0x2066, 0x2069),  # bidirectional isolates
    (0xD800, 0xDFFF),  # lone surrogates: bytes of a file name that are not UTF-8
)
"""Inclusive ranges of code points that are unsafe to show."""

_UNSAFE: Final = re.compile(
    "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in UNSAFE_RANGES) + "]"
)


def has_unsafe_characters(text: str) -> bool:
    """Whether ``text`` holds a character of :data:`UNSAFE_RANGES`."""
    return _UNSAFE.search(text) is not None
