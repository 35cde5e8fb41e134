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
    """Ask for ``view_connectors`` only (plan, drift, export)."""
    request_log: RequestLog | None = None
    on_token: Callable[[str], None] | None = None
    retry: RetryPolicy = DEFAULT_RETRY
    embedded: EmbeddedTransport | None = None
    scopes: tuple[str, ...] = ()
    """Scope names asked for instead of the above (export reads deployments with a token of its
    own, so credentials without the deployments scope still export connectors)."""


def _scope(read_only: bool) -> str:
    return "view_connectors" if read_only else "manage_connectors"


def make_client(
    config: Config, name: str, environ: Mapping[str, str], options: ClientOptions
) -> ConnectClient:
    """A client for target ``name``; :class:`ConfigError` when it cannot be made."""
    target = config.target(name)
    scopes = list(options.scopes) or [_scope(options.read_only)]
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
) -> AsyncIterator[dict[str, ConnectClient]]:
    """Clients for ``names``, all made before any request (a missing credential fails early)."""
    clients = {name: make_client(config, name, environ, options) for name in sorted(names)}
    async with AsyncExitStack() as stack:
        for client in clients.values():
            await stack.enter_async_context(client)
        yield clients
