"""The emulator's own copy of the Connect validation rules (connect-api.md section 7).

Deliberately not shared with `connect_gitops.core.rules`: if both sides read one table, a wrong
rule would pass every integration test.
"""

from __future__ import annotations

import re
from typing import Final

REGIONS: Final = frozenset(
    {
        "europe-west1.gcp",
        "us-central1.gcp",
        "australia-southeast1.gcp",
        "us-east-2.aws",
        "eu-central-1.aws",
    }
)
INTEGRATION_TYPES: Final = frozenset(
    {
        "analytics",
        "crm",
        "email",
        "erp",
        "giftcard",
        "marketplace",
        "oms",
        "other",
        "pim",
        "promotion",
        "psp",
        "search",
        "shipping",
        "tax",
    }
)
# Every pattern is used with `fullmatch`: `match` with `$` would accept a trailing newline.
KEY: Final = re.compile(r"[A-Za-z0-9_-]{2,256}")
GITHUB_URL: Final = re.compile(
    r"(https://github\.com/|git@github\.com:)[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+\.git"
)
TAG_PART: Final = re.compile(r"[^\x00-\x20\x7f~^:?*\[\\/]+")
"""One '/'-separated part of a tag: none of the characters git refuses in a ref name."""
MAX_TAG_LENGTH: Final = 255
EMAIL: Final = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
PROJECT: Final = re.compile(r"[a-zA-Z0-9-_.]+:[a-zA-Z0-9-_]{2,36}")
PROJECT_KEY: Final = re.compile(r"[a-zA-Z0-9-_]{2,36}")
SCOPES: Final = frozenset(
    {
        "manage_project",
        "manage_connectors",
        "view_connectors",
        "manage_connectors_deployments",
        "view_connectors_deployments",
        "manage_api_clients",
    }
)
READ_SCOPES: Final = frozenset({"manage_project", "manage_connectors", "view_connectors"})
WRITE_SCOPES: Final = frozenset({"manage_project", "manage_connectors"})
DEPLOYMENT_READ_SCOPES: Final = frozenset(
    {"manage_project", "manage_connectors_deployments", "view_connectors_deployments"}
)
DEPLOYMENT_WRITE_SCOPES: Final = frozenset({"manage_project", "manage_connectors_deployments"})
API_CLIENT_SCOPES: Final = frozenset({"manage_project", "manage_api_clients"})
DEPLOYMENT_TYPES: Final = frozenset({"preview", "sandbox", "production"})
DEPLOYMENT_SORT_FIELDS: Final = frozenset({"key", "createdAt", "lastModifiedAt"})
DEFAULT_PROJECT: Final = "emulator-project"
MAX_LIMIT: Final = 500
MAX_OFFSET: Final = 10_000
DEFAULT_LIMIT: Final = 20
SORT_FIELDS: Final = frozenset({"key", "createdAt", "lastModifiedAt"})


def is_valid_tag(value: str) -> bool:
    """A tag name git accepts (`git check-ref-format refs/tags/TAG`; `git tag` also refuses a
    leading '-'), within the API's 255 characters. `v1.0.0+build.1` is one."""
    if not 0 < len(value) <= MAX_TAG_LENGTH or value.startswith("-") or value.endswith("."):
        return False
    if ".." in value or "@{" in value:
        return False
    return all(
        TAG_PART.fullmatch(part) and not part.startswith(".") and not part.endswith(".lock")
        for part in value.split("/")  # an empty part: '//', or a leading or trailing '/'
    )


def is_local_repository(url: str) -> bool:
    """Local paths and file:// URLs: an emulator extension so tests need no GitHub."""
    return url.startswith(("file://", "/")) and url.isprintable()


def is_valid_repository_url(url: str) -> bool:
    return bool(GITHUB_URL.fullmatch(url)) or is_local_repository(url)
