"""Titles and captions on vertical (9:16) and 4:5 clips stay inside the platforms' safe
zones: the text's pixels, read back from the encoded MP4, never reach the margins that
TikTok, Reels and Shorts cover with their own buttons and captions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nemo_skill.local.engine.render import render_draft
from nemo_skill.local.engine.safezone import EDGE, SAFE_ZONES, shape_of, text_area

av = pytest.importorskip("av")
GREY = (60, 60, 60)
TEXTS = {
    "top": "Summer Sale",
    "bottom": "New arrivals every week, free shipping on everything in the shop",
    "center": "The longest title anyone would ever want to put over one photo, wrapped",
}


def _text_box(tmp_path: Path, size: tuple[int, int], position: str, role: str) -> np.ndarray:
    """Where the text's pixels are in the decoded frame: rows and columns that differ
    from the plain grey photo (x0, y0, x1, y1), drawn in white with its outline."""
    from PIL import Image

    photo = tmp_path / "grey.png"
    Image.new("RGB", size, GREY).save(photo)
    text = {"id": "seg_t", "st": 0, "d": 500, "text": TEXTS[position], "role": role,
            "position": position, "size": 0.06}  # fmt: skip
    draft: dict[str, Any] = {
        "m": {"width": size[0], "height": size[1], "fps": 24, "fit": "crop"},
        "t": [{"tt": 0, "sg": [{"id": "v", "st": 0, "d": 500, "src": str(photo),
                                "motion": "none"}]},
              {"tt": 7, "sg": [text]}],
    }  # fmt: skip
    out = tmp_path / f"{position}.mp4"
    render_draft(draft, out)
    with av.open(str(out)) as container:
        frame = next(container.decode(video=0)).to_ndarray(format="rgb24").astype(np.int16)
    changed = np.abs(frame - np.array(GREY)).max(axis=2) > 40
    ys, xs = np.nonzero(changed)
    assert ys.size > 50, "no text drawn"
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])


@pytest.mark.parametrize("size", [(360, 640), (320, 400)], ids=["9:16", "4:5"])
@pytest.mark.parametrize(("position", "role"), [("top", "title"), ("bottom", "caption"),
                                                ("center", "title")])  # fmt: skip
def test_text_stays_inside_the_safe_zone(
    size: tuple[int, int], position: str, role: str, tmp_path: Path
) -> None:
    x0, y0, x1, y1 = _text_box(tmp_path, size, position, role)
    area = text_area(size)
    slack = 2  # chroma is at half resolution: a colour edge bleeds a pixel or two
    assert x0 >= area.x0 - slack and x1 <= area.x1 + slack, (x0, x1, area)
    assert y0 >= area.y0 - slack and y1 <= area.y1 + slack, (y0, y1, area)
    width, height = size
    assert x1 <= width * (1 - 0.12) + slack  # clear of the button column on the right
    assert y1 <= height * (1 - 0.22) + slack and y0 >= height * 0.14 - slack
    if position == "top":  # placed at the zone's edge, not somewhere arbitrary inside it
        assert y0 <= area.y0 + 0.02 * height
    if position == "bottom":
        assert y1 >= area.y1 - 0.02 * height


def test_landscape_text_keeps_its_edge_margins(tmp_path: Path) -> None:
    size = (640, 360)
    y0 = _text_box(tmp_path, size, "top", "title")[1]
    assert y0 == pytest.approx(360 * EDGE.top, abs=4)  # no vertical-video margins on 16:9
    assert _text_box(tmp_path, size, "bottom", "caption")[3] == pytest.approx(
        360 * (1 - EDGE.bottom), abs=4
    )


def test_one_table_for_the_vertical_shapes() -> None:
    assert set(SAFE_ZONES) == {"9:16", "4:5"}
    assert shape_of((1080, 1920)) == "9:16" and shape_of((1080, 1350)) == "4:5"
    assert shape_of((1920, 1080)) is None and shape_of((1080, 1080)) is None
    area = text_area((1080, 1920))
    # in pixels on a 1080x1920 frame (docs/engine.md): 269 top, 422 bottom, 130 each side
    assert (round(area.y0), round(1920 - area.y1)) == (269, 422)
    assert (round(area.x0), round(1080 - area.x1)) == (130, 130)
