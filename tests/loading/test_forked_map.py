"""forked_map gives exactly the plain loop's results, errors and warnings, in order."""

from __future__ import annotations

import os
import pickle
import threading
import warnings
from pathlib import Path

import pytest
from tests.fresh_python import python_json

from connect_gitops.forked_map import ForkedMap, forked_map


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


# A process forks only while it runs one thread, and the test session serves its emulator from
# a thread: what needs a real child runs in a fresh interpreter.
IN_TWO_PROCESSES = """
    import json, os, time, warnings
    from connect_gitops.forked_map import ForkedMap, forked_map

    def square(value):
        return value, value * value

    def fails_late(value):
        if value == 990:
            raise ValueError(f"bad item {value}")
        return value

    def warns_late(value):
        if value == 995:
            warnings.warn("item 995 looks odd", UserWarning, stacklevel=1)
        return value

    def pid_of(value):
        time.sleep(0.002)  # long enough that neither process can do every item alone
        return os.getpid()

    items = list(range(1_000))
    report = {}

    early = ForkedMap(square, items)
    time.sleep(0.2)  # the child works alone meanwhile
    report["forked"] = early.forked
    report["late_join_equal"] = early.results() == [square(i) for i in items]

    workers = set(forked_map(pid_of, items[:300], min_items=10))
    report["two_processes"] = len(workers) == 2 and os.getpid() in workers

    try:
        forked_map(fails_late, items, min_items=10)
    except ValueError as error:
        report["raised"] = str(error)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report["warned_equal"] = forked_map(warns_late, items, min_items=10) == items
    report["warnings"] = [str(w.message) for w in caught]

    unwanted = ForkedMap(square, items)
    pid = unwanted._pid
    unwanted.close()
    try:
        os.waitpid(pid, os.WNOHANG)
        report["reaped"] = False
    except ChildProcessError:
        report["reaped"] = True
    print(json.dumps(report))
"""


def test_two_processes_share_the_work_and_this_one_reports(tmp_path: Path) -> None:
    assert python_json(IN_TWO_PROCESSES, cwd=tmp_path) == {
        "forked": True,
        "late_join_equal": True,
        "two_processes": True,
        "raised": "bad item 990",
        "warned_equal": True,
        "warnings": ["item 995 looks odd"],
        "reaped": True,
    }


def test_nothing_is_forked_while_other_threads_run() -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        mapped = ForkedMap(_square, list(range(1_000)), min_items=10)
    finally:
        release.set()
        other.join()

    assert not mapped.forked
    assert mapped.results() == [_square(i) for i in range(1_000)]


def test_a_batch_cut_short_ends_the_results() -> None:
    from connect_gitops.forked_map import _LENGTH, _batches

    first = pickle.dumps({0: "a", 1: "b"})
    second = pickle.dumps({2: "c"})
    data = _LENGTH.pack(len(first)) + first + _LENGTH.pack(len(second)) + second

    assert list(_batches(data)) == [{0: "a", 1: "b"}, {2: "c"}]
    assert list(_batches(data[:-1])) == [{0: "a", 1: "b"}]  # the child died writing
    assert list(_batches(data[: len(first) + 4])) == []
