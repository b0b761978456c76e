"""What one message asks of the draft (:class:`Instruction`) and how it reads (:class:`Reading`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Act = Literal["edit", "question", "chat", "unclear"]
PhotoOp = Literal["remove", "move", "swap", "replace", "insert"]
Where = Literal["start", "end", "after", "before", "at"]


@dataclass(frozen=True)
class Target:
    """One photo (video segment) a clause is aimed at, as the words name it.

    ``place`` counts from 1 ("the second photo" 2, "photo 3" 3) or, negative,
    from the end ("the last one" -1); 0 is the middle one ("the middle photo");
    ``name`` is a word of the photo's file name ("the beach photo" "beach").
    Resolved against the draft by :mod:`nemo_skill.local.edits`; ``None`` in
    :class:`Instruction` means the whole clip.
    """

    place: int | None = None
    name: str | None = None


@dataclass(frozen=True)
class TextStyle:
    """A restyle of the texts of one role (``None``: every title and caption)."""

    role: str | None = None  # title | caption | None
    position: str | None = None  # top | center | bottom
    scale: float | None = None  # bigger 1.25, smaller 0.8 (multiplies the size)
    color: str | None = None  # #RRGGBB


@dataclass(frozen=True)
class Instruction:
    """The edits a message asks for; ``None``/``False`` means "not mentioned".

    Absolute values (``duration_s``, ``speed_to``, ``aspect``...) replace the
    draft's; relative ones (``duration_delta_s``, ``duration_scale``, ``speed``,
    ``volume_step``, a style's ``scale``) change the current value: ``speed``
    multiplies the motion's speed (2.0 = twice as fast), ``duration_scale`` the
    clip's length (0.5 = half as long), a style's ``scale`` the text size.
    """

    generate: bool = False
    duration_s: float | None = None
    aspect: str | None = None
    motion: str | None = None
    speed: float | None = None
    fps: int | None = None
    title: str | None = None
    caption: str | None = None
    music_style: str | None = None
    music_volume: float | None = None
    remove_music: bool = False
    remove_title: bool = False
    remove_caption: bool = False
    undo: bool = False
    undo_steps: int = 1  # "undo the last two changes" 2 (read with ``undo``)
    fit: str | None = None
    volume_step: float | None = None  # "louder" +0.15, "quieter" -0.15 on the current music
    regenerate: bool = False  # an explicit new take: a new paid generation
    duration_delta_s: float | None = None  # "2 more seconds" +2, "cut it by a second" -1
    text: str | None = None  # new words for whichever text exists (role not named)
    music_change: bool = False  # "different music": another style than the current one
    music_fade_in_ms: int | None = None
    music_fade_out_ms: int | None = None
    text_styles: tuple[TextStyle, ...] = ()  # one per text named ("title yellow, caption smaller")
    video_fade_in_ms: int | None = None  # fade from black at the start of the first clip
    video_fade_out_ms: int | None = None  # fade to black at the end of the last clip
    duration_scale: float | None = None  # "half as long" 0.5, "double the length" 2.0
    speed_to: float | None = None  # "1.5x speed" 1.5, "normal speed" 1.0 (before ``speed``)
    target: Target | None = None  # the photo the clause is aimed at (None: the whole clip)
    each: bool = False  # "each photo 2 seconds": a duration per photo, not for the clip
    photo_op: PhotoOp | None = None  # remove | move | swap | replace | insert (the target photo)
    other: Target | None = None  # the swap partner, or the photo a move/insert goes after/before
    where: Where | None = None  # start | end | after | before | at (``at``: place ``at``)
    at: int | None = None  # 1-based place for ``where="at"``
    transition: str | None = None  # crossfade | fade_black: the cut into the target (or every cut)
    beat_sync: bool = False  # every cut on a beat of the music
    out_of_range: tuple[str, float] | None = None  # ("duration" | "fps", the number asked)

    @property
    def is_edit(self) -> bool:
        """True when the message changes something besides (re)generating or undoing."""
        return any(
            v not in (None, False, ())
            for k, v in self.__dict__.items()
            if k
            not in (
                "generate",
                "undo",
                "undo_steps",
                "regenerate",
                "target",
                "each",
                "other",
                "where",
                "at",
            )
        )


@dataclass(frozen=True)
class Reading:
    """A message as the grammar understood it.

    ``act`` is ``edit`` (``instruction`` says what), ``question`` (answer from
    the draft; ``topics`` names what was asked about), ``chat`` (small talk)
    or ``unclear`` (ask the user). ``language`` is the message's language
    among the grammar's six, or ``None`` when nothing language-specific matched.
    ``steps``: when the message aims clauses at different photos ("make the second
    photo longer and the last one shorter"), one instruction per part, in order
    (``instruction`` is the first); empty otherwise.
    """

    act: Act
    instruction: Instruction
    topics: tuple[str, ...] = field(default_factory=tuple)
    language: str | None = None
    steps: tuple[Instruction, ...] = ()
