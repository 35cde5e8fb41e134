"""Fault injection: one seeded generator decides, request by request, what goes wrong.

The draws per request depend only on the request's kind (read, create, update) and the order of
requests, so the same seed and the same request sequence fail the same way again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import httpx

from connect_gitops.emulator.settings import Faults


class DroppedConnection(httpx.RemoteProtocolError):
    """Raised by the app to abort a response mid-way.

    Over a socket uvicorn closes the connection after the headers, and the client sees
    `httpx.RemoteProtocolError` (incomplete body). In-process, `httpx.ASGITransport` re-raises
    this very exception, which is a `RemoteProtocolError` too: a client cannot tell the modes apart.
    """

    def __init__(self) -> None:
        super().__init__("emulator fault: connection dropped without a complete response")


@dataclass(frozen=True)
class Decision:
    """What happens to one request; `ambiguous` is "500", "drop" or None."""

    rate_limited: bool = False
    drop: bool = False
    error_status: int | None = None
    ambiguous: str | None = None
    conflict: bool = False


NO_FAULT = Decision()


class Dice:
    """The fault configuration, its generator and the request counter of `rateLimitEvery`."""

    def __init__(self, faults: Faults) -> None:
        self.configure(faults)

    def configure(self, faults: Faults) -> None:
        self.faults = faults
        self.random = random.Random(faults.seed)
        self.count = 0

    def chance(self, rate: float) -> bool:
        """One more draw from the same generator (a build's failure rate)."""
        return self.random.random() < rate

    def roll(self, *, write: bool, update: bool) -> Decision:
        faults = self.faults
        self.count += 1
        rate_limited = faults.rateLimitEvery > 0 and self.count % faults.rateLimitEvery == 0
        drop = self.random.random() < faults.dropRate
        error = self.random.random() < faults.errorRate
        status = faults.errorStatuses[self.random.randrange(len(faults.errorStatuses))]
        ambiguous: str | None = None
        if write:
            chosen = self.random.random() < faults.ambiguousRate
            mode = "500" if self.random.random() < 0.5 else "drop"
            ambiguous = mode if chosen else None
        conflict = update and self.random.random() < faults.conflictRate
        return Decision(rate_limited, drop, status if error else None, ambiguous, conflict)
