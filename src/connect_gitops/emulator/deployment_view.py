"""A stored deployment as the API shows it: secured values never in clear.

The docs say secured values "cannot be accessed after being set" (the RAML examples show them);
the `securedValues` setting picks what a client gets back, so it can be tested against each:
"masked" (default) `{"key": K, "value": "****"}`, "keyOnly" `{"key": K}`, "hidden" (empty list).
"""

from __future__ import annotations

from connect_gitops.emulator.errors import JsonObject
from connect_gitops.emulator.settings import Settings

MASK = "****"


def _secured(values: list[JsonObject], mode: str) -> list[JsonObject]:
    if mode == "hidden":
        return []
    if mode == "keyOnly":
        return [{"key": v["key"]} for v in values]
    return [{"key": v["key"], "value": MASK} for v in values]


def _with_secured(container: JsonObject, mode: str) -> JsonObject:
    return {
        **container,
        "securedConfiguration": _secured(container.get("securedConfiguration", []), mode),
    }


def render(deployment: JsonObject, settings: Settings) -> JsonObject:
    """A new dict; the stored deployment (with its value hashes) is left as it is."""
    mode = settings.securedValues
    shown = dict(deployment)
    shown["applications"] = [_with_secured(a, mode) for a in deployment["applications"]]
    if "globalConfiguration" in deployment:
        shown["globalConfiguration"] = _with_secured(deployment["globalConfiguration"], mode)
    return shown
