"""What users write: a connector declaration and its reconcile policy.

Field names are the API's own camelCase names, so API JSON pastes straight in, and a snake_case
spelling is an unknown field (``extra="forbid"``), never silently accepted. A field that is
omitted is not managed: ``model_fields_set`` remembers which fields were declared, and
:func:`managed_fields` returns only those, in API form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue

from connect_gitops.core import rules
from connect_gitops.core.problems import Problem

if TYPE_CHECKING:  # the deployment models build on this module's Key
    from connect_gitops.core.deployments.declarations import DeclaredDeployment

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


def _unique(items: list[Any]) -> list[Any]:
    """Lists are managed as sets by the API; a repeated item is a typo, not an intention."""
    seen: set[Any] = set()
    for item in items:
        if item in seen:
            raise ValueError(f"{item!r} is listed more than once")
        seen.add(item)
    return items


_UNIQUE_ITEMS = Field(json_schema_extra={"uniqueItems": True})


def _field_title(name: str, _info: object) -> str:
    """Titles in the JSON Schema are the field names users type, not 'Noofcontributors'."""
    return name


_STRICT = ConfigDict(
    extra="forbid",
    frozen=True,
    strict=True,
    str_strip_whitespace=False,
    field_title_generator=_field_title,
)


def _refuse_null(value: object) -> object:
    """An explicit null is refused: omitting a field is how to leave it unmanaged."""
    if value is None:
        raise ValueError("null is not allowed: omit the field to leave it unmanaged")
    return value


class Creator(BaseModel):
    """Who made the connector. ``email`` is required by the API to create one."""

    model_config = ConfigDict(
        **_STRICT, json_schema_extra={"description": "Who made the connector."}
    )

    email: Email | None = Field(
        default=None, description="Contact e-mail address; required to create a connector."
    )
    name: str | None = Field(default=None, description="Name of the creator.")
    title: str | None = Field(default=None, description="Job title of the creator.")
    company: str | None = Field(default=None, description="Company of the creator.")
    logoUrl: str | None = Field(default=None, description="URL of the creator's logo.")
    noOfContributors: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Number of contributors, at least 1."
    )
    supportUrl: str | None = Field(default=None, description="URL where users get support.")

    _no_null = field_validator("*", mode="before")(_refuse_null)


class Repository(BaseModel):
    """The GitHub repository and tag that Connect builds the connector from."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "description": "The GitHub repository and tag that Connect builds the connector "
            "from. Private repositories must use the SSH URL and give the GitHub user "
            "connect-mu read access."
        },
    )

    url: RepositoryUrl = Field(
        description="https://github.com/ORG/REPO.git or git@github.com:ORG/REPO.git"
    )
    tag: Tag = Field(
        description="Git tag to build, e.g. v1.4.0. Quote tags that look like numbers."
    )

    _no_null = field_validator("*", mode="before")(_refuse_null)


class Reconcile(BaseModel):
    """How connect-gitops treats this connector; never sent to the API."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "description": "How connect-gitops treats this connector; never sent to the API."
        },
    )

    target: str | None = Field(
        default=None, description="Target name from connect-gitops.yaml; default: defaultTarget."
    )
    preview: bool = Field(
        default=False, description="Request a preview after the repository changes."
    )
    publish: bool = Field(
        default=False, description="Publish when the staged connector has unpublished changes."
    )
    certification: bool = Field(
        default=False, description="Publish with certification (with publish: true)."
    )

    _no_null = field_validator("*", mode="before")(_refuse_null)


class ConnectorDeclaration(BaseModel):
    """One connector as declared in git: the desired state of a ConnectorStaged."""

    model_config = ConfigDict(
        **_STRICT,
        title="Connect connector declaration",
        json_schema_extra={
            "description": "A commercetools Connect connector (ConnectorStaged) declared for "
            "connect-gitops. Field names are the API's own. An omitted field is not managed; "
            "a declared list is managed as a whole."
        },
    )

    key: Key = Field(description="Identity of the connector; immutable.")
    name: str | None = Field(default=None, description="Display name; required to create.")
    description: str | None = Field(default=None, description="What the connector does.")
    integrationTypes: (
        Annotated[list[rules.IntegrationType], AfterValidator(_unique), _UNIQUE_ITEMS] | None
    ) = Field(default=None, description="Categories of the connector; managed as a set.")
    creator: Creator | None = Field(
        default=None, description="Who made the connector; creator.email is required to create."
    )
    repository: Repository | None = Field(
        default=None, description="Repository and tag to build from; required to create."
    )
    privateProjects: Annotated[list[Project], AfterValidator(_unique), _UNIQUE_ITEMS] | None = (
        Field(
            default=None,
            description="Projects (REGION:PROJECT_KEY) that may install this private connector; "
            "[] removes every project.",
        )
    )
    supportedRegions: (
        Annotated[list[rules.Region], Field(min_length=1), AfterValidator(_unique), _UNIQUE_ITEMS]
        | None
    ) = Field(default=None, description="Regions the connector can be deployed to; not empty.")
    documentationUrl: str | None = Field(default=None, description="URL of the documentation.")
    reconcile: Reconcile = Field(
        default_factory=Reconcile,
        description="Policy of connect-gitops for this connector; never sent to the API.",
    )

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


class _DeclarationSchema(GenerateJsonSchema):
    """JSON Schema for editors: null is refused (omit the field instead), draft-07 layout.

    yaml-language-server reads ``definitions`` everywhere, and no ``$schema`` keyword is emitted
    because some of its versions reject drafts they do not know.
    """

    def nullable_schema(self, schema: Any) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: Any) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        if json_schema.get("default", 0) is None:
            del json_schema["default"]
        return json_schema


def declaration_json_schema() -> dict[str, Any]:
    """The JSON Schema of a connector document (part of ``connect-gitops schema``)."""
    schema = ConnectorDeclaration.model_json_schema(
        ref_template="#/definitions/{model}", schema_generator=_DeclarationSchema
    )
    schema["definitions"] = schema.pop("$defs", {})
    return schema


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """What validating one declarations folder found."""

    declarations: tuple[DeclaredConnector, ...]
    problems: tuple[Problem, ...]
    files: tuple[str, ...]
    """Every declaration file read, relative to the folder."""
    config_valid: bool = True
    """False when ``connect-gitops.yaml`` itself is invalid (then no declaration was read)."""
    deployments: tuple[DeclaredDeployment, ...] = ()
    """The ``kind: Deployment`` documents (empty when there is any problem)."""

    @property
    def ok(self) -> bool:
        return not any(problem.severity == "error" for problem in self.problems)

    def adding(self, problems: Iterable[Problem]) -> ValidationReport:
        """The same report with more problems (e.g. from ``--remote``), sorted."""
        return replace(self, problems=tuple(sorted((*self.problems, *problems))))
