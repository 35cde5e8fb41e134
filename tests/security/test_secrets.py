"""No output channel of a full run ever shows the client secret, an access token or GITHUB_TOKEN.

The CLI runs in child processes as a GitHub Actions step would: with ``--verbose``, under faults
(retries and failures are logged), with a stale saved plan, with invalid declarations, with an
internal error whose exception text quotes the Authorization header, with the PR comment posted
to a fake GitHub. Then every byte it produced is searched: stdout, stderr, every file in the
temporary folder (plan files, ``$GITHUB_OUTPUT``, ``$GITHUB_STEP_SUMMARY``, ``$RUNNER_TEMP``),
and every comment body GitHub received.
"""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
from pathlib import Path

from tests.support.cli import CLIENT_ID, SECRET, cli
from tests.support.declarations import write_config, write_declarations
from tests.support.echo_api import echo_api
from tests.support.emulator import control, set_faults
from tests.support.github import FakeGitHub
from tests.support.leaks import FRAGMENT, github_environment

MASK = "::add-mask::"
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
"""The emulator's tokens: secrets.token_urlsafe(32)."""


def full_run(
    tmp_path: Path, url: str, env: dict[str, str]
) -> list[subprocess.CompletedProcess[str]]:
    """Every command and channel once, the reconciling ones under faults."""
    folder = tmp_path / "declarations"
    write_config(folder, url)
    write_declarations(folder, ["alpha-connector", "beta-connector", "gamma-connector"])
    (folder / "connectors" / "blocked.yaml").write_text(
        "key: blocked-connector\nname: Blocked\n", encoding="utf-8"
    )
    broken = tmp_path / "broken"
    write_config(broken, url)
    write_declarations(broken, ["fine-connector"])
    (broken / "connectors" / "bad.yaml").write_text(
        "key: Bad Key!\nname: 3\nsupportedRegions: []\nunknownField: x\n", encoding="utf-8"
    )
    hostile = tmp_path / "hostile"
    runs = []
    set_faults(
        url,
        {
            "errorRate": 0.1,
            "errorStatuses": [500, 503],
            "rateLimitEvery": 7,
            "retryAfterSeconds": 0,
            "dropRate": 0.05,
            "ambiguousRate": 0.2,
            "seed": 3,
        },
    )
    plan_json, plan_md = tmp_path / "plan.json", tmp_path / "plan.md"
    runs.append(cli("validate", str(broken), "--verbose", **env))
    runs.append(cli("apply", str(broken), "--verbose", **env))
    runs.append(cli("plan", str(folder), "--verbose", "--pr-comment", "--out", str(plan_md), **env))
    runs.append(cli("plan", str(folder), "--verbose", "--out", str(plan_json), **env))
    runs.append(cli("apply", str(folder), "--verbose", "--timeout", "5", **env))
    runs.append(cli("apply", str(plan_json), "--verbose", cwd=folder, **env))
    runs.append(cli("drift", str(folder), "--verbose", "--format", "markdown", **env))
    runs.append(cli("plan", str(folder), "--verbose", "--format", "json", **env))
    set_faults(url, {"errorRate": 0, "rateLimitEvery": 0, "dropRate": 0, "ambiguousRate": 0})
    with echo_api() as echoing:
        hostile.mkdir()
        (hostile / "connect-gitops.yaml").write_text(
            "targets:\n  echo:\n    region: europe-west1.gcp\n    projectKey: echo-project\n"
            f"    apiUrl: {echoing}\n    authUrl: {url}\ndefaultTarget: echo\n",
            encoding="utf-8",
        )
        runs.append(cli("plan", str(hostile), **env))
        runs.append(cli("plan", str(hostile), "--verbose", **env))
    return runs


def issued_token_hashes(url: str) -> set[str]:
    state = control(url, "GET", "state")
    return set(state["tokens"])


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_no_secret_in_any_output_of_a_full_run(
    tmp_path: Path, emulator_url: str, fake_github: FakeGitHub
) -> None:
    env = github_environment(tmp_path, fake_github)
    runs = full_run(tmp_path, emulator_url, env)

    # The runs did what they should, so every channel was exercised.
    validate, invalid_apply, plan_comment, *_, echoed, echoed_verbose = runs
    assert validate.returncode == 1
    assert "::error file=" in validate.stderr
    assert invalid_apply.returncode == 1
    assert "::error file=" in invalid_apply.stderr
    assert plan_comment.returncode == 0, plan_comment.stderr
    assert [len(c) for c in fake_github.comments.values()] == [1]
    assert "GET /connectors/drafts" in plan_comment.stderr  # --verbose logged the requests
    # The answer that echoes the token is the API's error, told without quoting the body.
    for run in (echoed, echoed_verbose):
        assert run.returncode == 1
        assert "a body that cannot be read: the JSON is not a page of connectors: " in run.stderr
        assert "results.0.version: Input should be a valid integer" in run.stderr
        assert "internal error" not in run.stderr
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "Plan" in summary
    outputs = Path(env["GITHUB_OUTPUT"]).read_text(encoding="utf-8")
    assert "plan-json" in outputs

    # Every access token issued was announced to the runner with ::add-mask:: (and only there).
    streams = [r.stdout for r in runs] + [r.stderr for r in runs]
    masked = {
        line[len(MASK) :]
        for stream in streams
        for line in stream.splitlines()
        if line.startswith(MASK)
    }
    hashes = issued_token_hashes(emulator_url)
    assert hashes
    assert {sha256(t) for t in masked} <= hashes
    unmasked = [
        "\n".join(line for line in stream.splitlines() if not line.startswith(MASK))
        for stream in streams
    ]
    files = [
        p.read_text(encoding="utf-8", errors="replace") for p in tmp_path.rglob("*") if p.is_file()
    ]
    comments = [c["body"] for cs in fake_github.comments.values() for c in cs]
    everything = "\n".join(unmasked + files + comments)

    basic = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    for secret in (SECRET, fake_github.token, basic, *masked):
        assert secret not in everything
        pieces = {secret[i : i + FRAGMENT] for i in range(len(secret) - FRAGMENT + 1)}
        shown = sorted(p for p in pieces if p in everything)
        assert shown == [], "part of a secret appears in an output (a shortened value?)"
    leaked = {t for t in TOKEN_SHAPE.findall(everything) if sha256(t) in hashes}
    assert leaked == set(), "an access token appears in an output"
    assert "Authorization" not in everything
    assert "authorization:" not in everything
    # "Bearer [redacted]" is the echoing API's body quoted in the internal error, redacted.
    assert re.findall(r"(?:Bearer|Basic) (?!\[redacted\])\S+", everything) == []
