"""Around every request: the correlation id, the request journal and injected faults.

A plain ASGI middleware (no per-request task or body buffering beyond what faults need), so it
costs next to nothing on the benchmark path. Control calls (`/_emulator/...`) get a correlation id
but are neither journaled nor faulted.
"""

from __future__ import annotations

import uuid

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connect_gitops.emulator.asgi import CORRELATION_HEADER, send_error
from connect_gitops.emulator.errors import for_status
from connect_gitops.emulator.faults import Decision, DroppedConnection
from connect_gitops.emulator.runtime import Emulator

CONTROL_PREFIX = "/_emulator"
CONFLICT_KEY = "emulator.conflict"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


async def _drop(send: Send) -> None:
    """Send headers promising a body, then abort: the client never gets a complete response."""
    headers = [(b"content-type", b"application/json"), (b"content-length", b"1024")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    raise DroppedConnection()


def _kind(method: str, path: str) -> tuple[bool, bool]:
    """(write, update): creates, updates and deletes of connectors and deployments are writes
    (an ambiguous answer can hit them); an update names one resource (a conflict can hit it)."""
    parts = path.strip("/").split("/")
    connector = parts[:2] == ["connectors", "drafts"]
    deployment = len(parts) >= 2 and parts[1] == "deployments"
    write = method in ("POST", "DELETE") and (connector or deployment)
    update = write and method == "POST" and len(parts) == 3
    return write, update


class EmulatorMiddleware:
    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation = _header(scope, CORRELATION_HEADER) or str(uuid.uuid4())
        status: list[int | None] = [None]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != CORRELATION_HEADER
                ]
                message = {
                    **message,
                    "headers": [*headers, (CORRELATION_HEADER, correlation.encode("latin-1"))],
                }
            await send(message)

        path: str = scope["path"]
        if path.startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send_with_id)
            return
        method: str = scope["method"]
        write, update = _kind(method, path)
        decision = self.emulator.dice.roll(write=write, update=update)
        entry = {
            "method": method,
            "path": path,
            "query": scope.get("query_string", b"").decode("latin-1"),
            "status": None,
            "correlationId": correlation,
        }
        self.emulator.journal.append(entry)
        try:
            await self._handle(scope, receive, send_with_id, send, decision, correlation, status)
        finally:
            entry["status"] = status[0]

    async def _handle(
        self,
        scope: Scope,
        receive: Receive,
        send_with_id: Send,
        raw_send: Send,
        decision: Decision,
        correlation: str,
        status: list[int | None],
    ) -> None:
        faults = self.emulator.state.faults
        if faults.latencyMs:
            await anyio.sleep(faults.latencyMs / 1000)
        if decision.rate_limited:
            error = for_status(429)
            error.headers["Retry-After"] = str(faults.retryAfterSeconds)
            status[0] = 429
            await send_error(raw_send, error, correlation)
            return
        if decision.drop:
            await _drop(raw_send)
        if decision.error_status is not None:
            status[0] = decision.error_status
            await send_error(raw_send, for_status(decision.error_status), correlation)
            return
        scope[CONFLICT_KEY] = decision.conflict
        if decision.ambiguous is None:
            await self.app(scope, receive, send_with_id)
            return

        async def swallow(message: Message) -> None:
            """The write happens; its answer is lost."""

        await self.app(scope, receive, swallow)
        if decision.ambiguous == "drop":
            await _drop(raw_send)
        status[0] = 500
        await send_error(raw_send, for_status(500), correlation)
