"""Cold start of ``nemo-skill classify`` against importing the skill's own dependencies.

Prints the median wall time of ``nemo-skill classify "export"`` (the console
script installed beside ``sys.executable``), the median of
``python -c "import httpx, httpx_sse, pydantic, yaml"``, and their ratio.
Runs are interleaved so that machine noise hits both sides alike; one warm-up
run of each is not counted. Target: ratio <= 1.0 (routing a message must cost
less than loading the HTTP stack it avoids).

Usage: python bench/cold_start.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASELINE_CODE = "import httpx, httpx_sse, pydantic, yaml"


def console_script() -> Path:
    """The ``nemo-skill`` script of the venv that runs this benchmark."""
    script = Path(sys.executable).parent / "nemo-skill"
    if not script.is_file():
        raise SystemExit(f"{script} not found: install the package in this environment first")
    return script


def wall_time(command: list[str]) -> float:
    """Seconds one run of ``command`` takes; a failing command stops the benchmark."""
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command} failed: {done.stderr.decode(errors='replace')}")
    return elapsed


def measure(runs: int) -> tuple[list[float], list[float]]:
    """Interleaved wall times of the classify command and of the baseline import."""
    classify = [str(console_script()), "classify", "export"]
    baseline = [sys.executable, "-c", BASELINE_CODE]
    wall_time(classify)  # warm-up: bytecode caches and the page cache
    wall_time(baseline)
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(runs):
        ours.append(wall_time(classify))
        theirs.append(wall_time(baseline))
    return ours, theirs


def main() -> None:
    """Run the benchmark and print both medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (>= 15)")
    args = parser.parse_args()
    runs = max(15, args.runs)
    ours, theirs = measure(runs)
    ours_median = statistics.median(ours)
    theirs_median = statistics.median(theirs)
    print(f"runs of each, interleaved:                {runs}")
    print(f'nemo-skill classify "export" (median):    {ours_median * 1000:7.1f} ms')
    print(f"import httpx, httpx_sse, pydantic, yaml:  {theirs_median * 1000:7.1f} ms")
    print(f"ratio (target <= 1.0):                    {ours_median / theirs_median:7.2f}")


if __name__ == "__main__":
    main()
