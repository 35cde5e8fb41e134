"""The running emulator: state, its file, the request journal, fault dice and repositories.

One instance per app. Handlers change `state` and call `commit()`, which persists the state
before the response leaves, so a process that exits right after a response loses nothing.
With a state file, each request first takes the file's lock and `refresh()` reads the file again
when another process wrote it, so processes sharing the file never overwrite each other.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path

from connect_gitops.emulator import deployment_lifecycle, lifecycle
from connect_gitops.emulator.context import Context
from connect_gitops.emulator.errors import JsonObject
from connect_gitops.emulator.faults import Dice
from connect_gitops.emulator.file_lock import FileLock
from connect_gitops.emulator.repos import Repositories
from connect_gitops.emulator.store import Project, State, StateFile

JOURNAL_LIMIT = 100_000


class Emulator:
    def __init__(self, state_file: Path | None = None) -> None:
        self.state_file = StateFile(state_file) if state_file is not None else None
        self.state_lock = (
            FileLock(state_file.with_name(f".{state_file.name}.lock"))
            if state_file is not None
            else None
        )
        self.state = self.state_file.load() if self.state_file is not None else State()
        self.journal: deque[JsonObject] = deque(maxlen=JOURNAL_LIMIT)
        self.dice = Dice(self.state.faults)
        self.repositories = Repositories(self.state.settings.gitTimeoutSeconds)

    def context(self) -> Context:
        return Context(self.state.settings, self.repositories, time.time())

    def replace(self, state: State) -> None:
        """Load a whole new state (reset, PUT state)."""
        self.state = state
        self.dice.configure(state.faults)
        self.repositories = Repositories(state.settings.gitTimeoutSeconds)
        self.commit()

    def catch_up(self, name: str) -> Project:
        """The project, with every preview, publish and build step that is due applied."""
        project = self.state.project(name)
        context = self.context()
        moved = lifecycle.advance_all(project, context)
        if deployment_lifecycle.advance_all(project, context) or moved:
            self.commit()
        return project

    def failing_application(self, applications: list[str]) -> str | None:
        """Whether the build being queued fails (faults), and then which application."""
        faults = self.state.faults
        fails = faults.failAllBuilds or faults.failNextBuilds > 0
        if faults.failNextBuilds > 0 and not faults.failAllBuilds:
            self.state.faults = faults.model_copy(
                update={"failNextBuilds": faults.failNextBuilds - 1}
            )
            self.dice.faults = self.state.faults
        if not fails and faults.buildFailureRate > 0:
            fails = self.dice.chance(faults.buildFailureRate)
        if not fails or not applications:
            return None
        chosen = faults.failingApplication
        return chosen if chosen in applications else applications[0]

    def refresh(self) -> None:
        """Take the state another process saved since this one last read or wrote the file."""
        if self.state_file is None or not self.state_file.changed():
            return
        state = self.state_file.load()
        if state.faults != self.state.faults:
            self.dice.configure(state.faults)
        if state.settings.gitTimeoutSeconds != self.state.settings.gitTimeoutSeconds:
            self.repositories = Repositories(state.settings.gitTimeoutSeconds)
        self.state = state

    def commit(self) -> None:
        if self.state_file is not None:
            self.state_file.save(self.state)
