"""Start-up cost of the uv launcher (``uv run scripts/nemo-skill.py``) against the console script.

SKILL.md has the agent run every command as ``uv run {baseDir}/scripts/nemo-skill.py
ARGS``. This measures, on a copy of the ClawHub bundle:

- first run: a fresh uv cache, so uv resolves the inline dependencies and
  installs them (downloads from PyPI); then the first offline command, which
  adds the ``local`` extra (about 120 MB of wheels);
- warm, cloud path: ``uv run LAUNCHER classify export`` vs ``nemo-skill classify
  export`` (the console script of this venv), interleaved, medians and ratio;
- warm, offline path: ``uv run LAUNCHER --api-url local credits`` (the launcher
  re-runs itself through ``uv run`` of a generated script that adds the local
  extra) vs ``nemo-skill --api-url local credits``.

Wall times on a loaded, shared machine mostly measure the queue for its cores,
so the CPU time (user + system of the whole process tree) is printed too.

Both sides run with bytecode writing on (as on a user's machine: uv installs
without compiling, Python writes ``__pycache__`` on first import; pip compiled
this venv at install time). One warm-up run of each side is not counted.

Usage: python bench/launcher.py [--runs N] [--offline-runs N] [--skip-first]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tools.clawhub_bundle import copy_bundle  # noqa: E402  (after the path is set)


def find_uv() -> str:
    """The uv beside this interpreter (the dev extra installs it), else on PATH."""
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.is_file() else shutil.which("uv")
    if not found:
        raise SystemExit("uv not found: pip install uv (it is in the dev extra)")
    return found


def console_script() -> str:
    """The ``nemo-skill`` console script of the venv that runs this benchmark."""
    script = Path(sys.executable).parent / "nemo-skill"
    if not script.is_file():
        raise SystemExit(f"{script} not found: pip install -e '.[local]' first")
    return str(script)


def wall_time(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command``; a failing command stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{command} failed: {done.stderr.decode(errors='replace')[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def interleaved(
    ours: list[str], base: list[str], runs: int, env: dict[str, str], cwd: Path
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (wall, CPU) of ``runs`` alternating runs of each command, after one warm-up each."""
    wall_time(ours, env, cwd)
    wall_time(base, env, cwd)
    a: list[tuple[float, float]] = []
    b: list[tuple[float, float]] = []
    for _ in range(runs):
        a.append(wall_time(ours, env, cwd))
        b.append(wall_time(base, env, cwd))

    def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)

    return medians(a), medians(b)


def main() -> None:
    """Run the benchmark and print times, differences and ratios."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="warm runs of each, cloud path")
    parser.add_argument("--offline-runs", type=int, default=7, help="warm runs, offline path")
    parser.add_argument(
        "--skip-first", action="store_true", help="no first-run timing (needs PyPI)"
    )
    args = parser.parse_args()
    uv = find_uv()
    with tempfile.TemporaryDirectory(prefix="bench-launcher-") as tmp:
        work = Path(tmp)
        bundle = work / "openai-image-to-video"
        copy_bundle(ROOT, bundle)
        launcher = str(bundle / "scripts" / "nemo-skill.py")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEMO_", "UV_"))}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.update(NEMO_SKILL_HOME=str(work / "state"), UV_CACHE_DIR=str(work / "uv-cache"))
        cloud = ["classify", "export"]
        local = ["--api-url", "local", "credits"]

        print(f"uv: {subprocess.run([uv, '--version'], capture_output=True, text=True).stdout}")
        if args.skip_first:
            wall_time([uv, "run", launcher, *local], env, work)  # fill the cache untimed
        else:
            first_cloud, _ = wall_time([uv, "run", launcher, *cloud], env, work)
            first_local, _ = wall_time([uv, "run", launcher, *local], env, work)
            print("first run, empty uv cache (resolve, download, install):")
            print(f"  uv run launcher classify export:           {first_cloud:7.2f} s")
            print(f"  then uv run launcher --api-url local credits: {first_local:7.2f} s")

        for title, command, runs in (
            ("warm, cloud path", cloud, args.runs),
            ("warm, offline path", local, args.offline_runs),
        ):
            ours, base = interleaved(
                [uv, "run", launcher, *command], [console_script(), *command], runs, env, work
            )
            words = " ".join(command)
            print(f"{title} (median of {runs}, interleaved; wall, then CPU):")
            print(f"  uv run launcher {words}: {ours[0] * 1000:7.1f} ms  {ours[1] * 1000:7.1f} ms")
            print(f"  nemo-skill {words}:      {base[0] * 1000:7.1f} ms  {base[1] * 1000:7.1f} ms")
            for label, i in (("wall", 0), ("CPU", 1)):
                print(
                    f"  {label} difference: {(ours[i] - base[i]) * 1000:+.1f} ms"
                    f"   ratio: {ours[i] / base[i]:.2f}"
                )


if __name__ == "__main__":
    main()
