"""The Connect error envelope (connect-api.md section 6).

Every failure inside the emulator is an `ApiError`; the app turns it into the envelope, so a
client sees the same shape whichever rule refused its request.
"""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]

INVALID_JSON_MESSAGE = "Request body does not contain valid JSON."


class ApiError(Exception):
    """An error response: status, then one or more error objects of the envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        extra: JsonObject | None = None,
        top_level: JsonObject | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}
        self.top_level = top_level or {}
        self.headers = headers or {}

    def envelope(self) -> JsonObject:
        """The JSON body: statusCode, message of the first error, errors, extra top-level keys."""
        error: JsonObject = {"code": self.code, "message": self.message, **self.extra}
        return {
            "statusCode": self.status,
            "message": self.message,
            "errors": [error],
            **self.top_level,
        }


def invalid_json(detail: str) -> ApiError:
    """A body that is not JSON, or lacks or misshapes a field."""
    return ApiError(
        400, "InvalidJsonInput", INVALID_JSON_MESSAGE, extra={"detailedErrorMessage": detail}
    )


def invalid_query(detail: str) -> ApiError:
    return ApiError(
        400,
        "InvalidQueryParam",
        "Request query parameter is not valid.",
        extra={"detailedErrorMessage": detail},
    )


def not_found(what: str) -> ApiError:
    return ApiError(404, "ResourceNotFound", f"The Resource with {what} was not found.")


def concurrent_modification(resource_id: str, expected: int, current: int) -> ApiError:
    return ApiError(
        409,
        "ConcurrentModification",
        f"Object {resource_id} has a different version than expected. "
        f"Expected: {expected} - Actual: {current}.",
        extra={"expectedVersion": expected, "currentVersion": current},
    )


def connect_error(code: str, message: str) -> ApiError:
    """One of the Connect-specific 400 codes of connect-api.md sections 4 and 5."""
    return ApiError(400, code, message)


def invalid_token() -> ApiError:
    return ApiError(401, "invalid_token", "invalid_token", top_level={"error": "invalid_token"})


def insufficient_scope(needed: str) -> ApiError:
    message = f"Insufficient scope. One of the following scopes is missing: {needed}"
    return ApiError(403, "insufficient_scope", message, top_level={"error": "insufficient_scope"})


STATUS_CODES: dict[int, tuple[str, str]] = {
    429: ("TooManyRequests", "Too many requests."),
    500: ("General", "Internal server error."),
    502: ("BadGateway", "Bad gateway."),
    503: ("ServiceUnavailable", "Service unavailable."),
    504: ("GatewayTimeout", "Gateway timeout."),
}


def for_status(status: int) -> ApiError:
    """The envelope an injected fault answers with for a bare status code."""
    code, message = STATUS_CODES.get(status, ("General", f"HTTP {status}."))
    return ApiError(status, code, message)
