"""Where credentials may be sent: the one check of a service URL (the Connect API, its token
endpoint) for the configuration and the client alike.

https everywhere; plain http only to this machine (tests, the emulator on a socket), so a secret
never crosses a network unencrypted. A URL that carries credentials itself is refused: they
would end up in logs and messages.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

LOOPBACK_HOSTS = "127.0.0.0/8, ::1, localhost"


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (IPv6 with or without brackets)."""
    name = host.strip("[]").lower()
    if name in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_service_url(value: str) -> str:
    """``value`` without a trailing slash if it is an https URL, or plain http to a loopback
    host, without credentials, query or fragment; ValueError saying what to do otherwise.

    The whole value is checked: ``urlsplit`` silently drops tabs and newlines and strips
    leading blanks, so ``"https://host\\n"`` would pass a check of its parts alone.
    """
    if any(char.isspace() or not char.isprintable() for char in value):
        raise ValueError(f"invalid URL {value!r}: it holds a blank or control character")
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme not in ("https", "http") or not host:
        raise ValueError(f"invalid URL {value!r}: use https://HOST")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the URL must not contain credentials")
    if parts.query or parts.fragment:
        raise ValueError(f"invalid URL {value!r}: no query or fragment")
    if parts.scheme == "http" and not is_loopback(host):
        raise ValueError(
            f"plain http is allowed only for loopback hosts ({LOOPBACK_HOSTS}), not {host!r}: "
            "use https"
        )
    return value.rstrip("/")
