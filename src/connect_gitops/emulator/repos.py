"""What Connect would find at a connector's repository tag, decided without any network.

A repository is reachable when its URL is a local path, a file:// URL, or a URL that one of
git's own `url.<base>.insteadOf` rules (global, system, repository or GIT_CONFIG_COUNT
environment configuration) rewrites to one. Anything else (github.com) is accepted as valid with
empty configurations: this machine, and most test machines, must never reach out to GitHub.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import git
from connect_gitops.emulator import connect_yaml
from connect_gitops.emulator.connect_yaml import Specification
from connect_gitops.emulator.errors import JsonObject

NOT_REACHABLE = "Git repository not reachable"
TAG_NOT_FOUND = "Git repository tag not found"
FILE_NOT_FOUND = "Connector specification file not found"
FILE_NOT_VALID = "Connector specification file not valid"
SPEC_FILE = "connect.yaml"
_CONFIG_ENV = (
    "HOME",
    "XDG_CONFIG_HOME",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_SYSTEM",
    "GIT_CONFIG_NOSYSTEM",
)


@dataclass(frozen=True)
class Problem:
    """One Error entry of a preview or publishing report."""

    title: str
    message: str
    code: str


@dataclass(frozen=True)
class RepositoryCheck:
    """The outcome of reading connect.yaml at a tag; `problems` empty means valid."""

    reachable: bool
    specification: Specification = field(default_factory=lambda: Specification([]))
    problems: tuple[Problem, ...] = ()

    def apply_to(self, connector: JsonObject) -> None:
        """Set the fields Connect derives from connect.yaml at the repository tag."""
        spec = self.specification
        connector["configurations"] = spec.configurations
        for name, value in (
            ("globalConfiguration", spec.global_configuration),
            ("apiClient", spec.api_client),
        ):
            if value is None:
                connector.pop(name, None)
            else:
                connector[name] = value


UNREACHABLE = RepositoryCheck(reachable=False)


def _git_env() -> dict[str, str]:
    return {**os.environ, "GIT_TERMINAL_PROMPT": "0"}


def _env_fingerprint() -> tuple[str | None, ...]:
    count = os.environ.get("GIT_CONFIG_COUNT", "")
    numbered = [
        os.environ.get(f"GIT_CONFIG_{kind}_{index}")
        for index in range(int(count) if count.isdigit() else 0)
        for kind in ("KEY", "VALUE")
    ]
    return (os.getcwd(), count, *(os.environ.get(name) for name in _CONFIG_ENV), *numbered)


def local_path(url: str) -> Path | None:
    """The filesystem path of a local repository URL, or None for a remote one."""
    if url.startswith("file://"):
        return Path(unquote(urlparse(url).path))
    if url.startswith("/") or url.startswith("./") or url.startswith("../"):
        return Path(url)
    return None


class Repositories:
    """Reads repositories through git with timeouts; caches results per (location, tag)."""

    def __init__(self, timeout_seconds: float = 10.0) -> None:
        self.timeout_seconds = timeout_seconds
        self._rules: tuple[tuple[str | None, ...], list[tuple[str, str]]] | None = None
        self._cache: dict[tuple[str, str], RepositoryCheck] = {}

    def insteadof_rules(self) -> list[tuple[str, str]]:
        """(prefix, base) pairs of git's configuration, re-read when the environment changes."""
        fingerprint = _env_fingerprint()
        if self._rules is not None and self._rules[0] == fingerprint:
            return self._rules[1]
        try:
            completed = subprocess.run(
                ["git", "config", "-z", "--get-regexp", r"^url\..*\.insteadof$"],
                capture_output=True,
                text=True,
                timeout=self.timeout_seconds,
                env=_git_env(),
                check=False,
            )
            output = completed.stdout if completed.returncode == 0 else ""
        except (OSError, subprocess.SubprocessError):
            output = ""
        rules: list[tuple[str, str]] = []
        for record in filter(None, output.split("\0")):
            name, _, prefix = record.partition("\n")
            base = name[len("url.") : -len(".insteadof")]
            rules.append((prefix, base))
        self._rules = (fingerprint, rules)
        return rules

    def rewrite(self, url: str) -> str:
        """The URL git would fetch: the longest matching insteadOf prefix wins."""
        best: tuple[str, str] | None = None
        for prefix, base in self.insteadof_rules():
            if url.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
                best = (prefix, base)
        return url if best is None else best[1] + url[len(best[0]) :]

    def check(self, url: str, tag: str) -> RepositoryCheck:
        """Read connect.yaml at the tag, or UNREACHABLE when git cannot reach the URL locally."""
        path = local_path(self.rewrite(url))
        if path is None:
            return UNREACHABLE
        cache_key = (str(path), tag)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        result = self._read(path, url, tag)
        if not any(p.title in (NOT_REACHABLE, TAG_NOT_FOUND) for p in result.problems):
            self._cache[cache_key] = result
        return result

    def _read(self, path: Path, url: str, tag: str) -> RepositoryCheck:
        runner = git.Git(str(path)) if path.is_dir() else None
        if runner is None:
            return _failed(
                NOT_REACHABLE, f"Repository {url} cannot be reached.", "GitRepositoryNotReachable"
            )
        runner.update_environment(GIT_TERMINAL_PROMPT="0")
        timeout = self.timeout_seconds
        try:
            runner.rev_parse(
                "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}", kill_after_timeout=timeout
            )
        except git.GitCommandError as exc:
            if "not a git repository" in str(exc.stderr).lower():
                return _failed(
                    NOT_REACHABLE,
                    f"Repository {url} cannot be reached.",
                    "GitRepositoryNotReachable",
                )
            return _failed(
                TAG_NOT_FOUND, f"Tag {tag} was not found in {url}.", "GitRepositoryNotReachable"
            )
        try:
            text = runner.show(
                f"refs/tags/{tag}:{SPEC_FILE}",
                kill_after_timeout=timeout,
                strip_newline_in_stdout=False,
            )
        except git.GitCommandError:
            return _failed(
                FILE_NOT_FOUND,
                f"{SPEC_FILE} was not found at tag {tag} of {url}.",
                "ConnectorSpecificationFileNotFound",
            )
        return checked_specification(text)


def checked_specification(text: str) -> RepositoryCheck:
    """The check of a reachable repository whose connect.yaml reads ``text``."""
    parsed = connect_yaml.parse(text)
    if isinstance(parsed, list):
        problems = tuple(
            Problem(FILE_NOT_VALID, message, "ConnectorSpecificationFileNotValid")
            for message in parsed
        )
        return RepositoryCheck(reachable=True, problems=problems)
    return RepositoryCheck(reachable=True, specification=parsed)


def _failed(title: str, message: str, code: str) -> RepositoryCheck:
    return RepositoryCheck(reachable=True, problems=(Problem(title, message, code),))
