"""``nemo-skill animate IMAGE [PROMPT] -o OUT.mp4``: render locally, no backend at all."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from nemo_skill.backends import motion_names

if TYPE_CHECKING:
    from nemo_skill.cli import Context

MOTION_CHOICES = motion_names()  # one list, owned by the engine (depth-aware ones included)
ASPECT_CHOICES = ("16:9", "9:16", "1:1", "4:5", "4:3", "original")


def _duration(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 1 <= value <= 60:
        raise argparse.ArgumentTypeError("duration must be between 1 and 60 seconds")
    return value


def _volume(text: str) -> float:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a volume: {text!r}") from None
    value = value / 100 if value > 1 or text.endswith("%") else value
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("volume must be 0-1 or 0%-100%")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``animate``."""
    parser.add_argument("image", help="JPG, PNG, WEBP, HEIC or GIF")
    parser.add_argument(
        "prompt",
        nargs="?",
        default="",
        help='plain instruction, e.g. "slow zoom in, 9:16, 8 seconds"',
    )
    parser.add_argument("-o", "--output", required=True, metavar="OUT.mp4", help="the MP4 to write")
    parser.add_argument("--duration", type=_duration, metavar="SECONDS", help="1-60 (default 5)")
    parser.add_argument("--aspect", choices=ASPECT_CHOICES, help="output aspect ratio")
    parser.add_argument("--motion", choices=MOTION_CHOICES, help="camera move (default kenburns)")
    parser.add_argument("--fps", type=int, choices=(24, 25, 30, 60), help="frame rate (default 30)")
    parser.add_argument("--title", help="a title shown at the start")
    parser.add_argument(
        "--music", metavar="STYLE|FILE", help="lo-fi, upbeat, calm, cinematic or an audio file"
    )
    parser.add_argument(
        "--volume", type=_volume, help="music volume, 0-1 or a percentage (default 35%%)"
    )
    parser.add_argument(
        "--fit", choices=("blur", "crop"), help="blurred fill or crop when aspects differ"
    )
    parser.add_argument(
        "--size", type=int, default=1920, metavar="PX", help="long side in pixels (default 1920)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite OUT.mp4 if it exists")


def _bar(ctx: Context) -> Callable[[float], None]:
    """A progress bar on stderr: redrawn in place on a terminal, a line per 20% otherwise."""
    last = [-1, -1]  # percent drawn, 20% step printed

    def show(fraction: float) -> None:
        percent = max(0, min(100, int(fraction * 100)))
        if percent == last[0] or getattr(ctx.args, "quiet", False):
            return
        last[0] = percent
        if ctx.stderr.isatty():
            filled = percent // 4
            end = "\n" if percent >= 100 else ""
            ctx.stderr.write(
                f"\rrendering [{'#' * filled}{'.' * (25 - filled)}] {percent:3d}%{end}"
            )
        elif percent // 20 > last[1]:  # logs and pipes: a few lines, not a carriage-return mess
            last[1] = percent // 20
            ctx.stderr.write(f"rendering… {percent}%\n")
        ctx.stderr.flush()

    return show


def run(ctx: Context) -> int:
    """Plan the draft from the prompt and the overrides, then render it."""
    from pathlib import Path

    from nemo_skill.backends import animate_photo
    from nemo_skill.errors import UsageError
    from nemo_skill.paths import resolve_output

    args = ctx.args
    image = Path(args.image).expanduser()
    if Path(args.output).expanduser().is_dir():
        # -o names the file to write; guessing a name inside a folder hides mistakes
        raise UsageError(
            f"Output path is a folder: {args.output}",
            hint="Give a file name, e.g. -o clip.mp4.",
        )
    out = resolve_output(args.output, "clip", force=args.force)
    result, notes = animate_photo(
        image,
        out,
        progress=_bar(ctx),
        prompt=args.prompt,
        duration=args.duration,
        aspect=args.aspect,
        motion=args.motion,
        fps=args.fps,
        title=args.title,
        fit=args.fit,
        music=args.music,
        volume=args.volume,
        size=args.size,
    )
    data = {
        "path": str(result.path),
        "duration": result.duration,
        "width": result.width,
        "height": result.height,
        "fps": result.fps,
        "size_bytes": result.size_bytes,
        "seconds": round(result.seconds, 3),
        "notes": notes,  # titles that will not show as written (emoji left out, too long)
    }
    ctx.emit(
        data,
        f"Saved {result.path} ({result.width}x{result.height}, {result.duration:g}s, "
        f"{result.size_bytes / 1e6:.1f} MB)\nMEDIA:{result.path}"
        + "".join(f"\n{n}" for n in notes),
    )
    return 0
