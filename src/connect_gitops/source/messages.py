"""Turn pydantic validation errors into messages a YAML author can act on.

Pydantic says "Input should be a valid string"; a user who wrote ``tag: 1.0`` needs "got the
number 1.0: quote it". Unknown fields get a "did you mean" from the names allowed at that level,
and every error says where to point: at a value, at a key, or at the mapping that lacks a key.
The positions themselves come from :func:`connect_gitops.source.yaml_positions.locate`.

Map keys are validated too (application names, configuration keys): pydantic ends such an
error's path with a ``[key]`` segment; here it becomes an error that points at the key itself.
Nothing written under a ``securedConfiguration`` is repeated in a message or a path: a secret
pasted there by mistake must not reach a terminal or a CI log.
"""

from __future__ import annotations

import datetime
import json
import re
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from connect_gitops.source.yaml_positions import Anchor

Loc = tuple[str | int, ...]

KEY_SEGMENT = "[key]"
"""Pydantic's last path segment for an error in a map's key rather than its value."""
SECRET_FIELDS = frozenset({"securedConfiguration"})
"""Maps whose keys and values are never repeated in an error."""
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_CONFIGURATION_KEY = re.compile(r"[A-Za-z0-9_]{2,256}")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One error of one document: the field path, what to point at, and the message."""

    loc: Loc
    anchor: Anchor
    message: str
    shown: Loc | None = None
    """The path as shown when it differs from ``loc`` (a key that must not be repeated)."""

    @property
    def path(self) -> str:
        return format_path(self.loc if self.shown is None else self.shown)


def format_path(loc: Sequence[str | int]) -> str:
    """``('privateProjects', 1)`` -> ``privateProjects[1]``; ``('creator', 'email')`` -> dotted.

    A name that is not plain letters, digits, '-' and '_' is quoted with escapes
    (``configurations["ser\\nvice"]``), so a key with a dot, a space or a control character
    reads as one key and cannot break the line it is shown on.
    """
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not _PLAIN_SEGMENT.fullmatch(part):
            text += f"[{json.dumps(part, ensure_ascii=True)}]"
        else:
            text += f".{part}" if text else part
    return text


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate, also across camelCase/snake_case spellings."""
    options = list(candidates)
    folded = word.replace("_", "").replace("-", "").lower()
    for option in options:
        if option.lower() == folded:
            return option
    import difflib  # only for a mistake

    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggestion(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` or nothing."""
    match = did_you_mean(word, candidates)
    return f"; did you mean {match!r}?" if match else ""


def describe_errors(error: ValidationError, model: type[BaseModel]) -> list[FieldError]:
    """Every error of one validation, in the order pydantic found them."""
    return [describe(detail, model) for detail in error.errors(include_url=False)]


def describe(detail: ErrorDetails, model: type[BaseModel]) -> FieldError:
    loc: Loc = tuple(detail["loc"])
    if any(part in SECRET_FIELDS for part in loc):
        return _describe_secret(detail, loc, model)
    if loc and loc[-1] == KEY_SEGMENT:
        described = _describe_value(detail, loc[:-1], model)
        return FieldError(described.loc, "key", described.message)
    return _describe_value(detail, loc, model)


def _describe_secret(detail: ErrorDetails, loc: Loc, model: type[BaseModel]) -> FieldError:
    """An error under a secured map, told without the value written there: the path shows a
    key only when it is a valid configuration key, and no name the user made up below it."""
    secured = next(i for i, part in enumerate(loc) if part in SECRET_FIELDS)
    shown = loc[: secured + 1]
    below = loc[secured + 1 :]
    if below and below[0] != KEY_SEGMENT and _CONFIGURATION_KEY.fullmatch(str(below[0])):
        shown += below[:1] + (("fromEnv",) if below[1:2] == ("fromEnv",) else ())
    if loc[-1] == KEY_SEGMENT:
        message = (
            "a key here is not a valid configuration key (2 to 256 letters, digits or '_', "
            "not PORT, K_SERVICE, K_REVISION or K_CONFIGURATION); it is not repeated, in case "
            "a secret landed there"
        )
        return FieldError(loc[:-1], "key", message, shown=shown)
    hidden: ErrorDetails = {**detail, "input": _NOT_REPEATED}
    described = _describe_value(hidden, loc, model)
    return FieldError(described.loc, described.anchor, described.message, shown=shown)


class _NotRepeated:
    """Stands for a value under a secured map: described, never shown."""


_NOT_REPEATED = _NotRepeated()


def _describe_value(detail: ErrorDetails, loc: Loc, model: type[BaseModel]) -> FieldError:
    kind = detail["type"]
    value = detail.get("input")
    ctx = detail.get("ctx") or {}
    if kind == "missing":
        return FieldError(loc, "missing", "required field is missing")
    if kind == "extra_forbidden":
        allowed = allowed_fields(model, loc[:-1])
        name = str(loc[-1])
        hint = suggestion(name, allowed) or f"; allowed: {', '.join(allowed)}"
        return FieldError(loc, "key", f"unknown field{hint}")
    if kind == "invalid_key":
        return FieldError(loc, "key", f"field names must be text, got {_kind_of(value)}")
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = suggestion(str(value), allowed) if isinstance(value, str) else ""
        shown = f"{value!r}" if isinstance(value, str) else _kind_of(value)
        return FieldError(loc, "value", f"{shown} is not one of {', '.join(allowed)}{hint}")
    if kind == "value_error":
        return FieldError(loc, "value", str(ctx.get("error", detail["msg"])))
    return FieldError(loc, "value", _type_message(kind, value, ctx) or detail["msg"])


def _type_message(kind: str, value: Any, ctx: dict[str, Any]) -> str | None:
    got = _kind_of(value)
    if kind == "string_type":
        if isinstance(value, (bool, int, float, datetime.date)):
            return f'expected text, got {got}: quote it ("{_yaml_scalar(value)}")'
        return f"expected text, got {got}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        if isinstance(value, str):
            return f"expected a whole number, got the text {value!r}: remove the quotes"
        return f"expected a whole number, got {got}"
    if kind == "bool_type":
        return f"expected true or false, got {got}"
    if kind == "list_type":
        return f"expected a list (e.g. [a, b]), got {got}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping of fields, got {got}"
    if kind == "too_short" and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, got {got}"
    return None


def _kind_of(value: Any) -> str:
    if isinstance(value, _NotRepeated):
        return "a value that is not repeated here (it may be a secret)"
    if isinstance(value, bool):
        return f"the boolean {_yaml_scalar(value)}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "null"
    return type(value).__name__


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def allowed_fields(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names accepted at ``loc`` (a path into ``model``), for "did you mean"."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    return list(current.model_fields) if _is_model(current) else []


def _step(annotation: Any, part: str | int) -> Any:
    annotation = _unwrap(annotation)
    if _is_model(annotation):
        field = annotation.model_fields.get(str(part))
        return _unwrap(field.annotation) if field is not None else None
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is list and args:
        return _unwrap(args[0])
    if origin is dict and len(args) == 2:
        return _unwrap(args[1])
    return None


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` down to the type that has fields or items."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            inner = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(inner) != 1:
                return annotation
            annotation = inner[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)
