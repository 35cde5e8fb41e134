"""``connect-gitops.yaml``: where the declarations are and which Connect APIs they go to.

The file is optional. Without it (or without ``targets``) there is one implicit target named
``default`` described by ``CTP_*`` environment variables. This module knows the NAMES of the
variables that hold credentials; it reads their values only in :func:`resolve_credentials`, from
a mapping the caller passes, and never puts a value in a message or repr.

Parsing and validation are pydantic models (pure); reading the file is :func:`load_config`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from connect_gitops.core import rules
from connect_gitops.core.problems import Problem
from connect_gitops.core.urls import check_service_url
from connect_gitops.source import yamlsafe
from connect_gitops.source.files import CONFIG_FILE, DEFAULT_CONNECTOR_GLOBS
from connect_gitops.source.messages import describe_errors, suggestion
from connect_gitops.source.yaml_positions import locate

IMPLICIT_TARGET: Final = "default"
DEFAULT_CLIENT_ID_ENV: Final = "CTP_CLIENT_ID"
DEFAULT_CLIENT_SECRET_ENV: Final = "CTP_CLIENT_SECRET"

REGION_HOSTS: Final[Mapping[str, tuple[str, str]]] = {
    region: (
        f"https://connect.{region}.commercetools.com",
        f"https://auth.{region}.commercetools.com",
    )
    for region in rules.REGIONS
}
"""Connect API and auth API base URLs per region (connect-api.md section 1)."""

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TARGET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_PROJECT_KEY = re.compile(r"^[a-zA-Z0-9_-]{2,36}$")


class ConfigError(Exception):
    """A configuration that cannot be used; ``problems`` hold file positions when known."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class UnknownTargetError(ConfigError):
    """A target name that the configuration does not define."""


class CredentialsError(ConfigError):
    """A credential variable that is not set (its name is in the message, never a value)."""


def _check_env_name(value: str) -> str:
    if not _ENV_NAME.match(value):
        raise ValueError(f"invalid environment variable name {value!r}")
    return value


def _check_project_key(value: str) -> str:
    if not _PROJECT_KEY.match(value):
        raise ValueError(f"invalid project key {value!r}: use 2 to 36 letters, digits, '-' or '_'")
    return value


def _check_glob(value: str) -> str:
    if not value or value.startswith("/") or ".." in value.split("/"):
        raise ValueError(f"invalid glob {value!r}: use a path relative to {CONFIG_FILE}")
    return value


ServiceUrl = Annotated[str, AfterValidator(check_service_url)]
EnvName = Annotated[str, AfterValidator(_check_env_name)]

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True)


class TargetConfig(BaseModel):
    """One entry of ``targets``: a Connect API with credentials, or the embedded emulator."""

    model_config = _STRICT

    region: Annotated[str, AfterValidator(rules.check_region)] | None = None
    projectKey: Annotated[str, AfterValidator(_check_project_key)] | None = None
    clientIdEnv: EnvName = DEFAULT_CLIENT_ID_ENV
    clientSecretEnv: EnvName = DEFAULT_CLIENT_SECRET_ENV
    apiUrl: ServiceUrl | None = None
    authUrl: ServiceUrl | None = None
    emulator: Annotated[str, Field(min_length=1)] | None = Field(
        default=None, description="state file of the embedded emulator, relative to the config"
    )

    @model_validator(mode="after")
    def _api_or_emulator(self) -> TargetConfig:
        if self.emulator is not None:
            # projectKey: the project the embedded emulator stands for
            others = sorted(self.model_fields_set - {"emulator", "projectKey"})
            if others:
                raise ValueError(f"an emulator target takes no {', '.join(others)}")
            return self
        missing = [name for name in ("region", "projectKey") if getattr(self, name) is None]
        if missing:
            raise ValueError(
                f"{' and '.join(missing)} required (or emulator: FILE for the embedded emulator)"
            )
        return self


class ConfigFile(BaseModel):
    """The whole of ``connect-gitops.yaml``."""

    model_config = _STRICT

    connectors: (
        Annotated[list[Annotated[str, AfterValidator(_check_glob)]], Field(min_length=1)] | None
    ) = None
    targets: dict[str, TargetConfig] | None = None
    defaultTarget: str | None = None

    @field_validator("targets")
    @classmethod
    def _target_names(cls, targets: dict[str, TargetConfig] | None) -> Any:
        for name in targets or {}:
            if not _TARGET_NAME.match(name):
                raise ValueError(
                    f"invalid target name {name!r}: use letters, digits, '.', '-' or '_'"
                )
        if targets is not None and not targets:
            raise ValueError("declare at least one target, or leave targets out")
        return targets

    @field_validator("defaultTarget")
    @classmethod
    def _known_default(cls, name: str | None, info: ValidationInfo) -> str | None:
        if name is None or "targets" not in info.data:
            return name
        names = list(info.data["targets"] or {IMPLICIT_TARGET: None})
        if name not in names:
            raise ValueError(unknown_target_message(name, names))
        return name


@dataclass(frozen=True, slots=True)
class ApiTarget:
    """A real (or socket-served) Connect API."""

    name: str
    region: str
    project_key: str
    api_url: str
    auth_url: str
    client_id_env: str = DEFAULT_CLIENT_ID_ENV
    client_secret_env: str = DEFAULT_CLIENT_SECRET_ENV


EMBEDDED_PROJECT = "emulator-project"
"""The project of an emulator target that names none."""


@dataclass(frozen=True, slots=True)
class EmulatorTarget:
    """The in-process emulator; needs no credentials; keeps its state in ``state_file``."""

    name: str
    state_file: Path
    project_key: str = EMBEDDED_PROJECT
    """The project it stands for: deployments live there, and privateProjects name it."""


Target = ApiTarget | EmulatorTarget


@dataclass(frozen=True, slots=True)
class Config:
    """The resolved configuration of one declarations folder."""

    root: Path
    file: Path | None
    """The config file, or None when there is none."""
    connector_globs: tuple[str, ...]
    default_target: str | None
    targets: Mapping[str, Target]
    unavailable: Mapping[str, str] = field(default_factory=dict)
    """Targets that exist by name but cannot be used, with the reason (the implicit target
    when ``CTP_REGION`` or ``CTP_PROJECT_KEY`` is not set)."""

    @property
    def target_names(self) -> tuple[str, ...]:
        return tuple(sorted({*self.targets, *self.unavailable}))

    def check_target_name(self, name: str) -> None:
        """Raise :class:`UnknownTargetError` (with "did you mean") for a name not configured."""
        if name not in self.target_names:
            raise UnknownTargetError(unknown_target_message(name, self.target_names))

    def target(self, name: str) -> Target:
        """The target called ``name``, ready to use."""
        self.check_target_name(name)
        if name in self.unavailable:
            raise ConfigError(f"target {name!r} cannot be used: {self.unavailable[name]}")
        return self.targets[name]


def unknown_target_message(name: str, known: Sequence[str]) -> str:
    listed = ", ".join(known) if known else "none"
    return f"unknown target {name!r}{suggestion(name, known)} (targets: {listed})"


@dataclass(frozen=True, slots=True)
class Credentials:
    """A client id and secret. Neither is shown by repr or str."""

    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)

    def __repr__(self) -> str:
        return "Credentials(client_id=***, client_secret=***)"

    __str__ = __repr__


def resolve_credentials(target: ApiTarget, environ: Mapping[str, str]) -> Credentials:
    """Read the target's credentials from ``environ``; name the missing variables if any."""
    missing = [
        name for name in (target.client_id_env, target.client_secret_env) if not environ.get(name)
    ]
    if missing:
        variables = " and ".join(missing)
        verb = "is" if len(missing) == 1 else "are"
        raise CredentialsError(
            f"environment variable {variables} {verb} not set (credentials of target "
            f"{target.name!r})"
        )
    return Credentials(environ[target.client_id_env], environ[target.client_secret_env])


def build_target(name: str, spec: TargetConfig, root: Path) -> Target:
    """A validated target entry, with its URLs taken from the region table unless given."""
    if spec.emulator is not None:
        project = spec.projectKey or EMBEDDED_PROJECT
        return EmulatorTarget(name, (root / spec.emulator).resolve(), project)
    assert spec.region is not None  # both checked by the model
    assert spec.projectKey is not None
    api_url, auth_url = REGION_HOSTS[spec.region]
    return ApiTarget(
        name=name,
        region=spec.region,
        project_key=spec.projectKey,
        api_url=spec.apiUrl or api_url,
        auth_url=spec.authUrl or auth_url,
        client_id_env=spec.clientIdEnv,
        client_secret_env=spec.clientSecretEnv,
    )


def implicit_targets(
    root: Path, environ: Mapping[str, str]
) -> tuple[dict[str, Target], dict[str, str]]:
    """The ``default`` target from ``CTP_*`` variables, or why it cannot be used."""
    values = {
        "region": environ.get("CTP_REGION"),
        "projectKey": environ.get("CTP_PROJECT_KEY"),
        "apiUrl": environ.get("CTP_API_URL"),
        "authUrl": environ.get("CTP_AUTH_URL"),
    }
    missing = [f"CTP_{_env_suffix(k)}" for k in ("region", "projectKey") if not values[k]]
    if missing:
        reason = f"no targets in {CONFIG_FILE} and {' and '.join(missing)} not set"
        return {}, {IMPLICIT_TARGET: reason}
    try:
        spec = TargetConfig.model_validate({k: v for k, v in values.items() if v})
    except ValidationError as error:
        details = "; ".join(
            f"CTP_{_env_suffix(str(e.loc[0]))}: {e.message}" if e.loc else e.message
            for e in describe_errors(error, TargetConfig)
        )
        return {}, {IMPLICIT_TARGET: details}
    return {IMPLICIT_TARGET: build_target(IMPLICIT_TARGET, spec, root)}, {}


def _env_suffix(field_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", field_name).upper()


def config_from_file(
    root: Path, file: Path, spec: ConfigFile, environ: Mapping[str, str]
) -> Config:
    default: str | None
    if spec.targets is None:
        targets, unavailable = implicit_targets(root, environ)
        default = spec.defaultTarget or IMPLICIT_TARGET
    else:
        targets = {name: build_target(name, t, root) for name, t in spec.targets.items()}
        unavailable = {}
        default = spec.defaultTarget or (next(iter(targets)) if len(targets) == 1 else None)
    return Config(
        root=root,
        file=file,
        connector_globs=tuple(spec.connectors or DEFAULT_CONNECTOR_GLOBS),
        default_target=default,
        targets=targets,
        unavailable=unavailable,
    )


def load_config(root: Path, environ: Mapping[str, str]) -> Config:
    """The configuration of the folder ``root``; :class:`ConfigError` with positions if invalid."""
    file = root / CONFIG_FILE
    if not file.is_file():
        targets, unavailable = implicit_targets(root, environ)
        return Config(root, None, DEFAULT_CONNECTOR_GLOBS, IMPLICIT_TARGET, targets, unavailable)
    try:
        text = yamlsafe.read_text(file)
        documents = yamlsafe.parse_documents(text)
    except yamlsafe.YamlProblem as problem:
        raise _config_error(
            [Problem(CONFIG_FILE, problem.line, problem.col, "", problem.message)]
        ) from None
    if len(documents) > 1:
        second = documents[1]
        raise _config_error(
            [Problem(CONFIG_FILE, second.line, second.col, "", "expected one YAML document")]
        )
    data = documents[0].data if documents else None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _config_error([Problem(CONFIG_FILE, 1, 1, "", "expected a mapping of settings")])
    try:
        spec = ConfigFile.model_validate(data)
    except ValidationError as error:
        rt = yamlsafe.parse_round_trip(text)[0]
        problems = []
        for found in describe_errors(error, ConfigFile):
            line, col = locate(rt, found.loc, found.anchor) or (1, 1)
            problems.append(Problem(CONFIG_FILE, line, col, found.path, found.message))
        raise _config_error(problems) from None
    return config_from_file(root, file, spec, environ)


def _config_error(problems: list[Problem]) -> ConfigError:
    problems.sort()
    return ConfigError(f"{CONFIG_FILE} is invalid", problems)
