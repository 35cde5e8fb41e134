"""The typed errors of the Connect API client.

Callers branch on the class (a 409 is re-planned, a 404 is "absent", an AmbiguousWrite is re-read).
Every error keeps what a support request needs (status, code, correlation id, method, path, the
API's errors list) and nothing that could carry a secret: no httpx.Request or Response is kept,
and every text passes through a redaction of the known secrets before it is stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from connect_gitops.client.attempt import Answered, AttemptResult, TransportFailure

if TYPE_CHECKING:
    from pydantic import ValidationError

Redact = Callable[[str], str]


def _no_redaction(text: str) -> str:
    return text


class ConnectError(Exception):
    """Base class: one failed operation against the Connect API (or its token endpoint)."""

    def __init__(
        self,
        *,
        method: str,
        path: str,
        message: str,
        status: int | None = None,
        code: str | None = None,
        correlation_id: str | None = None,
        errors: Sequence[Mapping[str, Any]] = (),
        text: str | None = None,
        service: str | None = None,
        note: str | None = None,
    ) -> None:
        self.service = service
        """Who answered, when not the Connect API itself (the token endpoint)."""
        self.note = note
        """Why the client stopped trying early (a Retry-After beyond the request's deadline)."""
        self.status = status
        self.code = code
        self.message = message
        self.correlation_id = correlation_id
        self.method = method
        self.path = path
        self.errors: list[dict[str, Any]] = [dict(e) for e in errors]
        super().__init__(text if text is not None else self._render())

    def _detail(self) -> str:
        return self.message

    def _render(self) -> str:
        head = " ".join(str(p) for p in (self.status, self.code) if p is not None)
        where = f"{self.method} {self.path}"
        if self.service:
            where = f"{where} of {self.service}"
        line = f"{head} on {where}" if head else where
        detail = self._detail()
        if detail:
            line = f"{line}: {detail}"
        if self.note:
            line = f"{line.rstrip('.')}; {self.note}"
        if self.correlation_id:
            line = f"{line} (correlation id {self.correlation_id})"
        return line


class Invalid(ConnectError):
    """400: the API refused the request; ``codes`` lists every error code it gave."""

    @property
    def codes(self) -> list[str]:
        return [str(e["code"]) for e in self.errors if "code" in e]


class Unauthorized(ConnectError):
    """401: no valid token even after one refresh, or the token endpoint refused the credentials."""


class Forbidden(ConnectError):
    """403: the token lacks a scope (e.g. a view_connectors token tried to write)."""


class NotFound(ConnectError):
    """404: the connector does not exist."""


class Conflict(ConnectError):
    """409 ConcurrentModification: someone else changed the connector since it was read."""

    def __init__(
        self,
        *,
        expected_version: int | None = None,
        current_version: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.expected_version = expected_version
        self.current_version = current_version
        super().__init__(**kwargs)

    def _detail(self) -> str:
        if self.expected_version is None and self.current_version is None:
            return self.message
        return f"expected version {self.expected_version}, current {self.current_version}"


class RateLimited(ConnectError):
    """429 after every retry: ``retry_after`` is the server's last hint in seconds, if any."""

    def __init__(self, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(**kwargs)


class ServerError(ConnectError):
    """5xx that is safe to report as failed (a read, or a write that certainly did not happen)."""


class TransportError(ConnectError):
    """No answer: connection error or timeout. ``error_name`` is the httpx exception class name."""

    def __init__(self, *, error_name: str, **kwargs: Any) -> None:
        self.error_name = error_name
        super().__init__(**kwargs)

    def _detail(self) -> str:
        return f"{self.error_name}: {self.message}" if self.message else self.error_name


class AmbiguousWrite(ConnectError):
    """A write whose outcome is unknown (timeout after sending, dropped connection, 500/502/504).

    The caller must re-read before writing again: the version check makes a repeated update safe,
    and a create that may have happened is found by key.
    """

    def __init__(self, *, reason: str, **kwargs: Any) -> None:
        self.reason = reason
        super().__init__(**kwargs)

    def _render(self) -> str:
        line = f"outcome unknown of {self.method} {self.path}: {self.reason}"
        line = f"{line}; re-read before writing again"
        if self.correlation_id:
            line = f"{line} (correlation id {self.correlation_id})"
        return line


class MalformedAnswer(ConnectError):
    """A success status whose body is not what the API documents: an HTML page (a proxy or a
    load balancer), truncated JSON, JSON of another shape. The API's fault, not the user's and
    not a bug of connect-gitops; ``problem`` says what is wrong without quoting the body."""

    def __init__(self, *, problem: str, service: str = "the Connect API", **kwargs: Any) -> None:
        self.problem = problem
        super().__init__(service=service, **kwargs)

    def _render(self) -> str:
        line = (
            f"{self.service} answered {self.method} {self.path} with {self.status} and a body "
            f"that cannot be read: {self.problem}"
        )
        if self.correlation_id:
            line = f"{line} (correlation id {self.correlation_id})"
        return f"{line}; nothing is wrong with the declarations: try again later"


class TooManyConnectors(ConnectError):
    """The project holds more connectors than offset paging can reach, even with the sort trick."""


_BY_STATUS: dict[int, type[ConnectError]] = {
    400: Invalid,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}


def _parse_envelope(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _redact_errors(errors: Any, redact: Redact) -> list[dict[str, Any]]:
    if not isinstance(errors, list):
        return []
    kept = [e for e in errors if isinstance(e, dict)]
    redacted = json.loads(redact(json.dumps(kept)))
    return redacted if isinstance(redacted, list) else []


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _error_text(error: Mapping[str, Any]) -> str:
    """One error of the envelope for people: its message, and the ``detailedErrorMessage`` the
    API adds to InvalidJsonInput and its kin (the field that was refused, and why)."""
    message = str(error["message"])
    detail = error.get("detailedErrorMessage")
    if isinstance(detail, str) and detail and detail not in message:
        return f"{message} ({detail})"
    return message


def api_error_fields(answer: Answered, redact: Redact = _no_redaction) -> dict[str, Any]:
    """Status, code, message and errors list of an error answer (the envelope of connect-api §6).

    The message joins every error's message, each with its ``detailedErrorMessage`` when given.
    Tolerates non-JSON bodies (a proxy's HTML page): the reason phrase stands in for the message,
    and the body itself is never copied into the error.
    """
    envelope = _parse_envelope(answer.body)
    errors = _redact_errors(envelope.get("errors"), redact)
    first = errors[0] if errors else {}
    code = first.get("code") or envelope.get("error")
    messages = [_error_text(e) for e in errors if e.get("message")]
    message = "; ".join(dict.fromkeys(messages)) or envelope.get("message")
    if not isinstance(message, str) or not message:
        try:
            message = HTTPStatus(answer.status).phrase
        except ValueError:
            message = "unexpected answer"
    return {
        "status": answer.status,
        "code": str(code) if code is not None else None,
        "message": redact(message),
        "errors": errors,
    }


def error_for_answer(
    answer: Answered,
    *,
    method: str,
    path: str,
    correlation_id: str | None,
    redact: Redact = _no_redaction,
    service: str | None = None,
    note: str | None = None,
) -> ConnectError:
    """The typed error of a non-2xx answer (``note``: why retrying stopped early)."""
    fields = api_error_fields(answer, redact)
    common: dict[str, Any] = {
        **fields,
        "method": method,
        "path": path,
        "correlation_id": answer.correlation_id or correlation_id,
        "service": service,
        "note": note,
    }
    cls = _BY_STATUS.get(answer.status)
    if cls is Conflict:
        first = fields["errors"][0] if fields["errors"] else {}
        return Conflict(
            expected_version=_int_or_none(first.get("expectedVersion")),
            current_version=_int_or_none(first.get("currentVersion")),
            **common,
        )
    if cls is RateLimited:
        return RateLimited(retry_after=answer.retry_after, **common)
    if cls is not None:
        return cls(**common)
    if answer.status >= 500:
        return ServerError(**common)
    return ConnectError(**common)


def error_for_failure(
    failure: TransportFailure,
    *,
    method: str,
    path: str,
    correlation_id: str | None,
    redact: Redact = _no_redaction,
    service: str | None = None,
    note: str | None = None,
) -> TransportError:
    """The TransportError of a request that got no answer (``note``: why retrying stopped)."""
    return TransportError(
        error_name=failure.error_name,
        method=method,
        path=path,
        message=redact(failure.detail),
        correlation_id=correlation_id,
        service=service,
        note=note,
    )


def ambiguous_write(
    result: AttemptResult,
    *,
    method: str,
    path: str,
    correlation_id: str | None,
    redact: Redact = _no_redaction,
) -> AmbiguousWrite:
    """The AmbiguousWrite of a write that may or may not have happened."""
    if isinstance(result, Answered):
        fields = api_error_fields(result, redact)
        head = " ".join(str(p) for p in (fields["status"], fields["code"]) if p is not None)
        return AmbiguousWrite(
            reason=f"{head}: {fields['message']}",
            method=method,
            path=path,
            correlation_id=result.correlation_id or correlation_id,
            **fields,
        )
    return AmbiguousWrite(
        reason=f"{result.error_name} ({result.kind.value})",
        method=method,
        path=path,
        message=redact(result.detail),
        correlation_id=correlation_id,
    )


_MAX_LOCATION = 80


def _location(loc: Sequence[Any]) -> str:
    """A pydantic error location, printable and short (dict keys come from the answer)."""
    text = ".".join(str(part) for part in loc)
    text = "".join(char if char.isprintable() else "?" for char in text)
    return text if len(text) <= _MAX_LOCATION else text[: _MAX_LOCATION - 1] + "…"


def body_problem(body: bytes, error: ValidationError | None, expected: str) -> str:
    """What is wrong with an answer's body, in words that quote none of it (it may echo a
    header, or be a page of HTML)."""
    stripped = body.lstrip()
    if not stripped:
        return f"the body is empty, not {expected}"
    if stripped[:1] == b"<":
        return f"the body is HTML or XML, not {expected} (a proxy or gateway page?)"
    details = error.errors(include_url=False, include_input=False) if error is not None else []
    if not details or any(d["type"] in ("json_invalid", "json_type") for d in details):
        return f"the body is not valid JSON (cut short?), not {expected}"
    first = details[0]
    where = _location(first["loc"])
    more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
    return f"the JSON is not {expected}: {where}: {first['msg']}{more}"


def malformed_answer(
    answer: Answered,
    error: ValidationError | None,
    *,
    expected: str,
    method: str,
    path: str,
    correlation_id: str | None,
    redact: Redact = _no_redaction,
    service: str = "the Connect API",
) -> MalformedAnswer:
    """The error of a success answer whose body does not parse as ``expected``."""
    problem = redact(body_problem(answer.body, error, expected))
    return MalformedAnswer(
        problem=problem,
        service=service,
        method=method,
        path=path,
        message=problem,
        status=answer.status,
        correlation_id=answer.correlation_id or correlation_id,
    )
