"""Render time against clip duration (should be a straight line after start-up).

Renders the sample photo at 1080p30 for several durations with `nemo-skill
animate`, prints the table and the fitted per-second cost, and, when
matplotlib is installed (extra `[plot]`), writes bench/render_time.svg (text,
so the skill folder stays text-only).
    python bench/render_curve.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DURATIONS = (2, 5, 10, 20, 30)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        photo = tmp / "sample.jpg"
        subprocess.run(
            [sys.executable, str(HERE.parent / "examples" / "make_sample_image.py"), str(photo)],
            check=True,
            capture_output=True,
        )
        times = []
        for seconds in DURATIONS:
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "nemo_skill.cli",
                    "-q",
                    "animate",
                    str(photo),
                    "-o",
                    str(tmp / "c.mp4"),
                    "--force",
                    "--aspect",
                    "16:9",
                    "--duration",
                    str(seconds),
                ],
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - start)
    n = len(DURATIONS)
    mean_x, mean_y = sum(DURATIONS) / n, sum(times) / n
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(DURATIONS, times, strict=True)) / sum(
        (x - mean_x) ** 2 for x in DURATIONS
    )
    intercept = mean_y - slope * mean_x
    worst = max(abs(y - (intercept + slope * x)) / y for x, y in zip(DURATIONS, times, strict=True))
    print("render time against clip duration (1080p30, 16:9, sample photo)")
    for seconds, wall in zip(DURATIONS, times, strict=True):
        print(f"  {seconds:3d} s clip   {wall:6.2f} s")
    print(
        f"  fit: {intercept:.2f} s start-up + {slope:.3f} s per clip second (worst deviation {worst:.0%})"
    )
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("  (install the [plot] extra for bench/render_time.svg)")
        return 0
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(DURATIONS, times, "o-", label="measured")
    ax.plot(DURATIONS, [intercept + slope * x for x in DURATIONS], "--", label="linear fit")
    ax.set_xlabel("clip duration (s)")
    ax.set_ylabel("render wall time (s)")
    ax.set_title("nemo-skill animate, 1080p30")
    ax.legend()
    fig.tight_layout()
    fig.savefig(HERE / "render_time.svg", metadata={"Date": None})
    print(f"  wrote {HERE / 'render_time.svg'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
