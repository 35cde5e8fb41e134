"""Talking to the API does not look for missing modules again on every request.

A library that tries an optional import on every call pays a full search of the import path
each time it fails (about 0.1 ms): httpcore asks for sniffio on every lock it takes, some
2,000 times in an apply of 200 connectors. The finder below sits last on ``sys.meta_path``,
so it is asked only about modules that no other finder has found.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from types import ModuleType

import anyio
import pytest

from connect_gitops.client.api import ConnectClient
from tests.support.emulator import PROJECT


class _MissingModules:
    """A meta path finder that records every module no other finder found."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        self.asked.append(fullname)


@pytest.fixture
def missing_modules() -> Iterator[_MissingModules]:
    finder = _MissingModules()
    sys.meta_path.append(finder)
    try:
        yield finder
    finally:
        sys.meta_path.remove(finder)


async def _session(url: str, updates: int) -> str:
    """A client that creates a connector, updates it ``updates`` times and reads them all."""
    async with ConnectClient(
        api_url=url,
        auth_url=url,
        project_key=PROJECT,
        client_id="failed-imports",
        client_secret="failed-imports-secret",
        scopes=["manage_connectors"],
    ) as client:
        created = await client.create(
            {
                "key": f"no-failed-imports-{updates}",
                "name": "Edition 0",
                "creator": {"email": "team@example.com"},
                "repository": {"url": "git@github.com:example/c.git", "tag": "v1.0.0"},
            }
        )
        current = created
        for edition in range(1, updates + 1):
            current = await client.update(
                current.id, current.version, [{"action": "setName", "name": f"Edition {edition}"}]
            )
        await client.query_all()
        return current.name or ""


def test_missing_modules_are_not_looked_up_again_on_every_request(
    emulator_url: str, missing_modules: _MissingModules
) -> None:
    anyio.run(_session, emulator_url, 1)  # the first client imports what it imports lazily
    missing_modules.asked.clear()
    assert anyio.run(_session, emulator_url, 2) == "Edition 2"
    few = Counter(missing_modules.asked)

    missing_modules.asked.clear()
    assert anyio.run(_session, emulator_url, 30) == "Edition 30"
    many = Counter(missing_modules.asked)

    assert many == few  # what an optional import costs, it costs once per client
