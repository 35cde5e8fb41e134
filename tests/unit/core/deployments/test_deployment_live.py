"""Live deployments and connector facts, read from the API reference's example bodies."""

from __future__ import annotations

from typing import Any

from connect_gitops.core.deployments.live import (
    ApplicationFacts,
    BuildReportEntry,
    ConfigurationKey,
    Deployment,
    LiveApplication,
    connector_facts,
    deployed_facts,
)
from tests.support.deployments import example

REFERENCE_SECRETS = ("config-secret-key-value", "config secret value")


def _never_holds_a_secret(model: Any) -> None:
    text = model.model_dump_json()
    assert not any(secret in text for secret in REFERENCE_SECRETS), text


def test_the_minimal_example_reads() -> None:
    deployment = Deployment.model_validate(example("minimal.json"))
    assert (deployment.id, deployment.key, deployment.version) == (
        "13c72c44-7a8e-44f2-a570-b5e991f7021a",
        "deployment-key",
        1,
    )
    assert (deployment.status, deployment.deployedRegion) == ("Deployed", "europe-west1.gcp")
    assert deployment.deployment_type is None  # neither type nor preview in this answer
    assert (deployment.connector.key, deployment.connector.version) == ("connector-key", 1)
    [application] = deployment.applications
    assert application.standard() == {"CONFIG_KEY": "config-key-value"}
    assert [entry.key for entry in application.securedConfiguration] == ["CONFIG_SECRET_KEY"]
    assert application.url == "app1.commercetools.app"
    assert deployment.report_entries() == []
    assert deployed_facts(deployment) is None  # the copy has no configurations
    _never_holds_a_secret(deployment)


def test_the_paged_example_reads_type_preview_schedule_and_report() -> None:
    [deployment] = [Deployment.model_validate(d) for d in example("paged.json")["results"]]
    assert (deployment.type, deployment.preview, deployment.deployment_type) == (
        "preview",
        True,
        "preview",
    )
    assert deployment.application("app-3") == LiveApplication.model_validate(
        {
            "id": "c9c3b342-c2ca-11ed-afa1-0242ac120002",
            "applicationName": "app-3",
            "standardConfiguration": [{"key": "CONFIG_KEY", "value": "config-key-value"}],
            "securedConfiguration": [{"key": "CONFIG_SECRET_KEY"}],
            "schedule": "* * * * 5",
        }
    )
    assert deployment.report_entries() == [
        BuildReportEntry(
            type="Warning",
            application="service",
            title="Failed during the execution of 'postDeploy' script",
            createdAt="2023-08-08T17:00:59.327Z",
        )
    ]
    _never_holds_a_secret(deployment)


def test_an_application_and_a_build_read_on_their_own() -> None:
    application = LiveApplication.model_validate(example("ApplicationDeployment.json"))
    assert (application.applicationName, application.schedule) == ("app-3", "* * * * 5")
    _never_holds_a_secret(application)
    build = Deployment.model_validate(
        {**example("minimal.json"), "details": {"build": example("DeploymentDetailsBuild.json")}}
    )
    assert [entry.type for entry in build.report_entries()] == ["Warning"]


def test_missing_optional_fields_unknown_values_and_no_key_never_fail() -> None:
    deployment = Deployment.model_validate(
        {
            "id": "d1",
            "version": 3,
            "type": "canary",
            "status": "Hibernating",
            "deployedRegion": "mars-north1.gcp",
            "connector": {"id": "c1"},
            "applications": [{"applicationName": "svc", "standardConfiguration": [{"key": "A"}]}],
            "somethingNew": {"nested": [1, 2]},
            "details": {},
        }
    )
    assert (deployment.key, deployment.type, deployment.status) == (None, "canary", "Hibernating")
    assert deployment.connector.version is None
    assert deployment.applications[0].standard() == {}
    assert deployment.report_entries() == []
    bare = Deployment.model_validate({"id": "d2", "version": 1, "connector": {"id": "c"}})
    assert (bare.status, bare.applications, bare.globalConfiguration) == ("Draft", [], None)


def test_numbers_in_values_read_as_text() -> None:
    application = LiveApplication.model_validate(
        {"applicationName": "svc", "standardConfiguration": [{"key": "BATCH", "value": 10}]}
    )
    assert application.standard() == {"BATCH": "10"}


def test_connector_facts_from_a_staged_connector() -> None:
    facts = connector_facts(example("connector-staged.json"), staged=True)
    assert (facts.id, facts.key, facts.version, facts.staged) == (
        "5ab3edcd-9d23-4934-8f48-256805253119",
        "connector-key",
        1,
        True,
    )
    assert facts.supportedRegions == ["us-central1.gcp", "europe-west1.gcp"]
    assert facts.private is False
    assert facts.isPreviewable is None  # not in this example; read as unknown, never "true"
    application = facts.application("app-1")
    assert application is not None
    assert application.standardConfiguration == [
        ConfigurationKey(key="CONFIG_KEY", description="config key description")
    ]


def test_connector_facts_from_a_published_connector() -> None:
    [published] = example("connector-paged.json")["results"]
    facts = connector_facts(published, staged=False)
    assert (facts.staged, facts.version, facts.privateProjects) == (False, 1, [])
    application = facts.application("app-1")
    assert application is not None
    assert application.applicationType == "service"


def test_required_and_default_flags_of_a_configuration_key() -> None:
    application = ApplicationFacts.model_validate(example("ConnectorConfigurationApplication.json"))
    [standard] = application.standardConfiguration
    [secured] = application.securedConfiguration
    assert (standard.required, standard.default, standard.needs_value) == (
        True,
        "config key default value",
        False,
    )
    assert (secured.required, secured.default, secured.needs_value) == (True, None, True)


def test_facts_of_the_copy_a_deployment_runs() -> None:
    deployment = Deployment.model_validate(
        {
            "id": "d1",
            "version": 2,
            "type": "preview",
            "connector": {
                "id": "c1",
                "key": "k1",
                "version": 4,
                "configurations": [example("ConnectorConfigurationApplication.json")],
                "supportedRegions": ["europe-west1.gcp"],
            },
        }
    )
    facts = deployed_facts(deployment)
    assert facts is not None
    assert (facts.id, facts.key, facts.version, facts.staged) == ("c1", "k1", 4, True)
    assert [a.applicationName for a in facts.configurations] == ["app-1"]
