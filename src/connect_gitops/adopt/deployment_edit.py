"""Round-trip YAML for exported deployments: a new declaration written as users write them, and
an existing one edited in place (comments, key order, quoting, flow or block style and the other
documents of the file are kept; only changed values are rewritten). Every edited file is parsed
back and checked before it may be written, as for connectors (:mod:`.yaml_edit`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from connect_gitops.adopt.yaml_edit import (
    apply_edits,
    document_target,
    dump,
    edited_again,
    guess_indent,
    round_trip,
)
from connect_gitops.core.adoption import AdoptionError, ExportedFile, FieldEdit
from connect_gitops.core.deployments.adoption import deployment_edits, validate_deployment
from connect_gitops.core.deployments.declarations import DeclaredDeployment
from connect_gitops.core.deployments.live import Deployment
from connect_gitops.source import yamlsafe

PINNED = "the version it runs; remove the pin to follow the latest"
SECURED = "values never live in git: set these variables where apply runs"


def render_new_deployment(document: Mapping[str, Any], *, schema: str) -> str:
    """A new deployment file: the schema line, the fields in the given order, maps in block
    style, ``{fromEnv: VARIABLE}`` inline, and a word on the pinned version and the secrets."""
    data = _commented(document)
    connector = data.get("connector")
    if isinstance(connector, CommentedMap) and "version" in connector:
        connector.yaml_add_eol_comment(PINNED, "version")
    secured_blocks = [
        values
        for values in (
            *(data.get("configurations") or {}).values(),
            data.get("globalConfiguration") or {},
        )
        if "securedConfiguration" in values
    ]
    if secured_blocks:
        secured_blocks[0].yaml_add_eol_comment(SECURED, "securedConfiguration")
    data.yaml_set_start_comment(f"yaml-language-server: $schema={schema}")
    return dump([data], round_trip(mapping=2, offset=2))


def _commented(value: Any, *, inline: bool = False) -> Any:
    if not isinstance(value, Mapping):
        return value
    mapping = CommentedMap()
    for name, item in value.items():
        mapping[name] = _commented(item, inline=name == "fromEnv" or _is_from_env(item))
    if inline or _is_from_env(value):
        mapping.fa.set_flow_style()
    else:
        mapping.fa.set_block_style()
    return mapping


def _is_from_env(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"fromEnv"}


def update_deployment_file(
    path: Path,
    pairs: Sequence[tuple[DeclaredDeployment, Deployment]],
    *,
    target: str,
    default_target: str | None,
) -> ExportedFile:
    """Edit the deployment documents of one file that declare these keys for ``target``, each
    set to its live deployment, in place; checked by parsing the result back."""
    text = yamlsafe.read_text(path)
    plans = {
        item.key: (item, live, deployment_edits(item.declaration, live)) for item, live in pairs
    }
    keys = tuple(plans)
    all_edits = tuple(edit for _, _, edits in plans.values() for edit in edits)
    if not all_edits:
        return ExportedFile(path, "unchanged", keys, text, text, resource="deployment")
    mapping, offset = guess_indent(text)
    yaml = round_trip(mapping=mapping, offset=offset)
    documents = list(yaml.load_all(text))
    for index, key in _documents_to_edit(documents, plans, target, default_target):
        apply_edits(documents[index], plans[key][2])
    new_text = dump(documents, yaml)
    _check(path, new_text, plans, target, default_target)
    return ExportedFile(path, "updated", keys, new_text, text, all_edits, resource="deployment")


Plans = Mapping[str, tuple[DeclaredDeployment, Deployment, list[FieldEdit]]]


def _is_deployment(document: Any) -> bool:
    return isinstance(document, Mapping) and document.get("kind") == "Deployment"


def _documents_to_edit(
    documents: Sequence[Any], plans: Plans, target: str, default_target: str | None
) -> Iterator[tuple[int, str]]:
    for index, document in enumerate(documents):
        if (
            _is_deployment(document)
            and document.get("key") in plans
            and document_target(document, default_target) == target
        ):
            yield index, document["key"]


def _check(path: Path, text: str, plans: Plans, target: str, default_target: str | None) -> None:
    """The edited documents must match their live deployments in everything they declare,
    with the secured values and the reconcile policy as they were, or nothing is written."""
    for data in edited_again(path, text, plans, target, default_target, kind="Deployment"):
        item, live, _ = plans[data["key"]]
        got = validate_deployment(data)
        before = item.declaration
        kept = [
            (name, values.securedConfiguration) for name, values in got.configurations.items()
        ] == [(name, values.securedConfiguration) for name, values in before.configurations.items()]
        if deployment_edits(got, live) or not kept or got.reconcile != before.reconcile:
            raise AdoptionError(
                f"{path}: deployment {item.key!r} could not be edited in place exactly; "
                "nothing written"
            )
