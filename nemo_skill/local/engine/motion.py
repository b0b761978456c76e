"""Camera moves as pure maths: per-frame zoom and centre, eased, sub-pixel.

A segment is framed onto a *canvas* larger than the output by ``MARGIN`` (room
to pan and zoom). For each frame the camera has a zoom ``k`` (1 = the output
sees exactly a frame-sized window of the canvas) and a centre ``(cx, cy)`` in
canvas pixels; :func:`affine` turns that into the 2×3 matrix for
``cv2.warpAffine``, which resamples with sub-pixel precision (no integer steps,
no wobble).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MARGIN = 1.12  # canvas = output × MARGIN: room for pans and zooms
CAMERA_MOTIONS = ("zoom_in", "zoom_out", "pan_left", "pan_right", "pan_up", "pan_down",
                  "kenburns", "breathe", "none")  # fmt: skip
DEPTH_MOTIONS = ("parallax", "dolly", "orbit")  # layered, from a depth estimate (layers.py)
MOTIONS = (*CAMERA_MOTIONS, *DEPTH_MOTIONS)
PARALLAX = 0.025  # camera travel: output widths per unit of disparity, each way, at speed 1
MAX_PARALLAX = 0.05  # stays inside the canvas margin (a far layer never shows its edge)


def ease(u: float) -> float:
    """Ease-in-out on [0, 1] (cosine): zero speed at both ends."""
    u = min(1.0, max(0.0, u))
    return 0.5 - 0.5 * math.cos(math.pi * u)


@dataclass(frozen=True)
class Camera:
    """Zoom and centre of the camera on the canvas."""

    zoom: float
    cx: float
    cy: float


def camera(
    motion: str,
    u: float,
    canvas: tuple[int, int],
    *,
    speed: float = 1.0,
    subject: tuple[float, float] = (0.5, 0.5),
    t_seconds: float = 0.0,
) -> Camera:
    """The camera at progress ``u`` ∈ [0, 1] of a segment."""
    cw, ch = canvas
    mid_x, mid_y = cw / 2.0, ch / 2.0
    strength = max(0.25, min(4.0, speed))
    e = ease(u)
    room_x = cw * (1 - 1 / MARGIN) / 2.0  # how far the window may move at zoom 1
    room_y = ch * (1 - 1 / MARGIN) / 2.0
    zoom_delta = min(MARGIN - 1.0, 0.08 * strength) if motion != "kenburns" else 0.1
    if motion == "zoom_in":
        return Camera(1.0 + zoom_delta * e, mid_x, mid_y)
    if motion == "zoom_out":
        return Camera(1.0 + zoom_delta * (1 - e), mid_x, mid_y)
    pan = min(1.0, 0.9 * strength)
    if motion in ("pan_left", "pan_right"):
        sign = 1 if motion == "pan_left" else -1  # the view travels toward the named side
        return Camera(1.0, mid_x + sign * room_x * pan * (1 - 2 * e), mid_y)
    if motion in ("pan_up", "pan_down"):
        sign = 1 if motion == "pan_up" else -1
        return Camera(1.0, mid_x, mid_y + sign * room_y * pan * (1 - 2 * e))
    if motion == "kenburns":
        zoom = 1.0 + min(MARGIN - 1.0, 0.1 * strength) * e
        sx, sy = subject
        drift = e * min(1.0, 0.8 * strength)
        target_x = mid_x + (sx - 0.5) * 2 * room_x
        target_y = mid_y + (sy - 0.5) * 2 * room_y
        return Camera(zoom, mid_x + (target_x - mid_x) * drift, mid_y + (target_y - mid_y) * drift)
    if motion == "breathe":
        period = 4.0 / strength
        phase = math.sin(2 * math.pi * t_seconds / period)
        zoom = 1.04 + 0.025 * phase
        return Camera(zoom, mid_x + room_x * 0.25 * math.sin(math.pi * t_seconds / period), mid_y)
    return Camera(1.0, mid_x, mid_y)


def affine(cam: Camera, out_size: tuple[int, int], density: float) -> list[list[float]]:
    """The canvas→output matrix; ``density`` = canvas pixels per output pixel at zoom 1."""
    w, h = out_size
    k = cam.zoom / density
    return [[k, 0.0, w / 2.0 - k * cam.cx], [0.0, k, h / 2.0 - k * cam.cy]]


def depth_point(
    motion: str,
    u: float,
    z: float,
    point: tuple[float, float],
    out_size: tuple[int, int],
    *,
    speed: float = 1.0,
    focus: tuple[float, float] | None = None,
    subject_z: float = 1.0,
    far_z: float = 0.0,
) -> tuple[float, float]:
    """Where an output point at disparity ``z`` (1 = near, 0 = far) moves at progress ``u``.

    ``parallax``: the camera slides sideways (and a little down); the pivot is halfway between
    the subject and the background, so the subject moves one way and the background the other.
    ``orbit``: the camera swings half an ellipse around the subject, which stays put while the
    background sweeps behind it. ``dolly``: the camera pushes in toward ``focus`` (the
    subject): near grows faster than far (scale 1 + (0.03 + 0.12·z)·eased progress) while the
    camera rises slightly. Moves are eased (zero speed at both ends) and sub-pixel.
    """
    w, h = out_size
    x, y = point
    e = ease(u)
    amount = w * min(MAX_PARALLAX, PARALLAX * max(0.25, min(4.0, speed)))
    if motion == "parallax":
        pivot = (subject_z + far_z) / 2
        s = 2 * e - 1  # -1 → 1
        return x - amount * (z - pivot) * s, y - 0.25 * amount * (z - pivot) * s
    if motion == "orbit":
        theta = math.pi * (1 - e)  # half an ellipse: start and end are far apart
        return (
            x + amount * (z - subject_z) * math.cos(theta),
            y + 0.35 * amount * (z - subject_z) * math.sin(theta),
        )
    if motion == "dolly":
        fx, fy = focus if focus is not None else (w / 2.0, h / 2.0)
        fx, fy = (fx + w / 2.0) / 2, (fy + h / 2.0) / 2  # toward the subject, not onto it
        strength = max(0.25, min(2.0, speed))
        scale = 1.0 + (0.03 + 0.12 * max(0.0, min(1.0, z))) * strength * e
        rise = 0.5 * amount * (z - subject_z) * (2 * e - 1)
        return fx + (x - fx) * scale, fy + (y - fy) * scale - rise
    return x, y
