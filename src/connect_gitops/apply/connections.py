"""Open one Connect API client per target: real APIs with credentials, or the embedded emulator.

The embedded emulator's transport is injected by the CLI (``embedded``), because only the CLI may
import the emulator package: the reconciler and the emulator share no code.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from connect_gitops.client.api import ConnectClient
from connect_gitops.client.auth import (
    DEPLOYMENTS_READ_SCOPE,
    DEPLOYMENTS_WRITE_SCOPE,
    READ_SCOPE,
    WRITE_SCOPE,
)
from connect_gitops.client.retry import DEFAULT_RETRY, RetryPolicy
from connect_gitops.client.transport import RequestLog
from connect_gitops.source.config import (
    ApiTarget,
    Config,
    ConfigError,
    EmulatorTarget,
    resolve_credentials,
)

EmbeddedTransport = Callable[[Path], httpx.AsyncBaseTransport]
"""Builds the in-process transport of an emulator target from its state file."""

EMBEDDED_URL = "http://127.0.0.1"


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """How clients are made for one run."""

    read_only: bool = False
    """Ask for ``view_connectors`` only (plan, drift, export), and for
    ``view_connectors_deployments`` where deployments are read."""
    request_log: RequestLog | None = None
    on_token: Callable[[str], None] | None = None
    retry: RetryPolicy = DEFAULT_RETRY
    embedded: EmbeddedTransport | None = None
    scopes: tuple[str, ...] = ()
    """Scope names asked for instead of the above (export reads deployments with a token of its
    own, so credentials without the deployments scope still export connectors)."""


def _scopes(read_only: bool, deployments: bool) -> list[str]:
    """Scope names; the client adds the project (``name:projectKey``)."""
    if read_only:
        return [READ_SCOPE, *([DEPLOYMENTS_READ_SCOPE] if deployments else [])]
    return [WRITE_SCOPE, *([DEPLOYMENTS_WRITE_SCOPE] if deployments else [])]


def make_client(
    config: Config,
    name: str,
    environ: Mapping[str, str],
    options: ClientOptions,
    *,
    deployments: bool = False,
) -> ConnectClient:
    """A client for target ``name``; :class:`ConfigError` when it cannot be made.

    Its token asks for ``view_connectors`` (read-only runs) or ``manage_connectors``, and with
    ``deployments`` (the target declares some) ``view_connectors_deployments`` or
    ``manage_connectors_deployments`` beside it.
    """
    target = config.target(name)
    scopes = list(options.scopes) or _scopes(options.read_only, deployments)
    if isinstance(target, EmulatorTarget):
        if options.embedded is None:
            raise ConfigError(f"target {name!r} is an emulator target, not available here")
        return ConnectClient(
            api_url=EMBEDDED_URL,
            auth_url=EMBEDDED_URL,
            project_key=target.project_key,
            client_id="connect-gitops",
            client_secret="embedded-emulator",
            scopes=scopes,
            transport=options.embedded(target.state_file),
            retry=options.retry,
            request_log=options.request_log,
        )
    assert isinstance(target, ApiTarget)
    credentials = resolve_credentials(target, environ)
    try:
        return ConnectClient(
            api_url=target.api_url,
            auth_url=target.auth_url,
            project_key=target.project_key,
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            scopes=scopes,
            retry=options.retry,
            request_log=options.request_log,
            on_token=options.on_token,
            credential_names=(target.client_id_env, target.client_secret_env),
        )
    except ValueError as error:  # an unusable URL or proxy setting
        raise ConfigError(f"target {name!r}: {error}") from None


@asynccontextmanager
async def open_clients(
    config: Config,
    names: Collection[str],
    environ: Mapping[str, str],
    options: ClientOptions,
    *,
    deployments: Collection[str] = (),
) -> AsyncIterator[dict[str, ConnectClient]]:
    """Clients for ``names``, all made before any request (a missing credential fails early);
    those in ``deployments`` may read (or, not read-only, write) deployments too."""
    clients = {
        name: make_client(config, name, environ, options, deployments=name in deployments)
        for name in sorted(names)
    }
    async with AsyncExitStack() as stack:
        for client in clients.values():
            await stack.enter_async_context(client)
        yield clients
