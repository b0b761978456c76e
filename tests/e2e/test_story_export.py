"""A story end to end: three photos through the CLI and the real loopback backend, one MP4.

The photos are flat, distinct colours, so a decoded frame says which photo is on
screen; between two colours at a crossfade it shows a real blend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import Cli

COLOURS = {"red.png": (220, 30, 30), "green.png": (30, 200, 30), "blue.png": (30, 30, 220)}


def flat(path: Path, colour: tuple[int, int, int]) -> Path:
    from PIL import Image

    Image.new("RGB", (480, 360), colour).save(path)
    return path


def centre_colours(path: Path, times: list[float]) -> dict[float, tuple[int, int, int]]:
    """The mean RGB of the central patch of the frame nearest each time (s)."""
    import av
    import numpy as np

    frames: list[tuple[float, Any]] = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            frames.append((float(frame.time or 0.0), frame.to_ndarray(format="rgb24")))
    out = {}
    for t in times:
        _, image = min(frames, key=lambda f: abs(f[0] - t))
        h, w = image.shape[:2]
        patch = image[h // 3 : 2 * h // 3, w // 3 : 2 * w // 3].reshape(-1, 3)
        r, g, b = (int(v) for v in np.mean(patch, axis=0))
        out[t] = (r, g, b)
    return out


def nearest(rgb: tuple[int, int, int]) -> str:
    return min(
        COLOURS, key=lambda n: sum((a - b) ** 2 for a, b in zip(COLOURS[n], rgb, strict=True))
    )


@pytest.mark.slow
def test_three_photos_become_one_clip_with_crossfades(cli: Cli) -> None:
    paths = [flat(cli.cwd / name, rgb) for name, rgb in COLOURS.items()]
    files = [arg for p in paths for arg in ("-f", str(p))]
    chat = cli(
        "--json", "chat", "turn these three photos into one 9-second clip with crossfades", *files
    )
    assert chat.code == 0, chat.err + chat.out
    out = cli.cwd / "story.mp4"
    export = cli("export", "-o", str(out))
    assert export.code == 0, export.err + export.out

    # each photo fills its 3-second slot (mid-slot frames), in upload order
    seen = centre_colours(out, [1.5, 4.5, 7.5, 8.8, 0.2, 3.9])
    assert [nearest(seen[t]) for t in (0.2, 1.5)] == ["red.png"] * 2
    assert [nearest(seen[t]) for t in (3.9, 4.5)] == ["green.png"] * 2
    assert [nearest(seen[t]) for t in (7.5, 8.8)] == ["blue.png"] * 2
    # a real blend at the crossfade into the second photo (its first 500 ms): red and green both
    blend = centre_colours(out, [3.25])[3.25]
    red, green = COLOURS["red.png"], COLOURS["green.png"]
    assert 60 < blend[0] < red[0] - 40 and 60 < blend[1] < green[1] - 40, blend
