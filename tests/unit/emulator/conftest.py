"""The `emu` fixture: one test body, run over a real socket and in-process."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from tests.support.emulator_contract import Emu

# Building an SSL context costs tens of milliseconds; every client shares this one.
TLS = ssl.create_default_context()


@pytest.fixture(params=["socket", "inprocess"])
async def emu(request: pytest.FixtureRequest) -> AsyncIterator[Emu]:
    """The same emulator contract, over uvicorn on a free port and through ASGITransport."""
    if request.param == "socket":
        url: str = request.getfixturevalue("emulator_url")
        client = httpx.AsyncClient(base_url=url, timeout=10, verify=TLS)
    else:
        app: Starlette = request.getfixturevalue("emulator_app")
        transport = httpx.ASGITransport(app=app)
        client = httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1", timeout=10, verify=TLS
        )
    async with client:
        emu = Emu(client, request.param)
        await emu.login()
        yield emu
