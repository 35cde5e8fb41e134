"""Where a value is in a declaration file: the line and column of a field, its key, or the
mapping that lacks it, read from a round-trip parse (only for files with errors)."""

from __future__ import annotations

from typing import Any, Literal

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from connect_gitops.source.yamlsafe import Position

Anchor = Literal["value", "key", "missing"]
"""What a position points at: a value, the key of a mapping entry, or the mapping lacking a key."""


def locate(document: Any, loc: tuple[str | int, ...], anchor: Anchor) -> Position | None:
    """The position of ``loc`` in a round-trip document, or of its deepest existing parent.

    ``key`` points at the key of the last mapping entry, ``value`` at the value (the first
    item of a collection), ``missing`` at the mapping that lacks the last key.
    """
    position = _own_position(document)
    node = document
    for depth, part in enumerate(loc):
        last = depth == len(loc) - 1
        if isinstance(node, CommentedMap) and _has_key(node, part):
            if last and anchor == "key":
                return _one_based(node.lc.key(part))
            child = node[part]
            position = _own_position(child) or _one_based(node.lc.value(part))
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            child = node[part]
            position = _own_position(child) or _one_based(node.lc.item(part))
        else:
            break
        node = child
    return position


def _has_key(mapping: CommentedMap, key: object) -> bool:
    try:
        return key in mapping
    except TypeError:
        return False


def _own_position(node: Any) -> Position | None:
    if isinstance(node, (CommentedMap, CommentedSeq)) and node.lc.line is not None:
        return (node.lc.line + 1, node.lc.col + 1)
    return None


def _one_based(position: Any) -> Position:
    line, col = position
    return (int(line) + 1, int(col) + 1)
