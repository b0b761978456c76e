"""A rule-based instruction agent that answers like the real NemoVideo agent.

It reads the message with the engine's pure instruction parser, changes the
draft, and describes what it did as Google ADK events: a short text, a
``functionCall``/``functionResponse`` pair per tool, the new draft as
``actions.stateDelta``, heartbeats during work, and replies phrased for a GUI
("Preview it in the timeline or click Export to download.") so clients must
translate them. Generation is two-stage: the video first, then music and
title when asked. Without an image it asks with an ``ask_question`` call.
A configurable fraction of edit turns ends silently, like the real service.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from nemo_skill.local.engine.prompt import (
    Instruction,
    apply_instruction,
    parse_instruction,
    plan_from_prompt,
)
from nemo_skill.local.store import StoredFile

AUTHOR = "nemo_agent"
HEARTBEAT: dict[str, Any] = {"type": "heartbeat"}
IMAGE_TYPES = ("image",)


@dataclass
class TurnPlan:
    """What a turn will do, decided before any credit is charged."""

    kind: str  # "generate" | "edit" | "undo" | "question" | "noop"
    cost: int
    instruction: Instruction
    image: StoredFile | None = None
    new_draft: dict[str, Any] | None = None
    tools: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def plan_turn(
    text: str,
    draft: dict[str, Any] | None,
    files: list[StoredFile],
    *,
    cost_generate: int,
    cost_edit: int,
    long_side: int,
    source_url: Any,
) -> TurnPlan:
    """Decide the turn (pure apart from ``source_url``, which names a file's URL)."""
    instr = parse_instruction(text)
    images = [f for f in files if f.file_type in IMAGE_TYPES]
    latest = images[-1] if images else None
    if instr.undo:
        return TurnPlan("undo", cost_edit if draft else 0, instr)
    used = _sources(draft)
    new_image = latest is not None and source_url(latest) not in used
    # A bare "generate/animate" on an existing video is a paid re-generation (as on the
    # real service); with settings attached ("animate it again, 3 s") it edits the video.
    regenerate = instr.generate and not instr.is_edit
    if draft is None or (new_image and (instr.generate or not instr.is_edit)) or regenerate:
        if latest is None:
            return TurnPlan("question", 0, instr)
        base = plan_from_prompt(
            "",
            source=source_url(latest),
            name=latest.name,
            image_size=(latest.width or 0, latest.height or 0) if latest.width else None,
            long_side=long_side,
        )
        video_only = Instruction(
            duration_s=instr.duration_s,
            aspect=instr.aspect,
            motion=instr.motion,
            speed=instr.speed,
            fps=instr.fps,
            fit=instr.fit,
        )
        stage1 = apply_instruction(base, video_only, long_side=long_side)
        final = apply_instruction(stage1, instr, long_side=long_side)
        tools: list[tuple[str, dict[str, Any]]] = [("generate_video", _gen_args(stage1))]
        tools += _stage2_tools(instr)
        plan = TurnPlan("generate", cost_generate, instr, latest, final, tools)
        plan.tools[0][1]["_draft"] = stage1
        return plan
    new = apply_instruction(draft, instr, long_side=long_side)
    if new == draft:
        return TurnPlan("noop", 0, instr)
    return TurnPlan("edit", cost_edit, instr, None, new, _edit_tools(instr))


def _sources(draft: dict[str, Any] | None) -> set[str]:
    out: set[str] = set()
    for track in (draft or {}).get("t", []):
        for seg in track.get("sg", []):
            if seg.get("src"):
                out.add(str(seg["src"]))
    return out


def _gen_args(draft: dict[str, Any]) -> dict[str, Any]:
    seg = draft["t"][0]["sg"][0]
    return {
        "duration": seg["d"] / 1000,
        "motion": seg.get("motion"),
        "aspect_ratio": draft["m"].get("aspect"),
    }


def _stage2_tools(instr: Instruction) -> list[tuple[str, dict[str, Any]]]:
    tools: list[tuple[str, dict[str, Any]]] = []
    if instr.music_style or instr.music_volume is not None:
        tools.append(
            (
                "add_bgm",
                {"style": instr.music_style or "lo-fi", "volume": instr.music_volume or 0.35},
            )
        )
    if instr.title:
        tools.append(("add_text", {"text": instr.title, "role": "title"}))
    if instr.caption:
        tools.append(("add_text", {"text": instr.caption, "role": "caption"}))
    return tools


def _edit_tools(instr: Instruction) -> list[tuple[str, dict[str, Any]]]:
    tools = _stage2_tools(instr)
    if instr.remove_music or instr.remove_title or instr.remove_caption:
        kinds = [
            k
            for k, on in (
                ("bgm", instr.remove_music),
                ("title", instr.remove_title),
                ("caption", instr.remove_caption),
            )
            if on
        ]
        tools.append(("remove_track", {"tracks": kinds}))
    ops = {
        k: v
        for k, v in (
            ("duration", instr.duration_s),
            ("aspect_ratio", instr.aspect),
            ("motion", instr.motion),
            ("speed", instr.speed),
            ("fps", instr.fps),
            ("fit", instr.fit),
        )
        if v
    }
    if ops or not tools:
        tools.insert(0, ("edit_multitrack", {"ops": [ops] if ops else []}))
    return tools


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


def _summary(plan: TurnPlan) -> str:
    instr = plan.instruction
    done = []
    if instr.duration_s:
        done.append(f"set the length to {instr.duration_s:g} seconds")
    if instr.aspect:
        done.append(f"changed the format to {instr.aspect}")
    if instr.motion:
        done.append(f"switched the camera move to {instr.motion.replace('_', ' ')}")
    if instr.music_style:
        done.append(f"added {instr.music_style} background music")
    if instr.music_volume is not None:
        done.append(f"set the music volume to {round(instr.music_volume * 100)}%")
    if instr.title:
        done.append(f'added the title "{instr.title}"')
    if instr.caption:
        done.append(f'added the caption "{instr.caption}"')
    if instr.remove_music:
        done.append("removed the music")
    if instr.remove_title or instr.remove_caption:
        done.append("removed the text")
    return ", ".join(done) or "updated the timeline"


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
    if plan.kind == "question":
        ask = {
            "functionCall": {
                "id": f"adk-{uuid.uuid4()}",
                "name": "ask_question",
                "args": {
                    "question": "Which image should I animate? Upload a "
                    "photo (JPG, PNG, WEBP or HEIC) first.",
                    "options": ["Upload a photo"],
                },
            }
        }
        yield event([{"text": "I need an image to work on."}, ask], inv)
        return
    if plan.kind == "noop":
        yield event(
            [
                {
                    "text": 'I\'m not sure what to change. Try "make it 9:16", "add lo-fi '
                    'music" or "add the title \'Hello\'".'
                }
            ],
            inv,
        )
        return
    if plan.kind == "undo":
        yield from _tool(inv, "undo", {}, {"draft": undo_draft} if undo_draft else {"draft": {}})
        yield event([{"text": "Undone. Preview it in the timeline."}], inv)
        return
    if plan.kind == "generate":
        seconds = plan.tools[0][1]["duration"]
        yield event(
            [{"text": f"Got it! I'll animate your photo into a {seconds:g}-second clip."}], inv
        )
        name, args = plan.tools[0]
        stage1 = args.pop("_draft")
        for _ in range(heartbeats):
            yield HEARTBEAT
        yield from _tool(inv, name, args, {"draft": stage1})
        for name, args in plan.tools[1:]:
            yield from _tool(inv, name, args, {"draft": plan.new_draft})
        yield event(
            [
                {
                    "text": "Your video is ready! Preview it in the timeline or click Export "
                    "to download."
                }
            ],
            inv,
        )
        return
    for _ in range(heartbeats):
        yield HEARTBEAT
    for index, (name, args) in enumerate(plan.tools):
        last = index == len(plan.tools) - 1
        yield from _tool(inv, name, args, {"draft": plan.new_draft} if last else {})
    if rng.random() < silent_fraction:
        return  # the real service closes ~30% of edit turns without a word
    yield event(
        [
            {
                "text": f"Done: I {_summary(plan)}. Open the timeline panel to review it, "
                "then click the Export button to download."
            }
        ],
        inv,
    )


def _tool(
    inv: str, name: str, args: dict[str, Any], delta: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    call_id = f"adk-{uuid.uuid4()}"
    yield event([{"functionCall": {"id": call_id, "name": name, "args": args}}], inv)
    response = {
        "functionResponse": {"id": call_id, "name": name, "response": {"status": "success"}}
    }
    yield event([response], inv, role="user", delta=delta)
