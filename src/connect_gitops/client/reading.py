"""Reads every resource family shares: every item of a paged endpoint, one resource or None,
a few by key. ConnectorStaged and Deployments both page with ``limit``/``offset`` and answer
404 for a key they do not hold, so one implementation serves both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from functools import partial
from typing import Any, Final, Protocol, TypeVar

from connect_gitops.client import paging
from connect_gitops.client.attempt import Answered
from connect_gitops.client.concurrency import gather
from connect_gitops.client.errors import NotFound, TooManyConnectors

Call = Callable[..., Awaitable[Answered]]
"""``ConnectClient._call``: one operation under the retry policy, success or a typed error."""

PAGES_IN_FLIGHT: Final = 8
"""Pages requested at once after the first: memory stays proportional to this window."""


class Identified(Protocol):
    @property
    def id(self) -> str: ...


Item = TypeVar("Item", bound=Identified)
ItemCo = TypeVar("ItemCo", bound=Identified, covariant=True)
Found = TypeVar("Found")


class Page(Protocol[ItemCo]):
    """The paged-result envelope: the total (when the API gives it) and this page's items."""

    @property
    def total(self) -> int | None: ...

    @property
    def results(self) -> Sequence[ItemCo]: ...


async def every_item(
    read_page: Callable[[paging.PageRequest], Awaitable[Page[Item]]], *, path: str, noun: str
) -> AsyncIterator[Item]:
    """Every item of the endpoint at ``path``, each once: the first page, then the others
    concurrently (the total is known), a bounded window of pages at a time.

    :class:`TooManyConnectors` when the project holds more ``noun`` than paging can reach.
    """
    first = await read_page(paging.FIRST_PAGE)
    total = first.total if first.total is not None else len(first.results)
    try:
        pages = paging.remaining_pages(total)
    except ValueError:
        raise TooManyConnectors(
            method="GET",
            path=path,
            message=(
                f"the project holds {total} {noun}; paging reaches at most {paging.reachable()}"
            ),
        ) from None
    seen: set[str] = set()
    if not paging.needs_trick(total):
        for item in first.results:
            seen.add(item.id)
            yield item
    del first
    for start in range(0, len(pages), PAGES_IN_FLIGHT):
        window = pages[start : start + PAGES_IN_FLIGHT]
        fetched = await gather([partial(read_page, p) for p in window], limit=PAGES_IN_FLIGHT)
        for page in fetched:
            for item in page.results:
                if item.id not in seen:
                    seen.add(item.id)
                    yield item


async def answer_or_none(call: Call, method: str, path: str, **request: Any) -> Answered | None:
    """The answer to one request, or None when the API answers 404 (the resource is absent)."""
    try:
        return await call(method, path, **request)
    except NotFound:
        return None


async def many_by_key(
    get_by_key: Callable[[str], Awaitable[Found | None]],
    keys: Collection[str],
    concurrency: int,
) -> dict[str, Found]:
    """The resources of ``keys`` that exist, by key, read concurrently (for a few keys; the
    paged read is cheaper for many)."""
    unique = sorted(set(keys))
    found = await gather([partial(get_by_key, k) for k in unique], limit=concurrency)
    return {k: item for k, item in zip(unique, found, strict=True) if item is not None}
