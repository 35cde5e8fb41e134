"""What one HTTP attempt produced, as plain data.

The client turns every httpx response or exception into one of these values at once, so retry
decisions stay pure and no httpx.Request (whose headers carry the token) outlives the attempt.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx


class FailureKind(enum.Enum):
    """How far a request got before the transport failed: could a write have happened?"""

    NOT_SENT = "not sent"  # connect error or pool timeout: the server saw nothing
    TIMEOUT = "timed out after sending"  # read/write timeout: the server may have acted
    DROPPED = "connection dropped"  # the server closed the connection without a full answer
    FATAL = "unusable request"  # a local problem (bad URL, protocol misuse): retrying cannot help


@dataclass(frozen=True, slots=True)
class Answered:
    """The server answered with a status code."""

    status: int
    body: bytes = field(default=b"", repr=False)
    retry_after: float | None = None
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class TransportFailure:
    """No (complete) answer: keeps only the httpx exception's class name and text."""

    kind: FailureKind
    error_name: str
    detail: str = ""


AttemptResult = Answered | TransportFailure

_NOT_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
)
_TIMEOUT: tuple[type[Exception], ...] = (httpx.TimeoutException,)
_DROPPED: tuple[type[Exception], ...] = (httpx.RemoteProtocolError, httpx.NetworkError)


def failure_from_exception(exc: httpx.TransportError) -> TransportFailure:
    """Classify an httpx transport exception by how far the request got (order matters)."""
    if isinstance(exc, _NOT_SENT):
        kind = FailureKind.NOT_SENT
    elif isinstance(exc, _TIMEOUT):
        kind = FailureKind.TIMEOUT
    elif isinstance(exc, _DROPPED):
        kind = FailureKind.DROPPED
    else:
        kind = FailureKind.FATAL
    return TransportFailure(kind=kind, error_name=type(exc).__name__, detail=str(exc))


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from Retry-After (delta-seconds or an HTTP date); None if unusable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(seconds, 0.0)
