"""``nemo-skill animate``'s work: a draft planned from a prompt and options, rendered on the CPU.

No backend is involved: the engine reads the photo from disk. The command reaches this
module through :func:`nemo_skill.backends.animate_photo` (the one opener of
``nemo_skill.local``) and words the result itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nemo_skill.errors import UsageError
from nemo_skill.local.edits import Instruction, apply_instruction, plan_from_prompt
from nemo_skill.local.engine import probe_image, render_draft
from nemo_skill.local.engine.audio import AUDIO_EXTENSIONS, STYLES


@dataclass(frozen=True)
class AnimateOptions:
    """The prompt and the command's overrides (None = what the prompt or the default says)."""

    prompt: str = ""
    duration: float | None = None
    aspect: str | None = None
    motion: str | None = None
    fps: int | None = None
    title: str | None = None
    fit: str | None = None
    music: str | None = None  # a style name or an audio file
    volume: float | None = None
    size: int = 1920


def _music(music: str | None) -> tuple[str | None, Path | None]:
    """(style, file) of ``--music``: a style, or an audio file played in its place."""
    if music and Path(music).suffix.lower().lstrip(".") in AUDIO_EXTENSIONS:
        path = Path(music).expanduser()
        if not path.is_file():
            raise UsageError(f"Music file not found: {music}")
        return next(iter(STYLES)), path
    if music and music != "lofi" and music not in STYLES:
        raise UsageError(
            f"Unknown music style: {music}", hint=f"Use {', '.join(STYLES)} or an audio file."
        )
    return ("lo-fi" if music == "lofi" else music), None


def plan_animation(image: Path, options: AnimateOptions) -> dict[str, Any]:
    """The draft that animates ``image`` as the prompt and the overrides say."""
    long_side = max(160, min(1920, options.size))
    draft = plan_from_prompt(
        options.prompt,
        source=str(image.resolve()),
        name=image.name,
        image_size=probe_image(image),
        long_side=long_side,
    )
    style, music_file = _music(options.music)
    overrides = Instruction(
        duration_s=options.duration,
        aspect=options.aspect,
        motion=options.motion,
        fps=options.fps,
        title=options.title,
        fit=options.fit,
        music_style=style,
        music_volume=options.volume if style or options.volume is not None else None,
    )
    draft = apply_instruction(draft, overrides, long_side=long_side)
    if music_file is not None:
        for track in draft["t"]:
            if track["tt"] == 1:
                track["sg"][0].update(src=str(music_file.resolve()), name=music_file.name)
    return draft


def animate(
    image: Path, out: Path, options: AnimateOptions, progress: Callable[[float], None] | None
) -> tuple[Any, list[str]]:
    """Render ``image`` to ``out``: the engine's ``RenderResult`` and the notes to show
    (titles that will not show as written: emoji left out, too long)."""
    from nemo_skill.local.textnotes import draft_notes, say_note

    draft = plan_animation(image, options)
    result = render_draft(draft, out, progress=progress)
    return result, [say_note(note, "en") for note in draft_notes(draft)]
