"""Transport safety: https except on loopback, TLS always verified, every wait bounded."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from connect_gitops.client import transport
from connect_gitops.client.api import REQUEST_TIMEOUTS, ConnectClient
from connect_gitops.client.errors import TransportError
from connect_gitops.client.retry import RetryPolicy
from tests.support.cli import cli
from tests.support.declarations import write_declarations
from tests.support.paths import SOURCE

SRC = SOURCE


def client(api_url: str, **kwargs: object) -> ConnectClient:
    return ConnectClient(
        api_url=api_url,
        auth_url=api_url,
        project_key="shop",
        client_id="id",
        client_secret="secret-value",
        scopes=["view_connectors"],
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    "url",
    ["http://api.example.com", "http://10.0.0.5:8080", "http://[2001:db8::1]", "ftp://x.test"],
)
def test_plain_http_to_another_machine_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="use https"):
        client(url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8321", "http://localhost:1", "http://[::1]:2"])
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    assert repr(client(url)).startswith("ConnectClient(api_url=")


def test_a_config_with_plain_http_to_another_machine_fails_before_any_request(
    tmp_path: Path,
) -> None:
    (tmp_path / "connect-gitops.yaml").write_text(
        "targets:\n  eu:\n    region: europe-west1.gcp\n    projectKey: shop\n"
        "    apiUrl: http://api.example.com\n    authUrl: http://auth.example.com\n",
        encoding="utf-8",
    )
    write_declarations(tmp_path, ["some-connector"])

    result = cli("plan", str(tmp_path))

    assert result.returncode == 1
    assert (
        "connect-gitops.yaml:5:13: targets.eu.apiUrl: plain http is allowed only for loopback "
        "hosts (127.0.0.0/8, ::1, localhost), not 'api.example.com': use https"
    ) in result.stderr
    assert "Nothing was sent to any API" in result.stderr


def test_there_is_no_insecure_option() -> None:
    result = cli("apply", "--insecure")
    assert result.returncode == 1
    assert "No such option '--insecure'" in result.stderr


def test_tls_is_verified_against_the_system_trust_store() -> None:
    made = client("https://api.europe-west1.gcp.commercetools.com")
    recording = made._http._transport
    assert isinstance(recording, transport.RecordingTransport)
    inner = recording._inner
    assert isinstance(inner, httpx.AsyncHTTPTransport)
    context = inner._pool._ssl_context
    assert context is not None
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True


def test_no_source_file_turns_verification_off() -> None:
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "verify=False" not in text, path
        assert "CERT_NONE" not in text, path
        assert "check_hostname = False" not in text, path


def test_every_phase_of_a_request_has_a_timeout() -> None:
    assert (REQUEST_TIMEOUTS.connect, REQUEST_TIMEOUTS.read) == (10.0, 60.0)
    assert (REQUEST_TIMEOUTS.write, REQUEST_TIMEOUTS.pool) == (30.0, 60.0)
    assert transport.ATTEMPT_DEADLINE_SECONDS == 120.0


@contextmanager
def trickling_server() -> Iterator[str]:
    """Answers with headers, then one body byte every 50 ms for ever: each read is quick, so
    only a whole-attempt deadline ends the request."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
                try:
                    while not stop.is_set():
                        conn.sendall(b" ")
                        time.sleep(0.05)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@pytest.mark.anyio
async def test_a_trickling_answer_is_cut_by_the_attempt_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transport, "ATTEMPT_DEADLINE_SECONDS", 0.5)
    with trickling_server() as url:
        async with client(url, retry=RetryPolicy(max_attempts=1)) as api:
            started = time.monotonic()
            with pytest.raises(TransportError) as caught:
                await api.get_by_key("some-connector")
    assert time.monotonic() - started < 5
    # The server trickles every answer, the token's first: the token endpoint is blamed.
    assert str(caught.value).startswith(
        f"POST /oauth/token of the token endpoint {url}: AttemptDeadline: "
        "no complete answer within 0.5 s (correlation id connect-gitops/"
    )
