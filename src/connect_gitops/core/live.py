"""What the API returns: a ConnectorStaged as read, tolerantly.

Only what the reconciler needs is typed; responses may carry more, and future API fields must
never break a plan. Declarations are strict; live data is not ours to be strict about:

- unknown fields are ignored (``publishingReport``, ``certified``, ``configurations``, ...);
- a ``null`` reads as a missing field, and a missing optional field as its default (the RAML's
  defaults: status ``Draft``, ``isPreviewable`` ``"none"``; empty lists);
- enum values this version does not know (a new region, integration type, status or
  ``isPreviewable`` value) are kept as the text the API sent;
- ``key`` is optional, as in the RAML: a connector made in the Merchant Center may have none.
  No declaration can name it, so it is only ever reported (an orphan by id), never written.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticUseDefault

from connect_gitops.core.declarations import CREATOR_FIELDS, MANAGED_FIELDS

_LENIENT = ConfigDict(extra="ignore", frozen=True)


class _LiveModel(BaseModel):
    """A model of live data: unknown fields ignored; ``null`` reads as a missing field (fields
    with a default other than ``None`` say so with :data:`OrDefault`)."""

    model_config = _LENIENT


def _null_is_default(value: Any) -> Any:
    """``null`` where the field has a default: the default, as if the field were missing.

    Field by field rather than for the whole object, so that pydantic reads a response's JSON
    straight into the models (a model-wide hook would first build every object as a dict).
    """
    if value is None:
        raise PydanticUseDefault()
    return value


OrDefault = BeforeValidator(_null_is_default)


def _without_nulls(value: Any) -> Any:
    """A list as sent, without ``null`` items (a list is never refused for them); ``null`` for
    the whole list reads as the empty list."""
    if value is None:
        raise PydanticUseDefault()
    if isinstance(value, list):
        return [item for item in value if item is not None]
    return value


def _previewable(value: Any) -> Any:
    """``isPreviewable`` is a string in the RAML; a JSON boolean reads as its text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


Texts = Annotated[list[str], BeforeValidator(_without_nulls)]
Entries = Annotated[list["ReportEntry"], BeforeValidator(_without_nulls)]


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


class LiveCreator(_LiveModel):
    """The creator block as the API returns it."""

    email: str | None = None
    name: str | None = None
    title: str | None = None
    company: str | None = None
    logoUrl: str | None = None
    noOfContributors: int | None = None
    supportUrl: str | None = None


class LiveRepository(_LiveModel):
    """The repository block as the API returns it."""

    url: str | None = None
    tag: str | None = None


class ReportEntry(_LiveModel):
    """One entry of a previewable or publishing report (``type`` may be one we do not know)."""

    type: Annotated[str, OrDefault] = "Information"
    title: Annotated[str, OrDefault] = ""
    message: str | None = None
    createdAt: str | None = None


class Report(_LiveModel):
    """A previewableReport or publishingReport."""

    entries: Entries = Field(default_factory=list)


class ConnectorStaged(_LiveModel):
    """A live ConnectorStaged: the managed fields plus the server-owned state we act on."""

    id: str
    key: str | None = None
    """Optional in the RAML: ``None`` for a connector made without one (never written by us)."""
    version: int
    name: str | None = None
    description: str | None = None
    documentationUrl: str | None = None
    integrationTypes: Texts = Field(default_factory=list)
    """As sent: an integration type this version does not know is kept (and never declared)."""
    supportedRegions: Texts = Field(default_factory=list)
    """As sent: a region this version does not know is kept (and never declared)."""
    creator: Annotated[LiveCreator, OrDefault] = Field(default_factory=LiveCreator)
    repository: Annotated[LiveRepository, OrDefault] = Field(default_factory=LiveRepository)
    privateProjects: Texts = Field(default_factory=list)
    private: Annotated[bool, OrDefault] = True
    status: Annotated[ConnectorStatus | str, OrDefault] = Field(
        default=ConnectorStatus.DRAFT, union_mode="left_to_right"
    )
    """A :class:`ConnectorStatus`, or the API's text for a status this version does not know."""
    hasChanges: bool | None = None
    alreadyListed: bool | None = None
    isPreviewable: Annotated[str, OrDefault, BeforeValidator(_previewable)] = "none"
    """``"none"``, ``"pending"``, ``"true"``, ``"false"``, or a value this version does not know."""
    previewableReport: Report | None = None
    publishingReport: Report | None = None

    @property
    def label(self) -> str:
        """How progress and messages name it: its key, or its id when it has none."""
        return self.key if self.key is not None else self.id


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
