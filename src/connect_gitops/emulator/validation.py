"""Field checks for drafts and update actions; each failure is an `InvalidJsonInput`.

The detailed message names the field path, as the real API's `detailedErrorMessage` does, so a
user can find the offending value. As strict as the RAML: every field is required unless the RAML
marks it optional, and an unknown field is refused rather than dropped, so a client that misspells
a field finds out here and not in production.
"""

from __future__ import annotations

from typing import Any

from connect_gitops.emulator import rules
from connect_gitops.emulator.errors import ApiError, JsonObject, invalid_json

CREATOR_TEXT_FIELDS = ("name", "title", "company", "logoUrl", "supportUrl")
CREATOR_FIELDS = frozenset({"email", "noOfContributors", *CREATOR_TEXT_FIELDS})
REPOSITORY_FIELDS = frozenset({"url", "tag"})
DRAFT_FIELDS = frozenset(
    {
        "key",
        "name",
        "description",
        "integrationTypes",
        "creator",
        "repository",
        "supportedRegions",
        "privateProjects",
        "documentationUrl",
    }
)


def missing(path: str) -> ApiError:
    return invalid_json(f"{path}: Missing required value")


def wrong(path: str, value: Any, expected: str) -> ApiError:
    return invalid_json(f"{path}: Invalid value {value!r}: expected {expected}")


def known_fields(obj: JsonObject, allowed: frozenset[str], prefix: str = "") -> None:
    """Refuse the first field of `obj` that is not in `allowed` (read-only ones included)."""
    for name in obj:
        if name not in allowed:
            raise invalid_json(f"{prefix}{name}: Unknown field")


def present(obj: JsonObject, field: str, path: str) -> None:
    """A required field must be sent, even where null is a meaningful value."""
    if field not in obj:
        raise missing(path)


def text(obj: JsonObject, field: str, path: str, *, required: bool = True) -> str | None:
    """A string field; required ones must be present and non-empty."""
    value = obj.get(field)
    if value is None:
        if required:
            raise missing(path)
        return None
    if not isinstance(value, str):
        raise wrong(path, value, "a string")
    if required and not value:
        raise wrong(path, value, "a non-empty string")
    return value


def key(value: Any, path: str) -> str:
    if not isinstance(value, str) or not rules.KEY.fullmatch(value):
        raise wrong(path, value, "2 to 256 characters of letters, digits, '-' or '_'")
    return value


def email(value: Any, path: str) -> str:
    if value is None:
        raise missing(path)
    if not isinstance(value, str) or not rules.EMAIL.fullmatch(value):
        raise wrong(path, value, "an email address")
    return value


def contributors(value: Any, path: str) -> int:
    if value is None:
        raise missing(path)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise wrong(path, value, "an integer of at least 1")
    return value


def repository(url: Any, tag: Any, path: str) -> JsonObject:
    if url is None:
        raise missing(f"{path}.url")
    if not isinstance(url, str) or not rules.is_valid_repository_url(url):
        raise wrong(f"{path}.url", url, "an HTTPS or SSH GitHub URL ending in .git")
    if tag is None:
        raise missing(f"{path}.tag")
    if not isinstance(tag, str) or not rules.is_valid_tag(tag):
        raise wrong(f"{path}.tag", tag, "a git tag name of at most 255 characters")
    return {"url": url, "tag": tag}


def string_list(value: Any, path: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise wrong(path, value, "a list of strings")
    return list(value)


def regions(value: Any, path: str, *, at_least_one: bool) -> list[str]:
    if value is None:
        raise missing(path)
    items = string_list(value, path)
    for item in items:
        if item not in rules.REGIONS:
            raise wrong(path, item, "one of " + ", ".join(sorted(rules.REGIONS)))
    if at_least_one and not items:
        raise wrong(path, items, "at least one region")
    return items


def integration_types(value: Any, path: str) -> list[str]:
    if value is None:
        raise missing(path)
    items = string_list(value, path)
    for item in items:
        if item not in rules.INTEGRATION_TYPES:
            raise wrong(path, item, "one of " + ", ".join(sorted(rules.INTEGRATION_TYPES)))
    return items


def project(value: Any, path: str) -> str:
    if value is None:
        raise missing(path)
    if not isinstance(value, str) or not rules.PROJECT.fullmatch(value):
        raise wrong(path, value, "'{region}:{projectKey}'")
    return value


def creator(value: Any) -> JsonObject:
    if value is None:
        raise missing("creator")
    if not isinstance(value, dict):
        raise wrong("creator", value, "an object")
    known_fields(value, CREATOR_FIELDS, "creator.")
    result: JsonObject = {"email": email(value.get("email"), "creator.email")}
    for field in CREATOR_TEXT_FIELDS:
        found = text(value, field, f"creator.{field}", required=False)
        if found is not None:
            result[field] = found
    if value.get("noOfContributors") is not None:
        result["noOfContributors"] = contributors(
            value["noOfContributors"], "creator.noOfContributors"
        )
    return result


def draft(body: Any) -> JsonObject:
    """A ConnectorStagedDraft's fields; unknown and read-only ones (`id`, `private`) are refused."""
    if not isinstance(body, dict):
        raise invalid_json("body: expected a JSON object")
    known_fields(body, DRAFT_FIELDS)
    name = text(body, "name", "name")
    fields: JsonObject = {}
    if body.get("key") is not None:
        fields["key"] = key(body["key"], "key")
    fields["name"] = name
    description = text(body, "description", "description", required=False)
    if description is not None:
        fields["description"] = description
    fields["creator"] = creator(body.get("creator"))
    repo = body.get("repository")
    if repo is None:
        raise missing("repository")
    if not isinstance(repo, dict):
        raise wrong("repository", repo, "an object")
    known_fields(repo, REPOSITORY_FIELDS, "repository.")
    fields["repository"] = repository(repo.get("url"), repo.get("tag"), "repository")
    types = body.get("integrationTypes")
    fields["integrationTypes"] = (
        [] if types is None else integration_types(types, "integrationTypes")
    )
    found_regions = body.get("supportedRegions")
    fields["supportedRegions"] = (
        []
        if found_regions is None
        else regions(found_regions, "supportedRegions", at_least_one=False)
    )
    projects = body.get("privateProjects")
    if projects is None:
        fields["privateProjects"] = []
    else:
        fields["privateProjects"] = [
            project(item, f"privateProjects[{index}]")
            for index, item in enumerate(string_list(projects, "privateProjects"))
        ]
    documentation = text(body, "documentationUrl", "documentationUrl", required=False)
    if documentation is not None:
        fields["documentationUrl"] = documentation
    return fields
