"""The README's "GitHub Action" section says what action.yml says, word for word."""

from __future__ import annotations

import re
from pathlib import Path

from action_runner import ACTION

ROOT = Path(__file__).resolve().parents[2]


def readme_table(first_column: str) -> dict[str, list[str]]:
    """The rows of the README table whose header starts with ``| first_column |``, in the
    "GitHub Action" section: the first cell's name (without backticks) to the other cells."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## GitHub Action\n", 1)[1].split("\n## ", 1)[0]
    table = section.split(f"\n| {first_column} |", 1)[1].split("\n\n", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in table.splitlines()[2:]:
        first, *cells = (cell.strip() for cell in line.strip().strip("|").split(" | "))
        rows[first.strip("`")] = cells
    return rows


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_every_input_is_documented_with_its_description_and_default() -> None:
    documented = readme_table("input")

    assert list(documented) == list(ACTION["inputs"])
    for name, spec in ACTION["inputs"].items():
        default = spec.get("default", "")
        expected = f"`{default}`" if default != "" else "required" if spec["required"] else "empty"
        assert documented[name] == [expected, one_line(spec["description"])], name


def test_every_output_is_documented_with_its_description() -> None:
    documented = readme_table("output")

    assert list(documented) == list(ACTION["outputs"])
    for name, spec in ACTION["outputs"].items():
        assert documented[name] == [one_line(spec["description"])], name


def test_the_install_figures_are_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert "`benchmarks/install.py`" in readme
    assert re.search(r"\| install with a warm cache .* \| [\d.]+ s, ", readme)
