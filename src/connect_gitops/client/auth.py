"""OAuth2 client credentials for the Connect API: the token endpoint, the shared token, and
the bearer header of each request.

One token serves every concurrent request: a lock makes sure that many requests needing a token at
the same moment (start-up, or a burst of 401s after expiry) cause ONE token request. The token is
fetched before a request's attempt, never inside it: the token endpoint's retries run under the
request's deadline, not under one attempt's bound, so a slow token endpoint is blamed as itself
and never multiplies the request's own retries. The secret and the token live only here and in
the Authorization header; neither is ever in a repr.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx

from connect_gitops.client.attempt import Answered, AttemptResult
from connect_gitops.client.errors import (
    ConnectError,
    Redact,
    Unauthorized,
    api_error_fields,
    error_for_answer,
    error_for_failure,
    malformed_answer,
)
from connect_gitops.client.retry import Attempted, Deadline, Decision, RetryPolicy, classify

WRITE_SCOPE = "manage_connectors"
READ_SCOPE = "view_connectors"
DEPLOYMENTS_WRITE_SCOPE = "manage_connectors_deployments"
DEPLOYMENTS_READ_SCOPE = "view_connectors_deployments"
TOKEN_PATH = "/oauth/token"
DEFAULT_CREDENTIAL_NAMES = ("CTP_CLIENT_ID", "CTP_CLIENT_SECRET")
_MAX_MARGIN_SECONDS = 300.0
_DEFAULT_EXPIRES_IN = 3600.0


def scopes_for(project_key: str, *, write: bool, deployments: bool = False) -> list[str]:
    """The scopes a command needs: manage_connectors to write, view_connectors to read only;
    with ``deployments`` (the target declares some) the matching deployments scope beside it."""
    names = [WRITE_SCOPE if write else READ_SCOPE]
    if deployments:
        names.append(DEPLOYMENTS_WRITE_SCOPE if write else DEPLOYMENTS_READ_SCOPE)
    return [f"{name}:{project_key}" for name in names]


def qualify_scopes(scopes: Sequence[str], project_key: str) -> list[str]:
    """Suffix ``:{projectKey}`` to bare scope names; scopes that carry a project stay as given."""
    return [s if ":" in s else f"{s}:{project_key}" for s in scopes]


def correlation_id() -> str:
    """A fresh correlation id, recognisable in the API's logs as ours."""
    return f"connect-gitops/{uuid.uuid4()}"


@dataclass(frozen=True, slots=True)
class Token:
    """An access token and the monotonic time after which it is no longer used."""

    value: str = field(repr=False)
    refresh_at: float


def refresh_time(now: float, expires_in: float) -> float:
    """When to stop using a token: 10% of its life early, but at most 5 minutes early."""
    margin = min(_MAX_MARGIN_SECONDS, 0.1 * expires_in)
    return now + expires_in - margin


Clock = Callable[[], float]
FetchToken = Callable[[Deadline | None], Awaitable[Token]]
"""Fetches a new token, within the deadline of the request that needs it (None: its own)."""


class TokenProvider:
    """Caches the token and serialises fetching it."""

    def __init__(
        self,
        fetch: FetchToken,
        *,
        clock: Clock = time.monotonic,
        on_token: Callable[[str], None] | None = None,
    ) -> None:
        self._fetch = fetch
        self._clock = clock
        self._on_token = on_token
        self._token: Token | None = None
        self._lock = anyio.Lock()

    @property
    def current(self) -> str | None:
        """The cached token value, if any (for redaction; never print it)."""
        return self._token.value if self._token is not None else None

    def _fresh(self) -> str | None:
        token = self._token
        if token is not None and self._clock() < token.refresh_at:
            return token.value
        return None

    async def token(self, deadline: Deadline | None = None) -> str:
        """A valid token, fetching one only when none is cached or it is about to expire."""
        cached = self._fresh()
        if cached is not None:
            return cached
        async with self._lock:
            cached = self._fresh()  # another task may have fetched it while we waited
            if cached is not None:
                return cached
            return await self._replace(deadline)

    async def refresh(self, stale: str, deadline: Deadline | None = None) -> str:
        """A new token after the API rejected ``stale``; one fetch however many requests ask."""
        async with self._lock:
            if self._token is not None and self._token.value != stale:
                return self._token.value
            return await self._replace(deadline)

    async def _replace(self, deadline: Deadline | None) -> str:
        self._token = None
        token = await self._fetch(deadline)
        if self._on_token is not None:
            self._on_token(token.value)
        self._token = token
        return token.value


class BearerToken(httpx.Auth):
    """The Authorization header of one attempt, with a token already fetched (its repr shows
    nothing)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "BearerToken(***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


def parse_token(answer: Answered, now: float) -> Token | None:
    """The token of a 200 answer, or None when the body is not a usable token response."""
    try:
        data: Any = json.loads(answer.body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        return None
    expires_in = data.get("expires_in")
    if not isinstance(expires_in, int | float) or isinstance(expires_in, bool) or expires_in <= 0:
        expires_in = _DEFAULT_EXPIRES_IN
    return Token(value=data["access_token"], refresh_at=refresh_time(now, float(expires_in)))


class TokenEndpoint:
    """Fetches tokens from ``{auth_url}/oauth/token`` with the client credentials."""

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        auth_url: str,
        client_id: str,
        client_secret: str,
        scopes: Sequence[str],
        retry: RetryPolicy,
        send: Callable[..., Awaitable[AttemptResult]],
        redact: Redact,
        clock: Clock = time.monotonic,
        credential_names: tuple[str, str] = DEFAULT_CREDENTIAL_NAMES,
    ) -> None:
        self._client = client
        self._auth_url = auth_url.rstrip("/")
        self._basic = httpx.BasicAuth(client_id, client_secret)
        self._form = {"grant_type": "client_credentials"}
        if scopes:
            self._form["scope"] = " ".join(scopes)
        self._retry = retry
        self._send = send
        self._redact = redact
        self._clock = clock
        self._credential_names = credential_names

    def __repr__(self) -> str:
        return f"TokenEndpoint({self._auth_url}{TOKEN_PATH})"

    async def fetch(self, deadline: Deadline | None = None) -> Token:
        """One token, retried like a read within ``deadline`` (the deadline of the request that
        needs it); a refusal becomes a clear Unauthorized."""
        cid = correlation_id()
        attempts = iter(range(1, 1_000_000))
        deadline = deadline or self._retry.deadline()

        async def once() -> Attempted:
            result = await self._send(
                self._client,
                "POST",
                f"{self._auth_url}{TOKEN_PATH}",
                correlation_id=cid,
                attempt=next(attempts),
                data=self._form,
                auth=self._basic,
                deadline=deadline,
            )
            return Attempted(result, classify(False, result))

        return self._token_of(await self._retry.run(once, deadline), cid)

    def _token_of(self, last: Attempted, cid: str) -> Token:
        """The token of the last attempt, or the error that says why there is none."""
        result = last.result
        service = f"the token endpoint {self._auth_url}"
        if isinstance(result, Answered):
            if last.decision is Decision.SUCCEED:
                token = parse_token(result, self._clock())
                if token is not None:
                    return token
                raise malformed_answer(
                    result,
                    None,
                    expected="a token response (JSON with an access_token)",
                    method="POST",
                    path=TOKEN_PATH,
                    correlation_id=cid,
                    redact=self._redact,
                    service=service,
                )
            if result.status in (400, 401, 403):
                raise self._refused(result, cid, None)
            raise error_for_answer(
                result,
                method="POST",
                path=TOKEN_PATH,
                correlation_id=cid,
                redact=self._redact,
                service=service,
                note=last.gave_up,
            )
        raise error_for_failure(
            result,
            method="POST",
            path=TOKEN_PATH,
            correlation_id=cid,
            redact=self._redact,
            service=service,
            note=last.gave_up,
        )

    def _refused(self, answer: Answered, cid: str, problem: str | None) -> ConnectError:
        fields = api_error_fields(answer, self._redact)
        reason = problem or " ".join(
            str(p) for p in (answer.status, fields["code"] or fields["message"]) if p
        )
        id_name, secret_name = self._credential_names
        return Unauthorized(
            method="POST",
            path=TOKEN_PATH,
            correlation_id=answer.correlation_id or cid,
            text=(
                f"could not obtain a token from {self._auth_url}: {reason}; "
                f"check {id_name}/{secret_name}"
            ),
            **fields,
        )
