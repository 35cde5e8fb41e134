"""core.redaction: one helper hides known secrets, their fragments and the credentials of URLs."""

from __future__ import annotations

from connect_gitops.core.redaction import REDACTED, Secrets


def test_redact_hides_userinfo_only() -> None:
    redact = Secrets().redact
    assert redact("see https://x-access-token:ghp_abc@github.com/a/b.git and ") == (
        "see https://***@github.com/a/b.git and "
    )
    assert redact("git@github.com:acme/pay.git") == "git@github.com:acme/pay.git"


def test_known_secrets_and_url_credentials_are_hidden_together() -> None:
    secrets = Secrets(["s3cr3t-client-secret-value"])
    secrets.remember("tok3n-issued-later-abcdefgh")

    shown = secrets.redact(
        "secret s3cr3t-client-secret-value, token tok3n-issued-later-abcdefgh, "
        "fragment issued-later, url https://bot:pw@example.com/x"
    )

    assert shown == (
        f"secret {REDACTED}, token {REDACTED}, fragment {REDACTED}, url https://***@example.com/x"
    )


def test_short_values_are_not_secrets() -> None:
    assert Secrets(["abc"]).redact("abc abcdef") == "abc abcdef"
