"""A plan of 1,000 changes under GitHub Actions: the pull request comment stays under GitHub's
65,536 characters and keeps the details of as many connectors as fit; the step summary, whose
limit is 1 MiB, holds the whole plan."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.cli import cli
from tests.support.declarations import write_declarations
from tests.support.github import FakeGitHub, parse_github_output

KEYS = [f"connector-{number:04}" for number in range(1000)]
CONFIG = """\
connectors: ["connectors/**/*.yaml"]
defaultTarget: local
targets:
  local:
    emulator: .connect-gitops/emulator.json
"""


def test_a_plan_of_1000_changes_in_the_comment_and_the_step_summary(
    tmp_path: Path, fake_github: FakeGitHub
) -> None:
    folder = tmp_path / "declarations"
    folder.mkdir()
    (folder / "connect-gitops.yaml").write_text(CONFIG, encoding="utf-8")
    write_declarations(folder, KEYS)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"number": 3, "pull_request": {"number": 3}}), encoding="utf-8")
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    (tmp_path / "temp").mkdir()

    result = cli(
        "plan",
        str(folder),
        "--pr-comment",
        cwd=tmp_path,
        GITHUB_ACTIONS="true",
        GITHUB_EVENT_NAME="pull_request",
        GITHUB_EVENT_PATH=str(event),
        GITHUB_API_URL=fake_github.base_url,
        GITHUB_REPOSITORY="example/declarations",
        GITHUB_TOKEN=fake_github.token,
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_OUTPUT=str(outputs),
        RUNNER_TEMP=str(tmp_path / "temp"),
    )

    assert result.returncode == 0, result.stderr
    assert parse_github_output(outputs.read_text(encoding="utf-8"))["to-create"] == "1000"
    (comment,) = fake_github.comments[3]
    body = comment["body"]
    assert len(body) < 65_536
    rows = re.findall(r"^\| `\+` \| `(connector-\d+)` \|", body, flags=re.MULTILINE)
    detailed = re.findall(r"<summary><code>\+ (connector-\d+)</code>", body)
    assert len(detailed) > 100  # as many as fit, not none
    assert detailed == KEYS[: len(detailed)]
    assert rows == KEYS[: len(rows)]  # and the room a detail does not fit in, for rows
    assert len(detailed) <= len(rows) < len(detailed) + 10
    assert f"_Details of {1000 - len(detailed)} of 1000 changes are left out" in body
    assert f"… and {1000 - len(rows)} more changes" in body
    assert "The run's summary has the whole plan" in body

    whole = summary.read_text(encoding="utf-8")
    assert len(whole.encode("utf-8")) < 1_048_576
    assert re.findall(r"^\| `\+` \| `(connector-\d+)` \|", whole, flags=re.MULTILINE) == KEYS
    assert re.findall(r"<summary><code>\+ (connector-\d+)</code>", whole) == KEYS
    assert "left out" not in whole
