"""The Connect API emulator for other projects' tests: the ``connect_emulator`` pytest fixture.

Installed with connect-gitops, pytest loads this plugin by itself (entry point ``pytest11``,
named ``connect_gitops.testing``). With plugin autoloading off
(``PYTEST_DISABLE_PLUGIN_AUTOLOAD``), ask for it with ``-p connect_gitops.testing``; turn it off
with ``-p no:connect_gitops.testing``.

Loading it is harmless: it defines two fixtures and imports only pytest and the standard
library. The emulator (uvicorn, starlette) is imported and started only when a test asks for a
fixture: once per test session (per xdist worker), in a thread, on a free loopback port, and
reset before each test that uses ``connect_emulator``.

Everything a test sets up goes through the emulator's control API (``/_emulator/...``), the same
one a test suite in another language uses with curl, so both see the same behaviour.
"""

from __future__ import annotations

import base64
import copy
import json
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # pragma: no cover
    import urllib.request

__all__ = [
    "DEFAULT_PROJECT_KEY",
    "ConnectEmulator",
    "EmulatorError",
    "connect_emulator",
    "connect_emulator_server",
    "staged_connector",
]

DEFAULT_PROJECT_KEY = "emulator-project"
"""The project a token is for when its scope names none (the emulator's own default)."""
DEFAULT_REGION = "europe-west1.gcp"
CLIENT_ID = "connect-emulator-client"
CLIENT_SECRET = "connect-emulator-secret"  # any secret is accepted unless clients are set
CONTROL_TIMEOUT_SECONDS = 30.0
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

JsonObject = dict[str, Any]


class EmulatorError(Exception):
    """A control call was refused (its message is the emulator's), or a seed could not be kept."""


def _timestamp(epoch: float) -> str:
    """Connect's timestamp format: ISO 8601, milliseconds, UTC."""
    whole = time.gmtime(epoch)
    return time.strftime("%Y-%m-%dT%H:%M:%S", whole) + f".{int(epoch % 1 * 1000):03d}Z"


def staged_connector(fields: Mapping[str, Any]) -> JsonObject:
    """A ConnectorStaged in its wire form: `fields`, and for everything left out the value a
    connector just created through the API has (version 1, private, Draft, never previewed).

    The fields the API requires to create one get placeholders, so a test names only what it
    cares about: ``staged_connector({"key": "pay"})`` is a valid live connector.
    """
    key = fields.get("key")
    now = _timestamp(time.time())
    connector: JsonObject = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "name": key if isinstance(key, str) else "Seeded connector",
        "creator": {"email": "creator@example.com"},
        "repository": {
            "url": f"https://github.com/example/{key if isinstance(key, str) else 'connector'}.git",
            "tag": "v1.0.0",
        },
        "integrationTypes": [],
        "supportedRegions": [],
        "privateProjects": [],
        "configurations": [],
        "private": True,
        "status": "Draft",
        "isPreviewable": "none",
        "hasChanges": True,
        "alreadyListed": False,
        "createdAt": now,
        "lastModifiedAt": now,
    }
    connector.update(copy.deepcopy(dict(fields)))
    return connector


class ConnectEmulator:
    """A running emulator and the helpers a test needs: credentials, seeding, faults, settings,
    the request journal. Every call is a plain HTTP request to the emulator's control API."""

    def __init__(
        self, url: str, *, project_key: str = DEFAULT_PROJECT_KEY, region: str = DEFAULT_REGION
    ) -> None:
        self.url = url.rstrip("/")
        """Base URL of both the API and the token endpoint (``{url}/oauth/token``)."""
        self.project_key = project_key
        self.region = region
        self.client_id = CLIENT_ID
        self.client_secret = CLIENT_SECRET
        self._opener: urllib.request.OpenerDirector | None = None

    def __repr__(self) -> str:
        return f"ConnectEmulator({self.url!r}, project_key={self.project_key!r})"

    # -- credentials --------------------------------------------------------------------------

    def env(self, project_key: str | None = None) -> dict[str, str]:
        """The ``CTP_*`` variables of connect-gitops' default target (and of most Connect
        scripts): region, project, API and auth URLs, client id and secret."""
        return {
            "CTP_REGION": self.region,
            "CTP_PROJECT_KEY": project_key or self.project_key,
            "CTP_API_URL": self.url,
            "CTP_AUTH_URL": self.url,
            "CTP_CLIENT_ID": self.client_id,
            "CTP_CLIENT_SECRET": self.client_secret,
        }

    def setenv(self, monkeypatch: pytest.MonkeyPatch, project_key: str | None = None) -> None:
        """Set :meth:`env` for this test only."""
        for name, value in self.env(project_key).items():
            monkeypatch.setenv(name, value)

    def write_config(
        self,
        folder: Path,
        *,
        target: str = "emulator",
        project_key: str | None = None,
        connectors: Sequence[str] | None = None,
    ) -> Path:
        """Write ``folder/connect-gitops.yaml`` whose default target is this emulator (credentials
        from ``CTP_CLIENT_ID`` / ``CTP_CLIENT_SECRET``: see :meth:`env`); returns its path.

        ``connectors``: the config's globs (default: every YAML file of the folder).
        """
        lines = []
        if connectors is not None:
            lines.append(f"connectors: {json.dumps(list(connectors))}")
        lines += [
            f"defaultTarget: {json.dumps(target)}",
            "targets:",
            f"  {json.dumps(target)}:",
            f"    region: {json.dumps(self.region)}",
            f"    projectKey: {json.dumps(project_key or self.project_key)}",
            f"    apiUrl: {json.dumps(self.url)}",
            f"    authUrl: {json.dumps(self.url)}",
            "    clientIdEnv: CTP_CLIENT_ID",
            "    clientSecretEnv: CTP_CLIENT_SECRET",
        ]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "connect-gitops.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def token(self, scope: str = "manage_connectors", project_key: str | None = None) -> str:
        """An access token from the emulator's token endpoint, each scope for the project."""
        project = project_key or self.project_key
        scopes = " ".join(f"{word}:{project}" for word in scope.split())
        pair = f"{self.client_id}:{self.client_secret}".encode()
        from urllib.parse import urlencode

        body = urlencode({"grant_type": "client_credentials", "scope": scopes}).encode()
        answer = self._request(
            "POST",
            "/oauth/token",
            body,
            {
                "Authorization": "Basic " + base64.b64encode(pair).decode(),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        return str(answer["access_token"])

    def add_client(self, client_id: str, client_secret: str, scopes: Sequence[str]) -> None:
        """Accept only configured clients from now on (until the next reset), this one among
        them, with these scopes (e.g. ``["view_connectors:shop"]``)."""
        state = self.state()
        clients = [c for c in state.get("clients", []) if c.get("clientId") != client_id]
        clients.append({"clientId": client_id, "clientSecret": client_secret, "scopes": [*scopes]})
        state["clients"] = clients
        self.load_state(state)

    # -- state --------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every connector, token, client, request, fault and setting."""
        self._control("POST", "/_emulator/reset")

    def state(self) -> JsonObject:
        """The whole state, as ``GET /_emulator/state`` dumps it."""
        found: JsonObject = self._control("GET", "/_emulator/state")
        return found

    def load_state(self, state: Mapping[str, Any]) -> JsonObject:
        """Replace the whole state (``PUT /_emulator/state``); returns the state as kept."""
        kept: JsonObject = self._control("PUT", "/_emulator/state", state)
        return kept

    def seed(
        self, *connectors: Mapping[str, Any], project_key: str | None = None
    ) -> list[JsonObject]:
        """Add live connectors to a project, as they would be after someone created them: each
        mapping's fields in the API's wire form, the rest from :func:`staged_connector`.
        Returns them as stored (with ``id`` and ``version``)."""
        return self.seed_resources(
            "connectors", [staged_connector(c) for c in connectors], project_key=project_key
        )

    def seed_resources(
        self,
        collection: str,
        resources: Sequence[Mapping[str, Any]],
        *,
        project_key: str | None = None,
    ) -> list[JsonObject]:
        """Add complete wire-form resources (each with an ``id``) to one project's ``collection``
        in the emulator's state, through ``GET`` and ``PUT /_emulator/state``.

        Every project resource the emulator keeps in its state is seeded this way (:meth:`seed`
        is this for ``"connectors"`` with defaults filled in). A key or id the project already
        has is refused, and so is a collection the emulator does not keep.
        """
        project = project_key or self.project_key
        state = self.state()
        stored: list[JsonObject] = (
            state.setdefault("projects", {}).setdefault(project, {}).setdefault(collection, [])
        )
        ids = {item.get("id") for item in stored}
        keys = {item.get("key") for item in stored if item.get("key") is not None}
        added = []
        for resource in resources:
            item = copy.deepcopy(dict(resource))
            if not isinstance(item.get("id"), str):
                raise EmulatorError(f"{collection}: every seeded resource needs an 'id' string")
            if item["id"] in ids:
                raise EmulatorError(f"{collection}: id {item['id']!r} is already in {project!r}")
            key = item.get("key")
            if key is not None and key in keys:
                raise EmulatorError(
                    f"{collection}: key {key!r} is already in project {project!r}; "
                    "seed it once (the emulator is reset before each test)"
                )
            ids.add(item["id"])
            if key is not None:
                keys.add(key)
            added.append(item)
        stored.extend(added)
        kept = self.load_state(state).get("projects", {}).get(project, {}).get(collection, [])
        by_id = {item.get("id"): item for item in kept if isinstance(item, dict)}
        lost = [item["id"] for item in added if item["id"] not in by_id]
        if lost:
            raise EmulatorError(
                f"this emulator does not keep {collection!r} in its state "
                f"({len(lost)} seeded, none kept): is connect-gitops recent enough?"
            )
        return [by_id[item["id"]] for item in added]

    def connectors(self, project_key: str | None = None) -> list[JsonObject]:
        """The project's live (staged) connectors, read from the state: no request is journaled."""
        project = self.state().get("projects", {}).get(project_key or self.project_key, {})
        found: list[JsonObject] = project.get("connectors", [])
        return found

    def connector(self, key: str, project_key: str | None = None) -> JsonObject | None:
        """The project's live connector with this key, or None."""
        return next((c for c in self.connectors(project_key) if c.get("key") == key), None)

    # -- behaviour ------------------------------------------------------------------------------

    def set_faults(self, **faults: Any) -> JsonObject:
        """Inject faults (``latencyMs``, ``errorRate``, ``errorStatuses``, ``rateLimitEvery``,
        ``retryAfterSeconds``, ``dropRate``, ``ambiguousRate``, ``conflictRate``, ``seed``);
        fields left out keep their value. Returns all of them."""
        found: JsonObject = self._control("PUT", "/_emulator/faults", faults)
        return found

    def set_settings(self, **settings: Any) -> JsonObject:
        """Change behaviour where the API is open (``previewSeconds``, ``publishSeconds``,
        ``updateStatusCode``, ...); fields left out keep their value. Returns all of them."""
        found: JsonObject = self._control("PUT", "/_emulator/settings", settings)
        return found

    def settle(self) -> int:
        """Finish every pending preview, publish and certification now; how many moved."""
        return int(self._control("POST", "/_emulator/settle")["settled"])

    def expire_tokens(self) -> int:
        """Make every issued token invalid (the next request with one gets ``401``)."""
        return int(self._control("POST", "/_emulator/expire-tokens")["expired"])

    # -- the request journal --------------------------------------------------------------------

    def requests(self, method: str | None = None) -> list[JsonObject]:
        """API requests so far, oldest first: ``{"method", "path", "query", "status",
        "correlationId"}`` (control calls are never journaled); only ``method`` ones if given."""
        journal: list[JsonObject] = self._control("GET", "/_emulator/requests")
        return [r for r in journal if method is None or r.get("method") == method.upper()]

    def writes(self) -> list[JsonObject]:
        """The requests that could change a resource (not the token endpoint)."""
        return [
            r
            for r in self.requests()
            if r["method"] in WRITE_METHODS and r["path"] != "/oauth/token"
        ]

    def clear_requests(self) -> int:
        """Empty the journal; how many requests it held."""
        return int(self._control("DELETE", "/_emulator/requests")["cleared"])

    # -- HTTP -----------------------------------------------------------------------------------

    def _control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        headers = {} if data is None else {"Content-Type": "application/json"}
        return self._request(method, path, data, headers)

    def _request(self, method: str, path: str, data: bytes | None, headers: dict[str, str]) -> Any:
        import urllib.error
        import urllib.request

        if self._opener is None:  # loopback: never through a proxy from the environment
            self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        # self.url is the emulator's own http:// loopback URL, never a user's or a file: URL
        request = urllib.request.Request(  # noqa: S310
            self.url + path, data=data, method=method, headers=headers
        )
        try:
            with self._opener.open(request, timeout=CONTROL_TIMEOUT_SECONDS) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise EmulatorError(
                f"{method} {path}: {error.code} {_error_message(error.read())}"
            ) from None


def _error_message(raw: bytes) -> str:
    """The emulator's own wording from an error envelope (else the body, shortened)."""
    try:
        body = json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")[:200]
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            return str(first.get("detailedErrorMessage") or first.get("message") or body)
        return str(body.get("message") or body)
    return str(body)[:200]


@pytest.fixture(scope="session")
def connect_emulator_server() -> Iterator[ConnectEmulator]:
    """The session's emulator, not reset: for session-scoped fixtures of your own."""
    from connect_gitops.emulator.server import running_emulator

    with running_emulator() as url:
        yield ConnectEmulator(url)


@pytest.fixture
def connect_emulator(connect_emulator_server: ConnectEmulator) -> ConnectEmulator:
    """A running Connect API emulator on a free loopback port, reset for this test: no
    connectors, tokens, clients, faults, settings or journal."""
    connect_emulator_server.reset()
    return connect_emulator_server
