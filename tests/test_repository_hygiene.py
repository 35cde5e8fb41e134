"""The repository works wherever it is cloned: no tracked file names one machine's checkout."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.support.paths import REPOSITORY

ROOT = REPOSITORY
# An absolute path into a virtual environment or a site-packages folder is one machine's path.
MACHINE_PATH = re.compile(r"""["'`]/[^"'`\s]*/(?:\.venv[^/]*|site-packages)/""")


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    return [ROOT / name.decode() for name in listed if name]


def test_no_tracked_file_names_this_checkout_or_a_virtual_environment() -> None:
    offenders = []
    for path in tracked_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        if str(ROOT) in text or MACHINE_PATH.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
