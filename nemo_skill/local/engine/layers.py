"""Depth-aware motion as layered warps on yuv420p planes (``parallax``, ``dolly``, ``orbit``).

A segment's canvas is split once, from its :class:`~nemo_skill.local.engine.depth.DepthEstimate`,
into two layers:

- the **background**: the canvas with the subject removed and the hole filled once at low
  resolution (the surrounding texture mirrored in across the hole's edge, fading into a
  smooth push-pull fill deeper in), pasted back through a feathered mask, so nothing of the
  subject's colours is left to smear when it moves away;
- the **subject**: the canvas planes cropped to the subject's box with its soft alpha (at
  luma and at chroma resolution).

Each frame warps the background with one affine warp per plane (the background is a
tilted plane: its disparity varies across the picture, so near ground moves more than the
sky) and the subject with one warp per plane into its box only, then blends the box with
the alpha. Every layer's matrix comes from where the camera puts its four corners
(:func:`nemo_skill.local.engine.motion.depth_point`), eased and sub-pixel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nemo_skill.local.engine import motion as mo
from nemo_skill.local.engine.encoder import yuv_planes

if TYPE_CHECKING:
    import numpy as np

    from nemo_skill.local.engine.depth import DepthEstimate

Planes = tuple["np.ndarray", "np.ndarray", "np.ndarray"]


@dataclass
class Layers:
    """A canvas split into a filled background and a subject layer, as yuv420p planes."""

    background: Planes
    subject: Planes | None  # canvas planes cropped to ``box``
    alpha: tuple[np.ndarray, np.ndarray] | None  # float32 at luma and chroma resolution
    box: tuple[int, int, int, int]  # even canvas x0, y0, x1, y1 of the subject crop
    subject_z: float
    plane: tuple[float, float, float]
    centre: tuple[float, float]  # the subject's centre in canvas px (dolly pushes toward it)
    confidence: float


def fill_holes(rgb: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Fill where ``known`` (float32 0-1) is low from the surroundings (push-pull pyramid)."""
    import cv2
    import numpy as np

    colour = rgb.astype(np.float32)
    weight = known.astype(np.float32)
    h, w = weight.shape
    if min(h, w) < 4 or float(weight.min()) >= 0.999:
        return colour
    down_cw = cv2.pyrDown(colour * weight[..., None])
    down_w = cv2.pyrDown(weight)
    coarse = down_cw / np.maximum(down_w, 1e-4)[..., None]
    coarse = fill_holes(coarse, np.clip(down_w * 2.0, 0, 1))
    up = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR)
    out: np.ndarray = colour * weight[..., None] + up * (1 - weight[..., None])
    return out


def _fill_background(canvas: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """What is behind the subject (float32 RGB at the canvas size), computed at half size.

    Near the hole's edge the surrounding texture is mirrored in across the edge (each hole
    pixel takes the pixel as far outside the nearest known pixel as it is inside), so a
    revealed band continues the background's grain and edges; deeper in, where nothing is ever
    revealed by these small moves, it fades into a smooth push-pull fill.
    """
    import cv2
    import numpy as np

    h, w = hole.shape
    half = (max(4, w // 2), max(4, h // 2))
    small = cv2.resize(canvas, half, interpolation=cv2.INTER_AREA)
    inside = cv2.resize(hole, half, interpolation=cv2.INTER_NEAREST)
    inside = cv2.dilate(inside, np.ones((3, 3), np.uint8))  # mixed edge pixels are holes too
    quarter = (max(4, half[0] // 2), max(4, half[1] // 2))
    known = cv2.resize((1 - inside).astype(np.float32), quarter, interpolation=cv2.INTER_AREA)
    smooth = fill_holes(
        cv2.resize(small, quarter, interpolation=cv2.INTER_AREA),
        np.where(known > 0.99, 1.0, 0.0).astype(np.float32),
    )
    smooth = cv2.resize(smooth, half, interpolation=cv2.INTER_LINEAR)
    if inside.all():
        return cv2.resize(smooth, (w, h), interpolation=cv2.INTER_LINEAR)
    distance, labels = cv2.distanceTransformWithLabels(
        inside, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    zy, zx = np.nonzero(inside == 0)  # labels number the known pixels in this (row) order
    nearest = labels - 1
    ys, xs = np.mgrid[0 : half[1], 0 : half[0]]
    my = np.clip(2 * zy[nearest] - ys, 0, half[1] - 1)
    mx = np.clip(2 * zx[nearest] - xs, 0, half[0] - 1)
    # softened a little: the mirror map converges along the edge normals (radial streaks)
    mirrored = cv2.GaussianBlur(small[my, mx].astype(np.float32), (0, 0), 1.2)
    band = max(2.0, half[0] * 0.04)
    weight = (np.exp(-distance / band) * (inside[my, mx] == 0))[..., None]
    fill = mirrored * weight + smooth * (1 - weight)
    out = np.where(inside[..., None] > 0, fill, small.astype(np.float32))
    result: np.ndarray = cv2.resize(out, (w, h), interpolation=cv2.INTER_LINEAR)
    return result


def build(canvas: np.ndarray, planes: Planes, est: DepthEstimate) -> Layers:
    """Split ``canvas`` (RGB, even size; ``planes`` its yuv420p) into layers, once per segment."""
    import cv2
    import numpy as np

    h, w = canvas.shape[:2]
    if not est.has_subject:
        return Layers(planes, None, None, (0, 0, 0, 0), 0.0, est.plane, (w / 2, h / 2), 0.0)
    mask = est.mask
    ys, xs = np.nonzero(mask > 0.01)
    pad = 4
    x0, y0 = max(0, (int(xs.min()) - pad) // 2 * 2), max(0, (int(ys.min()) - pad) // 2 * 2)
    x1 = min(w, -(-(int(xs.max()) + pad) // 2) * 2)
    y1 = min(h, -(-(int(ys.max()) + pad) // 2) * 2)
    # Only the region around the subject changes in the background: the hole, its feather and
    # enough surroundings to mirror texture from (a quarter of the subject's size each way).
    around = max(16, (x1 - x0) // 4, (y1 - y0) // 4)
    rx0, ry0 = max(0, x0 - around), max(0, y0 - around)
    rx1, ry1 = min(w, x1 + around), min(h, y1 + around)
    region = canvas[ry0:ry1, rx0:rx1]
    # the hole is a little larger than the subject: its soft edge and halo must go too
    grow = max(2, round(max(h, w) * 0.005))
    kernel = np.ones((2 * grow + 1,) * 2, np.uint8)
    hole = cv2.dilate((mask[ry0:ry1, rx0:rx1] > 0.02).astype(np.uint8), kernel)
    filled = _fill_background(region, hole)
    a = np.maximum(hole, cv2.GaussianBlur(hole.astype(np.float32), (0, 0), grow / 2))[..., None]
    background_rgb = canvas.copy()
    background_rgb[ry0:ry1, rx0:rx1] = np.clip(region * (1 - a) + filled * a, 0, 255)

    crop = tuple(
        np.ascontiguousarray(p[y0 // s : y1 // s, x0 // s : x1 // s])
        for p, s in zip(planes, (1, 2, 2), strict=True)
    )
    alpha = np.ascontiguousarray(mask[y0:y1, x0:x1])
    alpha_half = cv2.resize(alpha, ((x1 - x0) // 2, (y1 - y0) // 2), interpolation=cv2.INTER_AREA)
    weights = mask > 0.5
    centre = (float(xs.mean()), float(ys.mean())) if weights.any() else (w / 2, h / 2)
    return Layers(
        yuv_planes(background_rgb),
        (crop[0], crop[1], crop[2]),
        (alpha, alpha_half),
        (x0, y0, x1, y1),
        est.subject,
        est.plane,
        centre,
        est.confidence,
    )


def _matrix(
    layers: Layers,
    corners: np.ndarray,
    disparity: np.ndarray,
    motion: str,
    u: float,
    view: mo.Camera,
    out: tuple[int, int],
    density: float,
    speed: float,
) -> np.ndarray:
    """The canvas→output affine matrix (3×3, last row 0 0 1) of the layer whose ``corners``
    have ``disparity``: exact for a layer at one depth, and for a tilted plane under a sliding
    camera; the least-squares fit for a dolly over a tilted plane (a perspective warp costs
    1.5× an affine one, for a difference under a pixel at these amounts)."""
    import numpy as np

    base = np.array(mo.affine(view, out, density))
    dest = corners @ base[:, :2].T + base[:, 2]
    focus = np.array(layers.centre) @ base[:, :2].T + base[:, 2]
    z_far = layers.plane[0] + 0.5 * layers.plane[1] + 0.5 * layers.plane[2]
    moved = np.array(
        [
            mo.depth_point(
                motion,
                u,
                float(z),
                (float(x), float(y)),
                out,
                speed=speed,
                focus=(float(focus[0]), float(focus[1])),
                subject_z=layers.subject_z,
                far_z=z_far,
            )
            for (x, y), z in zip(dest, disparity, strict=True)
        ],
        dtype=np.float32,
    )
    design = np.hstack([corners, np.ones((len(corners), 1))])
    fit, *_ = np.linalg.lstsq(design, moved.astype(np.float64), rcond=None)
    result: np.ndarray = np.vstack([fit.T, [0.0, 0.0, 1.0]])
    return result


_TO_LUMA = ((2.0, 0.0, 0.5), (0.0, 2.0, 0.5), (0.0, 0.0, 1.0))  # chroma sample → luma coords
_TO_CHROMA = ((0.5, 0.0, -0.25), (0.0, 0.5, -0.25), (0.0, 0.0, 1.0))


def _shift(dx: float, dy: float) -> np.ndarray:
    import numpy as np

    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])


def warp(
    layers: Layers,
    motion: str,
    u: float,
    out: tuple[int, int],
    density: float,
    speed: float,
    dst: tuple[np.ndarray, ...],
) -> None:
    """Compose the frame at progress ``u`` into the yuv420p planes ``dst``."""
    import cv2
    import numpy as np

    luma = layers.background[0]
    ch, cw = luma.shape
    view = mo.Camera(1.0, cw / 2.0, ch / 2.0)
    corners = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], dtype=np.float64)
    plane_z = np.array([layers.plane[0] + layers.plane[1] * (x / cw) + layers.plane[2] * (y / ch)
                        for x, y in corners])  # fmt: skip
    to_luma, to_chroma = np.array(_TO_LUMA), np.array(_TO_CHROMA)
    matrix = _matrix(layers, corners, plane_z, motion, u, view, out, density, speed)
    w, h = out
    for index, (plane, target) in enumerate(zip(layers.background, dst, strict=True)):
        m = matrix if index == 0 else to_chroma @ matrix @ to_luma
        size = (w, h) if index == 0 else (w // 2, h // 2)
        cv2.warpAffine(plane, m[:2], size, dst=target, flags=cv2.INTER_LINEAR,
                       borderMode=cv2.BORDER_REFLECT)  # fmt: skip
    if layers.subject is None or layers.alpha is None:
        return
    x0, y0, x1, y1 = layers.box
    box = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    near = np.full(4, layers.subject_z)
    matrix = _matrix(layers, box, near, motion, u, view, out, density, speed)
    # where the subject lands: only that box is warped and blended
    landed = box @ matrix[:2, :2].T + matrix[:2, 2]
    rx0 = max(0, int(np.floor(landed[:, 0].min())) // 2 * 2 - 2)
    ry0 = max(0, int(np.floor(landed[:, 1].min())) // 2 * 2 - 2)
    rx1 = min(w, -(-(int(np.ceil(landed[:, 0].max())) + 2) // 2) * 2)
    ry1 = min(h, -(-(int(np.ceil(landed[:, 1].max())) + 2) // 2) * 2)
    if rx1 - rx0 < 2 or ry1 - ry0 < 2:
        return
    local = _shift(-rx0, -ry0) @ matrix @ _shift(x0, y0)
    local_c = _shift(-rx0 / 2, -ry0 / 2) @ (to_chroma @ matrix @ to_luma) @ _shift(x0 / 2, y0 / 2)
    alphas: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # per resolution: U and V share one
    for index, (plane, target) in enumerate(zip(layers.subject, dst, strict=True)):
        s = 1 if index == 0 else 2
        m = (local if index == 0 else local_c)[:2]
        size = ((rx1 - rx0) // s, (ry1 - ry0) // s)
        if s not in alphas:
            warped = cv2.warpAffine(
                layers.alpha[0 if s == 1 else 1], m, size, flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_CONSTANT,
            )  # fmt: skip
            alphas[s] = (warped, 1.0 - warped)
        alpha, inverse = alphas[s]
        colour = cv2.warpAffine(plane, m, size, flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
        region = target[ry0 // s : ry1 // s, rx0 // s : rx1 // s]
        region[...] = cv2.blendLinear(colour, region, alpha, inverse)
