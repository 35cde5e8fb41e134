"""A fault that outlasts every retry ends the run with one clear line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from connect_gitops.emulator.faults import Dice
from connect_gitops.emulator.settings import Faults
from tests.chaos.support import assert_no_traceback, set_faults
from tests.integration.cli_support import cli, journal, write_config, write_declarations


def seed_failing_only_the_second_read(faults: Faults) -> int:
    """A seed whose dice spare the 1st request (the token) and fail the 2nd (the page read)."""
    for seed in range(10_000):
        dice = Dice(faults.model_copy(update={"seed": seed}))
        first, second = dice.roll(write=False, update=False), dice.roll(write=False, update=False)
        if first.error_status is None and second.error_status is not None:
            return seed
    raise AssertionError("no such seed")


@pytest.mark.parametrize("command", ["plan", "apply", "drift"])
def test_a_read_answered_500_is_one_error_line(
    tmp_path: Path, emulator_url: str, command: str
) -> None:
    folder = tmp_path / "declarations"
    write_config(folder, emulator_url)
    write_declarations(folder, ["lonely-connector"])
    set_faults(emulator_url, {"errorRate": 1.0, "errorStatuses": [500]})

    result = cli(command, str(folder))

    assert result.returncode == 1
    assert_no_traceback(result)
    assert "error: 500 General on POST /oauth/token: Internal server error." in result.stderr


def test_a_page_read_answered_500_is_one_error_line(tmp_path: Path, emulator_url: str) -> None:
    folder = tmp_path / "declarations"
    write_config(folder, emulator_url)
    write_declarations(folder, ["lonely-connector"])
    faults = Faults(errorRate=0.5, errorStatuses=[500])
    seed = seed_failing_only_the_second_read(faults)
    set_faults(emulator_url, {"errorRate": 0.5, "errorStatuses": [500], "seed": seed})

    result = cli("plan", str(folder))

    assert result.returncode == 1
    assert_no_traceback(result)
    [token, page] = journal(emulator_url)
    assert (token["path"], token["status"]) == ("/oauth/token", 200)
    assert (page["path"], page["status"]) == ("/connectors/drafts", 500)
    assert "error: 500 General on GET /connectors/drafts: Internal server error." in result.stderr
