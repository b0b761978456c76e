"""Render benchmark: the whole `nemo-skill animate` command against x264 alone.

Prints, in one run on a generated 4000x3000 textured photo:
- wall time of `animate` (5 s, 1080p30, 16:9) and the floor: libx264 alone
  (same preset/CRF) encoding the same 150 frames already in yuv420p; ratio;
- pan jitter in px RMS on the encoded file (consecutive decoded frames
  registered with cv2.findTransformECC, MOTION_TRANSLATION, central crop;
  jitter = deviation of the shifts from a local quadratic fit);
- file size and peak RSS of the animate process;
- the same for 9:16, and a 30 s render (time per clip second should stay flat);
- parallax against the floor of its own frames on a 4000x3000 photo with a clear subject
  (a textured disc in front of the textured field), with peak RSS; ``--motions`` gives
  pan_left, parallax, dolly and orbit that way, and each motion's compose cost.

The 5 s render and the floor run in alternation, ROUNDS times each, each in its
own process (a child inherits its parent's RSS high-water mark, so the floor's
150 frames must not live in this process), and the medians are compared: on a
shared machine one pair of runs can be off by 30%.

Targets: ratio <= 1.3 (2D moves, pan included), <= 2.0 (depth-aware), jitter <= 0.1 px,
<= 6 MB, <= 400 MB RSS (2D), <= 600 MB (depth-aware).
    python bench/render.py
"""

from __future__ import annotations

import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
sys.path.insert(0, str(ROOT))


def make_photo(path: Path) -> Path:
    """A 4000x3000 photo with texture at every scale (noise + shapes)."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(3)
    base = rng.integers(0, 255, (375, 500, 3), dtype=np.uint8)
    img = Image.fromarray(base).resize((4000, 3000), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(400):
        x, y, r = rng.integers(0, 4000), rng.integers(0, 3000), rng.integers(10, 160)
        draw.ellipse(
            [x - r, y - r, x + r, y + r],
            outline=tuple(int(v) for v in rng.integers(0, 255, 3)),
            width=6,
        )
    img = img.filter(ImageFilter.SMOOTH)
    fine = rng.integers(-8, 9, (3000, 4000, 1), dtype=np.int16)  # sensor-like grain
    arr = np.clip(np.asarray(img, dtype=np.int16) + fine, 0, 255).astype(np.uint8)
    Image.fromarray(arr).save(path, quality=92)
    return path


def make_subject_photo(path: Path) -> Path:
    """The textured 4000x3000 photo with a subject: a disc of another texture and palette."""
    import cv2

    make_photo(path)
    field = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
    rng = np.random.default_rng(4)
    texture = cv2.resize(rng.integers(0, 255, (250, 333, 3), dtype=np.uint8), (4000, 3000),
                         interpolation=cv2.INTER_CUBIC)  # fmt: skip
    subject = (texture * 0.4 + np.array([150, 70, 30])).astype(np.uint8)
    field = (field * 0.5 + np.array([20, 60, 90])).astype(np.uint8)
    mask = np.zeros((3000, 4000), np.uint8)
    cv2.circle(mask, (2100, 1600), 750, 1, -1, lineType=cv2.LINE_AA)
    photo = np.where(mask[..., None] > 0, subject, field)
    cv2.imwrite(str(path), cv2.cvtColor(photo, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 92])
    return path


def run_animate(photo: Path, out: Path, *args: str) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one `nemo-skill animate` process."""
    wall, rss, _ = run_animate_cpu(photo, out, *args)
    return wall, rss


def run_animate_cpu(photo: Path, out: Path, *args: str) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (bytes) and CPU seconds (user + system, all threads)."""
    cmd = [
        sys.executable,
        "-m",
        "nemo_skill.cli",
        "--quiet",
        "animate",
        str(photo),
        "-o",
        str(out),
        "--force",
        *args,
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"animate failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime


def x264_floor(photo: Path, seconds: float = 5.0, motion: str = "") -> tuple[float, float]:
    """libx264 alone on the same frames, pre-converted to yuv420p: encode wall and CPU time."""
    from nemo_skill.local.edits import plan_from_prompt
    from nemo_skill.local.engine import probe_image
    from nemo_skill.local.engine.plan import make_plan

    draft = plan_from_prompt(
        f"16:9, {seconds:g} seconds", source=str(photo), image_size=probe_image(photo)
    )
    if motion:
        draft["t"][0]["sg"][0]["motion"] = motion
    return encode_floor(make_plan(draft))


def encode_floor(plan: Any) -> tuple[float, float]:
    """The plan's frames composed into memory first, then libx264 alone encoding them:
    encode wall and CPU time (shared with bench/story.py)."""
    import resource

    import av

    from nemo_skill.local.engine.encoder import CRF, PRESET, new_frame
    from nemo_skill.local.engine.render import load

    loaded = load(plan, Path)
    (width, height), fps = plan.size, plan.fps
    frames = []
    for index in range(plan.frames):
        buffer, planes = new_frame(plan.size)
        loaded.compose(index, planes)
        frames.append(buffer)
    loaded.close()
    out = Path(tempfile.mkstemp(suffix=".mp4")[1])
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    with av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=Fraction(fps, 1))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": PRESET, "crf": str(CRF)}
        for index, yuv in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    out.unlink()
    return elapsed, cpu


def run_floor(photo: Path, motion: str = "") -> float:
    """The floor's wall time, measured in a child process (keeps this one small)."""
    return run_floor_cpu(photo, motion)[0]


def run_floor_cpu(photo: Path, motion: str = "") -> tuple[float, float]:
    """The floor's wall and CPU time, measured in a child process."""
    done = subprocess.run(
        [sys.executable, __file__, "--floor", str(photo), *([motion] if motion else [])],
        check=True,
        capture_output=True,
        text=True,
    )
    wall, cpu = done.stdout.split()
    return float(wall), float(cpu)


def jitter(path: Path) -> float:
    """RMS deviation (px) of frame-to-frame shifts from a local quadratic fit."""
    import av
    import cv2

    grays = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            gray = frame.to_ndarray(format="gray").astype(np.float32)
            h, w = gray.shape
            grays.append(gray[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4])
    shifts = []
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 200, 1e-6)
    for a, b in itertools.pairwise(grays):
        warp = np.eye(2, 3, dtype=np.float32)
        _, warp = cv2.findTransformECC(a, b, warp, cv2.MOTION_TRANSLATION, criteria, None, 5)
        shifts.append(float(warp[0, 2]))
    series = np.array(shifts)
    half = 4
    residuals = []
    for i in range(half, len(series) - half):
        window = series[i - half : i + half + 1]
        x = np.arange(-half, half + 1)
        fit = np.polyval(np.polyfit(x, window, 2), 0)
        residuals.append(series[i] - fit)
    return float(np.sqrt(np.mean(np.square(residuals)))) if residuals else 0.0


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--make-photo":
        make_photo(Path(sys.argv[2]))
        return 0
    if len(sys.argv) in (3, 4) and sys.argv[1] == "--floor":
        motion = sys.argv[3] if len(sys.argv) == 4 else ""
        wall, cpu = x264_floor(Path(sys.argv[2]), motion=motion)
        print(f"{wall:.4f} {cpu:.4f}")
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "--make-subject-photo":
        make_subject_photo(Path(sys.argv[2]))
        return 0
    if len(sys.argv) == 2 and sys.argv[1] == "--motions":
        return motions_only()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        photo = tmp / "photo.jpg"
        subprocess.run([sys.executable, __file__, "--make-photo", str(photo)], check=True)
        run_animate(photo, tmp / "warm.mp4", "--duration", "1")  # warm the page cache, untimed
        walls, rsses, floors = [], [], []
        for _ in range(ROUNDS):  # alternate, so a busy spell hits both sides alike
            wall, rss = run_animate(photo, tmp / "a.mp4", "--aspect", "16:9", "--duration", "5")
            walls.append(wall)
            rsses.append(rss)
            floors.append(run_floor(photo))
        wall, floor, rss = statistics.median(walls), statistics.median(floors), max(rsses)
        size = (tmp / "a.mp4").stat().st_size
        pan_wall, _ = run_animate(
            photo, tmp / "pan.mp4", "--aspect", "16:9", "--duration", "5", "--motion", "pan_left"
        )
        v_wall, v_rss = run_animate(photo, tmp / "v.mp4", "--aspect", "9:16", "--duration", "5")
        long_wall, long_rss = run_animate(
            photo, tmp / "long.mp4", "--aspect", "16:9", "--duration", "30"
        )
        j = jitter(tmp / "pan.mp4")
        print("render benchmark (5 s 1080p30 from a 4000x3000 photo, libx264 veryfast crf 21)")
        print(f"  animate wall time        {wall:7.2f} s   (median of {ROUNDS})")
        print(f"  x264-only floor          {floor:7.2f} s   (median of {ROUNDS})")
        print(f"  ratio animate/floor      {wall / floor:7.2f}   (target <= 1.3)")
        print(
            "  per-round ratios         "
            + " ".join(f"{w / f:.2f}" for w, f in zip(walls, floors, strict=True))
        )
        print(f"  pan jitter               {j:7.3f} px RMS (target <= 0.1)")
        print(f"  file size                {size / 1e6:7.2f} MB (target <= 6)")
        print(f"  peak RSS                 {rss / 2**20:7.0f} MB (target <= 400)")
        print(f"  pan_left wall time       {pan_wall:7.2f} s")
        print(f"  9:16 wall time           {v_wall:7.2f} s, peak RSS {v_rss / 2**20:.0f} MB")
        print(f"  30 s wall time           {long_wall:7.2f} s, peak RSS {long_rss / 2**20:.0f} MB")
        print(
            f"  per clip second: 5 s {wall / 5:.3f} s, 30 s {long_wall / 30:.3f} s "
            f"(ratio {long_wall / 30 / (wall / 5):.2f}, linear = 1.0 after start-up)"
        )
        scene = tmp / "scene.jpg"
        subprocess.run([sys.executable, __file__, "--make-subject-photo", str(scene)], check=True)
        row = compare(scene, tmp / "parallax.mp4", "parallax")
        print(
            f"  parallax (subject photo) {row.wall / row.floor:5.2f}x its floor (target <= 2.0), "
            f"peak RSS {row.rss / 2**20:.0f} MB (target <= 600); "
            "`--motions` for pan, dolly, orbit"
        )
    return 0


@dataclass
class Row:
    """One motion against the floor of its own frames: medians over alternated rounds."""

    wall: float
    floor: float
    ratios: list[float]
    cpu_ratio: float  # CPU seconds (all threads) of animate / of the floor's encode
    rss: int


def compare(photo: Path, out: Path, motion: str) -> Row:
    """``animate --motion`` and the floor of the same frames, alternated ROUNDS times."""
    walls, floors, cpus, floor_cpus, rss = [], [], [], [], 0
    for _ in range(ROUNDS):
        wall, peak, cpu = run_animate_cpu(
            photo, out, "--aspect", "16:9", "--duration", "5", "--motion", motion
        )
        walls.append(wall)
        cpus.append(cpu)
        rss = max(rss, peak)
        floor_wall, floor_cpu = run_floor_cpu(photo, motion)
        floors.append(floor_wall)
        floor_cpus.append(floor_cpu)
    ratios = [w / f for w, f in zip(walls, floors, strict=True)]
    cpu_ratio = statistics.median(cpus) / statistics.median(floor_cpus)
    return Row(statistics.median(walls), statistics.median(floors), ratios, cpu_ratio, rss)


def compose_cost(photo: Path, motion: str, frames: int = 30) -> tuple[float, float]:
    """In this process: (seconds to load the segment, median ms to compose one 1080p frame).

    Single-threaded and CPU-bound, so it holds up on a busy machine where wall-time ratios
    of whole processes swing by 30%."""
    from nemo_skill.local.edits import plan_from_prompt
    from nemo_skill.local.engine import probe_image
    from nemo_skill.local.engine.encoder import new_frame
    from nemo_skill.local.engine.plan import make_plan
    from nemo_skill.local.engine.render import load

    draft = plan_from_prompt("16:9, 5 seconds", source=str(photo), image_size=probe_image(photo))
    draft["t"][0]["sg"][0]["motion"] = motion
    plan = make_plan(draft)
    start = time.perf_counter()
    loaded = load(plan, Path)
    loading = time.perf_counter() - start
    _, planes = new_frame(plan.size)
    costs = []
    for index in range(0, plan.frames, max(1, plan.frames // frames)):
        begin = time.perf_counter()
        loaded.compose(index, planes)
        costs.append(time.perf_counter() - begin)
    return loading, statistics.median(costs) * 1000


def motions_only() -> int:
    """The pan and depth-aware rows alone (``python bench/render.py --motions``)."""
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        photo, scene = tmp / "photo.jpg", tmp / "scene.jpg"
        subprocess.run([sys.executable, __file__, "--make-photo", str(photo)], check=True)
        subprocess.run([sys.executable, __file__, "--make-subject-photo", str(scene)], check=True)
        run_animate(photo, tmp / "warm.mp4", "--duration", "1")  # page cache, untimed
        run_animate(scene, tmp / "warm.mp4", "--duration", "1")
        print("compose cost in this process (load once, then per 1080p frame)")
        for motion, source in (("pan_left", photo), ("kenburns", photo), ("parallax", scene),
                               ("dolly", scene), ("orbit", scene)):  # fmt: skip
            loading, per_frame = compose_cost(source, motion)
            print(f"  {motion:9s} load {loading:5.2f} s  compose {per_frame:5.1f} ms/frame")
        print("motions against the floor of their own frames (5 s 1080p30, 16:9)")
        for motion, source in (("pan_left", photo), ("parallax", scene), ("dolly", scene),
                               ("orbit", scene)):  # fmt: skip
            row = compare(source, tmp / f"{motion}.mp4", motion)
            target = 1.3 if motion == "pan_left" else 2.0
            print(
                f"  {motion:9s} wall {row.wall:5.2f} s  floor {row.floor:5.2f} s  ratio "
                f"{row.wall / row.floor:4.2f} (target <= {target})  rounds "
                + " ".join(f"{r:.2f}" for r in row.ratios)
                + f"  CPU ratio {row.cpu_ratio:4.2f}  peak RSS {row.rss / 2**20:4.0f} MB",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
