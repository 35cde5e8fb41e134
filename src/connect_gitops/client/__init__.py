"""The Connect API client: ConnectClient, its typed errors, retry policy and request log."""

from connect_gitops.client.api import REQUEST_TIMEOUTS, ConnectClient
from connect_gitops.client.auth import READ_SCOPE, WRITE_SCOPE, scopes_for
from connect_gitops.client.errors import (
    AmbiguousWrite,
    Conflict,
    ConnectError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    ServerError,
    TooManyConnectors,
    TransportError,
    Unauthorized,
)
from connect_gitops.client.retry import DEFAULT_RETRY, Decision, RetryPolicy, classify
from connect_gitops.client.transport import RequestRecord

__all__ = [
    "DEFAULT_RETRY",
    "READ_SCOPE",
    "REQUEST_TIMEOUTS",
    "WRITE_SCOPE",
    "AmbiguousWrite",
    "Conflict",
    "ConnectClient",
    "ConnectError",
    "Decision",
    "Forbidden",
    "Invalid",
    "NotFound",
    "RateLimited",
    "RequestRecord",
    "RetryPolicy",
    "ServerError",
    "TooManyConnectors",
    "TransportError",
    "Unauthorized",
    "classify",
    "scopes_for",
]
