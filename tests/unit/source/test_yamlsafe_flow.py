"""Plain scalars with ':' inside flow collections (the README's ``privateProjects: [eu:shop]``)
stay on the fast libyaml path and read exactly as ruamel's safe loader reads them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from connect_gitops.source import yaml_fast, yamlsafe


def _ruamel(text: str) -> list[Any]:
    return list(YAML(typ="safe", pure=True).load_all(text))


@pytest.fixture
def fast_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the pure-Python parser is asked (the slow path)."""

    def refuse(text: str) -> Any:
        raise AssertionError(f"the pure-Python parser was asked for {text!r}")

    monkeypatch.setattr(yamlsafe, "_pure_safe_loader", refuse)


FLOW_WITH_COLONS = [
    "privateProjects: [europe-west1.gcp:shop-a, us-central1.gcp:shop-b]\n",
    "privateProjects: [europe-west1.gcp:shop-a]\nname: x\n",
    "a: [x:y, 'q:r', \"s:t\", u]\n",
    "a: [http://example.com/x, https://example.com:8443/y#f]\n",
    "a: {b: c:d, e:f: g}\n",
    "a: [x:, y]\n",
    "a: {x:}\n",
    "a: [1:20, 12:30:45, 2001-12-14 21:59:43.10]\n",
    "a: [x:1, true:false, null:~]\n",
    "a: [\n  eu:shop-a,  # a comment: with a colon\n  us:shop-b\n]\n",
    "a: [a:b: c]\n",
    "a: [multi\n  line:value]\n",
    "a: [x:y]\n---\nb: [z:w]\n...\n---\nc: d\n",
    "key: k\nurl: git@github.com:example/k.git\nlist: [eu:a]\n",
    "a: &anchor [x:y]\nb: *anchor\n",
    "a: [x:y]\nb: |\n  literal: [with:colon]\n",
    # A '?' or a tab where both parsers read it the same: the file stays on the fast path.
    "description: Why not?\nprivateProjects: [eu:shop-a]\n",
    "privateProjects: [eu:shop-a]  # which shops? all of them\n",
    "privateProjects: [eu:shop-a, 'why?', \"and?\"]\n",
    "a: {b: 'it''s ok?', c: \"say \\\"hi?\\\"\", d: e:f}\n",
    "privateProjects: [eu:shop-a]  # a\ttab in a comment\n",
    "description: 'a tab\tinside, and a question?'\nlist: [x:y]\n",
    "description: the 'best' one? yes\nlist: [x:y]\n",
    "list: [x:y]\nquestion: what? why?\n",
]


@pytest.mark.parametrize("text", FLOW_WITH_COLONS)
def test_flow_colons_read_as_ruamel_reads_them_without_the_slow_path(
    text: str, fast_path_only: None
) -> None:
    documents = yamlsafe.parse_documents(text)
    assert [d.data for d in documents] == _ruamel(text)


def test_positions_are_those_of_the_original_text(fast_path_only: None) -> None:
    text = "privateProjects: [eu:shop-a, us:shop-b]\nkey: shop\n"
    [document] = yamlsafe.parse_documents(text)
    assert (document.line, document.col, document.key_position) == (1, 1, (2, 6))


@pytest.mark.parametrize(
    "text",
    [
        "a: [x?y:z]\n",  # '?' inside a flow scalar: old libyaml reads it as a key indicator
        "a: [https://example.com:8443/y?z=1#f]\n",
        "a: [!!str x:y]\n",
        "a: &x:y [x:y]\nb: *x:y\n",
        "a: !!str x:y\nb: [x:y]\n",
        "a: [x:y, \ue000]\n",
        "a: [x:y,\n  p?q]\n",  # a flow collection over several lines
        "a: [x 'y?z', b:c]\n",  # a quote inside a plain flow scalar opens nothing
        "note: it's\nlist: [x?y:z]  # don't\n",
    ],
)
def test_what_old_libyaml_may_read_differently_still_takes_the_exact_path(text: str) -> None:
    assert [d.data for d in yamlsafe.parse_documents(text)] == _ruamel(text)
    assert yaml_fast.mask_colons(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [x:y, x:y]\nb: {c:d: 1, c:d: 2}\n", "duplicate key 'c:d' in one mapping"),
        ("a: [x:y\n", "invalid YAML"),
        ("a: [x:y, !Ref z]\n", "tag '!Ref' is not allowed"),
    ],
)
def test_problems_in_such_files_are_named_as_before(text: str, message: str) -> None:
    with pytest.raises(yamlsafe.YamlProblem, match=message):
        yamlsafe.parse_documents(text)


def test_deep_nesting_after_a_flow_colon_is_still_refused() -> None:
    depth = yamlsafe.MAX_DEPTH + 5
    text = "a: [x:y]\nb: " + "[" * depth + "]" * depth + "\n"
    with pytest.raises(yamlsafe.YamlProblem, match="nesting is deeper than"):
        yamlsafe.parse_documents(text)


_WORD = st.text(alphabet="abz09-._:/@#", min_size=1, max_size=8).filter(
    lambda w: not w.startswith((":", "-", "#", "@")) and not w.endswith(":")
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORD, min_size=1, max_size=4), st.sampled_from(["[{}]", "{{{}}}"]))
def test_any_flow_collection_of_such_words_reads_as_ruamel_reads_it(
    words: list[str], shape: str
) -> None:
    text = "a: " + shape.format(", ".join(words)) + "\n"
    try:
        expected = _ruamel(text)
    except Exception:
        with pytest.raises(yamlsafe.YamlProblem):
            yamlsafe.parse_documents(text)
        return
    assert [d.data for d in yamlsafe.parse_documents(text)] == expected
