"""Declaration folders as users write them (``connect-gitops.yaml`` and connector files), and
declared connectors as the loader makes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connect_gitops.core.declarations import ConnectorDeclaration, DeclaredConnector
from tests.support.emulator import PROJECT


def write_config(folder: Path, url: str, *, target: str = "emu", more_targets: str = "") -> Path:
    """connect-gitops.yaml whose default target is the emulator at ``url`` (``more_targets``:
    further entries of ``targets``, as YAML lines)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "connect-gitops.yaml").write_text(
        f"""connectors: ["connectors/**/*.yaml"]
defaultTarget: {target}
targets:
  {target}:
    region: europe-west1.gcp
    projectKey: {PROJECT}
    apiUrl: {url}
    authUrl: {url}
"""
        + more_targets,
        encoding="utf-8",
    )
    return folder


def declaration(key: str, *, tag: str = "v1.0.0", description: str = "Managed in git") -> str:
    """A connector declaration file's text: every field a create needs, and a few more."""
    return f"""key: {key}
name: Connector {key}
description: {description}
integrationTypes: [other]
creator:
  email: team@example.com
  noOfContributors: 2
repository:
  url: git@github.com:example/{key}.git
  tag: {tag}
supportedRegions: [europe-west1.gcp]
"""


def write_declarations(folder: Path, keys: list[str], **fields: Any) -> None:
    """``connectors/<key>.yaml`` for each key (see :func:`declaration` for ``fields``)."""
    connectors = folder / "connectors"
    connectors.mkdir(parents=True, exist_ok=True)
    for key in keys:
        (connectors / f"{key}.yaml").write_text(declaration(key, **fields), encoding="utf-8")


def declared_fields(key: str, *, tag: str, description: str) -> dict[str, Any]:
    """The managed fields of :func:`declaration` as the API shows them once applied."""
    return {
        "key": key,
        "name": f"Connector {key}",
        "description": description,
        "integrationTypes": ["other"],
        "creator": {"email": "team@example.com", "noOfContributors": 2},
        "repository": {"url": f"git@github.com:example/{key}.git", "tag": tag},
        "supportedRegions": ["europe-west1.gcp"],
    }


def creatable(key: str) -> dict[str, Any]:
    """The fields a create needs: name, creator email and repository."""
    return {
        "name": f"Connector {key}",
        "creator": {"email": "team@example.com"},
        "repository": {"url": f"git@github.com:example/{key}.git", "tag": "v1.0.0"},
    }


def declared(key: str, target: str = "emu", *, line: int = 1, **fields: Any) -> DeclaredConnector:
    """``key`` declared with exactly ``fields``, as the loader makes it from
    ``connectors/<key>.yaml``."""
    return DeclaredConnector(
        declaration=ConnectorDeclaration.model_validate({"key": key, **fields}),
        file=f"connectors/{key}.yaml",
        line=line,
        target=target,
    )
