"""``connect-gitops export``: write declarations for live connectors (adopting existing ones).

The imperative shell around :mod:`connect_gitops.core.adoption`: it finds the configuration and
the existing declarations, reads the live connectors with a read-only token, and writes files.

- The configuration is the nearest ``connect-gitops.yaml`` at or above ``--out-dir`` (not above
  the git repository's root); without one, the implicit ``default`` target of the ``CTP_*``
  variables applies and ``--out-dir`` is the declarations folder.
- A connector already declared for the target, in any declaration file of that folder, is
  updated in that file, in place, with ruamel.yaml's round-trip mode: comments, key order,
  quoting and the other documents of the file are kept, and only changed values are rewritten.
  A file whose values all match is not touched.
- Any other connector gets a new file ``<out-dir>/<key>.yaml`` (``<key>.<target>.yaml`` if that
  name is taken), starting with a ``# yaml-language-server: $schema=...`` line: a relative path
  to the nearest ``schema/connector.schema.json`` up the tree, else to where
  ``connect-gitops schema > schema/connector.schema.json`` beside connect-gitops.yaml puts it.
- Every edited document is parsed back and compared with what was meant before anything is
  written; files are replaced atomically.
"""

from __future__ import annotations

import difflib
import io
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from connect_gitops.apply.connections import ClientOptions, open_clients
from connect_gitops.core.adoption import (
    AdoptionError,
    FieldEdit,
    adoption_edits,
    edited,
    new_declaration,
)
from connect_gitops.core.declarations import (
    ConnectorDeclaration,
    DeclaredConnector,
    managed_fields,
)
from connect_gitops.core.diff import normalised
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.source import loader as loading
from connect_gitops.source import yamlsafe
from connect_gitops.source.config import Config, ConfigError, load_config
from connect_gitops.source.files import CONFIG_FILE, is_declaration_path
from connect_gitops.source.loader import InvalidDeclarations

SCHEMA_PATH = "schema/connector.schema.json"
"""Where the README tells users to keep ``connect-gitops schema``'s output."""
FLOW_LISTS = ("integrationTypes", "supportedRegions")
"""Short lists written inline (``[psp]``), as in the documented examples."""


class ExportError(Exception):
    """Export cannot start (an unknown key, no target); nothing was written."""


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What the command line asked for."""

    out_dir: Path
    target: str | None = None
    """``--target``; default: the configuration's default target."""
    keys: tuple[str, ...] = ()
    """``--key``; empty means every live connector of the target."""
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class ExportedFile:
    """One file export wrote (or would write), and why."""

    path: Path
    kind: Literal["created", "updated", "unchanged"]
    keys: tuple[str, ...]
    text: str
    """The file's content after the export."""
    previous: str | None = None
    """Its content before (``None`` for a new file)."""
    edits: tuple[FieldEdit, ...] = ()


@dataclass(slots=True)
class ExportResult:
    """What export did for one target."""

    target: str
    files: list[ExportedFile] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    """Connectors that could not be exported, each with the reason."""
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.failures

    def count(self, kind: str) -> int:
        return sum(len(f.keys) for f in self.files if f.kind == kind)


async def export_run(
    request: ExportRequest, environ: Mapping[str, str], options: ClientOptions
) -> ExportResult:
    """Read the target's live connectors and write (or, dry, compute) their declarations."""
    config = _load_config(request.out_dir, environ)
    target = request.target or config.default_target
    if target is None:
        raise ConfigError(
            f"no default target in {CONFIG_FILE}: name one with --target "
            f"({', '.join(config.target_names)})"
        )
    config.check_target_name(target)
    found = loading.load_folder(config.root, config)
    if not found.ok:
        raise InvalidDeclarations(found.problems)
    declared = {d.key: d for d in found.declarations if d.target == target}
    read_only = replace(options, read_only=True)
    async with open_clients(config, [target], environ, read_only) as clients:
        if request.keys:
            by_key = await clients[target].get_many_by_key(request.keys)
            unknown = [key for key in dict.fromkeys(request.keys) if key not in by_key]
            if unknown:
                names = ", ".join(repr(key) for key in unknown)
                raise ExportError(
                    f"no connector with key {names} in target {target!r}; nothing was written"
                )
            live = list(by_key.values())
        else:
            live = await clients[target].query_all()
    result = ExportResult(target=target, dry_run=request.dry_run)
    plan = _plan_files(config, target, request.out_dir, declared, live, result)
    if not request.dry_run:
        for exported in plan:
            if exported.kind != "unchanged":
                _atomic_write(exported.path, exported.text)
    result.files = plan
    result.notices += _glob_notices(config, request.out_dir, plan)
    return result


def _load_config(out_dir: Path, environ: Mapping[str, str]) -> Config:
    """The configuration nearest to ``out_dir``, or the implicit one rooted at ``out_dir``."""
    for folder in _ancestors(out_dir):
        if (folder / CONFIG_FILE).is_file():
            return load_config(folder, environ)
    return load_config(out_dir, environ)


def _ancestors(start: Path) -> Iterator[Path]:
    """``start`` and its parents, up to the git repository's root (or the filesystem's)."""
    folder = start.resolve()
    while True:
        yield folder
        if (folder / ".git").exists() or folder.parent == folder:
            return
        folder = folder.parent


def _plan_files(
    config: Config,
    target: str,
    out_dir: Path,
    declared: Mapping[str, DeclaredConnector],
    live: Sequence[ConnectorStaged],
    result: ExportResult,
) -> list[ExportedFile]:
    """Every file to write: existing files edited in place, then new files, each sorted."""
    updates: dict[str, list[tuple[DeclaredConnector, ConnectorStaged]]] = {}
    new: list[ConnectorStaged] = []
    for connector in sorted(live, key=lambda c: c.key):
        existing = declared.get(connector.key)
        if existing is None:
            new.append(connector)
        else:
            updates.setdefault(existing.file, []).append((existing, connector))
    files: list[ExportedFile] = []
    for name in sorted(updates):
        try:
            files.append(_update_file(config, target, config.root / name, updates[name]))
        except AdoptionError as error:
            result.failures.append(str(error))
    reconcile_target = None if target == config.default_target else target
    taken: set[Path] = set()
    for connector in new:
        try:
            document = new_declaration(connector, target=reconcile_target)
        except AdoptionError as error:
            result.failures.append(str(error))
            continue
        path = _free_path(out_dir, connector.key, target, taken)
        if path is None:
            result.failures.append(
                f"{connector.key!r}: {out_dir / (connector.key + '.yaml')} and "
                f"{out_dir / f'{connector.key}.{target}.yaml'} exist and declare other "
                "connectors; not overwritten"
            )
            continue
        taken.add(path)
        text = render_new(document, schema=_schema_reference(path.parent, config.root))
        files.append(ExportedFile(path, "created", (connector.key,), text))
    return files


def _free_path(out_dir: Path, key: str, target: str, taken: set[Path]) -> Path | None:
    """``<key>.yaml``, or ``<key>.<target>.yaml`` when that exists; never an existing file."""
    for name in (f"{key}.yaml", f"{key}.{target}.yaml"):
        path = out_dir / name
        if not path.exists() and path not in taken:
            return path
    return None


def _schema_reference(folder: Path, config_root: Path) -> str:
    """Relative path from ``folder`` to the schema: the nearest one up the tree, or the usual."""
    schema = next(
        (a / SCHEMA_PATH for a in _ancestors(folder) if (a / SCHEMA_PATH).is_file()),
        config_root.resolve() / SCHEMA_PATH,
    )
    return Path(os.path.relpath(schema, folder.resolve())).as_posix()


# -- new files -----------------------------------------------------------------------------------


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
    return _dump([data], _yaml(mapping=2, offset=2))


# -- existing files ------------------------------------------------------------------------------


def _update_file(
    config: Config,
    target: str,
    path: Path,
    pairs: Sequence[tuple[DeclaredConnector, ConnectorStaged]],
) -> ExportedFile:
    """Edit the documents of one file in place; checked by parsing the result back."""
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
    yaml = _yaml(mapping=mapping, offset=offset)
    documents = list(yaml.load_all(text))
    for index, edits in _documents_to_edit(documents, plans, config, target):
        _apply_edits(documents[index], edits)
    new_text = _dump(documents, yaml)
    _check(path, new_text, plans, config, target)
    return ExportedFile(path, "updated", keys, new_text, text, all_edits)


def _documents_to_edit(
    documents: Sequence[Any],
    plans: Mapping[str, tuple[DeclaredConnector, list[FieldEdit]]],
    config: Config,
    target: str,
) -> Iterator[tuple[int, list[FieldEdit]]]:
    """The documents that declare a planned key for this target, with their edits."""
    for index, document in enumerate(documents):
        if (
            isinstance(document, Mapping)
            and document.get("key") in plans
            and _document_target(document, config) == target
        ):
            yield index, plans[document["key"]][1]


def _document_target(document: Mapping[str, Any], config: Config) -> str | None:
    reconcile = document.get("reconcile")
    named = reconcile.get("target") if isinstance(reconcile, Mapping) else None
    return named if isinstance(named, str) else config.default_target


def _apply_edits(document: CommentedMap, edits: Sequence[FieldEdit]) -> None:
    """Set or remove each edited field; lists are edited item by item to keep their comments."""
    for edit in edits:
        parent = document
        for step in edit.path[:-1]:
            parent = parent[step]
        name = edit.path[-1]
        if edit.removed:
            del parent[name]
            if len(edit.path) > 1 and not parent:
                del document[edit.path[0]]
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


def _check(
    path: Path,
    text: str,
    plans: Mapping[str, tuple[DeclaredConnector, list[FieldEdit]]],
    config: Config,
    target: str,
) -> None:
    """The edited file must declare exactly what was meant, or nothing is written."""
    try:
        documents = yamlsafe.parse_documents(text)
    except yamlsafe.YamlProblem as problem:
        raise AdoptionError(f"{path}: the edited file does not parse: {problem}") from None
    seen: set[str] = set()
    for document in documents:
        data = document.data
        if not isinstance(data, dict) or data.get("key") not in plans:
            continue
        if _document_target(data, config) != target:
            continue
        item, edits = plans[data["key"]]
        wanted = edited(managed_fields(item.declaration), edits)
        try:
            got = managed_fields(ConnectorDeclaration.model_validate(data))
        except ValueError as error:
            raise AdoptionError(f"{path}: the edited declaration is invalid: {error}") from None
        if normalised(got) != normalised(wanted):
            raise AdoptionError(
                f"{path}: {item.key!r} could not be edited in place exactly; nothing written"
            )
        seen.add(item.key)
    if seen != set(plans):
        raise AdoptionError(f"{path}: declarations not found again after editing")


# -- YAML ----------------------------------------------------------------------------------------

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


def _yaml(*, mapping: int, offset: int) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.allow_duplicate_keys = False
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    return yaml


def _dump(documents: Sequence[Any], yaml: YAML) -> str:
    stream = io.StringIO()
    yaml.dump_all(documents, stream)
    return stream.getvalue()


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8", newline="\n")
    os.replace(partial, path)


def _glob_notices(config: Config, out_dir: Path, files: Sequence[ExportedFile]) -> list[str]:
    """A warning when new files land where plan will not look for declarations."""
    root = config.root.resolve()
    notices: list[str] = []
    for exported in files:
        if exported.kind != "created":
            continue
        resolved = exported.path.resolve()
        if not resolved.is_relative_to(root):
            notices.append(
                f"warning: {out_dir} is outside the declarations folder {config.root}: "
                "plan will not read the new files there"
            )
            break
        relative = resolved.relative_to(root).as_posix()
        if not is_declaration_path(relative, config.connector_globs):
            where = config.file or config.root
            notices.append(
                f"warning: {relative} does not match the connectors globs of {where}: "
                "plan will not read it"
            )
    return notices


# -- report --------------------------------------------------------------------------------------


def shown(path: Path) -> str:
    """A path as users typed it: relative to the working directory when it is below it."""
    resolved = path.resolve()
    cwd = Path.cwd().resolve()
    return resolved.relative_to(cwd).as_posix() if resolved.is_relative_to(cwd) else str(path)


def render_export(result: ExportResult) -> str:
    """One line per file, field by field for updates, then the notices, failures and summary."""
    verb = {"created": "create", "updated": "update"} if result.dry_run else {}
    lines: list[str] = []
    for exported in result.files:
        if exported.kind == "unchanged":
            continue
        keys = ", ".join(exported.keys)
        action = f"would {verb[exported.kind]}" if result.dry_run else exported.kind
        lines.append(f"{action} {shown(exported.path)} ({keys})")
        for edit in exported.edits:
            if edit.removed:
                lines.append(f"    {edit.dotted}: removed: {edit.note}")
            else:
                lines.append(f"    {edit.dotted}: {edit.before!r} -> {edit.after!r}")
    lines += result.notices
    lines += [f"error: cannot export {failure}" for failure in result.failures]
    prefix = "Export (dry run)" if result.dry_run else "Export"
    lines.append(
        f"{prefix} of target {result.target!r}: {result.count('created')} created, "
        f"{result.count('updated')} updated, {result.count('unchanged')} unchanged, "
        f"{len(result.failures)} failed."
    )
    return "\n".join(lines)


def render_dry_run(result: ExportResult) -> str:
    """The files export would write, as unified diffs (a new file's diff is all of it)."""
    chunks: list[str] = []
    for exported in result.files:
        if exported.kind == "unchanged":
            continue
        path = shown(exported.path)
        before = "/dev/null" if exported.previous is None else path
        chunks.extend(
            difflib.unified_diff(
                (exported.previous or "").splitlines(keepends=True),
                exported.text.splitlines(keepends=True),
                fromfile=before,
                tofile=path,
            )
        )
    return "".join(chunks)
