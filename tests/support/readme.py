"""Code blocks of the README, so that tests run exactly what the README shows."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def code_block(after: str, language: str) -> str:
    """The first fenced ``language`` block that follows the line starting with ``after``."""
    text = README.read_text(encoding="utf-8")
    heading = re.search(rf"^{re.escape(after)}.*$", text, re.MULTILINE)
    assert heading is not None, f"README has no line starting with {after!r}"
    block = re.compile(rf"^( *)```{re.escape(language)}\n(.*?)^\1```$", re.MULTILINE | re.DOTALL)
    found = block.search(text, heading.end())
    assert found is not None, f"README has no {language} block after {after!r}"
    indent = len(found.group(1))
    return "".join(line[indent:] + "\n" for line in found.group(2).splitlines())
