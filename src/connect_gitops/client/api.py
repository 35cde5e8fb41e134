"""ConnectClient: the ConnectorStaged endpoints of the Connect API, typed, retried, logged.

Imperative shell around the pure pieces: ``classify`` decides retries, ``paging`` plans pages,
``errors`` builds the typed errors. Every request carries an ``X-Correlation-ID`` that the errors
keep, so a failure can be traced in the API's logs.
"""

from __future__ import annotations

import itertools
import ssl
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from functools import partial
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict

from connect_gitops import __version__
from connect_gitops.client import paging
from connect_gitops.client.attempt import Answered
from connect_gitops.client.auth import (
    DEFAULT_CREDENTIAL_NAMES,
    ClientCredentialsAuth,
    TokenEndpoint,
    TokenProvider,
    correlation_id,
    qualify_scopes,
)
from connect_gitops.client.concurrency import gather
from connect_gitops.client.deployments import DeploymentEndpoints
from connect_gitops.client.errors import (
    ConnectError,
    NotFound,
    TooManyConnectors,
    ambiguous_write,
    error_for_answer,
    error_for_failure,
)
from connect_gitops.client.retry import DEFAULT_RETRY, Attempted, Decision, RetryPolicy, classify
from connect_gitops.client.transport import RecordingTransport, RequestLog, check_url, exchange
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.core.redaction import Secrets

REQUEST_TIMEOUTS = httpx.Timeout(connect=10.0, read=60.0, write=30.0, pool=60.0)
"""Bounds of each phase of one HTTP request, in seconds (whole operations: the caller's job)."""
DRAFTS = "/connectors/drafts"
PAGES_IN_FLIGHT = 8

T = TypeVar("T")


class _Page(BaseModel):
    """The paged-result envelope; parsed straight from the response bytes."""

    model_config = ConfigDict(extra="ignore")

    total: int | None = None
    results: list[ConnectorStaged]


def _tls_verification(*urls: httpx.URL) -> bool | ssl.SSLContext:
    """Full verification with the CA bundle, unless no URL of this client is https.

    Loading the CA bundle costs ~50 ms per process. Plain http is allowed only to loopback
    hosts (the emulator) and redirects are not followed, so such a client never negotiates TLS;
    it gets a context that verifies against no CA at all, so a TLS connection would fail closed.
    """
    if any(url.scheme == "https" for url in urls):
        return True
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _pooled_transport(
    max_connections: int, verify: bool | ssl.SSLContext
) -> httpx.AsyncHTTPTransport:
    """A connection pool that keeps every connection alive and never retries on its own (the
    retry policy decides)."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return httpx.AsyncHTTPTransport(verify=verify, limits=limits, retries=0)


def _key_path(key: str) -> str:
    return f"{DRAFTS}/key={quote(key, safe='')}"


def _id_path(id: str) -> str:
    return f"{DRAFTS}/{quote(id, safe='')}"


class ConnectClient:
    """An async client for the ConnectorStaged endpoints of one project.

    Use it as an async context manager. Whole-operation deadlines are the caller's job
    (``anyio.fail_after``); this class bounds each phase of each request with ``timeout``.
    """

    def __init__(
        self,
        *,
        api_url: str,
        auth_url: str,
        project_key: str,
        client_id: str,
        client_secret: str,
        scopes: Sequence[str],
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = REQUEST_TIMEOUTS,
        retry: RetryPolicy = DEFAULT_RETRY,
        request_log: RequestLog | None = None,
        on_token: Callable[[str], None] | None = None,
        max_connections: int = 20,
        credential_names: tuple[str, str] = DEFAULT_CREDENTIAL_NAMES,
    ) -> None:
        api = check_url(api_url, what="API URL")
        auth = check_url(auth_url, what="auth URL")
        self.project_key = project_key
        self._retry = retry
        self._secrets = Secrets([client_secret])
        if transport is None:
            transport = _pooled_transport(max_connections, _tls_verification(api, auth))
        self._http = httpx.AsyncClient(
            base_url=str(api).rstrip("/"),
            transport=RecordingTransport(transport, request_log),
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": f"connect-gitops/{__version__}", "Accept": "application/json"},
        )
        endpoint = TokenEndpoint(
            client=self._http,
            auth_url=str(auth).rstrip("/"),
            client_id=client_id,
            client_secret=client_secret,
            scopes=qualify_scopes(scopes, project_key),
            retry=retry,
            send=exchange,
            redact=self._secrets.redact,
            credential_names=credential_names,
        )

        self._on_token = on_token
        self._tokens = TokenProvider(endpoint.fetch, on_token=self._remember)
        self._http.auth = ClientCredentialsAuth(self._tokens)
        self.deployments = DeploymentEndpoints(self._call, project_key, self._secrets.remember)
        """The project's Deployments and the connector facts they need (same token, same rules)."""

    def remember_secret(self, value: str) -> None:
        """A secret this client is about to send (a secured configuration value): redacted from
        every error text from now on, should the API echo it."""
        self._secrets.remember(value)

    def _remember(self, token: str) -> None:
        """A new access token: redacted from now on, and passed on (e.g. to be masked)."""
        self._secrets.remember(token)
        if self._on_token is not None:
            self._on_token(token)

    def __repr__(self) -> str:
        return (
            f"ConnectClient(api_url={str(self._http.base_url)!r}, project_key={self.project_key!r})"
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # -- reads ------------------------------------------------------------------------------

    async def iter_all(self) -> AsyncIterator[ConnectorStaged]:
        """Every ConnectorStaged of the project, each once.

        Reads the first page, then the others concurrently (the total is known), a bounded
        number of pages at a time so memory stays proportional to that window.
        """
        first = await self._page(paging.FIRST_PAGE)
        total = first.total if first.total is not None else len(first.results)
        try:
            pages = paging.remaining_pages(total)
        except ValueError:
            raise TooManyConnectors(
                method="GET",
                path=DRAFTS,
                message=(
                    f"the project holds {total} connectors; paging reaches at most "
                    f"{paging.reachable()}"
                ),
            ) from None
        seen: set[str] = set()
        if not paging.needs_trick(total):
            for item in first.results:
                seen.add(item.id)
                yield item
        del first
        for start in range(0, len(pages), PAGES_IN_FLIGHT):
            window = pages[start : start + PAGES_IN_FLIGHT]
            fetched = await gather([partial(self._page, p) for p in window], limit=PAGES_IN_FLIGHT)
            for page in fetched:
                for item in page.results:
                    if item.id not in seen:
                        seen.add(item.id)
                        yield item

    async def query_all(self) -> list[ConnectorStaged]:
        """Every ConnectorStaged of the project as a list."""
        return [item async for item in self.iter_all()]

    async def get_by_key(self, key: str) -> ConnectorStaged | None:
        """The connector with ``key``, or None when there is none."""
        return await self._get_one(_key_path(key))

    async def get_by_id(self, id: str) -> ConnectorStaged | None:
        """The connector with ``id``, or None when there is none."""
        return await self._get_one(_id_path(id))

    async def get_many_by_key(
        self, keys: Collection[str], concurrency: int = 10
    ) -> dict[str, ConnectorStaged]:
        """The connectors of ``keys`` that exist, by key (for a few keys; use iter_all for all)."""
        unique = sorted(set(keys))
        found = await gather([partial(self.get_by_key, k) for k in unique], limit=concurrency)
        return {k: c for k, c in zip(unique, found, strict=True) if c is not None}

    # -- writes -----------------------------------------------------------------------------

    async def create(self, draft: Mapping[str, Any]) -> ConnectorStaged:
        """Create a connector; AmbiguousWrite means look it up by key before trying again."""
        answer = await self._call("POST", DRAFTS, json=dict(draft))
        return ConnectorStaged.model_validate_json(answer.body)

    async def update(
        self, id: str, version: int, actions: Sequence[Mapping[str, Any]]
    ) -> ConnectorStaged:
        """Apply ``actions`` at ``version``; Conflict when the connector moved on meanwhile."""
        return await self._update(_id_path(id), version, actions)

    async def update_by_key(
        self, key: str, version: int, actions: Sequence[Mapping[str, Any]]
    ) -> ConnectorStaged:
        """Like ``update``, addressing the connector by key."""
        return await self._update(_key_path(key), version, actions)

    # -- plumbing ---------------------------------------------------------------------------

    async def _update(
        self, path: str, version: int, actions: Sequence[Mapping[str, Any]]
    ) -> ConnectorStaged:
        body = {"version": version, "actions": [dict(a) for a in actions]}
        answer = await self._call("POST", path, json=body)  # 200 or 201: both are success
        return ConnectorStaged.model_validate_json(answer.body)

    async def _page(self, page: paging.PageRequest) -> _Page:
        answer = await self._call(
            "GET", DRAFTS, params=httpx.QueryParams(page.params(paging.PAGE_LIMIT))
        )
        return _Page.model_validate_json(answer.body)

    async def _get_one(self, path: str) -> ConnectorStaged | None:
        try:
            answer = await self._call("GET", path)
        except NotFound:
            return None
        return ConnectorStaged.model_validate_json(answer.body)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: httpx.QueryParams | None = None,
        json: Any = None,
    ) -> Answered:
        """One operation: attempts under the retry policy, then success or a typed error."""
        is_write = method != "GET"
        cid = correlation_id()
        attempts = itertools.count(1)

        async def once() -> Attempted:
            try:
                result = await exchange(
                    self._http,
                    method,
                    path,
                    correlation_id=cid,
                    attempt=next(attempts),
                    params=params,
                    json=json,
                )
            except ConnectError as exc:
                # Raised by the token refresh inside httpx's auth flow: drop the frames that hold
                # the request (and its Authorization header) before it travels further.
                raise exc.with_traceback(None) from None
            return Attempted(result, classify(is_write, result))

        last = await self._retry.run(once)
        result = last.result
        if last.decision is Decision.SUCCEED:
            assert isinstance(result, Answered)
            return result
        if last.decision is Decision.AMBIGUOUS:
            raise ambiguous_write(
                result, method=method, path=path, correlation_id=cid, redact=self._secrets.redact
            )
        if isinstance(result, Answered):
            raise error_for_answer(
                result, method=method, path=path, correlation_id=cid, redact=self._secrets.redact
            )
        raise error_for_failure(
            result, method=method, path=path, correlation_id=cid, redact=self._secrets.redact
        )
