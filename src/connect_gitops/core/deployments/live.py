"""What the API returns about deployments, and the facts of the connector a deployment runs.

Read tolerantly: unknown fields are ignored, optional fields may be missing, and statuses, types
and regions are plain strings, so a new value of the API never fails a run. Secured values are
dropped as they are read: only their keys are kept, so no live model ever holds a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

_LENIENT = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True, defer_build=True)
"""Built on first use, as the update actions are: a run without deployments never builds one."""

RUNNING: Final = frozenset({"Queued", "Deploying", "Undeploying"})
"""Statuses in which a build runs: a redeploy waits for it to settle."""


class StandardValue(BaseModel):
    """One standard configuration value as read."""

    model_config = _LENIENT

    key: str
    value: str | None = None


class SecuredKey(BaseModel):
    """One secured configuration entry as read: its key only, whatever value came back."""

    model_config = _LENIENT

    key: str


class LiveApplication(BaseModel):
    """ApplicationDeployment: one application of a live deployment."""

    model_config = _LENIENT

    id: str | None = None
    applicationName: str
    standardConfiguration: list[StandardValue] = Field(default_factory=list)
    securedConfiguration: list[SecuredKey] = Field(default_factory=list)
    schedule: str | None = None
    url: str | None = None
    topic: str | None = None

    def standard(self) -> dict[str, str]:
        """Its standard values by key; entries without a value are left out."""
        return {v.key: v.value for v in self.standardConfiguration if v.value is not None}


class LiveGlobalConfiguration(BaseModel):
    """DeploymentGlobalConfiguration as read."""

    model_config = _LENIENT

    standardConfiguration: list[StandardValue] = Field(default_factory=list)
    securedConfiguration: list[SecuredKey] = Field(default_factory=list)

    def standard(self) -> dict[str, str]:
        return {v.key: v.value for v in self.standardConfiguration if v.value is not None}


class ConfigurationKey(BaseModel):
    """A configuration key a connector application asks for (from its connect.yaml)."""

    model_config = _LENIENT

    key: str
    description: str | None = None
    required: bool = False
    default: str | None = None

    @property
    def needs_value(self) -> bool:
        """Required and without a default: a deployment must give it."""
        return self.required and self.default is None


class ApplicationFacts(BaseModel):
    """ConnectorConfigurationApplication: what one application of a connector accepts."""

    model_config = _LENIENT

    applicationName: str
    applicationType: str | None = None
    standardConfiguration: list[ConfigurationKey] = Field(default_factory=list)
    securedConfiguration: list[ConfigurationKey] = Field(default_factory=list)


class GlobalFacts(BaseModel):
    """ConnectorGlobalConfiguration: the keys every application of a connector shares."""

    model_config = _LENIENT

    standardConfiguration: list[ConfigurationKey] = Field(default_factory=list)
    securedConfiguration: list[ConfigurationKey] = Field(default_factory=list)


class DeployedConnector(BaseModel):
    """DeploymentConnector: the copy of the connector a deployment runs."""

    model_config = _LENIENT

    id: str
    key: str | None = None
    version: int | None = None
    name: str | None = None
    configurations: list[ApplicationFacts] | None = None
    globalConfiguration: GlobalFacts | None = None
    supportedRegions: list[str] = Field(default_factory=list)


class BuildReportEntry(BaseModel):
    """One entry of a deployment's build report (shown when a build fails)."""

    model_config = _LENIENT

    type: str = "Information"
    application: str | None = None
    title: str = ""
    message: str | None = None
    createdAt: str | None = None


class BuildReport(BaseModel):
    model_config = _LENIENT

    entries: list[BuildReportEntry] = Field(default_factory=list)


class DeploymentBuild(BaseModel):
    model_config = _LENIENT

    id: str | None = None
    report: BuildReport | None = None


class DeploymentDetails(BaseModel):
    model_config = _LENIENT

    build: DeploymentBuild | None = None


class Deployment(BaseModel):
    """A live Deployment: identity, the immutable fields, the values and the build state."""

    model_config = _LENIENT

    id: str
    key: str | None = None
    version: int
    type: str | None = None
    status: str = "Draft"
    deployedRegion: str | None = None
    preview: bool | None = None
    connector: DeployedConnector
    applications: list[LiveApplication] = Field(default_factory=list)
    globalConfiguration: LiveGlobalConfiguration | None = None
    details: DeploymentDetails | None = None

    @property
    def deployment_type(self) -> str | None:
        """``type``; older answers without it still tell a preview by ``preview: true``."""
        if self.type is not None:
            return self.type
        return "preview" if self.preview else None

    def application(self, name: str) -> LiveApplication | None:
        return next((a for a in self.applications if a.applicationName == name), None)

    def report_entries(self) -> list[BuildReportEntry]:
        """The build report's entries, empty when the answer has none."""
        build = self.details.build if self.details else None
        return list(build.report.entries) if build and build.report else []


class LogEntry(BaseModel):
    """One line of a deployment's logs (RAML DeploymentLog), as read."""

    model_config = _LENIENT

    applicationName: str | None = None
    severity: str | None = None
    timestamp: str | None = None
    details: dict[str, Any] | None = None

    @property
    def message(self) -> str:
        """The line's text: ``details.message``, else whatever ``details`` holds."""
        details = self.details or {}
        text = details.get("message")
        if isinstance(text, str):
            return text
        return "" if not details else str(details)

    def line(self) -> str:
        """``timestamp severity message``, as reports print it."""
        return " ".join(part for part in (self.timestamp, self.severity, self.message) if part)


class LogPage(BaseModel):
    """One page of ``GET .../logs``: its lines and the cursor of the next page, if any."""

    model_config = _LENIENT

    data: list[LogEntry] = Field(default_factory=list)
    next: str | None = None


class ConnectorFacts(BaseModel):
    """What the planner needs to know about a connector to deploy it (section 2 of the design).

    Read from a ConnectorStaged (``staged=True``) or a published Connector: its identity, its
    latest version, what its applications accept, and where and by whom it may be deployed.
    """

    model_config = _LENIENT

    id: str
    key: str | None = None
    version: int
    staged: bool = False
    configurations: list[ApplicationFacts] = Field(default_factory=list)
    globalConfiguration: GlobalFacts | None = None
    supportedRegions: list[str] = Field(default_factory=list)
    isPreviewable: str | None = None
    private: bool | None = None
    privateProjects: list[str] = Field(default_factory=list)

    def application(self, name: str) -> ApplicationFacts | None:
        return next((a for a in self.configurations if a.applicationName == name), None)

    def secured_keys(self) -> dict[str, set[str]]:
        """The secured keys, by where a declaration writes them: ``globalConfiguration`` and
        ``configurations.<application>``."""
        found: dict[str, set[str]] = {}
        if self.globalConfiguration is not None:
            found["globalConfiguration"] = {
                entry.key for entry in self.globalConfiguration.securedConfiguration
            }
        for application in self.configurations:
            keys = {entry.key for entry in application.securedConfiguration}
            found[f"configurations.{application.applicationName}"] = keys
        return found

    @property
    def knows_configurations(self) -> bool:
        """Whether ``configurations`` says what the connector accepts.

        Every connect.yaml deploys at least one application and Connect lists each one, so
        empty (or missing) configurations mean connect.yaml was not read yet: nothing can be
        checked before apply, and the API checks the values when they are sent.
        """
        return bool(self.configurations)


def connector_facts(data: Mapping[str, Any], *, staged: bool) -> ConnectorFacts:
    """The facts of a ConnectorStaged (``staged=True``) or a published Connector, as read."""
    return ConnectorFacts.model_validate({**data, "staged": staged})


def deployed_facts(live: Deployment) -> ConnectorFacts | None:
    """The facts of the connector copy a deployment runs, when the answer carries them.

    A redeploy that keeps the connector version is checked against these: the latest connector
    may accept other keys than the version that runs.
    """
    copy = live.connector
    if copy.configurations is None or copy.version is None:
        return None
    return ConnectorFacts(
        id=copy.id,
        key=copy.key,
        version=copy.version,
        staged=live.deployment_type == "preview",
        configurations=copy.configurations,
        globalConfiguration=copy.globalConfiguration,
        supportedRegions=copy.supportedRegions,
    )
