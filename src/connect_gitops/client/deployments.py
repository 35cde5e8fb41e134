"""The Deployments endpoints of one project, and the connector facts a deployment is planned
against: :class:`DeploymentEndpoints`, reached as ``ConnectClient.deployments``.

Every request goes through the client's one ``_call`` (the same token, retry policy, 429 /
ambiguous-write / 409 rules and typed errors as the connector endpoints). Answers are read
tolerantly into :mod:`connect_gitops.core.deployments.live` models, which drop secured values as
they are read: no object this module returns holds a secret.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from functools import partial
from typing import Any, Final, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from connect_gitops.client import paging
from connect_gitops.client.attempt import Answered
from connect_gitops.client.errors import ConnectError
from connect_gitops.client.reading import Call, answer_or_none, every_item, many_by_key
from connect_gitops.core.deployments.live import (
    ConnectorFacts,
    Deployment,
    LogEntry,
    LogPage,
    connector_facts,
)

LOG_PAGES_MAX: Final = 50
"""Pages of ``/logs`` followed at most for the last lines: a bound on a runaway cursor."""

_M = TypeVar("_M", bound=BaseModel)


class _Page(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)  # built with the first page

    total: int | None = None
    results: list[Deployment]


class _Listed(BaseModel):
    """One connector of a page, kept whole: its facts are read only when they are asked for."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    id: str


class _ConnectorPage(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    total: int | None = None
    results: list[_Listed]


def _quoted(value: str) -> str:
    return quote(value, safe="")


class DeploymentEndpoints:
    """``/{projectKey}/deployments``, its ``/logs``, and the connector reads deployments need."""

    def __init__(
        self, call: Call, project_key: str, remember: Callable[[str], None] | None = None
    ) -> None:
        self._call = call
        self._remember = remember
        self.base = f"/{_quoted(project_key)}/deployments"

    def remember_secret(self, value: str) -> None:
        """A secured value about to be sent: redacted from every error text from now on."""
        if self._remember is not None:
            self._remember(value)

    def __repr__(self) -> str:
        return f"DeploymentEndpoints({self.base!r})"

    # -- deployments: reads -------------------------------------------------------------------

    async def iter_all(self) -> AsyncIterator[Deployment]:
        """Every deployment of the project, each once, read as ``ConnectClient.iter_all`` reads
        connectors (:func:`.reading.every_item`)."""
        async for deployment in every_item(self._page, path=self.base, noun="deployments"):
            yield deployment

    async def query_all(self) -> list[Deployment]:
        """Every deployment of the project as a list."""
        return [item async for item in self.iter_all()]

    async def get_by_key(self, key: str) -> Deployment | None:
        """The deployment with ``key``, or None when there is none."""
        return await self._get_one(self._key_path(key), Deployment)

    async def get_by_id(self, id: str) -> Deployment | None:
        """The deployment with ``id``, or None when there is none."""
        return await self._get_one(self._id_path(id), Deployment)

    async def get_many_by_key(
        self, keys: Sequence[str], concurrency: int = 10
    ) -> dict[str, Deployment]:
        """The deployments of ``keys`` that exist, by key (a few keys; use iter_all for all)."""
        return await many_by_key(self.get_by_key, keys, concurrency)

    # -- deployments: writes ------------------------------------------------------------------

    async def create(self, draft: Mapping[str, Any]) -> Deployment:
        """Create a deployment (201); AmbiguousWrite means: look the key up before sending again."""
        answer = await self._call("POST", self.base, json=dict(draft))
        return self._parse(answer, Deployment, "POST", self.base)

    async def update(
        self, id: str, version: int, actions: Sequence[Mapping[str, Any]]
    ) -> Deployment:
        """Send ``actions`` (a ``redeploy``) at ``version``; Conflict when it moved meanwhile."""
        path = self._id_path(id)
        body = {"version": version, "actions": [dict(a) for a in actions]}
        answer = await self._call("POST", path, json=body)  # 200 or 201: both are success
        return self._parse(answer, Deployment, "POST", path)

    async def delete(self, id: str, version: int | None = None) -> Deployment | None:
        """Undeploy (202: Undeploying, gone later; 200: gone). None when it is already gone.

        ``version`` makes the delete conditional (409 when the deployment moved meanwhile).
        """
        path = self._id_path(id)
        params = httpx.QueryParams({"version": str(version)}) if version is not None else None
        answer = await answer_or_none(self._call, "DELETE", path, params=params)
        if answer is None:
            return None
        return self._parse(answer, Deployment, "DELETE", path)

    # -- logs -----------------------------------------------------------------------------------

    async def logs(
        self, id: str, *, application: str | None = None, page_token: str | None = None
    ) -> LogPage:
        """One page of a deployment's log lines; ``next`` is the cursor (``pageToken``) of the
        following page, None on the last."""
        path = f"{self._id_path(id)}/logs"
        query = {"applicationName": application, "pageToken": page_token}
        params = httpx.QueryParams({k: v for k, v in query.items() if v is not None})
        answer = await self._call("GET", path, params=params)
        return self._parse(answer, LogPage, "GET", path)

    async def last_log_lines(
        self, id: str, *, application: str | None = None, lines: int = 20
    ) -> list[LogEntry]:
        """The last ``lines`` lines (oldest first), following the cursor to the end, at most
        :data:`LOG_PAGES_MAX` pages."""
        kept: deque[LogEntry] = deque(maxlen=max(lines, 0))
        token: str | None = None
        for _ in range(LOG_PAGES_MAX):
            page = await self.logs(id, application=application, page_token=token)
            kept.extend(page.data)
            if not page.next or page.next == token:
                break
            token = page.next
        return list(kept)

    # -- connector facts -----------------------------------------------------------------------

    async def connector_facts(
        self, *, staged: bool, key: str | None = None, id: str | None = None
    ) -> ConnectorFacts | None:
        """What a deployment of a connector is checked against: the ConnectorStaged
        (``staged``, ``/connectors/drafts/...``) or the published Connector
        (``/connectors/...``), by key or id; None when it is not found."""
        if (key is None) == (id is None):
            raise ValueError("give exactly one of key and id")
        base = "/connectors/drafts" if staged else "/connectors"
        path = f"{base}/key={_quoted(key)}" if key is not None else f"{base}/{_quoted(id or '')}"
        answer = await answer_or_none(self._call, "GET", path)
        if answer is None:
            return None
        data = self._parse(answer, _AnyObject, "GET", path)
        try:
            return connector_facts(data.model_dump(), staged=staged)
        except ValidationError:
            raise _unreadable("GET", path, "a connector", answer) from None

    async def listed_connector_facts(
        self, *, staged: bool, keys: Collection[str] = (), ids: Collection[str] = ()
    ) -> list[ConnectorFacts]:
        """The facts of the connectors with one of ``keys`` or ``ids``, read from the pages of
        the whole collection: ``/connectors/drafts`` (``staged``) or ``/connectors/search``
        (every published Connector the project may deploy; the API has no plain query of them).

        About one request per 500 connectors, whatever the number asked for. A connector the
        pages do not hold, or whose facts do not read, is left out: its read by key
        (:meth:`connector_facts`) tells whether it exists, or why its answer is unreadable.
        """
        path = "/connectors/drafts" if staged else "/connectors/search"
        wanted_keys, wanted_ids = set(keys), set(ids)
        found: list[ConnectorFacts] = []
        pages = partial(self._connector_page, path)
        async for listed in every_item(pages, path=path, noun="connectors"):
            data = listed.model_dump()
            key = data.get("key")
            if listed.id not in wanted_ids and not (isinstance(key, str) and key in wanted_keys):
                continue
            try:
                found.append(connector_facts(data, staged=staged))
            except ValidationError:
                continue
        return found

    # -- plumbing -------------------------------------------------------------------------------

    def _key_path(self, key: str) -> str:
        return f"{self.base}/key={_quoted(key)}"

    def _id_path(self, id: str) -> str:
        return f"{self.base}/{_quoted(id)}"

    async def _page(self, page: paging.PageRequest) -> _Page:
        params = httpx.QueryParams(page.params(paging.PAGE_LIMIT))
        answer = await self._call("GET", self.base, params=params)
        return self._parse(answer, _Page, "GET", self.base)

    async def _connector_page(self, path: str, page: paging.PageRequest) -> _ConnectorPage:
        params = httpx.QueryParams(page.params(paging.PAGE_LIMIT))
        answer = await self._call("GET", path, params=params)
        return self._parse(answer, _ConnectorPage, "GET", path)

    async def _get_one(self, path: str, model: type[_M]) -> _M | None:
        answer = await answer_or_none(self._call, "GET", path)
        if answer is None:
            return None
        return self._parse(answer, model, "GET", path)

    @staticmethod
    def _parse(answer: Answered, model: type[_M], method: str, path: str) -> _M:
        try:
            return model.model_validate_json(answer.body)
        except ValidationError:
            what = _WHAT.get(model, "the expected object")
            raise _unreadable(method, path, what, answer) from None


class _AnyObject(BaseModel):
    """Any JSON object, kept whole (connector facts are read from it)."""

    model_config = ConfigDict(extra="allow", defer_build=True)


_WHAT: dict[type[BaseModel], str] = {
    Deployment: "a deployment",
    _Page: "a page of deployments",
    _ConnectorPage: "a page of connectors",
    LogPage: "a page of log lines",
    _AnyObject: "a JSON object",
}


def _unreadable(method: str, path: str, what: str, answer: Answered) -> ConnectError:
    """A 2xx answer that is not what the endpoint returns (a proxy's HTML page, say). The body
    is never copied into the error: it may hold anything."""
    return ConnectError(
        method=method,
        path=path,
        status=answer.status,
        message=f"the answer is not {what}",
        correlation_id=answer.correlation_id,
    )
