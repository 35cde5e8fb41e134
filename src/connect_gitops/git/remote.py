"""Does each declared repository have its tag, with a valid connect.yaml? (``validate --remote``)

Connect itself only tells minutes later, in a preview or publish report. Each repository is
asked once (``git ls-remote``) for every tag declared for it; the tags that exist are fetched
alone, at depth 1, into a throw-away bare repository, and their connect.yaml is read and judged
by :mod:`connect_gitops.core.connect_spec`.

The URLs come from files in a pull request, so git is run defensively: only ``https://`` and
``git@host:path`` URLs, never anything git could read as an option or a remote helper
(``ext::`` runs commands), ``--`` before every URL and ref, no prompts, a timeout that kills
git's whole process group, and no credential in any message. Local and ``file://`` repositories
are reached only through the user's own ``url.<base>.insteadOf`` rewrites, which git applies.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent

import git
from connect_gitops.core import rules
from connect_gitops.core.connect_spec import (
    ConnectApplication,
    applications,
    validate_connect_spec,
)
from connect_gitops.core.declarations import DeclaredConnector
from connect_gitops.core.problems import Problem
from connect_gitops.core.redaction import Secrets

SPEC_FILE = "connect.yaml"
MAX_SPEC_BYTES = 1024 * 1024
BATCH_MODE = "-o BatchMode=yes"
DEFAULT_SSH_COMMAND = f"ssh {BATCH_MODE}"

_URL_CREDENTIALS = Secrets()
"""No secret known here: it hides the credentials of URLs."""
# Whole-value checks use fullmatch: "$" also matches before a final newline.
_SCP_URL = re.compile(r"[A-Za-z0-9._-]+@[A-Za-z0-9][A-Za-z0-9.-]*:[^\s]+")
_HTTPS_URL = re.compile(r"https://[^\s/]+/[^\s]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MAX_STDERR_LINE = 300


class RemoteCheck(NamedTuple):
    """A repository URL and tag, exactly as a declaration gives them."""

    url: str
    tag: str


@dataclass(frozen=True, slots=True)
class RemoteResult:
    """The outcome for one (url, tag): its applications, or why it failed."""

    url: str
    """The URL with any credential redacted, for messages."""
    tag: str
    error: str | None = None
    applications: tuple[ConnectApplication, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


class _GitFailed(Exception):
    """A git call failed; the message is safe to show (credentials redacted)."""


def check_remotes(
    requests: Sequence[RemoteCheck], *, timeout: float = 60, concurrency: int = 4
) -> dict[tuple[str, str], RemoteResult]:
    """Check every distinct (url, tag); each repository is contacted once for all its tags.

    ``timeout`` bounds every single git call, in seconds. Repositories are checked concurrently,
    at most ``concurrency`` at a time. A failure is a result, never an exception, so one bad
    repository does not hide the others.
    """
    env = git_environment()
    tags_by_url: dict[str, list[str]] = {}
    for url, tag in requests:
        tags = tags_by_url.setdefault(url, [])
        if tag not in tags:
            tags.append(tag)
    results: dict[tuple[str, str], RemoteResult] = {}
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for url, outcome in zip(
            tags_by_url,
            pool.map(
                lambda url: _check_repository(url, tags_by_url[url], timeout, env), tags_by_url
            ),
            strict=True,
        ):
            for tag, result in outcome.items():
                results[(url, tag)] = result
    return results


def remote_problems(
    declarations: Sequence[DeclaredConnector], *, timeout: float = 60.0
) -> list[Problem]:
    """``--remote``: each declared repository's tag and connect.yaml, checked with git.

    Each (url, tag) is checked once, concurrently; a failure becomes a problem at the
    declaration that names that repository, so it reads like any other validation error.
    """
    wanted = [(d, d.declaration.repository) for d in declarations if d.declaration.repository]
    checks = sorted({RemoteCheck(repository.url, repository.tag) for _, repository in wanted})
    if not checks:
        return []
    results = check_remotes(checks, timeout=timeout)
    problems: list[Problem] = []
    for item, repository in wanted:
        result = results.get((repository.url, repository.tag))
        if result is not None and result.error is not None:
            problems.append(Problem(item.file, item.line, 1, "repository", result.error))
    return sorted(problems)


def display_url(url: str) -> str:
    """The URL as messages show it: credentials redacted, control characters escaped.

    Escaping keeps a hostile URL from forging lines in logs or GitHub annotations.
    """
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], _URL_CREDENTIALS.redact(url))


def url_refusal(url: str) -> str | None:
    """Why connect-gitops refuses to hand this declared URL to git, or None when it is safe."""
    shown = _URL_CREDENTIALS.redact(url)
    if url.startswith("-"):
        return f"refusing repository URL {shown!r}: it starts with '-' and git would read an option"
    if "::" in url:
        return (
            f"refusing repository URL {shown!r}: '::' selects a git remote helper, "
            "which can run commands"
        )
    if _CONTROL.search(url) or not (_HTTPS_URL.fullmatch(url) or _SCP_URL.fullmatch(url)):
        return (
            f"refusing repository URL {shown!r}: only https://HOST/PATH and git@HOST:PATH "
            "URLs are allowed"
        )
    return None


def _check_repository(
    url: str, tags: Sequence[str], timeout: float, env: Mapping[str, str]
) -> dict[str, RemoteResult]:
    shown = display_url(url)

    def failed(tag: str, message: str) -> RemoteResult:
        return RemoteResult(url=shown, tag=tag, error=message)

    refusal = url_refusal(url)
    if refusal is not None:
        return {tag: failed(tag, refusal) for tag in tags}
    results: dict[str, RemoteResult] = {}
    wanted: list[str] = []
    for tag in tags:
        try:
            wanted.append(rules.check_tag(tag))
        except ValueError as error:
            results[tag] = failed(tag, str(error))
    if not wanted:
        return results
    try:
        present = _tags_present(url, wanted, timeout, env)
    except _GitFailed as error:
        return results | {tag: failed(tag, str(error)) for tag in wanted}
    for tag in wanted:
        if tag not in present:
            results[tag] = failed(tag, f"tag {tag} not found in {shown}")
    found = [tag for tag in wanted if tag in present]
    if found:
        results |= _read_specs(url, found, timeout, env)
    return results


def _tags_present(
    url: str, tags: Sequence[str], timeout: float, env: Mapping[str, str]
) -> set[str]:
    listing = _run_git(
        ["ls-remote", "--tags", "--refs", "--", url, *(f"refs/tags/{tag}" for tag in tags)],
        url=url,
        timeout=timeout,
        env=env,
    )
    refs = {line.split("\t", 1)[1] for line in listing.splitlines() if "\t" in line}
    return {tag for tag in tags if f"refs/tags/{tag}" in refs}


def _read_specs(
    url: str, tags: Sequence[str], timeout: float, env: Mapping[str, str]
) -> dict[str, RemoteResult]:
    """Fetch only these tags, at depth 1, and judge the connect.yaml of each."""
    shown = _URL_CREDENTIALS.redact(url)
    with tempfile.TemporaryDirectory(prefix="connect-gitops-") as scratch:
        try:
            git.Repo.init(scratch, bare=True).close()
            _run_git(
                [
                    "-C",
                    scratch,
                    "fetch",
                    "--quiet",
                    "--no-tags",
                    "--depth",
                    "1",
                    "--",
                    url,
                    *(f"+refs/tags/{tag}:refs/tags/{tag}" for tag in tags),
                ],
                url=url,
                timeout=timeout,
                env=env,
            )
        except _GitFailed as error:
            return {tag: RemoteResult(url=shown, tag=tag, error=str(error)) for tag in tags}
        with git.Repo(scratch) as repo:
            return {tag: _judge_spec(repo, shown, tag) for tag in tags}


def _judge_spec(repo: git.Repo, shown: str, tag: str) -> RemoteResult:
    try:
        tree = repo.commit(f"refs/tags/{tag}").tree
        blob = tree / SPEC_FILE
    except KeyError:
        return RemoteResult(url=shown, tag=tag, error=f"{SPEC_FILE} not found at tag {tag}")
    except (ValueError, git.BadName, git.BadObject):
        return RemoteResult(url=shown, tag=tag, error=f"tag {tag} does not point to a commit")
    invalid = f"{SPEC_FILE} at tag {tag} is invalid"
    if blob.type != "blob":
        return RemoteResult(url=shown, tag=tag, error=f"{invalid}: it is not a file")
    if blob.size > MAX_SPEC_BYTES:
        return RemoteResult(url=shown, tag=tag, error=f"{invalid}: larger than 1 MiB")
    try:
        spec = parse_spec(blob.data_stream.read())
    except ValueError as error:
        return RemoteResult(url=shown, tag=tag, error=f"{invalid}: {error}")
    problems = validate_connect_spec(spec)
    if problems:
        details = "; ".join(f"{p.path}: {p.message}" if p.path else p.message for p in problems)
        return RemoteResult(url=shown, tag=tag, error=f"{invalid}: {details}")
    return RemoteResult(url=shown, tag=tag, applications=applications(spec))


def parse_spec(data: bytes) -> Any:
    """Parse connect.yaml safely: plain YAML only, no aliases, no custom tags, one document."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError("it is not UTF-8 text") from error
    yaml = YAML(typ="safe", pure=False)
    try:
        for event in yaml.parse(text):
            if isinstance(event, AliasEvent):
                mark = event.start_mark
                where = f"line {mark.line + 1}: " if mark is not None else ""
                raise ValueError(f"{where}aliases (*name) are not allowed")
        return yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ValueError(f"{where}{error.problem or error.context}") from error
    except YAMLError as error:
        raise ValueError(str(error).splitlines()[0]) from error


def git_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for git: the user's (credentials, ssh-agent, config) minus any prompt.

    ssh runs as the user set it up (``GIT_SSH_COMMAND``, ``GIT_SSH`` or ``core.sshCommand``,
    which is how a deploy key is usually given), in batch mode (:func:`ssh_command`).
    """
    env = dict(os.environ if environ is None else environ)
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_ASKPASS="",
        GCM_INTERACTIVE="never",
        LC_ALL="C",
    )
    command = ssh_command(env, configured_ssh_command(env))
    if command is not None:
        env["GIT_SSH_COMMAND"] = command
    return env


def configured_ssh_command(env: Mapping[str, str]) -> str | None:
    """``core.sshCommand`` as git sees it from the current folder (its repository's, the
    user's and the system's configuration), or None."""
    try:
        done = subprocess.run(
            ["git", "config", "--get", "core.sshCommand"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env={**env, "GIT_SSH_COMMAND": ""},
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else ""
    return value or None


def ssh_command(env: Mapping[str, str], configured: str | None) -> str | None:
    """The ``GIT_SSH_COMMAND`` git runs with: the user's own command, in the order git itself
    prefers them (``GIT_SSH_COMMAND``, ``GIT_SSH``, ``core.sshCommand``, else ``ssh``), with
    ``-o BatchMode=yes`` added for OpenSSH so a missing key fails at once instead of asking.

    On ssh's command line the first value of an option wins, so a ``BatchMode`` the user gave
    stays theirs, and their key (``-i``) and options are kept. ``core.sshCommand`` is passed on
    as ``GIT_SSH_COMMAND`` because a repository's own configuration (the checkout's, where a
    deploy-key step sets it) is not read where the tags are fetched (a scratch repository).
    ``GIT_SSH`` names a program that git runs as it is: None leaves it to git. Prompts cannot
    happen anyway: git runs without a terminal.
    """
    if env.get("GIT_SSH_COMMAND"):
        command = env["GIT_SSH_COMMAND"]
    elif env.get("GIT_SSH"):
        return None
    else:
        command = configured or "ssh"
    try:
        program = shlex.split(command)[0] if command.strip() else ""
    except ValueError:
        return command
    if os.path.basename(program) in ("ssh", "ssh.exe"):
        return f"{command} {BATCH_MODE}"
    return command


def _run_git(args: Sequence[str], *, url: str, timeout: float, env: Mapping[str, str]) -> str:
    """Run git without a terminal and return its stdout; a failure raises :class:`_GitFailed`."""
    command = ["git", "-c", "protocol.ext.allow=never", *args]
    shown = _URL_CREDENTIALS.redact(url)
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
    except OSError as error:
        raise _GitFailed(f"cannot run git: {error.strerror}") from error
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_process_group(process)
        raise _GitFailed(
            f"repository {shown} did not answer within {timeout:g} s (git {args[0]} stopped)"
        ) from None
    if process.returncode != 0:
        first = next(
            (line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line),
            f"git exited with status {process.returncode}",
        )
        detail = _URL_CREDENTIALS.redact(_CONTROL.sub("", first))[:_MAX_STDERR_LINE]
        raise _GitFailed(f"repository {shown} is not reachable: {detail}")
    return stdout.decode("utf-8", "replace")


def _kill_process_group(process: subprocess.Popen[bytes]) -> None:
    """Kill git and its helpers (ssh, git-remote-https): they share git's new session."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=5)
