"""Stories of many photos: each photo decoded once at the size its canvas needs, loaded
when the frames reach it and released after; the right photo on screen in every slot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nemo_skill.errors import UnsupportedFileError
from nemo_skill.local.engine import images
from nemo_skill.local.engine.clips import needed_side
from nemo_skill.local.engine.encoder import new_frame
from nemo_skill.local.engine.plan import make_plan
from nemo_skill.local.engine.render import load, render_draft

av = pytest.importorskip("av")

COLOURS = [(230, 30, 30), (30, 200, 40), (40, 60, 230), (240, 220, 40), (200, 40, 220),
           (40, 220, 220)]  # fmt: skip


def _photo(path: Path, colour: tuple[int, int, int], size: tuple[int, int]) -> Path:
    """A solid photo with a thin dark frame (so a crop and a blurred fill differ)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, colour)
    ImageDraw.Draw(img).rectangle([0, 0, size[0] - 1, size[1] - 1], outline=(0, 0, 0), width=3)
    img.save(path, quality=95)
    return path


def _story(
    photos: list[Path], slot_ms: int, *, fit: str = "blur", size: tuple[int, int] = (160, 96),
    transitions: list[dict[str, Any] | None] | None = None, texts: list[dict[str, Any]] = (),
) -> dict[str, Any]:  # fmt: skip
    video = []
    for i, photo in enumerate(photos):
        seg: dict[str, Any] = {"id": f"seg_{i}", "st": i * slot_ms, "d": slot_ms,
                               "src": str(photo), "name": photo.name, "motion": "kenburns"}  # fmt: skip
        if transitions and transitions[i % len(transitions)]:
            seg["transition"] = transitions[i % len(transitions)]
        video.append(seg)
    return {"m": {"width": size[0], "height": size[1], "fps": 24, "fit": fit},
            "t": [{"id": "trk_v", "tt": 0, "sg": video},
                  {"id": "trk_t", "tt": 7, "sg": list(texts)}]}  # fmt: skip


def _photos(folder: Path, count: int) -> list[Path]:
    """``count`` photos, portrait and landscape in turn, each its own colour."""
    sizes = [(480, 320), (300, 480)]
    return [_photo(folder / f"p{i}.jpg", COLOURS[i % len(COLOURS)], sizes[i % 2])
            for i in range(count)]  # fmt: skip


def _centre_colour(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    return frame[h // 3 : 2 * h // 3, 2 * w // 5 : 3 * w // 5].reshape(-1, 3).mean(axis=0)


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def _nearest_colour(rgb: np.ndarray) -> int:
    return int(np.argmin([np.abs(rgb - np.array(c)).sum() for c in COLOURS]))


def test_each_photo_is_decoded_once_and_few_are_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[tuple[str, int]] = []
    real = images.load_image

    def counting(path: Path, max_side: int) -> np.ndarray:
        decoded.append((Path(path).name, max_side))
        return real(path, max_side)

    monkeypatch.setattr(images, "load_image", counting)
    photos = _photos(tmp_path, 6)
    cuts = [{"type": "crossfade", "d": 300}, {"type": "fade_black", "d": 300}, None]
    plan = make_plan(_story(photos, 500, transitions=cuts))
    loaded = load(plan, Path)
    try:
        _, planes = new_frame(plan.size)
        for index in range(plan.frames):  # as the encoder asks: every frame, in order
            loaded.compose(index, planes)
        clips = loaded.clips
        assert clips.decoded == 6
        assert clips.most_held <= 2  # the clip on screen and the next one, never more
    finally:
        loaded.close()
    assert [name for name, _ in decoded] == [p.name for p in photos]  # once each, in order
    # at the size the canvas needs: a portrait photo in a landscape frame needs its height
    landscape, portrait = decoded[0][1], decoded[1][1]
    assert landscape == needed_side((480, 320), plan.size, "blur")
    assert portrait == needed_side((300, 480), plan.size, "blur") < landscape


@pytest.mark.parametrize("fit", ["blur", "crop"])
def test_every_slot_shows_its_photo(fit: str, tmp_path: Path) -> None:
    photos = _photos(tmp_path, 6)
    cuts = [None, {"type": "crossfade", "d": 250}, {"type": "fade_black", "d": 250}]
    out = tmp_path / "story.mp4"
    render_draft(_story(photos, 500, fit=fit, transitions=cuts), out)
    frames = _frames(out)
    assert len(frames) == 72
    for slot in range(6):
        middle = frames[slot * 12 + 8]  # 2/3 into the slot: after any transition
        assert _nearest_colour(_centre_colour(middle)) == slot, (fit, slot)
    # the crossfade into slot 1 (frame 12 + 3 = 62 ms of 250 in) is a blend of slots 0 and 1
    blend = _centre_colour(frames[15])
    assert np.abs(blend - np.array(COLOURS[0])).sum() > 60
    assert np.abs(blend - np.array(COLOURS[1])).sum() > 60
    assert blend.mean() > 60  # not a dip through black
    assert frames[24].mean() < 20  # the fade through black into slot 2: black on the cut


def test_many_short_segments_fill_a_clip(tmp_path: Path) -> None:
    photos = _photos(tmp_path, 30)
    out = tmp_path / "many.mp4"
    result = render_draft(_story(photos, 250, size=(64, 48), fit="crop"), out)
    assert result.duration == pytest.approx(7.5)
    frames = _frames(out)
    for slot in range(30):
        frame = frames[round((slot + 0.5) * 6)]
        assert _nearest_colour(_centre_colour(frame)) == slot % len(COLOURS), slot


def test_an_anchored_caption_shows_by_its_own_times(tmp_path: Path) -> None:
    photos = _photos(tmp_path, 3)
    caption = {"id": "seg_c", "st": 500, "d": 500, "text": "HERE", "role": "caption",
               "size": 0.2, "anchor": "seg_1"}  # fmt: skip
    out = tmp_path / "caption.mp4"
    render_draft(_story(photos, 500, fit="crop", texts=[caption]), out)
    frames = _frames(out)

    def white_in_bottom(frame: np.ndarray) -> int:
        band = frame[frame.shape[0] // 2 :]
        return int((band.min(axis=2) > 200).sum())

    assert white_in_bottom(frames[18]) > 20  # slot 1: the caption over its photo
    assert white_in_bottom(frames[6]) == 0 and white_in_bottom(frames[30]) == 0


def test_a_missing_photo_fails_before_encoding(tmp_path: Path) -> None:
    photos = _photos(tmp_path, 4)
    photos[3].unlink()
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(UnsupportedFileError, match=r"p3\.jpg"):
        render_draft(_story(photos, 500), folder / "x.mp4")
    assert list(folder.iterdir()) == []


def test_a_damaged_photo_midway_leaves_nothing(tmp_path: Path) -> None:
    photos = _photos(tmp_path, 4)
    data = photos[2].read_bytes()
    photos[2].write_bytes(data[: len(data) // 3])  # the header reads, the pixels do not
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(UnsupportedFileError, match=r"p2\.jpg"):
        render_draft(_story(photos, 500), folder / "x.mp4")
    assert list(folder.iterdir()) == []


def test_needed_side() -> None:
    out = (1920, 1080)
    canvas = (1920 * 1.12 * 1.1, 1080 * 1.12 * 1.1)
    # landscape 4:3 photo: crop covers the canvas width, blur fits its height
    assert needed_side((4000, 3000), out, "crop") == pytest.approx(canvas[0], abs=1)
    assert needed_side((4000, 3000), out, "blur") == pytest.approx(canvas[1] * 4 / 3, abs=1)
    # portrait in a landscape frame: blur needs only the canvas height as its long side
    assert needed_side((3000, 4000), out, "blur") == pytest.approx(canvas[1], abs=1)
    assert needed_side((3000, 4000), out, "crop") == pytest.approx(canvas[0] * 4 / 3, abs=1)
    assert needed_side((800, 600), out, "crop") == 800  # never more than the photo has
