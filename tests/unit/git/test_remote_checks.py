"""check_remotes against local bare repositories, reached through git's own insteadOf rewrites.

No test contacts a real host: git@github.com:acme/ is rewritten to tmp_path/remotes/, and
git@github.com:ghost/ to a path that does not exist (an unreachable repository).
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

import pytest

import git
from connect_gitops.core.connect_spec import ConnectApplication
from connect_gitops.git.remote import (
    RemoteCheck,
    RemoteResult,
    check_remotes,
    ssh_command,
    url_refusal,
)
from tests.support.git import WorkRepo

PAY = "git@github.com:acme/pay.git"
GOOD_SPEC = """\
deployAs:
  - name: payment-service
    applicationType: service
    endpoint: /service
    configuration:
      standardConfiguration:
        - key: CTP_REGION
          description: the region
      securedConfiguration:
        - key: CTP_CLIENT_SECRET
          description: the secret
  - name: payment-sync
    applicationType: job
    endpoint: /job
    properties:
      schedule: "*/5 * * * *"
"""
INVALID_SPEC = """\
deployAs:
  - name: payment-service
    applicationType: lambda
"""
ALIAS_SPEC = """\
deployAs:
  - &app {name: payment-service, applicationType: assets}
  - *app
"""
GOOD_APPLICATIONS = (
    ConnectApplication(name="payment-service", application_type="service"),
    ConnectApplication(name="payment-sync", application_type="job"),
)


@pytest.fixture
def remotes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "remotes"
    root.mkdir()
    nowhere = tmp_path / "nowhere"
    rewrites = [
        (f"url.file://{root}/.insteadOf", "git@github.com:acme/"),
        (f"url.file://{root}/.insteadOf", "https://bot:s3cret@github.com/acme/"),
        (f"url.file://{nowhere}/.insteadOf", "git@github.com:ghost/"),
        (f"url.file://{nowhere}/.insteadOf", "https://bot:s3cret@github.com/ghost/"),
    ]
    monkeypatch.setenv("GIT_CONFIG_COUNT", str(len(rewrites)))
    for index, (key, value) in enumerate(rewrites):
        monkeypatch.setenv(f"GIT_CONFIG_KEY_{index}", key)
        monkeypatch.setenv(f"GIT_CONFIG_VALUE_{index}", value)
    return root


def publish(root: Path, name: str, tags: dict[str, dict[str, str]]) -> None:
    """A bare repository root/NAME.git with one commit per tag holding exactly these files."""
    work = root.parent / f"work-{name}"
    with git.Repo.init(work, initial_branch="main") as repo:
        for tag, files in tags.items():
            for old in work.iterdir():
                if old.name != ".git":
                    old.unlink()
            for file, text in files.items():
                (work / file).write_text(text, encoding="utf-8")
            repo.git.add("--all")
            repo.git.commit("--quiet", "--allow-empty", "-m", f"release {tag}")
            repo.git.tag("-a", tag, "-m", tag)
        git.Repo.clone_from(str(work), str(root / f"{name}.git"), bare=True).close()


@pytest.fixture
def trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """GIT_TRACE records every git command the checks run."""
    path = tmp_path / "git-trace.log"
    monkeypatch.setenv("GIT_TRACE", str(path))
    return path


def git_commands(trace: Path, command: str) -> int:
    if not trace.exists():
        return 0
    return trace.read_text().count(f"built-in: git {command} ")


def test_a_good_tag_gives_its_applications(remotes: Path) -> None:
    publish(remotes, "pay", {"v1.0.0": {"connect.yaml": GOOD_SPEC}})

    results = check_remotes([RemoteCheck(PAY, "v1.0.0")])

    assert results == {
        (PAY, "v1.0.0"): RemoteResult(url=PAY, tag="v1.0.0", applications=GOOD_APPLICATIONS)
    }
    assert results[(PAY, "v1.0.0")].ok


def test_a_missing_tag(remotes: Path) -> None:
    publish(remotes, "pay", {"v1.0.0": {"connect.yaml": GOOD_SPEC}})

    result = check_remotes([RemoteCheck(PAY, "v9.9.9")])[(PAY, "v9.9.9")]

    assert not result.ok
    assert result.error == "tag v9.9.9 not found in git@github.com:acme/pay.git"


def test_a_tag_without_connect_yaml(remotes: Path) -> None:
    publish(
        remotes,
        "pay",
        {"v1.0.0": {"connect.yaml": GOOD_SPEC}, "v2.0.0": {"connect.yml": GOOD_SPEC}},
    )

    result = check_remotes([RemoteCheck(PAY, "v2.0.0")])[(PAY, "v2.0.0")]

    assert result.error == "connect.yaml not found at tag v2.0.0"


def test_an_invalid_connect_yaml(remotes: Path) -> None:
    publish(remotes, "pay", {"v2.0.0": {"connect.yaml": INVALID_SPEC}})

    result = check_remotes([RemoteCheck(PAY, "v2.0.0")])[(PAY, "v2.0.0")]

    assert result.error == (
        "connect.yaml at tag v2.0.0 is invalid: deployAs[0].applicationType: unknown type "
        "'lambda': use one of service, event, job, merchant-center-custom-application, mc-app, "
        "merchant-center-custom-view, assets"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (ALIAS_SPEC, "line 3: aliases (*name) are not allowed"),
        ("deployAs: !!python/object:os.system []\n", "line 1: could not determine a constructor"),
        ("deployAs: [\n", "line 2: did not find expected node content"),
        ("deployAs: []\ndeployAs: []\n", 'line 2: found duplicate key "deployAs"'),
    ],
    ids=["alias", "custom-tag", "syntax", "duplicate-key"],
)
def test_connect_yaml_that_is_not_plain_yaml(remotes: Path, text: str, reason: str) -> None:
    publish(remotes, "pay", {"v2.0.0": {"connect.yaml": text}})

    result = check_remotes([RemoteCheck(PAY, "v2.0.0")])[(PAY, "v2.0.0")]

    assert result.error is not None
    assert result.error.startswith(f"connect.yaml at tag v2.0.0 is invalid: {reason}")


def test_an_unreachable_repository(remotes: Path, tmp_path: Path) -> None:
    url = "git@github.com:ghost/pay.git"

    result = check_remotes([RemoteCheck(url, "v1.0.0")])[(url, "v1.0.0")]

    assert result.error == (
        f"repository git@github.com:ghost/pay.git is not reachable: "
        f"fatal: '{tmp_path}/nowhere/pay.git' does not appear to be a git repository"
    )


def test_connectors_sharing_a_repository_ask_it_once(remotes: Path, trace: Path) -> None:
    publish(
        remotes,
        "pay",
        {"v1.0.0": {"connect.yaml": GOOD_SPEC}, "v2.0.0": {"connect.yaml": INVALID_SPEC}},
    )
    publish(remotes, "tax", {"v1.0.0": {"connect.yaml": GOOD_SPEC}})
    tax = "git@github.com:acme/tax.git"
    requests = [
        RemoteCheck(PAY, "v1.0.0"),
        RemoteCheck(PAY, "v1.0.0"),
        RemoteCheck(PAY, "v2.0.0"),
        RemoteCheck(PAY, "v9.9.9"),
        RemoteCheck(tax, "v1.0.0"),
    ]

    results = check_remotes(requests, concurrency=2)

    assert sorted(results) == [(PAY, "v1.0.0"), (PAY, "v2.0.0"), (PAY, "v9.9.9"), (tax, "v1.0.0")]
    assert results[(PAY, "v1.0.0")].applications == GOOD_APPLICATIONS
    assert results[(tax, "v1.0.0")].applications == GOOD_APPLICATIONS
    assert results[(PAY, "v2.0.0")].error is not None
    assert results[(PAY, "v9.9.9")].error == f"tag v9.9.9 not found in {PAY}"
    assert git_commands(trace, "ls-remote") == 2
    assert git_commands(trace, "fetch") == 2


def test_only_the_tag_is_fetched_at_depth_one(
    remotes: Path, trace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts = tmp_path / "trace2.log"
    monkeypatch.setenv("GIT_TRACE2", str(starts))
    publish(
        remotes,
        "pay",
        {"v1.0.0": {"connect.yaml": GOOD_SPEC}, "v2.0.0": {"connect.yaml": GOOD_SPEC}},
    )

    check_remotes([RemoteCheck(PAY, "v1.0.0")])

    fetch = next(line for line in trace.read_text().splitlines() if "built-in: git fetch" in line)
    assert "--depth 1" in fetch
    assert fetch.endswith(f"-- {PAY} +refs/tags/v1.0.0:refs/tags/v1.0.0")
    assert re.search(r"start git -c protocol.ext.allow=never -C \S+ fetch ", starts.read_text())
    assert "start git -c protocol.ext.allow=never ls-remote " in starts.read_text()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "-uhack",
            "refusing repository URL '-uhack': it starts with '-' and git would read an option",
        ),
        (
            "--upload-pack=touch pwned",
            "refusing repository URL '--upload-pack=touch pwned': it starts with '-' and git "
            "would read an option",
        ),
        (
            "ext::sh -c touch% pwned",
            "refusing repository URL 'ext::sh -c touch% pwned': '::' selects a git remote "
            "helper, which can run commands",
        ),
        (
            "file:///etc",
            "refusing repository URL 'file:///etc': only https://HOST/PATH and git@HOST:PATH "
            "URLs are allowed",
        ),
        (
            "/srv/git/pay.git",
            "refusing repository URL '/srv/git/pay.git': only https://HOST/PATH and "
            "git@HOST:PATH URLs are allowed",
        ),
        (
            "http://github.com/acme/pay.git",
            "refusing repository URL 'http://github.com/acme/pay.git': only https://HOST/PATH "
            "and git@HOST:PATH URLs are allowed",
        ),
        (
            "ssh://git@github.com/acme/pay.git",
            "refusing repository URL 'ssh://***@github.com/acme/pay.git': only "
            "https://HOST/PATH and git@HOST:PATH URLs are allowed",
        ),
        (
            "git@github.com:acme/pay.git\n--upload-pack=x",
            "refusing repository URL 'git@github.com:acme/pay.git\\n--upload-pack=x': only "
            "https://HOST/PATH and git@HOST:PATH URLs are allowed",
        ),
    ],
)
def test_unsafe_urls_are_refused_without_running_git(
    remotes: Path,
    trace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)

    result = check_remotes([RemoteCheck(url, "v1.0.0")])[(url, "v1.0.0")]

    assert result.error == message
    assert url_refusal(url) == message
    assert git_commands(trace, "ls-remote") == 0
    assert not (tmp_path / "pwned").exists()


def test_an_invalid_tag_is_refused(remotes: Path, trace: Path) -> None:
    result = check_remotes([RemoteCheck(PAY, "-v1")])[(PAY, "-v1")]

    assert result.error is not None
    assert result.error.startswith("invalid tag '-v1': ")
    assert git_commands(trace, "ls-remote") == 0


def test_credentials_in_a_url_never_show(remotes: Path) -> None:
    publish(remotes, "pay", {"v1.0.0": {"connect.yaml": GOOD_SPEC}})
    good = "https://bot:s3cret@github.com/acme/pay.git"
    gone = "https://bot:s3cret@github.com/ghost/pay.git"

    results = check_remotes([RemoteCheck(good, "v1.0.0"), RemoteCheck(gone, "v1.0.0")])

    assert results[(good, "v1.0.0")] == RemoteResult(
        url="https://***@github.com/acme/pay.git", tag="v1.0.0", applications=GOOD_APPLICATIONS
    )
    error = results[(gone, "v1.0.0")].error
    assert error is not None
    assert error.startswith("repository https://***@github.com/ghost/pay.git is not reachable: ")
    assert "s3cret" not in repr(list(results.values()))


def write_script(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_a_git_call_that_hangs_is_killed_at_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hang = write_script(tmp_path / "hang-ssh", "sleep 30")
    monkeypatch.setenv("GIT_SSH_COMMAND", str(hang))
    url = "git@example.invalid:slow/pay.git"

    started = time.monotonic()
    result = check_remotes([RemoteCheck(url, "v1.0.0")], timeout=0.5)[(url, "v1.0.0")]

    assert time.monotonic() - started < 5
    assert result.error == (
        "repository git@example.invalid:slow/pay.git did not answer within 0.5 s "
        "(git ls-remote stopped)"
    )


def test_ssh_runs_in_batch_mode_without_prompts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "ssh-call.txt"
    write_script(
        bin_dir / "ssh",
        f'echo "$@" > {record}\n'
        'echo "prompt=$GIT_TERMINAL_PROMPT askpass=[$GIT_ASKPASS] gcm=$GCM_INTERACTIVE"'
        f" >> {record}\n"
        'echo "Permission denied (publickey)." >&2\nexit 255',
    )
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("GIT_ASKPASS", "/usr/bin/some-gui-askpass")
    url = "git@example.invalid:acme/pay.git"

    result = check_remotes([RemoteCheck(url, "v1.0.0")])[(url, "v1.0.0")]

    assert result.error == (
        "repository git@example.invalid:acme/pay.git is not reachable: "
        "Permission denied (publickey)."
    )
    call = record.read_text().splitlines()
    assert call[0].startswith("-o BatchMode=yes ")
    assert "git@example.invalid" in call[0]
    assert call[1] == "prompt=0 askpass=[] gcm=never"


def test_the_users_own_ssh_command_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record = tmp_path / "ssh-call.txt"
    custom = write_script(tmp_path / "my-ssh", f'echo "$@" > {record}\nexit 255')
    monkeypatch.setenv("GIT_SSH_COMMAND", f"{custom} -i /keys/deploy_key")
    url = "git@example.invalid:acme/pay.git"

    result = check_remotes([RemoteCheck(url, "v1.0.0")])[(url, "v1.0.0")]

    assert result.error == (
        "repository git@example.invalid:acme/pay.git is not reachable: "
        "fatal: Could not read from remote repository."
    )
    assert record.read_text().startswith("-i /keys/deploy_key ")


def test_a_refused_url_cannot_forge_lines_in_reports(remotes: Path) -> None:
    url = "git@github.com:acme/pay.git\n::error::forged"

    result = check_remotes([RemoteCheck(url, "v1.0.0")])[(url, "v1.0.0")]

    assert result.url == "git@github.com:acme/pay.git\\n::error::forged"
    assert result.error is not None
    assert "\n" not in result.error


# ---------------------------------------------------------------------------------------------
# The user's ssh set-up: a deploy key given through core.sshCommand is used, in batch mode

PRIVATE = "git@private.example.invalid:acme/pay.git"


@pytest.fixture
def deploy_key_ssh(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in for OpenSSH (a program named ``ssh``) that serves tmp_path/remotes/ only to
    whoever passes the deploy key ``-i /keys/deploy_key``, as a private GitHub repository
    would; each call's arguments are logged. Returns (the program, the log)."""
    root = tmp_path / "remotes"
    root.mkdir(exist_ok=True)
    (root / "acme").symlink_to(root)  # git@private.example.invalid:acme/pay.git: root/pay.git
    folder = tmp_path / "deploy-ssh"
    folder.mkdir()
    log = tmp_path / "ssh-calls.log"
    program = write_script(
        folder / "ssh",
        f'echo "$*" >> {log}\n'
        'case " $* " in\n'
        '  *" -i /keys/deploy_key "*) ;;\n'
        '  *) echo "git@private.example.invalid: Permission denied (publickey)." >&2; exit 255;;\n'
        "esac\n"
        "for last; do :; done\n"
        f'cd {root} && exec sh -c "git ${{last#git-}}"',
    )
    return program, log


def test_a_deploy_key_in_core_ssh_command_reads_a_private_repository(
    remotes: Path, deploy_key_ssh: tuple[Path, Path], tmp_path: Path
) -> None:
    program, log = deploy_key_ssh
    publish(remotes, "pay", {"v1.0.0": {"connect.yaml": GOOD_SPEC}})
    git.Git(str(tmp_path)).config(
        "--global", "core.sshCommand", f"{program} -i /keys/deploy_key -o IdentitiesOnly=yes"
    )

    result = check_remotes([RemoteCheck(PRIVATE, "v1.0.0")])[(PRIVATE, "v1.0.0")]

    assert result == RemoteResult(url=PRIVATE, tag="v1.0.0", applications=GOOD_APPLICATIONS)
    calls = log.read_text().splitlines()
    assert len(calls) == 2  # ls-remote, then the fetch of the tag in a scratch repository
    for call in calls:
        assert call.startswith("-i /keys/deploy_key -o IdentitiesOnly=yes -o BatchMode=yes ")


def test_a_deploy_key_set_in_the_checkouts_own_config_is_used_for_the_fetch_too(
    remotes: Path,
    deploy_key_ssh: tuple[Path, Path],
    work_repo: WorkRepo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    program, log = deploy_key_ssh
    publish(remotes, "pay", {"v1.0.0": {"connect.yaml": GOOD_SPEC}})
    work_repo.repo.git.config("core.sshCommand", f"{program} -i /keys/deploy_key")
    monkeypatch.chdir(work_repo.path)

    result = check_remotes([RemoteCheck(PRIVATE, "v1.0.0")])[(PRIVATE, "v1.0.0")]

    assert result.ok, result.error
    calls = log.read_text().splitlines()
    assert len(calls) == 2
    for call in calls:
        assert call.startswith("-i /keys/deploy_key -o BatchMode=yes ")


def test_without_the_deploy_key_the_failure_is_immediate_and_clear(
    remotes: Path, deploy_key_ssh: tuple[Path, Path], tmp_path: Path
) -> None:
    program, _ = deploy_key_ssh
    git.Git(str(tmp_path)).config("--global", "core.sshCommand", str(program))

    result = check_remotes([RemoteCheck(PRIVATE, "v1.0.0")])[(PRIVATE, "v1.0.0")]

    assert result.error == (
        f"repository {PRIVATE} is not reachable: "
        "git@private.example.invalid: Permission denied (publickey)."
    )


@pytest.mark.parametrize(
    ("environ", "configured", "command"),
    [
        ({}, None, "ssh -o BatchMode=yes"),
        ({}, "ssh -i /k", "ssh -i /k -o BatchMode=yes"),
        (
            {},
            "/usr/local/bin/ssh -i '/my keys/k'",
            "/usr/local/bin/ssh -i '/my keys/k' -o BatchMode=yes",
        ),
        (
            {"GIT_SSH_COMMAND": "ssh -o BatchMode=no"},
            "ssh -i /k",
            "ssh -o BatchMode=no -o BatchMode=yes",
        ),
        ({"GIT_SSH_COMMAND": "my-wrapper --key /k"}, None, "my-wrapper --key /k"),
        ({}, "plink -batch", "plink -batch"),
        ({"GIT_SSH": "/usr/bin/ssh-wrapper"}, "ssh -i /k", None),
        ({}, "ssh 'unbalanced", "ssh 'unbalanced"),
    ],
)
def test_the_ssh_command_composes_with_the_users(
    environ: dict[str, str], configured: str | None, command: str | None
) -> None:
    assert ssh_command(environ, configured) == command
