"""Adopting live connectors: the declaration that describes a live connector exactly.

Pure: ``connect-gitops export`` reads the live connectors and edits files; this module decides
*what* to write. Two cases:

- a new declaration (:func:`new_declaration`) holds every managed field that has a value live,
  in the field order of the documentation's examples, and no ``reconcile`` block beyond the
  target (its defaults are what a new file means);
- an existing declaration keeps its scope: :func:`adoption_edits` rewrites only the fields it
  already manages whose live value differs, and removes a managed field that live has no value
  for (an omitted field is unmanaged, which is the only way to say "no value" without the next
  plan writing one). To manage another field, add it with any value and export again.

Either way the result is validated as a :class:`ConnectorDeclaration`, so what export writes
passes ``validate`` and plans as no change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from connect_gitops.core.declarations import (
    CREATOR_FIELDS,
    MANAGED_FIELDS,
    ConnectorDeclaration,
)
from connect_gitops.core.diff import NESTED_FIELDS, SET_FIELDS, normalised
from connect_gitops.core.live import ConnectorStaged

FILE_ORDER: tuple[str, ...] = tuple(ConnectorDeclaration.model_fields)
"""Top-level field order of a new declaration file: the order of the documented examples."""

CREATOR_FILE_ORDER: tuple[str, ...] = (
    "email",
    "name",
    "title",
    "company",
    "noOfContributors",
    "supportUrl",
    "logoUrl",
)
"""Creator field order of a new declaration file (email first: it is the required one)."""

NO_LIVE_VALUE = "live has no value; the field is no longer managed"
NO_REGIONS = "live has no supported regions, and a declared list may not be empty"
PUBLIC = "the connector is public: private projects cannot be managed"
NO_REPOSITORY = "live has no complete repository (url and tag)"


class AdoptionError(ValueError):
    """Live values that do not make a valid declaration (every reason in the message)."""


@dataclass(frozen=True, slots=True)
class FieldEdit:
    """One change to an existing declaration: a managed field set to its live value, or removed."""

    path: tuple[str, ...]
    """``("name",)`` or ``("creator", "email")``."""
    before: Any
    """The declared value."""
    after: Any
    """The live value; ``None`` when the field is removed."""
    note: str | None = None
    """Why the field is removed; ``None`` for a value that is set."""

    @property
    def removed(self) -> bool:
        return self.note is not None

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


def live_values(live: ConnectorStaged) -> dict[str, Any]:
    """Every managed field that has a value live, in API form (canonical order).

    Empty strings and empty lists count as no value; lists keep the live order, without
    repeats; ``privateProjects`` only on a private connector (a public one cannot hold them).
    """
    values: dict[str, Any] = {}
    for name in MANAGED_FIELDS:
        value = getattr(live, name)
        if isinstance(value, BaseModel):
            nested = {
                sub: getattr(value, sub)
                for sub in NESTED_FIELDS[name]
                if getattr(value, sub) not in (None, "")
            }
            if name == "repository" and len(nested) < len(NESTED_FIELDS[name]):
                continue
            if nested:
                values[name] = nested
        elif isinstance(value, list):
            if value and (name != "privateProjects" or live.private):
                values[name] = list(dict.fromkeys(value))
        elif value not in (None, ""):
            values[name] = value
    return values


def new_declaration(live: ConnectorStaged, *, target: str | None = None) -> dict[str, Any]:
    """The document of a new declaration file for ``live``, in file order; validated.

    ``target`` is written as ``reconcile.target`` (pass it when it is not the default target,
    so that plan finds the declaration in the same target). Raises :class:`AdoptionError`.
    """
    values = live_values(live)
    document: dict[str, Any] = {"key": live.key}
    for name in FILE_ORDER[1:-1]:
        if name not in values:
            continue
        value = values[name]
        if name == "creator":
            value = {sub: value[sub] for sub in CREATOR_FILE_ORDER if sub in value}
        document[name] = value
    if target is not None:
        document["reconcile"] = {"target": target}
    validate(document)
    return document


def adoption_edits(declared: Mapping[str, Any], live: ConnectorStaged) -> list[FieldEdit]:
    """The edits that make declared managed fields (API form) match ``live``, scope kept.

    Set-like lists that hold the same items in another order are left alone: the order in
    the file is the user's.
    """
    current = live_values(live)
    edits: list[FieldEdit] = []
    for name in MANAGED_FIELDS:
        if name not in declared:
            continue
        wanted = declared[name]
        if name in NESTED_FIELDS:
            edits += _nested_edits(name, wanted, current.get(name))
        elif name in SET_FIELDS:
            edits += _list_edits(name, wanted, current.get(name), live)
        elif name not in current and getattr(live, name) is None:
            edits.append(FieldEdit((name,), wanted, None, NO_LIVE_VALUE))
        elif wanted != (value := getattr(live, name)):
            edits.append(FieldEdit((name,), wanted, value))
    return edits


def _list_edits(
    name: str, wanted: Sequence[Any], value: list[Any] | None, live: ConnectorStaged
) -> list[FieldEdit]:
    if name == "privateProjects" and not live.private:
        return [FieldEdit((name,), list(wanted), None, PUBLIC)]
    items = value or []
    if not items and name == "supportedRegions":
        return [FieldEdit((name,), list(wanted), None, NO_REGIONS)]
    if normalised({name: list(wanted)}) == normalised({name: items}):
        return []
    return [FieldEdit((name,), list(wanted), items)]


def _nested_edits(
    name: str, wanted: Mapping[str, Any], value: Mapping[str, Any] | None
) -> list[FieldEdit]:
    if name == "repository":
        if value is None:
            return [FieldEdit((name,), dict(wanted), None, NO_REPOSITORY)]
        return [
            FieldEdit((name, sub), wanted[sub], value[sub])
            for sub in NESTED_FIELDS[name]
            if wanted.get(sub) != value[sub]
        ]
    live_nested = value or {}
    edits: list[FieldEdit] = []
    for sub in CREATOR_FIELDS:
        if sub not in wanted:
            continue
        if sub not in live_nested:
            edits.append(FieldEdit((name, sub), wanted[sub], None, NO_LIVE_VALUE))
        elif wanted[sub] != live_nested[sub]:
            edits.append(FieldEdit((name, sub), wanted[sub], live_nested[sub]))
    return edits


def edited(declared: Mapping[str, Any], edits: Sequence[FieldEdit]) -> dict[str, Any]:
    """The declared managed fields after ``edits``; a nested block left empty is removed."""
    result = {
        name: dict(value) if isinstance(value, Mapping) else value
        for name, value in declared.items()
    }
    for edit in edits:
        parent = result
        for step in edit.path[:-1]:
            parent = parent[step]
        if edit.removed:
            del parent[edit.path[-1]]
        else:
            parent[edit.path[-1]] = edit.after
        if len(edit.path) > 1 and not result[edit.path[0]]:
            del result[edit.path[0]]
    return result


def validate(document: Mapping[str, Any]) -> ConnectorDeclaration:
    """``document`` as a declaration, or :class:`AdoptionError` naming every invalid field."""
    try:
        return ConnectorDeclaration.model_validate(dict(document))
    except ValidationError as error:
        reasons = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'declaration'}: {item['msg']}"
            for item in error.errors()
        )
        raise AdoptionError(
            f"the live values of {document.get('key')!r} are not a valid declaration: {reasons}"
        ) from None


@dataclass(frozen=True, slots=True)
class ExportedFile:
    """One file export wrote (or would write), and why."""

    path: Path
    kind: Literal["created", "updated", "unchanged"]
    keys: tuple[str, ...]
    text: str
    """The file's content after the export."""
    previous: str | None = None
    """Its content before (``None`` for a new file)."""
    edits: tuple[FieldEdit, ...] = ()
    resource: Literal["connector", "deployment"] = "connector"
    """What the keys name: connectors, or deployments."""


@dataclass(slots=True)
class ExportResult:
    """What export did for one target."""

    target: str
    files: list[ExportedFile] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    """Connectors that could not be exported, each with the reason."""
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.failures

    def count(self, kind: str, resource: str = "connector") -> int:
        return sum(len(f.keys) for f in self.files if f.kind == kind and f.resource == resource)
