"""JSON in and out of route handlers."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from connect_gitops.emulator.errors import invalid_json


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Serialise once; query results are the stored dicts themselves."""
    return Response(
        json.dumps(body), status_code=status, headers=headers, media_type="application/json"
    )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def json_body(request: Request) -> Any:
    """Standard JSON only: NaN and Infinity are refused, and so is nesting too deep to parse."""
    raw = await request.body()
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid_json(f"body: {exc}") from None
    except RecursionError:
        raise invalid_json("body: nested too deeply") from None
