"""A token endpoint that answers 429 with a Retry-After of a day: the command fails at once,
blaming the token endpoint and the 429, instead of waiting ten minutes and blaming the read."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

from tests.support.cli import cli
from tests.support.declarations import write_config, write_declarations
from tests.support.emulator import journal, set_faults
from tests.support.scripted_api import TOKEN_PATH, Answer, ScriptedApi, scripted_api

FAST = 15.0
"""Seconds: a run that fails at once takes a second or two; the bug took ten minutes."""
CID = r"\(correlation id connect-gitops/[0-9a-f-]{36}\)"


def test_a_retry_after_beyond_the_deadline_fails_at_once_naming_the_token_endpoint(
    tmp_path: Path,
) -> None:
    limited = Answer.json(
        {"statusCode": 429, "message": "Too many requests"}, status=429, **{"Retry-After": "100000"}
    )
    api = ScriptedApi({("POST", TOKEN_PATH): limited})
    with scripted_api(api) as url:
        folder = write_config(tmp_path / "declarations", url)
        write_declarations(folder, ["pay-connector"])
        started = time.monotonic()
        result = cli("plan", str(folder), timeout=60)
        elapsed = time.monotonic() - started

    assert elapsed < FAST
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]
    assert re.fullmatch(
        re.escape(
            f"error: 429 on POST /oauth/token of the token endpoint {url}: Too many requests; "
            "asked to retry after 100000 s (more than a day), longer than the 300 s left of the "
            "300 s a request may take; try again later"
        )
        + f" {CID}",
        last,
    ), last
    assert api.requests == [("POST", TOKEN_PATH)]  # one token request, no read at all


def test_the_emulators_rate_limit_on_the_token_endpoint_fails_fast(
    tmp_path: Path, emulator_url: str
) -> None:
    folder = write_config(tmp_path / "declarations", emulator_url)
    write_declarations(folder, ["pay-connector"])
    set_faults(emulator_url, {"rateLimitEvery": 1, "retryAfterSeconds": 86_400})

    started = time.monotonic()
    result = cli("apply", str(folder), timeout=60)
    elapsed = time.monotonic() - started

    assert elapsed < FAST
    assert result.returncode == 1
    assert "error: 429 TooManyRequests on POST /oauth/token of the token endpoint" in result.stderr
    assert "asked to retry after 86400 s (more than a day)" in result.stderr
    assert [(e["method"], e["path"], e["status"]) for e in journal(emulator_url)] == [
        ("POST", "/oauth/token", 429)
    ]


def test_a_short_retry_after_on_the_token_endpoint_is_waited_for(tmp_path: Path) -> None:
    limited = Answer.json({"statusCode": 429}, status=429, **{"Retry-After": "1"})
    api = ScriptedApi({("POST", TOKEN_PATH): limited})
    with scripted_api(api) as url:
        folder = write_config(tmp_path / "declarations", url)
        write_declarations(folder, ["pay-connector"])

        def recover() -> None:
            """The limit lifts 1.2 s after the first token request (however long the CLI took
            to start): that request and the one after the 1 s Retry-After wait were refused."""
            deadline = time.monotonic() + 30
            while ("POST", TOKEN_PATH) not in api.requests and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(1.2)
            del api.answers[("POST", TOKEN_PATH)]

        healer = threading.Thread(target=recover)
        healer.start()
        result = cli("plan", str(folder), timeout=60)
        healer.join()

    assert result.returncode == 0, result.stderr
    tokens = [r for r in api.requests if r == ("POST", TOKEN_PATH)]
    assert 2 <= len(tokens) <= 5
    assert ("GET", "/connectors/drafts") in api.requests
