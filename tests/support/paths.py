"""Where the repository's own files are, for tests that read them (examples, schema, source)."""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLES = REPOSITORY / "examples"
SCHEMA_FILE = REPOSITORY / "schema" / "connector.schema.json"
SOURCE = REPOSITORY / "src" / "connect_gitops"
