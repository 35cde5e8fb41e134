"""The few GitHub REST calls the CLI makes, with the token kept where it belongs.

The token goes to ``$GITHUB_API_URL`` and nowhere else: that URL must be https (plain http only
to a loopback host, for tests, as for the Connect API), redirects are not followed, and a
pagination link (``Link: <…>; rel="next"``) is followed only while it stays on the same scheme,
host and port. An answer that points elsewhere stops the listing with an error instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from connect_gitops.core.redaction import Secrets
from connect_gitops.core.urls import check_service_url

API_VERSION = "2022-11-28"
USER_AGENT = "connect-gitops"
PAGE_SIZE = 100
MAX_PAGES = 50
"""A bound on pagination (5,000 items), so a misbehaving server cannot loop us forever."""
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
_DEFAULT_PORTS = {"https": 443, "http": 80}


class GitHubError(Exception):
    """A GitHub call that did not give what was asked; the message is safe to show (no token).

    ``transient`` is true when asking again later may work: no connection, a timeout, a rate
    limit, a server error, or an answer that is not the JSON asked for.
    """

    def __init__(self, message: str, *, status: int | None = None, transient: bool = False):
        super().__init__(message)
        self.status = status
        self.transient = transient


def same_origin(url: str, base: str) -> bool:
    """Whether ``url`` is on the scheme, host and port of ``base`` (and names no user)."""
    try:
        candidate, origin = urlsplit(url), urlsplit(base)
        ports = (candidate.port, origin.port)
    except ValueError:
        return False
    if candidate.username is not None or candidate.password is not None:
        return False
    return (
        candidate.scheme == origin.scheme
        and bool(candidate.hostname)
        and candidate.hostname == origin.hostname
        and (ports[0] or _DEFAULT_PORTS.get(candidate.scheme))
        == (ports[1] or _DEFAULT_PORTS.get(origin.scheme))
    )


def _origin(url: str) -> str:
    """``scheme://host:port`` of ``url``, for messages: never its path or query."""
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return "an invalid URL"


class GitHubAPI:
    """A session with the GitHub REST API at ``api_url``, authenticated with ``token``."""

    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 15.0,
    ) -> None:
        try:
            self.base = check_service_url(api_url)
        except ValueError as error:
            raise GitHubError(f"GITHUB_API_URL: {error}") from None
        self._secrets = Secrets([token])
        self._http = httpx.Client(
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": USER_AGENT,
            },
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
        )

    def __enter__(self) -> GitHubAPI:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        doing: str,
        params: Mapping[str, int | str] | None = None,
        body: Any = None,
    ) -> httpx.Response:
        """``method`` on ``path`` (below the API URL) or on a URL of the API's own origin."""
        url = self.base + path if path.startswith("/") else path
        if not same_origin(url, self.base):
            raise GitHubError(
                f"could not {doing}: GitHub's answer pointed to {_origin(url)}, which is not "
                f"the GitHub API at {self.base}; the token is not sent there"
            )
        try:
            return self._http.request(method, url, params=params, json=body)
        except httpx.HTTPError as error:
            raise GitHubError(
                self._secrets.redact(
                    f"could not {doing}: could not reach the GitHub API at {self.base}: "
                    f"{type(error).__name__}"
                ),
                transient=True,
            ) from None

    def json(self, response: httpx.Response, *, doing: str) -> Any:
        """The answer's JSON; an answer that is not JSON is GitHub's error, said so."""
        try:
            return response.json()
        except ValueError:
            raise GitHubError(
                f"could not {doing}: the GitHub API at {self.base} did not answer with JSON "
                f"(status {response.status_code})",
                status=response.status_code,
                transient=True,
            ) from None

    def pages(self, path: str, *, doing: str, hints: Mapping[int, str]) -> Iterator[list[Any]]:
        """Each page of a listing, following ``rel="next"`` links of the API's own origin."""
        url: str | None = path
        params: dict[str, int | str] | None = {"per_page": PAGE_SIZE}
        for _ in range(MAX_PAGES):
            if url is None:
                return
            response = self.request("GET", url, doing=doing, params=params)
            refuse(response, doing=doing, hints=hints)
            items = self.json(response, doing=doing)
            if not isinstance(items, list):
                raise GitHubError(f"could not {doing}: unexpected answer from the GitHub API")
            yield items
            following = response.links.get("next", {}).get("url")
            url = urljoin(str(response.url), following) if following else None
            params = None  # the next link carries its own query


def rate_limited(response: httpx.Response) -> bool:
    """A 403 or 429 of GitHub's rate limits (primary or secondary), not a refusal."""
    return response.status_code in (403, 429) and (
        response.headers.get("x-ratelimit-remaining") == "0" or "retry-after" in response.headers
    )


def refuse(response: httpx.Response, *, doing: str, hints: Mapping[int, str]) -> None:
    """Raise :class:`GitHubError` for an answer that is not a success, with the hint for its
    status (``hints``) so the user knows what to change."""
    if response.is_success:
        return
    status = response.status_code
    limited = rate_limited(response)
    hint = "the rate limit is used up for now" if limited else hints.get(status, "")
    raise GitHubError(
        f"could not {doing}: GitHub answered {status} {response.reason_phrase}; "
        f"{hint or 'GitHub could not do it now'}",
        status=status,
        transient=limited or status in TRANSIENT_STATUSES,
    )
