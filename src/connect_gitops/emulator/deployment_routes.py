"""HTTP for `/{projectKey}/deployments` (connect-api.md section 9): parse, authorise, render.

The project key is in the path here (unlike connectors): the token's project must be that one,
with `manage_connectors_deployments` to write, `view_connectors_deployments` to read, or
`manage_project` for both.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connect_gitops.emulator import auth, deployment_logs, deployment_redeploy, deployments, rules
from connect_gitops.emulator.auth import Grant
from connect_gitops.emulator.deployment_view import render
from connect_gitops.emulator.errors import JsonObject, insufficient_scope
from connect_gitops.emulator.middleware import CONFLICT_KEY
from connect_gitops.emulator.runtime import Emulator
from connect_gitops.emulator.store import Project
from connect_gitops.emulator.wire import json_body, json_response


class DeploymentApi:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def _grant(self, request: Request, *, write: bool) -> tuple[Grant, Project]:
        """Authorise for the path's project and catch its lifecycles up."""
        key = request.path_params["projectKey"]
        scope = f"{'manage' if write else 'view'}_connectors_deployments:{key}"
        grant = auth.authorize(
            self.emulator.state,
            request.headers.get("authorization"),
            needed=rules.DEPLOYMENT_WRITE_SCOPES if write else rules.DEPLOYMENT_READ_SCOPES,
            missing=scope,
            now=self.emulator.context().now,
        )
        if grant.project != key:
            raise insufficient_scope(scope)
        return grant, self.emulator.catch_up(key)

    def _find(self, request: Request, project: Project) -> JsonObject:
        params = request.path_params
        return deployments.find(project, id=params.get("id"), key=params.get("key"))

    def _render(self, deployment: JsonObject, status: int = 200) -> Response:
        return json_response(render(deployment, self.emulator.state.settings), status)

    async def query(self, request: Request) -> Response:
        _, project = self._grant(request, write=False)
        query = request.query_params
        page = deployments.query(
            project, query, query.getlist("sort"), query.getlist("integrationTypes")
        )
        settings = self.emulator.state.settings
        page["results"] = [render(d, settings) for d in page["results"]]
        return json_response(page)

    async def create(self, request: Request) -> Response:
        grant, _ = self._grant(request, write=True)
        body = await json_body(request)
        created = deployments.create(
            self.emulator.state,
            grant,
            body,
            self.emulator.context(),
            self.emulator.failing_application,
        )
        self.emulator.commit()
        return self._render(created, 201)

    async def get(self, request: Request) -> Response:
        _, project = self._grant(request, write=False)
        return self._render(self._find(request, project))

    async def update(self, request: Request) -> Response:
        grant, project = self._grant(request, write=True)
        body = await json_body(request)
        deployment = self._find(request, project)
        context = self.emulator.context()
        if request.scope.get(CONFLICT_KEY):
            deployments.bump_version(deployment, context)
            self.emulator.commit()
        updated = deployment_redeploy.update(
            self.emulator.state,
            grant.project,
            deployment,
            body,
            context,
            self.emulator.failing_application,
        )
        self.emulator.commit()
        return self._render(updated, self.emulator.state.settings.updateStatusCode)

    async def delete(self, request: Request) -> Response:
        _, project = self._grant(request, write=True)
        deployment = self._find(request, project)
        context = self.emulator.context()
        deleted = deployments.delete(
            project, deployment, request.query_params.get("version"), context
        )
        self.emulator.commit()
        return self._render(deleted, context.settings.deploymentDeleteStatusCode)

    async def logs(self, request: Request) -> Response:
        _, project = self._grant(request, write=False)
        deployment = self._find(request, project)
        context = self.emulator.context()
        page = deployment_logs.query(
            deployment,
            project.deployment_meta.get(deployment["id"], {}),
            request.query_params,
            context.settings.logPageSize,
            context.now,
        )
        return json_response(page)


def routes(emulator: Emulator) -> list[Route]:
    api = DeploymentApi(emulator)
    base = "/{projectKey}/deployments"
    found: list[Route] = [
        Route(base, api.query, methods=["GET"]),
        Route(base, api.create, methods=["POST"]),
    ]
    for one in (base + "/key={key}", base + "/{id}"):
        found += [
            Route(one, api.get, methods=["GET"]),
            Route(one, api.update, methods=["POST"]),
            Route(one, api.delete, methods=["DELETE"]),
            Route(one + "/logs", api.logs, methods=["GET"]),
        ]
    return found
