"""The floor a plan is measured against: parse the same files with PyYAML's C loader, then the
same three requests (token, two pages of 500) with the standard library's HTTP client.

Run as its own process, timed the same way as the CLI: ``python floor.py FOLDER API_URL``. It
is what any tool must at least do to plan: read every file and read the live set.
"""

from __future__ import annotations

import base64
import http.client
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml

PAGE_LIMIT = 500


def parse(folder: Path) -> int:
    documents = 0
    for path in sorted(folder.glob("connectors/**/*.yaml")):
        with path.open("rb") as handle:
            documents += sum(1 for _ in yaml.load_all(handle, Loader=yaml.CSafeLoader))
    return documents


def read_live(url: str) -> int:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
    basic = base64.b64encode(b"bench-client:bench-secret").decode()
    connection.request(
        "POST",
        "/oauth/token",
        body="grant_type=client_credentials&scope=manage_project:emulator-project",
        headers={
            "Authorization": f"Basic {basic}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    token = json.loads(connection.getresponse().read())["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    seen, offset, total = 0, 0, 1
    while offset < total:
        connection.request(
            "GET",
            f"/connectors/drafts?limit={PAGE_LIMIT}&offset={offset}&sort=createdAt+asc",
            headers=headers,
        )
        page = json.loads(connection.getresponse().read())
        total = page["total"]
        seen += len(page["results"])
        offset += PAGE_LIMIT
    connection.close()
    return seen


def main() -> None:
    folder, url = Path(sys.argv[1]), sys.argv[2]
    documents = parse(folder)
    live = read_live(url)
    print(json.dumps({"documents": documents, "live": live}))


if __name__ == "__main__":
    main()
