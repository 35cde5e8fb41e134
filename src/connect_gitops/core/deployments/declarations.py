"""What users write for a deployment: which connector runs where, with which configuration.

A ``kind: Deployment`` document. Declarations stay strict (unknown fields, nulls and numbers
where text is expected are refused) and configurations are maps, so a duplicate application or
key is a YAML error instead of a silent override. Secrets never live in git: a secured value is
only ever ``{fromEnv: VARIABLE}``, and no error message repeats what was written there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from connect_gitops.core import rules
from connect_gitops.core.connect_spec import (
    APPLICATION_NAME_PATTERN,
    CONFIGURATION_KEY_PATTERN,
    RESERVED_KEYS,
    cron_error,
)
from connect_gitops.core.declarations import Key

ENV_NAME_PATTERN: Final = r"^[A-Za-z_][A-Za-z0-9_]*$"
DeploymentType = Literal["preview", "sandbox", "production"]

LITERAL_SECRET: Final = (
    "a secret never lives in git: write {fromEnv: VARIABLE} and set VARIABLE in the environment"
)


def _full(pattern: str) -> re.Pattern[str]:
    """The pattern without its anchors, for ``fullmatch``: ``$`` also matches before a ``\\n``."""
    return re.compile(pattern.removeprefix("^").removesuffix("$"))


_ENV_NAME = _full(ENV_NAME_PATTERN)
_CONFIG_KEY = _full(CONFIGURATION_KEY_PATTERN)
_APPLICATION_NAME = _full(APPLICATION_NAME_PATTERN)


def check_env_name(value: object) -> str:
    """An environment variable's name, never echoed: a secret may have landed here instead."""
    if not isinstance(value, str) or not _ENV_NAME.fullmatch(value):
        raise ValueError(
            "must be the name of an environment variable: letters, digits and '_', "
            "not starting with a digit"
        )
    return value


def check_configuration_key(value: str) -> str:
    """A configuration key as connect.yaml declares it, not one the runtime reserves."""
    if not _CONFIG_KEY.fullmatch(value):
        raise ValueError(
            f"invalid configuration key {value!r}: use 2 to 256 letters, digits or '_'"
        )
    if value.upper() in RESERVED_KEYS:
        raise ValueError(f"{value!r} is reserved by the runtime: it cannot be configured")
    return value


def check_application_name(value: str) -> str:
    """An application name as connect.yaml declares it."""
    if not _APPLICATION_NAME.fullmatch(value):
        raise ValueError(
            f"invalid application name {value!r}: use 2 to 256 letters, digits, '-' or '_'"
        )
    return value


def check_schedule(value: str) -> str:
    """A five-field cron expression, as Connect schedules jobs."""
    reason = "remove the whitespace around it" if value != value.strip() else cron_error(value)
    if reason is not None:
        raise ValueError(f"invalid cron schedule {value!r}: {reason}")
    return value


EnvName = Annotated[
    str, BeforeValidator(check_env_name), Field(json_schema_extra={"pattern": ENV_NAME_PATTERN})
]
ConfigKey = Annotated[
    str,
    AfterValidator(check_configuration_key),
    Field(
        json_schema_extra={
            "pattern": CONFIGURATION_KEY_PATTERN,
            "not": {"enum": sorted(RESERVED_KEYS)},
        }
    ),
]
ApplicationName = Annotated[
    str,
    AfterValidator(check_application_name),
    Field(json_schema_extra={"pattern": APPLICATION_NAME_PATTERN}),
]
Schedule = Annotated[str, AfterValidator(check_schedule)]


def _field_title(name: str, _info: object) -> str:
    """Titles in the JSON Schema are the field names users type."""
    return name


_STRICT = ConfigDict(
    extra="forbid",
    frozen=True,
    strict=True,
    hide_input_in_errors=True,  # a literal secret must not reach a traceback either
    field_title_generator=_field_title,
    defer_build=True,  # built on first use: a run without deployments never builds one
)


def _refuse_null(value: object) -> object:
    """An explicit null is refused: omitting a field is how to leave it out."""
    if value is None:
        raise ValueError("null is not allowed: omit the field instead")
    return value


def _only_from_env(value: object) -> object:
    """Anything but a ``{fromEnv: ...}`` mapping is a literal secret: refused, never repeated."""
    if isinstance(value, dict) and "fromEnv" in value:
        return value
    raise ValueError(LITERAL_SECRET)


def _a_map(what: str, example: str) -> BeforeValidator:
    """API JSON writes these as lists; declarations use maps, and say so when given a list."""

    def check(value: object) -> object:
        if isinstance(value, list):
            raise ValueError(f"{what} is a map, not a list: write {example}")
        return value

    return BeforeValidator(check)


class FromEnv(BaseModel):
    """A secured value read from an environment variable when apply sends it."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "description": "The environment variable that holds the secret at apply time."
        },
    )

    fromEnv: EnvName = Field(description="Name of the environment variable.")


SecuredValue = Annotated[FromEnv, BeforeValidator(_only_from_env)]
StandardValues = Annotated[
    dict[ConfigKey, str], _a_map("standardConfiguration", "KEY: value pairs")
]
SecuredValues = Annotated[
    dict[ConfigKey, SecuredValue],
    _a_map("securedConfiguration", "KEY: {fromEnv: VARIABLE} pairs"),
]


class ApplicationValues(BaseModel):
    """The values of one application of the connector (its name is the map's key)."""

    model_config = ConfigDict(
        **_STRICT, json_schema_extra={"description": "Values of one application."}
    )

    standardConfiguration: StandardValues = Field(
        default_factory=dict, description="KEY: value pairs, compared with the live values."
    )
    securedConfiguration: SecuredValues = Field(
        default_factory=dict,
        description="KEY: {fromEnv: VARIABLE} pairs; sent on every create and redeploy, "
        "never compared.",
    )
    schedule: Schedule | None = Field(
        default=None, description="Cron schedule of a job application; overrides connect.yaml."
    )

    _no_null = field_validator("*", mode="before")(_refuse_null)


class GlobalValues(BaseModel):
    """Values every application of the deployment gets."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={"description": "Values every application of the deployment gets."},
    )

    standardConfiguration: StandardValues = Field(
        default_factory=dict, description="KEY: value pairs, compared with the live values."
    )
    securedConfiguration: SecuredValues = Field(
        default_factory=dict, description="KEY: {fromEnv: VARIABLE} pairs; never compared."
    )

    _no_null = field_validator("*", mode="before")(_refuse_null)


class ConnectorRef(BaseModel):
    """The connector to deploy: by ``key`` or ``id`` (exactly one), staged or published."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "description": "The connector to deploy, by key or by id (exactly one).",
            "oneOf": [{"required": ["key"]}, {"required": ["id"]}],
        },
    )

    key: Key | None = Field(default=None, description="Key of the connector.")
    id: str | None = Field(default=None, description="Id of the connector.")
    staged: bool = Field(
        default=False,
        description="true: the previewable ConnectorStaged (type preview); "
        "false: the published connector (type sandbox or production).",
    )
    version: Annotated[int, Field(ge=1)] | None = Field(
        default=None,
        description="Pin to this connector version; omitted: follow the latest.",
    )

    _no_null = field_validator("*", mode="before")(_refuse_null)

    @model_validator(mode="after")
    def _key_or_id(self) -> ConnectorRef:
        if (self.key is None) == (self.id is None):
            raise ValueError(
                "give exactly one of connector.key and connector.id"
                + (": remove one of them" if self.key is not None else "")
            )
        return self

    @property
    def name(self) -> str:
        """How messages name it: its key, else its id."""
        return self.key if self.key is not None else f"id={self.id}"


class DeploymentReconcile(BaseModel):
    """How connect-gitops treats this deployment; never sent to the API."""

    model_config = ConfigDict(
        **_STRICT,
        json_schema_extra={
            "description": "How connect-gitops treats this deployment; never sent to the API."
        },
    )

    target: str | None = Field(
        default=None, description="Target name from connect-gitops.yaml; default: defaultTarget."
    )
    replace: bool = Field(
        default=False,
        description="Allow delete + create when type, region or connector change.",
    )

    _no_null = field_validator("*", mode="before")(_refuse_null)


class DeploymentDeclaration(BaseModel):
    """One deployment as declared in git: the desired state of a live Deployment."""

    model_config = ConfigDict(
        **_STRICT,
        title="Connect deployment declaration",
        json_schema_extra={
            "description": "A commercetools Connect deployment declared for connect-gitops: "
            "which connector runs in which region, with which configuration."
        },
    )

    kind: Literal["Deployment"] = Field(description="Marks this document as a deployment.")
    key: Key = Field(description="Identity of the deployment; immutable.")
    connector: ConnectorRef = Field(description="The connector to deploy.")
    type: DeploymentType = Field(
        description="preview (staged connector) | sandbox | production; immutable."
    )
    region: rules.Region = Field(description="Region to deploy to; immutable.")
    configurations: Annotated[
        dict[ApplicationName, ApplicationValues],
        _a_map("configurations", "applicationName: {standardConfiguration: {KEY: value}}"),
    ] = Field(default_factory=dict, description="applicationName -> its values.")
    globalConfiguration: GlobalValues | None = Field(
        default=None, description="Values every application gets."
    )
    reconcile: DeploymentReconcile = Field(
        default_factory=DeploymentReconcile,
        description="Policy of connect-gitops for this deployment; never sent to the API.",
    )

    _no_null = field_validator("*", mode="before")(_refuse_null)


@dataclass(frozen=True, slots=True)
class DeclaredDeployment:
    """A validated deployment declaration with where it came from and its target."""

    declaration: DeploymentDeclaration
    file: str
    """Path of its file, relative to the declarations folder, with '/' separators."""
    line: int
    """1-based line where its YAML document starts."""
    target: str
    """Resolved target name: ``reconcile.target`` or the config's default target."""

    @property
    def key(self) -> str:
        return self.declaration.key
