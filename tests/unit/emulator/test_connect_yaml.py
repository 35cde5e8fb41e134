"""connect.yaml rules (connect-api.md section 8), checked without git."""

from __future__ import annotations

import pytest

from connect_gitops.emulator.connect_yaml import Specification, parse

STANDARD = "    configuration:\n      standardConfiguration:\n"
SECURED = "    configuration:\n      securedConfiguration:\n"
ASSETS = "  - {name: ab, applicationType: assets}\n"


def _app(configuration: str, kind: str = "service", extra: str = "    endpoint: /x\n") -> str:
    return f"deployAs:\n  - name: app\n    applicationType: {kind}\n{extra}{configuration}"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[1]", "connect.yaml: expected a mapping at the top level"),
        ("a: [", "connect.yaml is not valid YAML"),
        ("deployAs: []", "deployAs: a non-empty list of applications is required"),
        (
            _app(STANDARD + "        - {key: PORT, description: p}\n"),
            "deployAs[0].configuration.standardConfiguration[0].key: 'PORT' is reserved",
        ),
        (
            _app(SECURED + "        - {key: k_service, description: p}\n"),
            "deployAs[0].configuration.securedConfiguration[0].key: 'k_service' is reserved",
        ),
        (
            _app(STANDARD + "        - {key: A-B, description: p}\n"),
            "deployAs[0].configuration.standardConfiguration[0].key: 'A-B' is not a valid",
        ),
        (
            _app(
                STANDARD + "        - {key: AB, description: p}\n"
                "      securedConfiguration:\n        - {key: AB, description: p}\n"
            ),
            "deployAs[0].configuration: configuration key 'AB' is not unique",
        ),
        (_app("", extra=""), "deployAs[0].endpoint: required for a service application"),
        (_app("", kind="job"), "deployAs[0].properties.schedule: a cron expression is required"),
        (
            "deployAs:\n" + ASSETS + ASSETS,
            "deployAs[1].name: 'ab' is not unique",
        ),
        (
            _app(STANDARD + "        - {key: AB, description: p}\n")
            + "inheritAs:\n  configuration:\n    standardConfiguration:\n"
            + "      - {key: AB, description: g}\n",
            "inheritAs.configuration: global key 'AB' is in an application",
        ),
        (
            "deployAs:\n" + ASSETS + "inheritAs:\n  apiClient: {scopes: []}\n",
            "inheritAs.apiClient.scopes: a non-empty list is required",
        ),
    ],
)
def test_problems(text: str, problem: str) -> None:
    found = parse(text)
    assert isinstance(found, list)
    assert found[0].startswith(problem)


def test_valid_job_and_merchant_center_apps() -> None:
    text = (
        "deployAs:\n"
        "  - {name: nightly, applicationType: job, endpoint: /job,\n"
        "     properties: {schedule: '0 0 * * *'}}\n"
        "  - {name: mc, applicationType: mc-app}\n"
    )
    found = parse(text)
    assert isinstance(found, Specification)
    assert [c["applicationName"] for c in found.configurations] == ["nightly", "mc"]
    assert found.global_configuration is None
    assert found.api_client is None
