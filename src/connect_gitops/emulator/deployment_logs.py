"""A deployment's log lines and `GET .../logs` with its cursor (RAML deploymentLogs).

Lines are written by the build steps (see `deployment_lifecycle`), oldest first, at most
`KEPT_LINES` per deployment. A page holds `logPageSize` lines; `next` is an opaque token for the
following page (query parameter `pageToken`, as the RAML names it) and is absent on the last.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import UTC, datetime

from connect_gitops.emulator.errors import ApiError, JsonObject, connect_error, invalid_query
from connect_gitops.emulator.store import timestamp

KEPT_LINES = 1000
MAX_AGE_SECONDS = 30 * 24 * 3600
AWS_SUFFIX = ".aws"


def append(
    meta: JsonObject, deployment_id: str, application: str, severity: str, message: str, at: float
) -> None:
    lines: list[JsonObject] = meta.setdefault("logs", [])
    lines.append(
        {
            "type": "APPLICATION_TEXT",
            "deploymentId": deployment_id,
            "applicationName": application,
            "severity": severity,
            "timestamp": timestamp(at),
            "details": {"message": message},
        }
    )
    del lines[:-KEPT_LINES]


def _invalid_date() -> ApiError:
    return connect_error("DeploymentLogInvalidDate", "Invalid start/end date")


def _date(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise _invalid_date() from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _token(deployment_id: str, offset: int) -> str:
    raw = json.dumps({"d": deployment_id, "o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset(token: str, deployment_id: str) -> int:
    invalid = connect_error("DeploymentLogInvalidPageToken", f"Invalid page token: {token}")
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError):
        raise invalid from None
    if not isinstance(data, dict) or data.get("d") != deployment_id:
        raise invalid
    offset = data.get("o")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise invalid
    return offset


def query(
    deployment: JsonObject, meta: JsonObject, params: Mapping[str, str], page_size: int, now: float
) -> JsonObject:
    """`{"data": [lines], "next": token}` for `applicationName`, `startDate`, `endDate`,
    `pageToken`, with the RAML's errors."""
    if "nextPageToken" in params:
        # connect-api.md's name; the RAML's is pageToken. Ignored, it would serve the first
        # page forever to a client that follows `next`: refused so the mistake shows.
        raise invalid_query("nextPageToken: unknown parameter, the cursor parameter is pageToken")
    application = params.get("applicationName")
    names = {a["applicationName"] for a in deployment["applications"]}
    if application is None and deployment["deployedRegion"].endswith(AWS_SUFFIX):
        raise connect_error(
            "DeploymentLogMissingApplicationName",
            "Missing application name when fetching deployment logs",
        )
    if application is not None and application not in names:
        raise connect_error(
            "DeploymentApplicationDoesNotExist",
            f"Deployment does not have an application named {application}.",
        )
    start, end = _date(params.get("startDate")), _date(params.get("endDate"))
    if start is not None and (start < now - MAX_AGE_SECONDS or start > now):
        raise _invalid_date()
    if end is not None and start is not None and end < start:
        raise _invalid_date()
    lines = [
        line
        for line in meta.get("logs", [])
        if (application is None or line["applicationName"] == application)
        and (start is None or line["timestamp"] >= timestamp(start))
        and (end is None or line["timestamp"] <= timestamp(end))
    ]
    token = params.get("pageToken")
    offset = 0 if token is None else _offset(token, deployment["id"])
    page: JsonObject = {"data": lines[offset : offset + page_size]}
    if offset + page_size < len(lines):
        page["next"] = _token(deployment["id"], offset + page_size)
    return page
