"""The depth estimate: subject found with a confidence, and the optional ONNX model path.

The ONNX models are tiny graphs built here with the ``onnx`` helper (nothing downloaded):
disparity = the mean of the normalised RGB channels, so a bright disc on a dark field is
"near". That exercises the real loading, pre-processing and post-processing code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nemo_skill.errors import RenderError
from nemo_skill.local.engine import depth
from tests.engine.conftest import subject_photo


def _rgb(path: Path) -> np.ndarray:
    import cv2

    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


def _disc_mask(w: int, h: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w]
    return np.hypot(xx - w / 2, yy - h / 2) < h / 4


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


@pytest.fixture(autouse=True)
def _no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(depth.ENV_MODEL, raising=False)


def test_subject_in_front_of_background_is_found(tmp_path: Path) -> None:
    rgb = _rgb(subject_photo(tmp_path / "s.png", (480, 270)))
    est = depth.estimate(rgb)
    assert est.method == "heuristic"
    assert est.mask.shape == (270, 480) and est.mask.dtype == np.float32
    assert _iou(est.mask > 0.5, _disc_mask(480, 270)) > 0.85
    assert est.confidence > 0.6
    assert est.subject > est.background(0.5, 0.5)  # the subject is nearer than the field
    # feathered: a soft edge of a few pixels, not a hard cut-out
    edge = (est.mask > 0.05) & (est.mask < 0.95)
    assert 0 < edge.sum() < 0.1 * est.mask.size


def test_ground_plane_prior_puts_the_bottom_nearer(tmp_path: Path) -> None:
    est = depth.estimate(_rgb(subject_photo(tmp_path / "s.png", (320, 180))))
    assert est.background(0.5, 1.0) > est.background(0.5, 0.0)


@pytest.mark.parametrize("kind", ["flat", "noise"])
def test_no_clear_subject_gives_low_confidence(kind: str) -> None:
    rng = np.random.default_rng(5)
    if kind == "flat":
        rgb = np.full((180, 320, 3), 120, np.uint8)
    else:
        rgb = rng.integers(0, 255, (180, 320, 3), dtype=np.uint8)
    est = depth.estimate(rgb)
    assert est.confidence < 0.35


def test_guided_upsample_follows_the_guide_edges() -> None:
    import cv2

    guide = np.zeros((200, 200), np.uint8)
    guide[:, 105:] = 255
    # the same edge seen at a tenth of the size, and blurred: what a low-res mask looks like
    low = cv2.GaussianBlur(cv2.resize(guide, (20, 20), interpolation=cv2.INTER_AREA), (0, 0), 1)
    low = low.astype(np.float32) / 255
    out = depth.guided_upsample(low, guide, radius=2)
    assert out.shape == (200, 200)
    ideal = guide / 255.0
    plain = cv2.resize(low, (200, 200), interpolation=cv2.INTER_LINEAR)
    # closer to the guide's sharp edge than a plain upsample, and crossing 0.5 at the edge
    assert np.abs(out - ideal).mean() < 0.6 * np.abs(plain - ideal).mean()
    assert out[100, 102] < 0.5 < out[100, 107]


# --- ONNX ------------------------------------------------------------------------------


def _model(path: Path, dims: list[int | str], nan: bool = False) -> Path:
    onnx = pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper

    nodes = [helper.make_node("ReduceMean", ["image"], ["mean"], axes=[1], keepdims=1)]
    out_name = "mean"
    if nan:
        nodes.append(helper.make_node("Div", ["mean", "zero"], ["depth"]))
        out_name = "depth"
    initializers = [helper.make_tensor("zero", TensorProto.FLOAT, [1], [0.0])] if nan else []
    graph = helper.make_graph(
        nodes,
        "tiny-depth",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, dims)],
        [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, None)],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def _bright_disc(w: int = 320, h: int = 180) -> np.ndarray:
    rng = np.random.default_rng(2)
    rgb = (rng.integers(0, 40, (h, w, 3))).astype(np.uint8)
    rgb[_disc_mask(w, h)] = (230, 220, 200)
    return rgb


@pytest.mark.parametrize("dims", [[1, 3, 64, 64], ["n", 3, "h", "w"]], ids=["fixed", "dynamic"])
def test_onnx_model_is_used_when_the_variable_names_one(
    dims: list[int | str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(depth.ENV_MODEL, str(_model(tmp_path / "tiny.onnx", dims)))
    est = depth.estimate(_bright_disc())
    assert est.method == "model"
    assert _iou(est.mask > 0.5, _disc_mask(320, 180)) > 0.85
    assert est.subject > 0.8 and est.background(0.5, 0.5) < 0.3
    assert est.confidence > 0.5


def test_preprocess_normalises_like_the_models_expect() -> None:
    rgb = np.full((10, 20, 3), 255, np.uint8)
    x = depth.preprocess(rgb, (14, 7))
    assert x.shape == (1, 3, 7, 14) and x.dtype == np.float32
    assert np.allclose(
        x[0, :, 0, 0], [(1 - 0.485) / 0.229, (1 - 0.456) / 0.224, (1 - 0.406) / 0.225]
    )


def test_postprocess_accepts_common_output_shapes() -> None:
    ramp = np.linspace(0, 5, 16, dtype=np.float32).reshape(1, 1, 4, 4)
    for raw in (ramp, ramp[0], ramp[0, 0]):
        out = depth.postprocess(raw, (8, 8))
        assert out.shape == (8, 8) and 0 <= out.min() < 0.1 and 0.9 < out.max() <= 1


def test_missing_model_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(depth.ENV_MODEL, str(tmp_path / "nope.onnx"))
    with pytest.raises(RenderError) as info:
        depth.estimate(_bright_disc())
    assert depth.ENV_MODEL in str(info.value) and "does not exist" in str(info.value)
    assert "unset" in (info.value.hint or "")


def test_unloadable_model_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("onnxruntime")
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model at all")
    monkeypatch.setenv(depth.ENV_MODEL, str(bad))
    with pytest.raises(RenderError, match="cannot be loaded"):
        depth.estimate(_bright_disc())


def test_model_returning_nan_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        depth.ENV_MODEL, str(_model(tmp_path / "nan.onnx", [1, 3, 32, 32], nan=True))
    )
    with pytest.raises(RenderError, match="non-finite"):
        depth.estimate(_bright_disc())


def test_model_without_onnxruntime_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    path = tmp_path / "m.onnx"
    path.write_bytes(b"x")
    monkeypatch.setenv(depth.ENV_MODEL, str(path))
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    depth._load.cache_clear()
    with pytest.raises(RenderError) as info:
        depth.estimate(_bright_disc())
    assert "[depth]" in (info.value.hint or "")
