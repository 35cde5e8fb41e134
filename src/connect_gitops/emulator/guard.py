"""Refuse what a web page or a stranger could send to an emulator on someone's machine.

The emulator accepts any credentials and its control API can wipe a `--state` file, so:
- the Host must be a loopback name or address (a DNS-rebound name is refused), including what
  the embedded target sends through `httpx.ASGITransport` (`127.0.0.1`);
- a state-changing request that carries an `Origin` must come from the emulator's own origin
  (a page the user visits cannot POST /_emulator/reset; clients that are not browsers send none);
- bodies are capped (1 MiB; `PUT /_emulator/state` 64 MiB, a whole project) with a 413 before
  they are buffered.
Refused requests are neither journaled nor faulted.
"""

from __future__ import annotations

import ipaddress

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connect_gitops.emulator.asgi import send_error
from connect_gitops.emulator.errors import ApiError

BODY_LIMIT = 1024 * 1024
STATE_BODY_LIMIT = 64 * 1024 * 1024
STATE_PATH = "/_emulator/state"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _hostname(authority: str) -> str:
    """The host part of `host[:port]` or `[v6]:port`."""
    if authority.startswith("["):
        return authority[1 : authority.find("]")] if "]" in authority else ""
    return authority.rpartition(":")[0] if authority.count(":") == 1 else authority


def is_loopback(authority: str) -> bool:
    """`localhost`, `127.x.x.x` or `::1`, with or without a port."""
    host = _hostname(authority)
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def forbidden(message: str) -> ApiError:
    return ApiError(403, "Forbidden", message)


def too_large(limit: int) -> ApiError:
    return ApiError(413, "PayloadTooLarge", f"Request body exceeds {limit} bytes.")


def refusal(scope: Scope) -> ApiError | None:
    """Why a request must not reach the emulator, or None."""
    host = _header(scope, b"host")
    if host is None or not is_loopback(host):
        return forbidden(
            "The emulator only answers requests addressed to a loopback host "
            f"(127.0.0.1, ::1, localhost), not Host: {host!r}."
        )
    origin = _header(scope, b"origin")
    cross_site_write = scope["method"] not in SAFE_METHODS and origin is not None
    if cross_site_write and str(origin).lower() != f"http://{host}".lower():
        return forbidden(
            f"Cross-origin request refused: Origin {origin!r} is not this emulator (http://{host})."
        )
    return None


def body_limit(scope: Scope) -> int:
    if scope["method"] == "PUT" and scope["path"] == STATE_PATH:
        return STATE_BODY_LIMIT
    return BODY_LIMIT


class RequestGuard:
    """The outermost middleware: Host, Origin and body size."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = refusal(scope)
        limit = body_limit(scope)
        length = _header(scope, b"content-length")
        declared = (
            int(length) if length is not None and length.isascii() and length.isdigit() else 0
        )
        if refused is None and declared > limit:
            refused = too_large(limit)
        if refused is not None:
            await send_error(send, refused)
            return
        received = 0

        async def limited() -> Message:
            """Counts a streamed body; the route's body read fails with 413 past the limit."""
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(limit)
            return message

        await self.app(scope, limited, send)
