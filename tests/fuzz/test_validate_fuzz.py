"""Hostile input to ``validate``: random bytes, random YAML, YAML bombs and tag tricks.

Every input must end in a verdict (valid, or problems with a message), never an exception, a
hang or unbounded memory. Hypothesis drives ``validate_folder`` in-process (a child process per
example would be too slow); a handful of the nastiest inputs go through the real CLI in a child
process with a memory limit and a timeout.
"""

from __future__ import annotations

import resource
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connect_gitops.reporting.problems import render_problems, render_summary
from connect_gitops.source.loader import validate_folder
from tests.support.cli import cli

CONFIG = 'connectors: ["connectors/**/*.yaml"]\n'
FIELDS = [
    "key",
    "name",
    "description",
    "integrationTypes",
    "creator",
    "repository",
    "privateProjects",
    "supportedRegions",
    "documentationUrl",
    "reconcile",
    "email",
    "url",
    "tag",
    "target",
    "<<",
]
YAML_TRICKS = [
    "&a ",
    "*a",
    "!!python/object/apply:os.system ['echo hi']",
    "!custom ",
    "!!binary ",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "%TAG ! tag:example.com,2000:\n",
    "<<: *a\n",
    "? ",
    "\t",
    "{",
    "[",
    "'",
    '"',
    "\\u0000",
    "\x00",
    "\ufeff",
    "key: a\nkey: b\n",
    ": ",
    "- ",
    "|\n",
    ">-\n",
    "#",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.sampled_from(["europe-west1.gcp", "v1.0.0", "git@github.com:a/b.git", "psp", ""]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(
            st.one_of(st.sampled_from(FIELDS), st.text(max_size=10)), inner, max_size=6
        ),
    ),
    max_leaves=30,
)
documents = st.dictionaries(st.sampled_from(FIELDS), values, max_size=10).map(
    lambda d: yaml.safe_dump(d, allow_unicode=True, sort_keys=False)
)
mutated = st.tuples(
    documents, st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(YAML_TRICKS)), max_size=6)
).map(lambda pair: _insert(*pair))
raw_text = st.text(max_size=400)
raw_bytes = st.binary(max_size=400)
inputs = st.one_of(
    documents.map(str.encode),
    mutated.map(str.encode),
    raw_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    raw_bytes,
)


def _insert(text: str, tricks: list[tuple[int, str]]) -> str:
    for position, trick in tricks:
        at = position % (len(text) + 1)
        text = text[:at] + trick + text[at:]
    return text


@pytest.fixture(scope="module")
def workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="fuzz-validate-") as name:
        root = Path(name)
        (root / "connectors").mkdir()
        yield root


def verdict(root: Path) -> tuple[int, list[str]]:
    """What ``validate`` would print and its exit code, computed in-process."""
    report = validate_folder(root, {})
    lines = render_problems(report.problems, str(root)) + render_summary(report)
    return (0 if report.ok else 1), lines


@settings(
    max_examples=250,
    deadline=2000,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(declaration=inputs, as_config=st.booleans())
def test_any_declaration_or_config_file_gets_a_verdict(
    workspace: Path, declaration: bytes, as_config: bool
) -> None:
    (workspace / "connect-gitops.yaml").write_bytes(declaration if as_config else CONFIG.encode())
    (workspace / "connectors" / "fuzzed.yaml").write_bytes(declaration)

    code, lines = verdict(workspace)

    assert code in (0, 1)
    assert lines, "validate printed nothing"
    if code == 1:
        assert any("problem" in line for line in lines)


BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
)
NASTY = {
    "billion-laughs": BILLION_LAUGHS.encode(),
    "python-tag": b"key: !!python/object/apply:os.system ['touch /tmp/fuzz-pwned']\n",
    "deep-nesting": b"key: " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "huge-file": b"key: x\ndescription: " + b"y" * (2 * 1024 * 1024) + b"\n",
    "binary": bytes(range(256)) * 8,
    "bom-and-nul": b"\xef\xbb\xbfkey: a\x00b\n",
    "merge-loop": b"base: &b {key: x}\nkey: {<<: [*b, *b, *b]}\n",
}


def _limit_memory() -> None:
    limit = 1024 * 1024 * 1024  # 1 GiB of address space: a bomb must not get near it
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.parametrize("name", sorted(NASTY))
def test_nasty_files_through_the_real_cli(tmp_path: Path, name: str) -> None:
    (tmp_path / "connect-gitops.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "connectors").mkdir()
    (tmp_path / "connectors" / f"{name}.yaml").write_bytes(NASTY[name])

    result = cli("validate", str(tmp_path), timeout=20, preexec_fn=_limit_memory)

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"connectors/{name}.yaml:" in result.stderr
    assert "1 problem in 1 file" in result.stderr or "problems in 1 file" in result.stderr
    assert not Path("/tmp/fuzz-pwned").exists()
