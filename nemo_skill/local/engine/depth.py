"""Near and far in a photo, on the CPU, with no download: a depth estimate with a confidence.

The estimate is what the depth-aware motions (``parallax``, ``dolly``, ``orbit``) need to
move a subject against its background:

- a **subject mask** (soft alpha, 0-1, at the canvas size): colour contrast against the
  colours of the photo's top and sides and spectral-residual saliency, weighted by a centre
  prior, seed a GrabCut at low resolution (long side ``WORK_SIDE``); the largest parts are
  kept, holes closed, and the mask is upsampled along the photo's edges with a guided
  filter, then feathered by a pixel or two;
- a **background plane**: disparity (1 = near, 0 = far) as ``a + bx·x + by·y`` over the
  normalised canvas; with no model this is the ground-plane prior (the bottom of a photo is
  usually nearer than its top);
- the subject's own disparity, and a **confidence** in [0, 1]: how well the subject
  separates (mask size, colour separation inside/outside, how much of the mask edge sits on
  an image edge, how little it touches the frame's sides and top, how far it is from
  spanning the whole width).

When ``NEMO_DEPTH_MODEL`` names an ONNX depth model (e.g. Depth Anything V2 Small exported
to ONNX: input ``1×3×H×W`` RGB normalised with the ImageNet mean/std, output relative
inverse depth, larger = nearer), it is run through ``onnxruntime`` (extra ``[depth]``): the
subject is the near mode of its disparity (Otsu), the plane is fitted to the rest, and the
confidence comes from how bimodal the disparity is. Nothing is ever downloaded.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemo_skill.errors import RenderError

if TYPE_CHECKING:
    import numpy as np

ENV_MODEL = "NEMO_DEPTH_MODEL"
WORK_SIDE = 192  # long side of the low-resolution estimate (GrabCut cost grows with area)
MODEL_SIDE = 518  # input side for models with a dynamic input shape (Depth Anything: 14 × 37)
GROUND_TILT = 0.35  # ground-plane prior: disparity at the bottom edge (top edge = 0)
SUBJECT_NEAR = 1.0  # disparity given to a subject found without a model
_MEAN = (0.485, 0.456, 0.406)  # ImageNet normalisation, as depth models are trained
_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class DepthEstimate:
    """What the layered motions need: a soft subject mask, its disparity, the background plane."""

    mask: np.ndarray  # float32 (h, w) in [0, 1]: the subject's alpha at the canvas size
    subject: float  # the subject's disparity (1 = near)
    plane: tuple[float, float, float]  # background disparity a + bx·x + by·y, x and y in [0, 1]
    confidence: float  # in [0, 1]: how clearly a subject stands out from its background
    method: str  # "heuristic" or "model"

    def background(self, x: float, y: float) -> float:
        """The background plane's disparity at normalised canvas coordinates."""
        a, bx, by = self.plane
        return a + bx * x + by * y

    def placed(self, shape: tuple[int, int], rect: tuple[int, int, int, int]) -> DepthEstimate:
        """This estimate of a photo placed at ``rect`` (x0, y0, x1, y1) on a larger canvas of
        ``shape`` (h, w): the mask padded with background, the plane over the canvas."""
        import dataclasses

        import numpy as np

        h, w = shape
        x0, y0, x1, y1 = rect
        if (x0, y0, x1, y1) == (0, 0, w, h) or not self.mask.size:
            return self
        mask = np.zeros((h, w), np.float32)
        mask[y0:y1, x0:x1] = self.mask
        return dataclasses.replace(self, mask=mask)

    @property
    def has_subject(self) -> bool:
        """Whether a subject layer was found (else the motion uses the plane alone)."""
        return bool(self.mask.size) and float(self.mask.max()) > 0.5


def estimate(rgb: np.ndarray) -> DepthEstimate:
    """The depth estimate of an RGB ``uint8`` image (the framed canvas)."""
    path = os.environ.get(ENV_MODEL, "").strip()
    if path:
        return _from_model(rgb, _session(Path(path).expanduser()))
    return _heuristic(rgb)


# --- heuristic -------------------------------------------------------------------------


def _small(rgb: np.ndarray, side: int = WORK_SIDE) -> np.ndarray:
    import cv2

    h, w = rgb.shape[:2]
    scale = side / max(h, w)
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def _normalise(values: np.ndarray) -> np.ndarray:
    import numpy as np

    lo, hi = np.percentile(values, (2, 98))
    out: np.ndarray = np.clip((values - lo) / max(1e-6, hi - lo), 0, 1).astype(np.float32)
    return out


def _border(h: int, w: int, frac: float = 0.06) -> np.ndarray:
    """The top and side bands: background. Not the bottom one: portraits and products stand
    on it (a portrait's shoulders fill the bottom edge)."""
    import numpy as np

    band = max(1, round(min(h, w) * frac))
    edge = np.zeros((h, w), dtype=bool)
    edge[:band], edge[:, :band], edge[:, -band:] = True, True, True
    return edge


def _lab(rgb: np.ndarray) -> np.ndarray:
    """CIE Lab (D65; float32, L scaled to 0-255 like OpenCV's 8-bit Lab so L and a/b weigh
    alike), computed with numpy on the small image: OpenCV's Lab conversion builds lookup
    tables on first use, which costs more than the whole estimate."""
    import numpy as np

    c = rgb.astype(np.float32) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ np.array(
        [[0.4124, 0.2126, 0.0193], [0.3576, 0.7152, 0.1192], [0.1805, 0.0722, 0.9505]],
        dtype=np.float32,
    )
    xyz /= np.array([0.95047, 1.0, 1.08883], dtype=np.float32)
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    lab = np.stack(
        [
            (116 * f[..., 1] - 16) * 2.55,
            500 * (f[..., 0] - f[..., 1]),
            200 * (f[..., 1] - f[..., 2]),
        ],
        axis=-1,
    ).astype(np.float32)
    return lab


def saliency(small: np.ndarray) -> np.ndarray:
    """Where a subject probably is (float32 in [0, 1]): border-colour contrast × centre prior.

    The border of a photo is mostly background: each pixel's Lab distance to the nearest of a
    few border colours says how unlike the background it is. Spectral-residual saliency (the
    part of the log spectrum that is not the smooth average) adds small distinct details.
    """
    import cv2
    import numpy as np

    h, w = small.shape[:2]
    lab = _lab(small)
    border = lab[_border(h, w)]
    k = min(6, len(border))
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    kmeans: Any = cv2.kmeans  # the stubs do not allow bestLabels=None
    _, _, centres = kmeans(border, k, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    flat = lab.reshape(-1, 1, 3)
    distance = np.sqrt(((flat - centres.reshape(1, -1, 3)) ** 2).sum(axis=2)).min(axis=1)
    contrast = _normalise(cv2.GaussianBlur(distance.reshape(h, w), (0, 0), 1.5))

    gray = cv2.resize(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (64, 64)).astype(np.float32)
    spectrum = np.fft.fft2(gray)
    log_amp = np.log(np.abs(spectrum) + 1e-6)
    residual = log_amp - cv2.blur(log_amp, (3, 3))
    spectral = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))) ** 2
    spectral = cv2.GaussianBlur(spectral.astype(np.float32), (0, 0), 2.5)
    spectral = _normalise(cv2.resize(spectral, (w, h), interpolation=cv2.INTER_LINEAR))

    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    centre = np.exp(-(((xs / w - 0.5) / 0.38) ** 2 + ((ys / h - 0.52) / 0.42) ** 2) / 2)
    out: np.ndarray = ((0.75 * contrast + 0.25 * spectral) * (0.35 + 0.65 * centre)).astype(
        np.float32
    )
    return out


def _grabcut(small: np.ndarray, sal: np.ndarray) -> np.ndarray:
    """A binary subject mask (uint8 0/1) from GrabCut seeded by the saliency map."""
    import cv2
    import numpy as np

    h, w = sal.shape
    seed = np.full((h, w), cv2.GC_PR_BGD, dtype=np.uint8)
    threshold, _ = cv2.threshold((sal * 255).astype(np.uint8), 0, 255, cv2.THRESH_OTSU)
    likely = sal * 255 > max(threshold, 40)
    if likely.sum() < 0.005 * h * w:
        return np.zeros((h, w), dtype=np.uint8)
    seed[likely] = cv2.GC_PR_FGD
    strong = sal >= np.percentile(sal[likely], 60)
    seed[strong & likely] = cv2.GC_FGD
    # sure background on the top and side bands; the bottom band stays "probably background":
    # portraits and products stand on the bottom edge
    band = max(1, round(min(h, w) * 0.03))
    seed[:band], seed[:, :band], seed[:, -band:] = cv2.GC_BGD, cv2.GC_BGD, cv2.GC_BGD
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    bgr = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
    try:
        grabcut: Any = cv2.grabCut  # the stubs do not allow rect=None
        grabcut(bgr, seed, None, bgd, fgd, 4, cv2.GC_INIT_WITH_MASK)
    except cv2.error:  # a flat image has no colour model to fit: no subject
        return np.zeros((h, w), dtype=np.uint8)
    mask = ((seed == cv2.GC_FGD) | (seed == cv2.GC_PR_FGD)).astype(np.uint8)
    return _clean(mask)


def _clean(mask: np.ndarray) -> np.ndarray:
    """Keep the large parts (≥ 25% of the largest), close small gaps and fill holes."""
    import cv2
    import numpy as np

    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return np.zeros_like(mask)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= 0.25 * areas.max()) + 1
    kept = np.isin(labels, keep).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    kept = np.asarray(cv2.morphologyEx(kept, cv2.MORPH_CLOSE, kernel), dtype=np.uint8)
    # fill holes: whatever the outside flood fill cannot reach belongs to the subject
    padded = np.pad(kept, 1)
    flood = padded.copy()
    cv2.floodFill(flood, np.zeros((flood.shape[0] + 2, flood.shape[1] + 2), np.uint8), (0, 0), 1)
    holes = (flood == 0)[1:-1, 1:-1]
    kept[holes] = 1
    return kept


def _confidence(small: np.ndarray, mask: np.ndarray) -> float:
    """How clearly the mask is a subject standing out from its background, in [0, 1]."""
    import cv2
    import numpy as np

    area = float(mask.mean())
    if area <= 0:
        return 0.0
    # size: tiny specks and masks that swallow the photo are not subjects
    size = min(1.0, area / 0.04) * min(1.0, max(0.0, (0.7 - area) / 0.2))
    # colour separation: Fisher-like ratio of the Lab means to the spreads
    lab = _lab(small)
    inside, outside = lab[mask > 0], lab[mask == 0]
    if len(outside) < 16:
        return 0.0
    gap = float(np.linalg.norm(inside.mean(axis=0) - outside.mean(axis=0)))
    spread = float(inside.std(axis=0).mean() + outside.std(axis=0).mean()) + 1.0
    separation = min(1.0, gap / spread / 1.2)
    # the mask's outline should follow edges in the photo
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    edges = cv2.dilate(cv2.Canny(gray, 40, 120), np.ones((3, 3), np.uint8)) > 0
    outline = cv2.morphologyEx(mask, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
    on_edges = float(edges[outline].mean()) if outline.any() else 0.0
    # touching the sides or the top: probably background cut out, not a subject
    # (the bottom is fine: portraits and products stand on it)
    # just inside the band GrabCut was told is background
    inner = max(1, round(min(mask.shape) * 0.03)) + 1
    sides = np.concatenate([mask[inner], mask[:, inner], mask[:, -inner - 1]]).astype(np.float32)
    touch = float(sides.mean())
    # a "subject" spanning nearly the whole width is a scene (a street, a skyline), not a subject
    columns = np.flatnonzero(mask.any(axis=0))
    span = float(columns[-1] - columns[0] + 1) / mask.shape[1]
    wide = min(1.0, max(0.0, (span - 0.7) / 0.2))
    score = size * (0.55 * separation + 0.45 * on_edges) * max(0.0, 1.0 - 2.5 * touch) * (1 - wide)
    return round(max(0.0, min(1.0, float(score))), 3)


def guided_upsample(
    low: np.ndarray, guide: np.ndarray, radius: int = 2, eps: float = 1e-3
) -> np.ndarray:
    """Upsample ``low`` (float32) to ``guide``'s size along the guide's edges.

    The fast guided filter: the local linear model ``low ≈ a·guide + b`` is fitted at low
    resolution (windows of ``radius`` low-res pixels), ``a`` and ``b`` are upsampled, and the
    full-resolution guide supplies the sharp edge.
    """
    import cv2
    import numpy as np

    h, w = guide.shape[:2]
    lh, lw = low.shape[:2]
    g_full = guide.astype(np.float32) / 255.0
    g = cv2.resize(g_full, (lw, lh), interpolation=cv2.INTER_AREA)
    p = low.astype(np.float32)
    size = (2 * radius + 1, 2 * radius + 1)

    def box(x: np.ndarray) -> np.ndarray:
        return cv2.boxFilter(x, -1, size, borderType=cv2.BORDER_REFLECT)

    mean_g, mean_p = box(g), box(p)
    a = (box(g * p) - mean_g * mean_p) / (box(g * g) - mean_g * mean_g + eps)
    b = mean_p - a * mean_g
    a_up = cv2.resize(box(a), (w, h), interpolation=cv2.INTER_LINEAR)
    b_up = cv2.resize(box(b), (w, h), interpolation=cv2.INTER_LINEAR)
    out: np.ndarray = np.clip(a_up * g_full + b_up, 0, 1).astype(np.float32)
    return out


def refine(low: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """A low-resolution mask as a soft alpha at ``rgb``'s size: edge-aware, then feathered."""
    import cv2
    import numpy as np

    h, w = rgb.shape[:2]
    # edge-aware to half size (a quarter of the cost), then a plain upsample
    half = (max(8, w // 2), max(8, h // 2))
    guide = cv2.cvtColor(cv2.resize(rgb, half, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    soft = guided_upsample(low.astype(np.float32), guide)
    soft = cv2.resize(soft, (w, h), interpolation=cv2.INTER_LINEAR)
    feather = max(0.8, max(h, w) / 1200)  # a pixel or two: soft edges, no cut-out look
    out: np.ndarray = np.clip(cv2.GaussianBlur(soft, (0, 0), feather), 0, 1).astype(np.float32)
    return out


def _heuristic(rgb: np.ndarray) -> DepthEstimate:
    import numpy as np

    small = _small(rgb)
    mask = _grabcut(small, saliency(small))
    confidence = _confidence(small, mask)
    plane = (0.0, 0.0, GROUND_TILT)
    if not mask.any():
        return DepthEstimate(np.zeros((0, 0), np.float32), 0.0, plane, 0.0, "heuristic")
    return DepthEstimate(refine(mask, rgb), SUBJECT_NEAR, plane, confidence, "heuristic")


# --- ONNX model ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Model:
    session: Any
    input_name: str
    size: tuple[int, int]  # (w, h) the model takes


@functools.lru_cache(maxsize=2)
def _load(path: str, mtime: float) -> _Model:
    try:
        import onnxruntime as ort
    except ImportError:
        raise RenderError(
            f"{ENV_MODEL} is set but onnxruntime is not installed.",
            hint="pip install 'openai-image-to-video[depth]', or unset "
            f"{ENV_MODEL} to use the built-in estimate.",
        ) from None
    options = ort.SessionOptions()
    options.log_severity_level = 3  # errors only: no provider chatter on stderr
    try:
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for bad files
        raise RenderError(
            f"The depth model in {ENV_MODEL} cannot be loaded: {path} "
            f"({type(exc).__name__}: {str(exc)[:160]}).",
            hint=f"Point {ENV_MODEL} at an ONNX depth model (input 1x3xHxW), or unset it.",
        ) from None
    inputs = session.get_inputs()
    shape = list(inputs[0].shape) if inputs else []
    if len(shape) != 4 or (isinstance(shape[1], int) and shape[1] != 3):
        raise RenderError(
            f"The depth model {path} takes input {shape}, not an image (1x3xHxW).",
            hint=f"Point {ENV_MODEL} at an ONNX depth model, or unset it.",
        )
    h, w = shape[2], shape[3]
    size = (w, h) if isinstance(w, int) and isinstance(h, int) else (MODEL_SIDE, MODEL_SIDE)
    return _Model(session, inputs[0].name, size)


def _session(path: Path) -> _Model:
    if not path.is_file():
        raise RenderError(
            f"{ENV_MODEL} names a file that does not exist: {path}",
            hint=f"Point {ENV_MODEL} at an ONNX depth model, or unset it.",
        )
    return _load(str(path.resolve()), path.stat().st_mtime)


def preprocess(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """RGB ``uint8`` → the model's ``1×3×H×W`` float32 input (resized, ImageNet-normalised)."""
    import cv2
    import numpy as np

    interpolation = cv2.INTER_AREA if rgb.shape[1] > size[0] else cv2.INTER_CUBIC
    x = cv2.resize(rgb, size, interpolation=interpolation).astype(np.float32) / 255.0
    normalised = (x - np.array(_MEAN, np.float32)) / np.array(_STD, np.float32)
    out: np.ndarray = np.ascontiguousarray(normalised.transpose(2, 0, 1)[None], dtype=np.float32)
    return out


def postprocess(raw: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The model's output (any of ``1×1×H×W``, ``1×H×W``, ``H×W``) → disparity in [0, 1] at
    ``size`` (w, h), near = 1, robust to outliers (2nd-98th percentile)."""
    import cv2
    import numpy as np

    out = np.asarray(raw, dtype=np.float32)
    while out.ndim > 2:
        out = out[0]
    if out.ndim != 2 or not np.isfinite(out).all():
        raise RenderError(
            f"The depth model in {ENV_MODEL} returned {np.shape(raw)} with non-finite values "
            "or not a depth map.",
            hint=f"Point {ENV_MODEL} at an ONNX depth model, or unset it.",
        )
    return _normalise(cv2.resize(out, size, interpolation=cv2.INTER_LINEAR))


def _from_model(rgb: np.ndarray, model: _Model) -> DepthEstimate:
    import cv2
    import numpy as np

    small = _small(rgb)
    h, w = small.shape[:2]
    raw = model.session.run(None, {model.input_name: preprocess(rgb, model.size)})[0]
    disparity = postprocess(raw, (w, h))
    threshold, _ = cv2.threshold((disparity * 255).astype(np.uint8), 0, 255, cv2.THRESH_OTSU)
    mask = _clean((disparity * 255 > threshold).astype(np.uint8))
    # background plane: least squares over the far pixels
    ys, xs = np.nonzero(mask == 0)
    if len(xs) >= 16:
        design = np.stack([np.ones(len(xs)), xs / max(1, w - 1), ys / max(1, h - 1)], axis=1)
        coef, *_ = np.linalg.lstsq(design, disparity[ys, xs], rcond=None)
        plane = (float(coef[0]), float(coef[1]), float(coef[2]))
    else:
        plane = (0.0, 0.0, GROUND_TILT)
    if not mask.any():
        return DepthEstimate(np.zeros((0, 0), np.float32), 0.0, plane, 0.0, "model")
    near, far = disparity[mask > 0], disparity[mask == 0]
    # bimodality: the gap between near and far against their spread (Otsu's criterion)
    gap = float(near.mean() - (far.mean() if far.size else 0.0))
    spread = float(near.std() + (far.std() if far.size else 0.0)) + 0.05
    confidence = min(1.0, gap / spread / 3.0) * min(1.0, _confidence(small, mask) * 2.0)
    subject = float(np.clip(near.mean(), 0.0, 1.0))
    soft = refine(mask.astype(np.float32), rgb)
    return DepthEstimate(soft, subject, plane, round(confidence, 3), "model")
