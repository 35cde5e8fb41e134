"""Answering at the ASGI level, for the middlewares that refuse a request before any route."""

from __future__ import annotations

import json

from starlette.types import Send

from connect_gitops.emulator.errors import ApiError

CORRELATION_HEADER = b"x-correlation-id"


async def send_error(send: Send, error: ApiError, correlation: str | None = None) -> None:
    """The error envelope as a complete response."""
    body = json.dumps(error.envelope()).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *((k.lower().encode(), v.encode()) for k, v in error.headers.items()),
    ]
    if correlation is not None:
        headers.append((CORRELATION_HEADER, correlation.encode("latin-1")))
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
