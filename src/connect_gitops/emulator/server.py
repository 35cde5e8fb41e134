"""Serving the emulator with uvicorn: in the foreground (`serve`) or a background thread.

Loopback only: the emulator accepts any credentials by default, so it must never listen where
another machine can reach it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import uvicorn

from connect_gitops.emulator.app import create_app
from connect_gitops.emulator.faults import DroppedConnection

STARTUP_TIMEOUT_SECONDS = 10.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _HideInjectedDrops(logging.Filter):
    """An injected dropped connection is intended; keep it out of uvicorn's error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


def _install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideInjectedDrops) for f in logger.filters):
        logger.addFilter(_HideInjectedDrops())


def check_loopback(host: str) -> None:
    """Refuse any host that is not a loopback address."""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(
            "the emulator only listens on loopback addresses (127.0.0.1, ::1, localhost), "
            f"not {host!r}"
        )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only then (else ~40 ms per response).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class _Server(uvicorn.Server):
    """A uvicorn server that reports when it listens."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Ctrl-C and SIGTERM shut down gracefully and `serve` then returns normally.

        (uvicorn's own version re-raises the signal afterwards, killing the process.)
        """
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._on_started()


def _config(state_file: Path | None) -> uvicorn.Config:
    _install_log_filter()
    app = create_app(state_file)
    return uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)


def serve(
    host: str = "127.0.0.1",
    port: int = 8321,
    state_file: Path | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until Ctrl-C or SIGTERM; `on_ready(url)` is called once it listens."""
    check_loopback(host)
    config = _config(state_file)
    sock = _bind(host, port)
    url = _url(host, sock)
    server = _Server(config, lambda: on_ready(url) if on_ready is not None else None)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


@contextlib.contextmanager
def running_emulator(port: int = 0, state_file: Path | None = None) -> Iterator[str]:
    """A uvicorn-served emulator in a background thread; yields `http://127.0.0.1:PORT`."""
    config = _config(state_file)
    sock = _bind("127.0.0.1", port)
    ready = threading.Event()
    server = _Server(config, ready.set)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="emulator"
    )
    thread.start()
    try:
        if not ready.wait(STARTUP_TIMEOUT_SECONDS):
            raise RuntimeError("the emulator did not start within 10 seconds")
        yield _url("127.0.0.1", sock)
    finally:
        server.should_exit = True
        thread.join(STARTUP_TIMEOUT_SECONDS)
        sock.close()
