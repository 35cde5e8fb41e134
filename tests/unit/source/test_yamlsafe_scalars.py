"""The fast path's plain-scalar resolution must give exactly what ruamel's safe loader gives."""

from __future__ import annotations

from typing import Any

import pytest
from ruamel.yaml import YAML

from connect_gitops.source import yamlsafe
from connect_gitops.source.yaml_fast import FastLoader

TRICKY_SCALARS = [
    "0",
    "-0",
    "+0",
    "7",
    "-7",
    "+7",
    "007",
    "1_000",
    "0x1F",
    "0x_1f",
    "-0x10",
    "0o17",
    "0o0",
    "0b101",
    "-0b1",
    "1e3",
    "1.5",
    "-1.5",
    ".5",
    "1.",
    "1E-3",
    ".inf",
    "-.Inf",
    "+.INF",
    ".nan",
    ".NaN",
    "true",
    "True",
    "TRUE",
    "tRue",
    "false",
    "False",
    "FALSE",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "~",
    "null",
    "Null",
    "NULL",
    "nULL",
    "",
    "2001-12-14",
    "12:30",
    "1:20:30",
    "0x",
    "0o",
    "0b",
    "0xG",
    "+",
    ".",
    "1-2",
    "v1.0.0",
    "<<x",
    "=x",
    "a: b",
]


def _ruamel(text: str) -> Any:
    yaml = YAML(typ="safe", pure=True)
    return yaml.load(text)


@pytest.mark.parametrize("scalar", TRICKY_SCALARS)
def test_plain_scalar_as_ruamel_safe_loader(scalar: str) -> None:
    text = f"value: {scalar}\nlist: [{scalar}]\n" if scalar != "a: b" else "value: 'a: b'\n"
    expected = _ruamel(text)
    [document] = yamlsafe.parse_documents(text)
    assert document.data == expected
    assert [type(v) for v in document.data.values()] == [type(v) for v in expected.values()]


@pytest.mark.parametrize("scalar", ["true", "1", "~", "0x1F"])
def test_quoted_scalars_stay_strings(scalar: str) -> None:
    [document] = yamlsafe.parse_documents(f"a: '{scalar}'\nb: \"{scalar}\"\n")
    assert document.data == {"a": scalar, "b": scalar}


def test_fast_loader_is_libyaml() -> None:
    from ruamel.yaml.main import CParser  # type: ignore[attr-defined]

    assert issubclass(FastLoader, CParser)
