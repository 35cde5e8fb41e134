"""The emulator's state: projects of connectors and deployments, tokens, clients, settings, faults.

Connectors are plain dicts in their wire form, so a query serialises stored objects directly.
Deployments are stored in wire form too, except that secured values are kept as hashes
(`valueSha256`), never in clear; `deployment_view` renders them. Lifecycle bookkeeping the API
never shows lives beside them in `Project.meta` and `Project.deployment_meta`. The whole state
round-trips through JSON (`dump` / `load`), which is what `--state FILE` persists atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from connect_gitops.emulator.errors import JsonObject, invalid_json
from connect_gitops.emulator.settings import Faults, Settings

FORMAT_VERSION = 1


def timestamp(epoch: float) -> str:
    """Connect's timestamp format: ISO 8601, milliseconds, UTC."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def digest(secret: str) -> str:
    """Tokens and client secrets are kept as hashes, so a state dump reveals none."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class Project:
    """One project's connectors and deployments; dict order is creation order (default sort)."""

    connectors: dict[str, JsonObject] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)
    meta: dict[str, JsonObject] = field(default_factory=dict)
    published: dict[str, JsonObject] = field(default_factory=dict)
    deployments: dict[str, JsonObject] = field(default_factory=dict)
    deployment_keys: dict[str, str] = field(default_factory=dict)
    deployment_meta: dict[str, JsonObject] = field(default_factory=dict)

    def find(self, *, id: str | None = None, key: str | None = None) -> JsonObject | None:
        if key is not None:
            id = self.by_key.get(key)
        return None if id is None else self.connectors.get(id)

    def store(self, connector: JsonObject) -> None:
        self.connectors[connector["id"]] = connector
        if connector.get("key") is not None:
            self.by_key[connector["key"]] = connector["id"]

    def remove(self, connector: JsonObject) -> None:
        del self.connectors[connector["id"]]
        self.by_key.pop(connector.get("key") or "", None)
        self.meta.pop(connector["id"], None)
        self.published.pop(connector["id"], None)

    def find_deployment(
        self, *, id: str | None = None, key: str | None = None
    ) -> JsonObject | None:
        if key is not None:
            id = self.deployment_keys.get(key)
        return None if id is None else self.deployments.get(id)

    def store_deployment(self, deployment: JsonObject) -> None:
        self.deployments[deployment["id"]] = deployment
        if deployment.get("key") is not None:
            self.deployment_keys[deployment["key"]] = deployment["id"]

    def remove_deployment(self, deployment: JsonObject) -> None:
        del self.deployments[deployment["id"]]
        self.deployment_keys.pop(deployment.get("key") or "", None)
        self.deployment_meta.pop(deployment["id"], None)

    def dump(self) -> JsonObject:
        return {
            "connectors": list(self.connectors.values()),
            "meta": self.meta,
            "published": self.published,
            "deployments": list(self.deployments.values()),
            "deploymentMeta": self.deployment_meta,
        }

    @classmethod
    def load(cls, data: JsonObject) -> Project:
        project = cls(
            meta=dict(data.get("meta", {})),
            published=dict(data.get("published", {})),
            deployment_meta=dict(data.get("deploymentMeta", {})),
        )
        for connector in data.get("connectors", []):
            project.store(connector)
        for deployment in data.get("deployments", []):
            project.store_deployment(deployment)
        return project


@dataclass
class State:
    """Everything `GET /_emulator/state` shows and `POST /_emulator/reset` forgets."""

    projects: dict[str, Project] = field(default_factory=dict)
    tokens: dict[str, JsonObject] = field(default_factory=dict)
    clients: list[JsonObject] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    faults: Faults = field(default_factory=Faults)

    def project(self, name: str) -> Project:
        found = self.projects.get(name)
        if found is None:
            found = self.projects[name] = Project()
        return found

    def dump(self) -> JsonObject:
        return {
            "formatVersion": FORMAT_VERSION,
            "projects": {name: project.dump() for name, project in self.projects.items()},
            "tokens": self.tokens,
            "clients": self.clients,
            "settings": self.settings.model_dump(),
            "faults": self.faults.model_dump(),
        }

    @classmethod
    def load(cls, data: Any) -> State:
        """A state from its dump; raises `ApiError` (InvalidJsonInput) when it is malformed."""
        if not isinstance(data, dict):
            raise invalid_json("state: expected a JSON object")
        try:
            return cls(
                projects={
                    name: Project.load(p) for name, p in dict(data.get("projects", {})).items()
                },
                tokens=dict(data.get("tokens", {})),
                clients=[_client(c) for c in data.get("clients", [])],
                settings=Settings.model_validate(data.get("settings", {})),
                faults=Faults.model_validate(data.get("faults", {})),
            )
        except (ValidationError, TypeError, KeyError, AttributeError, ValueError) as exc:
            raise invalid_json(
                f"state: {exc.__class__.__name__}: {str(exc).splitlines()[0]}"
            ) from None


def _client(data: Any) -> JsonObject:
    """A configured API client; a plain `clientSecret` is replaced by its hash."""
    if not isinstance(data, dict) or not isinstance(data.get("clientId"), str):
        raise ValueError("clients: each client needs a clientId")
    secret_hash = data.get("clientSecretSha256")
    if isinstance(data.get("clientSecret"), str):
        secret_hash = digest(data["clientSecret"])
    if not isinstance(secret_hash, str):
        raise ValueError(f"clients: client {data['clientId']!r} needs a clientSecret")
    scopes = data.get("scopes", [])
    if not isinstance(scopes, list):
        raise ValueError(f"clients: scopes of {data['clientId']!r} must be a list")
    return {"clientId": data["clientId"], "clientSecretSha256": secret_hash, "scopes": scopes}


class StateFileError(ValueError):
    """The state file exists but cannot be used; it is left untouched."""


class StateFile:
    """`--state FILE`: loaded at start, rewritten atomically (temporary file, rename) on change.

    Remembers the file's identity (inode, size, modification time) as of its last load or save,
    so `changed()` tells cheaply whether another process wrote it since.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int, int, int] | None = None

    def _identity(self) -> tuple[int, int, int] | None:
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (found.st_ino, found.st_size, found.st_mtime_ns)

    def changed(self) -> bool:
        """Whether the file is not the one this process last read or wrote (a vanished file
        is not a change: the state in memory is kept and written again on the next commit)."""
        identity = self._identity()
        return identity is not None and identity != self._seen

    def load(self) -> State:
        identity = self._identity()
        if identity is None:
            return State()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            state = State.load(data)
            self._seen = identity
            return state
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StateFileError(
                f"emulator state file {self.path} cannot be read ({exc}); "
                "fix or remove it (it was left unchanged)"
            ) from None
        except Exception as exc:
            detail = getattr(exc, "extra", {}).get("detailedErrorMessage", str(exc))
            raise StateFileError(
                f"emulator state file {self.path} is not a valid emulator state ({detail}); "
                "fix or remove it (it was left unchanged)"
            ) from None

    def save(self, state: State) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(state.dump(), separators=(",", ":"))
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, self.path)
            self._seen = self._identity()
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
