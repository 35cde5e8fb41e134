"""API answers that do not parse are the API's error: the CLI says which request got which
answer (method, path, status, correlation id) and exits 1, never "internal error, please report
it". Served over a real socket by a scripted API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connect_gitops.client.api import ConnectClient
from connect_gitops.client.errors import MalformedAnswer
from connect_gitops.client.retry import RetryPolicy
from tests.support.cli import cli
from tests.support.declarations import write_config, write_declarations
from tests.support.scripted_api import TOKEN_PATH, Answer, ScriptedApi, scripted_api

DRAFTS = "/connectors/drafts"
CID = r"\(correlation id connect-gitops/[0-9a-f-]{36}\)"
HTML = Answer(
    200, b"<!DOCTYPE html><html><body>Bad gateway</body></html>", {"Content-Type": "text/html"}
)
CUT = Answer(200, b'{"limit": 500, "offset": 0, "total": 1, "results": [{"id": "x", "ke')
WRONG_SHAPE = Answer.json({"total": 1, "results": "none"})
NO_ID = Answer.json({"total": 1, "results": [{"key": "pay-connector", "version": 1}]})


def plan(tmp_path: Path, api: ScriptedApi) -> tuple[int, str]:
    with scripted_api(api) as url:
        folder = write_config(tmp_path / "declarations", url)
        write_declarations(folder, ["pay-connector"])
        result = cli("plan", str(folder), timeout=60)
    return result.returncode, result.stderr


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (HTML, "the body is HTML or XML, not a page of connectors (a proxy or gateway page?)"),
        (CUT, "the body is not valid JSON (cut short?), not a page of connectors"),
        (Answer(200), "the body is empty, not a page of connectors"),
        (
            WRONG_SHAPE,
            "the JSON is not a page of connectors: results: Input should be a valid array",
        ),
        (NO_ID, "the JSON is not a page of connectors: results.0.id: Field required"),
    ],
    ids=["html", "cut", "empty", "wrong-shape", "no-id"],
)
def test_a_page_that_does_not_parse_is_the_apis_error(
    tmp_path: Path, answer: Answer, problem: str
) -> None:
    code, stderr = plan(tmp_path, ScriptedApi({("GET", DRAFTS): answer}))

    assert code == 1
    assert "internal error" not in stderr
    assert "please report" not in stderr
    last = stderr.splitlines()[-1]
    assert re.fullmatch(
        re.escape(
            f"error: the Connect API answered GET {DRAFTS} with 200 and a body that cannot be "
            f"read: {problem}"
        )
        + f" {CID}; nothing is wrong with the declarations: try again later",
        last,
    ), last


def test_a_token_answer_without_a_token_is_the_token_endpoints_error(tmp_path: Path) -> None:
    api = ScriptedApi({("POST", TOKEN_PATH): HTML})

    code, stderr = plan(tmp_path, api)

    assert code == 1
    assert "check CTP_CLIENT_ID" not in stderr  # a 200 means the credentials were accepted
    assert re.search(
        r"error: the token endpoint http://127\.0\.0\.1:\d+ answered POST /oauth/token with "
        r"200 and a body that cannot be read: the body is HTML or XML, not a token response",
        stderr,
    ), stderr
    assert ("GET", DRAFTS) not in api.requests


def test_the_message_never_quotes_the_body(tmp_path: Path) -> None:
    """The body may echo the Authorization header: the message says what is wrong, not what
    the body holds."""
    echo = Answer.json(
        {
            "total": 1,
            "results": [{"id": "x", "key": "k1", "version": "Bearer scripted-token-value"}],
        }
    )

    code, stderr = plan(tmp_path, ScriptedApi({("GET", DRAFTS): echo}))

    assert code == 1
    assert "results.0.version: Input should be a valid integer" in stderr
    assert "scripted-token-value" not in stderr


@pytest.mark.anyio
async def test_single_reads_and_writes_that_do_not_parse_raise_malformed_answer() -> None:
    api = ScriptedApi(
        {
            ("GET", f"{DRAFTS}/key=pay-connector"): HTML,
            ("POST", DRAFTS): Answer.json({"created": True}, status=201),
        }
    )
    with scripted_api(api) as url:
        async with ConnectClient(
            api_url=url,
            auth_url=url,
            project_key="shop",
            client_id="id",
            client_secret="secret",
            scopes=["manage_connectors"],
            retry=RetryPolicy(max_attempts=1),
        ) as client:
            with pytest.raises(MalformedAnswer) as read:
                await client.get_by_key("pay-connector")
            with pytest.raises(MalformedAnswer) as write:
                await client.create({"key": "pay-connector"})

    assert (read.value.method, read.value.path, read.value.status) == (
        "GET",
        f"{DRAFTS}/key=pay-connector",
        200,
    )
    assert read.value.correlation_id is not None
    assert (write.value.method, write.value.status) == ("POST", 201)
    assert "the JSON is not a connector: id: Field required" in str(write.value)
