"""A rule-based instruction agent that answers like the real NemoVideo agent.

It reads the message with the edit grammar (:mod:`nemo_skill.local.grammar`,
six languages), decides a typed :class:`TurnPlan` before any credit is
charged, and describes what it did as Google ADK events: a short text, a
``functionCall``/``functionResponse`` pair per tool, the new draft as
``actions.stateDelta``, heartbeats during work, and replies phrased for a GUI
("Preview it in the timeline or click Export to download.") so clients must
translate them. Generation is two-stage: the video first, then music and
title when asked.

Charging rule (the server freezes :attr:`TurnPlan.cost`): a generation or a
regeneration costs ``cost_generate``, an edit that changes the draft
``cost_edit``; a question, small talk, a clarifying question and an edit
that changes nothing cost 0. A message that is not understood gets an
``ask_question`` call with options, never a silent no-op. A configurable
fraction of edit turns ends silently, like the real service.
"""

from __future__ import annotations

import dataclasses
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from nemo_skill.draft import TOLERANT, TrackType, segments
from nemo_skill.local.engine.prompt import apply_instruction, plan_from_prompt
from nemo_skill.local.grammar import Instruction, Reading, TextStyle, music_styles, read
from nemo_skill.local.grammar.replies import LANGUAGES, say
from nemo_skill.local.store import StoredFile
from nemo_skill.local.textnotes import draft_notes, say_note

AUTHOR = "nemo_agent"
HEARTBEAT: dict[str, Any] = {"type": "heartbeat"}
IMAGE_TYPES = ("image",)
VIDEO_FIELDS = ("duration_s", "duration_delta_s", "duration_scale", "aspect", "motion", "speed",
                "speed_to", "fps", "fit", "video_fade_in_ms", "video_fade_out_ms")  # fmt: skip

TurnKind = Literal["generate", "edit", "undo", "answer", "ask", "noop"]


@dataclass(frozen=True)
class ToolCall:
    """One tool the turn runs: its ADK name and arguments, and the draft it leaves (if any)."""

    name: str
    args: dict[str, Any]
    draft: dict[str, Any] | None = None


@dataclass(frozen=True)
class Question:
    """An ``ask_question`` call: the question and the options offered."""

    text: str
    options: tuple[str, ...]


@dataclass
class TurnPlan:
    """What a turn will do, decided before any credit is charged.

    ``kind``: ``generate`` (a new paid generation), ``edit``, ``undo``,
    ``answer`` (a question or small talk answered from the draft), ``ask``
    (a clarifying question) or ``noop`` (understood, nothing to change).
    """

    kind: TurnKind
    cost: int
    instruction: Instruction
    language: str = "en"
    image: StoredFile | None = None
    new_draft: dict[str, Any] | None = None
    tools: list[ToolCall] = field(default_factory=list)
    intro: str | None = None
    reply: str = ""
    question: Question | None = None
    note: str = ""  # text that will not show as written (in ``reply`` too): never silent


def reply_language(session_language: str | None, reading: Reading) -> str:
    """The message's language when clearly one of the six, else the session's, else English."""
    if reading.language in LANGUAGES and reading.language != "en":
        return reading.language
    session = (session_language or "en").split("-")[0].lower()
    return session if session in LANGUAGES else "en"


def plan_turn(
    text: str,
    draft: dict[str, Any] | None,
    files: list[StoredFile],
    *,
    cost_generate: int,
    cost_edit: int,
    long_side: int,
    source_url: Callable[[StoredFile], str],
    language: str | None = None,
) -> TurnPlan:
    """Decide the turn (pure apart from ``source_url``, which names a file's URL); a text
    it leaves that will not show as written (emoji left out, too long) gets a note."""
    reading = read(text, prefer=language)
    lang = reply_language(language, reading)
    instr = reading.instruction
    images = [f for f in files if f.file_type in IMAGE_TYPES]
    latest = images[-1] if images else None
    if reading.act in ("question", "chat"):
        return _answer(reading, draft, lang)
    if instr.undo:
        return TurnPlan("undo", cost_edit if draft else 0, instr, lang, reply=say(lang, "undone"))
    new_image = latest is not None and source_url(latest) not in _sources(draft)
    # A bare "generate/animate" on an existing video is a paid re-generation (as on the
    # real service); with settings attached ("animate it again, 3 s") it edits the video.
    regenerate = instr.regenerate or (instr.generate and not instr.is_edit)
    if draft is None or (new_image and (instr.generate or not instr.is_edit)) or regenerate:
        if latest is None:
            return _need_image(instr, lang)
        keep = draft if regenerate and not new_image else None
        made = _generate(instr, latest, keep, lang, cost_generate, long_side, source_url)
        return with_text_notes(made, draft)
    if reading.act == "unclear":
        return _ask(instr, lang)
    new = apply_instruction(draft, instr, long_side=long_side)
    if new == draft:
        return TurnPlan(
            "noop", 0, instr, lang, reply=say(lang, "already", reason=_why_same(instr, draft, lang))
        )
    edit = TurnPlan("edit", cost_edit, instr, lang, None, new, _edit_tools(instr, new),
                    reply=say(lang, "done", changes=_summary(instr, new, lang)))  # fmt: skip
    return with_text_notes(edit, draft)


def with_text_notes(plan: TurnPlan, before: dict[str, Any] | None) -> TurnPlan:
    """``plan`` with a note for each text problem its draft has and ``before`` had not."""
    if plan.new_draft is None:
        return plan
    old = {(n.kind, n.role, n.text) for n in draft_notes(before)}
    new = [n for n in draft_notes(plan.new_draft) if (n.kind, n.role, n.text) not in old]
    if not new:
        return plan
    note = " ".join(say_note(n, plan.language) for n in new)
    return dataclasses.replace(plan, reply=f"{plan.reply} {note}".strip(), note=note)


def _need_image(instr: Instruction, lang: str) -> TurnPlan:
    question = Question(say(lang, "which_image"), (say(lang, "upload_option"),))
    return TurnPlan("ask", 0, instr, lang, reply=say(lang, "need_image"), question=question)


def _ask(instr: Instruction, lang: str) -> TurnPlan:
    options = tuple(say(lang, "options").split("|"))
    return TurnPlan("ask", 0, instr, lang, reply=say(lang, "unclear"),
                    question=Question(say(lang, "unclear"), options))  # fmt: skip


def _generate(
    instr: Instruction,
    image: StoredFile,
    previous: dict[str, Any] | None,
    lang: str,
    cost: int,
    long_side: int,
    source_url: Callable[[StoredFile], str],
) -> TurnPlan:
    base = plan_from_prompt(
        "",
        source=source_url(image),
        name=image.name,
        image_size=(image.width or 0, image.height or 0) if image.width else None,
        long_side=long_side,
    )
    if previous is not None:  # a new take keeps the video's settings, not its music or text
        base = _carry_video_settings(previous, base)
    video_only = Instruction(**{k: getattr(instr, k) for k in VIDEO_FIELDS})
    stage1 = apply_instruction(base, video_only, long_side=long_side)
    final = apply_instruction(
        stage1, dataclasses.replace(instr, **_video_reset()), long_side=long_side
    )
    tools = [ToolCall("generate_video", _gen_args(stage1), stage1)]
    tools += [dataclasses.replace(t, draft=final) for t in _stage2_tools(instr, final)]
    seconds = tools[0].args["duration"]
    return TurnPlan("generate", cost, instr, lang, image, final, tools,
                    intro=say(lang, "intro", seconds=f"{seconds:g}"),
                    reply=say(lang, "ready"))  # fmt: skip


def _video_reset() -> dict[str, Any]:
    """The video fields cleared for stage 2 (stage 1 applied them; a delta must not apply twice)."""
    return {k: None for k in VIDEO_FIELDS}


def _carry_video_settings(previous: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    meta = previous.get("m", {})
    for key in ("aspect", "fit", "fps"):
        if key in meta:
            base["m"][key] = meta[key]
    old = segments(previous, TrackType.VIDEO)
    new = [p.segment for p in segments(base, TrackType.VIDEO) if isinstance(p.segment, dict)]
    if old and new:
        for key in ("motion", "speed"):
            if key in old[0].segment:
                new[0][key] = old[0].segment[key]
        new[0]["d"] = max(p.end_ms for p in old) or new[0]["d"]
    return base


def _video_segments(draft: dict[str, Any] | None) -> list[dict[str, Any]]:
    return _segs(draft, TrackType.VIDEO)


def _segs(draft: dict[str, Any] | None, tt: TrackType) -> list[dict[str, Any]]:
    """The segments on tracks of type ``tt``, read through the one draft reader."""
    return [dict(p.segment) for p in segments(draft, tt)]


def _sources(draft: dict[str, Any] | None) -> set[str]:
    return {str(p.segment["src"]) for p in segments(draft) if p.segment.get("src")}


def _gen_args(draft: dict[str, Any]) -> dict[str, Any]:
    first = segments(draft, TrackType.VIDEO)[0]
    return {
        "duration": _seconds(draft),
        "motion": first.segment.get("motion"),
        "aspect_ratio": draft["m"].get("aspect"),
    }


def _music_segment(draft: dict[str, Any]) -> dict[str, Any] | None:
    return next(iter(_segs(draft, TrackType.AUDIO)), None)


def _text_segments(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return _segs(draft, TrackType.TEXT)


def _stage2_tools(instr: Instruction, draft: dict[str, Any]) -> list[ToolCall]:
    tools: list[ToolCall] = []
    music = _music_segment(draft)
    if music is not None and (
        instr.music_style or instr.music_change or instr.music_volume is not None
    ):
        tools.append(
            ToolCall("add_bgm", {"style": music.get("style"), "volume": music.get("volume")})
        )
    for role, words in (("title", instr.title), ("caption", instr.caption), (None, instr.text)):
        if words:
            tools.append(ToolCall("add_text", {"text": words, "role": role or "title"}))
    return tools


def _edit_tools(instr: Instruction, draft: dict[str, Any]) -> list[ToolCall]:
    tools = _stage2_tools(instr, draft)
    kinds = [k for k, on in (("bgm", instr.remove_music), ("title", instr.remove_title),
                             ("caption", instr.remove_caption)) if on]  # fmt: skip
    if kinds:
        tools.append(ToolCall("remove_track", {"tracks": kinds}))
    ops = {
        k: v
        for k, v in (
            ("duration", instr.duration_s),
            ("duration_delta", instr.duration_delta_s),
            ("duration_scale", instr.duration_scale),
            ("aspect_ratio", instr.aspect),
            ("motion", instr.motion),
            ("speed", instr.speed_to),
            ("speed_factor", instr.speed),
            ("fps", instr.fps),
            ("fit", instr.fit),
            ("volume_step", instr.volume_step),
            ("music_fade_in", instr.music_fade_in_ms),
            ("music_fade_out", instr.music_fade_out_ms),
            ("fade_in", instr.video_fade_in_ms),
            ("fade_out", instr.video_fade_out_ms),
        )
        if v
    }
    styles = [_style_op(style) for style in instr.text_styles]
    if ops or styles or not tools:
        all_ops = ([ops] if ops else []) + styles
        tools.insert(0, ToolCall("edit_multitrack", {"ops": all_ops}))
    last = tools[-1]
    tools[-1] = dataclasses.replace(last, draft=draft)
    return tools


def _style_op(style: TextStyle) -> dict[str, Any]:
    """One text restyle as an ``edit_multitrack`` op (only the attributes it changes)."""
    fields = (("text_role", style.role), ("text_position", style.position),
              ("text_scale", style.scale), ("text_color", style.color))  # fmt: skip
    return {k: v for k, v in fields if v is not None}


def _seconds(draft: dict[str, Any]) -> float:
    return max((p.end_ms for p in segments(draft, TrackType.VIDEO)), default=0) / 1000


def _summary(instr: Instruction, draft: dict[str, Any], lang: str) -> str:
    meta = draft.get("m", {})
    video = _video_segments(draft)
    music = _music_segment(draft)
    done = []
    if instr.duration_s or instr.duration_delta_s or instr.duration_scale:
        done.append(say(lang, "c_length", seconds=f"{_seconds(draft):g}"))
    if instr.aspect:
        done.append(say(lang, "c_format", aspect=meta.get("aspect")))
    if instr.motion and video:
        done.append(say(lang, "c_motion", motion=str(video[0].get("motion")).replace("_", " ")))
    if instr.speed_to and video:
        done.append(say(lang, "c_speed", speed=f"{float(video[0].get('speed', 1.0)):g}"))
    elif instr.speed:
        done.append(say(lang, "c_faster" if instr.speed > 1 else "c_slower"))
    if music is not None and (instr.music_style or instr.music_change):
        done.append(say(lang, "c_music", style=music.get("style")))
    if instr.remove_music:
        done.append(say(lang, "c_music_removed"))
    if instr.music_volume is not None:
        done.append(say(lang, "c_volume", percent=round(instr.music_volume * 100)))
    if instr.volume_step:
        done.append(say(lang, "c_louder" if instr.volume_step > 0 else "c_quieter"))
    if instr.music_fade_in_ms is not None or instr.music_fade_out_ms is not None:
        done.append(say(lang, "c_music_fade"))
    if instr.title or (instr.text and not instr.caption):
        done.append(say(lang, "c_title", text=instr.title or instr.text))
    if instr.caption:
        done.append(say(lang, "c_caption", text=instr.caption))
    if instr.remove_title or instr.remove_caption:
        done.append(say(lang, "c_text_removed"))
    if instr.text_styles:
        done.append(say(lang, "c_text_style"))
    if instr.fps:
        done.append(say(lang, "c_fps", fps=meta.get("fps")))
    if instr.video_fade_in_ms is not None or instr.video_fade_out_ms is not None:
        done.append(say(lang, "c_fade"))
    if instr.fit:
        done.append(say(lang, "c_fit"))
    return say(lang, "sep").join(done) or say(lang, "c_generic")


def _why_same(instr: Instruction, draft: dict[str, Any], lang: str) -> str:
    if (instr.volume_step or instr.music_fade_in_ms or instr.music_fade_out_ms) and _music_segment(
        draft
    ) is None:
        return say(lang, "no_music")
    if instr.text_styles and not _text_segments(draft):
        return say(lang, "no_text")
    return say(lang, "already_same")


def _answer(reading: Reading, draft: dict[str, Any] | None, lang: str) -> TurnPlan:
    """A question or small talk, answered from the draft: nothing changes, nothing is charged."""
    topics = set(reading.topics)
    parts: list[str] = []
    if reading.act == "chat":
        parts.append(say(lang, "chat"))
    elif "styles" in topics:
        styles = music_styles()
        parts.append(say(lang, "a_styles", styles=", ".join(styles), example=styles[-1]))
    elif not draft or not _video_segments(draft):
        parts.append(say(lang, "no_video"))
    else:
        parts.extend(_describe(draft, topics, lang))
    return TurnPlan("answer", 0, reading.instruction, lang, reply=" ".join(parts))


def _describe(draft: dict[str, Any], topics: set[str], lang: str) -> list[str]:
    meta = draft.get("m", {})
    video = _video_segments(draft)
    music = _music_segment(draft)
    texts = _text_segments(draft)
    everything = not topics & {"music", "text"} or bool(topics & {"duration", "format", "motion"})
    parts = []
    if everything:
        motion = str(video[0].get("motion", "kenburns")).replace("_", " ")
        seconds = f"{_seconds(draft):g}"
        aspect, fps = meta.get("aspect", "original"), meta.get("fps", 30)
        parts.append(say(lang, "a_video", seconds=seconds, aspect=aspect, fps=fps, motion=motion))
    if "format" in topics or "duration" in topics:
        vertical = meta.get("aspect") == "9:16"
        parts.append(say(lang, "a_reel_ok" if vertical and _seconds(draft) <= 60 else "a_reel_no"))
    if "music" in topics or not topics:
        if music is None:
            parts.append(say(lang, "a_no_music"))
        else:
            volume = round(TOLERANT.number(music, "volume", 0.35) * 100)
            parts.append(
                say(lang, "a_music", style=music.get("style") or music.get("name"), volume=volume)
            )
    if "text" in topics or not topics:
        if texts:
            words = ", ".join(f'{s.get("role", "title")} "{s.get("text", "")}"' for s in texts)
            parts.append(say(lang, "a_text", texts=words))
        else:
            parts.append(say(lang, "a_no_text"))
    return parts


def event(
    parts: list[dict[str, Any]],
    invocation: str,
    *,
    role: str = "model",
    delta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One ADK event in the wire shape of google-adk 2.x (camelCase)."""
    return {
        "content": {"parts": parts, "role": role},
        "invocationId": invocation,
        "author": AUTHOR,
        "actions": {
            "stateDelta": delta or {},
            "artifactDelta": {},
            "requestedAuthConfigs": {},
            "requestedToolConfirmations": {},
        },
        "nodeInfo": {"path": ""},
        "id": str(uuid.uuid4()),
        "timestamp": time.time(),
    }


def stream_turn(
    plan: TurnPlan,
    *,
    rng: random.Random,
    silent_fraction: float,
    heartbeats: int = 1,
    undo_draft: dict[str, Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """The ADK events of a decided turn (heartbeats are ``{"type": "heartbeat"}``)."""
    inv = f"e-{uuid.uuid4()}"
    if plan.kind == "ask":
        question = plan.question or Question(plan.reply, ())
        ask = {"functionCall": {"id": f"adk-{uuid.uuid4()}", "name": "ask_question",
                                "args": {"question": question.text,
                                         "options": list(question.options)}}}  # fmt: skip
        yield event([{"text": plan.reply}, ask], inv)
        return
    if plan.kind in ("answer", "noop"):
        yield event([{"text": plan.reply}], inv)
        return
    if plan.kind == "undo":
        yield from _tool(inv, ToolCall("undo", {}, undo_draft or {}))
        yield event([{"text": plan.reply}], inv)
        return
    if plan.kind == "generate":
        yield event([{"text": plan.intro or ""}], inv)
        for _ in range(heartbeats):
            yield HEARTBEAT
        for call in plan.tools:
            yield from _tool(inv, call)
        yield event([{"text": plan.reply}], inv)
        return
    for _ in range(heartbeats):
        yield HEARTBEAT
    for call in plan.tools:
        yield from _tool(inv, call)
    if not plan.note and rng.random() < silent_fraction:
        return  # the real service closes ~30% of edit turns without a word
    yield event([{"text": plan.reply}], inv)


def _tool(inv: str, call: ToolCall) -> Iterator[dict[str, Any]]:
    call_id = f"adk-{uuid.uuid4()}"
    yield event([{"functionCall": {"id": call_id, "name": call.name, "args": call.args}}], inv)
    response = {
        "functionResponse": {"id": call_id, "name": call.name, "response": {"status": "success"}}
    }
    delta = {"draft": call.draft} if call.draft is not None else {}
    yield event([response], inv, role="user", delta=delta)
