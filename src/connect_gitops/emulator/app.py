"""The Starlette app: HTTP in, `connectors` / `auth` / control operations, JSON out.

Deployments have their own routes (`deployment_routes`). Middlewares, outermost first: the
request guard (Host, Origin, body size), correlation id / journal / faults, the state file lock.
`create_app()` is what uvicorn serves and what `httpx.ASGITransport` mounts in-process.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connect_gitops.emulator import auth, connectors, deployment_lifecycle, deployment_routes, rules
from connect_gitops.emulator.errors import ApiError
from connect_gitops.emulator.guard import RequestGuard
from connect_gitops.emulator.lifecycle import settle
from connect_gitops.emulator.middleware import CONFLICT_KEY, EmulatorMiddleware
from connect_gitops.emulator.runtime import Emulator
from connect_gitops.emulator.settings import Settings, patched
from connect_gitops.emulator.sharing import SharedStateFile
from connect_gitops.emulator.store import Project, State
from connect_gitops.emulator.wire import json_body, json_response


class Api:
    """Route handlers bound to one `Emulator`."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    # --- API -------------------------------------------------------------------------------

    def _project(self, request: Request, *, write: bool) -> Project:
        """Authorise the request and catch its project up with due lifecycle steps."""
        context = self.emulator.context()
        state = self.emulator.state
        grant = auth.authorize(
            state,
            request.headers.get("authorization"),
            needed=rules.WRITE_SCOPES if write else rules.READ_SCOPES,
            missing="manage_connectors" if write else "view_connectors",
            now=context.now,
        )
        return self.emulator.catch_up(grant.project)

    async def token(self, request: Request) -> Response:
        params = dict(parse_qsl(request.url.query))
        if "application/x-www-form-urlencoded" in request.headers.get("content-type", ""):
            params.update(parse_qsl((await request.body()).decode("latin-1")))
        now = time.time()
        auth.forget_expired(self.emulator.state, now)
        body = auth.issue_token(
            self.emulator.state, request.headers.get("authorization"), params, now
        )
        self.emulator.commit()
        return json_response(body, headers={"Cache-Control": "no-store"})

    def _lookup(self, request: Request, project: Project) -> dict[str, Any]:
        params = request.path_params
        return connectors.find(project, id=params.get("id"), key=params.get("key"))

    async def query_drafts(self, request: Request) -> Response:
        project = self._project(request, write=False)
        query = request.query_params
        page = connectors.query(
            project, query, query.getlist("sort"), query.getlist("integrationTypes")
        )
        return json_response(page)

    async def create_draft(self, request: Request) -> Response:
        project = self._project(request, write=True)
        body = await json_body(request)
        connector = connectors.create(project, body, self.emulator.context())
        self.emulator.commit()
        return json_response(connector, 201)

    async def get_draft(self, request: Request) -> Response:
        project = self._project(request, write=False)
        return json_response(self._lookup(request, project))

    async def update_draft(self, request: Request) -> Response:
        project = self._project(request, write=True)
        body = await json_body(request)
        connector = self._lookup(request, project)
        context = self.emulator.context()
        if request.scope.get(CONFLICT_KEY):
            connectors.bump_version(connector, context)
            self.emulator.commit()
        updated = connectors.update(project, connector, body, context)
        self.emulator.commit()
        return json_response(updated, self.emulator.state.settings.updateStatusCode)

    async def delete_draft(self, request: Request) -> Response:
        project = self._project(request, write=True)
        connector = self._lookup(request, project)
        deleted = connectors.delete(
            project, connector, request.query_params.get("version"), self.emulator.context()
        )
        self.emulator.commit()
        return json_response(deleted)

    async def get_published(self, request: Request) -> Response:
        project = self._project(request, write=False)
        params = request.path_params
        return json_response(
            connectors.published(project, id=params.get("id"), key=params.get("key"))
        )

    async def search(self, request: Request) -> Response:
        project = self._project(request, write=False)
        query = request.query_params
        page = connectors.search(
            project, query, query.getlist("sort"), query.getlist("integrationTypes")
        )
        return json_response(page)

    # --- control API -----------------------------------------------------------------------

    async def reset(self, request: Request) -> Response:
        self.emulator.replace(State())
        self.emulator.journal.clear()
        return json_response({"reset": True})

    async def requests(self, request: Request) -> Response:
        return json_response(list(self.emulator.journal))

    async def clear_requests(self, request: Request) -> Response:
        cleared = len(self.emulator.journal)
        self.emulator.journal.clear()
        return json_response({"cleared": cleared})

    async def faults(self, request: Request) -> Response:
        if request.method == "PUT":
            faults = patched(self.emulator.state.faults, await json_body(request))
            self.emulator.state.faults = faults
            self.emulator.dice.configure(faults)
            self.emulator.commit()
        return json_response(self.emulator.state.faults.model_dump())

    async def settings(self, request: Request) -> Response:
        if request.method == "PUT":
            settings: Settings = patched(self.emulator.state.settings, await json_body(request))
            self.emulator.state.settings = settings
            self.emulator.repositories.timeout_seconds = settings.gitTimeoutSeconds
            self.emulator.commit()
        return json_response(self.emulator.state.settings.model_dump())

    async def settle(self, request: Request) -> Response:
        context = self.emulator.context()
        moved = sum(
            settle(project, context) + deployment_lifecycle.settle(project, context)
            for project in self.emulator.state.projects.values()
        )
        self.emulator.commit()
        return json_response({"settled": moved})

    async def expire_tokens(self, request: Request) -> Response:
        expired = len(self.emulator.state.tokens)
        self.emulator.state.tokens.clear()
        self.emulator.commit()
        return json_response({"expired": expired})

    async def state(self, request: Request) -> Response:
        if request.method == "PUT":
            self.emulator.replace(State.load(await json_body(request)))
        return json_response(self.emulator.state.dump())


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return json_response(exc.envelope(), exc.status, exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        error = ApiError(
            404, "ResourceNotFound", f"No endpoint {request.method} {request.url.path}."
        )
    elif exc.status_code == 405:
        error = ApiError(405, "MethodNotAllowed", f"Method {request.method} is not allowed here.")
    else:
        error = ApiError(exc.status_code, "General", str(exc.detail))
    return json_response(error.envelope(), error.status)


async def _unexpected(request: Request, exc: Exception) -> Response:
    error = ApiError(500, "General", f"Internal emulator error: {exc.__class__.__name__}")
    return json_response(error.envelope(), 500)


def create_app(state_file: Path | None = None) -> Starlette:
    """The emulator app; with `state_file`, state is loaded from and persisted to that file.

    Raises `StateFileError` (a ValueError) when the file exists but is not a valid state.
    """
    emulator = Emulator(state_file)
    api = Api(emulator)
    drafts = "/connectors/drafts"
    control = "/_emulator"
    routes = [
        Route("/oauth/token", api.token, methods=["POST"]),
        Route(drafts, api.query_drafts, methods=["GET"]),
        Route(drafts, api.create_draft, methods=["POST"]),
        Route(drafts + "/key={key}", api.get_draft, methods=["GET"]),
        Route(drafts + "/key={key}", api.update_draft, methods=["POST"]),
        Route(drafts + "/key={key}", api.delete_draft, methods=["DELETE"]),
        Route(drafts + "/{id}", api.get_draft, methods=["GET"]),
        Route(drafts + "/{id}", api.update_draft, methods=["POST"]),
        Route(drafts + "/{id}", api.delete_draft, methods=["DELETE"]),
        Route("/connectors/search", api.search, methods=["GET"]),
        Route("/connectors/key={key}", api.get_published, methods=["GET"]),
        Route("/connectors/{id}", api.get_published, methods=["GET"]),
        Route(control + "/reset", api.reset, methods=["POST"]),
        Route(control + "/requests", api.requests, methods=["GET"]),
        Route(control + "/requests", api.clear_requests, methods=["DELETE"]),
        Route(control + "/faults", api.faults, methods=["GET", "PUT"]),
        Route(control + "/settings", api.settings, methods=["GET", "PUT"]),
        Route(control + "/settle", api.settle, methods=["POST"]),
        Route(control + "/expire-tokens", api.expire_tokens, methods=["POST"]),
        Route(control + "/state", api.state, methods=["GET", "PUT"]),
        *deployment_routes.routes(emulator),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestGuard),
            Middleware(EmulatorMiddleware, emulator=emulator),
            Middleware(SharedStateFile, emulator=emulator),
        ],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
    app.state.emulator = emulator
    return app
