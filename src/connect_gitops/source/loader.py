"""Declaration files -> validated declarations, or every problem with its ``file:line:col``.

Each YAML document is routed by its ``kind``: none (or ``Connector``) declares a connector,
``Deployment`` a deployment; any other kind is an error with a did-you-mean. The fast path
parses each file once with the C-backed safe loader and validates its documents. Only a file
with validation errors is parsed again, in round-trip mode, to find the line and column of each
error; :attr:`LoadResult.round_trip_files` names those files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from connect_gitops.core.declaration_schema import UnknownKind, declaration_kind
from connect_gitops.core.declarations import (
    ConnectorDeclaration,
    DeclaredConnector,
    ValidationReport,
)
from connect_gitops.core.deployments.declarations import DeclaredDeployment, DeploymentDeclaration
from connect_gitops.core.problems import Problem
from connect_gitops.source import yamlsafe
from connect_gitops.source.config import Config, ConfigError, load_config, unknown_target_message
from connect_gitops.source.files import CONFIG_FILE, discover_files
from connect_gitops.source.messages import FieldError, describe_errors
from connect_gitops.source.yaml_positions import locate


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What loading found: declarations (only when there are no problems) and problems."""

    declarations: tuple[DeclaredConnector, ...]
    """The connectors, in file order (empty when there is any problem)."""
    problems: tuple[Problem, ...]
    files: tuple[str, ...]
    """Every file read, relative to the folder, '/'-separated, sorted."""
    round_trip_files: tuple[str, ...]
    """Files parsed a second time, in round-trip mode, to locate their errors."""
    deployments: tuple[DeclaredDeployment, ...] = ()
    """The ``kind: Deployment`` documents, in file order (empty when there is any problem)."""

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


class InvalidDeclarations(Exception):
    """Some declaration or config file is invalid; nothing was sent to any API."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the declarations")
        self.problems = tuple(problems)


def validate_folder(root: Path, environ: Mapping[str, str]) -> ValidationReport:
    """``connect-gitops.yaml`` and then every declaration file it selects: all problems at once."""
    try:
        config = load_config(root, environ)
    except ConfigError as error:
        problems = error.problems or (Problem(CONFIG_FILE, 1, 1, "", str(error)),)
        return ValidationReport((), tuple(problems), (), config_valid=False)
    loaded = load_folder(root, config)
    return ValidationReport(
        loaded.declarations, loaded.problems, loaded.files, deployments=loaded.deployments
    )


def load_folder(root: Path, config: Config) -> LoadResult:
    """Load every declaration file of the folder (the config's globs)."""
    return load_files(root, discover_files(root, config.connector_globs), config)


def load_files(root: Path, relative_paths: Iterable[str], config: Config) -> LoadResult:
    """Load only these files (relative to ``root``), e.g. those changed since a revision."""
    files = sorted(set(relative_paths))
    placed: list[_Placed] = []
    problems: list[Problem] = []
    round_trip: list[str] = []
    for name in files:
        reading = read_declaration_file(root, name)
        checked = _check_file(name, reading, config)
        placed.extend(checked.declarations)
        problems.extend(checked.problems)
        if checked.round_trip:
            round_trip.append(name)
    problems.extend(_duplicates(placed))
    problems.sort()
    declared = [item.declared for item in placed] if not problems else []
    return LoadResult(
        declarations=tuple(d for d in declared if isinstance(d, DeclaredConnector)),
        problems=tuple(problems),
        files=tuple(files),
        round_trip_files=tuple(round_trip),
        deployments=tuple(d for d in declared if isinstance(d, DeclaredDeployment)),
    )


Reading = tuple[str, list[yamlsafe.Document]] | Problem
"""A file's text and documents, or the problem that stopped reading it."""


def read_declaration_file(root: Path, name: str) -> Reading:
    """Read and parse one file: its text and documents, or the problem that stopped it."""
    try:
        text = yamlsafe.read_text(root / name)
        return text, yamlsafe.parse_documents(text)
    except yamlsafe.YamlProblem as problem:
        return Problem(name, problem.line, problem.col, "", problem.message)
    except OSError as error:
        return Problem(name, 1, 1, "", f"cannot read: {error.strerror}")


Declared = DeclaredConnector | DeclaredDeployment


@dataclass(frozen=True, slots=True)
class _Placed:
    declared: Declared
    key_position: yamlsafe.Position


@dataclass(slots=True)
class _FileResult:
    declarations: list[_Placed]
    problems: list[Problem]
    round_trip: bool = False


def _check_file(name: str, reading: Reading, config: Config) -> _FileResult:
    if isinstance(reading, Problem):
        return _FileResult([], [reading])
    text, documents = reading
    result = _FileResult([], [])
    located: list[tuple[int, yamlsafe.Document, FieldError]] = []
    for index, document in enumerate(documents):
        if document.data is None:
            continue  # an empty document, e.g. after a trailing '---'
        errors, declared = _check_document(document, name, config)
        located.extend((index, document, error) for error in errors)
        if declared is not None:
            place = document.key_position or (document.line, document.col)
            result.declarations.append(_Placed(declared, place))
    if located:
        result.problems = _locate(name, text, located)
        result.round_trip = True
    return result


def _check_document(
    document: yamlsafe.Document, name: str, config: Config
) -> tuple[list[FieldError], Declared | None]:
    data = document.data
    if not isinstance(data, dict):
        message = "a connector declaration must be a mapping of fields"
        return [FieldError((), "value", message)], None
    try:
        kind = declaration_kind(data)
    except UnknownKind as error:
        return [FieldError(("kind",), "value", str(error))], None
    if kind == "Deployment":
        return _check_deployment(data, document, name, config)
    return _check_connector(data, document, name, config)


def _check_connector(
    data: dict[Any, Any], document: yamlsafe.Document, name: str, config: Config
) -> tuple[list[FieldError], DeclaredConnector | None]:
    # ``kind: Connector`` only says what the document is: the connector model never had a kind.
    fields = data if "kind" not in data else {f: v for f, v in data.items() if f != "kind"}
    try:
        declaration = ConnectorDeclaration.model_validate(fields)
    except ValidationError as error:
        return describe_errors(error, ConnectorDeclaration), None
    target, errors = _resolve_target(declaration.reconcile.target, config)
    if target is None:
        return errors, None
    return [], DeclaredConnector(declaration, name, document.line, target)


def _check_deployment(
    data: dict[Any, Any], document: yamlsafe.Document, name: str, config: Config
) -> tuple[list[FieldError], DeclaredDeployment | None]:
    try:
        declaration = DeploymentDeclaration.model_validate(data)
    except ValidationError as error:
        return describe_errors(error, DeploymentDeclaration), None
    target, errors = _resolve_target(declaration.reconcile.target, config)
    if target is None:
        return errors, None
    return [], DeclaredDeployment(declaration, name, document.line, target)


def _resolve_target(declared: str | None, config: Config) -> tuple[str | None, list[FieldError]]:
    """``reconcile.target`` or the default target, or the error that says how to set one."""
    if declared is not None:
        if declared not in config.target_names:
            message = unknown_target_message(declared, config.target_names)
            return None, [FieldError(("reconcile", "target"), "value", message)]
        return declared, []
    if config.default_target is None:
        message = (
            f"no target: set reconcile.target (one of {', '.join(config.target_names)}) "
            f"or defaultTarget in {CONFIG_FILE}"
        )
        return None, [FieldError((), "value", message)]
    return config.default_target, []


def _locate(
    name: str, text: str, located: list[tuple[int, yamlsafe.Document, FieldError]]
) -> list[Problem]:
    """Positions of validation errors, from one round-trip parse of the file."""
    try:
        rt_documents: list[Any] = yamlsafe.parse_round_trip(text)
    except yamlsafe.YamlProblem:
        rt_documents = []
    problems = []
    for index, document, error in located:
        position = None
        if index < len(rt_documents):
            position = locate(rt_documents[index], error.loc, error.anchor)
        line, col = position or (document.line, document.col)
        problems.append(Problem(name, line, col, error.path, error.message))
    return problems


def _duplicates(placed: Sequence[_Placed]) -> list[Problem]:
    """A connector key may appear once per target, across all files; a deployment key too,
    among deployments (a deployment may share its connector's key)."""
    first: dict[tuple[str, str, str], tuple[str, int, int]] = {}
    problems: list[Problem] = []
    for entry in placed:
        item = entry.declared
        line, col = entry.key_position
        resource = "deployment" if isinstance(item, DeclaredDeployment) else "connector"
        identity = (resource, item.target, item.key)
        if identity in first:
            file, first_line, first_col = first[identity]
            problems.append(
                Problem(
                    item.file,
                    line,
                    col,
                    "key",
                    f"{resource} {item.key!r} (target {item.target!r}) is already declared at "
                    f"{file}:{first_line}:{first_col}",
                )
            )
        else:
            first[identity] = (item.file, line, col)
    return problems
