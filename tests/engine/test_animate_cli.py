"""`nemo-skill animate`: a real render from the command line, and the paths it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nemo_skill import cli
from tests.engine.conftest import tone_wav

av = pytest.importorskip("av")

SMALL = ("--size", "160", "--duration", "1", "--fps", "24")


def _streams(path: Path) -> tuple[int, int, float, int, list[str]]:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video=0))
        kinds = [s.type for s in container.streams]
        return (
            video.codec_context.width,
            video.codec_context.height,
            float(video.average_rate),
            frames,
            kinds,
        )


def test_json_result_describes_the_file_it_wrote(
    photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "clip.mp4"
    code = cli.main(
        ["--json", "animate", str(photo), "slow zoom in, 9:16 with the title 'Hi'", "-o", str(out),
         *SMALL, "--music", "calm"]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    assert set(data) == {
        "path", "duration", "width", "height", "fps", "size_bytes", "seconds", "notes"
    }  # fmt: skip
    assert data["notes"] == []  # the title 'Hi' shows as written
    assert Path(data["path"]) == out
    assert data["size_bytes"] == out.stat().st_size
    width, height, fps, frames, kinds = _streams(out)
    assert (width, height) == (data["width"], data["height"])
    assert width < height  # 9:16 from the prompt
    assert max(width, height) == 160
    assert fps == data["fps"] == 24
    assert frames == 24
    assert data["duration"] == pytest.approx(1.0)
    assert sorted(kinds) == ["audio", "video"]
    # Progress went to stderr (not a terminal here: a few plain lines, rising to 100%).
    shown = [int(line.split()[-1].rstrip("%")) for line in captured.err.splitlines()
             if line.startswith("rendering")]  # fmt: skip
    assert len(shown) >= 3
    assert shown == sorted(shown)
    assert shown[-1] == 100


def test_a_title_too_long_for_the_frame_is_named_after_the_render(
    photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "clip.mp4"
    title = "Sommerschlussverkauf Strandtuecher Sonnenhuete Sandalen Sonnenschirme Badeanzuege"
    argv = ["animate", str(photo), "-o", str(out), "--aspect", "9:16", "--title", title, *SMALL]
    assert cli.main(argv) == 0, capsys.readouterr().err
    shown = capsys.readouterr().out
    assert f"MEDIA:{out}" in shown and out.is_file()  # drawn all the same, shrunk to fit
    assert f'Note: the title "{title}" is too long to read on this frame' in shown


def test_music_file_and_overrides(
    photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "clip.mp4"
    music = tone_wav(tmp_path / "tone.wav")
    argv = ["animate", str(photo), "-o", str(out), "--aspect", "1:1", "--motion", "pan_left",
            "--music", str(music), "--volume", "50%", *SMALL]  # fmt: skip
    assert cli.main(argv) == 0, capsys.readouterr().err
    width, height, _, _, kinds = _streams(out)
    assert width == height == 160
    assert "audio" in kinds
    assert f"MEDIA:{out}" in capsys.readouterr().out


def test_existing_output_needs_force(
    photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "clip.mp4"
    out.write_bytes(b"keep me")
    assert cli.main(["animate", str(photo), "-o", str(out), *SMALL]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_bytes() == b"keep me"
    assert cli.main(["animate", str(photo), "-o", str(out), "--force", *SMALL]) == 0
    assert out.read_bytes()[4:8] == b"ftyp"


@pytest.mark.parametrize("target", ["folder", "missing/clip.mp4"])
def test_folder_or_missing_parent_is_refused(
    target: str, photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "folder").mkdir()
    before = sorted(tmp_path.rglob("*"))
    assert cli.main(["animate", str(photo), "-o", str(tmp_path / target), *SMALL]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error:")
    assert "Traceback" not in err
    assert sorted(tmp_path.rglob("*")) == before


def test_bad_image_is_a_clear_error_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.jpg"
    bad.write_text("this is not a photo\n")
    out = tmp_path / "clip.mp4"
    assert cli.main(["--json", "animate", str(bad), "-o", str(out), *SMALL]) == 6
    error = json.loads(capsys.readouterr().out)["error"]
    assert "JPG" in error["hint"] and "HEIC" in error["hint"]
    assert not out.exists()
