"""examples/renovate.json's custom regex manager, applied the way Renovate applies it.

Renovate runs `matchStrings` with RE2 (through node-re2), JavaScript syntax, flag `g` only: no
multiline, so `^`/`$` are the ends of the file and `.` stops at a newline. This test runs the
same expressions with Python's `re` and no flags; the one syntax difference, a named group
`(?<name>...)`, is translated to Python's `(?P<name>...)`. The expressions are first checked to
stay inside what RE2 supports (no lookaround, no backreference), so the two engines agree.

`matchStringsStrategy: recursive` is emulated as Renovate's strategies.ts does it: every match of
the first expression over the file, then the second expression over each such match; groups are
merged, and the last match is the `replaceString` that Renovate's auto-replace edits.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CONFIG: dict[str, Any] = json.loads((EXAMPLES / "renovate.json").read_text(encoding="utf-8"))
[MANAGER] = CONFIG["customManagers"]

NAMED_GROUP = re.compile(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>")
NOT_IN_RE2 = re.compile(r"\(\?[=!]|\(\?<[=!]|\(\?>|\\[1-9]|\\k<|[*+?}][+]")


def python_regex(renovate_pattern: str) -> re.Pattern[str]:
    """A `matchStrings` entry as Python's re runs it (no flags, as Renovate's `g` has none)."""
    assert not NOT_IN_RE2.search(renovate_pattern), "RE2 has no lookaround or backreference"
    assert "(?P<" not in renovate_pattern, "named groups are written (?<name>...) for Renovate"
    return re.compile(NAMED_GROUP.sub(r"(?P<\1>", renovate_pattern))


def file_pattern_matches(pattern: str, path: str) -> bool:
    """`managerFilePatterns`: `/regex/` is a regular expression over the repository path."""
    slashed = re.fullmatch(r"/(.*)/", pattern)
    assert slashed is not None, "only /regex/ patterns are used"
    return python_regex(slashed.group(1)).search(path) is not None


@dataclass(frozen=True)
class Dependency:
    depName: str
    currentValue: str
    replaceString: str


def extract(content: str) -> list[Dependency]:
    """Renovate's `recursive` strategy over one file's content."""
    first, *rest = (python_regex(p) for p in MANAGER["matchStrings"])
    found: list[Dependency] = []

    def walk(text: str, index: int, groups: dict[str, str]) -> None:
        if index == len(rest):
            found.append(Dependency(groups["depName"], groups["currentValue"], text))
            return
        for match in rest[index].finditer(text):
            merged = {**groups, **{k: v for k, v in match.groupdict().items() if v is not None}}
            walk(match.group(0), index + 1, merged)

    for match in first.finditer(content):
        walk(match.group(0), 0, {k: v for k, v in match.groupdict().items() if v is not None})
    return [d for d in found if d.depName and d.currentValue]


def auto_replace(content: str, index: int, new_value: str) -> str:
    """Renovate's auto-replace (update/branch/auto-replace.ts): every occurrence of the old value
    inside `replaceString` is replaced; the first place in the file where that edit re-extracts
    the same dependency with the new value is kept."""
    dependency = extract(content)[index]
    edited = dependency.replaceString.replace(dependency.currentValue, new_value)
    start = content.find(dependency.replaceString)
    while start != -1:
        candidate = content[:start] + edited + content[start + len(dependency.replaceString) :]
        again = extract(candidate)
        if (
            len(again) > index
            and again[index].depName == dependency.depName
            and again[index].currentValue == new_value
        ):
            return candidate
        start = content.find(dependency.replaceString, start + 1)
    raise AssertionError(f"Renovate could not update {dependency}")
