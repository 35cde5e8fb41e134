"""Loading declaration files: exact positions of errors, refusals, duplicates, one parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from connect_gitops.source.config import load_config
from connect_gitops.source.files import discover_files
from connect_gitops.source.loader import load_files, load_folder
from connect_gitops.source.yaml_fast import FastLoader
from tests.support.loading import VALID, folder, lines, load
from tests.support.paths import EXAMPLES


def test_fast_path_is_libyaml() -> None:
    from ruamel.yaml.main import CParser  # type: ignore[attr-defined]

    assert CParser is not None
    assert issubclass(FastLoader, CParser)


def test_valid_files_load_once_with_file_line_and_target(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "connectors/pay.yaml": VALID.format(key="pay"),
            "connectors/sub/tax.yaml": "# tax\n\nkey: tax\nreconcile: {target: eu}\n",
        },
    )
    assert result.problems == ()
    assert result.round_trip_files == ()
    assert result.files == ("connectors/pay.yaml", "connectors/sub/tax.yaml")
    assert [(d.key, d.file, d.line, d.target) for d in result.declarations] == [
        ("pay", "connectors/pay.yaml", 2, "local"),
        ("tax", "connectors/sub/tax.yaml", 3, "eu"),
    ]
    assert result.declarations[0].declaration.privateProjects == ["europe-west1.gcp:shop-staging"]


def test_multi_document_file(tmp_path: Path) -> None:
    text = "key: one\n---\n# second\nkey: two\n---\n"
    result = load(tmp_path, {"connectors/many.yaml": text})
    assert [(d.key, d.line) for d in result.declarations] == [("one", 1), ("two", 4)]


def test_errors_point_at_values_keys_items_and_lacking_mappings(tmp_path: Path) -> None:
    text = """\
key: pay
nmae: Payment
integrationTypes: [pssp]
creator:
  email: team@example.com
  no_of_contributors: 3
repository:
  url: git@github.com:org/repo.git
privateProjects:
  - europe-west1.gcp:shop
  - bad
supportedRegions: []
---
key: pay2
repository:
  url: git@github.com:org/repo.git
  tag: 1.0
"""
    result = load(tmp_path, {"connectors/a.yaml": text})
    assert lines(result) == [
        "connectors/a.yaml:2:1: nmae: unknown field; did you mean 'name'?",
        "connectors/a.yaml:3:20: integrationTypes[0]: 'pssp' is not one of analytics, crm, "
        "email, erp, giftcard, marketplace, oms, other, pim, promotion, psp, search, shipping, "
        "tax; did you mean 'psp'?",
        "connectors/a.yaml:6:3: creator.no_of_contributors: unknown field; "
        "did you mean 'noOfContributors'?",
        "connectors/a.yaml:8:3: repository.tag: required field is missing",
        "connectors/a.yaml:11:5: privateProjects[1]: invalid project identifier 'bad': "
        "use REGION:PROJECT_KEY, e.g. europe-west1.gcp:shop-staging",
        "connectors/a.yaml:12:19: supportedRegions: must not be empty",
        "connectors/a.yaml:17:8: repository.tag: expected text, got the number 1.0: "
        'quote it ("1.0")',
    ]
    assert result.declarations == ()
    assert result.round_trip_files == ("connectors/a.yaml",)


def test_missing_key_points_at_the_document(tmp_path: Path) -> None:
    result = load(tmp_path, {"connectors/a.yaml": "# c\nname: x\n"})
    assert lines(result) == ["connectors/a.yaml:2:1: key: required field is missing"]


def test_wrong_types_get_hints(tmp_path: Path) -> None:
    text = (
        "key: ab\nname: true\ncreator:\n  noOfContributors: '4'\nintegrationTypes: psp\n"
        "reconcile:\n  preview: yes\n"
    )
    assert lines(load(tmp_path, {"connectors/a.yaml": text})) == [
        'connectors/a.yaml:2:7: name: expected text, got the boolean true: quote it ("true")',
        "connectors/a.yaml:4:21: creator.noOfContributors: expected a whole number, "
        "got the text '4': remove the quotes",
        "connectors/a.yaml:5:19: integrationTypes: expected a list (e.g. [a, b]), "
        "got the text 'psp'",
        "connectors/a.yaml:7:12: reconcile.preview: expected true or false, got the text 'yes'",
    ]


def test_not_a_mapping(tmp_path: Path) -> None:
    assert lines(load(tmp_path, {"connectors/a.yaml": "key: ab\n---\n- a\n"})) == [
        "connectors/a.yaml:3:1: a connector declaration must be a mapping of fields"
    ]


def test_unknown_target_with_did_you_mean(tmp_path: Path) -> None:
    text = "key: ab\nreconcile:\n  target: loacl\n"
    assert lines(load(tmp_path, {"connectors/a.yaml": text})) == [
        "connectors/a.yaml:3:11: reconcile.target: unknown target 'loacl'; did you mean "
        "'local'? (targets: eu, local)"
    ]


def test_no_default_target(tmp_path: Path) -> None:
    config = "targets:\n  a: {emulator: a.json}\n  b: {emulator: b.json}\n"
    result = load(tmp_path, {"x.yaml": "key: ab\n"}, config)
    assert lines(result) == [
        "x.yaml:1:1: no target: set reconcile.target (one of a, b) or defaultTarget in "
        "connect-gitops.yaml"
    ]


def test_duplicate_keys_across_files_name_both_places(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "connectors/a.yaml": VALID.format(key="pay"),
            "connectors/b.yaml": "# again\nname: x\nkey: pay\n---\nkey: pay\n",
        },
    )
    assert lines(result) == [
        "connectors/b.yaml:3:6: key: connector 'pay' (target 'local') is already declared at "
        "connectors/a.yaml:2:6",
        "connectors/b.yaml:5:6: key: connector 'pay' (target 'local') is already declared at "
        "connectors/a.yaml:2:6",
    ]
    assert result.round_trip_files == ()


def test_same_key_in_two_targets_is_two_connectors(tmp_path: Path) -> None:
    text = "key: pay\n---\nkey: pay\nreconcile: {target: eu}\n"
    result = load(tmp_path, {"connectors/a.yaml": text})
    assert [(d.key, d.target) for d in result.declarations] == [("pay", "local"), ("pay", "eu")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("key: ab\nkey: cd\n", "connectors/x.yaml:2:1: duplicate key 'key' in one mapping"),
        ("key: !Ref ab\n", "connectors/x.yaml:1:6: tag '!Ref' is not allowed: plain YAML only"),
        (
            "key: !!python/object:os.system ab\n",
            "connectors/x.yaml:1:6: tag '!!python/object:os.system' is not allowed: "
            "plain YAML only",
        ),
        ("a: &a [*a]\n", "connectors/x.yaml:1:4: recursive alias: a node contains itself"),
        (
            b"key: ab\nname: caf\xe9\n",
            "connectors/x.yaml:2:10: file is not UTF-8: byte 0xe9 cannot be decoded",
        ),
        (
            "key: [ab\n",
            "connectors/x.yaml:2:1: invalid YAML: while parsing a flow sequence: "
            "expected ',' or ']', but got '<stream end>'",
        ),
        (
            "a: " + "[" * 150 + "]" * 150 + "\n",
            "connectors/x.yaml:1:103: nesting is deeper than 100 levels",
        ),
        ("- " * 5000 + "x\n", "connectors/x.yaml:1:201: nesting is deeper than 100 levels"),
    ],
)
def test_loader_refusals(tmp_path: Path, content: str | bytes, expected: str) -> None:
    assert lines(load(tmp_path, {"connectors/x.yaml": content})) == [expected]


def test_deep_block_sequences_are_refused(tmp_path: Path) -> None:
    text = "key: ab\nname:\n" + "".join("  " * i + "-\n" for i in range(1, 200))
    assert lines(load(tmp_path, {"connectors/x.yaml": text})) == [
        "connectors/x.yaml:102:201: nesting is deeper than 100 levels"
    ]


def test_billion_laughs_fails_fast(tmp_path: Path) -> None:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    assert lines(load(tmp_path, {"connectors/x.yaml": text})) == [
        "connectors/x.yaml:5:4: aliases expand to more than 10000 nodes"
    ]


def test_small_aliases_and_merge_keys_are_fine(tmp_path: Path) -> None:
    text = (
        "key: one\nname: &name Payments\ndescription: *name\n"
        "creator:\n  <<: {email: team@example.com, company: X}\n  company: Y\n"
    )
    result = load(tmp_path, {"connectors/x.yaml": text})
    assert result.problems == ()
    declaration = result.declarations[0].declaration
    assert (declaration.name, declaration.description) == ("Payments", "Payments")
    assert declaration.creator is not None
    assert (declaration.creator.email, declaration.creator.company) == ("team@example.com", "Y")


def test_file_over_one_mebibyte(tmp_path: Path) -> None:
    text = "key: ab\ndescription: " + "x" * (1024 * 1024) + "\n"
    assert lines(load(tmp_path, {"connectors/x.yaml": text})) == [
        "connectors/x.yaml:1:1: file is larger than 1024 KiB"
    ]


def test_yaml_1_2_flow_colon_that_libyaml_refuses(tmp_path: Path) -> None:
    result = load(tmp_path, {"connectors/x.yaml": "key: ab\nprivateProjects: [r.gcp:shop]\n"})
    assert result.declarations[0].declaration.privateProjects == ["r.gcp:shop"]


def test_all_problems_of_all_files_sorted(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "connectors/b.yaml": "key: bb\nnmae: x\n",
            "connectors/a.yaml": "key: aa\nkey: bb\n",
            "connectors/c.yaml": VALID.format(key="cc"),
        },
    )
    assert [(p.file, p.line) for p in result.problems] == [
        ("connectors/a.yaml", 2),
        ("connectors/b.yaml", 2),
    ]
    assert result.round_trip_files == ("connectors/b.yaml",)


def test_default_globs_skip_config_hidden_folders(tmp_path: Path) -> None:
    for name in [
        "a.yaml",
        "b.yml",
        "sub/c.yaml",
        ".git/x.yaml",
        ".connect-gitops/state.yaml",
        "sub/.hidden/d.yaml",
        "readme.md",
        "connect-gitops.yaml",
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("key: ab\n")
    assert discover_files(tmp_path, ("**/*.yaml", "**/*.yml")) == ["a.yaml", "b.yml", "sub/c.yaml"]
    assert discover_files(tmp_path, ("sub/*.yaml",)) == ["sub/c.yaml"]


def test_examples_config_ignores_workflows(tmp_path: Path) -> None:
    root = folder(
        tmp_path,
        {
            "connectors/pay.yaml": VALID.format(key="pay"),
            "workflows/deploy.yml": "on: push\njobs: {}\n",
        },
    )
    assert load_folder(root, load_config(root, {})).files == ("connectors/pay.yaml",)


def test_load_files_reads_only_the_given_files(tmp_path: Path) -> None:
    root = folder(
        tmp_path,
        {"connectors/a.yaml": VALID.format(key="aa"), "connectors/b.yaml": "not: valid\n"},
    )
    result = load_files(root, ["connectors/a.yaml"], load_config(root, {}))
    assert result.files == ("connectors/a.yaml",)
    assert [d.key for d in result.declarations] == ["aa"]


def test_the_examples_are_valid() -> None:
    root = EXAMPLES
    result = load_folder(root, load_config(root, {}))
    assert result.problems == ()
    assert sorted(d.key for d in result.declarations) == [
        "avalara-tax-connector",
        "order-export-connector",
        "stripe-payment-connector",
    ]
    for name in result.files:
        first = (root / name).read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schema/connector.schema.json"


@pytest.mark.parametrize("text", ["%YAML 0.0\n", "%YAML 0.0\n---\nkey: abc\n"])
def test_input_that_crashes_the_yaml_parser_is_a_problem_not_a_traceback(text: str) -> None:
    """Found by the fuzz test: ruamel raises IndexError on a ``%YAML 0.0`` directive."""
    from connect_gitops.source import yamlsafe

    with pytest.raises(yamlsafe.YamlProblem) as caught:
        yamlsafe.parse_documents(text)
    assert (caught.value.line, caught.value.col) == (1, 1)
    assert caught.value.message.startswith("not valid YAML: the parser stopped (IndexError)")


def test_many_files_give_the_same_problems_and_positions_as_one_by_one(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        f"connectors/c{index:03}.yaml": VALID.format(key=f"c-{index}") for index in range(260)
    }
    files["connectors/c010.yaml"] = "key: [unclosed\n"
    files["connectors/c250.yaml"] = VALID.format(key="c-250").replace("name: Payment", "name: 7")
    files["connectors/c255.yaml"] = b"key: \xff\n"
    files["connectors/c258.yaml"] = VALID.format(key="c-1")
    root = folder(tmp_path, files)
    config = load_config(root, {})
    names = sorted(name for name in files)

    together = load_files(root, names, config)
    one_by_one = [load_files(root, [name], config) for name in names]

    single = sorted(p for result in one_by_one for p in result.problems)
    duplicate = [str(p) for p in together.problems if "already declared" in str(p)]
    assert [str(p) for p in together.problems if p in single] == [str(p) for p in single]
    assert duplicate == [
        "connectors/c258.yaml:2:6: key: connector 'c-1' (target 'local') is already declared "
        "at connectors/c001.yaml:2:6"
    ]
    assert len(together.problems) == len(single) + 1
    assert [str(p) for p in single][:1] == [
        "connectors/c010.yaml:2:1: invalid YAML: while parsing a flow sequence: expected ',' "
        "or ']', but got '<stream end>'"
    ]
