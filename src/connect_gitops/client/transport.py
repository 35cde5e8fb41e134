"""The HTTP edge: URL safety, the per-attempt request log, and one exchange turned into data."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from connect_gitops.client.attempt import (
    Answered,
    AttemptResult,
    FailureKind,
    TransportFailure,
    failure_from_exception,
    parse_retry_after,
)
from connect_gitops.client.retry import Deadline
from connect_gitops.core.urls import check_service_url

CORRELATION_HEADER = "X-Correlation-ID"
ATTEMPT_EXTENSION = "connect_gitops.attempt"
ATTEMPT_DEADLINE_SECONDS = 120.0
"""Whole-attempt bound: httpx's read timeout restarts with every chunk, so a server that trickles
an answer a byte at a time would otherwise hold a request open for ever."""


def check_url(url: str, *, what: str) -> httpx.URL:
    """``url`` if credentials may be sent to it (:func:`~connect_gitops.core.urls.
    check_service_url`): https, or plain http to a loopback host (the emulator)."""
    try:
        return httpx.URL(check_service_url(url))
    except (ValueError, httpx.InvalidURL) as error:
        raise ValueError(f"{what}: {error}") from None


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One HTTP attempt as ``--verbose`` prints it: never a header value or a body."""

    method: str
    path: str
    status: int | None
    correlation_id: str | None
    elapsed_ms: float
    attempt: int
    error: str | None = None  # the httpx exception class name when no answer came


RequestLog = Callable[[RequestRecord], None]


class RecordingTransport(httpx.AsyncBaseTransport):
    """Wraps the real transport and reports every attempt, including token requests and the
    retry after a 401, which happen inside httpx where the client cannot see them."""

    def __init__(self, inner: httpx.AsyncBaseTransport, log: RequestLog | None) -> None:
        self._inner = inner
        self._log = log

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._log is None:
            return await self._inner.handle_async_request(request)
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            response = await self._inner.handle_async_request(request)
            status = response.status_code
            return response
        except Exception as exc:
            error = type(exc).__name__
            raise
        finally:
            self._log(
                RequestRecord(
                    method=request.method,
                    path=request.url.raw_path.decode("ascii", "replace"),
                    status=status,
                    correlation_id=request.headers.get(CORRELATION_HEADER),
                    elapsed_ms=round((time.perf_counter() - started) * 1000, 3),
                    attempt=int(request.extensions.get(ATTEMPT_EXTENSION, 1)),
                    error=error,
                )
            )

    async def aclose(self) -> None:
        await self._inner.aclose()


async def exchange(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    correlation_id: str,
    attempt: int,
    params: httpx.QueryParams | None = None,
    json: Any = None,
    data: Mapping[str, str] | None = None,
    auth: httpx.Auth | None = None,
    deadline: Deadline | None = None,
) -> AttemptResult:
    """Send one request and return what happened as data; transport exceptions become failures.

    The attempt is bounded by :data:`ATTEMPT_DEADLINE_SECONDS`, or by what is left of the
    request's ``deadline`` when that is less. The request object lives only in this frame, so no
    traceback that escapes the client holds the Authorization header.
    """
    bound = ATTEMPT_DEADLINE_SECONDS
    if deadline is not None:
        bound = min(bound, deadline.remaining())
    request = client.build_request(
        method,
        url,
        params=params,
        json=json,
        data=data,
        headers={CORRELATION_HEADER: correlation_id},
        extensions={ATTEMPT_EXTENSION: attempt},
    )
    try:
        with anyio.fail_after(bound):
            if auth is None:
                response = await client.send(request)
            else:
                response = await client.send(request, auth=auth)
    except httpx.TransportError as exc:
        return failure_from_exception(exc)
    except TimeoutError:
        detail = f"no complete answer within {round(bound, 1):g} s"
        return TransportFailure(FailureKind.TIMEOUT, "AttemptDeadline", detail)
    return Answered(
        status=response.status_code,
        body=response.content,
        retry_after=parse_retry_after(response.headers.get("Retry-After")),
        correlation_id=response.headers.get(CORRELATION_HEADER),
    )
