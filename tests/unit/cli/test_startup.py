"""What keeps a short run short: a rarer collector, results that asyncio never turns into a
string, and plain text that never loads rich."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from connect_gitops.cli.running import run_async
from tests.support.fresh_python import python_json, run_python


class _Costly:
    """A result whose repr must never be built (it would be a whole plan's)."""

    reprs = 0

    def __repr__(self) -> str:
        # Raising would not show: the repr is built inside code that swallows errors.
        type(self).reprs += 1
        return "a whole plan"


def test_a_coroutines_result_is_returned_without_its_repr() -> None:
    result = _Costly()

    async def work() -> _Costly:
        return result

    assert run_async(work) is result
    assert _Costly.reprs == 0


def test_errors_of_the_coroutine_reach_the_caller() -> None:
    async def work() -> None:
        raise LookupError("from the coroutine")

    with pytest.raises(LookupError, match="from the coroutine"):
        run_async(work)


COLLECTOR = """
    import gc, json, sys
    from connect_gitops.cli import entry

    default = gc.get_threshold()
    leave = entry._leave

    def seen_leave(code):
        seen = {"during the run": gc.get_threshold()[0], "frozen": gc.get_freeze_count()}
        print(json.dumps({**seen, "default": default[0], "code": code}))
        leave(code)

    entry._leave = seen_leave
    sys.argv = ["connect-gitops", "validate", "."]
    entry.run()
"""


def test_the_collector_runs_rarer_for_the_whole_process(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("key: startup-a\nname: A\n", encoding="utf-8")

    seen = python_json(COLLECTOR, cwd=tmp_path)

    assert seen["code"] == 0
    assert seen["during the run"] == 200_000
    assert seen["default"] < 200_000
    assert seen["frozen"] == 0


def test_calling_main_directly_leaves_the_collector_alone(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from connect_gitops.cli import main

    (tmp_path / "a.yaml").write_text("key: startup-a\nname: A\n", encoding="utf-8")
    before = gc.get_threshold(), gc.get_freeze_count()

    result = CliRunner().invoke(main, ["validate", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


PLAIN_TEXT = """
    import json, sys
    from connect_gitops.core.plan import Plan
    from connect_gitops.reporting.text import render_plan_text

    text = render_plan_text(Plan(mode="plan", changes=[], orphans=[]), color=False)
    print(json.dumps({"text": text, "rich": any(m.startswith("rich") for m in sys.modules)}))
"""


def test_plain_text_reports_do_not_load_rich(tmp_path: Path) -> None:
    seen = python_json(PLAIN_TEXT, cwd=tmp_path)

    assert seen["rich"] is False
    assert seen["text"] == "No changes. Live connectors match the declarations.\n"


LEAVE = """
    import sys
    from connect_gitops.cli import entry

    print("written to stdout, unflushed", end="")
    print("written to stderr", end="", file=sys.stderr)
    given = sys.argv[1]
    entry._leave(None if given == "none" else int(given) if given.isdigit() else given)
"""


@pytest.mark.parametrize(
    ("code", "status", "extra"),
    [("none", 0, ""), ("2", 2, ""), ("a message", 1, "a message\n")],
)
def test_leaving_flushes_the_streams_and_keeps_the_exit_status(
    tmp_path: Path, code: str, status: int, extra: str
) -> None:
    done = run_python(LEAVE, code, cwd=tmp_path)

    assert done.returncode == status
    assert done.stdout == "written to stdout, unflushed"
    assert done.stderr == "written to stderr" + extra
