"""Settings (behaviour where the API is open) and fault injection parameters.

Both are changed through the control API with partial updates: fields left out keep their value.
Both are strict (no "200" for 200, no true for 1, no NaN or infinity) and bounded, so a malformed
control call is refused with the field named instead of breaking later requests.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from connect_gitops.emulator.errors import invalid_json

Model = TypeVar("Model", bound=BaseModel)
_CONTROL = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)
ErrorStatus = Annotated[int, Field(ge=400, le=599)]
# pydantic's (Rust) regex engine: `$` is the very end, no trailing newline slips through.
ProjectKey = Annotated[str, Field(pattern=r"^[a-zA-Z0-9_-]{2,36}$")]


class Settings(BaseModel):
    """Defaults are the ones connect-api.md names; delays are short so tests stay fast."""

    model_config = _CONTROL

    updateStatusCode: Literal[200, 201] = 200
    previewSeconds: float = Field(default=2.0, ge=0)
    publishSeconds: float = Field(default=2.0, ge=0)
    certificationSeconds: float | None = Field(default=None, ge=0)
    lockWhileProcessing: bool = True
    lockedUpdateError: Literal[
        "General", "ConnectorStagedInCertification", "ConcurrentModification"
    ] = "General"
    resetPreviewOnRepositoryChange: bool = True
    hasChangesBeforeFirstPublish: bool = True
    transitionsRaiseVersion: bool = False
    validateRepositoryOnWrite: bool = False
    previewOutcome: Literal["auto", "true", "false", "none"] = "auto"
    publishOutcome: Literal["auto", "Failed"] = "auto"
    tokenLifetimeSeconds: int = Field(default=172800, ge=1)
    gitTimeoutSeconds: float = Field(default=10.0, gt=0)
    connectYaml: dict[str, str] = Field(default_factory=dict)
    """connect.yaml text per repository ("url", or "url#tag" for one tag), for repositories git
    cannot reach: their connectors get configurations as if the file were at the tag."""
    deploySeconds: float = Field(default=2.0, ge=0)
    """Queued for the first half, Deploying for the second, then Deployed or Failed."""
    productionProjects: list[ProjectKey] | None = None
    """Projects that may deploy `production`; null: every project."""
    deploymentDeleteStatusCode: Literal[200, 202] = 202
    """202 (RAML): Undeploying, gone after deploySeconds; 200 (docs): gone at once."""
    securedValues: Literal["masked", "keyOnly", "hidden"] = "masked"
    """How secured values come back: {key, value: "****"}, {key} only, or not at all."""
    redeployConfigurationValues: Literal["replace", "merge"] = "replace"
    """A redeployed application's values: the given lists replace its lists, or merge by key."""
    logPageSize: int = Field(default=100, ge=1, le=1000)


class Faults(BaseModel):
    """Injected failures; every random draw comes from one generator seeded with `seed`."""

    model_config = _CONTROL

    latencyMs: int = Field(default=0, ge=0, le=60_000)
    errorRate: float = Field(default=0.0, ge=0, le=1)
    errorStatuses: list[ErrorStatus] = Field(default_factory=lambda: [503], min_length=1)
    rateLimitEvery: int = Field(default=0, ge=0)
    retryAfterSeconds: int = Field(default=1, ge=0, le=86_400)
    dropRate: float = Field(default=0.0, ge=0, le=1)
    ambiguousRate: float = Field(default=0.0, ge=0, le=1)
    conflictRate: float = Field(default=0.0, ge=0, le=1)
    seed: int = 0
    failNextBuilds: int = Field(default=0, ge=0)
    """The next N deployment builds fail (counted down as builds are queued)."""
    failAllBuilds: bool = False
    buildFailureRate: float = Field(default=0.0, ge=0, le=1)
    failingApplication: str | None = None
    """The application whose build fails; default (or when absent) the first one."""


def patched(current: Model, patch: Any) -> Model:
    """`current` with the fields of `patch` replaced, validated as a whole."""
    if not isinstance(patch, dict):
        raise invalid_json("body: expected a JSON object")
    try:
        return type(current).model_validate({**current.model_dump(), **patch})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise invalid_json(f"{where}: {first['msg']}") from None
