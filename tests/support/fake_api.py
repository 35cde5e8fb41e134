"""A scripted stand-in for the Connect API, served through httpx.MockTransport.

Only for unit tests of the client's error handling, retries, auth and paging; the real contract
is tested against the emulator over a socket (integration/test_client_against_emulator.py).
"""

from __future__ import annotations

import base64
import json
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

import anyio
import httpx

SECRET = "s3cr3t-client-secret-value"
CLIENT_ID = "client-id-1"
TOKEN_PREFIX = "tok3n-value-"

Scripted = httpx.Response | Exception


def make_item(i: int) -> dict[str, Any]:
    """A connector as the API returns it; createdAt ties every 3 items, as bulk creates do."""
    return {
        "id": f"id-{i:05d}",
        "key": f"connector-{i:05d}",
        "version": 1,
        "name": f"Connector {i}",
        "createdAt": f"2024-01-01T00:00:00.{i // 3:06d}Z",
        "status": "Draft",
        "someFutureField": {"nested": True},
    }


def envelope(status: int, code: str, message: str, **extra: Any) -> httpx.Response:
    body = {
        "statusCode": status,
        "message": message,
        "errors": [{"code": code, "message": message, **extra}],
    }
    return httpx.Response(status, json=body)


@dataclass
class FakeApi:
    items: list[dict[str, Any]] = field(default_factory=list)
    expires_in: int = 172800
    token_latency: float = 0.0
    page_latency: float = 0.0
    update_status: int = 200
    token_answer: httpx.Response | None = None
    reject_tokens: bool = False
    requests: list[httpx.Request] = field(default_factory=list)
    token_requests: list[httpx.Request] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)
    valid: set[str] = field(default_factory=set)
    scripts: dict[tuple[str, str], deque[Scripted]] = field(
        default_factory=lambda: defaultdict(deque)
    )
    in_flight: int = 0
    max_in_flight: int = 0

    @classmethod
    def with_items(cls, n: int, **kwargs: Any) -> FakeApi:
        return cls(items=[make_item(i) for i in range(n)], **kwargs)

    def script(self, method: str, path: str, *answers: Scripted) -> None:
        """Serve ``answers`` (responses or exceptions to raise) before the normal behaviour."""
        self.scripts[(method, path)].extend(answers)

    def expire_tokens(self) -> None:
        self.valid.clear()

    def api_requests(
        self, method: str | None = None, path: str | None = None
    ) -> list[httpx.Request]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or r.url.path == path)
        ]

    async def handler(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            self.token_requests.append(request)
            return await self._token(request)
        self.requests.append(request)
        response = await self._api(request)
        cid = request.headers.get("X-Correlation-ID")
        if cid is not None and "X-Correlation-ID" not in response.headers:
            response.headers["X-Correlation-ID"] = cid
        return response

    async def _token(self, request: httpx.Request) -> httpx.Response:
        if self.token_latency:
            await anyio.sleep(self.token_latency)
        queued = self.scripts.get(("POST", "/oauth/token"))
        if queued:
            answer = queued.popleft()
            if isinstance(answer, Exception):
                raise answer
            return answer
        if self.token_answer is not None:
            return self.token_answer
        token = f"{TOKEN_PREFIX}{len(self.issued) + 1}"
        self.issued.append(token)
        self.valid.add(token)
        return httpx.Response(
            200,
            json={
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.expires_in,
                "scope": parse_qs(request.content.decode()).get("scope", [""])[0],
            },
        )

    async def _api(self, request: httpx.Request) -> httpx.Response:
        auth = request.headers.get("Authorization", "")
        if self.reject_tokens or not auth.startswith("Bearer ") or auth[7:] not in self.valid:
            return httpx.Response(
                401,
                json={
                    "statusCode": 401,
                    "message": "invalid_token",
                    "error": "invalid_token",
                    "errors": [{"code": "invalid_token", "message": "invalid_token"}],
                },
            )
        queued = self.scripts.get((request.method, request.url.path))
        if queued:
            answer = queued.popleft()
            if isinstance(answer, Exception):
                raise answer
            return answer
        path = request.url.path
        if request.method == "GET" and path == "/connectors/drafts":
            return await self._query(request)
        if path.startswith("/connectors/drafts/"):
            ref = unquote(path.removeprefix("/connectors/drafts/"))
            found = self._find(ref)
            if request.method == "GET":
                if found is None:
                    return envelope(
                        404, "ResourceNotFound", f"The Resource with {ref} was not found."
                    )
                return httpx.Response(200, json=found)
            if request.method == "POST":
                return self._update(request, ref, found)
        if request.method == "POST" and path == "/connectors/drafts":
            draft = json.loads(request.content)
            item = {**draft, "id": f"new-{len(self.items)}", "version": 1, "status": "Draft"}
            self.items.append(item)
            return httpx.Response(201, json=item)
        return envelope(400, "InvalidPathParam", f"unknown path {path}")

    def _find(self, ref: str) -> dict[str, Any] | None:
        if ref.startswith("key="):
            key = ref[4:]
            return next((i for i in self.items if i["key"] == key), None)
        return next((i for i in self.items if i["id"] == ref), None)

    def _update(
        self, request: httpx.Request, ref: str, found: dict[str, Any] | None
    ) -> httpx.Response:
        if found is None:
            return envelope(404, "ResourceNotFound", f"The Resource with {ref} was not found.")
        body = json.loads(request.content)
        if body["version"] != found["version"]:
            return envelope(
                409,
                "ConcurrentModification",
                f"Object {found['id']} has a different version than expected. "
                f"Expected: {body['version']} - Actual: {found['version']}.",
                expectedVersion=body["version"],
                currentVersion=found["version"],
            )
        for action in body["actions"]:
            if action["action"] == "setName":
                found["name"] = action["name"]
        found["version"] += 1
        return httpx.Response(self.update_status, json=found)

    async def _query(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        limit = int(params.get("limit", "20"))
        offset = int(params.get("offset", "0"))
        if limit > 500 or offset > 10000:
            return envelope(400, "InvalidQueryParam", "limit or offset out of range")
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.page_latency:
                await anyio.sleep(self.page_latency)
            ordered = list(self.items)
            for spec in reversed(
                params.get_list("sort")
            ):  # last key first: a stable multi-key sort
                fieldname, _, direction = spec.partition(" ")
                ordered.sort(key=lambda i, f=fieldname: i[f], reverse=direction == "desc")
            page = ordered[offset : offset + limit]
            body = {
                "limit": limit,
                "offset": offset,
                "count": len(page),
                "total": len(self.items),
                "results": page,
            }
            return httpx.Response(200, json=body)
        finally:
            self.in_flight -= 1


def basic_credentials(request: httpx.Request) -> str:
    return base64.b64decode(request.headers["Authorization"].removeprefix("Basic ")).decode()


class FakeSleep:
    """Records every wait instead of sleeping (a retry policy's injectable sleep)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
