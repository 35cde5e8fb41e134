"""Which pages the client asks for: offsets never beyond 10000, every item reachable."""

from __future__ import annotations

import pytest

from connect_gitops.client import paging
from connect_gitops.client.paging import (
    ASCENDING,
    TRICK_ASCENDING,
    TRICK_DESCENDING,
    PageRequest,
    remaining_pages,
)


@pytest.mark.parametrize(
    ("total", "offsets"),
    [(0, []), (1, []), (500, []), (501, [500]), (1000, [500]), (1001, [500, 1000])],
)
def test_small_projects_page_forward(total: int, offsets: list[int]) -> None:
    assert remaining_pages(total) == [PageRequest(o, ASCENDING) for o in offsets]


def test_10500_items_still_fit_one_direction() -> None:
    pages = remaining_pages(10_500)
    assert pages[-1] == PageRequest(10_000, ASCENDING)
    assert len(pages) == 20


def test_beyond_10500_items_the_sort_trick_reads_from_both_ends() -> None:
    pages = remaining_pages(10_501)
    ascending = [p.offset for p in pages if p.sort == TRICK_ASCENDING]
    descending = [p.offset for p in pages if p.sort == TRICK_DESCENDING]
    assert ascending == list(range(0, 10_001, 500))
    assert descending == [0]


def test_the_trick_covers_every_position_exactly_up_to_its_limit() -> None:
    total = paging.reachable()
    assert total == 21_000
    pages = remaining_pages(total)
    covered: set[int] = set()
    for page in pages:
        assert page.offset <= 10_000
        for i in range(page.offset, min(page.offset + 500, total)):
            covered.add(i if page.sort == TRICK_ASCENDING else total - 1 - i)
    assert covered == set(range(total))
    with pytest.raises(ValueError, match="21001 connectors exceed the 21000 reachable"):
        remaining_pages(total + 1)


def test_query_parameters_repeat_sort() -> None:
    assert PageRequest(500, TRICK_DESCENDING).params(500) == (
        ("limit", "500"),
        ("offset", "500"),
        ("sort", "createdAt desc"),
        ("sort", "key desc"),
    )
