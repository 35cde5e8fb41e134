"""The emulator shares no code with the reconciler, so their bugs cannot mirror each other.

import-linter (run by `make test`) forbids the imports statically; this test checks what really
gets loaded: importing and running every emulator module pulls in nothing else of connect_gitops.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import connect_gitops.emulator

EMULATOR = Path(connect_gitops.emulator.__file__).parent

PROBE = """
import importlib, json, pkgutil, sys
import connect_gitops.emulator as package
for module in pkgutil.iter_modules(package.__path__):
    importlib.import_module(f"connect_gitops.emulator.{module.name}")
from connect_gitops.emulator.app import create_app
create_app()
print(json.dumps(sorted(name for name in sys.modules if name.startswith("connect_gitops"))))
"""


def test_the_emulator_loads_nothing_of_the_reconciler() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = json.loads(done.stdout)
    outside = [
        name
        for name in loaded
        if name != "connect_gitops" and not name.startswith("connect_gitops.emulator")
    ]
    assert outside == []
    assert len(loaded) > len(list(EMULATOR.glob("*.py"))) - 1


def test_the_reconciler_imports_the_emulator_only_from_the_cli() -> None:
    package = EMULATOR.parent
    importers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if not path.is_relative_to(EMULATOR) and "connect_gitops.emulator" in path.read_text()
    )
    # testing.py: the pytest plugin that serves the emulator to other projects' tests
    assert importers == ["cli/emulator.py", "cli/running.py", "testing.py"]
