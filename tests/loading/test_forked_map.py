"""forked_map gives exactly the plain loop's results, errors and warnings, in order."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from connect_gitops.forked_map import forked_map


def _square(value: int) -> tuple[int, int]:
    return value, value * value


def test_many_items_give_the_plain_loops_results_in_order() -> None:
    items = list(range(5_000))
    assert forked_map(_square, items, min_items=10) == [_square(i) for i in items]


def test_few_items_run_in_this_process() -> None:
    assert forked_map(lambda _: os.getpid(), [1, 2, 3]) == [os.getpid()] * 3


def _fails_at_7(value: int) -> int:
    if value in (7, 900):
        raise ValueError(f"bad item {value}")
    return value


def test_the_first_failing_item_raises_here() -> None:
    with pytest.raises(ValueError, match="bad item 7"):
        forked_map(_fails_at_7, list(range(1_000)), min_items=10)


def _fails_late(value: int) -> int:
    if value == 990:
        raise ValueError(f"bad item {value}")
    return value


def test_an_item_the_child_failed_is_raised_from_this_process() -> None:
    with pytest.raises(ValueError, match="bad item 990"):
        forked_map(_fails_late, list(range(1_000)), min_items=10)


def _warns(value: int) -> int:
    if value == 999:
        warnings.warn("item 999 looks odd", UserWarning, stacklevel=1)
    return value


def test_warnings_are_emitted_by_this_process() -> None:
    with pytest.warns(UserWarning, match="item 999 looks odd"):
        assert forked_map(_warns, list(range(1_000)), min_items=10) == list(range(1_000))


def test_reading_files_in_two_processes(tmp_path: Path) -> None:
    paths = []
    for index in range(300):
        path = tmp_path / f"{index}.txt"
        path.write_text(f"file {index}\n")
        paths.append(path)
    assert forked_map(Path.read_text, paths) == [f"file {i}\n" for i in range(300)]
