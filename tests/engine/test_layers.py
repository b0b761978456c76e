"""Depth-aware motion, checked on the decoded MP4 as a viewer would see it.

A synthetic photo (a textured disc in front of a textured field) is rendered; points are
tracked through the decoded frames with pyramidal Lucas-Kanade; the camera is fitted on the
background points (similarity, RANSAC) and the subject's points must move against it. A 2D
camera move (zoom, Ken Burns) moves everything together: well under a pixel.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nemo_skill.local.engine import depth
from nemo_skill.local.engine import motion as mo
from nemo_skill.local.engine.layers import fill_holes
from nemo_skill.local.engine.render import render_draft
from tests.engine.conftest import subject_photo

av = pytest.importorskip("av")
cv2 = pytest.importorskip("cv2")

W, H = 640, 360


@pytest.fixture(autouse=True)
def _no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(depth.ENV_MODEL, raising=False)


def _draft(photo: Path, motion: str, **seg: Any) -> dict[str, Any]:
    video = {"id": "seg_v", "st": 0, "d": 2000, "src": str(photo), "motion": motion, **seg}
    return {"m": {"fps": 24, "width": W, "height": H, "fit": "crop"},
            "t": [{"id": "trk_v", "tt": 0, "sg": [video]}]}  # fmt: skip


def _frames(path: Path, fmt: str = "gray") -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format=fmt) for f in container.decode(video=0)]


def subject_against_background(frames: list[np.ndarray]) -> tuple[float, float]:
    """(median px the subject's points moved against the camera fitted on the background,
    median residual of the background points themselves)."""
    first = frames[0]
    yy, xx = np.mgrid[0:H, 0:W]
    dist = np.hypot(xx - W / 2, yy - H / 2)
    radius = H / 4 * mo.MARGIN  # the photo is framed on a canvas MARGIN × the output
    inner = ((dist < radius * 0.7) * 255).astype(np.uint8)
    outer = ((dist > radius * 1.5) * 255).astype(np.uint8)
    subject = cv2.goodFeaturesToTrack(first, 60, 0.01, 6, mask=inner)
    field = cv2.goodFeaturesToTrack(first, 120, 0.01, 8, mask=outer)
    points = np.concatenate([subject, field]).astype(np.float32)
    n = len(subject)
    ok = np.ones(len(points), bool)
    current = points.copy()
    for a, b in pairwise(frames):
        current, status, _ = cv2.calcOpticalFlowPyrLK(a, b, current, None, winSize=(21, 21),
                                                      maxLevel=3)  # fmt: skip
        ok &= status.ravel() == 1
    start, end = points.reshape(-1, 2), current.reshape(-1, 2)
    bg = np.arange(len(points)) >= n
    camera, _ = cv2.estimateAffinePartial2D(start[bg & ok], end[bg & ok], method=cv2.RANSAC,
                                            ransacReprojThreshold=2.0)  # fmt: skip
    predicted = start @ camera[:, :2].T + camera[:, 2]
    moved = np.linalg.norm(end - predicted, axis=1)
    assert (ok[:n]).sum() >= 20 and (ok[n:]).sum() >= 40  # enough points tracked on each
    return float(np.median(moved[:n][ok[:n]])), float(np.median(moved[n:][ok[n:]]))


@pytest.mark.parametrize("motion", mo.DEPTH_MOTIONS)
def test_subject_moves_against_the_background(motion: str, tmp_path: Path) -> None:
    photo = subject_photo(tmp_path / "scene.png", (W, H))
    render_draft(_draft(photo, motion), tmp_path / "out.mp4")
    subject, background = subject_against_background(_frames(tmp_path / "out.mp4"))
    assert subject >= 12, f"{motion}: the subject moved only {subject:.1f} px against the field"
    assert background < 4  # the field itself moves as one camera would see it


def test_blurred_fill_beside_the_photo_is_not_taken_for_the_subject(tmp_path: Path) -> None:
    # a square photo in a 16:9 frame: sharp photo between blurred fill bands
    photo = subject_photo(tmp_path / "square.png", (H, H))
    draft = _draft(photo, "parallax")
    draft["m"]["fit"] = "blur"
    render_draft(draft, tmp_path / "out.mp4")
    subject, _ = subject_against_background(_frames(tmp_path / "out.mp4"))
    assert subject >= 12
    from nemo_skill.local.engine.plan import make_plan
    from nemo_skill.local.engine.render import load

    clip = load(make_plan(draft), Path).clips.clip(0)
    assert clip.layers is not None
    x0, _, x1, _ = clip.layers.box
    canvas_w = clip.planes[0].shape[1]
    assert (x1 - x0) < 0.5 * canvas_w  # the disc, not the whole photo over its fill


@pytest.mark.parametrize("motion", ["zoom_in", "kenburns"])
def test_2d_moves_keep_subject_and_background_together(motion: str, tmp_path: Path) -> None:
    photo = subject_photo(tmp_path / "scene.png", (W, H))
    render_draft(_draft(photo, motion), tmp_path / "out.mp4")
    subject, _ = subject_against_background(_frames(tmp_path / "out.mp4"))
    assert subject < 2


def test_speed_scales_the_depth_motion(tmp_path: Path) -> None:
    photo = subject_photo(tmp_path / "scene.png", (W, H))
    moved = []
    for speed in (0.5, 2.0):
        out = tmp_path / f"s{speed}.mp4"
        render_draft(_draft(photo, "parallax", speed=speed), out)
        moved.append(subject_against_background(_frames(out))[0])
    assert moved[1] > 2.5 * moved[0]


def test_no_holes_and_no_ghost_of_the_subject(tmp_path: Path) -> None:
    photo = subject_photo(tmp_path / "scene.png", (W, H))
    render_draft(_draft(photo, "orbit", speed=2.0), tmp_path / "out.mp4")
    frames = _frames(tmp_path / "out.mp4", "rgb24")
    yy, xx = np.mgrid[0:H, 0:W]
    # orbit keeps the subject put: everything outside its disc is background, moving
    radius = H / 4 * mo.MARGIN
    ring = np.hypot(xx - W / 2, yy - H / 2) > radius + 4
    for frame in (frames[0], frames[len(frames) // 2], frames[-1]):
        r, g, b = (frame[..., i].astype(int) for i in range(3))
        warm = (r > g + 50) & (r > b + 50)  # the subject's colours; the field has none
        assert warm[ring].mean() < 0.002  # no smear or ghost of the subject left behind
        assert frame.reshape(-1, 3).sum(axis=1).min() > 60  # no black holes anywhere
    # the revealed background is textured like the rest, not a flat patch
    last = cv2.cvtColor(frames[-1], cv2.COLOR_RGB2GRAY).astype(np.float32)
    band = (np.hypot(xx - W / 2, yy - H / 2) > radius + 2) & (
        np.hypot(xx - W / 2, yy - H / 2) < radius + 14
    )
    detail = np.abs(cv2.Laplacian(last, cv2.CV_32F))
    assert detail[band].mean() > 0.25 * detail[~band].mean()


def test_depth_motion_without_a_subject_still_renders(tmp_path: Path) -> None:
    flat = tmp_path / "flat.png"
    cv2.imwrite(str(flat), np.full((H, W, 3), 128, np.uint8))
    render_draft(_draft(flat, "dolly"), tmp_path / "out.mp4")
    frames = _frames(tmp_path / "out.mp4")
    assert len(frames) == 48 and abs(float(frames[-1].mean()) - 128) < 12


def test_fill_holes_takes_the_colours_around() -> None:
    rgb = np.zeros((64, 64, 3), np.float32)
    rgb[:, :32] = (200, 0, 0)
    rgb[:, 32:] = (0, 0, 200)
    known = np.ones((64, 64), np.float32)
    known[20:44, 20:44] = 0
    rgb[20:44, 20:44] = (0, 255, 0)  # what was behind the subject must not survive
    out = fill_holes(rgb, known)
    assert out[32, 22, 0] > 150 and out[32, 41, 2] > 150  # each side from its own neighbours
    assert out[20:44, 20:44, 1].max() < 1


@pytest.mark.parametrize("motion", mo.DEPTH_MOTIONS)
def test_depth_points_are_eased_and_near_moves_more(motion: str) -> None:
    size = (1920, 1080)

    def at(u: float, z: float) -> np.ndarray:
        return np.array(mo.depth_point(motion, u, z, (700.0, 400.0), size, subject_z=1.0))

    for z in (0.0, 1.0):
        # zero speed at both ends
        assert np.linalg.norm(at(0.001, z) - at(0.0, z)) < 0.01
        assert np.linalg.norm(at(1.0, z) - at(0.999, z)) < 0.01
    travel_near = np.linalg.norm(at(1, 1.0) - at(0, 1.0))
    travel_far = np.linalg.norm(at(1, 0.0) - at(0, 0.0))
    relative = np.linalg.norm((at(1, 1.0) - at(1, 0.0)) - (at(0, 1.0) - at(0, 0.0)))
    assert relative > 40  # px at 1080p: near and far part visibly
    if motion == "orbit":
        assert travel_near < 0.01 < travel_far  # the camera circles the subject
    if motion == "dolly":  # near grows faster than far

        def grown(z: float) -> float:
            a = mo.depth_point(motion, 1.0, z, (700.0, 400.0), size)
            b = mo.depth_point(motion, 1.0, z, (900.0, 400.0), size)
            return float(np.hypot(b[0] - a[0], b[1] - a[1])) / 200

        assert grown(1.0) > grown(0.0) + 0.08 and grown(0.0) > 1.0


def test_onnx_model_drives_the_layers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.engine.test_depth import _model

    monkeypatch.setenv(depth.ENV_MODEL, str(_model(tmp_path / "tiny.onnx", [1, 3, 64, 64])))
    photo = tmp_path / "bright.png"
    img = np.full((H, W, 3), 40, np.uint8)
    img += np.random.default_rng(1).integers(0, 30, (H, W, 3), dtype=np.uint8)
    cv2.circle(img, (W // 2, H // 2), H // 4, (210, 200, 190), -1)
    cv2.imwrite(str(photo), img)
    render_draft(_draft(photo, "parallax"), tmp_path / "out.mp4")
    first, last = _frames(tmp_path / "out.mp4")[::47]
    centre = lambda f: np.argwhere(f > 150).mean(axis=0)  # noqa: E731
    assert abs(centre(first)[1] - centre(last)[1]) > 12  # the bright (near) disc travelled
