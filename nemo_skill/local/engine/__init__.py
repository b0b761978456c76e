"""Image → clip on the CPU: load, frame, move, title, music, encode (extra ``[local]``).

Light to import: the names below load their module on first use (PEP 562), so importing
one small module (``engine.motion``, for its list of motions) costs nothing more, and the
heavy modules (OpenCV, PyAV, numpy, Pillow) load only when a function that needs them runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nemo_skill.local.engine.frame import frame_size
    from nemo_skill.local.engine.images import (
        SUPPORTED_IMAGE_EXTENSIONS,
        load_image,
        probe_image,
    )
    from nemo_skill.local.engine.render import RenderResult, render_draft

_WHERE = {
    "SUPPORTED_IMAGE_EXTENSIONS": "images",
    "load_image": "images",
    "probe_image": "images",
    "frame_size": "frame",
    "RenderResult": "render",
    "render_draft": "render",
}

__all__ = [
    "SUPPORTED_IMAGE_EXTENSIONS",
    "RenderResult",
    "frame_size",
    "load_image",
    "probe_image",
    "render_draft",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # next time without the hook
    return value
