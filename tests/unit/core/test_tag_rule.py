"""The repository tag rule is git's own (``git check-ref-format`` of ``refs/tags/TAG``, and ``git
tag`` refusing a leading ``-``), plus the API's length limit. The table is confirmed against
the git on this machine, and every implementation of the rule agrees with it: the declaration
check, the JSON Schema pattern editors use, and the emulator's own rules module."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from connect_gitops.core import rules
from connect_gitops.emulator import rules as emulator_rules
from tests.support.git import git

GIT_ALLOWS = [
    "v1.4.0",
    "1",
    "v1.0.0+build.1",  # a semver build tag
    "v2.0.0-rc.1+exp.sha.5114f85",
    "release/2024.11@rc_1-x",
    "@",
    "a@b",
    "x.lockx",
    "a{b}",
    "!$&'(),;=%",
    "v1.0-ünïcødé",
    "a" * 255,
]
GIT_REFUSES = [
    "",
    "-v1",  # git tag: "not a valid tag name" (an option, to git's command line)
    ".v1",
    "a/.b",
    "a/./b",
    "a.lock",
    "a.lock/b",
    "a/b.lock",
    "v1..2",
    "a//b",
    "/a",
    "a/",
    "a.",
    "a@{b",
    "@{",
    "v 1",
    "a~1",
    "a^",
    "a:b",
    "a?",
    "a*",
    "a[b",
    "a\\b",
    "a\tb",
    "a\x7f",
    "v1\n",
]
TOO_LONG = "a" * 256
"""git allows it; the API's limit is 255 characters."""


def git_accepts_tag(tag: str) -> bool:
    """git's own verdict: the ref name rules, and ``git tag``'s refusal of a leading dash."""
    checked = subprocess.run(
        ["git", "check-ref-format", f"refs/tags/{tag}"], capture_output=True, check=False
    )
    return checked.returncode == 0 and not tag.startswith("-")


def test_the_table_is_gits_own_verdict(tmp_path: Path) -> None:
    git("init", "-q", cwd=tmp_path)
    git("commit", "-q", "--allow-empty", "-m", "one", cwd=tmp_path)

    assert [t for t in GIT_ALLOWS if not git_accepts_tag(t)] == []
    assert [t for t in GIT_REFUSES if git_accepts_tag(t)] == []
    assert git_accepts_tag(TOO_LONG)
    refused = subprocess.run(
        ["git", "tag", "--", "-v1"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert refused.returncode != 0
    assert "not a valid tag name" in refused.stderr


@pytest.mark.parametrize("tag", GIT_ALLOWS)
def test_a_tag_git_allows_is_a_valid_declaration_tag(tag: str) -> None:
    assert rules.check_tag(tag) == tag
    assert re.fullmatch(rules.TAG_PATTERN, tag)
    assert emulator_rules.is_valid_tag(tag)


@pytest.mark.parametrize("tag", [*GIT_REFUSES, TOO_LONG])
def test_a_tag_git_refuses_or_too_long_is_refused_everywhere(tag: str) -> None:
    with pytest.raises(ValueError, match=r"^invalid tag ") as refused:
        rules.check_tag(tag)
    assert "git" in str(refused.value) or "255" in str(refused.value)
    assert not re.fullmatch(rules.TAG_PATTERN, tag)
    assert not emulator_rules.is_valid_tag(tag)


@pytest.mark.parametrize(
    ("tag", "reason"),
    [
        ("v1..2", "contains '..'"),
        ("-v1", "starts with '-'"),
        ("v 1", "contains ' '"),
        ("a/b.lock", "a part ends with '.lock'"),
        ("a" * 256, "longer than 255 characters"),
    ],
)
def test_the_message_says_what_is_wrong(tag: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        rules.check_tag(tag)
