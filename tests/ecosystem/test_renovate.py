"""examples/renovate.json: its custom regex manager finds every connector's repository url/tag
pair, and nothing else, and the pull request it would make changes that tag alone (applied as
Renovate applies it: tests/support/renovate_emulation.py)."""

from __future__ import annotations

import re

import pytest
import yaml

from connect_gitops.core.rules import REPOSITORY_URL_PATTERN
from tests.support.renovate_emulation import (
    EXAMPLES,
    MANAGER,
    ROOT,
    auto_replace,
    extract,
    file_pattern_matches,
    python_regex,
)

GITHUB_URL = re.compile(REPOSITORY_URL_PATTERN)


def declared_pairs(content: str) -> list[tuple[str, str]]:
    """What connect-gitops reads: (ORG/REPO, tag) of each document's GitHub repository."""
    pairs = []
    for document in yaml.safe_load_all(content):
        repository = document.get("repository") if isinstance(document, dict) else None
        if not isinstance(repository, dict):
            continue
        url, tag = repository.get("url"), repository.get("tag")
        if isinstance(url, str) and GITHUB_URL.match(url) and isinstance(tag, str):
            name = re.sub(r"^(https://github\.com/|git@github\.com:)", "", url)
            pairs.append((name.removesuffix(".git"), tag))
    return pairs


def extracted_pairs(content: str) -> list[tuple[str, str]]:
    return [(d.depName, d.currentValue) for d in extract(content)]


def test_the_manager_is_a_github_tags_regex_manager_in_the_current_syntax() -> None:
    assert MANAGER["customType"] == "regex"
    assert "fileMatch" not in MANAGER  # renamed managerFilePatterns in Renovate 40.2
    assert MANAGER["datasourceTemplate"] == "github-tags"
    assert MANAGER["matchStringsStrategy"] == "recursive"
    for pattern in MANAGER["matchStrings"]:
        python_regex(pattern)


def test_it_reads_the_declaration_files_of_the_examples_and_no_other_file() -> None:
    files = sorted(
        str(path.relative_to(ROOT))
        for path in EXAMPLES.rglob("*")
        if path.is_file() and ".connect-gitops" not in path.parts
    )
    matched = [
        name
        for name in files
        if any(file_pattern_matches(p, name) for p in MANAGER["managerFilePatterns"])
    ]
    assert matched == [
        "examples/connectors/order-export.yaml",
        "examples/connectors/payment.yaml",
        "examples/connectors/tax.yaml",
    ]


def test_it_extracts_every_url_tag_pair_of_the_examples_and_nothing_else() -> None:
    for name in ("order-export.yaml", "payment.yaml", "tax.yaml"):
        content = (EXAMPLES / "connectors" / name).read_text(encoding="utf-8")
        assert extracted_pairs(content) == declared_pairs(content) != [], name
    payment = (EXAMPLES / "connectors" / "payment.yaml").read_text(encoding="utf-8")
    # documentationUrl is a github.com address too, and is left alone
    assert "documentationUrl: https://github.com/" in payment
    assert extracted_pairs(payment) == [("example-retail/stripe-payment-connector", "v2.3.1")]


SHAPES = {
    "block, comments and blank lines between": """\
key: a
repository:
  # the release the shop runs
  url: git@github.com:org/a.git   # SSH: a private repository

  # bumped by Renovate
  tag: v1.2.3   # a comment after the tag
supportedRegions: [europe-west1.gcp]
""",
    "block, tag first, HTTPS": """\
key: b
repository:
  tag: release/2024.11.0
  url: https://github.com/org/b-connector.git
""",
    "block, a semver build tag (git allows '+')": """\
key: b2
repository:
  url: https://github.com/org/b2.git
  tag: v1.0.0+build.1
""",
    "flow": """\
key: c
repository: {url: "git@github.com:org/c.git", tag: v0.1.0}
""",
    "flow, tag first, single quotes": "key: d\nrepository: {tag: 'v2', url: 'https://github.com/org/d.git'}\n",
    "flow over several lines": """\
key: e
repository: {
  url: git@github.com:org/e.git,
  tag: "1.0"
}
""",
    "pasted API JSON": '{"key": "f", "repository": {"url": "https://github.com/org/f.git", '
    '"tag": "v3.0.0"}, "name": "F"}\n',
    "CRLF line endings": "key: g\r\nrepository:\r\n  url: git@github.com:org/g.git\r\n"
    "  tag: v9.9.9\r\n",
    "several documents": """\
key: h1
repository:
  url: git@github.com:org/h1.git
  tag: v1.0.0
documentationUrl: https://github.com/org/h1#readme
---
key: h2
creator:
  email: team@example.com
  supportUrl: https://github.com/org/h2/issues
repository: {url: "https://github.com/org/h2.git", tag: v2.0.0}
""",
}

NOT_PAIRS = {
    "a repository without a tag": "key: x\nrepository:\n  url: git@github.com:org/x.git\n",
    "a tag without a repository url": "key: x\nrepository: {tag: v1.0.0}\n",
    "links to GitHub that are not the repository": """\
key: x
documentationUrl: https://github.com/org/x.git
creator: {email: a@example.com, supportUrl: "https://github.com/org/x/issues"}
""",
    "a repository that is not on GitHub": "key: x\nrepository:\n  url: https://gitlab.com/org/x.git\n"
    "  tag: v1.0.0\n",
    "a deployment": """\
kind: Deployment
key: payments-production
connector: {key: stripe-payment-connector, version: 7}
type: production
region: europe-west1.gcp
""",
    "the configuration file": """\
connectors: ["connectors/**/*.yaml"]
targets:
  eu: {region: europe-west1.gcp, projectKey: shop, apiUrl: https://github.com/x.git}
""",
}


@pytest.mark.parametrize("content", SHAPES.values(), ids=SHAPES.keys())
def test_it_extracts_each_shape_a_declaration_may_take(content: str) -> None:
    assert extracted_pairs(content) == declared_pairs(content) != []


@pytest.mark.parametrize("content", NOT_PAIRS.values(), ids=NOT_PAIRS.keys())
def test_it_extracts_nothing_that_is_not_a_repository_pair(content: str) -> None:
    assert extracted_pairs(content) == [] == declared_pairs(content)


@pytest.mark.parametrize("content", SHAPES.values(), ids=SHAPES.keys())
def test_the_pull_request_changes_that_tag_and_nothing_else(content: str) -> None:
    before = list(yaml.safe_load_all(content))
    for index, (name, _tag) in enumerate(extracted_pairs(content)):
        updated = auto_replace(content, index, "v100.0.0")
        after = list(yaml.safe_load_all(updated))
        changed = [i for i, (b, a) in enumerate(zip(before, after, strict=True)) if b != a]
        assert len(changed) == 1
        document = after[changed[0]]
        assert document["repository"]["tag"] == "v100.0.0"
        document["repository"]["tag"] = before[changed[0]]["repository"]["tag"]
        assert after == before, name
        assert updated.count("\n") == content.count("\n")


def test_the_tag_is_replaced_even_where_the_url_contains_it() -> None:
    content = "key: v1\nrepository:\n  url: git@github.com:org/connector-v1.git\n  tag: v1\n"
    updated = auto_replace(content, 0, "v2")
    assert updated == content.replace("tag: v1", "tag: v2")
