"""The smallest list of update actions that makes a live connector match its declaration.

Both sides are reduced to plain dicts of the managed fields only (in API form), so unmanaged
fields never show up. Equal connectors, the common case, return at once without importing
deepdiff (which is slow to import). Otherwise deepdiff says *where* the two differ, and the
values of every action come from the declared dict, never from deepdiff's report: its report
shape (a replaced list item reported as ``values_changed``, a whole nested dict added) can
therefore never make an action wrong, only decide which fields are looked at.

Actions come in one canonical order, the order of design.md section 4's table:
``setName``, ``setDescription``, ``setDocumentationUrl``, ``setIntegrationTypes``,
``setSupportedRegions``, the creator actions in :data:`CREATOR_FIELDS` order, ``setRepository``,
then ``removePrivateProject`` for every removed project and ``addPrivateProject`` for every added
one, each sorted. Removes come first so that a connector never holds more projects during the
request than before or after it (should the API ever cap the list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connect_gitops.core.actions import (
    AddPrivateProject,
    RemovePrivateProject,
    SetCreatorCompany,
    SetCreatorEmail,
    SetCreatorLogo,
    SetCreatorName,
    SetCreatorNoOfContributors,
    SetCreatorSupportUrl,
    SetCreatorTitle,
    SetDescription,
    SetDocumentationUrl,
    SetIntegrationTypes,
    SetName,
    SetRepository,
    SetSupportedRegions,
    UpdateAction,
)
from connect_gitops.core.declarations import (
    CREATOR_FIELDS,
    MANAGED_FIELDS,
    ConnectorDeclaration,
    managed_fields,
)
from connect_gitops.core.live import ConnectorStaged, live_managed_fields
from connect_gitops.core.plan import FieldChange

SET_FIELDS: tuple[str, ...] = ("integrationTypes", "supportedRegions", "privateProjects")
"""Lists with set semantics: order and duplicates do not matter."""

REPOSITORY_FIELDS: tuple[str, ...] = ("url", "tag")

NESTED_FIELDS: dict[str, tuple[str, ...]] = {
    "creator": CREATOR_FIELDS,
    "repository": REPOSITORY_FIELDS,
}
"""Managed fields that are objects, with their sub-fields in canonical order."""

_SCALAR_ACTIONS: dict[str, Callable[[Any], UpdateAction]] = {
    "name": lambda value: SetName(name=value),
    "description": lambda value: SetDescription(description=value),
    "documentationUrl": lambda value: SetDocumentationUrl(documentationUrl=value),
}

_CREATOR_ACTIONS: dict[str, Callable[[Any], UpdateAction]] = {
    "name": lambda value: SetCreatorName(creatorName=value),
    "title": lambda value: SetCreatorTitle(creatorTitle=value),
    "email": lambda value: SetCreatorEmail(creatorEmail=value),
    "company": lambda value: SetCreatorCompany(creatorCompany=value),
    "noOfContributors": lambda value: SetCreatorNoOfContributors(creatorNoOfContributors=value),
    "supportUrl": lambda value: SetCreatorSupportUrl(creatorSupportUrl=value),
    "logoUrl": lambda value: SetCreatorLogo(logoUrl=value),
}

_Location = tuple[str, ...]
"""Where two dicts differ: ``(field,)`` or ``(field, sub-field)``; ``()`` means anywhere."""


@dataclass(frozen=True, slots=True)
class Diff:
    """What it takes to make one live connector match its declaration."""

    actions: list[UpdateAction] = field(default_factory=list)
    """Update actions in canonical order; empty when the connector matches."""
    fields: list[FieldChange] = field(default_factory=list)
    """Every differing managed field: ``before`` is live, ``after`` is declared."""

    @property
    def empty(self) -> bool:
        return not self.actions


def diff(declared: ConnectorDeclaration, live: ConnectorStaged) -> Diff:
    """The actions and field changes that make ``live`` match ``declared``.

    Fields the declaration omits are not managed and never compared.
    """
    wanted = managed_fields(declared)
    return diff_fields(wanted, live_managed_fields(live, wanted))


def diff_fields(wanted: Mapping[str, Any], current: Mapping[str, Any]) -> Diff:
    """The diff of two managed-field dicts in API form (declared ``wanted``, live ``current``).

    ``current`` holds the same fields as ``wanted`` (see :func:`live_managed_fields`).
    """
    if wanted == current:
        return Diff()  # the common case, cheapest first: no list to sort
    wanted_set, current_set = normalised(wanted), normalised(current)
    if wanted_set == current_set:
        return Diff()
    locations = _changed_locations(current_set, wanted_set)
    result = _map(wanted, current, locations)
    if not result.actions:
        # deepdiff saw a difference that no location mapped to: look at every field, so a
        # report shape we did not expect can never hide a change.
        result = _map(wanted, current, {()})
    return result


def normalised(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Set-like lists sorted and deduplicated, so equal sets compare equal."""
    return {
        name: sorted(set(value)) if name in SET_FIELDS and isinstance(value, list) else value
        for name, value in fields.items()
    }


def _changed_locations(current: dict[str, Any], wanted: dict[str, Any]) -> set[_Location]:
    """Where deepdiff sees a difference, as top-level / second-level field names."""
    from deepdiff import DeepDiff  # lazily: unchanged connectors never pay for the import

    tree = DeepDiff(current, wanted, ignore_order=True, threshold_to_diff_deeper=0, view="tree")
    locations: set[_Location] = set()
    for items in tree.values():
        for item in items:
            path = item.path(output_format="list")
            names = tuple(str(step) for step in path[:2])
            top = names[:1]
            locations.add(names if top and top[0] in NESTED_FIELDS else top)
    return locations


def _touched(locations: set[_Location], name: str, sub: str | None = None) -> bool:
    if () in locations or (name,) in locations:
        return True
    return sub is not None and (name, sub) in locations


def _map(wanted: Mapping[str, Any], current: Mapping[str, Any], locations: set[_Location]) -> Diff:
    """Actions for the changed locations, valued from ``wanted``, in canonical order."""
    actions: list[UpdateAction] = []
    fields: list[FieldChange] = []
    for name in MANAGED_FIELDS:
        if name not in wanted:
            continue
        after, before = wanted[name], current.get(name)
        if name in NESTED_FIELDS:
            subs = _changed_subfields(name, after, before, locations)
            fields.extend(
                FieldChange(path=f"{name}.{sub}", before=_get(before, sub), after=after[sub])
                for sub in subs
            )
            if name == "creator":
                actions.extend(_CREATOR_ACTIONS[sub](after[sub]) for sub in subs)
            elif subs:
                actions.append(SetRepository(url=after["url"], tag=after["tag"]))
            continue
        if not _touched(locations, name):
            continue
        if name in SET_FIELDS:
            if set(after) == set(before or ()):
                continue
            actions.extend(_set_actions(name, after, before or []))
        elif after == before:
            continue
        else:
            actions.append(_SCALAR_ACTIONS[name](after))
        fields.append(FieldChange(path=name, before=before, after=after))
    return Diff(actions=actions, fields=fields)


def _changed_subfields(
    name: str, after: Mapping[str, Any], before: Any, locations: set[_Location]
) -> list[str]:
    """Declared sub-fields of a nested field that differ, in canonical order."""
    return [
        sub
        for sub in NESTED_FIELDS[name]
        if sub in after and _touched(locations, name, sub) and after[sub] != _get(before, sub)
    ]


def _get(mapping: Any, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, Mapping) else None


def _set_actions(name: str, after: list[Any], before: list[Any]) -> list[UpdateAction]:
    if name == "integrationTypes":
        return [SetIntegrationTypes(integrationTypes=_unique(after))]
    if name == "supportedRegions":
        return [SetSupportedRegions(regions=_unique(after))]
    removed = sorted(set(before) - set(after))
    added = sorted(set(after) - set(before))
    return [
        *(RemovePrivateProject(privateProject=project) for project in removed),
        *(AddPrivateProject(privateProject=project) for project in added),
    ]


def _unique(values: Iterable[str]) -> list[str]:
    """The declared list without duplicates, in the order the user wrote it."""
    return list(dict.fromkeys(values))
