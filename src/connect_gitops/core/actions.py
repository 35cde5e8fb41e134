"""The 19 ConnectorStaged update actions and the Deployment's ``redeploy``, in the wire format.

``model_dump(mode="json", exclude_none=True)`` of any action is exactly what the API expects;
:data:`UpdateAction` is a discriminated union on ``action``, so a saved plan reads back typed.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

_WIRE = ConfigDict(extra="forbid", frozen=True, defer_build=True)
"""Each model builds its validator on first use: a plan without changes never makes one."""


class SetName(BaseModel):
    model_config = _WIRE
    action: Literal["setName"] = "setName"
    name: str | None = None


class SetDescription(BaseModel):
    model_config = _WIRE
    action: Literal["setDescription"] = "setDescription"
    description: str | None = None


class SetDocumentationUrl(BaseModel):
    model_config = _WIRE
    action: Literal["setDocumentationUrl"] = "setDocumentationUrl"
    documentationUrl: str | None = None


class SetRepository(BaseModel):
    model_config = _WIRE
    action: Literal["setRepository"] = "setRepository"
    url: str
    tag: str


class SetSupportedRegions(BaseModel):
    model_config = _WIRE
    action: Literal["setSupportedRegions"] = "setSupportedRegions"
    regions: list[str]


class SetIntegrationTypes(BaseModel):
    model_config = _WIRE
    action: Literal["setIntegrationTypes"] = "setIntegrationTypes"
    integrationTypes: list[str]


class SetCreatorName(BaseModel):
    model_config = _WIRE
    action: Literal["setCreatorName"] = "setCreatorName"
    creatorName: str | None = None


class SetCreatorTitle(BaseModel):
    model_config = _WIRE
    action: Literal["setCreatorTitle"] = "setCreatorTitle"
    creatorTitle: str | None = None


class SetCreatorEmail(BaseModel):
    model_config = _WIRE
    action: Literal["setCreatorEmail"] = "setCreatorEmail"
    creatorEmail: str


class SetCreatorCompany(BaseModel):
    model_config = _WIRE
    action: Literal["setCreatorCompany"] = "setCreatorCompany"
    creatorCompany: str | None = None


class SetCreatorNoOfContributors(BaseModel):
    model_config = _WIRE
    action: Literal["setCreatorNoOfContributors"] = "setCreatorNoOfContributors"
    creatorNoOfContributors: int


class SetCreatorSupportUrl(BaseModel):
    model_config = _WIRE
    action: Literal["setCreatorSupportUrl"] = "setCreatorSupportUrl"
    creatorSupportUrl: str | None = None


class SetCreatorLogo(BaseModel):
    model_config = _WIRE
    action: Literal["setCreatorLogo"] = "setCreatorLogo"
    logoUrl: str | None = None


class AddPrivateProject(BaseModel):
    model_config = _WIRE
    action: Literal["addPrivateProject"] = "addPrivateProject"
    privateProject: str


class RemovePrivateProject(BaseModel):
    model_config = _WIRE
    action: Literal["removePrivateProject"] = "removePrivateProject"
    privateProject: str


class UpdatePreviewable(BaseModel):
    model_config = _WIRE
    action: Literal["updatePreviewable"] = "updatePreviewable"


class Publish(BaseModel):
    model_config = _WIRE
    action: Literal["publish"] = "publish"
    certification: bool = False


class Unlist(BaseModel):
    model_config = _WIRE
    action: Literal["unlist"] = "unlist"


class AddCertificationComment(BaseModel):
    model_config = _WIRE
    action: Literal["addCertificationComment"] = "addCertificationComment"
    comment: str


class ConfigurationValue(BaseModel):
    """One environment variable of a deployment: ``{"key": ..., "value": ...}``."""

    model_config = _WIRE
    key: str
    value: str


class ApplicationConfiguration(BaseModel):
    """DeploymentConfigurationApplication: one application's values.

    ``securedConfiguration`` is left out of planned actions (``None``): secured values are added
    just before sending, and an application without declared secured values never sends an
    empty list that could erase the ones set outside git.
    """

    model_config = _WIRE
    applicationName: str
    standardConfiguration: list[ConfigurationValue] = Field(default_factory=list)
    securedConfiguration: list[ConfigurationValue] | None = None
    schedule: str | None = None


class GlobalConfiguration(BaseModel):
    """DeploymentGlobalConfiguration: values every application of the deployment gets."""

    model_config = _WIRE
    standardConfiguration: list[ConfigurationValue] | None = None
    securedConfiguration: list[ConfigurationValue] | None = None


class Redeploy(BaseModel):
    """The Deployment's one update action; unset fields keep the API's defaults (false)."""

    model_config = _WIRE
    action: Literal["redeploy"] = "redeploy"
    configurationValues: list[ApplicationConfiguration] | None = None
    globalConfiguration: GlobalConfiguration | None = None
    updateConnector: bool | None = None
    skipScripts: bool | None = None


UpdateAction = Annotated[
    SetName
    | SetDescription
    | SetDocumentationUrl
    | SetRepository
    | SetSupportedRegions
    | SetIntegrationTypes
    | SetCreatorName
    | SetCreatorTitle
    | SetCreatorEmail
    | SetCreatorCompany
    | SetCreatorNoOfContributors
    | SetCreatorSupportUrl
    | SetCreatorLogo
    | AddPrivateProject
    | RemovePrivateProject
    | UpdatePreviewable
    | Publish
    | Unlist
    | AddCertificationComment
    | Redeploy,
    Field(discriminator="action"),
]


@cache
def _actions_adapter() -> TypeAdapter[list[UpdateAction]]:
    """Built on first use: only saved plans and their actions are read back."""
    return TypeAdapter(list[UpdateAction])


def to_wire(actions: list[UpdateAction]) -> list[dict[str, Any]]:
    """Actions as the API's JSON, with unset optional values left out."""
    return [a.model_dump(mode="json", exclude_none=True) for a in actions]


def from_wire(data: list[dict[str, Any]]) -> list[UpdateAction]:
    """Actions read back from wire JSON (a saved plan), validated."""
    return _actions_adapter().validate_python(data)
