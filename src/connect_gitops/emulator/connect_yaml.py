"""connect.yaml: the rules of connect-api.md section 8 and what the server derives from it.

Pure: text in, a `Specification` or a list of problems out. The emulator's own reading of the
rules, independent of the reconciler's `--remote` checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from connect_gitops.emulator.errors import JsonObject

APPLICATION_NAME = re.compile(r"[a-zA-Z0-9_-]{2,256}")
CONFIGURATION_KEY = re.compile(r"[a-zA-Z0-9_]{2,256}")
RESERVED_KEYS = frozenset({"PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"})
APPLICATION_TYPES = frozenset(
    {
        "service",
        "event",
        "job",
        "merchant-center-custom-application",
        "mc-app",
        "merchant-center-custom-view",
        "assets",
    }
)
WITH_ENDPOINT = frozenset({"service", "event", "job"})
CRON_FIELDS = 5


@dataclass(frozen=True)
class Specification:
    """What Connect derives from a valid connect.yaml."""

    configurations: list[JsonObject]
    global_configuration: JsonObject | None = None
    api_client: JsonObject | None = None
    schedules: dict[str, str] = field(default_factory=dict)
    """Each job application's `properties.schedule` (not part of `configurations`)."""


@dataclass
class _Checker:
    problems: list[str] = field(default_factory=list)

    def entries(self, value: Any, path: str, *, secured: bool) -> list[JsonObject]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.append(f"{path}: expected a list")
            return []
        result: list[JsonObject] = []
        for index, item in enumerate(value):
            where = f"{path}[{index}]"
            if not isinstance(item, dict):
                self.problems.append(f"{where}: expected a mapping")
                continue
            key = item.get("key")
            if not isinstance(key, str) or not CONFIGURATION_KEY.fullmatch(key):
                self.problems.append(f"{where}.key: {key!r} is not a valid configuration key")
                continue
            if key.upper() in RESERVED_KEYS:
                self.problems.append(f"{where}.key: {key!r} is reserved")
                continue
            description = item.get("description")
            if not isinstance(description, str):
                self.problems.append(f"{where}.description: missing")
                continue
            required = item.get("required", False)
            if not isinstance(required, bool):
                self.problems.append(f"{where}.required: expected true or false")
                continue
            entry: JsonObject = {"key": key, "description": description, "required": required}
            if not secured and "default" in item:
                entry["default"] = str(item["default"])
            result.append(entry)
        return result

    def configuration(self, value: Any, path: str) -> tuple[list[JsonObject], list[JsonObject]]:
        if value is None:
            return [], []
        if not isinstance(value, dict):
            self.problems.append(f"{path}: expected a mapping")
            return [], []
        standard = self.entries(
            value.get("standardConfiguration"), f"{path}.standardConfiguration", secured=False
        )
        secured = self.entries(
            value.get("securedConfiguration"), f"{path}.securedConfiguration", secured=True
        )
        seen: set[str] = set()
        for entry in standard + secured:
            if entry["key"] in seen:
                self.problems.append(f"{path}: configuration key {entry['key']!r} is not unique")
            seen.add(entry["key"])
        return standard, secured

    def application(self, value: Any, path: str) -> JsonObject | None:
        if not isinstance(value, dict):
            self.problems.append(f"{path}: expected a mapping")
            return None
        name = value.get("name")
        if not isinstance(name, str) or not APPLICATION_NAME.fullmatch(name):
            self.problems.append(f"{path}.name: {name!r} is not a valid application name")
            return None
        kind = value.get("applicationType")
        if kind not in APPLICATION_TYPES:
            self.problems.append(f"{path}.applicationType: {kind!r} is not an application type")
            return None
        if kind in WITH_ENDPOINT and not isinstance(value.get("endpoint"), str):
            self.problems.append(f"{path}.endpoint: required for a {kind} application")
        if kind == "job":
            properties = value.get("properties")
            schedule = properties.get("schedule") if isinstance(properties, dict) else None
            if not isinstance(schedule, str) or len(schedule.split()) != CRON_FIELDS:
                self.problems.append(f"{path}.properties.schedule: a cron expression is required")
        standard, secured = (
            ([], [])
            if kind == "assets"
            else self.configuration(value.get("configuration"), f"{path}.configuration")
        )
        return {
            "applicationName": name,
            "applicationType": kind,
            "standardConfiguration": standard,
            "securedConfiguration": secured,
        }


def parse(text: str) -> Specification | list[str]:
    """The specification of a connect.yaml, or every problem found in it."""
    try:
        document = YAML(typ="safe", pure=False).load(text)
    except YAMLError as exc:
        return [f"connect.yaml is not valid YAML: {str(exc).splitlines()[0]}"]
    if not isinstance(document, dict):
        return ["connect.yaml: expected a mapping at the top level"]
    checker = _Checker()
    deploy_as = document.get("deployAs")
    if not isinstance(deploy_as, list) or not deploy_as:
        checker.problems.append("deployAs: a non-empty list of applications is required")
        deploy_as = []
    applications: list[JsonObject] = []
    for index, item in enumerate(deploy_as):
        application = checker.application(item, f"deployAs[{index}]")
        if application is None:
            continue
        if any(a["applicationName"] == application["applicationName"] for a in applications):
            checker.problems.append(
                f"deployAs[{index}].name: {application['applicationName']!r} is not unique"
            )
        applications.append(application)
    global_configuration, api_client = _inherit(checker, document.get("inheritAs"), applications)
    if checker.problems:
        return checker.problems
    schedules = {
        item["name"]: item["properties"]["schedule"]
        for item in deploy_as
        if item.get("applicationType") == "job"
    }
    return Specification(applications, global_configuration, api_client, schedules)


def _inherit(
    checker: _Checker, value: Any, applications: list[JsonObject]
) -> tuple[JsonObject | None, JsonObject | None]:
    if value is None:
        return None, None
    if not isinstance(value, dict):
        checker.problems.append("inheritAs: expected a mapping")
        return None, None
    global_configuration: JsonObject | None = None
    if value.get("configuration") is not None:
        standard, secured = checker.configuration(value["configuration"], "inheritAs.configuration")
        global_configuration = {"standardConfiguration": standard, "securedConfiguration": secured}
        application_keys = {
            entry["key"]
            for application in applications
            for entry in application["standardConfiguration"] + application["securedConfiguration"]
        }
        for entry in standard + secured:
            if entry["key"] in application_keys:
                checker.problems.append(
                    f"inheritAs.configuration: global key {entry['key']!r} is in an application"
                )
    api_client: JsonObject | None = None
    if value.get("apiClient") is not None:
        client = value["apiClient"]
        scopes = client.get("scopes") if isinstance(client, dict) else None
        if (
            not isinstance(scopes, list)
            or not scopes
            or not all(isinstance(s, str) for s in scopes)
        ):
            checker.problems.append("inheritAs.apiClient.scopes: a non-empty list is required")
        else:
            api_client = {"scopes": list(scopes)}
    return global_configuration, api_client
