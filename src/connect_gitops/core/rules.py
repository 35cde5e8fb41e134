"""The Connect API's validation rules (connect-api.md section 7), in one place.

Declarations, the diff and the loader's hints all read these, so a rule changes here only.
"""

from __future__ import annotations

import re
from typing import Final, Literal, get_args

Region = Literal[
    "europe-west1.gcp",
    "us-central1.gcp",
    "australia-southeast1.gcp",
    "us-east-2.aws",
    "eu-central-1.aws",
]
REGIONS: Final[tuple[str, ...]] = get_args(Region)

IntegrationType = Literal[
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
]
INTEGRATION_TYPES: Final[tuple[str, ...]] = get_args(IntegrationType)

KEY_PATTERN: Final = r"^[A-Za-z0-9_-]{2,256}$"
REPOSITORY_URL_PATTERN: Final = (
    r"^(https://github\.com/|git@github\.com:)[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+\.git$"
)
MAX_TAG_LENGTH: Final = 255
_TAG_FORBIDDEN: Final = frozenset(" ~^:?*[\\\x7f") | {chr(c) for c in range(0x20)}
"""Characters git refuses in a ref name: controls, space, ``~ ^ : ? * [ \\`` and DEL."""
# git's ref name rules for refs/tags/TAG as one pattern, for the JSON Schema (editors): no
# leading '-' (git tag refuses it), no part starting with '.' or ending with '.lock', no '..',
# '//' or '@{', no leading or trailing '/', no trailing '.', none of the forbidden characters.
TAG_PATTERN: Final = (
    r"^(?!-)(?!\.)(?!.*/\.)(?!.*\.\.)(?!.*//)(?!.*@\{)(?!.*\.lock(?:/|$))(?!/)(?!.*/$)"
    r"(?!.*\.$)[^\x00-\x20\x7f~^:?*\[\\]{1,255}$"
)
EMAIL_PATTERN: Final = r"^[^\s@]+@[^\s@]+\.[^\s@]+$"
# The API documents [a-zA-Z0-9-_.]; written here with "-" last so that every regex dialect
# (Python, the ECMAScript of JSON Schema validators) reads it as a literal, not a range.
PROJECT_PATTERN: Final = r"^[a-zA-Z0-9_.-]+:[a-zA-Z0-9_-]{2,36}$"

# Checks use fullmatch: "$" alone also matches before a final newline, which the API refuses.
_KEY = re.compile(KEY_PATTERN)
_REPOSITORY_URL = re.compile(REPOSITORY_URL_PATTERN)
_EMAIL = re.compile(EMAIL_PATTERN)
_PROJECT = re.compile(PROJECT_PATTERN)


def check_key(value: str) -> str:
    """A connector key: 2 to 256 letters, digits, '-' or '_'."""
    if not _KEY.fullmatch(value):
        raise ValueError(
            f"invalid key {value!r}: use 2 to 256 characters of letters, digits, '-' or '_'"
        )
    return value


def check_repository_url(value: str) -> str:
    """A GitHub repository URL, HTTPS or SSH, ending in .git."""
    if not _REPOSITORY_URL.fullmatch(value):
        raise ValueError(
            f"invalid repository url {value!r}: use https://github.com/ORG/REPO.git "
            "or git@github.com:ORG/REPO.git (private repositories must use SSH)"
        )
    return value


def check_tag(value: str) -> str:
    """A git tag name, by git's own rules (``git check-ref-format refs/tags/TAG``, and no
    leading '-', which ``git tag`` refuses), at most 255 characters (the API's limit).

    A semver build tag such as ``v1.0.0+build.1`` is a tag like any other.
    """
    problem = _tag_problem(value)
    if problem is not None:
        raise ValueError(
            f"invalid tag {value!r}: {problem}; use a tag name git accepts "
            f"(git check-ref-format), at most {MAX_TAG_LENGTH} characters"
        )
    return value


def _tag_problem(value: str) -> str | None:
    """What git (or the API's length limit) refuses in ``value``, or None."""
    if not value:
        return "empty"
    if len(value) > MAX_TAG_LENGTH:
        return f"longer than {MAX_TAG_LENGTH} characters"
    forbidden = sorted({ch for ch in value if ch in _TAG_FORBIDDEN})
    if forbidden:
        return "contains " + ", ".join(repr(ch) for ch in forbidden)
    for sequence in ("..", "//", "@{"):
        if sequence in value:
            return f"contains {sequence!r}"
    if value.startswith(("-", "/")):
        return f"starts with {value[0]!r}"
    if value.endswith(("/", ".")):
        return f"ends with {value[-1]!r}"
    parts = value.split("/")
    if any(part.startswith(".") for part in parts):
        return "a part starts with '.'"
    if any(part.endswith(".lock") for part in parts):
        return "a part ends with '.lock'"
    return None


def check_email(value: str) -> str:
    """An e-mail address of the connector's creator."""
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"invalid email {value!r}: use an address like team@example.com")
    return value


def check_region(value: str) -> str:
    """One of the Connect regions of connect-api.md section 1."""
    if value not in REGIONS:
        import difflib  # only for a mistake

        close = difflib.get_close_matches(value, REGIONS, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"unknown region {value!r}: {hint}use one of {', '.join(REGIONS)}")
    return value


def check_project(value: str) -> str:
    """A project identifier, region:projectKey."""
    if not _PROJECT.fullmatch(value):
        raise ValueError(
            f"invalid project identifier {value!r}: use REGION:PROJECT_KEY, "
            "e.g. europe-west1.gcp:shop-staging"
        )
    return value
