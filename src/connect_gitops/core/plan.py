"""The Plan: what apply would do, per target and connector or deployment, as data.

Its JSON form (design.md section 7, ``formatVersion`` 1) is a contract relied on from outside:
saved plans, PR bots and drift reports read it. Field names here are that document's names.
Deployments came later as additions only: a change or orphan without ``resource`` (an older
saved plan) is a connector's.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any, Final, Literal, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_serializer,
    field_validator,
    model_serializer,
)

from connect_gitops.core.actions import UpdateAction, from_wire, to_wire

FORMAT_VERSION: Final = 1

ChangeKind = Literal["create", "update", "redeploy", "replace", "noop", "blocked"]
"""``update`` is a connector's; ``redeploy`` and ``replace`` (delete, create) a deployment's."""
Mode = Literal["plan", "drift"]
Resource = Literal["connector", "deployment"]

_PLAN = ConfigDict(extra="forbid", frozen=True)


class FieldChange(BaseModel):
    """One managed field whose live value differs from the declared one."""

    model_config = _PLAN

    path: str
    before: Any = None
    after: Any = None


class LifecycleStep(BaseModel):
    """A preview or publish that apply requests after its writes, and why."""

    model_config = _PLAN

    step: Literal["preview", "publish"]
    reason: str
    certification: bool = False

    @model_serializer(mode="wrap")
    def _document_shape(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """``certification`` only on publish steps: a preview has none (design.md section 7)."""
        data: dict[str, Any] = handler(self)
        if self.step == "preview":
            data.pop("certification", None)
        return data


class SecuredValue(BaseModel):
    """A secured value a deployment sends: where it goes and the variable it is read from.

    Names only: the value is read from the environment at apply time and never enters a plan.
    """

    model_config = _PLAN

    application: str | None
    """The application, or ``None`` for the deployment's ``globalConfiguration``."""
    key: str
    fromEnv: str


class WaitFor(BaseModel):
    """A connector step of the same run that a deployment waits for before it is written."""

    model_config = _PLAN

    resource: Literal["connector"] = "connector"
    target: str
    key: str
    step: Literal["preview", "publish"]


class Change(BaseModel):
    """What happens to one declared connector or deployment in one target."""

    model_config = _PLAN

    target: str
    key: str
    resource: Resource = "connector"
    file: str | None = None
    line: int | None = None
    kind: ChangeKind
    id: str | None = None
    version: int | None = None
    actions: list[UpdateAction] = Field(default_factory=list)
    draft: dict[str, Any] | None = None
    fields: list[FieldChange] = Field(default_factory=list)
    lifecycle: list[LifecycleStep] = Field(default_factory=list)
    reason: str | None = None
    secured: list[SecuredValue] = Field(default_factory=list)
    waitsFor: list[WaitFor] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _document_shape(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Each resource its own fields: ``lifecycle`` for connectors, the rest for deployments."""
        data: dict[str, Any] = handler(self)
        unused = ("secured", "waitsFor") if self.resource == "connector" else ("lifecycle",)
        for name in unused:
            data.pop(name, None)
        return data

    @field_serializer("actions")
    def _actions_on_the_wire(self, actions: list[UpdateAction]) -> list[dict[str, Any]]:
        return to_wire(actions)

    @field_validator("actions", mode="before")
    @classmethod
    def _actions_from_the_wire(cls, value: Any) -> Any:
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return from_wire(value)
        return value


NO_KEY = "has no key, so no declaration can name it"
"""Orphan reason of a live connector or deployment without a key: reported by id (``key``
empty), never written, never exported."""


class Placed(Protocol):
    """A declaration as the planners see it: its identity and where it is written."""

    @property
    def key(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...


def declared_twice(declared: Iterable[Placed]) -> dict[tuple[str, str], str]:
    """A blocked reason for every (target, key) more than one declaration names: applying
    either would undo the other on every run."""
    items = list(declared)
    counts = Counter((d.target, d.key) for d in items)
    places: dict[tuple[str, str], list[str]] = {}
    for d in items:
        if counts[(d.target, d.key)] > 1:
            places.setdefault((d.target, d.key), []).append(f"{d.file}:{d.line}")
    return {
        identity: f"declared more than once: {', '.join(sorted(where))}"
        for identity, where in places.items()
    }


class Orphan(BaseModel):
    """A live connector or deployment that no declaration names (never deleted by us).

    ``key`` is empty for a live connector or deployment without a key: its ``id`` names it.
    """

    model_config = _PLAN

    target: str
    key: str
    resource: Resource = "connector"
    id: str | None = None
    file: str | None = None
    reason: str | None = None

    @model_serializer(mode="wrap")
    def _document_shape(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """``file`` and ``reason`` only when known: the document's orphan is target, key, id."""
        data: dict[str, Any] = handler(self)
        for optional in ("file", "reason"):
            if data.get(optional) is None:
                data.pop(optional, None)
        return data


class Summary(BaseModel):
    """Counts for the summary line and the JSON document."""

    model_config = _PLAN

    create: int = 0
    update: int = 0
    redeploy: int = 0
    replace: int = 0
    noop: int = 0
    blocked: int = 0
    orphans: int = 0


class Plan(BaseModel):
    """Every change and orphan of one run, in a stable order."""

    model_config = _PLAN

    formatVersion: Literal[1] = FORMAT_VERSION
    mode: Mode = "plan"
    changes: list[Change] = Field(default_factory=list)
    orphans: list[Orphan] = Field(default_factory=list)

    @property
    def summary(self) -> Summary:
        counts = dict.fromkeys(("create", "update", "redeploy", "replace", "noop", "blocked"), 0)
        for change in self.changes:
            counts[change.kind] += 1
        return Summary(**counts, orphans=len(self.orphans))

    @property
    def has_changes(self) -> bool:
        """True when apply would write something (a write of any kind, or lifecycle steps)."""
        return any(c.kind in WRITES or c.lifecycle for c in self.changes)


WRITES: Final = frozenset({"create", "update", "redeploy", "replace"})
"""The change kinds that apply sends to the API."""


def to_json(plan: Plan, *, indent: int | None = 2) -> str:
    """The plan document of design.md section 7."""
    document = plan.model_dump(mode="json")
    document["summary"] = plan.summary.model_dump(mode="json")
    return json.dumps(document, indent=indent, ensure_ascii=False) + "\n"


class PlanFormatError(ValueError):
    """A saved plan that this version cannot read."""


def from_json(text: str) -> Plan:
    """Read a saved plan back; refuses other format versions with a clear message."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PlanFormatError(f"not a plan file: {error}") from None
    if not isinstance(document, dict):
        raise PlanFormatError("not a plan file: expected a JSON object")
    version = document.get("formatVersion")
    if version != FORMAT_VERSION:
        raise PlanFormatError(
            f"plan formatVersion {version!r} is not supported (this version reads "
            f"{FORMAT_VERSION}): re-run plan"
        )
    document.pop("summary", None)
    try:
        return Plan.model_validate(document)
    except ValueError as error:
        raise PlanFormatError(f"not a valid plan file: {error}") from None
