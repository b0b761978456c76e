"""Private files: 0600 atomic writes and JSON, a full disk (``nemo_skill.storage``)."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from nemo_skill import storage
from nemo_skill.storage import (
    disk_full_message,
    is_disk_full,
    read_json,
    write_json,
    write_private,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- atomic private writes ----------------------------------------------------------


def test_write_private_mode_and_no_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.txt"
    write_private(target, "hello")
    write_private(target, b"bytes")
    assert target.read_bytes() == b"bytes"
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_write_private_tightens_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("old")
    os.chmod(target, 0o644)
    write_private(target, "new")
    assert _mode(target) == 0o600


def test_failing_write_keeps_the_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "file.json"
    write_json(target, {"v": 1})

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(storage.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_json(target, {"v": 2})
    monkeypatch.undo()
    assert read_json(target) == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["file.json"]


def test_interrupted_write_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "file"
    write_private(target, "old")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(storage.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_private(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_write_json_is_sorted_utf8(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    write_json(target, {"b": "导出", "a": 1})
    text = target.read_text(encoding="utf-8")
    assert "导出" in text
    assert list(json.loads(text)) == ["a", "b"]
    assert read_json(tmp_path / "missing.json") == {}


def _raised(make: Callable[[], None]) -> BaseException:
    try:
        make()
    except BaseException as exc:
        return exc
    raise AssertionError("nothing raised")


def _wrapped_enospc() -> None:
    """An encoder's way: its own error, raised from None while handling the real one."""
    try:
        raise OSError(errno.ENOSPC, "No space left on device")
    except OSError as exc:
        raise RuntimeError(f"The encoder failed ({type(exc).__name__})") from None


@pytest.mark.parametrize(
    ("make", "full"),
    [
        (lambda: _raise(OSError(errno.ENOSPC, "x")), True),
        (lambda: _raise(OSError(errno.EDQUOT, "x")), True),
        (lambda: _raise(sqlite3.OperationalError("database or disk is full")), True),
        (_wrapped_enospc, True),
        (lambda: _raise(OSError(errno.EACCES, "x")), False),
        (lambda: _raise(ValueError("disk")), False),
    ],
)
def test_is_disk_full_follows_what_an_error_was_raised_from(
    make: Callable[[], None], full: bool
) -> None:
    assert is_disk_full(_raised(make)) is full


def _raise(exc: BaseException) -> None:
    raise exc


def test_disk_full_message_names_the_folder(tmp_path: Path) -> None:
    text = disk_full_message(tmp_path, "to save the video")
    assert text == f"Disk full: no space left in {tmp_path} to save the video."
