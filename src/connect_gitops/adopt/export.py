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
- Deployments are exported too, read with a token of their own (``view_connectors_deployments``)
  so that credentials without that scope still export connectors (a notice says so). A
  deployment already declared for the target is edited in place like a connector; any other
  gets ``<out-dir>/<key>.deployment.yaml`` (``<key>.deployment.<target>.yaml`` if taken):
  a deployment may share its key with a connector. See :mod:`connect_gitops.core.deployments
  .adoption` for what is written.
- Every edited document is parsed back and compared with what was meant before anything is
  written; files are replaced atomically.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple, Protocol, TypeVar

from connect_gitops.adopt.deployment_edit import render_new_deployment, update_deployment_file
from connect_gitops.adopt.yaml_edit import render_new, update_file
from connect_gitops.apply.connections import ClientOptions, open_clients
from connect_gitops.client.api import ConnectClient
from connect_gitops.client.errors import Forbidden, Unauthorized
from connect_gitops.core.adoption import (
    AdoptionError,
    ExportedFile,
    ExportResult,
    new_declaration,
    unknown_to_this_version,
    unknown_values,
)
from connect_gitops.core.declarations import DeclaredConnector
from connect_gitops.core.deployments.adoption import new_deployment_declaration
from connect_gitops.core.deployments.declarations import DeclaredDeployment
from connect_gitops.core.deployments.live import Deployment
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.core.plan import NO_KEY
from connect_gitops.source.config import Config, ConfigError, load_config
from connect_gitops.source.files import CONFIG_FILE, is_declaration_path, write_atomically
from connect_gitops.source.loader import InvalidDeclarations, load_folder

SCHEMA_PATH = "schema/connector.schema.json"
"""Where the README tells users to keep ``connect-gitops schema``'s output."""
DEPLOYMENTS_SCOPE = "view_connectors_deployments"


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


class KeyedConnector(NamedTuple):
    """A live connector that has a key (only those can be declared)."""

    key: str
    connector: ConnectorStaged


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
    found = load_folder(config.root, config)
    if not found.ok:
        raise InvalidDeclarations(found.problems)
    declared = {d.key: d for d in found.declarations if d.target == target}
    read_only = replace(options, read_only=True)
    async with open_clients(config, [target], environ, read_only) as clients:
        live = await _read_live(clients[target], request.keys)
    result = ExportResult(target=target, dry_run=request.dry_run)
    deployments = await _read_deployments(config, target, environ, read_only, request.keys, result)
    _check_keys(request.keys, live, deployments, target, result)
    plan = _plan_files(config, target, request.out_dir, declared, live, result)
    declared_deployments = {d.key: d for d in found.deployments if d.target == target}
    plan += _plan_deployment_files(
        config, target, request.out_dir, declared_deployments, deployments or [], result, plan
    )
    if not request.dry_run:
        for exported in plan:
            if exported.kind != "unchanged":
                write_atomically(exported.path, exported.text)
    result.files = plan
    result.notices += _glob_notices(config, request.out_dir, plan)
    return result


async def _read_live(client: ConnectClient, keys: Sequence[str]) -> list[ConnectorStaged]:
    """The target's live connectors: those of these keys that exist, or all of them."""
    if not keys:
        return await client.query_all()
    return list((await client.get_many_by_key(keys)).values())


async def _read_deployments(
    config: Config,
    target: str,
    environ: Mapping[str, str],
    options: ClientOptions,
    keys: Sequence[str],
    result: ExportResult,
) -> list[Deployment] | None:
    """The target's live deployments (those of ``keys``, or all), with a token of their own;
    ``None``, and a notice, when the credentials may not read them."""
    deployments_only = replace(options, scopes=(DEPLOYMENTS_SCOPE,))
    try:
        async with open_clients(config, [target], environ, deployments_only) as clients:
            if keys:
                return list((await clients[target].deployments.get_many_by_key(keys)).values())
            return await clients[target].deployments.query_all()
    except (Forbidden, Unauthorized) as error:
        if isinstance(error, Unauthorized) and error.code != "invalid_scope":
            raise
        result.notices.append(
            f"notice: deployments were not exported: the credentials of target {target!r} "
            f"cannot read them (they need {DEPLOYMENTS_SCOPE}); connectors were"
        )
        return None


def _check_keys(
    keys: Sequence[str],
    connectors: Sequence[ConnectorStaged],
    deployments: Sequence[Deployment] | None,
    target: str,
    result: ExportResult,
) -> None:
    """Each ``--key`` must name a live connector or deployment of the target."""
    found = {c.key for c in connectors} | {d.key for d in deployments or [] if d.key}
    unknown = [key for key in dict.fromkeys(keys) if key not in found]
    if unknown:
        names = ", ".join(repr(key) for key in unknown)
        what = "connector" if deployments is None else "connector or deployment"
        raise ExportError(f"no {what} with key {names} in target {target!r}; nothing was written")


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


class _Live(Protocol):
    @property
    def key(self) -> str | None: ...
    @property
    def id(self) -> str: ...


class _Declared(Protocol):
    @property
    def file(self) -> str: ...


_L = TypeVar("_L", bound=_Live)
_D = TypeVar("_D", bound=_Declared)


def _by_declaring_file(
    live: Sequence[_L], declared: Mapping[str, _D], noun: str, result: ExportResult
) -> tuple[dict[str, list[tuple[_D, _L]]], list[_L]]:
    """The live resources a declaration names, by the file that declares them, and the others
    (to write new files for), each sorted by key; one without a key gets a notice instead."""
    updates: dict[str, list[tuple[_D, _L]]] = {}
    new: list[_L] = []
    for item in sorted(live, key=lambda i: (i.key or "", i.id)):
        if item.key is None:
            result.notices.append(f"notice: {noun} {item.id} {NO_KEY}; not exported")
            continue
        existing = declared.get(item.key)
        if existing is None:
            new.append(item)
        else:
            updates.setdefault(existing.file, []).append((existing, item))
    return updates, new


def _plan_files(
    config: Config,
    target: str,
    out_dir: Path,
    declared: Mapping[str, DeclaredConnector],
    live: Sequence[ConnectorStaged],
    result: ExportResult,
) -> list[ExportedFile]:
    """Every file to write: existing files edited in place, then new files, each sorted."""
    updates, unnamed = _by_declaring_file(live, declared, "connector", result)
    new = [KeyedConnector(c.key, c) for c in unnamed if c.key is not None]
    files: list[ExportedFile] = []
    for name in sorted(updates):
        try:
            edited = update_file(
                config.root / name,
                updates[name],
                target=target,
                default_target=config.default_target,
            )
            files.append(edited)
        except AdoptionError as error:
            result.failures.append(str(error))
    reconcile_target = None if target == config.default_target else target
    taken: set[Path] = set()
    for key, connector in new:
        try:
            document = new_declaration(connector, target=reconcile_target)
        except AdoptionError as error:
            result.failures.append(str(error))
            continue
        path = _free_path(out_dir, key, target, taken)
        if path is None:
            result.failures.append(
                f"{key!r}: {out_dir / (key + '.yaml')} and "
                f"{out_dir / f'{key}.{target}.yaml'} exist and declare other "
                "connectors; not overwritten"
            )
            continue
        taken.add(path)
        result.notices += [
            f"{key}: {name} left out: {unknown_to_this_version(values)}"
            for name, values in unknown_values(connector).items()
        ]
        text = render_new(document, schema=_schema_reference(path.parent, config.root))
        files.append(ExportedFile(path, "created", (key,), text))
    return files


def _plan_deployment_files(
    config: Config,
    target: str,
    out_dir: Path,
    declared: Mapping[str, DeclaredDeployment],
    live: Sequence[Deployment],
    result: ExportResult,
    planned: Sequence[ExportedFile],
) -> list[ExportedFile]:
    """The deployments' files, as for connectors: declared ones edited in place, then new ones
    (``<key>.deployment.yaml``). A deployment without a key cannot be declared: a notice."""
    updates, new = _by_declaring_file(live, declared, "deployment", result)
    files: list[ExportedFile] = []
    for name in sorted(updates):
        try:
            files.append(
                update_deployment_file(
                    config.root / name,
                    updates[name],
                    target=target,
                    default_target=config.default_target,
                )
            )
        except AdoptionError as error:
            result.failures.append(str(error))
    reconcile_target = None if target == config.default_target else target
    taken = {exported.path for exported in planned}
    for deployment in new:
        assert deployment.key is not None
        try:
            document = new_deployment_declaration(deployment, target=reconcile_target)
        except AdoptionError as error:
            result.failures.append(str(error))
            continue
        path = _free_path(out_dir, deployment.key, target, taken, suffix=".deployment")
        if path is None:
            result.failures.append(
                f"deployment {deployment.key!r}: {out_dir / (deployment.key + '.deployment.yaml')}"
                " and its target's name exist and declare other things; not overwritten"
            )
            continue
        taken.add(path)
        text = render_new_deployment(document, schema=_schema_reference(path.parent, config.root))
        files.append(ExportedFile(path, "created", (deployment.key,), text, resource="deployment"))
    return files


def _free_path(
    out_dir: Path, key: str, target: str, taken: set[Path], *, suffix: str = ""
) -> Path | None:
    """``<key><suffix>.yaml``, or ``<key><suffix>.<target>.yaml`` when that exists; never an
    existing file."""
    for name in (f"{key}{suffix}.yaml", f"{key}{suffix}.{target}.yaml"):
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
