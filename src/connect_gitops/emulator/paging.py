"""Paged query results: limit, offset, repeated `sort` and the shared filters' checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from connect_gitops.emulator import rules
from connect_gitops.emulator.errors import JsonObject, invalid_query


def integer(params: Mapping[str, str], name: str, default: int, maximum: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) > maximum:
        raise invalid_query(f"{name}: {raw!r} must be an integer from 0 to {maximum}")
    return int(raw)


def boolean(params: Mapping[str, str], name: str) -> bool | None:
    raw = params.get(name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise invalid_query(f"{name}: {raw!r} must be true or false")
    return raw == "true"


def _sort_key(name: str) -> Callable[[JsonObject], str]:
    return lambda connector: str(connector.get(name) or "")


def _sorted(
    items: list[JsonObject], sorts: Sequence[str], fields: frozenset[str]
) -> list[JsonObject]:
    """Stable multi-key sort: the first `sort` parameter is the primary key."""
    parsed: list[tuple[str, bool]] = []
    for sort in sorts:
        parts = sort.split()
        direction = parts[1].lower() if len(parts) == 2 else "asc"
        if not 1 <= len(parts) <= 2 or parts[0] not in fields or direction not in ("asc", "desc"):
            raise invalid_query(
                f"sort: {sort!r} must be '<field> asc' or '<field> desc' with field one of "
                + ", ".join(sorted(fields))
            )
        parsed.append((parts[0], direction == "desc"))
    for name, descending in reversed(parsed):
        items = sorted(items, key=_sort_key(name), reverse=descending)
    return items


def page(
    items: list[JsonObject], params: Mapping[str, str], sorts: Sequence[str], fields: frozenset[str]
) -> JsonObject:
    """A paged result; the stored dicts themselves, not copies (the caller serialises once)."""
    limit = integer(params, "limit", rules.DEFAULT_LIMIT, rules.MAX_LIMIT)
    offset = integer(params, "offset", 0, rules.MAX_OFFSET)
    ordered = _sorted(items, sorts, fields) if sorts else items
    results = ordered[offset : offset + limit]
    return {
        "limit": limit,
        "offset": offset,
        "count": len(results),
        "total": len(items),
        "results": results,
    }


def types_filter(types: Sequence[str]) -> set[str]:
    for item in types:
        if item not in rules.INTEGRATION_TYPES:
            raise invalid_query(f"integrationTypes: {item!r} is not an integration type")
    return set(types)
