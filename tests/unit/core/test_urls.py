"""core.urls: where credentials may be sent, checked once for the configuration and the client."""

from __future__ import annotations

import pytest

from connect_gitops.core.urls import check_service_url, is_loopback


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.9.9.9", "::1", "[::1]"]
)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["example.com", "10.0.0.1", "0.0.0.0", "::", "127.0.0.1.nip.io"])
def test_other_hosts(host: str) -> None:
    assert not is_loopback(host)


@pytest.mark.parametrize(
    ("url", "checked"),
    [
        ("https://connect.example.com/", "https://connect.example.com"),
        ("http://127.0.0.1:8321", "http://127.0.0.1:8321"),
        ("http://[::1]:8000/", "http://[::1]:8000"),
    ],
)
def test_accepted_urls_lose_their_trailing_slash(url: str, checked: str) -> None:
    assert check_service_url(url) == checked


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://example.com", "plain http is allowed only for loopback hosts"),
        ("ftp://example.com", "invalid URL 'ftp://example.com': use https://HOST"),
        ("https://", "invalid URL 'https://': use https://HOST"),
        ("https://[::1", "invalid URL"),
        ("https://u:p@example.com", "the URL must not contain credentials"),
        ("https://example.com/?x=1", "no query or fragment"),
    ],
)
def test_refused_urls_say_why(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("?", r"\?").replace("[", r"\[")):
        check_service_url(url)
