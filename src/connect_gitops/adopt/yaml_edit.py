"""Round-trip YAML editing for ``export``: a new declaration file written in the documented
style, and an existing file edited in place with ruamel.yaml's round-trip mode, so comments, key
order, quoting and the other documents of the file are kept and only changed values are
rewritten. Every edited file is parsed back and compared with what was meant before it may be
written.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from connect_gitops.core.adoption import (
    AdoptionError,
    ExportedFile,
    FieldEdit,
    adoption_edits,
    edited,
)
from connect_gitops.core.declarations import (
    ConnectorDeclaration,
    DeclaredConnector,
    managed_fields,
)
from connect_gitops.core.diff import normalised
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.source import yamlsafe

FLOW_LISTS = ("integrationTypes", "supportedRegions")
"""Short lists written inline (``[psp]``), as in the documented examples."""

Edits = Mapping[str, tuple[DeclaredConnector, list[FieldEdit]]]
"""The planned edits of one file, by connector key."""


def render_new(document: Mapping[str, Any], *, schema: str) -> str:
    """A new declaration file: the schema line, then the fields in the given order."""
    data = CommentedMap()
    for name, value in document.items():
        if isinstance(value, list):
            items = CommentedSeq(value)
            if name in FLOW_LISTS:
                items.fa.set_flow_style()
            else:
                items.fa.set_block_style()
            data[name] = items
        elif isinstance(value, Mapping):
            data[name] = CommentedMap(value)
        else:
            data[name] = value
    data.yaml_set_start_comment(f"yaml-language-server: $schema={schema}")
    return dump([data], round_trip(mapping=2, offset=2))


def update_file(
    path: Path,
    pairs: Sequence[tuple[DeclaredConnector, ConnectorStaged]],
    *,
    target: str,
    default_target: str | None,
) -> ExportedFile:
    """Edit the documents of one file that declare these connectors for ``target`` in place,
    each set to its live connector; checked by parsing the result back.

    ``default_target`` is the target of a document that names none.
    """
    text = yamlsafe.read_text(path)
    plans = {
        item.key: (item, adoption_edits(managed_fields(item.declaration), connector))
        for item, connector in pairs
    }
    keys = tuple(plans)
    all_edits = tuple(edit for _, edits in plans.values() for edit in edits)
    if not all_edits:
        return ExportedFile(path, "unchanged", keys, text, text)
    mapping, offset = guess_indent(text)
    yaml = round_trip(mapping=mapping, offset=offset)
    documents = list(yaml.load_all(text))
    for index, edits in _documents_to_edit(documents, plans, target, default_target):
        apply_edits(documents[index], edits)
    new_text = dump(documents, yaml)
    _check(path, new_text, plans, target, default_target)
    return ExportedFile(path, "updated", keys, new_text, text, all_edits)


def _documents_to_edit(
    documents: Sequence[Any], plans: Edits, target: str, default_target: str | None
) -> Iterator[tuple[int, list[FieldEdit]]]:
    """The documents that declare a planned key for this target, with their edits."""
    for index, document in enumerate(documents):
        if (
            isinstance(document, Mapping)
            and document.get("kind") != "Deployment"
            and document.get("key") in plans
            and document_target(document, default_target) == target
        ):
            yield index, plans[document["key"]][1]


def document_target(document: Mapping[str, Any], default_target: str | None) -> str | None:
    """The target a declaration document names, else the default target."""
    reconcile = document.get("reconcile")
    named = reconcile.get("target") if isinstance(reconcile, Mapping) else None
    return named if isinstance(named, str) else default_target


def apply_edits(document: CommentedMap, edits: Sequence[FieldEdit]) -> None:
    """Set or remove each edited field where it is written; lists are edited item by item to
    keep their comments, and a mapping a removal leaves empty goes with it."""
    for edit in edits:
        containers: list[Any] = [document]
        for step in edit.path[:-1]:
            containers.append(containers[-1][step])
        parent = containers[-1]
        name = edit.path[-1]
        if edit.removed:
            del parent[name]
            if len(containers) > 1 and not parent:
                del containers[-2][edit.path[-2]]
        elif isinstance(edit.after, list) and isinstance(parent.get(name), CommentedSeq):
            _edit_list(parent[name], edit.after)
        else:
            parent[name] = _same_style(parent.get(name), edit.after)


def _edit_list(items: CommentedSeq, wanted: Sequence[Any]) -> None:
    """Remove the items not wanted and append the new ones; kept items keep order and comments."""
    for index in reversed(range(len(items))):
        if items[index] not in wanted:
            del items[index]
    for item in wanted:
        if item not in items:
            items.append(item)


def _same_style(old: Any, value: Any) -> Any:
    """A new string in the old one's quoting style (ruamel keeps it in the scalar's type)."""
    if isinstance(old, str) and type(old) is not str and isinstance(value, str):
        return type(old)(value)
    return value


def edited_again(
    path: Path,
    text: str,
    keys: Collection[str],
    target: str,
    default_target: str | None,
    *,
    kind: str,
) -> Iterator[dict[str, Any]]:
    """The documents of ``kind`` ("Connector" or "Deployment") in the edited ``text`` that
    declare ``keys`` for ``target``, read back as the next run will read them. Each key must
    be found again, or nothing is written (AdoptionError)."""
    try:
        documents = yamlsafe.parse_documents(text)
    except yamlsafe.YamlProblem as problem:
        raise AdoptionError(f"{path}: the edited file does not parse: {problem}") from None
    seen: set[str] = set()
    for document in documents:
        data = document.data
        if not isinstance(data, dict) or data.get("key") not in keys:
            continue
        if (data.get("kind") or "Connector") != kind:
            continue  # a deployment may share a connector's key
        if document_target(data, default_target) != target:
            continue
        yield data
        seen.add(data["key"])
    if seen != set(keys):
        raise AdoptionError(f"{path}: declarations not found again after editing")


def _check(path: Path, text: str, plans: Edits, target: str, default_target: str | None) -> None:
    """The edited file must declare exactly what was meant, or nothing is written."""
    for data in edited_again(path, text, plans, target, default_target, kind="Connector"):
        item, edits = plans[data["key"]]
        wanted = edited(managed_fields(item.declaration), edits)
        try:
            connector = {name: value for name, value in data.items() if name != "kind"}
            got = managed_fields(ConnectorDeclaration.model_validate(connector))
        except ValueError as error:
            raise AdoptionError(f"{path}: the edited declaration is invalid: {error}") from None
        if normalised(got) != normalised(wanted):
            raise AdoptionError(
                f"{path}: {item.key!r} could not be edited in place exactly; nothing written"
            )


_KEY_LINE = re.compile(r"^( *)[^\s#-][^:#]*:\s*(#.*)?$")
_NESTED_KEY = re.compile(r"^( +)[^\s#-]")
_ITEM = re.compile(r"^( *)- ")


def guess_indent(text: str) -> tuple[int, int]:
    """The file's mapping indent and the dash offset of block lists under a key.

    ruamel re-indents what it writes; matching the file's own style keeps untouched lines as
    they were. Defaults (2, 2) are the documented examples' style.
    """
    mapping: int | None = None
    offset: int | None = None
    parent: int | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if parent is not None:
            item = _ITEM.match(line)
            nested = _NESTED_KEY.match(line)
            if item and offset is None:
                offset = len(item.group(1)) - parent
            elif nested and not item and mapping is None and len(nested.group(1)) > parent:
                mapping = len(nested.group(1)) - parent
        header = _KEY_LINE.match(line)
        parent = len(header.group(1)) if header else None
        if mapping is not None and offset is not None:
            break
    return mapping or 2, max(offset if offset is not None else 2, 0)


def round_trip(*, mapping: int, offset: int) -> YAML:
    """ruamel.yaml in round-trip mode, writing with the given indents and never folding."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.allow_duplicate_keys = False
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    return yaml


def dump(documents: Sequence[Any], yaml: YAML) -> str:
    """The documents as text, separated by ``---``."""
    stream = io.StringIO()
    yaml.dump_all(documents, stream)
    return stream.getvalue()
