"""What every operation needs besides the resource itself: settings, repositories and the time."""

from __future__ import annotations

from dataclasses import dataclass

from connect_gitops.emulator.repos import Repositories, RepositoryCheck, checked_specification
from connect_gitops.emulator.settings import Settings


@dataclass(frozen=True)
class Context:
    settings: Settings
    repositories: Repositories
    now: float

    def check_repository(self, url: str, tag: str) -> RepositoryCheck:
        """What Connect finds at the tag: the `connectYaml` setting's text for the repository
        (for that tag, else for every tag) when given, else what git can read locally."""
        given = self.settings.connectYaml
        text = given.get(f"{url}#{tag}", given.get(url))
        if text is None:
            return self.repositories.check(url, tag)
        return checked_specification(text)
