"""Which proxy a request to the Connect API goes through.

httpx reads ``HTTPS_PROXY``, ``HTTP_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` (either case) only
when it builds its own transport; the client builds its own connection pool, so it applies the
same variables itself, per URL, with the standard library's reading of them (the one httpx and
curl follow): the scheme's proxy, else ``ALL_PROXY``; ``NO_PROXY`` lists host names (a name also
covers its subdomains, a leading dot is ignored), addresses, ``host:port``, or ``*``.

One deliberate difference: plain http is only ever allowed to this machine (the emulator), and it
goes through a proxy only when that proxy runs on this machine too. A proxy elsewhere could not
reach our loopback address anyway, and would read the client secret and token of a plain-http
request. Through a proxy, an https request shows the proxy its host and port only (``CONNECT``),
never a header or a body.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Mapping

import httpx

from connect_gitops.core.urls import is_loopback

PROXY_SCHEMES = ("http", "https")


def environment_proxies() -> dict[str, str]:
    """The proxy settings of this process: ``{"https": URL, "http": URL, "all": URL,
    "no": "host,host"}`` from the environment (and the system settings on macOS and Windows)."""
    return urllib.request.getproxies()


def _bypassed(url: httpx.URL, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` names ``url``'s host: ``*``, the host or a parent domain (a leading
    dot is ignored), optionally with the port; case does not matter."""
    host = url.host.lower()
    candidates = [host]
    if url.port is not None:
        candidates += [f"{host}:{url.port}", f"[{host}]:{url.port}"]
    for entry in no_proxy.split(","):
        name = entry.strip().lower().lstrip(".")
        if name == "*":
            return True
        if name.startswith("[") and name.endswith("]"):
            name = name[1:-1]
        if name and any(c == name or c.endswith("." + name) for c in candidates):
            return True
    return False


def shown_proxy(proxy: httpx.URL) -> str:
    """The proxy's URL without its credentials, for messages."""
    return str(proxy.copy_with(username=None, password=None))


def proxy_for(url: httpx.URL, proxies: Mapping[str, str]) -> httpx.URL | None:
    """The proxy that a request to ``url`` goes through, or None for a direct connection.

    ValueError when the proxy setting is unusable (not a URL, or a scheme httpx cannot speak
    without extras, such as socks5): a proxy that is set but ignored would fail far later, and
    far less clearly.
    """
    if _bypassed(url, proxies.get("no", "")):
        return None
    setting = proxies.get(url.scheme) or proxies.get("all")
    if not setting:
        return None
    try:
        proxy = httpx.URL(setting if "://" in setting else f"http://{setting}")
    except httpx.InvalidURL:
        raise ValueError(f"the proxy setting for {url.scheme} URLs is not a URL") from None
    if proxy.scheme not in PROXY_SCHEMES or not proxy.host:
        raise ValueError(
            f"proxy {shown_proxy(proxy)}: only http:// and https:// proxies are supported"
        )
    if url.scheme == "http" and not is_loopback(proxy.host):
        return None
    return proxy
