"""Every rule of connect-api.md section 7, with a value it accepts and one it refuses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from connect_gitops.core import rules

CASES: list[tuple[Callable[[str], str], str, str, str]] = [
    # check, accepted, refused, start of the message
    (rules.check_key, "payment-connector_2", "a", "invalid key 'a'"),
    (rules.check_key, "ab", "pay ment", "invalid key 'pay ment'"),
    (rules.check_key, "x" * 256, "x" * 257, "invalid key"),
    (
        rules.check_repository_url,
        "git@github.com:org/repo.git",
        "git@gitlab.com:org/repo.git",
        "invalid repository url",
    ),
    (
        rules.check_repository_url,
        "https://github.com/org/repo.git",
        "https://github.com/org/repo",
        "invalid repository url",
    ),
    (
        rules.check_repository_url,
        "https://github.com/o/r.git",
        "http://github.com/o/r.git",
        "invalid",
    ),
    (rules.check_tag, "v1.4.0", ".v1", "invalid tag '.v1'"),
    (rules.check_tag, "release/2024.11@rc_1-x", "v1..2", "invalid tag 'v1..2'"),
    (rules.check_tag, "a" * 255, "a" * 256, "invalid tag"),
    (rules.check_tag, "1", "v 1", "invalid tag 'v 1'"),
    (rules.check_email, "team@example.com", "team@example", "invalid email 'team@example'"),
    (rules.check_email, "a.b+c@d.e", "a b@c.d", "invalid email"),
    (
        rules.check_project,
        "europe-west1.gcp:shop-staging",
        "shop-staging",
        "invalid project identifier 'shop-staging'",
    ),
    (rules.check_project, "r:ab", "r:a", "invalid project identifier"),
    (rules.check_project, "r:" + "a" * 36, "r:" + "a" * 37, "invalid project identifier"),
    (rules.check_region, "us-east-2.aws", "us-east-2", "unknown region 'us-east-2': did you mean"),
]


@pytest.mark.parametrize(("check", "accepted", "refused", "message"), CASES)
def test_rule_accepts_and_refuses(
    check: Callable[[str], str], accepted: str, refused: str, message: str
) -> None:
    assert check(accepted) == accepted
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(")) as error:
        check(refused)
    assert str(error.value).startswith(message)


def test_the_five_regions_and_fourteen_integration_types() -> None:
    assert rules.REGIONS == (
        "europe-west1.gcp",
        "us-central1.gcp",
        "australia-southeast1.gcp",
        "us-east-2.aws",
        "eu-central-1.aws",
    )
    assert len(rules.INTEGRATION_TYPES) == 14
    assert {"psp", "tax", "erp", "oms"} <= set(rules.INTEGRATION_TYPES)


def test_project_pattern_reads_dash_as_a_literal() -> None:
    """The documented class [a-zA-Z0-9-_.] is kept, written so no regex dialect sees a range."""
    assert rules.check_project("my_region.x-y:key_1-2") == "my_region.x-y:key_1-2"
    with pytest.raises(ValueError, match="invalid project identifier"):
        rules.check_project("reg/ion:key")
