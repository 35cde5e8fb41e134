"""resolve_auto_rev: the revision of --changed-since auto, from the GitHub event file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connect_gitops.git.changes import resolve_auto_rev
from connect_gitops.git.errors import GitError

BEFORE = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
BASE = "9049f1265b7d61be4a8904a9a27120d2064dab3b"


def event_file(tmp_path: Path, payload: object) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    return str(path)


def test_a_push_compares_with_before(tmp_path: Path) -> None:
    path = event_file(tmp_path, {"before": BEFORE, "after": BASE, "ref": "refs/heads/main"})

    assert resolve_auto_rev({"GITHUB_EVENT_PATH": path, "GITHUB_EVENT_NAME": "push"}) == BEFORE


def test_a_new_branch_push_gives_the_all_zero_revision(tmp_path: Path) -> None:
    path = event_file(tmp_path, {"before": "0" * 40, "created": True})

    assert resolve_auto_rev({"GITHUB_EVENT_PATH": path}) == "0" * 40


def test_a_pull_request_compares_with_its_base(tmp_path: Path) -> None:
    payload = {
        "action": "synchronize",
        "before": BEFORE,
        "pull_request": {"number": 7, "base": {"ref": "main", "sha": BASE}},
    }
    path = event_file(tmp_path, payload)

    env = {"GITHUB_EVENT_PATH": path, "GITHUB_EVENT_NAME": "pull_request"}
    assert resolve_auto_rev(env) == BASE


def test_a_merge_queue_compares_with_its_base(tmp_path: Path) -> None:
    path = event_file(tmp_path, {"merge_group": {"base_sha": BASE, "head_sha": BEFORE}})

    assert resolve_auto_rev({"GITHUB_EVENT_PATH": path}) == BASE


@pytest.mark.parametrize(
    "payload",
    [
        {"inputs": {}},
        {"schedule": "0 * * * *"},
        {"before": "not-a-sha"},
        {"before": "--upload-pack=touch /tmp/x"},
        {"pull_request": {"base": {}}},
        [],
    ],
    ids=["workflow_dispatch", "schedule", "garbage", "option", "pr-without-base", "not-a-map"],
)
def test_events_without_a_previous_revision_mean_the_whole_folder(
    tmp_path: Path, payload: object
) -> None:
    assert resolve_auto_rev({"GITHUB_EVENT_PATH": event_file(tmp_path, payload)}) is None


def test_outside_github_actions_there_is_no_revision() -> None:
    assert resolve_auto_rev({}) is None


def test_an_unreadable_event_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(GitError, match=r"^cannot read the GitHub event file .*event\.json: "):
        resolve_auto_rev({"GITHUB_EVENT_PATH": str(path)})
