"""The embedded agent (nemo_skill/local/agent.py): typed turn plans, charging rule, replies, events."""

from __future__ import annotations

import random
from typing import Any

import pytest

from nemo_skill.local import agent
from nemo_skill.local.store import StoredFile

IMAGE = StoredFile("s", "u", "0" * 64, "photo.jpg", "image", 1000, 800, 600)


def plan(
    text: str, draft: dict[str, Any] | None, language: str = "en", **kw: Any
) -> agent.TurnPlan:
    return agent.plan_turn(text, draft, kw.pop("files", [IMAGE]), cost_generate=100, cost_edit=50,
                           long_side=320, source_url=lambda f: f"file:///{f.name}",
                           language=language, **kw)  # fmt: skip


@pytest.fixture
def clip() -> dict[str, Any]:
    made = plan('animate this, add calm music and the title "Hi"', None)
    assert made.kind == "generate" and made.new_draft is not None
    return made.new_draft


def events(p: agent.TurnPlan, **kw: Any) -> list[dict[str, Any]]:
    return [e for e in agent.stream_turn(p, rng=random.Random(0), silent_fraction=0.0, **kw)
            if e is not agent.HEARTBEAT]  # fmt: skip


def parts(p: agent.TurnPlan, **kw: Any) -> list[dict[str, Any]]:
    return [part for e in events(p, **kw) for part in e["content"]["parts"]]


def test_generation_is_two_stage_with_typed_tools_and_no_private_args() -> None:
    made = plan('animate this, 9:16, add calm music and the title "Hi"', None)
    assert made.cost == 100
    assert [t.name for t in made.tools] == ["generate_video", "add_bgm", "add_text"]
    stage1 = made.tools[0].draft
    assert stage1 is not None and [t["tt"] for t in stage1["t"]] == [0]
    assert all(t.draft == made.new_draft for t in made.tools[1:])
    for call in made.tools:
        assert not [k for k in call.args if k.startswith("_")]
    calls = [p["functionCall"] for p in parts(made) if "functionCall" in p]
    assert [c["name"] for c in calls] == ["generate_video", "add_bgm", "add_text"]
    assert all(not k.startswith("_") for c in calls for k in c["args"])
    assert made.tools[0].args == {"duration": 5.0, "motion": "kenburns", "aspect_ratio": "9:16"}


@pytest.mark.parametrize(
    "text",
    ["how long is it?", "is this video long enough for a reel?", "what music is on the video?",
     "do you have other styles?", "视频多长？", "¿qué música tiene?", "combien de temps dure la vidéo ?",
     "welche Musik läuft da?", "動画の長さは？", "thanks!"],
)  # fmt: skip
def test_questions_and_chat_are_answered_free_and_change_nothing(
    clip: dict[str, Any], text: str
) -> None:
    answered = plan(text, clip)
    assert answered.kind == "answer"
    assert answered.cost == 0
    assert answered.new_draft is None
    got = parts(answered)
    assert len(got) == 1 and got[0]["text"]


def test_answers_read_the_draft(clip: dict[str, Any]) -> None:
    assert "5 seconds" in plan("how long is it?", clip).reply
    assert "calm" in plan("what music is on the video?", clip).reply
    assert (
        "9:16" in plan("is this video long enough for a reel?", clip).reply
    )  # says what to change
    styles = plan("do you have other styles?", clip).reply
    assert all(s in styles for s in ("lo-fi", "upbeat", "calm", "cinematic"))


def test_not_understood_asks_with_options_for_free(clip: dict[str, Any]) -> None:
    asked = plan("hmm not sure", clip)
    assert (asked.kind, asked.cost, asked.new_draft) == ("ask", 0, None)
    call = next(p["functionCall"] for p in parts(asked) if "functionCall" in p)
    assert call["name"] == "ask_question"
    assert len(call["args"]["options"]) >= 3


def test_an_edit_that_changes_nothing_says_why_and_is_free(clip: dict[str, Any]) -> None:
    same = plan("add calm music", clip)
    assert (same.kind, same.cost) == ("noop", 0)
    assert same.reply
    bare = plan("animate this", None).new_draft
    quiet = plan("louder", bare)
    assert (quiet.kind, quiet.cost) == ("noop", 0)
    assert "no music" in quiet.reply


def test_regeneration_is_paid_and_keeps_the_video_settings(clip: dict[str, Any]) -> None:
    vertical = plan("make it 9:16 and 8 seconds", clip).new_draft
    again = plan("do it again with a fresh take", vertical)
    assert (again.kind, again.cost) == ("generate", 100)
    assert again.new_draft is not None and again.new_draft["id"] != vertical["id"]
    assert again.new_draft["m"]["aspect"] == "9:16"
    assert again.new_draft["t"][0]["sg"][0]["d"] == 8000


def test_speed_steps_the_existing_motion(clip: dict[str, Any]) -> None:
    zoom = plan("zoom in", clip).new_draft
    faster = plan("this zoom is sluggish, pick up the pace", zoom).new_draft
    seg = faster["t"][0]["sg"][0]
    assert seg["motion"] == "zoom_in"
    assert seg["speed"] == 2.0
    slower = plan("too fast", faster).new_draft
    assert slower["t"][0]["sg"][0]["speed"] == 1.0


def test_fade_to_black_and_text_styling(clip: dict[str, Any]) -> None:
    faded = plan("fade to black at the end", clip).new_draft
    assert faded["t"][0]["sg"][-1]["fade_out"] == 1000
    styled = plan("title at the top please, bigger and red", clip).new_draft
    title = next(s for t in styled["t"] if t["tt"] == 7 for s in t["sg"])
    assert (title["position"], title["color"]) == ("top", "#FF0000")
    assert title["size"] > 0.08


@pytest.mark.parametrize(
    ("session", "text", "words"),
    [("en", "make it 9:16", "Done"), ("zh", "改成竖屏", "已完成"), ("es", "ponlo en vertical", "Hecho"),
     ("fr", "passe-la en vertical", "C'est fait"), ("de", "mach es hochkant", "Erledigt"),
     ("ja", "縦長にして", "完了"), ("fr", "make it 9:16", "C'est fait"), ("de", "how long?", "Sekunden")],
)  # fmt: skip
def test_replies_in_the_session_language(
    clip: dict[str, Any], session: str, text: str, words: str
) -> None:
    assert words in plan(text, clip, language=session).reply


def test_without_an_image_it_asks_for_one() -> None:
    asked = plan("animate this", None, files=[])
    assert (asked.kind, asked.cost) == ("ask", 0)
    call = next(p["functionCall"] for p in parts(asked) if "functionCall" in p)
    assert call["args"]["options"] == ["Upload a photo"]


def test_edit_events_end_with_the_draft_and_gui_wording(clip: dict[str, Any]) -> None:
    edited = plan("make it 1:1", clip)
    got = events(edited)
    deltas = [e["actions"]["stateDelta"] for e in got if e["actions"]["stateDelta"]]
    assert deltas == [{"draft": edited.new_draft}]
    assert "Export button" in got[-1]["content"]["parts"][0]["text"]


def test_undo_streams_the_restored_draft(clip: dict[str, Any]) -> None:
    undone = plan("undo", clip)
    assert (undone.kind, undone.cost) == ("undo", 50)
    got = events(undone, undo_draft={"id": "old"})
    assert got[1]["actions"]["stateDelta"] == {"draft": {"id": "old"}}


@pytest.mark.parametrize("language", ["en", "zh", "es", "fr", "de", "ja"])
def test_gui_wording_of_every_language_is_translated_by_the_client(
    clip: dict[str, Any], language: str
) -> None:
    from nemo_skill.gui import translate

    for text in ("make it 1:1", "undo"):
        reply = plan(text, clip, language=language).reply
        assert translate(reply) != reply, reply
    made = plan("animate this", None, language=language)
    assert "{next:export}" in translate(made.reply)  # the shell names its export step


def test_bad_values_in_a_stored_draft_are_read_tolerantly(clip: dict[str, Any]) -> None:
    # A client may have stored anything: the agent reads through nemo_skill.draft (tolerant).
    broken = json_copy(clip)
    broken["t"][0]["sg"][0]["speed"] = "fast"
    music = next(t for t in broken["t"] if t["tt"] == 1)
    music["sg"][0]["volume"] = None
    faster = plan("faster", broken).new_draft
    assert faster is not None and faster["t"][0]["sg"][0]["speed"] == 2.0  # default 1.0, doubled
    louder = plan("louder", broken).new_draft
    assert louder is not None
    assert next(t for t in louder["t"] if t["tt"] == 1)["sg"][0]["volume"] == 0.5
    assert "35%" in plan("what music is on?", broken).reply


def json_copy(value: dict[str, Any]) -> dict[str, Any]:
    import json

    copied: dict[str, Any] = json.loads(json.dumps(value))
    return copied


@pytest.mark.parametrize("language", ["en", "zh", "es", "fr", "de", "ja"])
def test_every_offered_option_is_an_edit_the_agent_reads(language: str) -> None:
    bare = plan("animate this", None).new_draft  # no music, no text yet
    asked = plan("hmm", bare, language=language)
    assert asked.question is not None and asked.question.options
    for option in asked.question.options:
        answered = plan(option, bare, language=language)
        assert answered.kind == "edit", (option, answered.kind)
        assert answered.cost == 50
