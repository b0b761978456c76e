"""Batch throughput: ``nemo-skill generate`` of 40 images at --jobs 1, 2, 4 and 8.

The backend is ``bench/latency_backend.py`` on loopback: a turn takes 1.0 s
and a render 1.5 s with progress (the real service's minutes and 30-90 s,
scaled down), all waiting and no CPU, so the figures measure the batch
runner, not the machine. Each run is the real CLI in a child process (its
own peak RSS), into its own output folder.

Prints, per --jobs: wall time, throughput (items/min), speed-up against
--jobs 1 measured in the same run, peak RSS of the CLI process, and the
most turns the backend saw in flight at once. Then peak RSS at --jobs 4 for
10 and 40 items (memory must not grow with the number of items).
Targets: --jobs 4 >= 3x the throughput of --jobs 1; RSS(40) / RSS(10) <= 1.1.

python bench/batch.py [--items 40] [--turn 1.0] [--render 1.5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
PROMPT = "turn this image into a 1-second animated video clip"


def child(url: str, state: str, out: str, jobs: int, files: list[str]) -> None:
    """One batch through the CLI in this (child) process; prints seconds and peak RSS."""
    import io
    from contextlib import redirect_stdout

    from nemo_skill.cli import main

    args = ["--api-url", url, "--state-dir", state, "--json", "-q", "generate", PROMPT,
            "-o", out, "--jobs", str(jobs)]  # fmt: skip
    for name in files:
        args += ["-f", name]
    buffer = io.StringIO()
    start = time.perf_counter()
    with redirect_stdout(buffer):
        code = main(args)
    seconds = time.perf_counter() - start
    doc = json.loads(buffer.getvalue())
    done = sum(1 for item in doc.get("results", []) if item["state"] == "done")
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"code": code, "seconds": seconds, "done": done, "rss_kb": rss_kb}))


def images(folder: Path, count: int) -> list[str]:
    """``count`` small distinct JPEGs."""
    from PIL import Image

    names = []
    for n in range(count):
        path = folder / f"photo{n:03d}.jpg"
        Image.new("RGB", (320, 180), ((n * 37) % 255, 90, 160)).save(path, quality=85)
        names.append(str(path))
    return names


def run(server: object, work: Path, jobs: int, files: list[str], tag: str) -> dict[str, float]:
    """A batch in a child process; its figures plus the backend's turns in flight."""
    state = server.state  # type: ignore[attr-defined]
    state.turns_max = 0
    out = work / f"out-{tag}"
    out.mkdir()
    env = {**os.environ, "NEMO_SKILL_HOME": str(work / "home")}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", server.url,  # type: ignore[attr-defined]
           str(work / "state"), str(out), str(jobs), *files]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    if result.returncode:
        raise SystemExit(f"child failed:\n{result.stdout}\n{result.stderr}")
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["done"] != len(files):
        raise SystemExit(f"only {figures['done']} of {len(files)} items done: {result.stderr}")
    figures["in_flight"] = state.turns_max
    return figures


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--child":
        url, state, out, jobs, *files = argv[1:]
        child(url, state, out, int(jobs), files)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--turn", type=float, default=1.0, help="seconds per turn")
    parser.add_argument("--render", type=float, default=1.5, help="seconds per render")
    args = parser.parse_args(argv)

    from bench.latency_backend import LatencyServer

    with tempfile.TemporaryDirectory() as tmp, LatencyServer(args.turn, args.render) as server:
        work = Path(tmp)
        (work / "in").mkdir()
        files = images(work / "in", args.items)
        print(f"{args.items} items; backend: turn {args.turn:g} s, render {args.render:g} s "
              "(asyncio sleeps, no CPU); CLI in a child process per run")  # fmt: skip
        print(f"{'jobs':>4}  {'wall s':>7}  {'items/min':>9}  {'speed-up':>8}  "
              f"{'peak RSS MB':>11}  {'turns in flight':>15}")  # fmt: skip
        base = 0.0
        results = {}
        for jobs in (1, 2, 4, 8):
            r = run(server, work, jobs, files, f"j{jobs}")
            throughput = args.items / r["seconds"] * 60
            base = base or throughput
            results[jobs] = throughput / base
            print(f"{jobs:>4}  {r['seconds']:>7.1f}  {throughput:>9.1f}  "
                  f"{throughput / base:>7.2f}x  {r['rss_kb'] / 1024:>11.1f}  "
                  f"{int(r['in_flight']):>15}", flush=True)  # fmt: skip
        small = run(server, work, 4, files[:10], "m10")
        large = run(server, work, 4, files, "m40")
        growth = large["rss_kb"] / small["rss_kb"]
        print(f"peak RSS at --jobs 4: 10 items {small['rss_kb'] / 1024:.1f} MB, "
              f"{args.items} items {large['rss_kb'] / 1024:.1f} MB (ratio {growth:.2f}, "
              "target <= 1.10)")  # fmt: skip
        ok = results[4] >= 3.0 and growth <= 1.10
        print(f"--jobs 4 speed-up {results[4]:.2f}x (target >= 3.0): {'OK' if ok else 'MISSED'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
