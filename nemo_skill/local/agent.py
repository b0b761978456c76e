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
from nemo_skill.local.edits import (
    Context,
    Edit,
    EditError,
    Photo,
    apply_edits,
    edits_for,
    story_draft,
)
from nemo_skill.local.edits.timeline import content_hash, retime
from nemo_skill.local.grammar import Instruction, Reading, music_styles, read
from nemo_skill.local.grammar.replies import LANGUAGES, say
from nemo_skill.local.store import StoredFile
from nemo_skill.local.textnotes import draft_notes, say_note

AUTHOR = "nemo_agent"
HEARTBEAT: dict[str, Any] = {"type": "heartbeat"}
IMAGE_TYPES = ("image",)

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
    photos: tuple[StoredFile, ...] = ()  # a generation's photos, in story order
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
    new_files: list[StoredFile] | None = None,
) -> TurnPlan:
    """Decide the turn (pure apart from ``source_url``, which names a file's reference).

    ``files`` are the session's uploads, oldest first; ``new_files`` those uploaded
    since the previous turn (the photos that belong to this message; ``None``: the
    newest image). A photo is compared with the draft's by content hash. A text the
    turn leaves that will not show as written (emoji left out, too long) gets a note.
    """
    reading = read(text, prefer=language)
    lang = reply_language(language, reading)
    instr = reading.instruction
    images = [f for f in files if f.file_type in IMAGE_TYPES]
    message = _message_photos(images, new_files)
    fresh = [f for f in message if not _in_draft(f, draft, source_url)]
    if reading.act in ("question", "chat"):
        return _answer(reading, draft, lang)
    if instr.undo:
        return TurnPlan("undo", cost_edit if draft else 0, instr, lang, reply=say(lang, "undone"))
    steps = reading.steps or (instr,)  # one per part aimed at another photo
    problem = next((s.out_of_range for s in steps if s.out_of_range is not None), None)
    if problem is not None:
        key, fields = _range_reply(problem, len(_video_segments(draft)) or 1)
        return _refused(instr, lang, EditError(key, **fields))
    places_photos = any(s.photo_op in ("insert", "replace") for s in steps)
    generate, is_edit = any(s.generate for s in steps), any(s.is_edit for s in steps)
    # A bare "generate/animate" on an existing video is a paid re-generation (as on the
    # real service); with settings attached ("animate it again, 3 s") it edits the video.
    regenerate = any(s.regenerate for s in steps) or (generate and not is_edit)
    # New photos with a message that places none make a new clip; one new photo with an
    # edit ("make it 9:16") edits the current clip, as before stories existed.
    several = len(fresh) >= 2
    new_story = bool(fresh) and not places_photos and (generate or not is_edit or several)
    if draft is None or new_story or regenerate:
        photos = message or images[-1:]
        if not photos and (draft is None or not regenerate):
            return _need_image(instr, lang)
        keep = draft if regenerate and not fresh else None
        try:
            made = _generate(steps, photos, keep, lang, cost_generate, long_side, source_url)
        except EditError as refused:
            return _refused(instr, lang, refused)
        return with_text_notes(made, draft)
    if reading.act == "unclear":
        return _ask(instr, lang)
    # A photo sent to be placed ("add this photo at the end") may already be on screen:
    # placing it again is what was asked, so it counts even when not fresh.
    placed = fresh if fresh or new_files is None or not places_photos else message
    ctx = Context(long_side, tuple(_photo(f, source_url) for f in placed))
    edits = [edit for step in steps for edit in edits_for(step, draft)]
    trail: list[dict[str, Any]] = []
    try:
        new = apply_edits(draft, edits, ctx, trail=trail)
    except EditError as refused:
        return _refused(instr, lang, refused)
    if new == draft:
        return TurnPlan(
            "noop", 0, instr, lang, reply=say(lang, "already", reason=_why_same(instr, draft, lang))
        )
    changes = _summary(edits, [draft, *trail[:-1], new], lang)
    edit = TurnPlan("edit", cost_edit, instr, lang, (), new, _edit_tools(edits, new),
                    reply=say(lang, "done", changes=changes))  # fmt: skip

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


def _message_photos(
    images: list[StoredFile], new_files: list[StoredFile] | None
) -> list[StoredFile]:
    """The photos of this message, in upload order, each content once."""
    if new_files is None:
        return images[-1:]
    seen: set[str] = set()
    photos = []
    for f in new_files:
        if f.file_type in IMAGE_TYPES and f.sha256 not in seen:
            seen.add(f.sha256)
            photos.append(f)
    return photos


def _in_draft(
    f: StoredFile, draft: dict[str, Any] | None, source_url: Callable[[StoredFile], str]
) -> bool:
    """Whether the draft already shows ``f``: by content hash (a reference may change)."""
    srcs = [p.segment.get("src") for p in segments(draft, TrackType.VIDEO)]
    return any(content_hash(s) == f.sha256 or s == source_url(f) for s in srcs if s)


def _photo(f: StoredFile, source_url: Callable[[StoredFile], str]) -> Photo:
    size = (f.width, f.height) if f.width and f.height else None
    return Photo(source_url(f), f.name, size)


def _range_reply(problem: tuple[str, float], photos: int) -> tuple[str, dict[str, object]]:
    """The refusal of a number the engine does not support (the allowed range said)."""
    what, value = problem
    if what == "fps":
        return "r_fps", {"value": f"{value:g}"}
    return "r_length", {"count": photos, "lo": photos, "hi": 60}


def _refused(instr: Instruction, lang: str, refused: EditError) -> TurnPlan:
    """A free question that says why the edit was not made and what is allowed."""
    key = refused.key
    if key == "r_length" or key == "r_photo_length" or key == "r_total":
        options = say(lang, "r_options_length")
    elif key == "r_fps":
        options = say(lang, "r_options_fps")
    elif key in ("r_need_photo", "r_last_photo", "r_photos"):
        options = say(lang, "r_options_upload")
    else:
        options = say(lang, "r_options_photo")
    text = say(lang, key, **refused.fields)
    return TurnPlan("ask", 0, instr, lang, reply=text,
                    question=Question(text, tuple(options.split("|"))))  # fmt: skip


def _need_image(instr: Instruction, lang: str) -> TurnPlan:
    question = Question(say(lang, "which_image"), (say(lang, "upload_option"),))
    return TurnPlan("ask", 0, instr, lang, reply=say(lang, "need_image"), question=question)


def _ask(instr: Instruction, lang: str) -> TurnPlan:
    options = tuple(say(lang, "options").split("|"))
    return TurnPlan("ask", 0, instr, lang, reply=say(lang, "unclear"),
                    question=Question(say(lang, "unclear"), options))  # fmt: skip


def _generate(
    steps: tuple[Instruction, ...],
    images: list[StoredFile],
    previous: dict[str, Any] | None,
    lang: str,
    cost: int,
    long_side: int,
    source_url: Callable[[StoredFile], str],
) -> TurnPlan:
    """A new paid generation: the video first (stage 1), then music, text and beat (stage 2)."""
    if previous is not None:  # a new take keeps the video's photos and settings, not music or text
        base = _new_take(previous, long_side)
    else:
        base = story_draft([_photo(f, source_url) for f in images], long_side)
    ctx = Context(long_side)
    edits = [e for step in steps for e in edits_for(step, base) if not _places_photos(e)]
    stage1 = apply_edits(base, [e for e in edits if e.stage == "video"], ctx)
    final = apply_edits(stage1, [e for e in edits if e.stage != "video"], ctx)
    tools = [ToolCall("generate_video", _gen_args(stage1), stage1)]
    tools += [dataclasses.replace(t, draft=final) for t in _calls(edits, final)]
    seconds = f"{tools[0].args['duration']:g}"
    count = len(segments(stage1, TrackType.VIDEO))
    intro = (say(lang, "intro", seconds=seconds) if count == 1
             else say(lang, "intro_story", seconds=seconds, count=count))  # fmt: skip
    return TurnPlan("generate", cost, steps[0], lang, tuple(images), final, tools, intro=intro,
                    reply=say(lang, "ready"))  # fmt: skip


def _places_photos(edit: Edit) -> bool:
    """Edits that choose photos: a generation takes the message's photos as they come."""
    from nemo_skill.local.edits.photos import (
        InsertPhotos,
        MovePhoto,
        RemovePhoto,
        ReplacePhoto,
        SwapPhotos,
    )

    return isinstance(edit, InsertPhotos | MovePhoto | RemovePhoto | ReplacePhoto | SwapPhotos)


def _new_take(previous: dict[str, Any], long_side: int) -> dict[str, Any]:
    """A fresh draft of the same photos with the same video settings (new ids, no extras)."""
    photos = [dict(p.segment) for p in segments(previous, TrackType.VIDEO)]
    photo_list = [Photo(str(p.get("src") or ""), str(p.get("name") or "clip")) for p in photos]
    base = story_draft(photo_list, long_side)
    meta = previous.get("m", {})
    for key in ("aspect", "fit", "fps", "source_size"):
        if key in meta:
            base["m"][key] = meta[key]
    for new, old in zip(base["t"][0]["sg"], photos, strict=True):
        for key in ("d", "motion", "speed", "transition", "fade_in", "fade_out"):
            if key in old:
                new[key] = old[key]
    retime(base)
    return apply_edits(base, [], Context(long_side))


def _video_segments(draft: dict[str, Any] | None) -> list[dict[str, Any]]:
    return _segs(draft, TrackType.VIDEO)


def _segs(draft: dict[str, Any] | None, tt: TrackType) -> list[dict[str, Any]]:
    """The segments on tracks of type ``tt``, read through the one draft reader."""
    return [dict(p.segment) for p in segments(draft, tt)]


def _gen_args(draft: dict[str, Any]) -> dict[str, Any]:
    videos = segments(draft, TrackType.VIDEO)
    args: dict[str, Any] = {
        "duration": _seconds(draft),
        "motion": videos[0].segment.get("motion"),
        "aspect_ratio": draft["m"].get("aspect"),
    }
    if len(videos) > 1:
        args["photos"] = [p.segment.get("name") for p in videos]
    return args


def _music_segment(draft: dict[str, Any]) -> dict[str, Any] | None:
    return next(iter(_segs(draft, TrackType.AUDIO)), None)


def _text_segments(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return _segs(draft, TrackType.TEXT)


def _calls(edits: list[Edit], draft: dict[str, Any]) -> list[ToolCall]:
    """The edits' own tool calls; removals of tracks are one ``remove_track`` call."""
    tools: list[ToolCall] = []
    removed: list[str] = []
    for edit in edits:
        for call in edit.calls(draft):
            if call.name == "remove_track":
                removed += call.args.get("tracks", [])
            else:
                tools.append(ToolCall(call.name, call.args))
    if removed:
        tools.append(ToolCall("remove_track", {"tracks": removed}))
    return tools


def _edit_tools(edits: list[Edit], draft: dict[str, Any]) -> list[ToolCall]:
    """One ``edit_multitrack`` call with every edit's ops, then the edits' own calls."""
    tools = _calls(edits, draft)
    ops: dict[str, Any] = {}
    own: list[dict[str, Any]] = []
    for edit in edits:
        ops.update(edit.ops())
        own += edit.own_ops()
    if ops or own or not tools:
        tools.insert(0, ToolCall("edit_multitrack", {"ops": ([ops] if ops else []) + own}))
    last = tools[-1]
    tools[-1] = dataclasses.replace(last, draft=draft)
    return tools


def _seconds(draft: dict[str, Any]) -> float:
    return max((p.end_ms for p in segments(draft, TrackType.VIDEO)), default=0) / 1000


def _summary(edits: list[Edit], states: list[dict[str, Any]], lang: str) -> str:
    """Each edit's phrases, read from the draft before and after that edit (``states``:
    the turn's draft, then the draft after each edit, the last one the turn's result)."""
    done = [
        phrase
        for edit, before, after in zip(edits, states[:-1], states[1:], strict=True)
        for phrase in edit.summary(before, after, lang)
    ]
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
