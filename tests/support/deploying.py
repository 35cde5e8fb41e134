"""Deployments against the emulator on a socket, seen from outside: a deployable connector, the
deployments' declarations as users write them, the deployments as the API shows them, the
journal's deployment writes and the stored hashes of secured values.

The connector ``stripe-connector`` is the one of :mod:`tests.support.deployments` (the core's
builders): a ``service`` with a required ``CTP_REGION``, an optional ``LOG_LEVEL`` and a required
secured ``STRIPE_SECRET_KEY``, a job ``order-sync`` whose required ``BATCH_SIZE`` has a default,
and a global ``CURRENCY``. The emulator cannot reach github.com, so its connect.yaml is given
through the ``connectYaml`` setting.
"""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path
from typing import Any

import httpx

from tests.support.declarations import write_config
from tests.support.emulator import ADMIN, PROJECT, clear_journal, control, journal

CONNECTOR = "stripe-connector"
REGION = "europe-west1.gcp"
REPOSITORY = f"https://github.com/example/{CONNECTOR}.git"
SECRET_VARIABLE = "STRIPE_SECRET_KEY"
SECRET_VALUE = "sk_live_6f1c0ffee5ecret9a7e4d21"
"""A secured value for the tests that grep outputs for it: long and unlike anything else."""
DEPLOYER = " ".join(
    f"{scope}:{PROJECT}" for scope in ("manage_connectors", "manage_connectors_deployments")
)

CONNECT_YAML = """\
deployAs:
  - name: service
    applicationType: service
    endpoint: /service
    configuration:
      standardConfiguration:
        - {key: CTP_REGION, description: Region, required: true}
        - {key: LOG_LEVEL, description: Log level}
      securedConfiguration:
        - {key: STRIPE_SECRET_KEY, description: Stripe, required: true}
  - name: order-sync
    applicationType: job
    endpoint: /job
    properties: {schedule: "0 * * * *"}
    configuration:
      standardConfiguration:
        - {key: BATCH_SIZE, description: Batch size, required: true, default: "10"}
inheritAs:
  configuration:
    standardConfiguration:
      - {key: CURRENCY, description: Currency}
"""


def headers(url: str) -> dict[str, str]:
    """An admin's token for connectors and deployments of the tests' project."""
    data = {"grant_type": "client_credentials", "scope": DEPLOYER}
    response = httpx.post(f"{url}/oauth/token", data=data, auth=ADMIN, timeout=30)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def give_connect_yaml(url: str, repository: str = REPOSITORY, text: str = CONNECT_YAML) -> None:
    """The connect.yaml the emulator reads for ``repository`` (it cannot reach github.com)."""
    current = control(url, "GET", "settings")["connectYaml"]
    control(url, "PUT", "settings", {"connectYaml": {**current, repository: text}})


def settings(url: str, **values: Any) -> None:
    control(url, "PUT", "settings", values)


def connector_declaration(
    key: str = CONNECTOR,
    *,
    tag: str = "v1.0.0",
    preview: bool = False,
    publish: bool = False,
    repository: str = REPOSITORY,
) -> str:
    """A connector declaration that this project may deploy (it lists the project)."""
    return textwrap.dedent(
        f"""\
        key: {key}
        name: Stripe payments
        creator:
          email: team@example.com
        repository:
          url: {repository}
          tag: {tag}
        supportedRegions: [{REGION}, us-central1.gcp]
        privateProjects: ["{REGION}:{PROJECT}"]
        reconcile:
          preview: {str(preview).lower()}
          publish: {str(publish).lower()}
        """
    )


def deployment_declaration(
    key: str = "payments",
    *,
    connector: str = CONNECTOR,
    staged: bool = False,
    version: int | None = None,
    type: str = "production",
    region: str = REGION,
    log_level: str = "info",
    secret_from: str | None = SECRET_VARIABLE,
    extra: str = "",
) -> str:
    """A deployment declaration of ``connector``'s service, in the users' own form."""
    pin = f"\n  version: {version}" if version is not None else ""
    secured = (
        f"\n    securedConfiguration:\n      {SECRET_VARIABLE}: {{fromEnv: {secret_from}}}"
        if secret_from is not None
        else ""
    )
    return (
        f"kind: Deployment\nkey: {key}\nconnector:\n  key: {connector}\n"
        f"  staged: {str(staged).lower()}{pin}\n"
        f"type: {type}\nregion: {region}\n"
        "configurations:\n  service:\n    standardConfiguration:\n"
        f"      CTP_REGION: {REGION}\n      LOG_LEVEL: {log_level}{secured}\n" + extra
    )


def declarations_folder(root: Path, url: str, files: dict[str, str]) -> Path:
    """connect-gitops.yaml for the emulator at ``url`` (every *.yaml is a declaration file)
    and ``files`` (relative path -> text)."""
    folder = write_config(root, url)
    config = folder / "connect-gitops.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            'connectors: ["connectors/**/*.yaml"]', 'connectors: ["**/*.yaml"]'
        ),
        encoding="utf-8",
    )
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def deployable(url: str, key: str = CONNECTOR, *, staged: bool = False) -> dict[str, Any]:
    """``key`` created by hand and published (or, ``staged``, previewed): ready to deploy."""
    give_connect_yaml(url)
    auth = headers(url)
    body = {
        "key": key,
        "name": "Stripe payments",
        "creator": {"email": "team@example.com"},
        "repository": {"url": REPOSITORY, "tag": "v1.0.0"},
        "supportedRegions": [REGION, "us-central1.gcp"],
        "privateProjects": [f"{REGION}:{PROJECT}"],
    }
    created = httpx.post(f"{url}/connectors/drafts", json=body, headers=auth, timeout=30)
    created.raise_for_status()
    action: dict[str, Any] = (
        {"action": "updatePreviewable"} if staged else {"action": "publish", "certification": False}
    )
    update = {"version": created.json()["version"], "actions": [action]}
    path = f"{url}/connectors/drafts/{created.json()['id']}"
    httpx.post(path, json=update, headers=auth, timeout=30).raise_for_status()
    control(url, "POST", "settle")
    found: dict[str, Any] = httpx.get(path, headers=auth, timeout=30).json()
    return found


def deployment(url: str, key: str) -> dict[str, Any] | None:
    """The deployment with ``key`` as the API shows it, None when there is none."""
    response = httpx.get(f"{url}/{PROJECT}/deployments/key={key}", headers=headers(url), timeout=30)
    if response.status_code == 404:
        return None
    response.raise_for_status()
    found: dict[str, Any] = response.json()
    return found


def deployments(url: str) -> list[dict[str, Any]]:
    """Every deployment of the project (up to 500), as the API shows them."""
    response = httpx.get(
        f"{url}/{PROJECT}/deployments", params={"limit": 500}, headers=headers(url), timeout=30
    )
    response.raise_for_status()
    results: list[dict[str, Any]] = response.json()["results"]
    return results


def create_deployment(url: str, body: dict[str, Any]) -> dict[str, Any]:
    """A deployment created by hand (the Merchant Center's way)."""
    response = httpx.post(
        f"{url}/{PROJECT}/deployments", json=body, headers=headers(url), timeout=30
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def redeploy_by_hand(url: str, key: str, **action: Any) -> dict[str, Any]:
    """Someone redeploys by hand, at the current version."""
    current = deployment(url, key)
    assert current is not None
    body = {"version": current["version"], "actions": [{"action": "redeploy", **action}]}
    response = httpx.post(
        f"{url}/{PROJECT}/deployments/{current['id']}", json=body, headers=headers(url), timeout=30
    )
    assert response.status_code in (200, 201), response.text
    updated: dict[str, Any] = response.json()
    return updated


def settle(url: str) -> None:
    """Every pending build, undeploy, preview and publish finishes now."""
    control(url, "POST", "settle")


def deployment_writes(url: str) -> list[dict[str, Any]]:
    """Journal entries that write deployments (create, redeploy, delete)."""
    return [e for e in journal(url) if e["method"] != "GET" and "/deployments" in e["path"]]


def stored(url: str, key: str) -> dict[str, Any]:
    """The deployment with ``key`` as the emulator stores it (secured values as hashes)."""
    project = control(url, "GET", "state")["projects"][PROJECT]
    [found] = [d for d in project["deployments"] if d.get("key") == key]
    result: dict[str, Any] = found
    return result


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def standard(found: dict[str, Any], application: str = "service") -> dict[str, str]:
    """An application's standard values of a deployment as the API shows it."""
    [app] = [a for a in found["applications"] if a["applicationName"] == application]
    return {v["key"]: v["value"] for v in app["standardConfiguration"]}


def seed_deployments(url: str, n: int, *, key: str = "deployment-{:05d}") -> list[str]:
    """``n`` deployed deployments of a published ``stripe-connector``, loaded through the state
    API (far faster than n creates) from one real create; their keys. The journal is cleared."""
    deployable(url)
    template = create_deployment(
        url,
        {
            "key": "template",
            "type": "production",
            "connector": {"key": CONNECTOR},
            "region": REGION,
            "configurations": [
                {
                    "applicationName": "service",
                    "standardConfiguration": [
                        {"key": "CTP_REGION", "value": REGION},
                        {"key": "LOG_LEVEL", "value": "info"},
                    ],
                    "securedConfiguration": [{"key": SECRET_VARIABLE, "value": SECRET_VALUE}],
                }
            ],
        },
    )
    settle(url)
    state = control(url, "GET", "state")
    project = state["projects"][PROJECT]
    [stored_template] = project["deployments"]
    keys = [key.format(i) for i in range(n)]
    project["deployments"] = [
        {
            **stored_template,
            "id": f"00000000-0000-4000-9000-{i:012d}",
            "key": name,
            "createdAt": f"2024-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}.{i // 3600:03d}Z",
        }
        for i, name in enumerate(keys)
    ]
    project["deploymentMeta"] = {}
    control(url, "PUT", "state", state)
    assert template["key"] == "template"
    clear_journal(url)
    return keys


def stored_secured(url: str, key: str, application: str = "service") -> list[dict[str, Any]]:
    """An application's secured values as the emulator stores them: keys and SHA-256 hashes."""
    [app] = [a for a in stored(url, key)["applications"] if a["applicationName"] == application]
    found: list[dict[str, Any]] = app["securedConfiguration"]
    return found


def seed_connectors(url: str, n: int, *, staged: bool = False) -> list[str]:
    """``n`` connectors like ``stripe-connector``, published (or, ``staged``, previewable),
    loaded through the state API from one real one (far faster than n publishes); their keys
    (``connector-000``, ...). The journal is cleared."""
    deployable(url, staged=staged)
    state = control(url, "GET", "state")
    project = state["projects"][PROJECT]
    [connector] = project["connectors"]
    published = project["published"].get(connector["id"])
    keys = [f"connector-{i:03d}" for i in range(n)]
    for i, key in enumerate(keys):
        id = f"00000000-0000-4000-8000-{i:012d}"
        project["connectors"].append({**connector, "id": id, "key": key})
        if published is not None:
            project["published"][id] = {**published, "id": id, "key": key}
    control(url, "PUT", "state", state)
    clear_journal(url)
    return keys
