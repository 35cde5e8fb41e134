"""A fault that outlasts every retry ends the run with one clear line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from connect_gitops.emulator.faults import Dice
from connect_gitops.emulator.settings import Faults
from tests.support.chaos import assert_no_traceback
from tests.support.cli import cli
from tests.support.declarations import write_config, write_declarations
from tests.support.emulator import journal, set_faults


def seed_failing_only_the_second_read(faults: Faults) -> int:
    """A seed whose dice fail the 2nd request (the page read) and spare the 1st and 3rd."""
    for seed in range(10_000):
        dice = Dice(faults.model_copy(update={"seed": seed}))
        rolls = [dice.roll(write=False, update=False).error_status for _ in range(3)]
        if rolls[0] is None and rolls[1] is not None and rolls[2] is None:
            return seed
    raise AssertionError("no such seed")


@pytest.mark.parametrize("command", ["plan", "apply", "drift"])
def test_a_server_error_that_is_not_transient_is_one_error_line(
    tmp_path: Path, emulator_url: str, command: str
) -> None:
    folder = tmp_path / "declarations"
    write_config(folder, emulator_url)
    write_declarations(folder, ["lonely-connector"])
    set_faults(emulator_url, {"errorRate": 1.0, "errorStatuses": [501]})

    result = cli(command, str(folder))

    assert result.returncode == 1
    assert_no_traceback(result)
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert line.startswith(
        f"error: 501 General on POST /oauth/token of the token endpoint {emulator_url}:"
    )


def test_a_page_read_answered_500_is_read_again(tmp_path: Path, emulator_url: str) -> None:
    """A read has no effect, so a 500 on it is retried like a 503 (a write's 500 is not)."""
    folder = tmp_path / "declarations"
    write_config(folder, emulator_url)
    write_declarations(folder, ["lonely-connector"])
    faults = Faults(errorRate=0.5, errorStatuses=[500])
    seed = seed_failing_only_the_second_read(faults)
    set_faults(emulator_url, {"errorRate": 0.5, "errorStatuses": [500], "seed": seed})

    result = cli("plan", str(folder))

    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    [token, failed, page] = journal(emulator_url)
    assert (token["path"], token["status"]) == ("/oauth/token", 200)
    assert (failed["path"], failed["status"]) == ("/connectors/drafts", 500)
    assert (page["path"], page["status"]) == ("/connectors/drafts", 200)
    assert "Plan: 1 to create" in result.stderr
