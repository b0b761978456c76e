"""Run every benchmark and write bench/results.md (figures, machine, date).

python bench/run_all.py            # all
python bench/run_all.py --quick    # skip the slow render and upload benchmarks
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    "cold_start.py", "launcher.py", "classify.py", "sse.py", "render.py", "render_curve.py",
    "story.py", "upload.py", "batch.py",
]  # fmt: skip
SLOW = {"launcher.py", "render.py", "render_curve.py", "story.py", "upload.py", "batch.py"}


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    sections = []
    failed = 0
    for name in BENCHES:
        if quick and name in SLOW:
            continue
        print(f"== {name}", flush=True)
        result = subprocess.run(
            [sys.executable, str(HERE / name)], capture_output=True, text=True, timeout=1800
        )
        output = (result.stdout + (result.stderr if result.returncode else "")).strip()
        print(output, flush=True)
        failed += result.returncode != 0
        sections.append(f"## {name}\n\n```\n{output}\n```\n")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    header = (
        "# Benchmark results\n\n"
        f"Date: {datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')}  \n"
        f"Machine: {machine}  \n"
        "Each figure is a ratio against a baseline measured in the same run; absolute times\n"
        "vary with the (shared, noisy) machine.\n\n"
    )
    (HERE / "results.md").write_text(header + "\n".join(sections), encoding="utf-8")
    print(f"wrote {HERE / 'results.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
