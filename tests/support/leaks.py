"""What the secret tests share: how much of a secret counts as showing it, and the
environment of a GitHub Actions step on a pull request."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.github import FakeGitHub

FRAGMENT = 12
"""Any 12 characters in a row of a secret count as showing it."""


def github_environment(tmp_path: Path, fake: FakeGitHub) -> dict[str, str]:
    runner = tmp_path / "runner"
    runner.mkdir()
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": 7, "pull_request": {"number": 7}}), encoding="utf-8")
    return {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_OUTPUT": str(tmp_path / "github-output.txt"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary.md"),
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_REPOSITORY": "example/connectors",
        "GITHUB_API_URL": fake.base_url,
        "GITHUB_TOKEN": fake.token,
        "RUNNER_TEMP": str(runner),
    }
