"""Declaration folders for the loader's tests: a config, a valid connector, the folder and
its load result, the problems as lines."""

from __future__ import annotations

from pathlib import Path

from connect_gitops.source.config import load_config
from connect_gitops.source.loader import LoadResult, load_folder

CONFIG = """\
connectors: ["connectors/**/*.yaml"]
defaultTarget: local
targets:
  local: {emulator: .connect-gitops/emulator.json}
  eu: {region: europe-west1.gcp, projectKey: shop-prod}
"""

VALID = """\
# yaml-language-server: $schema=../../schema/connector.schema.json
key: {key}
name: Payment
creator:
  email: team@example.com
repository:
  url: git@github.com:example/pay.git
  tag: v1.0.0
privateProjects: [europe-west1.gcp:shop-staging]
supportedRegions: [europe-west1.gcp]
"""


def folder(tmp_path: Path, files: dict[str, str | bytes], config: str = CONFIG) -> Path:
    (tmp_path / "connect-gitops.yaml").write_text(config)
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return tmp_path


def load(tmp_path: Path, files: dict[str, str | bytes], config: str = CONFIG) -> LoadResult:
    root = folder(tmp_path, files, config)
    return load_folder(root, load_config(root, {}))


def lines(result: LoadResult) -> list[str]:
    return [str(problem) for problem in result.problems]
