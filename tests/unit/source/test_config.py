"""connect-gitops.yaml: targets, URLs, the implicit CTP_* target, credentials, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from connect_gitops.source.config import (
    ApiTarget,
    ConfigError,
    CredentialsError,
    EmulatorTarget,
    UnknownTargetError,
    load_config,
    resolve_credentials,
)


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "connect-gitops.yaml").write_text(text)
    return tmp_path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text), {})
    return [str(problem) for problem in caught.value.problems]


def test_full_config(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            """\
connectors: ["connectors/**/*.yaml"]
defaultTarget: eu
targets:
  eu:
    region: europe-west1.gcp
    projectKey: shop-prod
  us:
    region: us-east-2.aws
    projectKey: shop-us
    clientIdEnv: US_ID
    clientSecretEnv: US_SECRET
    apiUrl: http://127.0.0.1:8080/
    authUrl: http://[::1]:9000
  local:
    emulator: .connect-gitops/emulator.json
""",
        ),
        {},
    )
    assert config.connector_globs == ("connectors/**/*.yaml",)
    assert config.default_target == "eu"
    assert config.target_names == ("eu", "local", "us")
    assert config.target("eu") == ApiTarget(
        name="eu",
        region="europe-west1.gcp",
        project_key="shop-prod",
        api_url="https://connect.europe-west1.gcp.commercetools.com",
        auth_url="https://auth.europe-west1.gcp.commercetools.com",
        client_id_env="CTP_CLIENT_ID",
        client_secret_env="CTP_CLIENT_SECRET",
    )
    us = config.target("us")
    assert isinstance(us, ApiTarget)
    assert (us.api_url, us.auth_url) == ("http://127.0.0.1:8080", "http://[::1]:9000")
    assert (us.client_id_env, us.client_secret_env) == ("US_ID", "US_SECRET")
    assert config.target("local") == EmulatorTarget(
        "local", (tmp_path / ".connect-gitops/emulator.json").resolve()
    )


def test_single_target_is_the_default(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "targets:\n  only: {emulator: s.json}\n"), {})
    assert config.default_target == "only"
    assert config.connector_globs == ("**/*.yaml", "**/*.yml")


def test_implicit_target_from_environment(tmp_path: Path) -> None:
    environ = {
        "CTP_REGION": "us-central1.gcp",
        "CTP_PROJECT_KEY": "shop",
        "CTP_AUTH_URL": "http://localhost:9000",
    }
    config = load_config(tmp_path, environ)
    assert config.file is None
    assert config.default_target == "default"
    target = config.target("default")
    assert isinstance(target, ApiTarget)
    assert target.api_url == "https://connect.us-central1.gcp.commercetools.com"
    assert target.auth_url == "http://localhost:9000"


def test_implicit_target_without_environment_names_the_variables(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"CTP_PROJECT_KEY": "shop"})
    assert config.target_names == ("default",)
    with pytest.raises(ConfigError) as caught:
        config.target("default")
    assert str(caught.value) == (
        "target 'default' cannot be used: no targets in connect-gitops.yaml and CTP_REGION not set"
    )


def test_implicit_target_with_bad_region(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"CTP_REGION": "europe-west1", "CTP_PROJECT_KEY": "shop"})
    with pytest.raises(ConfigError, match="CTP_REGION: unknown region 'europe-west1': did you"):
        config.target("default")


def test_unknown_target_flag_has_did_you_mean(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "targets:\n  local: {emulator: s.json}\n"), {})
    with pytest.raises(UnknownTargetError) as caught:
        config.check_target_name("lokal")
    assert str(caught.value) == "unknown target 'lokal'; did you mean 'local'? (targets: local)"


def test_config_errors_have_positions(tmp_path: Path) -> None:
    text = """\
connectors: []
defaultTarget: prod
targets:
  eu:
    region: europe-west1
    projectKey: x
    apiUrl: http://example.com
    authUrl: https://user:pw@auth.example.com
  local:
    emulator: s.json
    region: us-east-2.aws
  bare: {}
  bad:
    regoin: x
"""
    assert problems(tmp_path, text) == [
        "connect-gitops.yaml:1:13: connectors: must not be empty",
        "connect-gitops.yaml:5:13: targets.eu.region: unknown region 'europe-west1': did you "
        "mean 'europe-west1.gcp'? use one of europe-west1.gcp, us-central1.gcp, "
        "australia-southeast1.gcp, us-east-2.aws, eu-central-1.aws",
        "connect-gitops.yaml:6:17: targets.eu.projectKey: invalid project key 'x': use 2 to 36 "
        "letters, digits, '-' or '_'",
        "connect-gitops.yaml:7:13: targets.eu.apiUrl: plain http is allowed only for loopback "
        "hosts (127.0.0.0/8, ::1, localhost), not 'example.com': use https",
        "connect-gitops.yaml:8:14: targets.eu.authUrl: the URL must not contain credentials",
        "connect-gitops.yaml:10:5: targets.local: an emulator target takes no region",
        "connect-gitops.yaml:12:9: targets.bare: region and projectKey required (or emulator: "
        "FILE for the embedded emulator)",
        "connect-gitops.yaml:14:5: targets.bad.regoin: unknown field; did you mean 'region'?",
    ]


def test_unknown_default_target(tmp_path: Path) -> None:
    text = "defaultTarget: lokal\ntargets:\n  local: {emulator: s.json}\n"
    assert problems(tmp_path, text) == [
        "connect-gitops.yaml:1:16: defaultTarget: unknown target 'lokal'; did you mean "
        "'local'? (targets: local)"
    ]


def test_config_yaml_errors(tmp_path: Path) -> None:
    assert problems(tmp_path, "targets: {}\ntargets: {}\n") == [
        "connect-gitops.yaml:2:1: duplicate key 'targets' in one mapping"
    ]
    assert problems(tmp_path, "- a\n") == [
        "connect-gitops.yaml:1:1: expected a mapping of settings"
    ]


def test_credentials_resolve_from_given_environment() -> None:
    target = ApiTarget("eu", "europe-west1.gcp", "shop", "https://a", "https://b")
    credentials = resolve_credentials(
        target, {"CTP_CLIENT_ID": "id-123", "CTP_CLIENT_SECRET": "s3cr3t-value"}
    )
    assert (credentials.client_id, credentials.client_secret) == ("id-123", "s3cr3t-value")
    assert "s3cr3t" not in repr(credentials)
    assert "s3cr3t" not in str(credentials)
    assert "id-123" not in repr(credentials)


def test_missing_credentials_name_the_variable_never_a_value() -> None:
    target = ApiTarget("eu", "europe-west1.gcp", "shop", "https://a", "https://b", "ID", "SECRET")
    with pytest.raises(CredentialsError) as caught:
        resolve_credentials(target, {"ID": "visible-id", "SECRET": ""})
    assert str(caught.value) == (
        "environment variable SECRET is not set (credentials of target 'eu')"
    )
    with pytest.raises(CredentialsError, match=r"^environment variable ID and SECRET are not set"):
        resolve_credentials(target, {})
