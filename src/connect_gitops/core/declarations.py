"""What users write: a connector declaration and its reconcile policy.

Field names are the API's own camelCase names, so API JSON pastes straight in, and a snake_case
spelling is an unknown field (``extra="forbid"``), never silently accepted. A field that is
omitted is not managed: ``model_fields_set`` remembers which fields were declared, and
:func:`managed_fields` returns only those, in API form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from connect_gitops.core import rules

Key = Annotated[
    str, AfterValidator(rules.check_key), Field(json_schema_extra={"pattern": rules.KEY_PATTERN})
]
RepositoryUrl = Annotated[
    str,
    AfterValidator(rules.check_repository_url),
    Field(json_schema_extra={"pattern": rules.REPOSITORY_URL_PATTERN}),
]
Tag = Annotated[
    str,
    AfterValidator(rules.check_tag),
    Field(json_schema_extra={"pattern": rules.TAG_PATTERN, "maxLength": rules.MAX_TAG_LENGTH}),
]
Email = Annotated[
    str,
    AfterValidator(rules.check_email),
    Field(json_schema_extra={"pattern": rules.EMAIL_PATTERN}),
]
Project = Annotated[
    str,
    AfterValidator(rules.check_project),
    Field(json_schema_extra={"pattern": rules.PROJECT_PATTERN}),
]

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=False)


def _refuse_null(value: object) -> object:
    """An explicit null is refused: omitting a field is how to leave it unmanaged."""
    if value is None:
        raise ValueError("null is not allowed: omit the field to leave it unmanaged")
    return value


class Creator(BaseModel):
    """Who made the connector. ``email`` is required by the API to create one."""

    model_config = _STRICT

    email: Email | None = None
    name: str | None = None
    title: str | None = None
    company: str | None = None
    logoUrl: str | None = None
    noOfContributors: Annotated[int, Field(ge=1)] | None = None
    supportUrl: str | None = None

    _no_null = field_validator("*", mode="before")(_refuse_null)


class Repository(BaseModel):
    """The GitHub repository and tag that Connect builds the connector from."""

    model_config = _STRICT

    url: RepositoryUrl
    tag: Tag

    _no_null = field_validator("*", mode="before")(_refuse_null)


class Reconcile(BaseModel):
    """How connect-gitops treats this connector; never sent to the API."""

    model_config = _STRICT

    target: str | None = Field(default=None, description="target name; default: defaultTarget")
    preview: bool = Field(
        default=False, description="request a preview after the repository changes"
    )
    publish: bool = Field(
        default=False, description="publish when the staged connector has unpublished changes"
    )
    certification: bool = Field(default=False, description="publish with certification")

    _no_null = field_validator("*", mode="before")(_refuse_null)


class ConnectorDeclaration(BaseModel):
    """One connector as declared in git: the desired state of a ConnectorStaged."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        title="Connect connector declaration",
        json_schema_extra={
            "description": "A commercetools Connect connector (ConnectorStaged) declared for "
            "connect-gitops. Omitted fields are not managed."
        },
    )

    key: Key
    name: str | None = None
    description: str | None = None
    integrationTypes: list[rules.IntegrationType] | None = None
    creator: Creator | None = None
    repository: Repository | None = None
    privateProjects: list[Project] | None = None
    supportedRegions: Annotated[list[rules.Region], Field(min_length=1)] | None = None
    documentationUrl: str | None = None
    reconcile: Reconcile = Field(default_factory=Reconcile)

    _no_null = field_validator("*", mode="before")(_refuse_null)


MANAGED_FIELDS: tuple[str, ...] = (
    "name",
    "description",
    "documentationUrl",
    "integrationTypes",
    "supportedRegions",
    "creator",
    "repository",
    "privateProjects",
)
"""Top-level fields the reconciler manages, in canonical (action) order."""

CREATOR_FIELDS: tuple[str, ...] = (
    "name",
    "title",
    "email",
    "company",
    "noOfContributors",
    "supportUrl",
    "logoUrl",
)
"""Creator fields in canonical action order."""


def managed_fields(declaration: ConnectorDeclaration) -> dict[str, Any]:
    """The declared, managed fields in API form: omitted fields are absent, not null.

    ``key`` is identity, not a managed field, and ``reconcile`` is never sent.
    """
    dumped: dict[str, Any] = declaration.model_dump(
        mode="json", exclude_unset=True, exclude={"key", "reconcile"}
    )
    return {name: dumped[name] for name in MANAGED_FIELDS if name in dumped}


def missing_for_create(declaration: ConnectorDeclaration) -> list[str]:
    """Fields the API requires to create a connector that this declaration lacks."""
    missing: list[str] = []
    if declaration.name is None:
        missing.append("name")
    if declaration.creator is None or declaration.creator.email is None:
        missing.append("creator.email")
    if declaration.repository is None:
        missing.append("repository")
    return missing


@dataclass(frozen=True, slots=True)
class DeclaredConnector:
    """A validated declaration with where it came from and which target it belongs to."""

    declaration: ConnectorDeclaration
    file: str
    """Path of its file, relative to the declarations folder, with '/' separators."""
    line: int
    """1-based line where its YAML document starts (its first field)."""
    target: str
    """Resolved target name: ``reconcile.target`` or the config's default target."""

    @property
    def key(self) -> str:
        return self.declaration.key
