"""The rules of connect.yaml, the file Connect reads at a repository tag (connect-api.md §8).

Connect only reports a broken connect.yaml minutes later, in a preview or publish report; checking
it here (``validate --remote``) turns that into an immediate, located error. Pure: the caller
parses the YAML and hands over the plain mapping; this module only judges it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

APPLICATION_TYPES: Final[tuple[str, ...]] = (
    "service",
    "event",
    "job",
    "merchant-center-custom-application",
    "mc-app",
    "merchant-center-custom-view",
    "assets",
)
WITH_ENDPOINT: Final = frozenset({"service", "event", "job"})
WITHOUT_CONFIGURATION: Final = frozenset({"assets"})
RESERVED_KEYS: Final = frozenset({"PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"})

APPLICATION_NAME_PATTERN: Final = r"^[a-zA-Z0-9_-]{2,256}$"
CONFIGURATION_KEY_PATTERN: Final = r"^[a-zA-Z0-9_]{2,256}$"
_APPLICATION_NAME = re.compile(APPLICATION_NAME_PATTERN)
_CONFIGURATION_KEY = re.compile(CONFIGURATION_KEY_PATTERN)

# Cron fields: minute, hour, day of month, month, day of week (with their names).
_CRON_FIELDS: Final = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    (
        "month",
        1,
        12,
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
    ),
    ("day of week", 0, 7, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
)
_CRON_ITEM = re.compile(r"^(?P<range>\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:/(?P<step>\d+))?$")


class SpecProblem(NamedTuple):
    """One rule connect.yaml breaks: the field path (``deployAs[0].name``) and what is wrong."""

    path: str
    message: str


@dataclass(frozen=True, slots=True)
class ConnectApplication:
    """One application that Connect deploys from the repository."""

    name: str
    application_type: str


def validate_connect_spec(spec: Any) -> list[SpecProblem]:
    """Every problem of a parsed connect.yaml, in document order; empty when it is valid."""
    problems: list[SpecProblem] = []
    if not isinstance(spec, Mapping):
        return [SpecProblem("", "connect.yaml must be a mapping with a deployAs list")]
    global_keys = _check_inherit_as(spec.get("inheritAs"), problems)
    deploy_as = spec.get("deployAs")
    if deploy_as is None:
        problems.append(SpecProblem("deployAs", "is required: list the applications to deploy"))
    elif not _is_list(deploy_as):
        problems.append(SpecProblem("deployAs", "must be a list of applications"))
    elif not deploy_as:
        problems.append(SpecProblem("deployAs", "must list at least one application"))
    else:
        seen_names: set[str] = set()
        for index, application in enumerate(deploy_as):
            _check_application(f"deployAs[{index}]", application, seen_names, global_keys, problems)
    return problems


def applications(spec: Mapping[str, Any]) -> tuple[ConnectApplication, ...]:
    """The applications of a connect.yaml that :func:`validate_connect_spec` accepted."""
    return tuple(
        ConnectApplication(name=app["name"], application_type=app["applicationType"])
        for app in spec["deployAs"]
    )


def _is_list(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def _check_inherit_as(inherit_as: object, problems: list[SpecProblem]) -> set[str]:
    """Check ``inheritAs`` and return its (global) configuration keys."""
    if inherit_as is None:
        return set()
    if not isinstance(inherit_as, Mapping):
        problems.append(SpecProblem("inheritAs", "must be a mapping"))
        return set()
    global_keys: set[str] = set()
    if "configuration" in inherit_as:
        global_keys = _check_configuration(
            "inheritAs.configuration", inherit_as["configuration"], set(), problems
        )
    if "apiClient" in inherit_as:
        api_client = inherit_as["apiClient"]
        if not isinstance(api_client, Mapping):
            problems.append(SpecProblem("inheritAs.apiClient", "must be a mapping with scopes"))
        else:
            scopes = api_client.get("scopes")
            if not _is_list(scopes) or not scopes:
                problems.append(
                    SpecProblem("inheritAs.apiClient.scopes", "must be a non-empty list of scopes")
                )
            else:
                for index, scope in enumerate(scopes):
                    if not isinstance(scope, str) or not scope:
                        problems.append(
                            SpecProblem(
                                f"inheritAs.apiClient.scopes[{index}]",
                                "must be a non-empty string",
                            )
                        )
    return global_keys


def _check_application(
    path: str,
    application: object,
    seen_names: set[str],
    global_keys: set[str],
    problems: list[SpecProblem],
) -> None:
    if not isinstance(application, Mapping):
        problems.append(SpecProblem(path, "must be a mapping with name and applicationType"))
        return
    _check_application_name(path, application.get("name"), seen_names, problems)
    kind = application.get("applicationType")
    if kind is None:
        problems.append(SpecProblem(f"{path}.applicationType", "is required"))
        return
    if kind not in APPLICATION_TYPES:
        problems.append(
            SpecProblem(
                f"{path}.applicationType",
                f"unknown type {kind!r}: use one of {', '.join(APPLICATION_TYPES)}",
            )
        )
        return

    if kind in WITH_ENDPOINT:
        endpoint = application.get("endpoint")
        if not isinstance(endpoint, str) or not endpoint.strip():
            problems.append(SpecProblem(f"{path}.endpoint", f"is required for a {kind} (a path)"))
    if kind == "job":
        _check_job_schedule(path, application.get("properties"), problems)
    if "configuration" in application:
        if kind in WITHOUT_CONFIGURATION:
            problems.append(
                SpecProblem(f"{path}.configuration", f"is not allowed for an {kind} application")
            )
        else:
            _check_configuration(
                f"{path}.configuration", application["configuration"], global_keys, problems
            )


def _check_application_name(
    path: str, name: object, seen_names: set[str], problems: list[SpecProblem]
) -> None:
    if name is None:
        problems.append(SpecProblem(f"{path}.name", "is required"))
    elif not isinstance(name, str) or not _APPLICATION_NAME.fullmatch(name):
        problems.append(
            SpecProblem(
                f"{path}.name",
                f"invalid name {name!r}: use 2 to 256 letters, digits, '-' or '_'",
            )
        )
    elif name in seen_names:
        problems.append(SpecProblem(f"{path}.name", f"duplicate application name {name!r}"))
    else:
        seen_names.add(name)


def _check_job_schedule(path: str, properties: object, problems: list[SpecProblem]) -> None:
    schedule = properties.get("schedule") if isinstance(properties, Mapping) else None
    if schedule is None:
        problems.append(
            SpecProblem(f"{path}.properties.schedule", "is required for a job (a cron schedule)")
        )
    elif not isinstance(schedule, str):
        problems.append(
            SpecProblem(f"{path}.properties.schedule", "must be a cron string like '0 * * * *'")
        )
    elif (reason := cron_error(schedule)) is not None:
        problems.append(
            SpecProblem(f"{path}.properties.schedule", f"invalid cron {schedule!r}: {reason}")
        )


def cron_error(schedule: str) -> str | None:
    """Why a five-field cron expression is invalid, or None when it is valid."""
    fields = schedule.split()
    if len(fields) != len(_CRON_FIELDS):
        return "use five fields: minute hour day-of-month month day-of-week"
    for text, (label, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        for item in text.split(","):
            match = _CRON_ITEM.fullmatch(item)
            if match is None or (match["step"] is not None and int(match["step"]) == 0):
                return f"{label} field {text!r} is not valid"
            if match["range"] == "*":
                continue
            bounds = [_cron_value(part, names) for part in match["range"].split("-")]
            if any(value is None or not low <= value <= high for value in bounds):
                return f"{label} field {text!r} is outside {low}-{high}"
    return None


def _cron_value(part: str, names: tuple[str, ...]) -> int | None:
    if part.isdigit():
        return int(part)
    upper = part.upper()
    if upper in names:
        # Month names count from 1, weekday names from 0 (SUN).
        return names.index(upper) + (1 if len(names) == 12 else 0)
    return None


def _check_configuration(
    path: str, configuration: object, global_keys: set[str], problems: list[SpecProblem]
) -> set[str]:
    """Check a configuration block and return the keys it declares."""
    if not isinstance(configuration, Mapping):
        problems.append(
            SpecProblem(path, "must be a mapping of standardConfiguration/securedConfiguration")
        )
        return set()
    keys: set[str] = set()
    for section in ("standardConfiguration", "securedConfiguration"):
        entries = configuration.get(section)
        if entries is None:
            continue
        if not _is_list(entries):
            problems.append(SpecProblem(f"{path}.{section}", "must be a list of entries"))
            continue
        for index, entry in enumerate(entries):
            _check_configuration_entry(
                f"{path}.{section}[{index}]", entry, keys, global_keys, problems
            )
    return keys


def _check_configuration_entry(
    path: str,
    entry: object,
    keys: set[str],
    global_keys: set[str],
    problems: list[SpecProblem],
) -> None:
    if not isinstance(entry, Mapping):
        problems.append(SpecProblem(path, "must be a mapping with key and description"))
        return
    key = entry.get("key")
    if key is None:
        problems.append(SpecProblem(f"{path}.key", "is required"))
    elif not isinstance(key, str) or not _CONFIGURATION_KEY.fullmatch(key):
        problems.append(
            SpecProblem(f"{path}.key", f"invalid key {key!r}: use 2 to 256 letters, digits or '_'")
        )
    elif key.upper() in RESERVED_KEYS:
        problems.append(
            SpecProblem(f"{path}.key", f"{key!r} is reserved by the runtime: choose another name")
        )
    elif key in keys:
        problems.append(SpecProblem(f"{path}.key", f"duplicate configuration key {key!r}"))
    elif key in global_keys:
        problems.append(
            SpecProblem(
                f"{path}.key",
                f"{key!r} is already a global key (inheritAs.configuration): "
                "remove it from one of the two",
            )
        )
    else:
        keys.add(key)
    if not isinstance(entry.get("description"), str):
        problems.append(SpecProblem(f"{path}.description", "is required (a string)"))
    if "required" in entry and not isinstance(entry["required"], bool):
        problems.append(SpecProblem(f"{path}.required", "must be true or false"))
