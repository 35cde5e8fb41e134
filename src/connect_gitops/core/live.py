"""What the API returns: a ConnectorStaged as read, unknown fields ignored.

Only what the reconciler needs is typed; responses may carry more, and future API fields must
never break a plan.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from connect_gitops.core.declarations import CREATOR_FIELDS, MANAGED_FIELDS

_LENIENT = ConfigDict(extra="ignore", frozen=True)


class LiveCreator(BaseModel):
    """The creator block as the API returns it."""

    model_config = _LENIENT

    email: str | None = None
    name: str | None = None
    title: str | None = None
    company: str | None = None
    logoUrl: str | None = None
    noOfContributors: int | None = None
    supportUrl: str | None = None


class LiveRepository(BaseModel):
    """The repository block as the API returns it."""

    model_config = _LENIENT

    url: str | None = None
    tag: str | None = None


class ReportEntry(BaseModel):
    """One entry of a previewable or publishing report."""

    model_config = _LENIENT

    type: str = "Information"
    title: str = ""
    message: str | None = None
    createdAt: str | None = None


class Report(BaseModel):
    """A previewableReport or publishingReport."""

    model_config = _LENIENT

    entries: list[ReportEntry] = Field(default_factory=list)


class ConnectorStaged(BaseModel):
    """A live ConnectorStaged: the managed fields plus the server-owned state we act on."""

    model_config = _LENIENT

    id: str
    key: str
    version: int
    name: str | None = None
    description: str | None = None
    documentationUrl: str | None = None
    integrationTypes: list[str] = Field(default_factory=list)
    supportedRegions: list[str] = Field(default_factory=list)
    creator: LiveCreator = Field(default_factory=LiveCreator)
    repository: LiveRepository = Field(default_factory=LiveRepository)
    privateProjects: list[str] = Field(default_factory=list)
    private: bool = True
    status: str = "Draft"
    hasChanges: bool | None = None
    alreadyListed: bool | None = None
    isPreviewable: str = "none"
    previewableReport: Report | None = None
    publishingReport: Report | None = None


def live_managed_fields(live: ConnectorStaged, declared: dict[str, Any]) -> dict[str, Any]:
    """The live values of exactly the fields present in ``declared`` (the managed ones).

    Nested mappings (creator, repository) are narrowed to the declared sub-fields, so a live
    value the user does not manage never shows up in the diff.
    """
    result: dict[str, Any] = {}
    for name in declared:  # already in canonical order (managed_fields)
        if name not in _MANAGED:
            continue
        value = getattr(live, name)
        nested = _NESTED.get(name)
        if nested is not None:  # plain str / int sub-fields: read, not dumped
            wanted = declared[name]
            result[name] = {f: getattr(value, f) for f in nested if f in wanted}
        else:
            result[name] = list(value) if isinstance(value, list) else value
    return result


_MANAGED = frozenset(MANAGED_FIELDS)
_NESTED: dict[str, tuple[str, ...]] = {"creator": CREATOR_FIELDS, "repository": ("url", "tag")}
