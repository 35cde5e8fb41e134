"""A folder big enough to be parsed on two cores loads exactly as file by file."""

from __future__ import annotations

from pathlib import Path

from tests.loading.test_loading import VALID, folder

from connect_gitops.source.config import load_config
from connect_gitops.source.loader import load_files


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
