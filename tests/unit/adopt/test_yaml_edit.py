"""Edits of declaration files in place (connectors and deployments share them): a removal that
empties a mapping takes the mapping with it and nothing above it; a value keeps its quoting."""

from __future__ import annotations

from connect_gitops.adopt.yaml_edit import apply_edits, dump, round_trip
from connect_gitops.core.adoption import FieldEdit

DEPLOYMENT = """\
kind: Deployment
key: payments
configurations:
  service:
    standardConfiguration:
      OLD_FLAG: "on"  # going
    schedule: "*/5 * * * *"
  worker:
    standardConfiguration:
      LOG_LEVEL: "debug"
"""


def _edited(text: str, *edits: FieldEdit) -> str:
    yaml = round_trip(mapping=2, offset=0)
    [document] = yaml.load_all(text)
    apply_edits(document, edits)
    return dump([document], yaml)


def test_removing_the_last_value_removes_its_mapping_and_only_that() -> None:
    removed = FieldEdit(
        ("configurations", "service", "standardConfiguration", "OLD_FLAG"), "on", None, "gone"
    )
    changed = FieldEdit(
        ("configurations", "worker", "standardConfiguration", "LOG_LEVEL"), "debug", "warn"
    )

    assert _edited(DEPLOYMENT, removed, changed) == (
        DEPLOYMENT.replace(
            '    standardConfiguration:\n      OLD_FLAG: "on"  # going\n', ""
        ).replace('"debug"', '"warn"')
    )


def test_a_quoted_string_changed_to_a_number_is_written_as_a_number() -> None:
    text = 'kind: Connector\nkey: stripe\nname: "old"\n'
    edit = FieldEdit(("name",), "old", 3)

    assert _edited(text, edit) == "kind: Connector\nkey: stripe\nname: 3\n"
