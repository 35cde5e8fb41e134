"""Every rule matches the whole value: a trailing newline (YAML ``|`` blocks) is refused.

Python's ``$`` also matches before a final ``\\n``; with ``re.match`` a key ``"ab\\n"`` passed
the check and reached the API. Deployment keys share the connector key rule.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from connect_gitops.core import rules


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (rules.check_key, "payment-connector"),
        (rules.check_tag, "v1.4.0"),
        (rules.check_email, "team@example.com"),
        (rules.check_project, "europe-west1.gcp:shop-staging"),
        (rules.check_repository_url, "git@github.com:example/payment-connector.git"),
    ],
)
def test_a_trailing_newline_is_refused(check: Callable[[str], str], value: str) -> None:
    assert check(value) == value
    with pytest.raises(ValueError, match="invalid"):
        check(value + "\n")
