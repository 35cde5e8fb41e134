"""The wait loop's schedule and timeout, on a fake clock: no real sleeping."""

from __future__ import annotations

import io

import anyio
import pytest

from connect_gitops.apply.waiting import BACKOFF, Backoff, Waited, wait_until
from connect_gitops.reporting.progress import PlainProgress, format_elapsed


class FakeClock:
    """Time that only moves when someone sleeps; records every pause."""

    def __init__(self) -> None:
        self.time = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.time += seconds


def poll_times(clock: FakeClock) -> list[float]:
    times, total = [], 0.0
    for pause in clock.sleeps:
        total += pause
        times.append(round(total, 3))
    return times


def run_wait(
    settle_at: float, timeout: float, backoff: Backoff = BACKOFF
) -> tuple[Waited[str], FakeClock, list[tuple[str, float]]]:
    """Wait for a state that turns "done" at ``settle_at`` seconds; return what happened."""
    clock = FakeClock()
    polls: list[tuple[str, float]] = []

    async def read() -> str:
        return "done" if clock.time >= settle_at else "pending"

    async def main() -> Waited[str]:
        return await wait_until(
            read,
            lambda state: state == "done",
            current="pending",
            timeout=timeout,
            clock=clock,
            backoff=backoff,
            on_poll=lambda state, elapsed: polls.append((state, round(elapsed, 3))),
        )

    return anyio.run(main), clock, polls


def test_first_polls_come_fast_and_then_grow_by_forty_percent() -> None:
    waited, clock, _ = run_wait(settle_at=10_000, timeout=200)
    assert poll_times(clock)[:8] == [1.0, 1.5, 2.1, 2.94, 4.116, 5.762, 8.067, 11.294]
    assert clock.sleeps[:4] == [1.0, 0.5, 0.6, 0.84]
    assert waited.timed_out


def test_pause_between_reads_is_capped_at_thirty_seconds() -> None:
    _, clock, _ = run_wait(settle_at=10_000, timeout=600)
    assert max(clock.sleeps) == 30.0
    # once the cap is reached, every pause is the cap (but the last one, cut at the deadline)
    capped = clock.sleeps[clock.sleeps.index(30.0) : -1]
    assert set(capped) == {30.0}
    # a ten-minute wait costs a few dozen reads, not hundreds
    assert len(clock.sleeps) == 32


@pytest.mark.parametrize("delay", [0.2, 0.5, 1.0, 1.01, 1.6, 2.2, 3.0, 7.7, 45.0, 100.0, 500.0])
def test_outcome_is_noticed_within_the_design_budget(delay: float) -> None:
    waited, _, _ = run_wait(settle_at=delay, timeout=1800)
    assert not waited.timed_out
    assert waited.value == "done"
    assert waited.elapsed <= max(1.5 * delay, 2.0) / 1.05  # with room for request latency


def test_stops_at_the_timeout_with_a_final_read_at_the_deadline() -> None:
    waited, clock, polls = run_wait(settle_at=10_000, timeout=5.0)
    assert waited.timed_out
    assert waited.value == "pending"
    assert waited.elapsed == pytest.approx(5.0)
    assert poll_times(clock) == [1.0, 1.5, 2.1, 2.94, 4.116, 5.0]
    assert polls[-1] == ("pending", 5.0)


def test_an_outcome_read_exactly_at_the_deadline_still_counts() -> None:
    waited, _, _ = run_wait(settle_at=5.0, timeout=5.0)
    assert not waited.timed_out
    assert waited.value == "done"


def test_an_already_settled_state_is_not_read_again() -> None:
    clock = FakeClock()
    reads = 0

    async def read() -> str:
        nonlocal reads
        reads += 1
        return "done"

    async def main() -> Waited[str]:
        return await wait_until(
            read, lambda s: s == "done", current="done", timeout=10, clock=clock
        )

    waited = anyio.run(main)
    assert (waited.value, waited.timed_out, reads, clock.sleeps) == ("done", False, 0, [])


def test_backoff_delay_is_a_function_of_the_time_waited() -> None:
    backoff = Backoff()
    assert backoff.delay(0.0) == 1.0
    assert backoff.delay(0.25) == 0.75
    assert backoff.delay(1.0) == 0.5
    assert backoff.delay(10.0) == pytest.approx(4.0)
    assert backoff.delay(1000.0) == 30.0


def test_format_elapsed() -> None:
    assert [format_elapsed(s) for s in (0, 42.9, 60, 125, 1800, 3780)] == [
        "0s",
        "42s",
        "1m",
        "2m05s",
        "30m",
        "1h03m",
    ]


def test_plain_progress_prints_state_changes_and_a_heartbeat_a_minute() -> None:
    now = [0.0]
    stream = io.StringIO()
    progress = PlainProgress(stream, clock=lambda: now[0])
    progress.started("eu", "payment-connector", "preview")
    for second in range(0, 181, 10):
        now[0] = float(second)
        progress.changed("eu", "payment-connector", "preview", "pending")
    now[0] = 185.0
    progress.changed("eu", "payment-connector", "preview", "true")
    progress.finished("eu", "payment-connector", "preview", "succeeded", ok=True)
    assert stream.getvalue().splitlines() == [
        "eu/payment-connector: waiting for preview",
        "waiting for preview of payment-connector: pending (0s elapsed)",
        "waiting for preview of payment-connector: pending (1m elapsed)",
        "waiting for preview of payment-connector: pending (2m elapsed)",
        "waiting for preview of payment-connector: pending (3m elapsed)",
        "waiting for preview of payment-connector: true (3m05s elapsed)",
        "eu/payment-connector: preview: succeeded after 3m05s",
    ]
