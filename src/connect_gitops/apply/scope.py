"""What a run looks at: the configuration, then (with ``--changed-since``) the changed files,
then the validated declarations (connectors and deployments) and the targets to read. No
network; nothing at all is read from an API while any declaration is invalid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from connect_gitops.core.declarations import DeclaredConnector
from connect_gitops.core.deployments.declarations import DeclaredDeployment
from connect_gitops.core.plan import Orphan
from connect_gitops.source import yamlsafe
from connect_gitops.source.config import Config, ConfigError, load_config
from connect_gitops.source.loader import InvalidDeclarations, load_files, load_folder


@dataclass(frozen=True, slots=True)
class Selection:
    """Which declarations and targets a run looks at."""

    folder: Path
    targets: tuple[str, ...] = ()
    """Target names given with --target; empty means every configured target."""
    changed_since: str | None = None
    """A git revision (already resolved from ``auto``), or None for the whole folder."""


@dataclass(slots=True)
class Scope:
    """What was loaded and which live connectors must be read for it."""

    config: Config
    declarations: list[DeclaredConnector]
    targets: list[str]
    whole_folder: bool
    notices: list[str] = field(default_factory=list)
    deleted: list[Orphan] = field(default_factory=list)
    """Connectors and deployments whose declaration this change deleted (checked against live
    later; ``resource`` tells which)."""
    parsed_files: tuple[str, ...] = ()
    deployments: list[DeclaredDeployment] = field(default_factory=list)
    """The deployment declarations of the selected targets."""

    @property
    def deployment_targets(self) -> set[str]:
        """Targets whose deployments this run reads (and whose token needs the deployments
        scope): those that declare deployments, or whose deleted declarations were ones."""
        named = {d.target for d in self.deployments}
        named |= {o.target for o in self.deleted if o.resource == "deployment"}
        return named & set(self.targets)


def load_scope(selection: Selection, environ: Mapping[str, str]) -> Scope:
    """Config, then (with --changed-since) the changed files, then validated declarations."""
    folder = selection.folder
    try:
        config = load_config(folder, environ)
    except ConfigError as error:
        if error.problems:
            raise InvalidDeclarations(error.problems) from None
        raise
    for name in selection.targets:
        config.check_target_name(name)
    notices: list[str] = []
    deleted_files: list[tuple[str, str]] = []
    whole_folder = True
    if selection.changed_since is not None:
        from connect_gitops.git.changes import changed_declaration_files

        changes = changed_declaration_files(
            folder, selection.changed_since, patterns=config.connector_globs
        )
        if changes.whole_folder:
            notices.append(f"checking the whole folder: {changes.reason}")
        else:
            whole_folder = False
            deleted_files = [(d.path, d.content) for d in changes.deleted]
            result = load_files(folder, changes.changed, config)
    if whole_folder:
        result = load_folder(folder, config)
    if not result.ok:
        raise InvalidDeclarations(result.problems)
    deleted = _deleted_declarations(config, deleted_files)
    # The deleted declarations' targets count too: a push that only deletes a file (or deletes
    # one of another target) must still read the connectors and deployments it leaves behind.
    named_by: list[DeclaredConnector | DeclaredDeployment | Orphan] = [
        *result.declarations,
        *result.deployments,
        *deleted,
    ]
    targets = list(selection.targets) or _targets_in_use(config, named_by, whole_folder)
    declarations = [d for d in result.declarations if d.target in targets]
    deleted = [o for o in deleted if o.target in targets]
    return Scope(
        config=config,
        declarations=declarations,
        targets=targets,
        whole_folder=whole_folder,
        notices=notices,
        deleted=deleted,
        parsed_files=result.files,
        deployments=[d for d in result.deployments if d.target in targets],
    )


def _targets_in_use(
    config: Config,
    named_by: Sequence[DeclaredConnector | DeclaredDeployment | Orphan],
    whole_folder: bool,
) -> list[str]:
    """Without --target: the targets the declarations go to, plus the default target.

    A configured target that no declaration names is not read (it may need credentials this
    run does not have); name it with --target to see its orphans. A scoped run
    (--changed-since) only needs the targets its declarations, and the declarations its
    change deleted, go to.
    """
    named = {d.target for d in named_by}
    if (
        whole_folder
        and config.default_target is not None
        and config.default_target in config.targets
    ):
        named.add(config.default_target)
    return sorted(named)


def _deleted_declarations(config: Config, files: Sequence[tuple[str, str]]) -> list[Orphan]:
    """Keys declared in files this change deleted, read leniently from the old text, each with
    the target it went to (only configured targets: others cannot be read): a ``kind:
    Deployment`` document is a deployment's, one without a kind (or ``kind: Connector``) a
    connector's."""
    orphans: list[Orphan] = []
    for path, text in files:
        try:
            documents = yamlsafe.parse_documents(text)
        except yamlsafe.YamlProblem:
            continue
        for document in documents:
            data = document.data
            if not isinstance(data, dict) or not isinstance(data.get("key"), str):
                continue
            kind = data.get("kind", "Connector")
            if kind not in ("Connector", "Deployment"):
                continue  # not a declaration this version knows: nothing to report
            reconcile = data.get("reconcile")
            target = reconcile.get("target") if isinstance(reconcile, dict) else None
            target = target if isinstance(target, str) else config.default_target
            if target is not None and target in config.target_names:
                orphans.append(
                    Orphan(
                        target=target,
                        key=data["key"],
                        resource="deployment" if kind == "Deployment" else "connector",
                        file=path,
                        reason="its declaration was deleted; it is not deleted in Connect",
                    )
                )
    return orphans
