"""Image → clip on the CPU: load, frame, move, title, music, encode (extra ``[local]``).

Light to import: the heavy modules (OpenCV, PyAV, numpy, Pillow) load when a
function that needs them runs.
"""

from __future__ import annotations

from nemo_skill.local.engine.images import SUPPORTED_IMAGE_EXTENSIONS, load_image, probe_image
from nemo_skill.local.engine.prompt import (
    Instruction,
    apply_instruction,
    frame_size,
    parse_instruction,
    plan_from_prompt,
)
from nemo_skill.local.engine.render import RenderResult, render_draft

__all__ = [
    "SUPPORTED_IMAGE_EXTENSIONS",
    "Instruction",
    "RenderResult",
    "apply_instruction",
    "frame_size",
    "load_image",
    "parse_instruction",
    "plan_from_prompt",
    "probe_image",
    "render_draft",
]
