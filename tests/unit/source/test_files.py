"""source.files: the one atomic write of the project (``plan --out``, ``export``)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from connect_gitops.source.files import write_atomically


def test_the_text_replaces_the_file_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    target = tmp_path / "out" / "plan.json"
    write_atomically(target, "first\n")
    write_atomically(target, "second\r\nline\n")

    assert target.read_bytes() == b"second\r\nline\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["plan.json"]


def test_a_symlink_at_the_old_temporary_name_is_left_alone(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (tmp_path / ".plan.json.partial").symlink_to(victim)

    write_atomically(tmp_path / "plan.json", "the plan\n")

    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert (tmp_path / "plan.json").read_text(encoding="utf-8") == "the plan\n"
    assert not (tmp_path / "plan.json").is_symlink()


def test_a_symlink_at_the_destination_is_replaced_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (tmp_path / "plan.json").symlink_to(victim)

    write_atomically(tmp_path / "plan.json", "the plan\n")

    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert (tmp_path / "plan.json").read_text(encoding="utf-8") == "the plan\n"


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "payment.yaml"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)

    write_atomically(target, "new\n")

    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_new_file_gets_the_permissions_of_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomically(tmp_path / "new.yaml", "text\n")
    finally:
        os.umask(old)

    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o640


def test_a_failed_write_leaves_neither_a_temporary_file_nor_a_change(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("before\n", encoding="utf-8")

    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "half \udc00 written")

    assert target.read_text(encoding="utf-8") == "before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]
