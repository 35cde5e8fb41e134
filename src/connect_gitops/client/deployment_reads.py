"""Reading a project's deployments, for ``export``: every one (pages of 500), or a few by key.

Through the client's one operation (its token, retry policy and typed errors), read tolerantly
into :class:`~connect_gitops.core.deployments.live.Deployment`, which keeps no secured value.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict

from connect_gitops.client import paging
from connect_gitops.client.api import ConnectClient
from connect_gitops.client.errors import NotFound, TooManyConnectors
from connect_gitops.core.deployments.live import Deployment


class _Page(BaseModel):
    model_config = ConfigDict(extra="ignore")

    total: int | None = None
    results: list[Deployment]


def _base(client: ConnectClient) -> str:
    return f"/{quote(client.project_key, safe='')}/deployments"


async def query_deployments(client: ConnectClient) -> list[Deployment]:
    """Every deployment of the client's project, each once."""
    base = _base(client)

    async def page(request: paging.PageRequest) -> _Page:
        params = httpx.QueryParams(request.params(paging.PAGE_LIMIT))
        answer = await client._call("GET", base, params=params)
        return _Page.model_validate_json(answer.body)

    first = await page(paging.FIRST_PAGE)
    total = first.total if first.total is not None else len(first.results)
    try:
        pages = paging.remaining_pages(total)
    except ValueError:
        raise TooManyConnectors(
            method="GET",
            path=base,
            message=f"the project holds {total} deployments; paging reaches {paging.reachable()}",
        ) from None
    found = {} if paging.needs_trick(total) else {d.id: d for d in first.results}
    for request in pages:
        for deployment in (await page(request)).results:
            found.setdefault(deployment.id, deployment)
    return list(found.values())


async def deployments_by_key(client: ConnectClient, keys: Sequence[str]) -> dict[str, Deployment]:
    """The deployments of ``keys`` that exist, by key."""
    found: dict[str, Deployment] = {}
    for key in sorted(set(keys)):
        try:
            answer = await client._call("GET", f"{_base(client)}/key={quote(key, safe='')}")
        except NotFound:
            continue
        found[key] = Deployment.model_validate_json(answer.body)
    return found
