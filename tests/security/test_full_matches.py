"""Whole-value checks outside the declaration rules and the emulator: a value that ends in a
newline is refused everywhere (``re.match`` with ``$`` lets ``"value\\n"`` through)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connect_gitops.core.connect_spec import validate_connect_spec
from connect_gitops.core.urls import check_service_url
from connect_gitops.git.changes import resolve_auto_rev
from connect_gitops.git.remote import url_refusal
from connect_gitops.source.config import ConfigError, load_config

SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"


def config_problems(tmp_path: Path, target: dict[str, str], name: str = "eu") -> list[str]:
    """The problems of a config with one target, written as JSON (a YAML subset) so that every
    value arrives exactly as given, trailing newline included."""
    document = {"targets": {name: target}}
    (tmp_path / "connect-gitops.yaml").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, {})
    return [problem.message for problem in caught.value.problems]


GOOD_TARGET = {"region": "europe-west1.gcp", "projectKey": "shop"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("projectKey", "shop\n", "invalid project key 'shop\\n'"),
        ("clientIdEnv", "CTP_ID\n", "invalid environment variable name 'CTP_ID\\n'"),
        ("clientSecretEnv", "CTP_SECRET\n", "invalid environment variable name 'CTP_SECRET\\n'"),
        ("apiUrl", "https://connect.test\n", "invalid URL 'https://connect.test\\n'"),
        ("authUrl", "https://auth.test\n", "invalid URL 'https://auth.test\\n'"),
        ("authUrl", " https://auth.test", "invalid URL ' https://auth.test'"),
    ],
)
def test_config_values_with_a_trailing_newline_are_refused(
    tmp_path: Path, field: str, value: str, message: str
) -> None:
    problems = config_problems(tmp_path, {**GOOD_TARGET, field: value})

    assert len(problems) == 1
    assert message in problems[0]


def test_a_target_name_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    problems = config_problems(tmp_path, GOOD_TARGET, name="eu\n")

    assert problems == ["invalid target name 'eu\\n': use letters, digits, '.', '-' or '_'"]


def test_the_implicit_target_refuses_a_project_key_with_a_trailing_newline(
    tmp_path: Path,
) -> None:
    config = load_config(tmp_path, {"CTP_REGION": "europe-west1.gcp", "CTP_PROJECT_KEY": "shop\n"})

    assert config.targets == {}
    assert "CTP_PROJECT_KEY: invalid project key 'shop\\n'" in config.unavailable["default"]


@pytest.mark.parametrize(
    "url", ["https://connect.test\n", "https://connect.test/\n", "https://conn\nect.test"]
)
def test_a_service_url_with_a_newline_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="holds a blank or control character"):
        check_service_url(url)


def test_connect_yaml_names_and_keys_with_a_trailing_newline_are_refused() -> None:
    spec = {
        "deployAs": [
            {
                "name": "service-app\n",
                "applicationType": "service",
                "endpoint": "/service",
                "configuration": {
                    "standardConfiguration": [{"key": "API_KEY\n", "description": "d"}]
                },
            }
        ]
    }

    paths = [problem.path for problem in validate_connect_spec(spec)]

    assert "deployAs[0].name" in paths
    assert "deployAs[0].configuration.standardConfiguration[0].key" in paths


@pytest.mark.parametrize(
    "url",
    ["https://github.com/acme/pay.git\n", "git@github.com:acme/pay.git\n"],
)
def test_repository_urls_with_a_trailing_newline_are_refused(url: str) -> None:
    """The control-character check refused these before the patterns were full matches; the
    patterns must hold on their own as well."""
    refusal = url_refusal(url)

    assert refusal is not None
    assert refusal.startswith("refusing repository URL ")


def test_an_event_revision_with_a_trailing_newline_is_not_a_revision(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"before": SHA + "\n"}), encoding="utf-8")

    assert resolve_auto_rev({"GITHUB_EVENT_PATH": str(event), "GITHUB_EVENT_NAME": "push"}) is None
