"""apply against the emulator over a real socket: writes, conflicts, faults, lifecycle.

Every test plans with the real planner, applies with the real executor and client, and checks
what a user would see: the outcomes, the emulator's final state and its request journal.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio
import pytest

from connect_gitops.apply.executor import execute
from connect_gitops.client.api import ConnectClient
from connect_gitops.client.retry import RetryPolicy
from connect_gitops.core.declarations import ConnectorDeclaration, DeclaredConnector
from connect_gitops.core.live import ConnectorStaged
from connect_gitops.core.outcomes import ApplyResult, Outcome
from connect_gitops.core.plan import Change, Plan, from_json, to_json
from connect_gitops.core.planner import WAITS_FOR_PUBLISH, LifecycleOverrides, build_plan
from connect_gitops.reporting.progress import PlainProgress
from tests.support import declarations
from tests.support.declarations import creatable
from tests.support.emulator import control, hold, writes
from tests.support.git import git

pytestmark = pytest.mark.anyio

TARGET = "emu"
PROJECT = "shop"
FAST_RETRY = RetryPolicy(max_attempts=5, wait_base=0.01, wait_max=0.05, retry_after_cap=0.05)
FAST_LIFECYCLE = {"previewSeconds": 0.5, "publishSeconds": 0.5}


@pytest.fixture
async def api(emulator_url: str) -> AsyncIterator[ConnectClient]:
    """One client per test (one token), as one apply run would use."""
    async with client_for(emulator_url) as client:
        yield client


# --- helpers ------------------------------------------------------------------------------------


def client_for(url: str) -> ConnectClient:
    return ConnectClient(
        api_url=url,
        auth_url=url,
        project_key=PROJECT,
        client_id="executor-tests",
        client_secret="not-a-real-secret",
        scopes=[f"manage_connectors:{PROJECT}"],
        retry=FAST_RETRY,
    )


def declared(key: str, **fields: Any) -> DeclaredConnector:
    return declarations.declared(key, TARGET, **creatable(key) | {"description": "first"} | fields)


def keyed(connectors: Sequence[DeclaredConnector]) -> dict[tuple[str, str], ConnectorDeclaration]:
    return {(d.target, d.key): d.declaration for d in connectors}


async def plan_for(
    client: ConnectClient, connectors: Sequence[DeclaredConnector], **policy: bool
) -> Plan:
    live = await client.query_all()
    return build_plan(
        connectors,
        {TARGET: live},
        complete_targets=[TARGET],
        policy=LifecycleOverrides(**policy),
    )


async def apply(
    client: ConnectClient,
    connectors: Sequence[DeclaredConnector],
    plan: Plan | None = None,
    *,
    saved: bool = False,
    **options: Any,
) -> ApplyResult:
    """Plan (unless given) and apply; ``saved`` round-trips the plan through its JSON file."""
    plan = plan if plan is not None else await plan_for(client, connectors)
    if saved:
        plan = from_json(to_json(plan))
    return await execute(
        plan,
        {TARGET: client},
        declarations=None if saved else keyed(connectors),
        **options,
    )


async def live_state(client: ConnectClient) -> dict[str, ConnectorStaged]:
    return {c.key: c for c in await client.query_all()}


def by_key(result: ApplyResult) -> dict[str, Outcome]:
    return {o.key: o for o in result.outcomes}


def kinds(result: ApplyResult) -> dict[str, str]:
    return {o.key: o.kind for o in result.outcomes}


# --- converging ---------------------------------------------------------------------------------


async def test_converges_from_nothing_and_a_second_apply_writes_nothing(
    api: ConnectClient, emulator_url: str
) -> None:
    connectors = [declared(f"conn-{n}") for n in range(6)]

    result = await apply(api, connectors)

    assert kinds(result) == {f"conn-{n}": "created" for n in range(6)}
    assert result.ok
    state = await live_state(api)
    assert sorted(state) == [f"conn-{n}" for n in range(6)]
    assert state["conn-3"].name == "Connector conn-3"

    second = await plan_for(api, connectors)
    assert {c.kind for c in second.changes} == {"noop"}
    assert not second.has_changes
    control(emulator_url, "DELETE", "requests")
    again = await apply(api, connectors, second)
    assert kinds(again) == {f"conn-{n}": "unchanged" for n in range(6)}
    assert writes(emulator_url) == []


async def test_updates_send_only_the_changed_fields(api: ConnectClient, emulator_url: str) -> None:
    await apply(api, [declared("pay"), declared("tax")])
    changed = [declared("pay", description="second"), declared("tax")]

    result = await apply(api, changed)

    assert kinds(result) == {"pay": "updated", "tax": "unchanged"}
    assert by_key(result)["pay"].actions == 1
    assert by_key(result)["pay"].version == 2
    assert (await live_state(api))["pay"].description == "second"


async def test_concurrent_writers_are_outlasted_by_rediffing(
    api: ConnectClient, emulator_url: str
) -> None:
    connectors = [declared(f"conn-{n}") for n in range(6)]
    await apply(api, connectors)
    changed = [declared(f"conn-{n}", description=f"v{n}") for n in range(6)]
    plan = await plan_for(api, changed)
    control(emulator_url, "PUT", "faults", {"conflictRate": 0.4, "seed": 7})
    control(emulator_url, "DELETE", "requests")

    result = await apply(api, changed, plan, concurrency=1)

    assert kinds(result) == {f"conn-{n}": "updated" for n in range(6)}
    statuses = [e["status"] for e in writes(emulator_url)]
    assert 409 in statuses  # the fault did strike, and every connector still converged
    control(emulator_url, "PUT", "faults", {"conflictRate": 0.0})
    state = await live_state(api)
    assert {k: c.description for k, c in state.items()} == {f"conn-{n}": f"v{n}" for n in range(6)}


async def test_someone_else_doing_the_work_is_a_success(
    api: ConnectClient, emulator_url: str
) -> None:
    await apply(api, [declared("pay")])
    changed = [declared("pay", description="second")]
    plan = await plan_for(api, changed)
    live = await api.get_by_key("pay")
    assert live is not None
    await api.update(live.id, live.version, [{"action": "setDescription", "description": "second"}])
    control(emulator_url, "DELETE", "requests")

    result = await apply(api, changed, plan)

    assert kinds(result) == {"pay": "unchanged"}
    assert [e["status"] for e in writes(emulator_url)] == [409]


async def test_every_write_answered_ambiguously_still_happens_exactly_once(
    api: ConnectClient,
    emulator_url: str,
) -> None:
    """ambiguousRate 1: every write is done, then answered 500 or dropped."""
    control(emulator_url, "PUT", "faults", {"ambiguousRate": 1.0, "seed": 3})
    connectors = [declared(f"conn-{n}") for n in range(4)]

    created = await apply(api, connectors)

    assert kinds(created) == {f"conn-{n}": "created" for n in range(4)}
    creates = [e for e in writes(emulator_url) if e["path"] == "/connectors/drafts"]
    assert len(creates) == 4  # never sent twice: the key was looked up instead

    updated = await apply(api, [declared("conn-0", description="second")])
    assert kinds(updated) == {"conn-0": "updated"}
    control(emulator_url, "PUT", "faults", {"ambiguousRate": 0.0})
    state = await live_state(api)
    assert state["conn-0"].version == 2  # one write, not two
    assert state["conn-0"].description == "second"


async def test_mixed_faults_converge_without_duplicates(
    api: ConnectClient, emulator_url: str
) -> None:
    control(
        emulator_url,
        "PUT",
        "faults",
        {
            "errorRate": 0.15,
            "errorStatuses": [502, 503],
            "rateLimitEvery": 7,
            "retryAfterSeconds": 0,
            "dropRate": 0.1,
            "ambiguousRate": 0.2,
            "seed": 11,
        },
    )
    connectors = [declared(f"conn-{n:02d}") for n in range(12)]

    result = await apply(api, connectors, concurrency=1)
    changed = [declared(f"conn-{n:02d}", description="second") for n in range(12)]
    second = await apply(api, changed, concurrency=1)

    assert kinds(result) == {d.key: "created" for d in connectors}
    assert kinds(second) == {d.key: "updated" for d in connectors}
    control(
        emulator_url,
        "PUT",
        "faults",
        {"errorRate": 0, "dropRate": 0, "ambiguousRate": 0, "rateLimitEvery": 0},
    )
    everything = await api.query_all()
    assert sorted(c.key for c in everything) == [d.key for d in connectors]  # one per key
    assert {c.description for c in everything} == {"second"}


# --- saved plans --------------------------------------------------------------------------------


async def test_a_saved_plan_gone_stale_writes_nothing_for_that_connector(
    api: ConnectClient, emulator_url: str
) -> None:
    await apply(api, [declared("pay"), declared("tax")])
    changed = [declared("pay", description="planned"), declared("tax", description="planned")]
    plan = await plan_for(api, changed)
    live = await api.get_by_key("pay")
    assert live is not None
    await api.update(live.id, live.version, [{"action": "setName", "name": "Renamed"}])
    control(emulator_url, "DELETE", "requests")

    result = await apply(api, changed, plan, saved=True)

    assert kinds(result) == {"pay": "stale", "tax": "updated"}
    stale = by_key(result)["pay"]
    assert stale.message.startswith("stale plan: re-run plan")
    assert stale.message == (
        "stale plan: re-run plan (pay changed since the plan: planned version 1, now version 2)"
    )
    assert stale.code == "ConcurrentModification"
    assert stale.correlation_id
    assert not result.ok
    pay_writes = [e for e in writes(emulator_url) if e["status"] != 409]
    assert len(pay_writes) == 1  # only tax's update went through
    state = await live_state(api)
    assert (state["pay"].name, state["pay"].description) == ("Renamed", "first")


async def test_a_saved_plan_creating_a_key_that_now_exists_is_stale(
    api: ConnectClient, emulator_url: str
) -> None:
    connectors = [declared("pay")]
    plan = await plan_for(api, connectors)
    await apply(api, [declared("pay", description="made by someone else")])

    result = await apply(api, connectors, plan, saved=True)

    assert kinds(result) == {"pay": "stale"}
    assert "stale plan: re-run plan" in by_key(result)["pay"].message
    state = await live_state(api)
    assert state["pay"].description == "made by someone else"


async def test_a_fresh_plan_creating_a_key_that_now_exists_updates_it(
    api: ConnectClient, emulator_url: str
) -> None:
    connectors = [declared("pay")]
    plan = await plan_for(api, connectors)
    await apply(api, [declared("pay", description="made by someone else")])

    result = await apply(api, connectors, plan)

    assert kinds(result) == {"pay": "updated"}
    assert (await live_state(api))["pay"].description == "first"


async def test_a_saved_plan_survives_ambiguous_answers(
    api: ConnectClient, emulator_url: str
) -> None:
    await apply(api, [declared("pay")])
    connectors = [declared("pay", description="second"), declared("new")]
    plan = await plan_for(api, connectors)
    control(emulator_url, "PUT", "faults", {"ambiguousRate": 1.0, "seed": 5})

    result = await apply(api, connectors, plan, saved=True)

    assert kinds(result) == {"new": "created", "pay": "updated"}
    control(emulator_url, "PUT", "faults", {"ambiguousRate": 0.0})
    state = await live_state(api)
    assert (state["pay"].version, state["pay"].description) == (2, "second")


# --- failures, blocked, Processing --------------------------------------------------------------


async def test_one_failure_does_not_stop_the_others(api: ConnectClient, emulator_url: str) -> None:
    await apply(api, [declared("pay")])
    good = await plan_for(api, [declared("pay", description="second"), declared("new")])
    bad = Change(
        target=TARGET,
        key="broken",
        kind="create",
        draft={"key": "broken", "name": "Broken", "creator": {"email": "x@example.com"}},
    )
    blocked = Change(target=TARGET, key="certified", kind="blocked", reason="in certification")
    plan = Plan(changes=[*good.changes, bad, blocked])

    result = await apply(api, [declared("pay", description="second"), declared("new")], plan)

    assert kinds(result) == {
        "broken": "failed",
        "certified": "blocked",
        "new": "created",
        "pay": "updated",
    }
    failed = by_key(result)["broken"]
    assert failed.code == "InvalidJsonInput"
    assert failed.correlation_id
    assert failed.message == (
        "Request body does not contain valid JSON. (repository: Missing required value)"
    )
    assert by_key(result)["certified"].message == "in certification"
    assert not result.ok


async def test_a_running_publish_is_waited_for_before_the_update(
    api: ConnectClient, emulator_url: str
) -> None:
    control(emulator_url, "PUT", "settings", {"publishSeconds": 1.0})
    await apply(api, [declared("pay")])
    live = await api.get_by_key("pay")
    assert live is not None
    await api.update(live.id, live.version, [{"action": "publish", "certification": False}])
    changed = [declared("pay", description="second")]
    plan = await plan_for(api, changed)
    assert plan.changes[0].reason == WAITS_FOR_PUBLISH
    control(emulator_url, "DELETE", "requests")

    result = await apply(api, changed, plan)

    assert kinds(result) == {"pay": "updated"}
    assert [e["status"] for e in writes(emulator_url)] == [200]
    assert (await live_state(api))["pay"].description == "second"


@pytest.mark.parametrize(
    "setting", ["General", "ConnectorStagedInCertification", "ConcurrentModification"]
)
async def test_publish_in_progress_answer_is_waited_out(
    api: ConnectClient, emulator_url: str, setting: str
) -> None:
    """The plan did not know about the publish: the API's refusal, whatever its code and text,
    makes apply re-read, see Processing, wait, then re-diff."""
    control(emulator_url, "PUT", "settings", {"publishSeconds": 1.0, "lockedUpdateError": setting})
    await apply(api, [declared("pay")])
    live = await api.get_by_key("pay")
    assert live is not None
    live = await api.update(live.id, live.version, [{"action": "publish", "certification": False}])
    plan = Plan(
        changes=[
            Change(
                target=TARGET,
                key="pay",
                kind="update",
                id=live.id,
                version=live.version,
                actions=[{"action": "setDescription", "description": "second"}],
            )
        ]
    )
    control(emulator_url, "DELETE", "requests")

    result = await apply(api, [declared("pay", description="second")], plan)

    assert kinds(result) == {"pay": "updated"}
    assert [e["status"] // 100 for e in writes(emulator_url)] == [4, 2]
    assert (await live_state(api))["pay"].description == "second"


class PublishStartsFirst:
    """The real client; just before the first preview or publish request, someone else starts
    a publish of that connector (behind the client's back, its version unchanged)."""

    def __init__(self, client: ConnectClient, url: str) -> None:
        self._client = client
        self._url = url
        self.started = False

    async def get_by_key(self, key: str) -> ConnectorStaged | None:
        return await self._client.get_by_key(key)

    async def get_by_id(self, id: str) -> ConnectorStaged | None:
        return await self._client.get_by_id(id)

    async def create(self, draft: Mapping[str, Any]) -> ConnectorStaged:
        return await self._client.create(draft)

    async def update(
        self, id: str, version: int, actions: Sequence[Mapping[str, Any]]
    ) -> ConnectorStaged:
        lifecycle = {a["action"] for a in actions} & {"updatePreviewable", "publish"}
        if lifecycle and not self.started:
            self.started = True
            found = await self._client.get_by_id(id)
            assert found is not None
            assert found.key is not None
            hold(self._url, found.key, "Processing", publish_ends_in=1.0, project=PROJECT)
        return await self._client.update(id, version, actions)


@pytest.mark.parametrize(
    "setting", ["General", "ConnectorStagedInCertification", "ConcurrentModification"]
)
async def test_a_preview_refused_by_a_publish_that_started_meanwhile_waits_for_it(
    api: ConnectClient, emulator_url: str, setting: str
) -> None:
    control(emulator_url, "PUT", "settings", FAST_LIFECYCLE | {"lockedUpdateError": setting})
    await apply(api, [declared("pay")])
    plan = await plan_for(api, [declared("pay")], preview=True)
    busy = PublishStartsFirst(api, emulator_url)
    control(emulator_url, "DELETE", "requests")

    result = await execute(plan, {TARGET: busy}, declarations=keyed([declared("pay")]))

    assert busy.started
    [outcome] = result.outcomes
    assert [(s.step, s.state, s.message) for s in outcome.lifecycle] == [
        ("preview", "succeeded", "preview ready")
    ]
    assert [e["status"] // 100 for e in writes(emulator_url)] == [4, 2]


# --- preview and publish ------------------------------------------------------------------------


async def test_preview_and_publish_succeed(api: ConnectClient, emulator_url: str) -> None:
    control(emulator_url, "PUT", "settings", FAST_LIFECYCLE)
    connectors = [declared(f"conn-{n}") for n in range(3)]
    plan = await plan_for(api, connectors, preview=True, publish=True)
    stream = io.StringIO()

    result = await apply(api, connectors, plan, progress=PlainProgress(stream))

    assert result.ok
    for outcome in result.outcomes:
        assert outcome.kind == "created"
        assert [(s.step, s.state) for s in outcome.lifecycle] == [
            ("preview", "succeeded"),
            ("publish", "succeeded"),
        ]
        assert outcome.lifecycle[1].message == "Published"
    state = await live_state(api)
    assert {(c.isPreviewable, c.status) for c in state.values()} == {("true", "Published")}
    lines = stream.getvalue().splitlines()
    assert "emu/conn-1: create: created" in lines
    assert any(line.startswith("emu/conn-1: preview: succeeded") for line in lines)
    assert any(line.startswith("emu/conn-1: publish: succeeded (Published)") for line in lines)
    waits = [line for line in lines if line.startswith("waiting for ")]
    assert any(line.startswith("waiting for preview of conn-1: preview ready (") for line in waits)
    assert any(line.startswith("waiting for publish of conn-1: published (") for line in waits)
    assert not [line for line in waits if ": true (" in line or ": Published (" in line]


async def test_progress_says_a_waited_publish_and_a_refused_preview_in_words(
    api: ConnectClient, emulator_url: str
) -> None:
    control(emulator_url, "PUT", "settings", {"previewOutcome": "false", "previewSeconds": 1.2})
    await apply(api, [declared("pay")])
    live = await api.get_by_key("pay")
    assert live is not None
    await api.update(live.id, live.version, [{"action": "publish", "certification": False}])
    changed = [declared("pay", description="second")]
    stream = io.StringIO()

    await apply(api, changed, progress=PlainProgress(stream))  # waits for the running publish
    plan = await plan_for(api, changed, preview=True)
    await apply(api, changed, plan, progress=PlainProgress(stream))

    lines = stream.getvalue().splitlines()
    assert any(line.startswith("emu/pay: processing: published after ") for line in lines)
    assert any(line.startswith("waiting for preview of pay: still pending (") for line in lines)
    assert any(line.startswith("waiting for preview of pay: preview refused (") for line in lines)


async def test_no_wait_only_sends_the_requests(api: ConnectClient, emulator_url: str) -> None:
    control(emulator_url, "PUT", "settings", {"previewSeconds": 30, "publishSeconds": 30})
    connectors = [declared("pay")]
    plan = await plan_for(api, connectors, preview=True, publish=True)

    result = await apply(api, connectors, plan, wait=False)

    assert [(s.step, s.state) for s in result.outcomes[0].lifecycle] == [
        ("preview", "requested"),
        ("publish", "requested"),
    ]
    assert result.ok
    live = (await live_state(api))["pay"]
    assert (live.isPreviewable, live.status) == ("pending", "Processing")


def make_repository_without_connect_yaml(root: Path) -> Path:
    """A real git repository with tag v1.0.0 whose tree lacks connect.yaml."""
    repo = root / "x.git"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    (repo / "README.md").write_text("no connect.yaml here\n")
    git("add", "README.md", cwd=repo)
    git("commit", "-q", "-m", "init", cwd=repo)
    git("tag", "v1.0.0", cwd=repo)
    return repo


@pytest.fixture
def broken_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """``git@github.com:acme/x.git`` rewritten (by git's own insteadOf) to a local repository."""
    make_repository_without_connect_yaml(tmp_path)
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", f"url.file://{tmp_path}/.insteadOf")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "git@github.com:acme/")
    return "git@github.com:acme/x.git"


async def test_preview_fails_with_the_report_entries(
    api: ConnectClient, emulator_url: str, broken_repository: str
) -> None:
    control(emulator_url, "PUT", "settings", FAST_LIFECYCLE)
    connectors = [
        declared("broken", repository={"url": broken_repository, "tag": "v1.0.0"}),
        declared("fine"),
    ]
    plan = await plan_for(api, connectors, preview=True, publish=True)

    result = await apply(api, connectors, plan)

    broken, fine = by_key(result)["broken"], by_key(result)["fine"]
    assert broken.kind == "created"
    preview, publish = broken.lifecycle
    assert (preview.step, preview.state, preview.message) == ("preview", "failed", "preview failed")
    assert any(
        e["type"] == "Error" and e["title"] == "Connector specification file not found"
        for e in preview.entries
    )
    assert (publish.step, publish.state) == ("publish", "skipped")
    assert [s.state for s in fine.lifecycle] == ["succeeded", "succeeded"]
    assert not result.ok


async def test_publish_fails_with_the_report_entries(
    api: ConnectClient, emulator_url: str, broken_repository: str
) -> None:
    control(emulator_url, "PUT", "settings", FAST_LIFECYCLE)
    connectors = [declared("broken", repository={"url": broken_repository, "tag": "v1.0.0"})]
    plan = await plan_for(api, connectors, publish=True)

    result = await apply(api, connectors, plan)

    (publish,) = result.outcomes[0].lifecycle
    assert (publish.step, publish.state, publish.message) == ("publish", "failed", "publish failed")
    assert any(e["title"] == "Connector specification file not found" for e in publish.entries)
    assert (await live_state(api))["broken"].status == "Failed"


async def test_a_preview_that_outlasts_the_timeout_times_out(
    api: ConnectClient, emulator_url: str
) -> None:
    control(emulator_url, "PUT", "settings", {"previewSeconds": 60})
    connectors = [declared("slow")]
    plan = await plan_for(api, connectors, preview=True)

    result = await apply(api, connectors, plan, timeout=1.5)

    (preview,) = result.outcomes[0].lifecycle
    assert preview.state == "timed_out"
    assert preview.message == (
        "preview of slow still pending after 1s; check the Merchant Center or re-run with a "
        "longer --timeout"
    )
    assert not result.ok


async def test_many_previews_are_waited_for_at_once(api: ConnectClient, emulator_url: str) -> None:
    control(emulator_url, "PUT", "settings", {"previewSeconds": 1.0})
    connectors = [declared(f"conn-{n:02d}") for n in range(12)]
    plan = await plan_for(api, connectors, preview=True)

    import time

    started = time.monotonic()
    result = await apply(api, connectors, plan, concurrency=2)
    elapsed = time.monotonic() - started

    assert all(o.lifecycle[0].state == "succeeded" for o in result.outcomes)
    assert elapsed < 4.0  # twelve one-second previews, waited for side by side


async def test_a_publish_with_certification_succeeds_when_ready(
    api: ConnectClient, emulator_url: str
) -> None:
    control(emulator_url, "PUT", "settings", FAST_LIFECYCLE)
    connectors = [declared("pay")]
    plan = await plan_for(api, connectors, publish=True, certification=True)

    result = await apply(api, connectors, plan)

    (publish,) = result.outcomes[0].lifecycle
    assert publish.state == "succeeded"
    assert publish.message in ("ReadyForCertification", "InCertification")


async def test_a_cancelled_preview_fails(api: ConnectClient, emulator_url: str) -> None:
    control(emulator_url, "PUT", "settings", {**FAST_LIFECYCLE, "previewOutcome": "none"})
    connectors = [declared("pay")]
    plan = await plan_for(api, connectors, preview=True)

    result = await apply(api, connectors, plan)

    (preview,) = result.outcomes[0].lifecycle
    assert (preview.state, preview.message) == ("failed", "preview was cancelled")


async def test_a_preview_ending_in_a_value_this_version_does_not_know_fails_saying_it(
    api: ConnectClient, emulator_url: str
) -> None:
    control(emulator_url, "PUT", "settings", {"previewSeconds": 60})
    connectors = [declared("pay")]
    plan = await plan_for(api, connectors, preview=True)

    async def the_api_answers_something_new() -> None:
        await anyio.sleep(1.0)
        state = control(emulator_url, "GET", "state")
        [stored] = state["projects"][PROJECT]["connectors"]
        stored["isPreviewable"] = "maybe-later"
        state["projects"][PROJECT]["meta"] = {}
        control(emulator_url, "PUT", "state", state)

    async with anyio.create_task_group() as group:
        group.start_soon(the_api_answers_something_new)
        result = await apply(api, connectors, plan)

    (preview,) = result.outcomes[0].lifecycle
    assert (preview.state, preview.message) == ("failed", "preview ended as 'maybe-later'")


async def test_a_publish_that_outlasts_the_timeout_blocks_the_update(
    api: ConnectClient, emulator_url: str
) -> None:
    control(emulator_url, "PUT", "settings", {"publishSeconds": 60})
    await apply(api, [declared("pay")])
    live = await api.get_by_key("pay")
    assert live is not None
    await api.update(live.id, live.version, [{"action": "publish", "certification": False}])
    changed = [declared("pay", description="second")]
    stream = io.StringIO()

    result = await apply(api, changed, timeout=1.2, progress=PlainProgress(stream))

    assert kinds(result) == {"pay": "blocked"}
    assert by_key(result)["pay"].message == (
        "running publish of pay still Processing after 1s; check the Merchant Center or re-run "
        "with a longer --timeout"
    )
    assert "emu/pay: waiting for the running publish" in stream.getvalue().splitlines()
    assert (await live_state(api))["pay"].description == "first"


async def test_an_unexpected_error_fails_only_its_connector(api: ConnectClient) -> None:
    broken = Change(target=TARGET, key="no-id", kind="update", version=1)
    plan = await plan_for(api, [declared("pay")])
    plan = Plan(changes=[*plan.changes, broken])

    result = await apply(api, [declared("pay")], plan)

    assert kinds(result) == {"no-id": "failed", "pay": "created"}
    assert by_key(result)["no-id"].message == "ValueError: update of no-id has no id or version"
