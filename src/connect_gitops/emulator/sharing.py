"""A state file shared by processes: every request runs under its lock, on its latest content.

Inside the fault middleware (latency is spent outside the lock). Without a state file this
middleware only passes requests on.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from connect_gitops.emulator.runtime import Emulator


class SharedStateFile:
    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lock = self.emulator.state_lock
        if scope["type"] != "http" or lock is None:
            await self.app(scope, receive, send)
            return
        async with lock.held():
            self.emulator.refresh()
            await self.app(scope, receive, send)
