"""Fixtures shared by every test folder: the Connect API emulator, served and in-process."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette

from connect_gitops.client.transport import RequestRecord
from connect_gitops.emulator.app import create_app
from connect_gitops.emulator.server import running_emulator
from tests.support.fake_api import FakeSleep

# Tests commit to real git repositories; a fresh CI machine has no git identity configured.
for _name, _value in (
    ("GIT_AUTHOR_NAME", "connect-gitops tests"),
    ("GIT_AUTHOR_EMAIL", "tests@connect-gitops.invalid"),
    ("GIT_COMMITTER_NAME", "connect-gitops tests"),
    ("GIT_COMMITTER_EMAIL", "tests@connect-gitops.invalid"),
):
    os.environ.setdefault(_name, _value)


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[str]:
    """One uvicorn-served emulator on a free loopback port for the whole session; its base URL."""
    with running_emulator() as url:
        yield url


@pytest.fixture
def emulator_url(emulator_server: str) -> str:
    """The session emulator, reset (no connectors, tokens, faults, settings or journal)."""
    reset = urllib.request.Request(f"{emulator_server}/_emulator/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=10) as response:
        assert response.status == 200
    return emulator_server


@pytest.fixture
def anyio_backend() -> str:
    """The event loop of every async test (anyio's pytest plugin asks for it)."""
    return "asyncio"


@pytest.fixture
def sleep() -> FakeSleep:
    """A retry policy's sleep that records the waits instead of sleeping."""
    return FakeSleep()


@pytest.fixture
def records() -> list[RequestRecord]:
    """A client's request log (``request_log=records.append``)."""
    return []


@pytest.fixture
def emulator_app() -> Starlette:
    """A fresh in-process emulator app, for `httpx.ASGITransport`."""
    return create_app()
