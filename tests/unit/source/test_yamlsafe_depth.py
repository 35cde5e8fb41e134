"""yamlsafe's depth check: a cheap bound first, the event scan only when the bound is high."""

from __future__ import annotations

import pytest

from connect_gitops.source import yamlsafe


def test_dashes_inside_words_open_no_level() -> None:
    lines = "".join(f"k{i}: eu-central-{i}-a-b\n" for i in range(60))
    text = "key: bench-connector-00001\n" + lines
    assert yamlsafe._nesting_bound(text) == 61
    assert yamlsafe.parse_documents(text)[0].data["k59"] == "eu-central-59-a-b"


@pytest.mark.parametrize("separator", ["\n", "\r\n", "\u2028", "\x85"])
def test_deep_block_sequences_are_refused_whatever_the_line_break(separator: str) -> None:
    text = "a:" + separator + "".join("  " * i + "-" + separator for i in range(1, 200))
    with pytest.raises(yamlsafe.YamlProblem, match="nesting is deeper than 100 levels"):
        yamlsafe.parse_documents(text)


@pytest.mark.parametrize(
    "text",
    ["- " * 150 + "x\n", "-\t" * 150 + "x\n", "? " * 150 + "x\n", "a: " + "{b: " * 150 + "}" * 150],
)
def test_every_opening_indicator_is_counted(text: str) -> None:
    assert yamlsafe._nesting_bound(text) >= 150
