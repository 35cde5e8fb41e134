"""connect.yaml rules (connect-api.md section 8): each accepted and refused."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from connect_gitops.core.connect_spec import (
    APPLICATION_TYPES,
    ConnectApplication,
    SpecProblem,
    applications,
    cron_error,
    validate_connect_spec,
)


def full_spec() -> dict[str, Any]:
    """A connect.yaml using every feature, valid."""
    return {
        "inheritAs": {
            "configuration": {
                "standardConfiguration": [{"key": "CTP_REGION", "description": "region"}],
                "securedConfiguration": [
                    {"key": "CTP_CLIENT_SECRET", "description": "secret", "required": True}
                ],
            },
            "apiClient": {"scopes": ["manage_orders", "view_products"]},
        },
        "deployAs": [
            {
                "name": "service-app",
                "applicationType": "service",
                "endpoint": "/service",
                "configuration": {
                    "standardConfiguration": [
                        {"key": "PSP_URL", "description": "url", "required": False, "default": "x"}
                    ],
                    "securedConfiguration": [{"key": "PSP_KEY", "description": "key"}],
                },
            },
            {"name": "event_app", "applicationType": "event", "endpoint": "/event"},
            {
                "name": "job-app",
                "applicationType": "job",
                "endpoint": "/job",
                "properties": {"schedule": "*/5 * * * *"},
            },
            {"name": "mc-custom-app", "applicationType": "merchant-center-custom-application"},
            {"name": "mc", "applicationType": "mc-app"},
            {"name": "mc-view", "applicationType": "merchant-center-custom-view"},
            {"name": "assets", "applicationType": "assets"},
        ],
    }


def with_change(path: list[str | int], value: Any) -> dict[str, Any]:
    spec = full_spec()
    target: Any = spec
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return spec


def test_a_full_spec_is_valid() -> None:
    assert validate_connect_spec(full_spec()) == []


def test_every_application_type_is_accepted() -> None:
    kinds = {app["applicationType"] for app in full_spec()["deployAs"]}

    assert kinds == set(APPLICATION_TYPES)


def test_the_minimal_spec_is_valid() -> None:
    assert validate_connect_spec({"deployAs": [{"name": "ui", "applicationType": "assets"}]}) == []


def test_applications_summarise_the_spec() -> None:
    spec = {
        "deployAs": [
            {"name": "api", "applicationType": "service", "endpoint": "/"},
            {"name": "ui", "applicationType": "assets"},
        ]
    }

    assert applications(spec) == (
        ConnectApplication(name="api", application_type="service"),
        ConnectApplication(name="ui", application_type="assets"),
    )


@pytest.mark.parametrize(
    ("spec", "problems"),
    [
        (["deployAs"], [("", "connect.yaml must be a mapping with a deployAs list")]),
        (None, [("", "connect.yaml must be a mapping with a deployAs list")]),
        ({}, [("deployAs", "is required: list the applications to deploy")]),
        ({"deployAs": {"name": "x"}}, [("deployAs", "must be a list of applications")]),
        ({"deployAs": "service"}, [("deployAs", "must be a list of applications")]),
        ({"deployAs": []}, [("deployAs", "must list at least one application")]),
        (
            {"deployAs": ["service"]},
            [("deployAs[0]", "must be a mapping with name and applicationType")],
        ),
    ],
)
def test_top_level_shape(spec: Any, problems: list[tuple[str, str]]) -> None:
    assert validate_connect_spec(spec) == [SpecProblem(*p) for p in problems]


@pytest.mark.parametrize("name", ["ab", "a_b-C9", "x" * 256])
def test_application_names_accepted(name: str) -> None:
    assert validate_connect_spec(with_change(["deployAs", 6, "name"], name)) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("a", "invalid name 'a': use 2 to 256 letters, digits, '-' or '_'"),
        ("x" * 257, f"invalid name {'x' * 257!r}: use 2 to 256 letters, digits, '-' or '_'"),
        ("my app", "invalid name 'my app': use 2 to 256 letters, digits, '-' or '_'"),
        ("app.v2", "invalid name 'app.v2': use 2 to 256 letters, digits, '-' or '_'"),
        (12, "invalid name 12: use 2 to 256 letters, digits, '-' or '_'"),
        (None, "is required"),
    ],
)
def test_application_names_refused(name: Any, message: str) -> None:
    spec = with_change(["deployAs", 6, "name"], name)
    if name is None:
        del spec["deployAs"][6]["name"]

    assert validate_connect_spec(spec) == [SpecProblem("deployAs[6].name", message)]


def test_application_names_are_unique() -> None:
    spec = with_change(["deployAs", 6, "name"], "service-app")

    assert validate_connect_spec(spec) == [
        SpecProblem("deployAs[6].name", "duplicate application name 'service-app'")
    ]


def test_the_application_type_is_required_and_known() -> None:
    spec = full_spec()
    del spec["deployAs"][0]["applicationType"]
    spec["deployAs"][1]["applicationType"] = "lambda"

    assert validate_connect_spec(spec) == [
        SpecProblem("deployAs[0].applicationType", "is required"),
        SpecProblem(
            "deployAs[1].applicationType",
            "unknown type 'lambda': use one of service, event, job, "
            "merchant-center-custom-application, mc-app, merchant-center-custom-view, assets",
        ),
    ]


@pytest.mark.parametrize(("index", "kind"), [(0, "service"), (1, "event"), (2, "job")])
@pytest.mark.parametrize("endpoint", [None, "", "  ", 5])
def test_service_event_and_job_need_an_endpoint(index: int, kind: str, endpoint: Any) -> None:
    spec = full_spec()
    if endpoint is None:
        del spec["deployAs"][index]["endpoint"]
    else:
        spec["deployAs"][index]["endpoint"] = endpoint

    assert validate_connect_spec(spec) == [
        SpecProblem(f"deployAs[{index}].endpoint", f"is required for a {kind} (a path)")
    ]


def test_a_job_needs_a_schedule() -> None:
    spec = full_spec()
    del spec["deployAs"][2]["properties"]

    assert validate_connect_spec(spec) == [
        SpecProblem("deployAs[2].properties.schedule", "is required for a job (a cron schedule)")
    ]


def test_a_job_schedule_is_a_string() -> None:
    spec = with_change(["deployAs", 2, "properties", "schedule"], 5)

    assert validate_connect_spec(spec) == [
        SpecProblem("deployAs[2].properties.schedule", "must be a cron string like '0 * * * *'")
    ]


def test_an_invalid_job_schedule() -> None:
    spec = with_change(["deployAs", 2, "properties", "schedule"], "61 * * * *")

    assert validate_connect_spec(spec) == [
        SpecProblem(
            "deployAs[2].properties.schedule",
            "invalid cron '61 * * * *': minute field '61' is outside 0-59",
        )
    ]


@pytest.mark.parametrize(
    "schedule",
    [
        "* * * * *",
        "0 0 1 1 0",
        "59 23 31 12 7",
        "*/15 9-17 * * MON-FRI",
        "0,30 1,2,3 1-15/2 jan,jul sun",
        "5 4 * * 1-5",
    ],
)
def test_cron_schedules_accepted(schedule: str) -> None:
    assert cron_error(schedule) is None


@pytest.mark.parametrize(
    ("schedule", "error"),
    [
        ("* * * *", "use five fields: minute hour day-of-month month day-of-week"),
        ("* * * * * *", "use five fields: minute hour day-of-month month day-of-week"),
        ("", "use five fields: minute hour day-of-month month day-of-week"),
        ("60 * * * *", "minute field '60' is outside 0-59"),
        ("* 24 * * *", "hour field '24' is outside 0-23"),
        ("* * 0 * *", "day of month field '0' is outside 1-31"),
        ("* * * 13 *", "month field '13' is outside 1-12"),
        ("* * * * 8", "day of week field '8' is outside 0-7"),
        ("* * * * FUNDAY", "day of week field 'FUNDAY' is outside 0-7"),
        ("*/0 * * * *", "minute field '*/0' is not valid"),
        ("1-2-3 * * * *", "minute field '1-2-3' is not valid"),
        ("@hourly * * * *", "minute field '@hourly' is not valid"),
        ("1,,2 * * * *", "minute field '1,,2' is not valid"),
    ],
)
def test_cron_schedules_refused(schedule: str, error: str) -> None:
    assert cron_error(schedule) == error


def test_assets_take_no_configuration() -> None:
    spec = with_change(["deployAs", 6, "configuration"], {"standardConfiguration": []})

    assert validate_connect_spec(spec) == [
        SpecProblem("deployAs[6].configuration", "is not allowed for an assets application")
    ]


@pytest.mark.parametrize(
    ("configuration", "problems"),
    [
        (
            ["PSP_URL"],
            [("", "must be a mapping of standardConfiguration/securedConfiguration")],
        ),
        (
            {"standardConfiguration": {"key": "A1"}},
            [(".standardConfiguration", "must be a list of entries")],
        ),
        (
            {"securedConfiguration": ["PSP_KEY"]},
            [(".securedConfiguration[0]", "must be a mapping with key and description")],
        ),
        (
            {"standardConfiguration": [{"description": "d"}]},
            [(".standardConfiguration[0].key", "is required")],
        ),
        (
            {"standardConfiguration": [{"key": "A"}]},
            [
                (
                    ".standardConfiguration[0].key",
                    "invalid key 'A': use 2 to 256 letters, digits or '_'",
                ),
                (".standardConfiguration[0].description", "is required (a string)"),
            ],
        ),
        (
            {"standardConfiguration": [{"key": "PSP-URL", "description": "d"}]},
            [
                (
                    ".standardConfiguration[0].key",
                    "invalid key 'PSP-URL': use 2 to 256 letters, digits or '_'",
                ),
            ],
        ),
        (
            {"standardConfiguration": [{"key": "K" * 257, "description": "d"}]},
            [
                (
                    ".standardConfiguration[0].key",
                    f"invalid key {'K' * 257!r}: use 2 to 256 letters, digits or '_'",
                ),
            ],
        ),
        (
            {"standardConfiguration": [{"key": "A1", "description": "d", "required": "yes"}]},
            [
                (".standardConfiguration[0].required", "must be true or false"),
            ],
        ),
        (
            {
                "standardConfiguration": [{"key": "PSP_URL", "description": "d"}],
                "securedConfiguration": [{"key": "PSP_URL", "description": "d"}],
            },
            [(".securedConfiguration[0].key", "duplicate configuration key 'PSP_URL'")],
        ),
        (
            {"securedConfiguration": [{"key": "CTP_REGION", "description": "d"}]},
            [
                (
                    ".securedConfiguration[0].key",
                    "'CTP_REGION' is already a global key (inheritAs.configuration): "
                    "remove it from one of the two",
                )
            ],
        ),
    ],
)
def test_configuration_rules(configuration: Any, problems: list[tuple[str, str]]) -> None:
    spec = with_change(["deployAs", 0, "configuration"], configuration)

    assert validate_connect_spec(spec) == [
        SpecProblem(f"deployAs[0].configuration{path}", message) for path, message in problems
    ]


@pytest.mark.parametrize("key", ["PORT", "port", "K_SERVICE", "k_revision", "K_Configuration"])
def test_reserved_keys_are_refused_in_any_case(key: str) -> None:
    spec = with_change(
        ["deployAs", 1, "configuration"],
        {"standardConfiguration": [{"key": key, "description": "d"}]},
    )

    assert validate_connect_spec(spec) == [
        SpecProblem(
            "deployAs[1].configuration.standardConfiguration[0].key",
            f"{key!r} is reserved by the runtime: choose another name",
        )
    ]


@pytest.mark.parametrize("key", ["PORTS", "MY_PORT", "K_SERVICES", "ab", "A" * 256])
def test_keys_near_the_reserved_ones_are_accepted(key: str) -> None:
    spec = with_change(
        ["deployAs", 1, "configuration"],
        {"standardConfiguration": [{"key": key, "description": "d"}]},
    )

    assert validate_connect_spec(spec) == []


def test_the_same_key_in_two_applications_is_fine() -> None:
    spec = with_change(
        ["deployAs", 1, "configuration"],
        {"standardConfiguration": [{"key": "PSP_URL", "description": "d"}]},
    )

    assert validate_connect_spec(spec) == []


def test_global_keys_follow_the_key_rules() -> None:
    spec = with_change(
        ["inheritAs", "configuration", "standardConfiguration"],
        [{"key": "PORT", "description": "d"}, {"key": "G1", "description": "d"}, {"key": "G1"}],
    )

    assert validate_connect_spec(spec) == [
        SpecProblem(
            "inheritAs.configuration.standardConfiguration[0].key",
            "'PORT' is reserved by the runtime: choose another name",
        ),
        SpecProblem(
            "inheritAs.configuration.standardConfiguration[2].key",
            "duplicate configuration key 'G1'",
        ),
        SpecProblem(
            "inheritAs.configuration.standardConfiguration[2].description",
            "is required (a string)",
        ),
    ]


@pytest.mark.parametrize(
    ("inherit_as", "problems"),
    [
        ("yes", [("inheritAs", "must be a mapping")]),
        (
            {"apiClient": ["manage_orders"]},
            [("inheritAs.apiClient", "must be a mapping with scopes")],
        ),
        ({"apiClient": {}}, [("inheritAs.apiClient.scopes", "must be a non-empty list of scopes")]),
        (
            {"apiClient": {"scopes": []}},
            [("inheritAs.apiClient.scopes", "must be a non-empty list of scopes")],
        ),
        (
            {"apiClient": {"scopes": "manage_orders"}},
            [("inheritAs.apiClient.scopes", "must be a non-empty list of scopes")],
        ),
        (
            {"apiClient": {"scopes": ["manage_orders", ""]}},
            [("inheritAs.apiClient.scopes[1]", "must be a non-empty string")],
        ),
        (
            {"configuration": "x"},
            [
                (
                    "inheritAs.configuration",
                    "must be a mapping of standardConfiguration/securedConfiguration",
                )
            ],
        ),
    ],
)
def test_inherit_as_rules(inherit_as: Any, problems: list[tuple[str, str]]) -> None:
    spec = copy.deepcopy(full_spec())
    spec["inheritAs"] = inherit_as

    assert validate_connect_spec(spec) == [SpecProblem(*p) for p in problems]


def test_inherit_as_is_optional() -> None:
    spec = full_spec()
    del spec["inheritAs"]

    assert validate_connect_spec(spec) == []


def test_all_problems_are_reported_at_once_in_document_order() -> None:
    spec = {
        "inheritAs": {"apiClient": {"scopes": []}},
        "deployAs": [
            {"name": "a", "applicationType": "service"},
            {"name": "job", "applicationType": "job", "endpoint": "/j"},
        ],
    }

    assert validate_connect_spec(spec) == [
        SpecProblem("inheritAs.apiClient.scopes", "must be a non-empty list of scopes"),
        SpecProblem(
            "deployAs[0].name", "invalid name 'a': use 2 to 256 letters, digits, '-' or '_'"
        ),
        SpecProblem("deployAs[0].endpoint", "is required for a service (a path)"),
        SpecProblem("deployAs[1].properties.schedule", "is required for a job (a cron schedule)"),
    ]
