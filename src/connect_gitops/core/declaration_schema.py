"""Which kind of declaration a YAML document is, and the JSON Schema editors use for both kinds.

A document without ``kind`` (or ``kind: Connector``) declares a connector, as before deployments
existed; ``kind: Deployment`` a deployment. The combined schema picks the right one by ``kind``
with draft-07 ``if``/``then``/``else``, which yaml-language-server understands.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, Final, Literal

from connect_gitops.core.declarations import (
    _DeclarationSchema,
    declaration_json_schema,
)
from connect_gitops.core.deployments.declarations import DeploymentDeclaration

DeclarationKind = Literal["Connector", "Deployment"]
KINDS: Final[tuple[DeclarationKind, ...]] = ("Connector", "Deployment")


class UnknownKind(ValueError):
    """A ``kind`` that is neither Connector nor Deployment; the message says which to use."""


def declaration_kind(document: Mapping[str, Any]) -> DeclarationKind:
    """The kind a parsed document declares; raises :class:`UnknownKind` for any other value.

    The loader removes ``kind`` from a connector document before validating it: connector
    declarations are validated as they always were.
    """
    if "kind" not in document:
        return "Connector"
    kind = document["kind"]
    if kind in KINDS:
        return kind  # type: ignore[no-any-return]  # checked against the literals just above
    if not isinstance(kind, str):
        raise UnknownKind(f"kind must be one of {', '.join(KINDS)}")
    folded: dict[str, str] = {known.lower(): known for known in KINDS}
    close = folded.get(kind.lower()) or next(
        iter(difflib.get_close_matches(kind, KINDS, n=1, cutoff=0.6)), None
    )
    hint = f": did you mean {close!r}?" if close else ""
    raise UnknownKind(f"unknown kind {kind!r}{hint} (use {' or '.join(KINDS)})")


def deployment_json_schema() -> dict[str, Any]:
    """The JSON Schema of a deployment document (draft-07 layout, ``definitions``)."""
    schema = DeploymentDeclaration.model_json_schema(
        ref_template="#/definitions/{model}", schema_generator=_DeclarationSchema
    )
    schema["definitions"] = schema.pop("$defs", {})
    tidy: dict[str, Any] = _map_keys_as_property_names(schema)
    return tidy


def declarations_json_schema() -> dict[str, Any]:
    """One schema for every declaration file: a deployment when ``kind: Deployment``, else a
    connector (``connect-gitops schema``)."""
    connector = declaration_json_schema()
    deployment = deployment_json_schema()
    definitions = dict(connector.pop("definitions", {}))
    for name, definition in deployment.pop("definitions", {}).items():
        if definitions.setdefault(name, definition) != definition:
            raise AssertionError(f"two declaration models are both named {name}")
    connector["properties"] = {
        "kind": {
            "const": "Connector",
            "description": "Optional: a document without kind declares a connector.",
        },
        **connector["properties"],
    }
    definitions["ConnectorDeclaration"] = connector
    definitions["DeploymentDeclaration"] = deployment
    return {
        "title": "connect-gitops declaration",
        "description": "A connector (no kind, or kind: Connector) or a deployment "
        "(kind: Deployment) declared for connect-gitops.",
        "type": "object",
        "properties": {"kind": {"enum": list(KINDS)}},
        "if": {"properties": {"kind": {"const": "Deployment"}}, "required": ["kind"]},
        "then": {"$ref": "#/definitions/DeploymentDeclaration"},
        "else": {"$ref": "#/definitions/ConnectorDeclaration"},
        "definitions": definitions,
    }


def _map_keys_as_property_names(schema: Any) -> Any:
    """Maps keyed by a pattern (application names, configuration keys) as ``propertyNames``.

    Pydantic writes them as ``patternProperties``, which lets any other key through unchecked;
    ``propertyNames`` makes an editor flag a key like ``log-level`` where ``LOG_LEVEL`` is meant.
    """
    if isinstance(schema, list):
        return [_map_keys_as_property_names(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    tidy = {key: _map_keys_as_property_names(value) for key, value in schema.items()}
    patterns = tidy.get("patternProperties")
    if isinstance(patterns, dict) and len(patterns) == 1:
        [(pattern, values)] = patterns.items()
        del tidy["patternProperties"]
        tidy["propertyNames"] = {"pattern": pattern, **tidy.get("propertyNames", {})}
        tidy["additionalProperties"] = values
    return tidy
