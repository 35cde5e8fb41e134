"""ConnectClient: the ConnectorStaged endpoints of the Connect API, typed, retried, logged.

Imperative shell around the pure pieces: ``classify`` decides retries, ``paging`` plans pages,
``errors`` builds the typed errors. Every request carries an ``X-Correlation-ID`` that the errors
keep, so a failure can be traced in the API's logs.
"""

from __future__ import annotations

import itertools
import ssl
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from dataclasses import replace
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from connect_gitops import __version__
from connect_gitops.client import paging
from connect_gitops.client.attempt import Answered, AttemptResult
from connect_gitops.client.auth import (
    DEFAULT_CREDENTIAL_NAMES,
    BearerToken,
    TokenEndpoint,
    TokenProvider,
    correlation_id,
    qualify_scopes,
)
from connect_gitops.client.deployments import DeploymentEndpoints
from connect_gitops.client.errors import (
    ConnectError,
    ambiguous_write,
    error_for_answer,
    error_for_failure,
    malformed_answer,
)
from connect_gitops.client.proxies import environment_proxies, proxy_for
from connect_gitops.client.reading import answer_or_none, every_item, many_by_key
from connect_gitops.client.retry import DEFAULT_RETRY, Attempted, Decision, RetryPolicy, classify
from connect_gitops.client.transport import RecordingTransport, RequestLog, check_url, exchange
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.core.redaction import Secrets

REQUEST_TIMEOUTS = httpx.Timeout(connect=10.0, read=60.0, write=30.0, pool=60.0)
"""Bounds of each phase of one HTTP request, in seconds (whole operations: the caller's job)."""
DRAFTS = "/connectors/drafts"

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class _Page(BaseModel):
    """The paged-result envelope; parsed straight from the response bytes."""

    model_config = ConfigDict(extra="ignore")

    total: int | None = None
    results: list[ConnectorStaged]


_EXPECTED: dict[type[BaseModel], str] = {
    _Page: "a page of connectors",
    ConnectorStaged: "a connector",
}
"""How messages name what an answer should have been."""


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
    max_connections: int, verify: bool | ssl.SSLContext, proxy: httpx.URL | None = None
) -> httpx.AsyncHTTPTransport:
    """A connection pool that keeps every connection alive and never retries on its own (the
    retry policy decides); through ``proxy`` when one is given."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return httpx.AsyncHTTPTransport(
        verify=verify,
        limits=limits,
        retries=0,
        proxy=httpx.Proxy(proxy) if proxy is not None else None,
    )


def _origin(url: httpx.URL) -> str:
    """``scheme://host[:port]``: the mount pattern of exactly this origin."""
    return f"{url.scheme}://{url.netloc.decode('ascii')}"


def _key_path(key: str) -> str:
    return f"{DRAFTS}/key={quote(key, safe='')}"


def _id_path(id: str) -> str:
    return f"{DRAFTS}/{quote(id, safe='')}"


class ConnectClient:
    """An async client for the ConnectorStaged endpoints of one project.

    Use it as an async context manager. Each request is bounded phase by phase (``timeout``),
    attempt by attempt, and as a whole with its retries (the retry policy's deadline). Without
    an explicit ``transport`` it connects as httpx would, through the proxies of the environment
    (``proxies`` overrides them; :mod:`.proxies`).
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
        proxies: Mapping[str, str] | None = None,
    ) -> None:
        api = check_url(api_url, what="API URL")
        auth = check_url(auth_url, what="auth URL")
        self.project_key = project_key
        self._retry = retry
        self._secrets = Secrets([client_secret])
        mounts: dict[str, httpx.AsyncBaseTransport | None] = {}
        if transport is None:
            verify = _tls_verification(api, auth)
            transport = _pooled_transport(max_connections, verify)
            settings = environment_proxies() if proxies is None else proxies
            for url in (api, auth):
                proxy = proxy_for(url, settings)
                if proxy is not None:
                    self._secrets.remember(proxy.password or "")
                    mounts[_origin(url)] = RecordingTransport(
                        _pooled_transport(max_connections, verify, proxy), request_log
                    )
        self._http = httpx.AsyncClient(
            base_url=str(api).rstrip("/"),
            transport=RecordingTransport(transport, request_log),
            mounts=mounts,
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
        """Every ConnectorStaged of the project, each once (:func:`.reading.every_item`)."""
        async for connector in every_item(self._page, path=DRAFTS, noun="connectors"):
            yield connector

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
        return await many_by_key(self.get_by_key, keys, concurrency)

    # -- writes -----------------------------------------------------------------------------

    async def create(self, draft: Mapping[str, Any]) -> ConnectorStaged:
        """Create a connector; AmbiguousWrite means look it up by key before trying again."""
        answer = await self._call("POST", DRAFTS, json=dict(draft))
        return self._parsed(ConnectorStaged, answer, "POST", DRAFTS)

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
        return self._parsed(ConnectorStaged, answer, "POST", path)

    async def _page(self, page: paging.PageRequest) -> _Page:
        answer = await self._call(
            "GET", DRAFTS, params=httpx.QueryParams(page.params(paging.PAGE_LIMIT))
        )
        return self._parsed(_Page, answer, "GET", DRAFTS)

    async def _get_one(self, path: str) -> ConnectorStaged | None:
        answer = await answer_or_none(self._call, "GET", path)
        if answer is None:
            return None
        return self._parsed(ConnectorStaged, answer, "GET", path)

    def _parsed(self, model: type[M], answer: Answered, method: str, path: str) -> M:
        """The answer's body as ``model``; :class:`MalformedAnswer` when it is not one: the API
        (or a proxy in front of it) is at fault, and the user is told so, never "a bug"."""
        try:
            return model.model_validate_json(answer.body)
        except ValidationError as error:
            raise malformed_answer(
                answer,
                error,
                expected=_EXPECTED.get(model, model.__name__),
                method=method,
                path=path,
                correlation_id=answer.correlation_id,
                redact=self._secrets.redact,
            ) from None

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: httpx.QueryParams | None = None,
        json: Any = None,
    ) -> Answered:
        """One operation: attempts under the retry policy, within one deadline, then success
        or a typed error.

        Each attempt first gets the token (cached, or fetched with the token endpoint's own
        retries, under this operation's deadline); a token failure ends the operation at once,
        it is never retried as if the request had failed. A 401 refreshes the token once and
        repeats the attempt once.
        """
        is_write = method != "GET"
        cid = correlation_id()
        attempts = itertools.count(1)
        deadline = self._retry.deadline()

        async def send(token: str, number: int) -> AttemptResult:
            return await exchange(
                self._http,
                method,
                path,
                correlation_id=cid,
                attempt=number,
                params=params,
                json=json,
                auth=BearerToken(token),
                deadline=deadline,
            )

        async def once() -> Attempted:
            number = next(attempts)
            try:
                token = await self._tokens.token(deadline)
                result = await send(token, number)
                if isinstance(result, Answered) and result.status == 401:
                    result = await send(await self._tokens.refresh(token, deadline), number)
            except ConnectError as exc:
                # The token endpoint's error: drop the frames that held the request (and its
                # Authorization header) before it travels further.
                raise exc.with_traceback(None) from None
            return Attempted(result, classify(is_write, result))

        last = await self._retry.run(once, deadline)
        result = last.result
        if last.decision is Decision.SUCCEED:
            assert isinstance(result, Answered)
            return replace(result, correlation_id=result.correlation_id or cid)
        if last.decision is Decision.AMBIGUOUS:
            raise ambiguous_write(
                result, method=method, path=path, correlation_id=cid, redact=self._secrets.redact
            )
        redact, note = self._secrets.redact, last.gave_up
        if isinstance(result, Answered):
            raise error_for_answer(
                result, method=method, path=path, correlation_id=cid, redact=redact, note=note
            )
        raise error_for_failure(
            result, method=method, path=path, correlation_id=cid, redact=redact, note=note
        )
