"""The Connect API client: :class:`ConnectClient` for the ConnectorStaged endpoints
(:mod:`.api`) and, as ``ConnectClient.deployments``, the Deployments endpoints with the
connector facts they need (:mod:`.deployments`), its OAuth2 token (:mod:`.auth`), one HTTP
exchange turned into data and the request log (:mod:`.transport`, :mod:`.attempt`), the retry
policy (:mod:`.retry`), paging (:mod:`.paging`), the reads both resource families share
(:mod:`.reading`), concurrent calls (:mod:`.concurrency`) and the typed errors callers branch
on (:mod:`.errors`)."""

from connect_gitops.client.api import REQUEST_TIMEOUTS, ConnectClient
from connect_gitops.client.auth import (
    DEPLOYMENTS_READ_SCOPE,
    DEPLOYMENTS_WRITE_SCOPE,
    READ_SCOPE,
    WRITE_SCOPE,
    scopes_for,
)
from connect_gitops.client.deployments import DeploymentEndpoints
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
    "DEPLOYMENTS_READ_SCOPE",
    "DEPLOYMENTS_WRITE_SCOPE",
    "READ_SCOPE",
    "REQUEST_TIMEOUTS",
    "WRITE_SCOPE",
    "AmbiguousWrite",
    "Conflict",
    "ConnectClient",
    "ConnectError",
    "Decision",
    "DeploymentEndpoints",
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
