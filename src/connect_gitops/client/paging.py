"""Which pages to request to read every ConnectorStaged: pure arithmetic, tested on its own.

The API pages with ``limit`` (at most 500) and ``offset`` (at most 10000). Up to 10,500
connectors are read in ascending creation order; beyond that the rest are read from the other
end in descending order (the "sort trick"), and the overlap is removed by id. The key is a
secondary sort field there so that equal creation times still give one strict order, the
condition for the two halves to meet exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_LIMIT = 500
MAX_OFFSET = 10_000
ASCENDING = ("createdAt asc",)
TRICK_ASCENDING = ("createdAt asc", "key asc")
TRICK_DESCENDING = ("createdAt desc", "key desc")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page: its offset and the sort that offset refers to."""

    offset: int
    sort: tuple[str, ...]

    def params(self, limit: int) -> tuple[tuple[str, str], ...]:
        """Query parameters, ``sort`` repeated as the API expects."""
        sorts = tuple(("sort", s) for s in self.sort)
        return (("limit", str(limit)), ("offset", str(self.offset)), *sorts)


def reachable(limit: int = PAGE_LIMIT, max_offset: int = MAX_OFFSET) -> int:
    """How many connectors paging can reach at all (both directions)."""
    return 2 * (max_offset + limit)


FIRST_PAGE = PageRequest(0, ASCENDING)


def needs_trick(total: int, *, limit: int = PAGE_LIMIT, max_offset: int = MAX_OFFSET) -> bool:
    """True when one direction of paging cannot reach every item."""
    return total > max_offset + limit


def remaining_pages(
    total: int, *, limit: int = PAGE_LIMIT, max_offset: int = MAX_OFFSET
) -> list[PageRequest]:
    """The pages still to read after FIRST_PAGE told us the ``total``.

    With the sort trick the list starts again at offset 0, because the first page was read in
    the plain order (a secondary sort field is only sent where it is needed). Raises ValueError
    when even the trick cannot reach every item.
    """
    if total > reachable(limit, max_offset):
        raise ValueError(f"{total} connectors exceed the {reachable(limit, max_offset)} reachable")
    if not needs_trick(total, limit=limit, max_offset=max_offset):
        return [PageRequest(o, ASCENDING) for o in range(limit, total, limit)]
    pages = [PageRequest(o, TRICK_ASCENDING) for o in range(0, max_offset + 1, limit)]
    pages.extend(
        PageRequest(o, TRICK_DESCENDING) for o in range(0, total - (max_offset + limit), limit)
    )
    return pages
