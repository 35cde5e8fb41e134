"""The environment's proxies are honoured for the Connect API as httpx honours them by default
(HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY), through a recording proxy on loopback; the proxy
sees no credential beyond what a proxy must see."""

from __future__ import annotations

import re
from pathlib import Path

import anyio
import httpx
import pytest

from connect_gitops.client.api import ConnectClient
from connect_gitops.client.errors import TransportError
from connect_gitops.client.proxies import proxy_for
from connect_gitops.client.retry import RetryPolicy
from tests.support.cli import SECRET, cli
from tests.support.declarations import write_config, write_declarations
from tests.support.emulator import journal
from tests.support.proxy import RecordingProxy, recording_proxy


@pytest.fixture
def proxy() -> RecordingProxy:
    with recording_proxy() as running:
        yield running


def folder(tmp_path: Path, url: str) -> Path:
    declarations = write_config(tmp_path / "declarations", url)
    write_declarations(declarations, ["pay-connector"])
    return declarations


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
def test_plan_goes_through_the_environments_proxy(
    tmp_path: Path, emulator_url: str, proxy: RecordingProxy, variable: str
) -> None:
    result = cli("plan", str(folder(tmp_path, emulator_url)), **{variable: proxy.url})

    assert result.returncode == 0, result.stderr
    requests = [(e["method"], e["path"]) for e in journal(emulator_url)]
    assert requests == [("POST", "/oauth/token"), ("GET", "/connectors/drafts")]
    assert proxy.forwarded() == requests  # every request went through the proxy
    assert all(s.target.startswith(f"{emulator_url}/") for s in proxy.seen)


def test_apply_writes_through_the_proxy(
    tmp_path: Path, emulator_url: str, proxy: RecordingProxy
) -> None:
    result = cli("apply", str(folder(tmp_path, emulator_url)), HTTP_PROXY=proxy.url)

    assert result.returncode == 0, result.stderr
    assert ("POST", "/connectors/drafts") in proxy.forwarded()
    assert proxy.forwarded() == [(e["method"], e["path"]) for e in journal(emulator_url)]


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "*", "localhost,127.0.0.1", " 127.0.0.1 "])
def test_no_proxy_is_respected(
    tmp_path: Path, emulator_url: str, proxy: RecordingProxy, no_proxy: str
) -> None:
    result = cli(
        "plan", str(folder(tmp_path, emulator_url)), HTTP_PROXY=proxy.url, NO_PROXY=no_proxy
    )

    assert result.returncode == 0, result.stderr
    assert proxy.seen == []
    assert len(journal(emulator_url)) == 2


def test_an_https_request_shows_the_proxy_its_host_and_port_only(
    proxy: RecordingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through a proxy, https is a CONNECT tunnel: no header, no body, no credential of the
    request is shown to the proxy; only its own credentials, in Proxy-Authorization."""
    monkeypatch.setenv("HTTPS_PROXY", proxy.url.replace("http://", "http://proxy-user:proxy-pw@"))
    made = ConnectClient(
        api_url="https://connect.europe-west1.gcp.commercetools.com",
        auth_url="https://auth.europe-west1.gcp.commercetools.com",
        project_key="shop",
        client_id="client-id",
        client_secret=SECRET,
        scopes=["view_connectors"],
        retry=RetryPolicy(max_attempts=1),
    )

    async def read() -> None:
        async with made:
            await made.query_all()

    with pytest.raises(TransportError) as caught:
        anyio.run(read)

    [tunnel] = proxy.seen
    assert tunnel.method == "CONNECT"
    assert tunnel.target == "auth.europe-west1.gcp.commercetools.com:443"
    names = {name.lower() for name in tunnel.headers}
    assert names <= {"host", "accept", "user-agent", "proxy-authorization"}, names
    assert tunnel.headers["Proxy-Authorization"] == "Basic cHJveHktdXNlcjpwcm94eS1wdw=="
    for credential in (SECRET, "client-id", "Bearer"):
        assert credential not in tunnel.raw()
    assert "proxy-pw" not in str(caught.value)
    assert str(caught.value).startswith("POST /oauth/token of the token endpoint https://auth.")


def test_an_unusable_proxy_setting_is_a_clear_error(tmp_path: Path, emulator_url: str) -> None:
    result = cli(
        "plan",
        str(folder(tmp_path, emulator_url)),
        HTTP_PROXY="socks5://someone:hunter2-secret@127.0.0.1:1080",
    )

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "error: target 'emu': proxy socks5://127.0.0.1:1080: only http:// and https:// proxies "
        "are supported"
    )
    assert journal(emulator_url) == []


@pytest.mark.parametrize(
    ("url", "proxies", "expected"),
    [
        ("https://connect.test", {"https": "http://proxy.corp:3128"}, "http://proxy.corp:3128"),
        ("https://connect.test", {"https": "proxy.corp:3128"}, "http://proxy.corp:3128"),
        ("https://connect.test", {"all": "http://proxy.corp:3128"}, "http://proxy.corp:3128"),
        ("https://connect.test", {"http": "http://proxy.corp:3128"}, None),
        ("https://connect.test", {"https": "http://p:1", "no": "connect.test"}, None),
        ("https://api.connect.test", {"https": "http://p:1", "no": ".connect.test"}, None),
        ("https://api.connect.test", {"https": "http://p:1", "no": "connect.test"}, None),
        ("https://notconnect.test", {"https": "http://p:1", "no": "connect.test"}, "http://p:1"),
        ("https://connect.test:8443", {"https": "http://p:1", "no": "connect.test:8443"}, None),
        (
            "https://connect.test:8443",
            {"https": "http://p:1", "no": "connect.test:9"},
            "http://p:1",
        ),
        ("https://CONNECT.test", {"https": "http://p:1", "no": "connect.TEST"}, None),
        ("https://connect.test", {"https": "http://p:1", "no": "a.test, *"}, None),
        ("http://[::1]:8080", {"http": "http://127.0.0.1:3128", "no": "::1"}, None),
        # Plain http (loopback only) never goes through a proxy on another machine.
        ("http://127.0.0.1:8080", {"http": "http://proxy.corp:3128"}, None),
        ("http://127.0.0.1:8080", {"http": "http://127.0.0.1:3128"}, "http://127.0.0.1:3128"),
        ("http://localhost:8080", {"all": "http://localhost:3128"}, "http://localhost:3128"),
        ("https://connect.test", {}, None),
    ],
)
def test_which_proxy_a_url_goes_through(
    url: str, proxies: dict[str, str], expected: str | None
) -> None:
    found = proxy_for(httpx.URL(url), proxies)

    assert (str(found) if found is not None else None) == expected


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("socks5://u:secret-pw@127.0.0.1:1080", "proxy socks5://127.0.0.1:1080: only http://"),
        ("http://u:secret-pw@host:port", "the proxy setting for https URLs is not a URL"),
    ],
)
def test_an_unusable_proxy_names_no_credential(setting: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        proxy_for(httpx.URL("https://connect.test"), {"https": setting})

    assert "secret-pw" not in str(caught.value)
