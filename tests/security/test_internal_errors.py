"""An unexpected exception is one line for the user and never shows a secret, whole or in part."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from connect_gitops.core.redaction import Secrets
from connect_gitops.reporting.errors import describe_internal_error
from tests.support.paths import SOURCE

TOKEN = "oRxxpxyxtybHqjk8vgIfMRhiCIFpXm7Ml2GIypcM4a4"
SRC = SOURCE


class _Page(BaseModel):
    version: int


def echoed_token_error() -> ValidationError:
    try:
        _Page.model_validate({"version": f"Bearer {TOKEN}"})
    except ValidationError as error:
        return error
    raise AssertionError("expected a ValidationError")


def test_secrets_come_from_secret_looking_variables_and_named_ones() -> None:
    secrets = Secrets.from_environ(
        {
            "CTP_CLIENT_SECRET": "client-secret-1",
            "GITHUB_TOKEN": "ghs_abcdef",
            "MY_CREDS": "hunter22",
            "CTP_CLIENT_ID": "public-id",
            "HOME": "/root",
        },
        names=["MY_CREDS"],
    )
    shown = secrets.redact("client-secret-1 ghs_abcdef hunter22 public-id /root")
    assert shown == "[redacted] [redacted] [redacted] public-id /root"


def test_a_shortened_token_in_a_pydantic_message_is_redacted_in_both_halves() -> None:
    error = echoed_token_error()
    assert TOKEN[:10] in str(error)  # pydantic shows the head and tail of long input values

    line = describe_internal_error(error, Secrets([TOKEN]), verbose=False)

    assert line == (
        "internal error: ValidationError: 1 validation error for _Page; please report it "
        "(--verbose shows the traceback)"
    )
    verbose = describe_internal_error(error, Secrets([TOKEN]), verbose=True)
    assert "input_value='Bearer [redacted]...[redacted]'" in verbose
    for start in range(len(TOKEN) - 8):
        assert TOKEN[start : start + 8] not in verbose


def test_verbose_shows_the_traceback_but_no_local_variables() -> None:
    def failing(client_secret: str) -> None:
        raise RuntimeError("boom")

    value = "-".join(["local", "secret", "value"])  # not in any source line of the traceback
    try:
        failing(value)
    except RuntimeError as error:
        text = describe_internal_error(error, Secrets(), verbose=True)
    assert text.startswith("Traceback (most recent call last):")
    assert text.endswith("internal error: RuntimeError: boom; please report it")
    assert "local-secret-value" not in text


def test_a_long_message_is_cut() -> None:
    line = describe_internal_error(ValueError("x" * 1000), Secrets(), verbose=False)
    assert line == (
        f"internal error: ValueError: {'x' * 300}...; please report it "
        "(--verbose shows the traceback)"
    )


def test_secrets_repr_shows_no_value() -> None:
    assert repr(Secrets(["abcdefgh"])) == "Secrets(1 values)"


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: p.name)
def test_no_rich_traceback_with_locals_anywhere(path: Path) -> None:
    """rich's tracebacks print local variables (the secret, the token) with show_locals."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = {
        alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not any(name.startswith("rich.traceback") for name in imported)
    keywords = {
        k.arg for node in ast.walk(tree) if isinstance(node, ast.Call) for k in node.keywords
    }
    assert "show_locals" not in keywords
    assert "pretty_exceptions_show_locals" not in keywords
