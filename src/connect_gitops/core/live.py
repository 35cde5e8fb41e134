"""What the API returns: a ConnectorStaged as read, unknown fields ignored.

Only what the reconciler needs is typed; responses may carry more, and future API fields must
never break a plan.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from connect_gitops.core.declarations import CREATOR_FIELDS, MANAGED_FIELDS

_LENIENT = ConfigDict(extra="ignore", frozen=True)


class ConnectorStatus(StrEnum):
    """The status of a ConnectorStaged (the API's ConnectorStatus).

    ``Draft`` until the first publish; ``publish`` moves it to ``Processing``, then to
    ``Published`` or ``Failed``, or with certification to ``ReadyForCertification`` and later
    ``InCertification``. Live data is read tolerantly: a status not listed here (an older API
    sent ``FeedbackRequired`` and ``Certified``) is kept as the text the API sent, and it equals
    none of these.
    """

    DRAFT = "Draft"
    PROCESSING = "Processing"
    READY_FOR_CERTIFICATION = "ReadyForCertification"
    IN_CERTIFICATION = "InCertification"
    PUBLISHED = "Published"
    FAILED = "Failed"


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
    status: ConnectorStatus | str = Field(default=ConnectorStatus.DRAFT, union_mode="left_to_right")
    """A :class:`ConnectorStatus`, or the API's text for a status this version does not know."""
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
