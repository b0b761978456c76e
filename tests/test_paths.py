"""``nemo_skill.paths.resolve_output``: where an MP4 goes, refused before any work starts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nemo_skill.cli import STEPS
from nemo_skill.errors import UsageError
from nemo_skill.paths import ensure_folder, resolve_output

RID = "render_1"


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        (None, "render_1.mp4"),
        ("clip.mp4", "clip.mp4"),
        ("films", "films/render_1.mp4"),
        ("films/clip.mp4", "films/clip.mp4"),
    ],
    ids=["default", "file", "folder", "file-in-folder"],
)
def test_targets(tmp_path: Path, out: str | None, expected: str) -> None:
    (tmp_path / "films").mkdir()
    assert resolve_output(out, RID, cwd=tmp_path) == tmp_path / expected


def test_a_home_relative_path_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_output("~/clip.mp4", RID) == tmp_path / "clip.mp4"


@pytest.mark.parametrize(
    ("prepare", "out", "message", "hint"),
    [
        (lambda d: None, "missing/clip.mp4", "Output folder does not exist", "Create the folder"),
        (lambda d: (d / "clip.mp4").write_bytes(b"old"), "clip.mp4", "already exists", "--force"),
        (lambda d: (d / "link.mp4").symlink_to(d / "elsewhere.mp4"), "link.mp4", "symbolic link",
         "plain file"),
        (lambda d: (d / "dir.mp4").mkdir() or os.mkfifo(d / "dir.mp4" / f"{RID}.mp4"), "dir.mp4",
         "not a regular file", ""),
    ],
    ids=["no-folder", "exists", "symlink", "not-a-file"],
)  # fmt: skip
def test_unsafe_targets_are_refused_and_left_alone(
    tmp_path: Path, prepare: object, out: str, message: str, hint: str
) -> None:
    prepare(tmp_path)  # type: ignore[operator]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(UsageError) as caught:
        resolve_output(out, RID, cwd=tmp_path)
    assert message in caught.value.message and hint in caught.value.worded_hint(STEPS)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    if out == "clip.mp4":
        assert (tmp_path / "clip.mp4").read_bytes() == b"old"


def test_force_allows_overwriting_a_regular_file_only(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"old")
    assert resolve_output("clip.mp4", RID, force=True, cwd=tmp_path) == tmp_path / "clip.mp4"
    (tmp_path / "link.mp4").symlink_to(tmp_path / "clip.mp4")
    with pytest.raises(UsageError, match="symbolic link"):
        resolve_output("link.mp4", RID, force=True, cwd=tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_folder_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(UsageError, match="not writable"):
            resolve_output("locked/clip.mp4", RID, cwd=tmp_path)
    finally:
        locked.chmod(0o700)


def test_a_missing_folder_is_created_with_its_parents(tmp_path: Path) -> None:
    made = ensure_folder("new/clips", cwd=tmp_path)
    assert made == tmp_path / "new" / "clips" and made.is_dir()
    assert ensure_folder(made) == made  # an existing folder is used as it is


def test_a_folder_that_cannot_be_made_is_refused_in_the_shells_words(tmp_path: Path) -> None:
    (tmp_path / "clip.mp4").write_bytes(b"old")
    with pytest.raises(UsageError) as caught:
        ensure_folder(tmp_path / "clip.mp4")
    assert "is a file, not a folder" in caught.value.message
    assert caught.value.worded_hint(STEPS) == "Choose a folder for `-o`."
    assert (tmp_path / "clip.mp4").read_bytes() == b"old"
    with pytest.raises(UsageError, match="Could not create the output folder"):
        ensure_folder(tmp_path / "clip.mp4" / "inside")
